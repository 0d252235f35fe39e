"""Devices, dtypes and data for the torch backend.

torch's global default dtype is never touched (other code shares the
process): every tensor here is created with an explicit dtype and device.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch  # noqa: TID253  (this module is itself imported only when torch is chosen)

from core.errors import ConfigError
from core.problems.base import Dataset
from core.run.config import DEVICES, DTYPES
from core.torch_backend.namespace import torch_namespace

if TYPE_CHECKING:
    from collections.abc import Sequence

    from core.problems.base import Problem

_DTYPES = {"float64": torch.float64, "float32": torch.float32}
MPS_FLOAT64 = (
    "device 'mps' has no float64 (Apple GPUs compute in float32 at most): "
    "use dtype 'float32' on mps, or device 'cpu' for float64"
)


def torch_dtype(name: str) -> torch.dtype:
    """``"float64"`` or ``"float32"`` as a torch dtype."""
    if name not in _DTYPES:
        raise ConfigError(f"dtype must be one of {', '.join(DTYPES)}, got {name!r}")
    return _DTYPES[name]


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def _accelerator_type() -> str | None:
    """The type of the machine's accelerator ("cuda", "mps", ...) or None."""
    acc_api = getattr(torch, "accelerator", None)
    if acc_api is not None and hasattr(acc_api, "current_accelerator"):
        try:
            acc = acc_api.current_accelerator(check_available=True)
        except TypeError:  # torch < 2.7: no check_available argument
            acc = acc_api.current_accelerator() if acc_api.is_available() else None
        return None if acc is None else str(acc.type)
    # the older idiom (torch < 2.6)
    if torch.cuda.is_available():
        return "cuda"
    return "mps" if _mps_available() else None


def resolve_device(device: str = "auto", dtype: str = "float64") -> torch.device:
    """The torch device a run uses, with its index (``cuda:0``, ``mps:0``, ``cpu``).

    ``auto`` picks cuda, then mps, then cpu. An mps machine asked for float64
    (the default) gets the cpu under ``auto``, since mps cannot hold float64;
    naming ``mps`` with float64 explicitly is an error that suggests float32.
    """
    torch_dtype(dtype)
    if device not in DEVICES:
        raise ConfigError(f"device must be one of {', '.join(DEVICES)}, got {device!r}")
    if device == "auto":
        acc = _accelerator_type()
        usable = acc == "cuda" or (acc == "mps" and dtype != "float64")
        device = acc if usable and acc is not None else "cpu"
    if device == "cpu":
        return torch.device("cpu")
    if device == "cuda":
        if not torch.cuda.is_available():
            raise ConfigError(
                f"device 'cuda' is not available: torch {torch.__version__} sees no CUDA GPU; "
                "use device 'auto' or 'cpu'"
            )
        return torch.device("cuda", torch.cuda.current_device())
    if not _mps_available():
        raise ConfigError(
            f"device 'mps' is not available: torch {torch.__version__} sees no Apple GPU; "
            "use device 'auto' or 'cpu'"
        )
    if dtype == "float64":
        raise ConfigError(MPS_FLOAT64)
    return torch.device("mps", 0)


def device_name(device: torch.device) -> str:
    """A readable name of the hardware behind ``device`` (the GPU's model name)."""
    if device.type == "cuda":
        return str(torch.cuda.get_device_name(device))
    return device.type


def to_tensor(values: Any, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """A copy of ``values`` as a tensor of ``dtype`` on ``device``.

    Made in float64 on the cpu and converted there before the move: mps cannot
    hold float64 even for a moment.
    """
    return torch.tensor(np.asarray(values, dtype=np.float64)).to(dtype).to(device)


def to_torch_data(data: Dataset | None, device: torch.device, dtype: torch.dtype) -> Dataset | None:
    """The problem's data as tensors (same Dataset type, so ``loss_c`` runs unchanged)."""
    if data is None:
        return None
    return Dataset(to_tensor(data.x, device, dtype), to_tensor(data.y, device, dtype))


def torch_loss(
    problem: Problem, theta: torch.Tensor, data: Dataset | None, axis: int = -1
) -> torch.Tensor:
    """``problem.loss_c`` in torch on the components of ``theta`` along ``axis``.

    ``theta`` is ``(p,)`` for one run, or holds one run per column along the
    other axis for a sweep. The components are views of the one ``theta``
    tensor, so autograd gives the gradient with respect to ``theta`` itself.
    """
    whole = getattr(problem, "torch_vector_loss", None)
    if whole is not None and axis in (-1, theta.dim() - 1):
        # a problem of many parameters (a network) takes its vector as it is:
        # splitting a hundred weights into components costs more than the loss
        return whole(theta, data)  # type: ignore[no-any-return]
    comps = theta.unbind(axis)
    loss = problem.loss_c(torch_namespace(), comps, data)
    if not isinstance(loss, torch.Tensor):  # a loss that ignores its parameters
        loss = torch.as_tensor(loss, dtype=theta.dtype, device=theta.device)
    return loss


def autograd_loss_grad(
    problem: Problem, theta: Sequence[float], *, device: str = "cpu", dtype: str = "float64"
) -> tuple[float, np.ndarray]:
    """Full-data loss and its autograd gradient at one point, in float64 numpy."""
    dev, dt = resolve_device(device, dtype), torch_dtype(dtype)
    param = to_tensor(theta, dev, dt).requires_grad_(True)
    loss = torch_loss(problem, param, to_torch_data(problem.data, dev, dt))
    grad = None
    if loss.requires_grad:
        (grad,) = torch.autograd.grad(loss, param, allow_unused=True)
    if grad is None:  # the loss does not depend on the parameters
        grad = torch.zeros_like(param)
    return float(loss.detach()), grad.detach().cpu().numpy().astype(np.float64)
