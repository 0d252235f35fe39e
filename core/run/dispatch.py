"""Which trainer runs a configuration: the numpy engine, or torch's.

The one place that chooses between the backends, so neither imports the
other: `core.run.trainer` knows nothing of torch, and
`core.torch_backend.trainer` builds on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from core import torch_backend
from core.checks import shown
from core.errors import ConfigError
from core.problems.base import Problem
from core.problems.catalogue import get_problem
from core.run.config import RunConfig
from core.run.trainer import Trainer

if TYPE_CHECKING:
    from core.run.trainer import Run


def make_trainer(problem: str | Problem, cfg: RunConfig | None = None, **kwargs: Any) -> Trainer:
    """The trainer for a config on its backend (``kwargs``: `RunConfig` fields)."""
    if cfg is None:
        cfg = RunConfig(problem=problem, **kwargs)
    elif not isinstance(cfg, RunConfig):
        raise ConfigError(f"cfg must be a RunConfig or None, got {shown(cfg)}")
    elif kwargs:
        raise ConfigError(f"give either a RunConfig or its fields, not both (got "
                          f"{', '.join(sorted(kwargs))} beside the RunConfig)")
    prob = get_problem(problem, **cfg.options) if isinstance(problem, str) else problem
    if not isinstance(prob, Problem):
        raise ConfigError(f"problem must be a problem name or a Problem, got {shown(problem)}")
    if cfg.backend == "torch":
        torch_backend.require()
        from core.torch_backend.trainer import TorchTrainer

        return TorchTrainer(prob, cfg)
    return Trainer(prob, cfg)


def train(
    problem: str | Problem, *, optimizer: str = "sgd", lr: float = 0.1, steps: int = 100,
    start: Sequence[float] | None = None, batch: str | int = "full", seed: int = 0,
    backend: str = "numpy", device: str = "auto", dtype: str = "float64", schedule: Any = None,
    tol: float | None = None, options: dict[str, Any] | None = None, noise: float = 0.0,
    sharpness_every: int = 0, **hyper: Any,
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
    noise
        Scale (standard deviation) of Gaussian noise added to every gradient,
        drawn from ``seed``: the gradient columns record the gradient used.
    sharpness_every
        Record λmax of the loss's Hessian at every this many steps in a
        ``sharpness`` column (nan between; 0: no column).
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
        start=start, batch=batch, seed=seed,
        backend=backend, device=device, dtype=dtype, schedule=schedule, hyper=hyper,
        options=options if options is not None else {}, tol=tol, noise=noise,
        sharpness_every=sharpness_every,
    )
    return make_trainer(problem, cfg).run()
