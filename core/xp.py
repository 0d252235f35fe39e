"""Array namespaces: one piece of math, written once, runs on three kinds of number.

A problem's loss, an optimizer's update and a typed formula's generated code
call their functions through ``xp`` (``xp.exp``, ``xp.sqrt``, ``xp.lerp``, ...)
and use only elementwise arithmetic besides, so the same code serves

``FLOATS``
    one Python float per parameter, with the math module: the single-run
    path, where a numpy call per scalar would cost more than the step. Where
    math has no real answer it raises (``ValueError``, ``OverflowError``,
    ``ZeroDivisionError``) and the caller redoes the call with ``NUMPY``,
    whose IEEE results (inf, nan) are the ones a run records; each function
    otherwise returns what its numpy twin returns, nan included;
``NUMPY``
    numpy arrays of any shape (a surface grid, a sweep's runs), and floats;
``core.torch_backend.namespace.torch_namespace()``
    torch tensors (autograd, the torch sweep); in the torch backend, which
    alone imports torch, so ``import core`` never does.

Problems also use the data helpers (``col``, ``mean``, ``sum``, ``indicator``,
``clip``), which only ``NUMPY`` and torch have.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from core._types import Num


def lerp(start: Num, end: Num, weight: float) -> Num:
    """``start + weight·(end − start)``, in the form torch's ``lerp`` uses.

    torch switches to ``end − (end − start)·(1 − weight)`` for weight >= 0.5,
    so weight = 1 lands on ``end`` exactly; mirroring both branches keeps us
    within rounding of torch for any beta.
    """
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


def _nan_if_negative_sqrt(z: float) -> float:
    # numpy and torch give nan below zero; math.sqrt would raise
    return math.sqrt(z) if z >= 0.0 else math.nan


class FloatNamespace:
    """The elementwise functions over Python floats, with the math module."""

    name = "floats"
    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    sqrt = staticmethod(_nan_if_negative_sqrt)
    abs = staticmethod(math.fabs)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    tan = staticmethod(math.tan)
    tanh = staticmethod(math.tanh)
    pow = staticmethod(math.pow)  # not **: a negative base raises instead of going complex
    lerp = staticmethod(lerp)
    pi = math.pi

    @staticmethod
    def sigmoid(z: float) -> float:
        return 0.5 * (1.0 + math.tanh(0.5 * z))  # as NUMPY.sigmoid

    @staticmethod
    def softplus(z: float) -> float:
        # numpy's logaddexp(0, z), branch for branch
        if z > 0.0:
            return z + math.log1p(math.exp(-z))
        if z <= 0.0:
            return math.log1p(math.exp(z))
        return z

    @staticmethod
    def relu(z: float) -> float:
        return z if not z <= 0.0 else 0.0

    @staticmethod
    def minimum(x: float, y: float) -> float:
        return x if x <= y else y if y < x else math.nan

    @staticmethod
    def maximum(x: float, y: float) -> float:
        return x if x >= y else y if y > x else math.nan

    @staticmethod
    def sign(z: float) -> float:
        return 1.0 if z > 0.0 else -1.0 if z < 0.0 else z

    @staticmethod
    def step(z: float) -> float:
        return 1.0 if z > 0.0 else 0.0 if z <= 0.0 else z

    @staticmethod
    def zeros_like(a: float) -> float:
        return 0.0

    @staticmethod
    def full_like(a: float, value: float) -> float:
        return float(value)


class NumpyNamespace:
    """numpy functions under the names the problems, rules and formulas use."""

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
    sign = staticmethod(np.sign)  # sign(0) = 0, as torch's autograd has it
    pow = staticmethod(operator.pow)
    lerp = staticmethod(lerp)
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
    def step(z: Num) -> Num:
        """1 above zero, else 0 (the derivative of relu, 0 at 0 as in torch)."""
        return np.heaviside(z, 0.0)

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

    @staticmethod
    def zeros_like(a: Num) -> Num:
        return np.zeros_like(a, dtype=np.float64)

    @staticmethod
    def full_like(a: Num, value: float) -> Num:
        return np.full(np.shape(a), value, dtype=np.float64)


FLOATS = FloatNamespace()
NUMPY = NumpyNamespace()
