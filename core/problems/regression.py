"""Linear regression ``y ≈ a·x + b`` (or ``y ≈ w1·x1 + .. + wk·xk + b``) with mean
squared error, on any data.

The full-data loss uses sufficient statistics in completed-square form. With
one input,

    L = m² + Vxx·(a − a*)² + Rmin,   m = a·x̄ + b − ȳ;

with k inputs (parameters ``w1..wk, b``),

    L = m² + (w − w*)ᵀ·S·(w − w*) + Rmin,   m = w·x̄ + b − ȳ,

where S = X̃ᵀX̃/n is the centred k × k scatter matrix, w* the least-squares
weights (S·w* = X̃ᵀỹ/n) and Rmin the mean squared residual there. Each
evaluation costs O(k²) whatever the size of the data, and it loses no
precision near the minimum (three non-negative terms, no difference of large
numbers). Mini-batches and the torch backend use the direct per-example
formula, which a test holds equal to this one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from core.problems.base import Dataset, Problem
from core.problems.units import ORIGINAL_COLUMNS, original_c, original_cs
from core.xp import NUMPY

if TYPE_CHECKING:
    from core._types import Comps, FloatArray, Num, Rows

BLOCK_ROWS = 1 << 16  # rows per block of the statistics' passes: a few MiB of temporaries
# the inputs count as linearly dependent (the minimum not unique) below this
# smallest eigenvalue of their correlation matrix, relative to its largest
DEPENDENT = 1e-12


class LinearRegression(Problem):
    """``loss = mean((a·x + b − y)²)`` over a one-column data set, or
    ``mean((w·x + b − y)²)`` over k input columns (parameters ``w1..wk, b``)."""

    full_data_path = True
    output_kind = "value"

    def __post_init__(self) -> None:
        assert self.data is not None
        self.inputs = int(self.data.x.shape[1])
        if self.inputs > 1:
            self._several_inputs()
        else:
            x = self.data.x[:, 0]
            y = self.data.y
            # np.mean's own arithmetic (a pairwise sum, one division) without its
            # wrapper: building a problem is part of every short run's cost
            self.x_mean = float(NUMPY.mean(x))
            self.y_mean = float(NUMPY.mean(y))
            dx = x - self.x_mean
            dy = y - self.y_mean
            self.x_var = float(NUMPY.mean(dx * dx))  # Vxx
            if self.x_var > 0.0:
                self.slope = float(NUMPY.mean(dx * dy)) / self.x_var  # a*, the least-squares slope
                resid = dy - self.slope * dx
                self.residual = float(NUMPY.mean(resid * resid))  # Rmin, the lowest loss
            else:  # one point, or all x equal: the slope is not identified
                self.slope = 0.0
                self.residual = float(NUMPY.mean(dy * dy))
        # the Hessian does not depend on the parameters: computed once
        self._hessian = self._data_hessian(self.data)

    def _several_inputs(self) -> None:
        """The sufficient statistics of k inputs: x̄, ȳ, S, w* and Rmin, in blocks of rows."""
        assert self.data is not None
        x, y = self.data.x, self.data.y
        n, k = x.shape
        # column by column: numpy sums a column pairwise, the rows of a matrix one by one
        self.x_means = np.array([np.mean(x[:, j]) for j in range(k)])
        self.y_mean = float(np.mean(y))
        scatter, cross = np.zeros((k, k)), np.zeros(k)
        for lo in range(0, n, BLOCK_ROWS):
            dx = x[lo:lo + BLOCK_ROWS] - self.x_means
            scatter += dx.T @ dx
            cross += dx.T @ (y[lo:lo + BLOCK_ROWS] - self.y_mean)
        scatter = 0.5 * (scatter + scatter.T) / n  # S, exactly symmetric
        self.scatter = scatter
        self.weights, self.identified = _least_squares(scatter, cross / n)
        total = 0.0
        for lo in range(0, n, BLOCK_ROWS):
            dx = x[lo:lo + BLOCK_ROWS] - self.x_means
            r = dx @ self.weights - (y[lo:lo + BLOCK_ROWS] - self.y_mean)
            total += float(r @ r)
        self.residual = total / n  # Rmin, the lowest loss
        # as Python floats: a float times a numpy scalar costs more than the arithmetic
        self._floats = (self.x_means.tolist(), self.weights.tolist(), scatter.tolist())

    def least_squares(self) -> tuple[float, ...] | None:
        """The minimum ``(a*, b*)`` (or ``(w1*, .., wk*, b*)``), or None when it is not
        unique (an input that does not vary, or inputs that depend on each other)."""
        if self.inputs > 1:
            if not self.identified:
                return None
            b = self.y_mean - float(self.weights @ self.x_means)
            return (*(float(w) for w in self.weights), b)
        if not self.x_var > 0.0:
            return None
        return self.slope, self.y_mean - self.slope * self.x_mean

    # direct per-example form: batches, torch, and the test oracle
    def loss_c(self, xp: Any, p: Comps, data: Dataset | None) -> Num:
        assert data is not None
        r = linear_predictor(xp, p, data.x) - data.y
        return xp.mean(r * r)

    def grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        assert data is not None
        return _grad_of(xp, linear_predictor(xp, p, data.x) - data.y, data.x, len(p) - 1)

    def loss_grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> tuple[Num, Comps]:
        # one residual for both: a batch's step on floats predicts each example once
        assert data is not None
        r = linear_predictor(xp, p, data.x) - data.y
        return xp.mean(r * r), _grad_of(xp, r, data.x, len(p) - 1)

    def full_loss_grad_c(self, p: Comps) -> tuple[Num, Comps]:
        if self.inputs > 1:
            return self._full_several(p)
        a, b = p
        m = a * self.x_mean + b - self.y_mean
        da = a - self.slope
        loss = m * m + self.x_var * (da * da) + self.residual
        return loss, (2.0 * m * self.x_mean + 2.0 * self.x_var * da, 2.0 * m)

    def _full_several(self, p: Comps) -> tuple[Num, Comps]:
        """``m² + (w − w*)ᵀS(w − w*) + Rmin`` and its gradient ``(2m·x̄ + 2S(w − w*), 2m)``.

        Written component by component, so the same lines serve one point of Python
        floats (the single run) and arrays of any shape (a surface, a sweep): for up
        to a few dozen inputs k² multiply-adds of whole arrays beat stacking them
        into a matrix first.
        """
        *w, b = p
        means, best, rows = self._floats
        m = b - self.y_mean
        for wi, mi in zip(w, means, strict=True):
            m = m + wi * mi
        d = [wi - bi for wi, bi in zip(w, best, strict=True)]
        sd = []  # S·d, one component per input
        for row in rows:
            acc = row[0] * d[0]
            for sij, dj in zip(row[1:], d[1:], strict=True):
                acc = acc + sij * dj
            sd.append(acc)
        quad = d[0] * sd[0]
        for di, si in zip(d[1:], sd[1:], strict=True):
            quad = quad + di * si
        grads = [2.0 * m * mi + 2.0 * si for mi, si in zip(means, sd, strict=True)]
        return m * m + quad + self.residual, (*grads, 2.0 * m)

    def hessian_c(self, xp: Any, p: Comps, data: Dataset | None) -> Rows:
        if data is self.data:
            return self._hessian
        return self._data_hessian(data)

    def _data_hessian(self, data: Dataset | None) -> tuple[tuple[float, ...], ...]:
        """``2·[[E[xxᵀ], E[x]], [E[x]ᵀ, 1]]``: it does not depend on the parameters."""
        assert data is not None
        if data.x.shape[1] == 1:
            x = data.x[:, 0]
            mxx = float(NUMPY.mean(x * x))
            mx = float(NUMPY.mean(x))
            return ((2.0 * mxx, 2.0 * mx), (2.0 * mx, 2.0))
        if data is self.data:  # E[xxᵀ] = S + x̄x̄ᵀ from the statistics
            mean, second = self.x_means, self.scatter + np.outer(self.x_means, self.x_means)
        else:
            x = np.asarray(data.x, dtype=np.float64)
            mean = np.mean(x, axis=0)
            second = x.T @ x / x.shape[0]
        k = mean.size
        h = np.empty((k + 1, k + 1))
        h[:k, :k], h[:k, k], h[k, :k], h[k, k] = 2.0 * second, 2.0 * mean, 2.0 * mean, 2.0
        return tuple(tuple(float(v) for v in row) for row in h)

    def predict_c(self, xp: Any, p: Comps, x: Any) -> Num:
        return linear_predictor(xp, p, x)

    def extras_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        if not self.extra_columns:
            return ()
        if self.extra_columns == ORIGINAL_COLUMNS:  # normalised data: the fit in its units
            return original_c(p[0], p[1], self.options["x_mean"], self.options["x_std"])
        if self.extra_columns[-1:] == ("b_orig",):  # several normalised inputs
            return original_cs(p, self.options["x_mean"], self.options["x_std"])
        # one-point regression (seed 003) shows the prediction and the error
        a, b = p
        assert data is not None
        y_pred = a * float(data.x[0, 0]) + b
        return y_pred, y_pred - float(data.y[0])


def _grad_of(xp: Any, r: Num, x: Any, inputs: int) -> Comps:
    """The mean squared error's gradient from the residuals ``r`` of inputs ``x``."""
    return (*[2.0 * xp.mean(r * x[:, j]) for j in range(inputs)], 2.0 * xp.mean(r))


