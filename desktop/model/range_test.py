"""`RangeTestModel`: the learning-rate range test of the knobs in force. No Qt.

One run whose learning rate grows exponentially from 1e-6 to 10 over 100
steps (`core.lr_range_test`, fastai's ``lr_find``), for the problem,
optimizer, hyper-parameters, batches and start in force, worked out in the
background. Its answer belongs to the knobs it was asked for (`RangeKey`):
once they change it is shown as stale until the test is run again. The
sentence under it compares its suggestion with the presets' "just right",
and says why the two can differ.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.model import analysis
from desktop.model.events import Event

if TYPE_CHECKING:
    from desktop.model.jobs import JobRunner

log = logging.getLogger(__name__)

JOB = "range-test"
AGREE = 1.5  # suggestions within this factor of "just right" are said to agree


@dataclass(frozen=True)
class RangeKey:
    """The knobs a range test depends on (not the learning rate: it sweeps its own)."""

    problem: int
    optimizer: str
    hyper: str
    batch: str
    seed: int
    start: tuple[float, ...]


def range_key(problem: Any, cfg: Any, start: tuple[float, ...]) -> RangeKey:
    return RangeKey(id(problem), str(cfg.optimizer), repr(sorted(dict(cfg.hyper).items())),
                    repr(cfg.batch), int(cfg.seed), tuple(start))


def _lr(v: float) -> str:
    return f"{v:.2g}" if v < 1e-3 else f"{v:.3g}"


def _times(factor: float) -> str:
    return f"{factor:.2g}×" if factor < 10 else f"{factor:,.0f}×"


def compare_sentence(test: Any, just_right: float | None, presets_pending: bool) -> str:
    """One sentence: the range test's suggestion beside the sweep's "just right"."""
    valley, steep = test.valley, test.steep
    if valley is None and steep is None:
        return ("The range test found no learning rate at which the loss falls: it suggests "
                "nothing here.")
    pick, name = (valley, "valley") if valley is not None else (steep, "steepest descent")
    head = f"The range test suggests {_lr(pick)} ({name})"
    if steep is not None and valley is not None:
        head += f"; its steepest descent is at {_lr(steep)}"
    if just_right is None or not math.isfinite(just_right) or just_right <= 0:
        tail = ("the sweep's just right is still being worked out" if presets_pending else
                "the sweep has no just right to compare with")
        return f"{head}; {tail}."
    ratio = pick / just_right
    if 1 / AGREE <= ratio <= AGREE:
        return (f"{head}; the sweep's just right is {_lr(just_right)}: they agree within "
                f"{_times(max(ratio, 1 / ratio))}.")
    way = "higher" if just_right > pick else "lower"
    factor = max(ratio, 1 / ratio)
    return (f"{head}; the sweep's just right is {_lr(just_right)}, {_times(factor)} {way}: the "
            "range test reads the first steps of one run whose learning rate keeps growing, "
            "the sweep where each fixed learning rate ends after the whole budget.")


class RangeTestModel:
    """The range test's answer (``result``), the knobs it is for, and whether it runs."""

    def __init__(self, jobs: JobRunner) -> None:
        self.jobs = jobs
        self.changed: Event[None] = Event("range_test.changed")
        self.result: Any = None  # core's RangeTest
        self.key: RangeKey | None = None  # the knobs of ``result`` (or of the test running)
        self.failed = ""
        self.runs = 0  # tests asked for (tests count them)

    @property
    def running(self) -> bool:
        return self.jobs.busy(JOB)

    def stale(self, problem: Any, cfg: Any, start: tuple[float, ...]) -> bool:
        """The answer shown was made for other knobs."""
        return self.result is not None and self.key != range_key(problem, cfg, start)

    def forget(self) -> None:
        """A new problem: no answer."""
        self.jobs.cancel(JOB)
        self.result, self.key, self.failed = None, None, ""
        self.changed.emit(None)

    def request(self, problem: Any, cfg: Any, start: tuple[float, ...]) -> None:
        """Run the range test for these knobs in the background."""
        key = range_key(problem, cfg, start)
        ref = analysis.problem_ref(problem, dict(cfg.options))
        self.runs += 1
        self.failed = ""

        def done(test: Any, k: RangeKey = key) -> None:
            self._on_done(k, test)

        self.jobs.submit(JOB, analysis.compute_range_test, done, self._on_failed,
                         args=(ref, cfg.optimizer, tuple(start), cfg.batch, int(cfg.seed),
                               dict(cfg.hyper)), in_process="analysis")
        self.changed.emit(None)

    def _on_done(self, key: RangeKey, test: Any) -> None:
        self.result, self.key = test, key
        self.changed.emit(None)

    def _on_failed(self, exc: BaseException) -> None:
        log.warning("range test failed: %s", exc)
        self.failed = f"The range test failed: {exc}"
        self.changed.emit(None)
