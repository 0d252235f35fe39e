"""What the window asks core about a problem: surface, curvature, presets, sweep.

Every number comes from core, through its public names only (``core.surface``,
``core.curvature_report``, ``core.preset_report``, ``core.describe_lr``); this
module picks the calls and packs the answers for the views. Plain Python: no
Qt, so the model and its tests run without a QApplication.
"""

from __future__ import annotations

import importlib
import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

import core
from desktop.model import slicing

if TYPE_CHECKING:
    from core import Problem

log = logging.getLogger(__name__)

GRID = 200  # surface samples per axis: < 30 ms in core, finer than the plot needs
LEVELS = 14
LINE_SAMPLES = 400


class Unavailable(RuntimeError):
    """A core analysis is not available for this problem (or in this build)."""


@dataclass
class SurfaceData:
    """The loss on a grid over two parameters (or along one), ready to draw."""

    xs: np.ndarray
    ys: np.ndarray | None  # None for a one-parameter problem (Z is then the curve)
    Z: np.ndarray
    levels: np.ndarray | None
    window: tuple[tuple[float, float], ...]
    axes: tuple[int, ...]
    param_names: tuple[str, ...]
    minima: list[tuple[float, ...]] = field(default_factory=list)
    through: tuple[float, ...] | None = None
    # a slice along directions (`desktop.model.slicing`): its plane, the short names of
    # its axes, one sentence on what it is, and the row it passes through
    plane: Any = None
    short_names: tuple[str, ...] | None = None
    caption: str = ""
    centre_step: int | None = None


def grid_size(problem: Problem) -> int:
    """Samples per axis: a network's loss costs a hundred times a bowl's per point."""
    return slicing.GRID_MANY if slicing.many_params(problem) else GRID


def compute_surface(problem: Problem, axes: tuple[int, int], through: tuple[float, ...] | None,
                    path: Any = None) -> SurfaceData:
    """The loss on a GRID x GRID mesh over ``axes`` (a slice through ``through``)."""
    if problem.n_params == 1:
        return _line(problem)
    window = _window(problem, path, axes)
    (x0, x1), (y0, y1) = window[0], window[1]
    xs = np.linspace(x0, x1, grid_size(problem))
    ys = np.linspace(y0, y1, grid_size(problem))
    kwargs: dict[str, Any] = {"axes": tuple(axes)}
    if problem.n_params > 2 and through is not None:
        kwargs["through"] = np.asarray(through, dtype=np.float64)
    Z = np.asarray(core.surface(problem, xs, ys, **kwargs), dtype=np.float64)
    levels = np.asarray(core.contour_levels(Z, LEVELS), dtype=np.float64)
    names = (problem.param_names[axes[0]], problem.param_names[axes[1]])
    minima = [(m[axes[0]], m[axes[1]]) for m in problem.minima if len(m) == problem.n_params]
    return SurfaceData(xs, ys, Z, levels, window, tuple(axes), names, minima, through)


def compute_slice(problem: Problem, spec: slicing.SliceSpec) -> SurfaceData:
    """The loss on the plane of ``spec`` (random or principal directions through its
    centre), over a window that shows the projected path; run in the background."""
    info = slicing.build_plane(spec)
    window = slicing.plane_window(info.plane, spec)
    n = grid_size(problem)
    xs = np.linspace(*window[0], n)
    ys = np.linspace(*window[1], n)
    plane = info.plane
    Z = np.asarray(core.surface(problem, xs, ys, through=plane.center,
                                directions=(plane.d1, plane.d2)), dtype=np.float64)
    levels = np.asarray(core.contour_levels(Z, LEVELS), dtype=np.float64)
    return SurfaceData(xs, ys, Z, levels, window, (), info.labels, [],
                       tuple(float(v) for v in plane.center), plane=plane,
                       short_names=info.short, caption=info.caption,
                       centre_step=spec.centre_step)


def _window(problem: Problem, path: Any, axes: tuple[int, int]) -> tuple[tuple[float, float], ...]:
    window = core.view_window(problem, path=path, axes=tuple(axes))
    return tuple((float(lo), float(hi)) for lo, hi in window)


def _line(problem: Problem) -> SurfaceData:
    window = _window(problem, None, (0, 0))
    lo, hi = window[0]
    ws = np.linspace(lo, hi, LINE_SAMPLES)
    loss = np.asarray(problem.loss(ws[:, None]), dtype=np.float64)
    minima = [(m[0],) for m in problem.minima if len(m) == 1]
    return SurfaceData(ws, None, loss, None, window, (0,), problem.param_names, minima)


def inside(surface: SurfaceData | None, point: tuple[float, ...]) -> bool:
    """Whether ``point`` lies in the surface's window (on the axes it shows)."""
    if surface is None:
        return False
    return all(lo <= point[a] <= hi
               for a, (lo, hi) in zip(surface.axes, surface.window, strict=False))


