"""Which trainer runs a configuration: the numpy engine, or torch's.

The one place that chooses between the backends, so neither imports the
other: `core.run.trainer` knows nothing of torch, and
`core.torch_backend.trainer` builds on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from core import torch_backend
from core.problems.catalogue import get_problem
from core.run.config import RunConfig
from core.run.trainer import Trainer

if TYPE_CHECKING:
    from core.problems.base import Problem
    from core.run.trainer import Run


def make_trainer(problem: str | Problem, cfg: RunConfig | None = None, **kwargs: Any) -> Trainer:
    """The trainer for a config on its backend (``kwargs``: `RunConfig` fields)."""
    if cfg is None:
        cfg = RunConfig(problem=problem, **kwargs)
    prob = get_problem(problem, **cfg.options) if isinstance(problem, str) else problem
    if cfg.backend == "torch":
        torch_backend.require()
        from core.torch_backend.trainer import TorchTrainer

        return TorchTrainer(prob, cfg)
    return Trainer(prob, cfg)


def train(
    problem: str | Problem, *, optimizer: str = "sgd", lr: float = 0.1, steps: int = 100,
    start: Sequence[float] | None = None, batch: str | int = "full", seed: int = 0,
    backend: str = "numpy", device: str = "auto", dtype: str = "float64", schedule: Any = None,
    tol: float | None = None, options: dict[str, Any] | None = None, **hyper: Any,
) -> Run:
    """Run gradient descent on ``problem`` and return the `Run`.

    Parameters
    ----------
    problem
        A `Problem` or a built-in name (see `core.list_problems`).
    optimizer, lr, **hyper
        ``sgd``, ``adam``, ``adamw``, ``rmsprop``, ``adagrad``, ``nadam``,
        ``radam``, ``adamax`` or ``adadelta``; the learning
        rate (finite, >= 0); torch.optim's keyword names and defaults for the rest.
    steps, start
        Updates (the table gets ``steps + 1`` rows); one float per parameter.
    batch, seed
        ``"full"``, ``"sample"`` (one example per update, in order) or a
        mini-batch size (shuffled each epoch from ``seed``).
    backend, device, dtype
        ``numpy`` (hand-derived gradients) or ``torch`` (autograd, torch.optim).
    schedule, tol, options
        A schedule (name, dict or `Schedule`); stop as ``converged`` once
        ``loss − min_loss <= tol``; problem options when ``problem`` is a name.

    Returns
    -------
    Run
        ``.table``, ``.status`` (finished / converged / diverged), ``.diverged_at``.
    """
    cfg = RunConfig(
        problem=problem, optimizer=optimizer, lr=lr, steps=steps,
        start=tuple(start) if start is not None else None, batch=batch, seed=seed,
        backend=backend, device=device, dtype=dtype, schedule=schedule, hyper=hyper,
        options=dict(options or {}), tol=tol,
    )
    return make_trainer(problem, cfg).run()
