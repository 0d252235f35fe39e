"""Logistic regression ``p = sigmoid(a·x + b)`` with mean binary cross-entropy.

With labels y ∈ {0, 1} and z = a·x + b, each example's loss is

    softplus(z) − y·z = softplus(s·z),   s = 1 − 2y ∈ {+1, −1},

and the right-hand form never subtracts two large numbers (softplus(z) − z
loses every digit once z is large and y = 1). Its derivative in z is
s·sigmoid(s·z) = sigmoid(z) − y, so

    ∂L/∂a = mean((sigmoid(z) − y)·x),   ∂L/∂b = mean(sigmoid(z) − y),
    H = mean(w·[[x², x], [x, 1]]),      w = sigmoid(z)·sigmoid(−z) ≤ ¼.

The full-data loss sums over distinct (x, y) pairs with their counts (exact,
and much shorter for data with repeated inputs) and evaluates big parameter
grids in blocks so memory stays bounded. Unlike linear regression there are
no sufficient statistics: each evaluation costs one pass over the distinct
pairs. Mini-batches and the torch backend use the per-example formula.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from core.problems.base import Dataset, Problem
from core.problems.units import ORIGINAL_COLUMNS, original_c
from core.xp import NUMPY

if TYPE_CHECKING:
    from core._types import Comps, FloatArray, Num, Rows

# parameter points x distinct pairs per block of a vectorised evaluation
_BLOCK_ELEMENTS = 1 << 22


class LogisticRegression(Problem):
    """``loss = mean(softplus(z) − y·z)``, ``z = a·x + b``, labels 0/1."""

    full_data_path = True
    output_kind = "probability"

    def __post_init__(self) -> None:
        assert self.data is not None
        x = np.asarray(self.data.x[:, 0], dtype=np.float64)
        y = np.asarray(self.data.y, dtype=np.float64)
        order = np.lexsort((y, x))
        xs, ys = x[order], y[order]
        new = np.ones(xs.size, dtype=bool)
        new[1:] = (xs[1:] != xs[:-1]) | (ys[1:] != ys[:-1])
        starts = np.flatnonzero(new)
        counts = np.diff(np.append(starts, xs.size))
        self._x = xs[starts]
        self._s = 1.0 - 2.0 * ys[starts]
        self._w = counts / float(xs.size)

    # ------------------------------------------- per example (batches, torch)
    def loss_c(self, xp: Any, p: Comps, data: Dataset | None) -> Num:
        a, b = p
        assert data is not None
        x = data.x[:, 0]
        s = 1.0 - 2.0 * data.y
        z = xp.col(a) * x + xp.col(b)
        return xp.mean(xp.softplus(s * z))

    def grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        return self.loss_grad_c(xp, p, data)[1]

    def loss_grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> tuple[Num, Comps]:
        a, b = p
        assert data is not None
        x = data.x[:, 0]
        s = 1.0 - 2.0 * data.y
        t = s * (xp.col(a) * x + xp.col(b))
        r = s * xp.sigmoid(t)  # = sigmoid(z) − y
        return xp.mean(xp.softplus(t)), (xp.mean(r * x), xp.mean(r))

    def hessian_c(self, xp: Any, p: Comps, data: Dataset | None) -> Rows:
        a, b = p
        if data is self.data and xp is NUMPY:
            x, w_data = self._x, self._w
        else:
            assert data is not None
            x, w_data = data.x[:, 0], None
        z = xp.col(a) * x + xp.col(b)
        w = xp.sigmoid(z) * xp.sigmoid(-z)
        if w_data is None:
            hxx, hx, h1 = xp.mean(w * x * x), xp.mean(w * x), xp.mean(w)
        else:
            w = w * w_data
            hxx, hx, h1 = np.sum(w * x * x, axis=-1), np.sum(w * x, axis=-1), np.sum(w, axis=-1)
        return ((hxx, hx), (hx, h1))

    def predict_c(self, xp: Any, p: Comps, x: Any) -> Num:
        a, b = p
        return xp.sigmoid(xp.col(a) * x[:, 0] + xp.col(b))

    def extras_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        if self.extra_columns == ORIGINAL_COLUMNS:  # normalised data: the fit in its units
            return original_c(p[0], p[1], self.options["x_mean"], self.options["x_std"])
        return ()

    # -------------------------------------------------- full data, numpy
    def full_loss_grad_c(self, p: Comps) -> tuple[Num, Comps]:
        a, b = p
        shape = np.broadcast_shapes(np.shape(a), np.shape(b))
        if shape == ():
            loss, ga, gb = self._sums(np.asarray([a], dtype=np.float64),
                                      np.asarray([b], dtype=np.float64))
            return float(loss[0]), (float(ga[0]), float(gb[0]))
        af = np.broadcast_to(np.asarray(a, dtype=np.float64), shape).ravel()
        bf = np.broadcast_to(np.asarray(b, dtype=np.float64), shape).ravel()
        loss, ga, gb = (np.empty(af.size) for _ in range(3))
        block = max(1, _BLOCK_ELEMENTS // max(1, self._x.size))
        for lo in range(0, af.size, block):
            sl = slice(lo, lo + block)
            loss[sl], ga[sl], gb[sl] = self._sums(af[sl], bf[sl])
        return loss.reshape(shape), (ga.reshape(shape), gb.reshape(shape))

    def _sums(self, a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Loss and gradient at the points (a[i], b[i]), weighted over distinct pairs."""
        t = self._s * (a[:, None] * self._x + b[:, None])
        r = (self._w * self._s) * NUMPY.sigmoid(t)
        loss = NUMPY.softplus(t) @ self._w
        return loss, r @ self._x, r.sum(axis=-1)

    @property
    def distinct_pairs(self) -> int:
        """How many distinct (x, y) pairs one full-data evaluation visits."""
        return int(self._x.size)