# ------------------------------------------------------------------ worker-side calls
def problem_ref(problem: Problem, options: dict[str, Any]) -> Any:
    """What a worker process needs to rebuild ``problem``: a built-in's name and options
    (cheap to send), else the problem itself (pickled)."""
    if problem.name in core.list_problems():
        return ("builtin", problem.name, dict(options))
    return problem


def resolve_problem(ref: Any) -> Problem:
    if isinstance(ref, tuple) and ref and ref[0] == "builtin":
        return core.get_problem(ref[1], **ref[2])
    return ref  # type: ignore[no-any-return]


def compute_presets(ref: Any, optimizer: str, start: tuple[float, ...],
                    hyper: dict[str, Any]) -> Any:
    """core's preset report (too small / just right / too big, with reasons and sweep).

    Runs in a worker process, so it takes a `problem_ref`.
    """
    return core.preset_report(resolve_problem(ref), optimizer, start=start, **hyper)


def preset_runs(ref: Any, cfg: Any, lrs: dict[str, float]) -> list[tuple[str, Any]]:
    """The run of each preset learning rate with every other knob unchanged:
    ``[(key, run), ...]``. Runs in a worker process, so it takes a `problem_ref`."""
    problem = resolve_problem(ref)
    out = []
    for key in ("too-small", "just-right", "too-big"):
        if key in lrs:
            trainer = core.make_trainer(problem, cfg.with_(lr=lrs[key], backend="numpy"))
            out.append((key, trainer.run()))
    return out


_PROBLEMS: dict[str, Problem] = {}  # a worker's built-in problems, by their recipe


def _worker_problem(ref: Any) -> Problem:
    """`resolve_problem`, kept for the next job: a network's toy data is made once."""
    if not (isinstance(ref, tuple) and ref and ref[0] == "builtin"):
        return resolve_problem(ref)
    key = repr(ref)
    problem = _PROBLEMS.get(key)
    if problem is None:
        if len(_PROBLEMS) > 16:
            _PROBLEMS.clear()
        problem = _PROBLEMS[key] = resolve_problem(ref)
    return problem


def compute_sharpness(ref: Any, thetas: Any, products: int = 20) -> np.ndarray:
    """λmax of the loss at each row of ``thetas`` (nan where a row is not finite).

    Runs in a worker process, so it takes a `problem_ref`.
    """
    problem = _worker_problem(ref)
    out = np.full(len(thetas), np.nan)
    for i, theta in enumerate(np.asarray(thetas, dtype=np.float64)):
        if np.all(np.isfinite(theta)):
            out[i] = core.sharpness(problem, theta, products).lam_max
    return out


def compute_range_test(ref: Any, optimizer: str, start: tuple[float, ...], batch: Any,
                       seed: int, hyper: dict[str, Any]) -> Any:
    """core's learning-rate range test for these knobs (`core.lr_range_test`'s defaults:
    1e-6 to 10 over 100 steps). Runs in a worker process, so it takes a `problem_ref`."""
    return core.lr_range_test(_worker_problem(ref), optimizer=optimizer, start=start,
                              batch=batch, seed=seed, **hyper)


def import_torch_backend() -> bool:
    """Import torch and core's torch trainer (2-3 s: run it off the GUI thread)."""
    importlib.import_module("torch")
    core.make_trainer("quadratic", core.RunConfig("quadratic", backend="torch", steps=0))
    return True


# ------------------------------------------------------------------ curvature
# λmax, 2/λmax and where they bind (core's `Theory`), for the gauge
theory_of = core.theory_of
curvature_report = core.curvature_report


def describe_lr(problem: Problem, lr: float, optimizer: str, start: tuple[float, ...],
                hyper: dict[str, Any], report: dict[str, Any] | None = None) -> str:
    """core's sentence about what ``lr`` does on this problem ("" if it cannot say);
    ``report``: the curvature at ``start``, worked out once per problem and start."""
    try:
        return str(core.describe_lr(problem, lr, optimizer=optimizer, start=start,
                                    report=report, **hyper))
    except Exception as exc:  # advice only: a problem core cannot analyse still runs
        log.warning("describe_lr failed: %s", exc)
        return ""


def known_presets(problem: Any, optimizer: str, start: Any,
                  **hyper: Any) -> dict[str, float] | None:
    """The shipped presets of a built-in problem at its defaults (None otherwise): core's
    table, so the buttons need not wait for the sweep."""
    from core.analysis.preset_table import known_presets as lookup

    try:
        return lookup(problem, optimizer, start, **hyper)
    except Exception:  # the table is a shortcut: the worked-out report still comes
        return None


def preset_lrs(report: Any) -> dict[str, float]:
    return {k: float(v) for k, v in dict(getattr(report, "lrs", {}) or {}).items()
            if v is not None and math.isfinite(float(v))}


def preset_reasons(report: Any) -> dict[str, str]:
    return {k: str(v) for k, v in dict(getattr(report, "reasons", {}) or {}).items()}
