"""Curvature of a loss at a point: the Hessian, its eigen-decomposition, and
what it means for plain gradient descent.

Along an eigenvector with eigenvalue λ, a gradient step multiplies the error by
``1 − lr·λ``. The step is stable when that factor lies in (−1, 1), so plain
gradient descent needs ``lr < 2/λmax``: this is the stability limit the
presets and the learning-rate gauge show. Where λmax ≤ 0 the loss curves
downward in every direction and no step size is unstable there.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.problems.catalogue import get_problem

if TYPE_CHECKING:
    from core._types import FloatArray
    from core.problems.base import Problem


@dataclass(frozen=True, eq=False)
class Curvature:
    """The curvature of a loss at one point.

    Attributes
    ----------
    point
        The parameters, shape (p,).
    hessian
        The Hessian there, shape (p, p) (analytic where the problem gives it,
        else central differences of the analytic gradient).
    eigenvalues
        Ascending, shape (p,).
    eigenvectors
        One unit eigenvector per column, in the order of ``eigenvalues``.
    lam_max, lam_min
        The largest and smallest eigenvalue.
    condition
        ``|λmax| / |λmin|``; inf when λmin is 0.
    stability_limit
        ``2/λmax``, the largest stable learning rate of plain gradient descent;
        inf when λmax <= 0 (the loss curves downward in every direction).
    """

    point: FloatArray
    hessian: FloatArray
    eigenvalues: FloatArray
    eigenvectors: FloatArray
    lam_max: float
    lam_min: float
    condition: float
    stability_limit: float


def _frozen(a: Any) -> FloatArray:
    out = np.array(a, dtype=np.float64)
    out.flags.writeable = False
    return out


def curvature(problem: str | Problem, theta: Sequence[float] | None = None) -> Curvature:
    """The Hessian at ``theta`` and what it says about step sizes.

    Parameters
    ----------
    problem
        A `Problem` or a built-in name.
    theta
        The point, one float per parameter (default: the problem's start).

    Returns
    -------
    Curvature
        Hessian, ascending eigenvalues with eigenvectors, λmax, λmin, the
        condition number and the plain gradient-descent stability limit
        ``2/λmax``. A Hessian that is not finite there gives nan everywhere.
    """
    prob = get_problem(problem)
    point = np.asarray(prob.check_start(theta), dtype=np.float64)
    hess = np.asarray(prob.hessian(point), dtype=np.float64).reshape(prob.n_params, prob.n_params)
    if not np.all(np.isfinite(hess)):
        nan = float("nan")
        p = prob.n_params
        return Curvature(_frozen(point), _frozen(hess), _frozen(np.full(p, nan)),
                         _frozen(np.full((p, p), nan)), nan, nan, nan, nan)
    # symmetrise: finite-difference Hessians are only symmetric to rounding
    values, vectors = np.linalg.eigh(0.5 * (hess + hess.T))
    lam_min, lam_max = float(values[0]), float(values[-1])
    condition = math.inf if lam_min == 0.0 else abs(lam_max) / abs(lam_min)
    limit = 2.0 / lam_max if lam_max > 0.0 else math.inf
    return Curvature(_frozen(point), _frozen(hess), _frozen(values), _frozen(vectors),
                     lam_max, lam_min, condition, limit)


def nearest_minimum(problem: str | Problem,
                    start: Sequence[float] | None = None) -> tuple[float, ...] | None:
    """The known minimum (from ``problem.minima``) closest to ``start``, or None."""
    prob = get_problem(problem)
    if not prob.minima:
        return None
    origin = np.asarray(prob.check_start(start))
    minima = np.asarray(prob.minima, dtype=np.float64)
    with np.errstate(over="ignore"):  # a start far out: every distance is inf, any will do
        i = int(np.argmin(np.sum((minima - origin) ** 2, axis=1)))
    return tuple(float(v) for v in minima[i])


def curvature_report(problem: str | Problem,
                     start: Sequence[float] | None = None) -> dict[str, Curvature | None]:
    """Curvature at the start and at the nearest known minimum.

    Parameters
    ----------
    problem
        A `Problem` or a built-in name.
    start
        The start point (default: the problem's own start).

    Returns
    -------
    dict
        ``{"start": Curvature, "minimum": Curvature | None}``; the minimum is the
        known minimum nearest the start, None for problems that list none (a
        valley of minima, a saddle, minima at infinity).
    """
    prob = get_problem(problem)
    at_min = nearest_minimum(prob, start)
    return {
        "start": curvature(prob, start),
        "minimum": None if at_min is None else curvature(prob, at_min),
    }


def sgd_lam_max(report: dict[str, Curvature | None]) -> tuple[float, str]:
    """The λmax that binds plain gradient descent: the larger of the start's
    and the minimum's, with where it was found (``"start"`` or ``"minimum"``).

    A run must pass through both points' neighbourhoods, so the smaller of the
    two stability limits is the one that matters.
    """
    start = report["start"]
    assert start is not None
    best, where = start.lam_max, "start"
    minimum = report.get("minimum")
    if minimum is not None and math.isfinite(minimum.lam_max) and (
        not math.isfinite(best) or minimum.lam_max > best
    ):
        best, where = minimum.lam_max, "minimum"
    return best, where


# ------------------------------------------------------------- the gauge
def sgd_theory(problem: str | Problem, start: Sequence[float] | None = None,
               lrs: dict[str, float] | None = None, measured_edge: float | None = None,
               *, weight_decay: float = 0.0) -> dict[str, Any]:
    """What the curvature predicts for plain gradient descent.

    Parameters
    ----------
    problem
        A `Problem` or a built-in name.
    start
        The start point (default: the problem's own).
    lrs
        Learning rates to place on the gauge, by name (e.g. the presets).
    measured_edge
        The first diverging learning rate a sweep measured, shown beside 2/λmax.
    weight_decay
        SGD's weight decay, which adds itself to every curvature.

    Returns
    -------
    dict
        ``lam_max`` (the larger of the start's and the nearest minimum's, plus
        weight decay), ``stability_limit`` (2/λmax; inf when λmax <= 0),
        ``where`` ("start" or "minimum"), ``lam_max_start``,
        ``lam_max_minimum`` (None without a known minimum), ``weight_decay``,
        ``lr_lam_max`` ({name: lr·λmax}), ``measured_divergence_edge`` and
        ``summary`` (one line of text).
    """
    rep = curvature_report(get_problem(problem), start)
    lam, where = sgd_lam_max(rep)
    lam += weight_decay
    at_start, at_min = rep["start"], rep["minimum"]
    assert at_start is not None
    products = {name: lr * lam for name, lr in (lrs or {}).items()}
    parts = [_theory_head(lam, at_start, at_min, weight_decay)]
    if products:
        parts.append("lr·λmax: " + ", ".join(f"{k} {v:.3g}" for k, v in products.items()))
    if measured_edge is not None:
        parts.append(f"the sweep's first diverging lr is {measured_edge:.4g}")
    return {
        "lam_max": lam,
        "stability_limit": 2.0 / lam if lam > 0 else math.inf,
        "where": where,
        "lam_max_start": at_start.lam_max,
        "lam_max_minimum": None if at_min is None else at_min.lam_max,
        "weight_decay": weight_decay,
        "lr_lam_max": products,
        "measured_divergence_edge": measured_edge,
        "summary": "; ".join(parts) + ".",
    }


def _theory_head(lam: float, at_start: Curvature, at_min: Curvature | None,
                 weight_decay: float) -> str:
    """λmax, where it comes from, and the stability limit it sets, in one clause."""
    head = f"λmax = {lam:.4g} (the larger of {at_start.lam_max:.4g} at the start"
    head += f" and {at_min.lam_max:.4g} at the minimum)" if at_min is not None else \
        "; no known minimum)"
    if weight_decay:
        head += f", plus weight decay {weight_decay:g}"
    if lam > 0:
        return head + f", so plain gradient descent is stable below 2/λmax = {2.0 / lam:.4g}"
    return head + ", so the loss curves downward everywhere we know and no step size is unstable"


def gauge_sentence(lam: float, where: str, lr: float, short: bool = False) -> str:
    """One sentence placing ``lr`` against plain gradient descent's limit 2/λmax.

    ``where`` names the point λmax belongs to ("start" or "minimum"); ``short``
    leaves out the leading "λmax = ... (at the ...)".
    """
    if not math.isfinite(lam):
        return "The curvature is not finite here, so there is no stability limit to compare."
    if lam <= 0:
        return (f"λmax = {lam:.3g} at the {where}: the loss curves downward in every direction "
                "there, so no step size is unstable; bigger steps just go downhill faster.")
    x = lr * lam
    head = "" if short else f"λmax = {lam:.4g} (at the {where}); "
    return head + _gauge_clause(x, 2.0 / lam)


def _gauge_clause(x: float, limit: float) -> str:
    """What a step does along the steepest direction when lr·λmax = ``x``."""
    stable = f"(stable below 2/λmax = {limit:.4g})"
    if x < 1:
        return (f"lr·λmax = {x:.3g} < 1: each step covers {100 * x:.3g}% of the way to the "
                f"bottom along the steepest direction, without overshooting {stable}.")
    if x == 1:
        return ("lr·λmax = 1: each step lands exactly on the bottom along the steepest "
                f"direction {stable}.")
    factor = abs(1.0 - x)
    if x < 2:
        return (f"lr·λmax = {x:.3g}, between 1 and 2: each step overshoots the bottom along "
                "the steepest direction, but by less than it corrects, so the zig-zag "
                f"shrinks {factor:.3g}x per step {stable}.")
    if x == 2:
        return (f"lr·λmax = 2, exactly the stability limit 2/λmax = {limit:.4g}: the "
                "zig-zag along the steepest direction neither grows nor shrinks.")
    return (f"lr·λmax = {x:.3g} > 2: each step overshoots the valley by more than it "
            f"corrects, so the zig-zag along the steepest direction grows {factor:.3g}x per "
            f"step (unstable above 2/λmax = {limit:.4g}).")


# ------------------------------------------------------------- the condition number
CRAWLS = 20.0  # from this κ on, the flattest direction needs at least ~10 steps an e-fold


def valley_condition(curv: Curvature) -> float:
    """κ = λmax/λmin where both walls curve upward; inf where λmin = 0 < λmax (a flat
    direction); nan where the loss curves downward somewhere (κ is then no ratio of
    walls, unlike ``Curvature.condition``, which is |λmax|/|λmin| always)."""
    lo, hi = curv.lam_min, curv.lam_max
    if hi > 0 and lo > 0:
        return hi / lo
    return math.inf if lo == 0 and hi > 0 else math.nan


def condition_sentence(curv: Curvature) -> str:
    """What κ = λmax/λmin means for plain gradient descent at this point, in one sentence.

    Along an eigenvector with eigenvalue λ a step multiplies the error by
    1 − lr·λ. A stable rate needs lr < 2/λmax, so along the flattest direction a
    step removes at most lr·λmin < 2λmin/λmax = 2/κ of the error there: with a
    large κ that direction crawls, needing at least 1/−ln(1 − 2/κ) ≈ κ/2 steps
    for each e-fold, whatever the learning rate.
    """
    lam_max, lam_min = curv.lam_max, curv.lam_min
    if not (math.isfinite(lam_max) and math.isfinite(lam_min)):
        return "The curvature is not finite here, so there is no condition number to give."
    if len(curv.eigenvalues) == 1:
        if lam_max <= 0:
            return (f"With one parameter there is one curvature, λ = {lam_max:.4g} ≤ 0: the "
                    "loss curves downward here, so no step size is unstable.")
        return (f"With one parameter there is one curvature, λ = {lam_max:.4g}, so κ = 1: "
                f"one learning rate suits it, any below 2/λ = {2.0 / lam_max:.4g}.")
    if lam_max <= 0:
        return (f"λmax = {lam_max:.4g} ≤ 0: the loss curves downward in every direction here, "
                "so there is no valley for κ to describe.")
    if lam_min < 0:
        return (f"λmin = {lam_min:.4g} < 0: the loss curves downward along one direction here "
                "(it is saddle-shaped), so κ is no ratio of two valley walls: along that "
                "direction each step carries the run further away, downhill.")
    if lam_min == 0:
        return ("λmin = 0: the loss is flat along one direction here, so κ is infinite: the "
                "gradient has no pull that way here, whatever the learning rate.")
    kappa = lam_max / lam_min
    limit = 2.0 / lam_max
    if kappa < 1.5:
        return (f"κ = λmax/λmin ≈ {kappa:.3g}: the bowl is nearly round here, so one learning "
                f"rate suits every direction: below 2/λmax = {limit:.4g} all of them shrink "
                "about as fast.")
    text = (f"κ = λmax/λmin ≈ {kappa:.3g}: the steep direction needs lr < 2/λmax = "
            f"{limit:.4g}, while the flat one then closes at most 2/κ = {2.0 / kappa:.2g} of its "
            "remaining distance per step")
    if kappa < CRAWLS:
        return text + "."
    steps = math.floor(1.0 / -math.log1p(-2.0 / kappa))
    return text + f", so it crawls: at least {steps} steps for each e-fold of its error."
