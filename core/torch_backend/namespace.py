"""`core.xp`'s names over torch tensors: the array namespace of the torch backend.

The elementwise functions also take a plain number beside a tensor (a
typed formula's ``max(a, 0)`` calls ``maximum(tensor, 0.0)``): the number
becomes a tensor of the other argument's dtype and device.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import torch  # noqa: TID253  (this module is itself imported only when torch is chosen)


def _tensor(v: Any, like: Any = None) -> Any:
    if isinstance(v, torch.Tensor):
        return v
    if like is not None:
        return torch.as_tensor(v, dtype=like.dtype, device=like.device)
    return torch.as_tensor(v, dtype=torch.float64)


def _one(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda z: fn(_tensor(z))


def _two(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def call(x: Any, y: Any) -> Any:
        like = x if isinstance(x, torch.Tensor) else y if isinstance(y, torch.Tensor) else None
        return fn(_tensor(x, like), _tensor(y, like))

    return call


class TorchNamespace:
    """torch functions under the names the problems, rules and formulas use."""

    name = "torch"
    exp = staticmethod(_one(torch.exp))
    log = staticmethod(_one(torch.log))
    log1p = staticmethod(_one(torch.log1p))
    sqrt = staticmethod(_one(torch.sqrt))
    abs = staticmethod(_one(torch.abs))
    sin = staticmethod(_one(torch.sin))
    cos = staticmethod(_one(torch.cos))
    tan = staticmethod(_one(torch.tan))
    tanh = staticmethod(_one(torch.tanh))
    sigmoid = staticmethod(_one(torch.sigmoid))
    relu = staticmethod(_one(torch.relu))
    softplus = staticmethod(_one(torch.nn.functional.softplus))
    sign = staticmethod(_one(torch.sign))
    maximum = staticmethod(_two(torch.maximum))
    minimum = staticmethod(_two(torch.minimum))
    where = staticmethod(torch.where)
    pow = staticmethod(operator.pow)
    lerp = staticmethod(torch.lerp)  # fused, as in torch.optim's Adam and RMSprop
    pi = math.pi

    @staticmethod
    def step(z: Any) -> Any:
        z = _tensor(z)
        return (z > 0).to(z.dtype)

    @staticmethod
    def clip(z: Any, lo: float, hi: float) -> Any:
        return torch.clamp(z, lo, hi)

    @staticmethod
    def col(a: Any) -> Any:
        return a.unsqueeze(-1)

    @staticmethod
    def mean(z: Any) -> Any:
        return z.mean(dim=-1)

    @staticmethod
    def sum(z: Any) -> Any:
        return z.sum(dim=-1)

    @staticmethod
    def indicator(cond: Any) -> Any:
        return cond.to(torch.get_default_dtype())

    @staticmethod
    def zeros_like(a: Any) -> Any:
        return torch.zeros_like(a)

    @staticmethod
    def full_like(a: Any, value: float) -> Any:
        return torch.full_like(a, value)


_TORCH = TorchNamespace()


def torch_namespace() -> TorchNamespace:
    """The torch namespace (one shared instance)."""
    return _TORCH
