"""Your own data: a CSV file (or an array) as a linear or logistic regression.

The table is read by `core.io.datatable` (all or nothing, errors naming the
line); this module builds the problem from its two columns: optionally
standardised x, a default learning rate from the curvature (1/λmax), a plot
window holding the start and the minimum, and the minimum itself (closed
form for linear regression, Newton's method for logistic regression).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from core.checks import check_choice, check_flag, check_path
from core.io.datatable import DataError, DataTable, read_table, table_from_array
from core.problems.base import Dataset, Problem
from core.problems.logistic import LogisticRegression
from core.problems.regression import LinearRegression
from core.problems.units import ORIGINAL_COLUMNS

MODELS = ("linear", "logistic")
DEFAULT_STEPS = 500
# the largest |value| of a column: the regression sums squares of the values over
# every row, and (1e100)² summed over any number of rows stays far from overflow
MAX_VALUE = 1e100

def data_problem(
    path_or_array: Any,
    model: str = "linear",
    normalize: bool = False,
    x_column: int | str | None = None,
    y_column: int | str | None = None,
) -> Problem:
    """A regression problem on your own data.

    Parameters
    ----------
    path_or_array
        A CSV file (path), an ``(n, k)`` array of rows, or an ``(x, y)`` tuple.
    model
        ``"linear"``: y ≈ a·x + b, mean squared error (sufficient statistics:
        a surface costs the same for 10 rows or 10 million); ``"logistic"``:
        P(y = 1) = sigmoid(a·x + b), mean cross-entropy, targets 0 or 1.
    normalize
        Standardise x to mean 0 and deviation 1 (the description gives both);
        linear regression's Hessian is then 2·I, stable below lr = 1.
    x_column, y_column
        Column index (0-based) or header name; default first and last.

    Returns
    -------
    Problem
        Named ``"data"``, parameters ``a`` (slope) and ``b`` (intercept),
        starting at (0, 0), default learning rate 1/λmax. Raises `DataError`
        (a `ConfigError`) naming the line and the problem.
    """
    check_choice("model", model, MODELS)
    normalize = check_flag("normalize", normalize)
    if isinstance(path_or_array, str | os.PathLike):
        table = read_table(check_path("data file", path_or_array), x_column, y_column)
    else:
        table = table_from_array(path_or_array, x_column, y_column)  # type: ignore[arg-type]
    x, mean, std = _standardised(table) if normalize else (table.x, None, None)
    if model == "logistic":
        _check_labels(table)
    else:
        _check_size(table, table.y, table.y_name, "")
    if not normalize:
        _check_size(table, x, table.x_name, ", or normalise x")
    kind = "Linear" if model == "linear" else "Logistic"
    options = {"source": table.source, "path": table.path, "model": model,
               "normalize": bool(normalize), "x_column": table.x_name,
               "y_column": table.y_name, "x_mean": mean, "x_std": std}
    common: dict[str, Any] = {
        "name": "data", "title": f"{kind} regression on {table.source}",
        "param_names": ("a", "b"), "start": (0.0, 0.0),
        "description": _description(table, model, x.size, mean, std),
        "default_steps": DEFAULT_STEPS, "data": Dataset(x[:, None], table.y),
        "options": options,
        # normalised: the table also gives the fit in the data's own units
        "extra_columns": ORIGINAL_COLUMNS if normalize else (),
    }
    return _linear(common, table.y) if model == "linear" else _logistic(common)


def _description(table: DataTable, model: str, rows: int, mean: float | None,
                 std: float | None) -> str:
    what = ("Linear regression y ≈ a·x + b with mean squared error" if model == "linear"
            else "Logistic regression P(y = 1) = sigmoid(a·x + b) with mean cross-entropy")
    scaled = (f" x is standardised: x = ({table.x_name} − {mean:.6g}) / {std:.6g}."
              if mean is not None else " x is used as it is (not normalised).")
    return (f"{what} on {table.source}: input column {table.x_name!r} (x), "
            f"target column {table.y_name!r} (y), {rows:,} rows.{scaled}")


def _standardised(table: DataTable) -> tuple[np.ndarray, float, float]:
    """x standardised to mean 0 and deviation 1, with the mean and deviation used.

    Values so large that their squares overflow (|x| > `MAX_VALUE`) are
    scaled by the largest first, so the mean and deviation come out finite.
    """
    x = table.x
    if x.size and float(np.max(np.abs(x))) > MAX_VALUE:
        scale = float(np.max(np.abs(x)))
        xs = x / scale
        mean_s, std_s = float(np.mean(xs)), float(np.std(xs))
        mean, std = mean_s * scale, std_s * scale
        standardised = (xs - mean_s) / std_s if std_s > 0.0 else xs
    else:
        mean, std = float(np.mean(x)), float(np.std(x))
        standardised = (x - mean) / std if std > 0.0 else x
    if not (std > 0.0 and math.isfinite(std)):
        if np.all(x == x[0]):
            raise DataError(f"cannot normalise x: every value of column {table.x_name!r} in "
                            f"{table.label} is {x[0]:g}, so its standard deviation is 0")
        raise DataError(f"cannot normalise x: the values of column {table.x_name!r} in "
                        f"{table.label} differ too little for float64 (standard deviation "
                        f"{std:g})")
    return standardised, mean, std


def _check_size(table: DataTable, values: np.ndarray, name: str, hint: str) -> None:
    """Refuse values whose squares would overflow the regression's sums."""
    big = np.flatnonzero(np.abs(values) > MAX_VALUE)
    if big.size:
        i = int(big[0])
        raise DataError(
            f"{table.label}, {table.where(i)}: {values[i]:g} in column {name!r} is too large "
            f"for regression in float64 (values up to ±{MAX_VALUE:g} can be fitted); rescale "
            f"the column{hint}", table.line_of(i))


