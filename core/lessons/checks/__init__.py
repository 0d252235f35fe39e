"""The checks behind the lessons' "what happens here": each recomputes its fact.

Every check runs `core.train` (and, where the article's own loop differs from
a step table, that loop in plain Python) and returns a `ClaimResult` whose
text carries the computed numbers. The article's printed numbers enter only
as quotes from the lesson file, never as facts.
"""

from __future__ import annotations

from collections.abc import Callable

from core.lessons.checks.common import Quotes
from core.lessons.checks.houses import houses_after_100, houses_normalised, houses_unscaled
from core.lessons.checks.line import (
    backward_is_slope,
    in_sync,
    row5_rounding,
    smaller_steps,
    which_line,
    zero_grad,
)
from core.lessons.checks.neurons import (
    and_big_lr,
    and_printed_loss,
    final_weight,
    glasses_big_lr,
    glasses_epoch0,
    glasses_epoch99,
    glasses_test_device,
    gradient_sign,
    half_squared_error,
    print_pairs,
)
from core.lessons.model import ClaimResult

CHECKS: dict[str, Callable[[Quotes], ClaimResult]] = {
    "seed000-zero-grad": zero_grad,
    "seed000-backward": backward_is_slope,
    "seed001-epoch0": glasses_epoch0,
    "seed001-epoch99": glasses_epoch99,
    "seed001-test-device": glasses_test_device,
    "seed001-lr-0.9": glasses_big_lr,
    "seed002-print-pairs": print_pairs,
    "seed002-final-weight": final_weight,
    "seed002-gradient-sign": gradient_sign,
    "seed002-half-squared-error": half_squared_error,
    "seed002-printed-loss": and_printed_loss,
    "seed002-lr-too-high": and_big_lr,
    "seed003-row5": row5_rounding,
    "seed003-in-sync": in_sync,
    "seed003-smaller-steps": smaller_steps,
    "seed003-which-line": which_line,
    "seed004-after-100": houses_after_100,
    "seed004-unscaled": houses_unscaled,
    "seed004-normalised": houses_normalised,
}
