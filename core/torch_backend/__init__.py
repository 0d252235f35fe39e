"""The torch backend: autograd gradients, torch.optim updates, batched sweeps.

This package imports without torch; its submodules import torch at module
level and are loaded only when something asks for them, so ``import core``
stays free of torch (DESIGN: "torch is imported only when the torch backend is
chosen"). `TorchTrainer` is resolved lazily through the module ``__getattr__``;
`torch_sweep` checks for torch first and raises the install hint as a
`ConfigError` when it is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.problems.base import Problem
    from core.sweep import SweepResult
    from core.torch_backend.trainer import TorchTrainer

__all__ = ["TorchTrainer", "torch_sweep"]


def _require_torch() -> None:
    # looked up at call time so tests can monkeypatch core.engine.torch_available
    from core import engine
    from core.errors import ConfigError

    if not engine.torch_available():
        raise ConfigError(engine.TORCH_INSTALL_HINT)


def torch_sweep(
    problem: str | Problem,
    lrs: Sequence[float] | Any,
    *,
    steps: int,
    optimizer: str = "sgd",
    device: str = "auto",
    dtype: str = "float64",
    start: Sequence[float] | None = None,
    batch: str | int = "full",
    seed: int = 0,
    tol: float | None = None,
    keep_history: bool = False,
    gradient: str = "hand",
    **hyper: Any,
) -> SweepResult:
    """`core.sweep.sweep` with the runs as one batch of torch tensors.

    Parameters
    ----------
    problem
        A `Problem` or a built-in name.
    lrs
        The learning rates (finite, >= 0), one run each.
    steps
        Updates per run; each run has ``steps + 1`` rows.
    optimizer
        ``sgd``, ``adam``, ``adamw``, ``rmsprop`` or ``adagrad``.
    device, dtype
        As for ``core.train(backend="torch")``: ``auto`` picks cuda, then mps,
        then cpu; ``float64`` (default, equal to the numpy sweep to rounding)
        or ``float32``.
    start, batch, seed, tol, keep_history
        As for `core.sweep.sweep`.
    gradient
        ``hand`` (default: the problem's hand-derived gradient in torch ops,
        which keeps a CPU sweep within 2x of numpy) or ``autograd`` (one
        backward pass through the batched loss, about 3x the cost per step).
    **hyper
        torch.optim's keyword names for the optimizer.

    Returns
    -------
    SweepResult
        The same type, fields and statuses as `core.sweep.sweep`.

    Raises
    ------
    ConfigError
        Bad input, an unavailable device, or torch not installed (naming
        ``pip install "lr-playground[torch]"``).
    """
    _require_torch()
    from core.torch_backend.sweep import torch_sweep as run

    return run(problem, lrs, steps=steps, optimizer=optimizer, device=device, dtype=dtype,
               start=start, batch=batch, seed=seed, tol=tol, keep_history=keep_history,
               gradient=gradient, **hyper)


def __getattr__(name: str) -> Any:
    if name == "TorchTrainer":
        _require_torch()
        from core.torch_backend.trainer import TorchTrainer

        return TorchTrainer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
