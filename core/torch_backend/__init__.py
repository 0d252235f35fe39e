"""The torch backend: autograd gradients, the real torch.optim classes, batched sweeps.

This package imports without torch. Its submodules import torch at module
level and are loaded only when the torch backend is chosen, so ``import core``
never pays torch's seconds of import time. Whether torch can be used is
answered here, in one place, for every caller (the trainer dispatch, the
sweep, the gradient check): `available` looks for torch without importing
it, and `require` turns its absence into a `ConfigError` naming the install
command.

`core.torch_backend.trainer.TorchTrainer` runs one configuration with
autograd and the real ``torch.optim`` classes: it is the independent oracle
the numpy engine is tested against. `torch_sweep` runs many learning rates as
one batch of tensors through the same optimizer rules as the numpy sweep
(`core.optim`), with torch as the array namespace.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from core.errors import ConfigError

if TYPE_CHECKING:
    from core.analysis.sweep_result import SweepResult
    from core.problems.base import Problem

INSTALL_HINT = 'the torch backend needs PyTorch: pip install "lr-playground[torch]"'

__all__ = ["INSTALL_HINT", "available", "require", "torch_sweep"]


def available() -> bool:
    """Whether torch can be imported (without importing it)."""
    return importlib.util.find_spec("torch") is not None


def require() -> None:
    """Raise the install hint as a `ConfigError` unless torch can be imported."""
    if not available():
        raise ConfigError(INSTALL_HINT)


def torch_sweep(
    problem: str | Problem,
    lrs: Sequence[float] | Any,
    *,
    steps: int,
    optimizer: str = "sgd",
    device: str = "auto",
    dtype: str = "float64",
    gradient: str = "hand",
    **options: Any,
) -> SweepResult:
    """`core.sweep` with the runs as one batch of torch tensors, on the cpu or a GPU.

    Parameters
    ----------
    problem, lrs, steps, optimizer
        As for `core.sweep`.
    device, dtype
        As for ``core.train(backend="torch")``: ``auto`` picks cuda, then mps,
        then cpu; ``float64`` (default, equal to the numpy sweep to rounding)
        or ``float32``.
    gradient
        ``hand`` (default: the problem's hand-derived gradient in torch ops,
        which keeps a CPU sweep within 2x of numpy) or ``autograd`` (one
        backward pass through the batched loss, about 3x the cost per step).
    **options
        ``start``, ``batch``, ``seed``, ``tol``, ``keep_history`` and the
        optimizer's hyper-parameters, as for `core.sweep`.

    Returns
    -------
    SweepResult
        The same type, fields and statuses as `core.sweep`.

    Raises
    ------
    ConfigError
        Bad input, an unavailable device, or torch not installed.
    """
    require()
    from core.torch_backend.sweep import torch_sweep as run

    return run(problem, lrs, steps=steps, optimizer=optimizer, device=device, dtype=dtype,
               gradient=gradient, **options)
