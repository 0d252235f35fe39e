"""`InsightModel`: what core says about the knobs: the gauge, the presets, the sweep, the surface.

The gauge (λmax, 2/λmax, lr·λmax and core's sentence about this learning
rate) follows the learning-rate knob at once; the curvature behind it is
worked out once per problem, start and optimizer. The presets (with their
sweep) come from a worker; only the newest answer is kept. The surface is
computed at once for a new problem and in the background for a slice that
follows the run (problems with more than two parameters).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

from core import Theory
from desktop.model import analysis
from desktop.model.analysis import SurfaceData, Unavailable
from desktop.model.events import Event
from desktop.model.jobs import JobRunner

log = logging.getLogger(__name__)

PRESET_WORDS = {"too-small": "Too small", "just-right": "Just right", "too-big": "Too big"}


@dataclass(frozen=True)
class Gauge:
    """The stability gauge of the learning-rate strip, for the learning rate in force."""

    lr: float
    lam_max: float | None
    limit: float | None  # 2/λmax for plain gradient descent
    ratio: float | None  # lr·λmax
    ratio_minimum: float | None  # lr·λmax at the nearest minimum (where the run should end)
    reason: str
    where: str = ""  # where λmax binds: "start" or "minimum"
    lam_min: float | None = None  # the flattest curvature at the start
    condition: float | None = None  # κ = λmax/λmin at the start (nan where λmin < 0)
    condition_text: str = ""  # what κ means for this problem, one sentence
    plain_sgd: bool = True  # the optimizer is plain gradient descent, whose rule κ speaks of


class InsightModel:
    """Theory, gauge, presets, sweep and surface; events say which one changed."""

    def __init__(self, jobs: JobRunner) -> None:
        self.jobs = jobs
        self.theory: Theory | None = None
        self.gauge = Gauge(0.0, None, None, None, None, "")
        self.presets: Any = None  # core's PresetReport, or None while it is worked out
        self.surface: SurfaceData | None = None
        self.presets_failed = ""
        self._theory_key: Any = None
        self.gauge_changed: Event[Gauge] = Event("insight.gauge_changed")
        self.presets_changed: Event[Any] = Event("insight.presets_changed")
        self.known: dict[str, float] | None = None  # the shipped presets, when the knobs allow
        self.surface_changed: Event[SurfaceData | None] = Event("insight.surface_changed")
        self.message: Event[str] = Event("insight.message")  # something to tell the user

    @property
    def sweep(self) -> Any:
        return getattr(self.presets, "sweep", None)

    def preset_lrs(self) -> dict[str, float]:
        """The presets' learning rates: the worked-out report's, or until it comes, the
        shipped ones of a built-in problem at its defaults (the same numbers)."""
        if self.presets is not None:
            return analysis.preset_lrs(self.presets)
        return dict(self.known or {})

    # ------------------------------------------------------------------ a new problem
    def forget(self) -> None:
        """A new problem: nothing known about it yet."""
        for kind in ("presets", "surface"):
            self.jobs.cancel(kind)
        self.theory, self._theory_key = None, None
        self.surface = None
        self.presets_failed = ""
        self.known = None
        if self.presets is not None:
            self.presets = None
            self.presets_changed.emit(None)

    # ------------------------------------------------------------------ the gauge
    def update_gauge(self, problem: Any, cfg: Any, start: tuple[float, ...],
                     preset: str | None) -> None:
        key = (id(problem), start, cfg.optimizer, repr(sorted(cfg.hyper.items())))
        if key != self._theory_key:
            try:
                self.theory = analysis.theory_of(problem, start, cfg.optimizer, dict(cfg.hyper))
            except Exception as exc:  # the gauge is advice; the run goes on
                log.warning("curvature failed: %s", exc)
                self.theory = None
            self._theory_key = key
        lr = float(cfg.lr)
        reason = analysis.describe_lr(problem, lr, cfg.optimizer, start, dict(cfg.hyper))
        th = self.theory
        at_min = None if th is None or th.lam_minimum is None else lr * th.lam_minimum
        if th is not None:
            reason += _falls_note(th, lr, at_min)
        lrs = self.preset_lrs()
        if preset is not None and lrs.get(preset) == lr:
            why = analysis.preset_reasons(self.presets).get(preset)
            if why:  # the preset's own reason says it all, in core's words
                reason = f"{PRESET_WORDS[preset]}: {why}"
        if th is None:
            self.gauge = Gauge(lr, None, None, None, None, reason)
        else:
            self.gauge = Gauge(lr, th.lam_max, th.limit, th.ratio(lr), at_min, reason,
                               th.where, th.lam_min_start, th.condition, th.condition_text,
                               th.plain_sgd)
        self.gauge_changed.emit(self.gauge)

    # ------------------------------------------------------------------ presets
    def request_presets(self, problem: Any, cfg: Any, start: tuple[float, ...]) -> None:
        ref = analysis.problem_ref(problem, dict(cfg.options))
        self.presets_failed = ""
        own_start = tuple(start) == tuple(problem.start)
        self.known = analysis.known_presets(problem, cfg.optimizer,
                                            None if own_start else start, **dict(cfg.hyper))
        self.presets = None
        # the buttons show the shipped numbers at once, or wait for the worked-out ones
        self.presets_changed.emit(None)
        self.jobs.submit("presets", analysis.compute_presets, self._on_presets_done,
                         self._on_presets_failed,
                         args=(ref, cfg.optimizer, start, dict(cfg.hyper)), in_process=True)

    def _on_presets_done(self, report: Any) -> None:
        self.presets = report
        self.presets_changed.emit(report)

    def _on_presets_failed(self, exc: BaseException) -> None:
        self.presets = None
        self.presets_failed = f"Could not work out the presets for this problem: {exc}"
        self.presets_changed.emit(None)
        if not isinstance(exc, Unavailable):
            self.message.emit(self.presets_failed)

    # ------------------------------------------------------------------ surface
    def refresh_surface(self, problem: Any, axes: tuple[int, int],
                        through: tuple[float, ...] | None, path: Any, *, sync: bool) -> None:
        def work() -> SurfaceData:
            return analysis.compute_surface(problem, axes, through, path=path)

        if sync:
            self.jobs.cancel("surface")
            try:
                self._on_surface_done(work())
            except Exception as exc:
                self._on_surface_failed(exc)
        else:
            self.jobs.submit("surface", work, self._on_surface_done, self._on_surface_failed)

    def _on_surface_done(self, surface: SurfaceData) -> None:
        self.surface = surface
        self.surface_changed.emit(surface)

    def _on_surface_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, Unavailable):
            log.warning("surface failed: %s", exc)
        self.surface = None
        self.surface_changed.emit(None)


def _falls_note(th: Theory, lr: float, at_min: float | None) -> str:
    """Where lr·λmax > 2 at the start but < 2 at the minimum, say that the run can still
    settle: the curvature falls along the way."""
    if not th.plain_sgd or at_min is None or not math.isfinite(th.lam_start):
        return ""
    at_start = lr * th.lam_start
    if at_start > 2 > at_min:
        return (f" Along the way the curvature falls to λmax = {th.lam_minimum:.4g} at the "
                f"minimum, where lr·λmax = {at_min:.3g} < 2: the first steps zig-zag, yet the "
                "run can still settle there.")
    return ""