def _check_labels(table: DataTable) -> None:
    y = table.y
    bad = np.flatnonzero((y != 0.0) & (y != 1.0))
    if bad.size:
        i = int(bad[0])
        raise DataError(f"{table.label}, {table.where(i)}: target {y[i]:g} in column "
                        f"{table.y_name!r} is not 0 or 1 (logistic regression needs 0/1 "
                        "labels)", table.line_of(i))


def _lr_from(hessian: np.ndarray) -> float:
    """1/λmax, to two significant digits: stable (below 2/λmax) and quick."""
    lam = float(np.linalg.eigvalsh(hessian)[-1])
    if not (lam > 0.0 and math.isfinite(lam)):
        return 0.01
    return float(f"{1.0 / lam:.2g}")


def _window(points: Sequence[Sequence[float]]) -> tuple[tuple[float, float], ...]:
    """A view holding the start and the minimum, with one scale for both axes
    so the contours keep their true shape."""
    arr = np.asarray(points, dtype=np.float64)
    lo, hi = arr.min(axis=0), arr.max(axis=0)
    pad = 0.5 * max(float(np.max(hi - lo)), 1.0)
    return tuple((_round(lo[j] - pad), _round(hi[j] + pad)) for j in range(2))


def _round(v: float) -> float:
    return float(f"{v:.4g}")


def _linear(common: dict[str, Any], y: np.ndarray) -> Problem:
    problem = LinearRegression(**common)
    vyy = float(np.var(y))
    best = problem.least_squares()
    problem.minima = () if best is None else (best,)
    problem.min_loss = problem.residual
    problem.tolerance = 1e-6 * (vyy if vyy > 0.0 else 1.0)
    problem.default_lr = _lr_from(problem.hessian(np.zeros(2)))
    problem.window = _window([problem.start, *problem.minima])
    return problem


def _logistic(common: dict[str, Any]) -> Problem:
    problem = LogisticRegression(**common)
    h0 = np.asarray(problem.hessian(np.zeros(2)))
    # w = σ(z)σ(−z) is largest (¼) at z = 0, so the Hessian at the start (0, 0)
    # bounds it everywhere: lr = 1/λmax there is stable on the whole surface
    problem.default_lr = _lr_from(h0)
    minimum = _logistic_minimum(problem)
    if minimum is not None:
        problem.minima = (minimum,)
        problem.min_loss = float(problem.loss(np.asarray(minimum)))
        problem.tolerance = 1e-6
    else:  # separable classes (or one class): the loss keeps falling towards 0
        problem.minima = ()
        problem.min_loss = None
    problem.window = _window([problem.start, *(problem.minima or [(2.0, 2.0)])])
    return problem


def _logistic_minimum(problem: LogisticRegression,
                      iterations: int = 30) -> tuple[float, float] | None:
    """Newton's method from (0, 0); None if it does not settle (no finite minimum)."""
    theta = np.zeros(2)
    for _ in range(iterations):
        grad = problem.grad(theta)
        hess = problem.hessian(theta)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(step)):
            return None
        theta = theta - step
        if np.max(np.abs(theta)) > 1e6:
            return None
        if np.max(np.abs(step)) <= 1e-12 * (1.0 + np.max(np.abs(theta))):
            return float(theta[0]), float(theta[1])
    return None

