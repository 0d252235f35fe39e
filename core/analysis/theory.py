"""Plain gradient descent's stability numbers for one run: λmax, 2/λmax, where they bind.

What the window's gauge and status sentence and the command line's verdict
read about a problem, its start and its optimizer. None of it depends on the
learning rate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.analysis.curvature import (
    condition_sentence,
    curvature,
    curvature_report,
    valley_condition,
)
from core.errors import ConfigError

if TYPE_CHECKING:
    from core.problems.base import Problem


@dataclass(frozen=True)
class Theory:
    """Plain gradient descent's stability numbers for one problem, start and optimizer.

    ``lam_max`` binds (the larger of the start's and the nearest minimum's,
    plus SGD's weight decay); ``limit`` is 2/λmax (inf where the loss curves
    downward). They do not depend on the learning rate.
    """

    lam_max: float
    limit: float
    where: str  # "start" or "minimum"
    lam_start: float
    lam_minimum: float | None
    plain_sgd: bool  # SGD without momentum: the 2/λmax rule is its own
    # the start's flattest curvature, κ = λmax/λmin there and what κ means (one sentence)
    lam_min_start: float = math.nan
    condition: float = math.nan
    condition_text: str = ""

    def ratio(self, lr: float) -> float:
        return float(lr) * self.lam_max


def theory_of(problem: Problem, start: Sequence[float], optimizer: str,
              hyper: dict[str, Any], report: dict[str, Any] | None = None) -> Theory | None:
    """λmax at the start and at the nearest minimum, and 2/λmax (None if not finite);
    ``report``: the `curvature_report` at ``start``, when the caller has it."""
    if report is None:
        report = curvature_report(problem, tuple(start))
    at_start, at_min = report["start"], report.get("minimum")
    assert at_start is not None
    lam_start = float(at_start.lam_max)
    lam_min = None if at_min is None else float(at_min.lam_max)
    if not math.isfinite(lam_start):
        return None
    lam, where = lam_start, "start"
    if lam_min is not None and math.isfinite(lam_min) and lam_min > lam:
        lam, where = lam_min, "minimum"
    # plain gradient descent: SGD without momentum (momentum moves the limit)
    plain = optimizer == "sgd" and not float(hyper.get("momentum", 0.0) or 0.0)
    if optimizer == "sgd":
        lam += float(hyper.get("weight_decay", 0.0) or 0.0)
    limit = 2.0 / lam if lam > 0 else math.inf
    return Theory(lam, limit, where, lam_start, lam_min, plain, float(at_start.lam_min),
                  valley_condition(at_start), condition_sentence(at_start))


def _eigen_at(problem: Problem, point: Any, which: str) -> float | None:
    try:
        lam = float(getattr(curvature(problem, tuple(float(v) for v in point)), which))
    except (ConfigError, ValueError, FloatingPointError):
        return None
    return lam if math.isfinite(lam) else None


def lam_max_at(problem: Problem, point: Any) -> float | None:
    """λmax of the loss at ``point`` (None where the Hessian is not finite)."""
    return _eigen_at(problem, point, "lam_max")


def lam_min_at(problem: Problem, point: Any) -> float | None:
    """λmin of the loss at ``point`` (None where the Hessian is not finite)."""
    return _eigen_at(problem, point, "lam_min")