def linear_predictor(xp: Any, p: Comps, x: Any) -> Num:
    """``w1·x[:, 0] + .. + wk·x[:, k−1] + b`` (one input: ``a·x + b``), summed in that
    order, for every example of ``x`` (any backend; an `Example` on floats)."""
    z = xp.col(p[0]) * x[:, 0]
    for j in range(1, len(p) - 1):
        z = z + xp.col(p[j]) * x[:, j]
    return z + xp.col(p[-1])


def _least_squares(scatter: FloatArray, cross: FloatArray) -> tuple[FloatArray, bool]:
    """w* with S·w* = X̃ᵀỹ/n, and whether it is the only one.

    Solved on the correlation matrix (each input scaled by its deviation), so
    inputs in very different units (thousands of square feet, a few rooms) do
    not make it ill-conditioned. Where the inputs depend on each other (or one
    does not vary) the minimum is not unique: this gives the one of least
    length in the scaled units, and says so.
    """
    dev = np.sqrt(np.diag(scatter))
    varies = dev > 0.0
    inv = np.where(varies, 1.0 / np.where(varies, dev, 1.0), 0.0)
    corr = scatter * inv[:, None] * inv[None, :]
    lam = np.linalg.eigvalsh(corr)
    identified = bool(np.all(varies) and lam[0] > DEPENDENT * lam[-1])
    u = np.linalg.lstsq(corr, cross * inv, rcond=DEPENDENT)[0]
    return u * inv, identified
