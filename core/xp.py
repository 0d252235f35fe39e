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
``clip``): over a data axis in ``NUMPY`` and torch, and for one example at a
time in ``FLOATS``.
"""

from __future__ import annotations

import math
import operator
from types import SimpleNamespace

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


# ------------------------------------------------------------- Python floats
def identity(z: Num) -> Num:
    """One example's column, mean or sum: the value itself."""
    return z


# Each follows its numpy twin, nan included, or raises where math has no answer.
def _softplus(z: float) -> float:
    # numpy's logaddexp(0, z), branch for branch
    if z > 0.0:
        return z + math.log1p(math.exp(-z))
    return math.log1p(math.exp(z)) if z <= 0.0 else z


FLOATS = SimpleNamespace(
    name="floats", pi=math.pi, lerp=lerp, softplus=_softplus,
    # below zero math.sqrt raises and the caller asks numpy, whose nan the run records:
    # a wrapper that gave nan itself would cost every optimizer step a call
    sqrt=math.sqrt,
    exp=math.exp, log=math.log, abs=math.fabs, sin=math.sin, cos=math.cos, tan=math.tan,
    tanh=math.tanh,
    pow=math.pow,  # not **: a negative base raises instead of going complex
    sigmoid=lambda z: 0.5 * (1.0 + math.tanh(0.5 * z)),  # as NUMPY.sigmoid
    relu=lambda z: z if not z <= 0.0 else 0.0,
    minimum=lambda x, y: x if x <= y else y if y < x else math.nan,
    maximum=lambda x, y: x if x >= y else y if y > x else math.nan,
    sign=lambda z: 1.0 if z > 0.0 else -1.0 if z < 0.0 else z,
    step=lambda z: 1.0 if z > 0.0 else 0.0 if z <= 0.0 else z,
    zeros_like=lambda a: 0.0, full_like=lambda a, value: float(value),
    # the data helpers for one example (`core.problems.base.Example`): its
    # columns are floats, so a parameter needs no axis and a mean is the value
    col=identity, mean=identity, sum=identity,
    indicator=lambda cond: 1.0 if cond else 0.0,
    clip=lambda z, lo, hi: lo if z < lo else hi if z > hi else z,  # nan stays nan
)

# ------------------------------------------------------------------- numpy
NUMPY = SimpleNamespace(
    name="numpy", pi=math.pi, lerp=lerp, pow=operator.pow,
    exp=np.exp, log=np.log, log1p=np.log1p, sqrt=np.sqrt, abs=np.abs, sin=np.sin,
    cos=np.cos, tan=np.tan, tanh=np.tanh, maximum=np.maximum, minimum=np.minimum,
    where=np.where, clip=np.clip,
    sign=np.sign,  # sign(0) = 0, as torch's autograd has it
    # the tanh form: no overflow warning for large |z|, equal to 1/(1+e^-z) to ~1 ulp
    sigmoid=lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
    softplus=lambda z: np.logaddexp(0.0, z),
    relu=lambda z: np.maximum(z, 0.0),
    step=lambda z: np.heaviside(z, 0.0),  # relu's slope, 0 at 0 as in torch
    # the data helpers: a trailing axis so a parameter broadcasts against a data
    # column; mean and sum over that (data) axis; 1.0 where a condition holds
    col=lambda a: np.asarray(a)[..., None],
    # np.mean's own arithmetic (a sum, then one division), without its Python
    # wrapper, which costs more than a short data axis: a sweep calls it per step
    mean=lambda z: np.add.reduce(z, axis=-1) / np.shape(z)[-1],
    sum=lambda z: np.add.reduce(z, axis=-1),
    indicator=lambda cond: np.asarray(cond, dtype=np.float64),
    zeros_like=lambda a: np.zeros_like(a, dtype=np.float64),
    full_like=lambda a, value: np.full(np.shape(a), value, dtype=np.float64),
)
