"""`RunAnalyses`: the sharpness along the run and the learning-rate range test. No Qt.

It owns `SharpnessModel` and `RangeTestModel` and decides when they work:
λmax along the run is asked for once a run settles (and every few tenths of
a second while it plays) when the sharpness plot is in front or the gauge
follows it; the range test only when the user asks. The gauge follows the
run's own λmax (at the step shown) for problems whose curvature has no
formula (a network): there the start's λmax says little about step 500.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

import core
from core import ConfigError
from desktop.model import slicing
from desktop.model.range_test import RangeTestModel, compare_sentence
from desktop.model.sharpness import (
    PRODUCTS,
    SharpnessModel,
    exact_for,
    method_words,
    sample_rows,
)

if TYPE_CHECKING:
    from desktop.model.insight import InsightModel
    from desktop.model.jobs import JobRunner
    from desktop.model.knobs import KnobsModel
    from desktop.model.playback import PlaybackModel
    from desktop.model.selection import SelectionModel


def follows_run(problem: Any) -> bool:
    """Whether the gauge reads λmax off the run (no formula for the curvature, or many
    parameters) instead of the start's theory."""
    return slicing.many_params(problem) or not problem.has_analytic_hessian


LIMIT_POINTS = 512  # the limit curves are drawn through at most this many rows


