"""Array namespaces: one loss definition serves numpy, Python floats and torch.

A problem writes its loss once against ``xp`` (``xp.exp``, ``xp.col``, ...).
``NUMPY`` accepts Python floats as well as arrays, so the single-run path can
pass plain floats (cheap) and a surface grid can pass whole arrays. The torch
namespace is built on first use, so ``import core`` never imports torch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core._types import Num


class NumpyNamespace:
    """numpy functions under the names the problems use."""

    name = "numpy"
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    log1p = staticmethod(np.log1p)
    sqrt = staticmethod(np.sqrt)
    abs = staticmethod(np.abs)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    tan = staticmethod(np.tan)
    tanh = staticmethod(np.tanh)
    maximum = staticmethod(np.maximum)
    minimum = staticmethod(np.minimum)
    where = staticmethod(np.where)
    pi = math.pi

    @staticmethod
    def sigmoid(z: Num) -> Num:
        # tanh form: no overflow warning for large |z|, equal to 1/(1+e^-z) to ~1 ulp
        return 0.5 * (1.0 + np.tanh(0.5 * z))

    @staticmethod
    def softplus(z: Num) -> Num:
        return np.logaddexp(0.0, z)

    @staticmethod
    def relu(z: Num) -> Num:
        return np.maximum(z, 0.0)

    @staticmethod
    def clip(z: Num, lo: float, hi: float) -> Num:
        return np.clip(z, lo, hi)

    @staticmethod
    def col(a: Num) -> Num:
        """Add a trailing axis so a parameter broadcasts against a data column."""
        return np.asarray(a)[..., None]

    @staticmethod
    def mean(z: Num) -> Num:
        """Mean over the trailing (data) axis."""
        return np.mean(z, axis=-1)

    @staticmethod
    def sum(z: Num) -> Num:
        """Sum over the trailing (data) axis."""
        return np.sum(z, axis=-1)

    @staticmethod
    def indicator(cond: Num) -> Num:
        """1.0 where ``cond`` holds, else 0.0 (for hand-derived gradients)."""
        return np.asarray(cond, dtype=np.float64)


NUMPY = NumpyNamespace()

_TORCH: Any = None


def torch_namespace() -> Any:
    """The same names over torch tensors; imports torch on first call."""
    global _TORCH
    if _TORCH is None:
        import torch

        class TorchNamespace:
            name = "torch"
            exp = staticmethod(torch.exp)
            log = staticmethod(torch.log)
            log1p = staticmethod(torch.log1p)
            sqrt = staticmethod(torch.sqrt)
            abs = staticmethod(torch.abs)
            sin = staticmethod(torch.sin)
            cos = staticmethod(torch.cos)
            tan = staticmethod(torch.tan)
            tanh = staticmethod(torch.tanh)
            sigmoid = staticmethod(torch.sigmoid)
            relu = staticmethod(torch.relu)
            softplus = staticmethod(torch.nn.functional.softplus)
            maximum = staticmethod(torch.maximum)
            minimum = staticmethod(torch.minimum)
            where = staticmethod(torch.where)
            pi = math.pi

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

        _TORCH = TorchNamespace()
    return _TORCH
