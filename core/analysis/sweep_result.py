"""`SweepResult`: what a sweep found for each learning rate, and how to read it.

The statuses (``diverged``, ``oscillating``, ``slow``, ``converged``) are
defined in `core.analysis.sweep`; the sweep loop fills the arrays.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from core.io.atomic import write_to
from core.run.table import format_exact

if TYPE_CHECKING:
    from core._types import FloatArray, IntArray

STATUSES = ("diverged", "oscillating", "slow", "converged")
CSV_COLUMNS = ("lr", "final_loss", "best_loss", "reached_at", "diverged_at", "status")


@dataclass(eq=False)
class SweepResult:
    """Per-learning-rate outcome of a `sweep`; every array has one entry per lr.

    Attributes
    ----------
    lrs
        The learning rates, in the order given.
    final_loss
        Full-data loss of each run's last row (the diverged row for a run that
        diverged, as `Run.final_loss`).
    best_loss
        The lowest loss of each run's rows.
    peak_loss
        The highest loss of each run's rows (above ``loss0``: the run made
        things worse before it got better, or for good).
    reached_at
        First row with ``loss − min_loss <= tol``; -1 if never.
    diverged_at
        Row at which the run diverged; -1 if never.
    status
        ``diverged``, ``oscillating``, ``slow`` or ``converged`` (module docstring).
    loss0
        The loss at the start (the same for every run).
    history
        Losses, shape (steps + 1, R), when asked for (``keep_history``); rows
        after a run diverged are nan.
    """

    lrs: FloatArray
    final_loss: FloatArray
    best_loss: FloatArray
    reached_at: IntArray
    diverged_at: IntArray
    status: np.ndarray
    loss0: float
    history: FloatArray | None = None
    steps: int = 0
    tol: float | None = None
    min_loss: float | None = None
    peak_loss: FloatArray = field(default_factory=lambda: np.zeros(0))
    # the loss never rose from one row to the next (with batches: from one epoch's
    # start to the next); False for a diverged run
    monotone: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    final_params: FloatArray | None = None  # (R, p): each run's last parameters
    optimizer: str = "sgd"
    problem: str = ""

    def __len__(self) -> int:
        return int(self.lrs.size)

    # ------------------------------------------------------------ summaries
    def counts(self) -> dict[str, int]:
        """How many runs ended in each status."""
        return {s: int(np.count_nonzero(self.status == s)) for s in STATUSES}

    @property
    def best_index(self) -> int | None:
        """Index of the best learning rate (None if every run diverged).

        The converged run that reached the tolerance first, preferring runs
        whose loss never went above its start (ties: the middle learning rate
        of the tied ones); if none converged, the run with the lowest final
        loss among those that did not diverge.
        """
        return self.best_among(None)

    def best_among(self, eligible: np.ndarray | None) -> int | None:
        """`best_index` restricted to the runs where ``eligible`` is True."""
        ok = self.diverged_at < 0
        if eligible is not None:
            ok = ok & np.asarray(eligible, dtype=bool)
        conv = ok & (self.status == "converged")
        if conv.any():
            # a run that first blew up and then came back is not "just right"
            calm = conv & (self.peak_loss <= self.loss0)
            pool = calm if calm.any() else conv
            first = int(self.reached_at[pool].min())
            tied = np.flatnonzero(pool & (self.reached_at == first))
            tied = tied[np.argsort(self.lrs[tied], kind="stable")]
            return int(tied[(len(tied) - 1) // 2])
        finals = np.where(ok & ~np.isnan(self.final_loss), self.final_loss, np.inf)
        if not ok.any():
            return None
        return int(np.argmin(finals))

    def divergence_edge(self) -> float | None:
        """The smallest diverging learning rate above the best one (None if none).

        For plain gradient descent on a quadratic this approaches 2/λmax as the
        sweep gets finer and longer (a run just above the limit needs many
        steps to grow its loss 1e12-fold).
        """
        best = self.best_index
        above = self.diverged_at >= 0
        if best is not None:
            above &= self.lrs > self.lrs[best]
        if not above.any():
            return None
        return float(self.lrs[above].min())

    # ------------------------------------------------------------ export
    def write_csv(self, handle: IO[str]) -> None:
        """CSV rows ``lr, final_loss, best_loss, reached_at, diverged_at, status``;
        floats written losslessly (``repr``), ``inf``/``nan`` spelled so."""
        handle.write(",".join(CSV_COLUMNS) + "\n")
        for lr, fin, best, reached, div, status in zip(
            self.lrs.tolist(), self.final_loss.tolist(), self.best_loss.tolist(),
            self.reached_at.tolist(), self.diverged_at.tolist(), self.status.tolist(),
            strict=True,
        ):
            handle.write(f"{format_exact(lr)},{format_exact(fin)},{format_exact(best)},"
                         f"{reached},{div},{status}\n")

    def to_csv(self, path: str | os.PathLike[str] | IO[str]) -> None:
        """Write the CSV to a path (all-or-nothing: temporary file, renamed) or
        to an open text file."""
        write_to(path, self.write_csv)

    # ------------------------------------------------------------ combine
    def concat(self, other: SweepResult) -> SweepResult:
        """Both sweeps' runs in one result, sorted by learning rate (same
        problem, start and steps)."""
        if other.steps != self.steps:
            raise ValueError("can only join sweeps of the same number of steps")
        order = np.argsort(np.concatenate([self.lrs, other.lrs]), kind="stable")

        def join(a: Any, b: Any, axis: int = 0) -> Any:
            if a is None or b is None:
                return None
            return np.concatenate([a, b], axis=axis).take(order, axis=axis)

        return SweepResult(
            lrs=join(self.lrs, other.lrs),
            final_loss=join(self.final_loss, other.final_loss),
            best_loss=join(self.best_loss, other.best_loss),
            reached_at=join(self.reached_at, other.reached_at),
            diverged_at=join(self.diverged_at, other.diverged_at),
            status=join(self.status, other.status),
            loss0=self.loss0,
            history=join(self.history, other.history, axis=1),
            steps=self.steps, tol=self.tol, min_loss=self.min_loss,
            peak_loss=join(self.peak_loss, other.peak_loss),
            monotone=join(self.monotone, other.monotone),
            final_params=join(self.final_params, other.final_params),
            optimizer=self.optimizer, problem=self.problem,
        )


