"""The two arrows drawn at a step's point: the negative gradient and the update taken.

Both are the step inspector's own numbers: the gradient update k uses is
row k's ``grad_<param>`` columns (`RunView.grad_at`), and the update actually
taken is ``θ_{k+1} − θ_k`` (the inspector's ``params_after − params``). At
the newest row of a live run the next row is not recorded yet, but the
trainer has already computed it (`Trainer.theta`: the parameters the next
row will record), so no optimizer state is replayed and a frame costs a few
array reads however long the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from core._types import FloatArray


@dataclass(frozen=True)
class StepVectors:
    """At row ``step``: the point, the gradient there and the update taken from it.

    ``update`` is None where the run made no update at that row (it diverged
    or converged there, or the next parameters are not known). ``plain``:
    the optimizer's update is exactly ``−lr·gradient`` (plain SGD), so the
    update arrow only repeats the gradient's direction.
    """

    step: int
    point: FloatArray
    gradient: FloatArray
    update: FloatArray | None
    lr: float
    plain: bool


def step_vectors(trainer: Any, k: int) -> StepVectors:
    """`StepVectors` of row ``k`` of a `Trainer`'s (or `Run`'s) table (negative: from the end)."""
    table = trainer.table
    names = trainer.problem.param_names
    n = len(table)
    if not -n <= k < n:
        raise IndexError(f"step {k} is not in the run: it has rows 0 to {n - 1}")
    k %= n
    every = table.columns_view()  # one read for all the columns, not two per parameter
    at = [table.position(name) for name in names]
    point = every[at, k]
    grad = every[[table.position(f"grad_{name}") for name in names], k]
    update: FloatArray | None = None
    if k not in (getattr(trainer, "diverged_at", None), getattr(trainer, "converged_at", None)):
        if k + 1 < n:
            update = every[at, k + 1] - point
        elif hasattr(trainer, "theta"):
            update = np.asarray(trainer.theta, dtype=np.float64) - point
    optimizer = trainer.optimizer if hasattr(trainer, "optimizer") else None
    plain = bool(optimizer is not None and optimizer.plain)
    with np.errstate(all="ignore"):
        if update is not None and not np.all(np.isfinite(update)):
            update = None
    return StepVectors(k, point, grad, update, float(table["lr"][k]), plain)