def limit_lines(cfg: Any, lrs: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The stability limits on λmax at learning rates ``lrs`` (one per row): 2/lr, and
    with momentum core's `stability_limit` (2(1+β)/lr heavy-ball, Nesterov's own)."""
    lrs = np.asarray(lrs, dtype=np.float64)
    with np.errstate(divide="ignore"):
        per_lr = np.where(lrs > 0, 1.0 / lrs, np.inf)
    lines = [("2/lr (plain gradient descent)", 2.0 * per_lr)]
    hyper = dict(cfg.hyper)
    momentum = float(hyper.get("momentum", 0.0) or 0.0)
    if cfg.optimizer == "sgd" and momentum:
        nesterov = bool(hyper.get("nesterov", False))
        # every limit is a number over lr: the one at lr = 1, scaled
        factor = float(core.stability_limit(1.0, momentum, nesterov))
        formula = f"{factor:.3g}/lr" if nesterov else "2(1+β)/lr"
        name = "Nesterov" if nesterov else "heavy-ball"
        lines.append((f"{formula} ({name} momentum β = {momentum:g})", factor * per_lr))
    return lines


class RunAnalyses:
    """The sharpness of the run on screen and the range test of the knobs in force."""

    def __init__(self, jobs: JobRunner, knobs: KnobsModel, playback: PlaybackModel,
                 selection: SelectionModel, insight: InsightModel) -> None:
        self.knobs = knobs
        self.playback = playback
        self.selection = selection
        self.insight = insight
        self.sharpness = SharpnessModel(jobs)
        self.range_test = RangeTestModel(jobs)
        self.sharpness.changed.connect(self._on_sharpness_changed)

    # ------------------------------------------------------------------ sharpness
    @staticmethod
    def method(problem: Any) -> str:
        """How λmax is worked out, in a few words (the legend's)."""
        return ("exact Hessian" if exact_for(problem) else
                f"{PRODUCTS} Hessian-vector products")

    def follows(self) -> bool:
        return follows_run(self.knobs.problem)

    def wanted(self) -> bool:
        return self.sharpness.shown or follows_run(self.knobs.problem)

    def current_row(self) -> int:
        """The row the gauge speaks of: the selected step, else the newest."""
        n = self.playback.drawable_rows()
        k = self.selection.step
        return k if 0 <= k < n else n - 1

    def request_sharpness(self) -> None:
        if self.wanted():
            row = self.current_row()
            self.sharpness.request(self.playback.trainer, self.playback.drawable_rows(),
                                   (row,) if row >= 0 else ())

    def tick(self, dt: float) -> None:
        """A frame while the run plays."""
        if self.wanted() and self.playback.playing:
            self.sharpness.tick(dt, self.playback.trainer, self.playback.drawable_rows())

    def sharpness_plot(self) -> tuple[Any, Any, Any, list[tuple[str, Any]]]:
        """(rows, λmax there, the steps of the limit curves, the limit curves)."""
        t = self.playback.trainer
        n = self.playback.drawable_rows()
        if t is None or n <= 0:
            empty = np.empty(0)
            return empty, empty, empty, []
        rows, lam = self.sharpness.data(t, n, (self.current_row(),))
        steps = sample_rows(n, LIMIT_POINTS)
        lrs = np.asarray(t.table["lr"])[steps]
        return rows, lam, steps, limit_lines(t.config, lrs)

    def sharpness_caption(self) -> str:
        """One sentence on the sharpness plot, true of the run on screen."""
        t = self.playback.trainer
        sh = self.sharpness
        if sh.failed:
            return sh.failed
        if t is None:
            return ""
        rows, lam = sh.data(t, self.playback.drawable_rows(), (self.current_row(),))
        how = method_words(t.problem)
        if rows.size == 0:
            return f"Working out λmax along the run ({how})…"
        last, value = int(rows[-1]), float(lam[-1])
        lr = float(t.table["lr"][last])
        text = (f"λmax at {rows.size} rows of the run ({how}); at step {last} λmax = "
                f"{value:.4g}, lr·λmax = {lr * value:.3g}. Plain gradient descent is stable "
                "along the sharpest direction while λmax stays below 2/lr.")
        if t.config.optimizer != "sgd":
            text += (f" {t.config.optimizer} rescales its steps: 2/lr is plain gradient "
                     "descent's limit, not its own.")
        if sh.busy:
            text += " More rows are being worked out…"
        return text

    def gauge_at(self) -> tuple[int, float, str] | None:
        """(step, λmax there, how) for the gauge: the newest known at or before the row
        shown, of the run on screen (None: the start's theory speaks)."""
        problem = self.knobs.problem
        t = self.playback.trainer
        if not follows_run(problem) or t is None:
            return None
        known = self.sharpness.at_or_before(t, self.current_row())
        return None if known is None else (known[0], known[1], method_words(problem))

    def update_gauge(self) -> None:
        k = self.knobs
        self.insight.update_gauge(k.problem, k.config, k.start, k.preset, self.gauge_at())

    def _on_sharpness_changed(self, _none: None) -> None:
        if follows_run(self.knobs.problem):
            self.update_gauge()

    # ------------------------------------------------------------------ range test
    def run_range_test(self) -> None:
        """The range test for the knobs in force, in the background."""
        k = self.knobs
        self.range_test.request(k.problem, k.config, k.start)

    def use_lr(self, which: str) -> None:
        """Put the range test's ``which`` suggestion ("valley" or "steep") in force; a
        `ConfigError` says why not (nothing changes)."""
        if which not in ("valley", "steep"):
            raise ConfigError(f"unknown suggestion {which!r}; choose valley or steep")
        result = self.range_test.result
        lr = None if result is None else getattr(result, which)
        if lr is None:
            raise ConfigError("the range test has no such suggestion: run it first"
                              if result is None else
                              f"the range test found no {which} learning rate here")
        self.knobs.set_lr(float(lr))

    def range_sentence(self) -> str:
        """What the range test found, beside the presets' just right; stale once the knobs
        it was run for changed."""
        rt = self.range_test
        k = self.knobs
        if rt.failed:
            return rt.failed
        if rt.running:
            return "The range test is running: one run, lr from 1e-6 up to 10 over 100 steps…"
        if rt.result is None:
            return ("Run the range test: one run whose learning rate grows from 1e-6 to 10 "
                    "over 100 steps, for the knobs in force.")
        just_right = self.insight.preset_lrs().get("just-right")
        pending = self.insight.presets is None and not self.insight.presets_failed
        text = compare_sentence(rt.result, just_right, pending)
        if rt.stale(k.problem, k.config, k.start):
            text = ("Stale: the knobs changed since this range test ran (run it again). "
                    + text)
        return text

    def forget(self) -> None:
        self.sharpness.forget()
        self.range_test.forget()
