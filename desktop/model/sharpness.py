"""`SharpnessModel`: λmax of the loss's Hessian along the run on screen. No Qt.

λmax is worked out in a background worker process (`core.sharpness`: the
Hessian's eigenvalues where it is known and small, else 20 Hessian-vector
products and Lanczos, ~4 ms on a network) at most `MAX_SAMPLES` rows of the
run: rows 0, s, 2s, … for the smallest power of two s that keeps them that
few, and the last row (and the row selected in the table). When the run
doubles, s doubles and the rows kept are a subset of those computed, so the
values are cached per run and only new rows are ever sent. One job is in
flight at a time: a request while one runs waits for it (a newer request
would otherwise drop the older one's answer, and while playing none would
ever arrive).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np

from core.run.sharpness import EXACT_PARAMS
from desktop.model import analysis
from desktop.model.events import Event
from desktop.model.slicing import param_rows

if TYPE_CHECKING:
    from desktop.model.jobs import JobRunner

log = logging.getLogger(__name__)

MAX_SAMPLES = 100
LIVE_EVERY_S = 0.3  # while playing, λmax of the rows so far at most this often
PRODUCTS = 20  # Hessian-vector products per estimate (core's default)
JOB = "sharpness"


def sample_rows(n: int, limit: int = MAX_SAMPLES) -> np.ndarray:
    """Rows 0, s, 2s, … of ``n`` rows (s a power of two) and the last: at most ``limit``."""
    if n <= 0:
        return np.empty(0, dtype=np.int64)
    s = 1
    while (n - 1) // s + 2 > limit:
        s *= 2
    rows = np.arange(0, n, s, dtype=np.int64)
    return rows if rows[-1] == n - 1 else np.append(rows, n - 1)


def exact_for(problem: Any) -> bool:
    """Whether λmax is the Hessian's own eigenvalue (else Lanczos on 20 products)."""
    return bool(problem.n_params <= EXACT_PARAMS and problem.has_analytic_hessian)


def method_words(problem: Any) -> str:
    return ("the Hessian's largest eigenvalue" if exact_for(problem) else
            f"{PRODUCTS} Hessian-vector products and Lanczos")


class SharpnessModel:
    """λmax at sampled rows of the current run; ``changed`` when values arrive."""

    def __init__(self, jobs: JobRunner) -> None:
        self.jobs = jobs
        self.changed: Event[None] = Event("sharpness.changed")
        self.shown = False  # the sharpness plot is in front (the gauge may want it too)
        self.failed = ""
        self.computed = 0  # rows worked out in all (tests count the work)
        self._trainer: Any = None
        self._values: dict[int, float] = {}
        self._want: tuple[Any, int, tuple[int, ...]] | None = None
        self._since = 0.0

    # ------------------------------------------------------------------ reading
    def data(self, trainer: Any, n: int, extra: tuple[int, ...] = ()) -> tuple[np.ndarray,
                                                                                np.ndarray]:
        """(rows, λmax) known among the sampled rows of the first ``n`` rows (and ``extra``)."""
        if trainer is not self._trainer or n <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0)
        rows = sorted({*sample_rows(n).tolist(), *(r for r in extra if 0 <= r < n)})
        known = [r for r in rows if r in self._values]
        return np.asarray(known, dtype=np.int64), np.array([self._values[r] for r in known])

    def at_or_before(self, trainer: Any, row: int) -> tuple[int, float] | None:
        """The newest row at or before ``row`` whose λmax is known (and that λmax)."""
        if trainer is not self._trainer:
            return None
        best = max((r for r, v in self._values.items() if r <= row and np.isfinite(v)),
                   default=None)
        return None if best is None else (best, self._values[best])

    @property
    def busy(self) -> bool:
        return self.jobs.busy(JOB)

    # ------------------------------------------------------------------ asking
    def forget(self) -> None:
        """A new problem: nothing known."""
        self.jobs.cancel(JOB)
        self._trainer, self._values, self._want = None, {}, None
        self.failed = ""
        self.changed.emit(None)

    def request(self, trainer: Any, n: int, extra: tuple[int, ...] = ()) -> None:
        """λmax at the sampled rows of the first ``n`` rows of ``trainer`` (and ``extra``)."""
        if trainer is None or n <= 0:
            return
        self._since = 0.0
        self._want = (trainer, n, tuple(extra))
        if not self.jobs.busy(JOB):
            self._submit()

    def tick(self, dt: float, trainer: Any, n: int, extra: tuple[int, ...] = ()) -> None:
        """A frame while playing: ask for the rows so far every `LIVE_EVERY_S` seconds."""
        self._since += dt
        if self._since >= LIVE_EVERY_S and not self.jobs.busy(JOB):
            self.request(trainer, n, extra)

    def _submit(self) -> None:
        want, self._want = self._want, None
        if want is None:
            return
        trainer, n, extra = want
        if trainer is not self._trainer:
            self._trainer, self._values = trainer, {}
        rows = sorted({*sample_rows(n).tolist(), *(r for r in extra if 0 <= r < n)})
        todo = [r for r in rows if r not in self._values]
        if not todo:
            return
        problem = trainer.problem
        thetas = param_rows(trainer.table, tuple(problem.param_names), np.asarray(todo))
        ref = analysis.problem_ref(problem, dict(trainer.config.options))

        def done(lams: Any, t: Any = trainer, asked: list[int] = todo) -> None:
            self._on_done(t, asked, lams)

        self.jobs.submit(JOB, analysis.compute_sharpness, done, self._on_failed,
                         args=(ref, thetas, PRODUCTS), in_process="analysis")

    def _on_done(self, trainer: Any, rows: list[int], lams: Any) -> None:
        if trainer is self._trainer:
            self._values.update(zip(rows, (float(v) for v in lams), strict=True))
            self.computed += len(rows)
            self.failed = ""
            self.changed.emit(None)
        self._submit()  # what was asked for while this job ran

    def _on_failed(self, exc: BaseException) -> None:
        log.warning("sharpness failed: %s", exc)
        self.failed = f"λmax could not be worked out: {exc}"
        self.changed.emit(None)
