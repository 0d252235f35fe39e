"""A run seen from the inspector: its table, batches, optimizer, and replayed state.

The step table records parameters, gradients and learning rates, but not the
optimizer's state (momentum buffers, Adam's moments). The state before update
k is rebuilt by replaying the optimizer over rows 0..k-1 with the table's own
numbers: the same inputs in the same order, so it is the state the run had.
Replays keep checkpoints, so following a run row by row costs one optimizer
step per row, and scrubbing back costs at most `CHECKPOINT_EVERY` steps.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ConfigError
from core.run.batches import BatchPlan
from core.run.config import RunConfig
from core.run.dispatch import make_trainer
from core.run.trainer import Run, Trainer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from core._types import FloatArray
    from core.optim.base import Optimizer
    from core.problems.base import Problem
    from core.run.table import StepTable

CHECKPOINT_EVERY = 256


@dataclass(frozen=True)
class RunView:
    """Everything the inspector reads about a run, whatever it came from."""

    problem: Problem
    config: RunConfig
    table: StepTable
    plan: BatchPlan
    optimizer: Optimizer
    status: str
    diverged_at: int | None
    converged_at: int | None

    @property
    def names(self) -> tuple[str, ...]:
        return self.problem.param_names

    def params_at(self, k: int) -> FloatArray:
        return np.array([self.table[n][k] for n in self.names], dtype=np.float64)

    def grad_at(self, k: int) -> FloatArray:
        return np.array([self.table[f"grad_{n}"][k] for n in self.names], dtype=np.float64)


def view_of_run(run: Run) -> RunView:
    cfg, problem = run.config, run.problem
    return RunView(
        problem=problem,
        config=cfg,
        table=run.table,
        plan=BatchPlan.make(cfg.batch, problem.n_samples, cfg.seed, problem.name),
        optimizer=cfg.make_optimizer(),
        status=run.status,
        diverged_at=run.diverged_at,
        converged_at=run.converged_at,
    )


def view_of_trainer(trainer: Trainer) -> RunView:
    return RunView(
        problem=trainer.problem,
        config=trainer.config,
        table=trainer.table,
        plan=trainer.plan,
        optimizer=trainer.optimizer,
        status=trainer.status,
        diverged_at=trainer.diverged_at,
        converged_at=trainer.converged_at,
    )


def trainer_for(problem: Any, config: Any) -> Trainer:
    """A trainer for ``(problem, config)``; ``config`` a `RunConfig` or a dict of its fields."""
    if isinstance(config, Mapping):
        config = RunConfig(problem=problem, **config)
    if not isinstance(config, RunConfig):
        raise ConfigError(
            f"inspect a Run, a Trainer or a (problem, RunConfig) pair, got config {config!r}"
        )
    return make_trainer(problem, config)


# ------------------------------------------------------------ state replay
class StateReplay:
    """The optimizer state before each update of one run, rebuilt on demand."""

    def __init__(self, view: RunView) -> None:
        self._optimizer = view.optimizer
        self._names = view.names
        theta0 = view.params_at(0)
        self._init = view.optimizer.init(theta0)
        opt = view.optimizer
        # plain SGD keeps no state: nothing to replay
        self._stateless = opt.name == "sgd" and not opt.hyper["momentum"]
        # row -> (state before that row's update, that row's parameters as a check);
        # rows that are multiples of CHECKPOINT_EVERY, plus the last row asked for
        self._checkpoints: dict[int, tuple[Any, tuple[float, ...]]] = {
            0: (self._init, tuple(theta0))
        }
        self._last: tuple[int, Any, tuple[float, ...]] = (0, self._init, tuple(theta0))

    def before(self, view: RunView, k: int) -> Any:
        """The optimizer state before update ``k`` (after updates 0..k-1)."""
        if self._stateless or k == 0:
            return self._init
        start = max(c for c in self._checkpoints if c <= k)
        state, theta = self._checkpoints[start]
        last_row, last_state, last_theta = self._last
        if start < last_row <= k:
            start, state, theta = last_row, last_state, last_theta
        if tuple(view.params_at(start)) != theta:
            # the table was rebuilt under us (a new run in the same table): start over
            theta0 = tuple(view.params_at(0))
            self._checkpoints = {0: (self._init, theta0)}
            start, state = 0, self._init
        return self._replay(view, start, state, k)

    def _replay(self, view: RunView, start: int, state: Any, k: int) -> Any:
        table, names = view.table, self._names
        params = np.stack([np.asarray(table[n][start:k]) for n in names], axis=-1)
        grads = np.stack([np.asarray(table[f"grad_{n}"][start:k]) for n in names], axis=-1)
        lrs = np.asarray(table["lr"][start:k]).tolist()
        step = self._optimizer.step
        with np.errstate(all="ignore"):
            for j in range(k - start):
                _, state = step(params[j].copy(), grads[j].copy(), state, lrs[j])
                row = start + j + 1
                if row % CHECKPOINT_EVERY == 0:
                    self._checkpoints[row] = (state, tuple(view.params_at(row)))
        self._last = (k, state, tuple(view.params_at(k)))
        return state


_REPLAYS: weakref.WeakKeyDictionary[Any, dict[str, StateReplay]] = weakref.WeakKeyDictionary()


def replay_for(view: RunView) -> StateReplay:
    """The shared `StateReplay` of a table and optimizer (kept while the table lives)."""
    per_table = _REPLAYS.setdefault(view.table, {})
    key = f"{view.optimizer!r}"
    if key not in per_table:
        per_table[key] = StateReplay(view)
    return per_table[key]


def batch_rows(plan: BatchPlan, k: int) -> Sequence[int] | None:
    """The data rows update ``k`` uses, in order (None for a pure function).

    Full data and single samples come as a ``range`` (a million-row batch
    costs nothing to hold); mini-batches as a tuple of their shuffled rows.
    """
    if plan.n == 0:
        return None
    idx = plan.indices(k)
    if isinstance(idx, slice):
        return range(plan.n)[idx]
    return tuple(int(i) for i in idx)
