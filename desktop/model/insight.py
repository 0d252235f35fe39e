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

import core
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
    at_step: int | None = None  # λmax is the run's own at this step (a network), not theory's


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
        self._curvature: dict[str, Any] | None = None  # core's curvature report at the start
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
                     preset: str | None, at: tuple[int, float, str] | None = None) -> None:
        """The gauge for the learning rate in force; ``at`` = (step, λmax there, how it
        was worked out): the run's own curvature at that step instead of the start's."""
        key = (id(problem), start, cfg.optimizer, repr(sorted(cfg.hyper.items())))
        if key != self._theory_key:
            # the curvature does not depend on the lr: once per problem, start and optimizer
            # (a network's Hessian takes a tenth of a second, a slider passes many lrs)
            try:
                self._curvature = analysis.curvature_report(problem, start)
                self.theory = analysis.theory_of(problem, start, cfg.optimizer,
                                                 dict(cfg.hyper), self._curvature)
            except Exception as exc:  # the gauge is advice; the run goes on
                log.warning("curvature failed: %s", exc)
                self.theory, self._curvature = None, None
            self._theory_key = key
        lr = float(cfg.lr)
        th = self.theory
        if at is not None and math.isfinite(at[1]):
            self.gauge = _followed(lr, at, cfg, th)
            self.gauge_changed.emit(self.gauge)
            return
        reason = analysis.describe_lr(problem, lr, cfg.optimizer, start, dict(cfg.hyper),
                                      self._curvature)
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
        self._surface_job(lambda: analysis.compute_surface(problem, axes, through, path=path),
                          sync)

    def refresh_slice(self, problem: Any, spec: Any, *, sync: bool) -> None:
        """The loss on the plane of ``spec`` (`desktop.model.slicing`): built with its
        surface, at once (a new problem) or in the background."""
        self._surface_job(lambda: analysis.compute_slice(problem, spec), sync)

    def _surface_job(self, work: Any, sync: bool) -> None:
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


def _followed(lr: float, at: tuple[int, float, str], cfg: Any, th: Theory | None) -> Gauge:
    """The gauge at λmax of step ``at[0]`` of the run (a problem without an analytic
    Hessian: its curvature moves as it trains), with a sentence that says so."""
    step, lam, how = at
    ratio = lr * lam
    hyper = dict(cfg.hyper)
    momentum = float(hyper.get("momentum", 0.0) or 0.0)
    plain = cfg.optimizer == "sgd" and momentum == 0.0
    head = f"λmax at step {step} = {lam:.4g} ({how})"
    if lam <= 0:
        reason = (f"{head}: the loss curves downward or not at all in every direction there, "
                  "so no step is too long for it.")
    elif ratio < 2:
        reason = (f"{head}: lr·λmax = {ratio:.3g} < 2, so a plain gradient step shrinks the "
                  f"error along the steepest direction there (stable below 2/λmax = "
                  f"{2 / lam:.4g}).")
    else:
        reason = (f"{head}: lr·λmax = {ratio:.3g} > 2, so a plain gradient step overshoots "
                  f"along the steepest direction there (2/λmax = {2 / lam:.4g}). A network "
                  "can go on training at this edge of stability: its λmax then hovers near "
                  "2/lr.")
    if cfg.optimizer == "sgd" and momentum:
        limit = core.stability_limit(lr, momentum, bool(hyper.get("nesterov", False)))
        reason += (f" With momentum β = {momentum:g} the limit on λmax is {limit:.4g}, so "
                   f"lr·λmax may go up to {lr * limit:.3g}.")
    elif cfg.optimizer != "sgd":
        reason += (f" {cfg.optimizer} rescales every step, so 2 is plain gradient descent's "
                   "limit, not its own.")
    limit = 2.0 / lam if lam > 0 else math.inf
    if th is None:
        return Gauge(lr, lam, limit, ratio, None, reason, f"step {step}", plain_sgd=plain,
                     at_step=step)
    return Gauge(lr, lam, limit, ratio, None, reason, f"step {step}", th.lam_min_start,
                 th.condition, th.condition_text, plain, at_step=step)


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
