"""The loss on a grid, its contour levels, and a view window that shows the run.

`surface` evaluates the whole grid in one vectorised call to the problem's
loss (a (ny, nx, p) parameter array): ``problem.loss``, or ``loss_c`` where the
problem computes its full loss through the base class (same formula, without
the gradient that ``loss`` works out alongside). Problems with more than two parameters are
drawn as a slice through a point (default: the start) along two chosen
parameters; a one-parameter problem has no second axis, so every row of its
"surface" is the loss curve L(xs). Linear regression's full loss uses
sufficient statistics, so its grid costs the same for 3 points or 100,000.

Non-finite values are kept as they come: ``inf`` where the loss overflows and
``nan`` where it is undefined (``inf − inf``, ``0·inf``). A plot must mask
them; `contour_levels` ignores them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from core.checks import check_point, check_whole, shown
from core.errors import ConfigError
from core.limits import MAX_SURFACE_POINTS
from core.problems.base import Problem
from core.problems.catalogue import get_problem

if TYPE_CHECKING:
    from core._types import FloatArray

# a data problem without a closed form evaluates at most this many
# (grid point x example) terms per call; the grid is split into row blocks
MAX_TERMS_PER_CALL = 4_000_000
# a path that runs off (divergence) may widen the view at most this many
# times the problem's own window span on each side
MAX_ZOOM_OUT = 20.0


def _axis_values(name: str, values: Any) -> FloatArray:
    if isinstance(values, str | bytes | Mapping):
        raise ConfigError(f"{name} must be a list of numbers, got {shown(values)}")
    if not isinstance(values, np.ndarray) and hasattr(values, "__len__") \
            and len(values) > MAX_SURFACE_POINTS:
        raise ConfigError(f"{name} may have at most {MAX_SURFACE_POINTS:,} values, got "
                          f"{len(values):,}")
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{name} must be a list of finite numbers, got {shown(values)}") \
            from None
    if arr.ndim != 1 or arr.size == 0:
        raise ConfigError(f"{name} must be a non-empty list of numbers, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ConfigError(f"{name} must be finite numbers")
    return arr


def _check_size(x: FloatArray, y: FloatArray) -> None:
    """Refuse a grid past `MAX_SURFACE_POINTS` before anything is allocated."""
    if x.size * y.size > MAX_SURFACE_POINTS:
        raise ConfigError(
            f"a surface grid may have at most {MAX_SURFACE_POINTS:,} points (4096 × 4096), "
            f"got {x.size:,} × {y.size:,} = {x.size * y.size:,}; use fewer xs or ys"
        )


def _check_axes(problem: Problem, axes: Sequence[int]) -> tuple[int, int]:
    n = problem.n_params
    if isinstance(axes, str | bytes | Mapping) or not hasattr(axes, "__iter__"):
        raise ConfigError(f"axes must be two parameter indices, got {shown(axes)}")
    try:
        i, j = (check_whole("axes", a, low=0) for a in itertools.islice(axes, 3))
    except (ConfigError, ValueError):  # not whole numbers, or not two of them
        raise ConfigError(f"axes must be two parameter indices, got {shown(axes)}") from None
    if n == 1:
        return 0, 0
    if not (0 <= i < n and 0 <= j < n) or i == j:
        raise ConfigError(
            f"axes must be two different parameter indices from 0 to {n - 1} "
            f"({', '.join(problem.param_names)}), got {shown(tuple(axes))}"
        )
    return i, j


def surface(problem: str | Problem, xs: Sequence[float] | FloatArray,
            ys: Sequence[float] | FloatArray, *, through: Sequence[float] | None = None,
            axes: Sequence[int] = (0, 1),
            directions: Sequence[Sequence[float]] | None = None) -> FloatArray:
    """The full-data loss on the grid ``xs × ys``.

    Parameters
    ----------
    problem
        A `Problem` or a built-in name.
    xs, ys
        Values of the parameters ``axes[0]`` and ``axes[1]``; at most
        `core.limits.MAX_SURFACE_POINTS` (4096 × 4096) points in all.
    through
        The point the slice passes through, one float per parameter; the
        parameters not on ``axes`` keep its values (default: the start).
    axes
        The two parameters on the x and y axis (ignored for one parameter).
    directions
        Instead of two parameters, two directions ``(d1, d2)`` in parameter
        space, one float per parameter each: the loss at ``through + x·d1 +
        y·d2`` (a slice of a network's loss along random or principal
        directions, `core.analysis.directions`). ``axes`` is then not used.

    Returns
    -------
    ndarray
        Shape ``(len(ys), len(xs))``: ``Z[i, j]`` is the loss at
        ``x = xs[j], y = ys[i]`` (image order: rows are y). Overflow gives
        ``inf``, undefined values ``nan``; both are kept.
    """
    prob = get_problem(problem)
    x = _axis_values("xs", xs)
    y = _axis_values("ys", ys)
    _check_size(x, y)
    i, j = _check_axes(prob, axes)
    point = np.asarray(prob.start if through is None else
                       check_point(through, prob.param_names, prob.name, what="through"),
                       dtype=np.float64)
    if directions is not None:
        return _plane_loss(prob, x, y, point, _check_directions(prob, directions))
    if prob.n_params == 1:  # nothing varies along y: one curve, repeated
        return np.repeat(prob.loss(x[:, None])[None, :], y.size, axis=0)
    return _blocked_loss(prob, x, y, point, (i, j))


def _check_directions(prob: Problem, directions: Any) -> tuple[FloatArray, FloatArray]:
    """Two finite directions of one float per parameter each, or a ConfigError."""
    try:
        arr = np.asarray(directions, dtype=np.float64)
    except (TypeError, ValueError):
        arr = np.empty(0)
    if arr.shape != (2, prob.n_params) or not np.all(np.isfinite(arr)):
        raise ConfigError(f"directions must be two lists of {prob.n_params} finite numbers "
                          f"(one per parameter of {prob.name!r})")
    if not (arr[0].any() and arr[1].any()):
        raise ConfigError("directions must not be zero: a slice needs two ways to move")
    return arr[0], arr[1]


def _plane_loss(prob: Problem, x: FloatArray, y: FloatArray, point: FloatArray,
                dirs: tuple[FloatArray, FloatArray]) -> FloatArray:
    """The loss on ``point + x·d1 + y·d2``, in blocks as `_blocked_loss`."""
    per_point = 1 if prob.full_data_path else max(1, prob.n_samples)
    rows = max(1, MAX_TERMS_PER_CALL // (x.size * per_point * max(1, prob.n_params // 8)))
    d1, d2 = dirs
    out = np.empty((y.size, x.size))
    for r in range(0, y.size, rows):
        block = y[r : r + rows]
        grid = point + x[None, :, None] * d1 + block[:, None, None] * d2
        out[r : r + block.size] = prob.loss(grid)
    return out


def _blocked_loss(prob: Problem, x: FloatArray, y: FloatArray, point: FloatArray,
                  axes: tuple[int, int]) -> FloatArray:
    """``prob.loss`` on the grid, in blocks of rows of at most `MAX_TERMS_PER_CALL`
    (grid point × example) terms: one call for the usual sizes, and a working
    memory of a few blocks for a big grid or a per-example problem on big data."""
    per_point = 1 if prob.full_data_path else max(1, prob.n_samples)
    rows = max(1, MAX_TERMS_PER_CALL // (x.size * per_point))
    out = np.empty((y.size, x.size))
    for r in range(0, y.size, rows):
        block = y[r : r + rows]
        grid = np.empty((block.size, x.size, prob.n_params))
        grid[...] = point
        grid[..., axes[0]] = x[None, :]
        grid[..., axes[1]] = block[:, None]
        out[r : r + block.size] = prob.loss(grid)
    return out


def contour_levels(Z: Any, n: int = 12) -> FloatArray:
    """Contour levels for a surface: ``n`` values strictly inside its finite range.

    Parameters
    ----------
    Z
        A surface (any shape); nan and inf entries are ignored.
    n
        How many levels.

    Returns
    -------
    ndarray
        Increasing levels, never nan or inf. Log-spaced when the finite values
        are >= 0 and span more than two decades (a bowl: rings get denser
        towards the minimum), from the smallest positive value (at least
        1e-8 of the largest); linear otherwise. Empty for a flat or
        all-non-finite surface.
    """
    n = check_whole("n", n, low=1)
    values = np.asarray(Z, dtype=np.float64)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.empty(0)
    lo, hi = float(finite.min()), float(finite.max())
    if not hi > lo:
        return np.empty(0)
    if lo >= 0.0:
        positive = finite[finite > 0.0]
        bottom = max(float(positive.min()), hi * 1e-8)
        if hi / bottom > 100.0:
            return np.geomspace(bottom, hi, n + 2)[1:-1]
    return np.linspace(lo, hi, n + 2)[1:-1]


def _span(values: list[float], base: tuple[float, float], margin: float) -> tuple[float, float]:
    lo = min([base[0], *values])
    hi = max([base[1], *values])
    width = base[1] - base[0]
    # a diverging path must not zoom the view out to the edge of the float range
    lo = max(lo, base[0] - MAX_ZOOM_OUT * width)
    hi = min(hi, base[1] + MAX_ZOOM_OUT * width)
    pad = margin * (hi - lo)
    if pad == 0.0:
        pad = max(abs(lo), 1.0) * margin
    return lo - pad, hi + pad


def view_window(problem: str | Problem, path: Any = None, margin: float = 0.1, *,
                axes: Sequence[int] = (0, 1)) -> tuple[tuple[float, float], tuple[float, float]]:
    """A plot window showing the problem's window, the start, the minima and a path.

    Parameters
    ----------
    problem
        A `Problem` or a built-in name.
    path
        Parameter values along a run, shape (m, p) (e.g. `Run.params`);
        non-finite points are ignored.
    margin
        Padding on every side, as a fraction of the span.
    axes
        The two parameters on the x and y axis. A parameter beyond the
        problem's own ``window`` gets a range the width of the first one,
        centred on the start.

    Returns
    -------
    ((x0, x1), (y0, y1))
        For a one-parameter problem the y range is the loss over the x range
        (and along the path): the window of its loss-curve plot. A path that
        runs away (divergence) widens the view at most 20 times the problem's
        window span on each side.
    """
    prob = get_problem(problem)
    i, j = _check_axes(prob, axes)
    pts = np.empty((0, prob.n_params))
    if path is not None:
        arr = np.asarray(path, dtype=np.float64).reshape(-1, prob.n_params)
        pts = arr[np.all(np.isfinite(arr), axis=1)]
    minima = np.asarray(prob.minima, dtype=np.float64).reshape(-1, prob.n_params)
    marks = np.vstack([np.asarray(prob.start, dtype=np.float64)[None, :], minima, pts])
    xr = _span(marks[:, i].tolist(), _own_range(prob, i), margin)
    if prob.n_params > 1:
        return xr, _span(marks[:, j].tolist(), _own_range(prob, j), margin)
    return xr, _loss_range(prob, xr, pts, margin)


def _own_range(prob: Problem, axis: int) -> tuple[float, float]:
    """The problem's window along ``axis``; past its window, the first range's
    width centred on the start."""
    if axis < len(prob.window):
        a, b = prob.window[axis]
        return float(a), float(b)
    half = 0.5 * (prob.window[0][1] - prob.window[0][0])
    return float(prob.start[axis] - half), float(prob.start[axis] + half)


def _loss_range(prob: Problem, xr: tuple[float, float], pts: FloatArray,
                margin: float) -> tuple[float, float]:
    """A one-parameter problem's y range: its loss along the x range and the path."""
    curve = prob.loss(np.linspace(xr[0], xr[1], 257)[:, None])
    shown = pts[(pts[:, 0] >= xr[0]) & (pts[:, 0] <= xr[1])]
    losses = np.concatenate([curve, prob.loss(shown)]) if shown.size else curve
    losses = losses[np.isfinite(losses)]
    if losses.size == 0:
        return 0.0, 1.0
    lo, hi = float(losses.min()), float(losses.max())
    pad = margin * (hi - lo) if hi > lo else max(abs(lo), 1.0) * margin
    return (lo - pad, hi + pad) if math.isfinite(hi - lo) else (lo, lo + 1.0)
