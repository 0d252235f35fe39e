"""When a run stops early: the divergence rule and the tolerance, written once.

A row diverges when its loss, a parameter or a gradient component is not
finite, or its loss exceeds ``max(1e12·loss₀, 1e12)`` (loss₀ the first row's);
the run ends there as ``diverged`` and keeps that row. A row whose loss is
within ``tol`` of the problem's lowest loss ends it as ``converged``.

The trainer asks once per row (one float each), the sweep once per row for
all its runs (a numpy array or a torch tensor of them): the functions use
only comparisons and arithmetic, so the same code answers for all three.
"""

from __future__ import annotations

import math
from typing import Any

DIVERGENCE_FACTOR = 1e12


def divergence_limit(loss0: float) -> float:
    """The loss above which a row has diverged, from the first row's loss.

    No limit (inf) while the first loss is not finite: that row has diverged
    already, by the finiteness test.
    """
    if math.isfinite(loss0):
        return max(DIVERGENCE_FACTOR * loss0, DIVERGENCE_FACTOR)
    return math.inf


def within_limits(loss: Any, total: Any, limit: float) -> Any:
    """True where a row has not diverged (elementwise for arrays and tensors).

    ``total`` is ``loss + Σ grad + Σ params`` of the row: it is not finite
    when one of its terms is not (``t − t`` is nan for inf and nan), so one
    sum tests them all.
    """
    return (loss <= limit) & (total - total == 0.0)


def reached(loss: Any, min_loss: float, tol: float) -> Any:
    """True where the loss is within ``tol`` of the lowest loss ``min_loss``."""
    # loss − 0.0 is the loss itself: on a sweep's block of losses, a pass saved
    return (loss if min_loss == 0.0 else loss - min_loss) <= tol
