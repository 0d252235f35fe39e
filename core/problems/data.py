"""Your own data: a CSV file (or an array) as a linear or logistic regression.

The table is read by `core.io.datatable` (all or nothing, errors naming the
line); this module builds the problem from its columns (one input column or
several, and the target): optionally standardised inputs, a default learning
rate from the curvature (1/λmax), a plot window holding the start and the
minimum, and the minimum itself (closed form for linear regression, Newton's
method for logistic regression).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from core.checks import check_choice, check_flag, check_path
from core.io.datatable import DataError, DataTable, XColumns, read_table, table_from_array
from core.problems.base import Dataset, Problem
from core.problems.logistic import LogisticRegression
from core.problems.regression import LinearRegression
from core.problems.units import original_columns

MODELS = ("linear", "logistic")
DEFAULT_STEPS = 500
# the largest |value| of a column: the regression sums squares of the values over
# every row, and (1e100)² summed over any number of rows stays far from overflow
MAX_VALUE = 1e100

def data_problem(
    path_or_array: Any,
    model: str = "linear",
    normalize: bool = False,
    x_column: XColumns = None,
    y_column: int | str | None = None,
) -> Problem:
    """A regression problem on your own data.

    Parameters
    ----------
    path_or_array
        A CSV file (path), an ``(n, k)`` array of rows, or an ``(x, y)`` tuple
        (``x`` of shape ``(n,)``, or ``(n, k)`` for k inputs).
    model
        ``"linear"``: y ≈ a·x + b, mean squared error (sufficient statistics:
        a surface costs the same for 10 rows or 10 million); ``"logistic"``:
        P(y = 1) = sigmoid(a·x + b), mean cross-entropy, targets 0 or 1.
    normalize
        Standardise each input column to mean 0 and deviation 1 (the
        description gives both); linear regression's Hessian is then 2·I for
        one input, stable below lr = 1.
    x_column, y_column
        Column index (0-based) or header name; default first and last.
        ``x_column`` may be a list of them (at most `MAX_DATA_INPUTS`, each
        once, the target not among them): several input columns.

    Returns
    -------
    Problem
        Named ``"data"``, starting at 0, default learning rate 1/λmax. One input
        column: parameters ``a`` (slope) and ``b`` (intercept). k > 1 input
        columns: parameters ``w1..wk`` (one weight per input column, in the
        order given) and ``b``, the model y ≈ w1·x1 + .. + wk·xk + b (or the
        sigmoid of it); at least k + 1 rows are needed. Raises `DataError`
        (a `ConfigError`) naming the line and the problem.
    """
    check_choice("model", model, MODELS)
    normalize = check_flag("normalize", normalize)
    if isinstance(path_or_array, str | os.PathLike):
        table = read_table(check_path("data file", path_or_array), x_column, y_column)
    else:
        table = table_from_array(path_or_array, x_column, y_column)
    _check_rows_for(table)
    x, mean, std = _standardised(table) if normalize else (table.inputs, None, None)
    if model == "logistic":
        _check_labels(table)
    else:
        _check_size(table, table.y, table.y_name, "")
    if not normalize:
        for j, name in enumerate(table.x_names):
            _check_size(table, x[:, j], name, ", or normalise x")
    k = table.n_inputs
    names = ("a", "b") if k == 1 else (*(f"w{j + 1}" for j in range(k)), "b")
    kind = "Linear" if model == "linear" else "Logistic"
    options = {"source": table.source, "path": table.path, "model": model,
               "normalize": bool(normalize),
               # one input: its name and one mean and deviation, as ever; several: lists
               "x_column": table.x_names[0] if k == 1 else list(table.x_names),
               "x_columns": list(table.x_names), "y_column": table.y_name,
               "x_mean": mean, "x_std": std}
    common: dict[str, Any] = {
        "name": "data", "title": f"{kind} regression on {table.source}",
        "param_names": names, "start": (0.0,) * (k + 1),
        "description": _description(table, model, mean, std),
        "default_steps": DEFAULT_STEPS, "data": Dataset(x, table.y),
        "options": options,
        # normalised: the table also gives the fit in the data's own units
        "extra_columns": original_columns(names) if normalize else (),
    }
    return _linear(common, table.y) if model == "linear" else _logistic(common)


def _check_rows_for(table: DataTable) -> None:
    """k inputs and an intercept are k + 1 unknowns: fewer rows leave them undetermined
    (with one input the table's two rows are enough)."""
    k, n = table.n_inputs, table.y.size
    if k > 1 and n <= k:
        raise DataError(f"{table.label} has {n} rows for {k} input columns: fitting "
                        f"w1..w{k} and b needs at least {k + 1} rows (one more than the "
                        "inputs); choose fewer input columns or give more rows")


def _description(table: DataTable, model: str, mean: Any, std: Any) -> str:
    rows = table.y.size
    if table.n_inputs > 1:
        return _description_several(table, model, mean, std)
    what = ("Linear regression y ≈ a·x + b with mean squared error" if model == "linear"
            else "Logistic regression P(y = 1) = sigmoid(a·x + b) with mean cross-entropy")
    scaled = (f" x is standardised: x = ({table.x_name} − {mean:.6g}) / {std:.6g}."
              if mean is not None else " x is used as it is (not normalised).")
    return (f"{what} on {table.source}: input column {table.x_name!r} (x), "
            f"target column {table.y_name!r} (y), {rows:,} rows.{scaled}")


def _description_several(table: DataTable, model: str, mean: Any, std: Any) -> str:
    k = table.n_inputs
    terms = [f"w{j + 1}·x{j + 1}" for j in range(k)]
    form = (f"w1·x1 + .. + w{k}·x{k}" if k > 3 else " + ".join(terms)) + " + b"
    what = (f"Linear regression y ≈ {form} with mean squared error" if model == "linear"
            else f"Logistic regression P(y = 1) = sigmoid({form}) with mean cross-entropy")
    inputs = ", ".join(f"{name!r} (x{j + 1})" for j, name in enumerate(table.x_names))
    if mean is None:
        scaled = " The inputs are used as they are (not normalised)."
    else:
        scaled = " Each input is standardised on its own: " + ", ".join(
            f"x{j + 1} = ({name} − {m:.6g}) / {s:.6g}"
            for j, (name, m, s) in enumerate(zip(table.x_names, mean, std, strict=True))) + "."
    return (f"{what} on {table.source}: input columns {inputs}, target column "
            f"{table.y_name!r} (y), {table.y.size:,} rows.{scaled}")


def _standardised(table: DataTable) -> tuple[np.ndarray, Any, Any]:
    """The inputs standardised column by column to mean 0 and deviation 1, with the
    means and deviations used (floats for one input, lists for several)."""
    if table.n_inputs == 1:
        x, mean, std = _standardised_column(table, table.inputs[:, 0], table.x_names[0])
        return x[:, None], mean, std
    out = np.empty_like(table.inputs)
    means, stds = [], []
    for j, name in enumerate(table.x_names):
        out[:, j], mean, std = _standardised_column(table, table.inputs[:, j], name)
        means.append(mean)
        stds.append(std)
    return out, means, stds


def _standardised_column(table: DataTable, x: np.ndarray,
                         name: str) -> tuple[np.ndarray, float, float]:
    """x standardised to mean 0 and deviation 1, with the mean and deviation used.

    Values so large that their squares overflow (|x| > `MAX_VALUE`) are
    scaled by the largest first, so the mean and deviation come out finite.
    """
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
            raise DataError(f"cannot normalise x: every value of column {name!r} in "
                            f"{table.label} is {x[0]:g}, so its standard deviation is 0")
        raise DataError(f"cannot normalise x: the values of column {name!r} in "
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
    """A view of the first two parameters holding the start and the minimum, with one
    scale for both axes so the contours keep their true shape."""
    arr = np.asarray(points, dtype=np.float64)[:, :2]
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
    problem.default_lr = _lr_from(problem.hessian(np.zeros(problem.n_params)))
    problem.window = _window([problem.start, *problem.minima])
    if best is None and problem.n_params > 2:
        problem.description += (" The inputs depend on each other (or one does not vary), so "
                                "the minimum is not unique: many weights fit equally well.")
    return problem


def _logistic(common: dict[str, Any]) -> Problem:
    problem = LogisticRegression(**common)
    h0 = np.asarray(problem.hessian(np.zeros(problem.n_params)))
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
    problem.window = _window([problem.start, *(problem.minima or [(2.0,) * problem.n_params])])
    return problem


def _logistic_minimum(problem: LogisticRegression,
                      iterations: int = 30) -> tuple[float, ...] | None:
    """Newton's method from 0; None if it does not settle (no finite minimum)."""
    theta = np.zeros(problem.n_params)
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
            return tuple(float(v) for v in theta)
    return None
