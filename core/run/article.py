"""The seed articles' own printed loss, as the step-table column ``article_loss``.

The per-sample loops of seed 001 (glasses-vs-ring) and seed 002 (and-gate)
do not print our ``loss`` (half the squared error, averaged over the data at
one point). Each adds up, over an epoch, the squared error of every sample
at the weights just before that sample's update, and prints the total at the
end of the epoch: seed 001 ``total_loss`` itself, seed 002 ``total_loss/4``.

``article_loss`` is that running total as the article's loop holds it after
the row's own sample: on the last row of epoch e (step 4e + 3) it is exactly
what the article prints for epoch e, and on the rows before it the partial
sum so far. It is worked out per chunk of rows from their parameters (the
loss of each row's own sample, then a running sum within each epoch), so the
step loop does nothing for it. The other seed articles print our ``loss``
itself (seeds 002's single weight and 003: the squared error of their one
point; seed 004: torch's MSE), so they get no extra column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.xp import NUMPY

if TYPE_CHECKING:
    from core._types import FloatArray, IntArray
    from core.problems.base import Problem
    from core.run.batches import BatchPlan

ARTICLE_COLUMN = "article_loss"
ARTICLE_DESCRIPTION = (
    "The seed article's own loss as its loop prints it: the running total over the epoch "
    "of each sample's squared error, at the weights before that sample's update (seed 002 "
    "divides it by 4). On an epoch's last row it is the article's line for that epoch; "
    "'loss' is half the mean squared error over all the data at this row's weights.")


def article_factor(problem: Problem, plan: BatchPlan) -> float | None:
    """The factor from our per-sample loss to what the article adds up, where the run
    follows the article's loop (one sample per update, in order); else None."""
    factor = problem.article_loss_factor
    if factor is None or plan.mode != "sample" or problem.data is None:
        return None
    return float(factor)


def article_losses(problem: Problem, factor: float, params: FloatArray, ks: IntArray,
                   carry: float) -> FloatArray:
    """``article_loss`` of rows ``ks`` (consecutive update indices) at ``params`` (m, p).

    ``carry`` is the column's value on the row before ``ks[0]`` (used when the
    chunk starts inside an epoch). The sum runs in the loop's order, so each
    value is the article's ``total_loss += loss`` to rounding.
    """
    data = problem.data
    assert data is not None
    n, m = len(data), len(ks)
    pos = np.asarray(ks) % n
    own = np.empty(m)
    with np.errstate(all="ignore"):
        for i in range(n):  # the rows of each sample, in one vectorised call
            rows = pos == i
            if rows.any():
                comps = tuple(np.ascontiguousarray(params[rows].T))
                own[rows] = problem.loss_c(NUMPY, comps, data.take(slice(i, i + 1)))
    first = int(pos[0]) if m else 0
    # lay the chunk out as whole epochs, one per line: a running sum along each line
    # is the loop's sequential total; the carry opens the first, partial epoch
    epochs = -(-(first + m) // n)
    lines = np.zeros(epochs * n)
    lines[first:first + m] = factor * own
    if first:
        lines[first - 1] = carry
    return np.cumsum(lines.reshape(epochs, n), axis=1).ravel()[first:first + m]
