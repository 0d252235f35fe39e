"""Logistic regression ``p = sigmoid(a·x + b)`` with mean binary cross-entropy.

With labels y ∈ {0, 1} and z = a·x + b (with k inputs z = w1·x1 + .. + wk·xk + b,
parameters ``w1..wk, b``), each example's loss is

    softplus(z) − y·z = softplus(s·z),   s = 1 − 2y ∈ {+1, −1},

and the right-hand form never subtracts two large numbers (softplus(z) − z
loses every digit once z is large and y = 1). Its derivative in z is
s·sigmoid(s·z) = sigmoid(z) − y, so

    ∂L/∂a = mean((sigmoid(z) − y)·x),   ∂L/∂b = mean(sigmoid(z) − y),
    H = mean(w·[[x², x], [x, 1]]),      w = sigmoid(z)·sigmoid(−z) ≤ ¼

(with k inputs ∂L/∂wᵢ = mean((sigmoid(z) − y)·xᵢ), H = mean(w·[[xxᵀ, x], [xᵀ, 1]])).

The full-data loss sums over distinct (x, y) rows with their counts (exact,
and much shorter for data with repeated inputs) and evaluates big parameter
grids in blocks so memory stays bounded. Unlike linear regression there are
no sufficient statistics: each evaluation costs one pass over the distinct
rows. Mini-batches and the torch backend use the per-example formula.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from core.problems.base import Dataset, Problem
from core.problems.regression import linear_predictor
from core.problems.units import ORIGINAL_COLUMNS, original_c, original_cs
from core.xp import NUMPY

if TYPE_CHECKING:
    from core._types import Comps, FloatArray, Num, Rows

# parameter points x distinct rows per block of a vectorised evaluation
_BLOCK_ELEMENTS = 1 << 22


class LogisticRegression(Problem):
    """``loss = mean(softplus(z) − y·z)``, ``z = a·x + b`` (or ``w·x + b`` over k input
    columns), labels 0/1."""

    full_data_path = True
    output_kind = "probability"

    def __post_init__(self) -> None:
        assert self.data is not None
        x = np.asarray(self.data.x, dtype=np.float64)
        y = np.asarray(self.data.y, dtype=np.float64)
        k = x.shape[1]
        # sorted by the first input, then the next, ..., then the label
        order = np.lexsort((y, *(x[:, j] for j in reversed(range(k)))))
        xs, ys = x[order], y[order]
        new = np.ones(ys.size, dtype=bool)
        new[1:] = np.any(xs[1:] != xs[:-1], axis=1) | (ys[1:] != ys[:-1])
        starts = np.flatnonzero(new)
        counts = np.diff(np.append(starts, ys.size))
        # one input: a flat column, as the sums below were first written for
        self._x = xs[starts, 0] if k == 1 else xs[starts]
        self._s = 1.0 - 2.0 * ys[starts]
        self._w = counts / float(ys.size)

    # ------------------------------------------- per example (batches, torch)
    def loss_c(self, xp: Any, p: Comps, data: Dataset | None) -> Num:
        assert data is not None
        s = 1.0 - 2.0 * data.y
        z = linear_predictor(xp, p, data.x)
        return xp.mean(xp.softplus(s * z))

    def grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        return self.loss_grad_c(xp, p, data)[1]

    def loss_grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> tuple[Num, Comps]:
        assert data is not None
        s = 1.0 - 2.0 * data.y
        t = s * linear_predictor(xp, p, data.x)
        r = s * xp.sigmoid(t)  # = sigmoid(z) − y
        grads = tuple(xp.mean(r * data.x[:, j]) for j in range(len(p) - 1))
        return xp.mean(xp.softplus(t)), (*grads, xp.mean(r))

    def hessian_c(self, xp: Any, p: Comps, data: Dataset | None) -> Rows:
        if data is self.data and xp is NUMPY:
            x = self._x if self._x.ndim == 2 else self._x[:, None]
            w_data = self._w
        else:
            assert data is not None
            x, w_data = data.x, None
        z = linear_predictor(xp, p, x)
        w = xp.sigmoid(z) * xp.sigmoid(-z)
        if w_data is None:
            reduce = xp.mean
        else:
            w = w * w_data

            def reduce(v: Any) -> Any:
                return np.sum(v, axis=-1)

        k = len(p) - 1
        cols = [x[:, j] for j in range(k)]
        wx = [w * c for c in cols]
        rows: list[list[Any]] = [[None] * (k + 1) for _ in range(k + 1)]
        for i in range(k):
            for j in range(i + 1):
                rows[i][j] = rows[j][i] = reduce(wx[i] * cols[j])
            rows[i][k] = rows[k][i] = reduce(wx[i])
        rows[k][k] = reduce(w)
        return tuple(tuple(row) for row in rows)

    def predict_c(self, xp: Any, p: Comps, x: Any) -> Num:
        return xp.sigmoid(linear_predictor(xp, p, x))

    def extras_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        if self.extra_columns == ORIGINAL_COLUMNS:  # normalised data: the fit in its units
            return original_c(p[0], p[1], self.options["x_mean"], self.options["x_std"])
        if self.extra_columns[-1:] == ("b_orig",):  # several normalised inputs
            return original_cs(p, self.options["x_mean"], self.options["x_std"])
        return ()

    # -------------------------------------------------- full data, numpy
    def full_loss_grad_c(self, p: Comps) -> tuple[Num, Comps]:
        shape = np.broadcast_shapes(*(np.shape(v) for v in p))
        k = len(p) - 1
        if shape == ():
            weights = np.asarray([p[:k]], dtype=np.float64)
            loss, gw, gb = self._sums(weights, np.asarray([p[k]], dtype=np.float64))
            return float(loss[0]), (*(float(v) for v in gw[0]), float(gb[0]))
        weights = np.stack([np.broadcast_to(np.asarray(v, dtype=np.float64), shape).ravel()
                            for v in p[:k]], axis=-1)
        bf = np.broadcast_to(np.asarray(p[k], dtype=np.float64), shape).ravel()
        loss, gb = np.empty(bf.size), np.empty(bf.size)
        gw = np.empty((bf.size, k))
        block = max(1, _BLOCK_ELEMENTS // max(1, self._x.shape[0]))
        for lo in range(0, bf.size, block):
            sl = slice(lo, lo + block)
            loss[sl], gw[sl], gb[sl] = self._sums(weights[sl], bf[sl])
        return loss.reshape(shape), (*(gw[:, i].reshape(shape) for i in range(k)),
                                     gb.reshape(shape))

    def _sums(self, w: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Loss and gradient at the points (w[i], b[i]) (``w`` of shape (points, k)),
        weighted over distinct rows."""
        if self._x.ndim == 1:  # one input
            z = w[:, :1] * self._x
            t = self._s * (z + b[:, None])
            r = (self._w * self._s) * NUMPY.sigmoid(t)
            return NUMPY.softplus(t) @ self._w, (r @ self._x)[:, None], r.sum(axis=-1)
        t = self._s * (w @ self._x.T + b[:, None])
        r = (self._w * self._s) * NUMPY.sigmoid(t)
        return NUMPY.softplus(t) @ self._w, r @ self._x, r.sum(axis=-1)

    @property
    def distinct_pairs(self) -> int:
        """How many distinct (x, y) rows one full-data evaluation visits."""
        return int(self._x.shape[0])
