"""What the window asks core about a problem: surface, curvature, presets, sweep.

Every number comes from core; this module only picks the calls and packs the
answers for the views. The analysis modules of core (curvature, presets,
sweep, surface) are imported on first use, so a missing one costs a feature
(the panel says so), never the window.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from core import Problem

log = logging.getLogger(__name__)

GRID = 200  # surface samples per axis: < 30 ms in core, finer than the plot needs
LEVELS = 14
LINE_SAMPLES = 400


class Unavailable(RuntimeError):
    """A core analysis module is not installed in this build."""


def _module(name: str) -> Any:
    try:
        return importlib.import_module(f"core.analysis.{name}")
    except ImportError as exc:
        raise Unavailable(f"core.analysis.{name} is not available: {exc}") from None


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


@dataclass
class Gauge:
    """The stability gauge of the learning-rate panel."""

    lam_max: float | None
    limit: float | None  # 2/λmax for plain gradient descent
    lr_lam: float | None  # lr·λmax
    reason: str


def compute_surface(problem: Problem, axes: tuple[int, int], through: tuple[float, ...] | None,
                    path: np.ndarray | None = None) -> SurfaceData:
    """The loss on a GRID x GRID mesh over ``axes`` (a slice through ``through``)."""
    surf = _module("surface")
    if problem.n_params == 1:
        return _line(problem, surf)
    window = _window(surf, problem, path, axes)
    (x0, x1), (y0, y1) = window[0], window[1]
    xs = np.linspace(x0, x1, GRID)
    ys = np.linspace(y0, y1, GRID)
    kwargs: dict[str, Any] = {"axes": tuple(axes)}
    if problem.n_params > 2 and through is not None:
        kwargs["through"] = np.asarray(through, dtype=np.float64)
    Z = np.asarray(surf.surface(problem, xs, ys, **kwargs), dtype=np.float64)
    levels = np.asarray(surf.contour_levels(Z, LEVELS), dtype=np.float64)
    names = (problem.param_names[axes[0]], problem.param_names[axes[1]])
    minima = [(m[axes[0]], m[axes[1]]) for m in problem.minima if len(m) == problem.n_params]
    return SurfaceData(xs, ys, Z, levels, window, tuple(axes), names, minima, through)


def _window(surf: Any, problem: Problem, path: np.ndarray | None,
            axes: tuple[int, int]) -> tuple[tuple[float, float], ...]:
    try:
        window = surf.view_window(problem, path=path, axes=tuple(axes))
    except TypeError:  # a view_window without axes: the problem's first two parameters
        window = surf.view_window(problem, path=path)
    return tuple((float(lo), float(hi)) for lo, hi in window)


def _line(problem: Problem, surf: Any) -> SurfaceData:
    window = _window(surf, problem, None, (0, 0))
    lo, hi = window[0]
    ws = np.linspace(lo, hi, LINE_SAMPLES)
    loss = np.asarray(problem.loss(ws[:, None]), dtype=np.float64)
    minima = [(m[0],) for m in problem.minima if len(m) == 1]
    return SurfaceData(ws, None, loss, None, window, (0,), problem.param_names, minima)


def problem_ref(problem: Problem, options: dict[str, Any]) -> Any:
    """What a worker process needs to rebuild ``problem``: a built-in's name and options
    (cheap to send), else the problem itself (pickled)."""
    import core

    if problem.name in core.list_problems():
        return ("builtin", problem.name, dict(options))
    return problem


def resolve_problem(ref: Any) -> Problem:
    import core

    if isinstance(ref, tuple) and ref and ref[0] == "builtin":
        return core.get_problem(ref[1], **ref[2])
    return ref  # type: ignore[no-any-return]


def compute_presets(ref: Any, optimizer: str, start: tuple[float, ...],
                    hyper: dict[str, Any]) -> Any:
    """core's preset report (too small / just right / too big, with reasons and sweep).

    Runs in a worker process, so it takes a `problem_ref`.
    """
    presets = _module("presets")
    return presets.preset_report(resolve_problem(ref), optimizer, start=start, **hyper)


def stability_theory(problem: Problem, optimizer: str, start: tuple[float, ...],
                     hyper: dict[str, Any]) -> dict[str, Any] | None:
    """core's plain-gradient-descent theory at ``start``: λmax and 2/λmax (None if unavailable).

    It depends on the problem, the start and SGD's weight decay, not on the
    learning rate, so the controller computes it once per start.
    """
    try:
        presets = _module("presets")
    except Unavailable:
        return None
    wd = float(hyper.get("weight_decay", 0.0)) if optimizer == "sgd" else 0.0
    return dict(presets.sgd_theory(problem, start, weight_decay=wd))


def compute_gauge(problem: Problem, lr: float, optimizer: str, start: tuple[float, ...],
                  hyper: dict[str, Any], theory: dict[str, Any] | None) -> Gauge:
    """λmax, 2/λmax and lr·λmax for plain gradient descent, and core's verdict in words.

    λmax is core's (the larger of the start's and the nearest minimum's), the
    same one the presets and the sentence use.
    """
    if theory is None:
        return Gauge(None, None, None, describe_lr(problem, lr, optimizer, start, hyper))
    lam = float(theory["lam_max"])
    reason = describe_lr(problem, lr, optimizer, start, hyper)
    # lr·λmax as core's sgd_theory(lrs=...) forms it, without recomputing the Hessian per lr
    return Gauge(lam, float(theory["stability_limit"]), float(lr) * lam, reason)


def describe_lr(problem: Problem, lr: float, optimizer: str,
                start: tuple[float, ...] | None = None, hyper: dict[str, Any] | None = None) -> str:
    """core's sentence about what ``lr`` does on this problem ("" if unavailable)."""
    try:
        presets = _module("presets")
    except Unavailable:
        return ""
    return str(presets.describe_lr(problem, lr, optimizer=optimizer, start=start,
                                   **(hyper or {})))


def preset_lrs(report: Any) -> dict[str, float]:
    return {k: float(v) for k, v in dict(getattr(report, "lrs", {}) or {}).items()}


def preset_reasons(report: Any) -> dict[str, str]:
    return {k: str(v) for k, v in dict(getattr(report, "reasons", {}) or {}).items()}


def import_torch_backend() -> bool:
    """Import torch and core's torch backend (2-3 s: run it off the GUI thread)."""
    importlib.import_module("torch")
    importlib.import_module("core.torch_backend.trainer")
    return True
