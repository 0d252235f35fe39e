"""`PanelBinder`: the panels' edits go to the controller; the controller's state comes back.

A knob the controller refuses (a `ConfigError`) shows its message next to the
field and changes nothing; model-to-widget writes happen with the widgets'
signals blocked inside the panels, so they never echo back as edits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from core import ConfigError
from desktop.controller import analysis

log = logging.getLogger(__name__)


class PanelBinder(QObject):
    def __init__(self, controller: Any, panels: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.c = controller
        self.p = panels
        self._shown: dict[str, Any] = {}
        self._connect_edits()
        c = controller
        c.problemChanged.connect(self._on_controller_problem_changed)
        c.knobsChanged.connect(self._on_controller_knobs_changed)
        c.gaugeChanged.connect(self._on_controller_gauge_changed)
        c.presetsChanged.connect(self._on_controller_presets_changed)
        c.playingChanged.connect(self.p.run.show_playing)

    def _connect_edits(self) -> None:
        c, p = self.c, self.p
        p.problem.problemPicked.connect(self._on_problem_picked)
        p.problem.optionsEdited.connect(self._on_problem_options_edited)
        p.problem.startEdited.connect(
            lambda v: self._apply(p.problem.show_start_error, c.set_start, v))
        p.problem.axesPicked.connect(
            lambda i, j: self._apply(p.problem.show_start_error, c.set_display_axes, i, j,
                                     restore=True))
        p.optimizer.optimizerEdited.connect(
            lambda name, hyper: self._apply(p.optimizer.show_error, c.set_optimizer, name,
                                            **hyper))
        p.lr.lrEdited.connect(lambda lr: self._apply(p.lr.show_lr_error, c.set_lr, lr))
        p.lr.presetClicked.connect(c.apply_preset)
        p.lr.halveClicked.connect(c.halve_lr)
        s = p.schedule
        s.scheduleEdited.connect(
            lambda spec: self._apply(s.schedule_error.show_error, c.set_schedule, spec))
        s.batchEdited.connect(
            lambda b: self._apply(s.batch_error.show_error, c.set_batch, b, restore=True))
        s.seedEdited.connect(lambda v: self._apply(s.batch_error.show_error, c.set_seed, v))
        s.backendEdited.connect(self._on_schedule_backend_edited)
        r = p.run
        r.playClicked.connect(c.toggle_play)
        r.stepClicked.connect(c.step_once)
        r.resetClicked.connect(c.reset)
        r.speedEdited.connect(c.set_speed)
        r.stepsEdited.connect(lambda n: self._apply(self._steps_error, c.set_steps, n))
        r.compareClicked.connect(c.compare_presets)
        r.pinClicked.connect(c.pin_current_run)
        r.clearClicked.connect(c.clear_compare)

    def _apply(self, show_error: Callable[[str], None], fn: Callable[..., Any], *args: Any,
               restore: bool = False, **kwargs: Any) -> bool:
        """Call the setter; on a ConfigError show its message and change nothing.

        The typed text stays in its field so it can be corrected; with
        ``restore`` (combo boxes) the widgets go back to the values in force.
        """
        try:
            fn(*args, **kwargs)
        except ConfigError as exc:
            if restore:
                self._show_knobs(force=True)
            show_error(str(exc))
            return False
        show_error("")
        return True

    def _steps_error(self, message: str) -> None:
        if message:
            self.c.show_message(message)

    # ------------------------------------------------------------ edits
    def _on_problem_picked(self, name: str) -> None:
        self._apply(self.p.problem.show_start_error, self.c.set_problem, name)

    def _on_problem_options_edited(self, options: dict[str, Any]) -> None:
        def show(message: str) -> None:
            key = next((k for k in options if k in message), "")
            self.p.problem.show_option_error(key, message)

        self._apply(show, self.c.set_problem, self.c.problem.name, **options)

    def _on_schedule_backend_edited(self, backend: str, device: str) -> None:
        self._apply(self.p.schedule.backend_error.show_error, self.c.set_backend, backend, device,
                    restore=True)

    # ------------------------------------------------------------ model -> view
    def _on_controller_problem_changed(self) -> None:
        c = self.c
        start = tuple(c.config.start or c.problem.start)
        self.p.problem.show_problem(c.problem, dict(c.config.options), start, c.display_axes)
        self.p.lr.show_presets({}, {})
        self._show_knobs(force=True)

    def _on_controller_knobs_changed(self) -> None:
        self._show_knobs()

    def _show_knobs(self, force: bool = False) -> None:
        c, p = self.c, self.p
        cfg = c.config
        now = {
            "lr": cfg.lr,
            "optimizer": (cfg.optimizer, repr(cfg.hyper)),
            "schedule": (repr(cfg.schedule), cfg.batch, cfg.seed, cfg.backend, cfg.device,
                         cfg.steps, c.problem.name),
            "run": (c.speed, cfg.steps),
            "start": (cfg.start, c.display_axes),
        }
        changed = {k for k, v in now.items() if force or self._shown.get(k) != v}
        self._shown = now
        if "lr" in changed:
            p.lr.show_lr(cfg.lr)
        if "optimizer" in changed:
            p.optimizer.show_optimizer(cfg.optimizer, dict(cfg.hyper))
        if "schedule" in changed:
            p.schedule.show_config(cfg, c.problem.n_samples)
        if "run" in changed:
            p.run.show_speed(c.speed)
            p.run.show_steps(cfg.steps)
        if "start" in changed:
            p.problem.show_start(tuple(cfg.start or c.problem.start))
            if c.problem.n_params > 2:
                p.problem.show_axes(c.display_axes)

    def _on_controller_gauge_changed(self) -> None:
        g = self.c.gauge
        self.p.lr.show_gauge(g.lam_max, g.limit, g.lr_lam, g.reason)

    def _on_controller_presets_changed(self) -> None:
        report = self.c.presets
        if report is None:
            self.p.lr.show_presets({}, {})
            return
        self.p.lr.show_presets(analysis.preset_lrs(report), analysis.preset_reasons(report))
