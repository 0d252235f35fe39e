"""The analysis half of the controller: surface, stability gauge, presets, torch loading."""

from __future__ import annotations

import logging
from typing import Any

from core import ConfigError
from desktop.controller import analysis
from desktop.controller.analysis import Gauge, Unavailable

log = logging.getLogger(__name__)

PRESET_WORDS = {"too-small": "Too small", "just-right": "Just right", "too-big": "Too big"}


class InsightMixin:
    """Asks core about the problem (in the background where slow). Mixed into `Controller`."""

    def _install(self, problem: Any, cfg: Any, axes: tuple[int, int]) -> None:
        self.pause()
        for kind in ("presets", "compare", "surface"):
            self.jobs.cancel(kind)
        self.problem, self.config, self.display_axes = problem, cfg, axes
        self.trainer = None  # the old run's table has the old problem's columns
        self.presets = self.sweep = self.surface = None
        self.compare_runs = []
        self.selected_row = -1
        self._applied_preset = None
        self._surface_path = None
        self._theory_key = None
        self.problemChanged.emit()
        self.knobsChanged.emit()
        if self._started:
            self._load_analysis()
            self._rebuild(self._full_rows())

    def _load_analysis(self) -> None:
        self._refresh_surface(sync=True)
        self._refresh_gauge()
        self._presets_timer.start()  # next loop pass: starting the worker takes ~30 ms

    def _current_point(self) -> tuple[float, ...]:
        n = self.drawable_rows()
        if n == 0:
            return tuple(self.config.start or self.problem.start)
        row = self.table.row(n - 1)
        return tuple(row[name] for name in self.problem.param_names)

    def _inside_surface(self, point: tuple[float, ...]) -> bool:
        s = self.surface
        if s is None:
            return False
        return all(lo <= point[a] <= hi for a, (lo, hi) in zip(s.axes, s.window, strict=False))

    def _refresh_surface(self, sync: bool) -> None:
        problem, axes = self.problem, self.display_axes
        through = self._current_point() if problem.n_params > 2 else None
        path = self._surface_path

        def work() -> Any:
            return analysis.compute_surface(problem, axes, through, path=path)

        if sync:
            try:
                self._on_surface_done(work())
            except Exception as exc:
                self._on_surface_failed(exc)
        else:
            self.jobs.submit("surface", work, self._on_surface_done, self._on_surface_failed)

    def _on_surface_done(self, surface: Any) -> None:
        self.surface = surface
        self.surfaceChanged.emit()

    def _on_surface_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, Unavailable):
            log.warning("surface failed: %s", exc)
        self.surface = None
        self.surfaceChanged.emit()

    def _refresh_gauge(self) -> None:
        cfg = self.config
        start = tuple(cfg.start or self.problem.start)
        key = (id(self.problem), start, cfg.optimizer, repr(cfg.hyper))
        try:
            if key != self._theory_key:
                self._theory = analysis.stability_theory(self.problem, cfg.optimizer, start,
                                                         dict(cfg.hyper))
                self._theory_key = key
            gauge = analysis.compute_gauge(self.problem, cfg.lr, cfg.optimizer, start,
                                           dict(cfg.hyper), self._theory)
        except Exception as exc:  # the gauge is advice; the run goes on
            log.warning("gauge failed: %s", exc)
            gauge = Gauge(None, None, None, "")
        if self._applied_preset and self.presets is not None:
            reason = analysis.preset_reasons(self.presets).get(self._applied_preset)
            if reason:
                gauge.reason = f"{PRESET_WORDS[self._applied_preset]}: {reason}"
        self.gauge = gauge
        self.gaugeChanged.emit()

    def _request_presets(self) -> None:
        if not self._started:
            return
        problem, cfg = self.problem, self.config
        start = tuple(cfg.start or problem.start)
        ref = analysis.problem_ref(problem, dict(cfg.options))
        if self.presets is not None:
            self.presets = None
            self.presetsChanged.emit()  # the buttons wait for the new numbers
        self.jobs.submit("presets", analysis.compute_presets, self._on_presets_done,
                         self._on_presets_failed,
                         args=(ref, cfg.optimizer, start, dict(cfg.hyper)), in_process=True)

    def _on_presets_done(self, report: Any) -> None:
        self.presets = report
        self.sweep = getattr(report, "sweep", None)
        self.presetsChanged.emit()
        self.sweepChanged.emit()
        self._refresh_gauge()

    def _on_presets_failed(self, exc: BaseException) -> None:
        self.presets = None
        self.sweep = None
        self.presetsChanged.emit()
        self.sweepChanged.emit()
        if not isinstance(exc, Unavailable):
            self.show_message(f"Could not work out the presets for this problem: {exc}")

    def _pending_torch(self, device: str) -> None:
        self.show_message("torch backend loading…")
        self.jobs.submit("torch", analysis.import_torch_backend,
                         lambda _r: self._on_torch_ready(device), self._on_torch_failed)

    def _on_torch_ready(self, device: str) -> None:
        try:
            self.set_backend("torch", device)
        except ConfigError as exc:
            self.error.emit(str(exc))

    def _on_torch_failed(self, exc: BaseException) -> None:
        self.config = self.config.with_(backend="numpy")
        self.knobsChanged.emit()
        self.error.emit(f"The torch backend could not be loaded ({exc}); staying on numpy.")
