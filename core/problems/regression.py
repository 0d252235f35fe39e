"""Linear regression ``y ≈ a·x + b`` with mean squared error, on any data.

The full-data loss uses sufficient statistics in completed-square form,

    L = m² + Vxx·(a − a*)² + Rmin,   m = a·x̄ + b − ȳ,

so its cost does not grow with the data and it loses no precision near the
minimum (no difference of large numbers). Mini-batches and the torch backend
use the direct per-example formula, which a test holds equal to this one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from core.problems.base import Dataset, Problem
from core.problems.units import ORIGINAL_COLUMNS, original_c

if TYPE_CHECKING:
    from core._types import Comps, Num, Rows


class LinearRegression(Problem):
    """``loss = mean((a·x + b − y)²)`` over a one-column data set."""

    full_data_path = True
    output_kind = "value"

    def __post_init__(self) -> None:
        assert self.data is not None
        x = self.data.x[:, 0]
        y = self.data.y
        self.x_mean = float(np.mean(x))
        self.y_mean = float(np.mean(y))
        dx = x - self.x_mean
        dy = y - self.y_mean
        self.x_var = float(np.mean(dx * dx))  # Vxx
        if self.x_var > 0.0:
            self.slope = float(np.mean(dx * dy)) / self.x_var  # a*, the least-squares slope
            resid = dy - self.slope * dx
            self.residual = float(np.mean(resid * resid))  # Rmin, the lowest loss
        else:  # one point, or all x equal: the slope is not identified
            self.slope = 0.0
            self.residual = float(np.mean(dy * dy))
        # the Hessian does not depend on the parameters: computed once
        self._hessian = self._data_hessian(self.data)

    def least_squares(self) -> tuple[float, float] | None:
        """The minimum (a*, b*), or None when the slope is not identified."""
        if not self.x_var > 0.0:
            return None
        return self.slope, self.y_mean - self.slope * self.x_mean

    # direct per-example form: batches, torch, and the test oracle
    def loss_c(self, xp: Any, p: Comps, data: Dataset | None) -> Num:
        a, b = p
        assert data is not None
        r = xp.col(a) * data.x[:, 0] + xp.col(b) - data.y
        return xp.mean(r * r)

    def grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        a, b = p
        assert data is not None
        r = xp.col(a) * data.x[:, 0] + xp.col(b) - data.y
        return 2.0 * xp.mean(r * data.x[:, 0]), 2.0 * xp.mean(r)

    def full_loss_grad_c(self, p: Comps) -> tuple[Num, Comps]:
        a, b = p
        m = a * self.x_mean + b - self.y_mean
        da = a - self.slope
        loss = m * m + self.x_var * (da * da) + self.residual
        return loss, (2.0 * m * self.x_mean + 2.0 * self.x_var * da, 2.0 * m)

    def hessian_c(self, xp: Any, p: Comps, data: Dataset | None) -> Rows:
        if data is self.data:
            return self._hessian
        return self._data_hessian(data)

    @staticmethod
    def _data_hessian(data: Dataset | None) -> tuple[tuple[float, ...], ...]:
        assert data is not None
        x = data.x[:, 0]
        mxx = float(np.mean(x * x))
        mx = float(np.mean(x))
        return ((2.0 * mxx, 2.0 * mx), (2.0 * mx, 2.0))

    def predict_c(self, xp: Any, p: Comps, x: Any) -> Num:
        a, b = p
        return xp.col(a) * x[:, 0] + xp.col(b)

    def extras_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        if not self.extra_columns:
            return ()
        if self.extra_columns == ORIGINAL_COLUMNS:  # normalised data: the fit in its units
            return original_c(p[0], p[1], self.options["x_mean"], self.options["x_std"])
        # one-point regression (seed 003) shows the prediction and the error
        a, b = p
        assert data is not None
        y_pred = a * float(data.x[0, 0]) + b
        return y_pred, y_pred - float(data.y[0])
