"""`Controller`: the window's model. It owns the run config and the run, and asks core.

Knob setters validate first (a `ConfigError` reaches the caller and changes
nothing), then update the config and ask for a re-run. Re-runs are coalesced
to one per frame, the last value winning; while paused a re-run replays the
run up to the rows it had (scrubbing), within a time budget, and the clock
catches up on the rest. While playing the clock advances the trainer by as
many steps as the speed asks, and the learning rate changes live.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

import core
from core import ConfigError
from core.torch_backend import INSTALL_HINT as TORCH_INSTALL_HINT
from desktop.controller import analysis, state
from desktop.controller.analysis import Gauge
from desktop.controller.clock import RunClock
from desktop.controller.compare import CompareMixin
from desktop.controller.custom import CustomProblemMixin
from desktop.controller.insight import InsightMixin
from desktop.controller.jobs import Jobs
from desktop.controller.runner import RunnerMixin

log = logging.getLogger(__name__)

PRESETS = ("too-small", "just-right", "too-big")


class Controller(RunnerMixin, InsightMixin, CompareMixin, CustomProblemMixin, QObject):
    """State, knobs and the run; views listen to its signals (see window_interfaces.md)."""

    problemChanged = Signal()
    runReset = Signal()
    rowsAdded = Signal()
    statusChanged = Signal(str)
    presetsChanged = Signal()
    sweepChanged = Signal()
    compareChanged = Signal()
    selectionChanged = Signal(int)
    playingChanged = Signal(bool)
    error = Signal(str)
    # additions to the contract
    surfaceChanged = Signal()
    gaugeChanged = Signal()
    knobsChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.problem = core.get_problem(state.DEFAULT_PROBLEM)
        self.config = state.default_config(self.problem, state.DEFAULT_PROBLEM, {})
        self.trainer: Any = None
        self.status = "Preparing the run…"
        self.presets: Any = None
        self.sweep: Any = None
        self.surface: analysis.SurfaceData | None = None
        self.gauge = Gauge(None, None, None, "")
        self.compare_runs: list[tuple[str, str, Any]] = []
        self.selected_row = -1
        self.display_axes: tuple[int, int] = (0, 1)
        self.speed = state.DEFAULT_SPEED
        self.runs_built = 0  # how many runs were (re)built: tests and benchmarks wait on it
        self._playing = False
        self._started = False
        self._carry = 0.0
        self._catchup = 0
        self._last_rerun = -1.0
        self._rerun_full = False
        self._applied_preset: str | None = None
        self._surface_path: list[list[float]] | None = None
        self._pin_count = 0
        self._torch_device: str | None = None
        self._theory_key: Any = None
        self._theory: dict[str, Any] | None = None
        self._clock = RunClock(self._on_clock_tick, self)
        self._rerun_timer = QTimer(self)
        self._rerun_timer.setSingleShot(True)
        self._rerun_timer.timeout.connect(self._on_rerun_timer_timeout)
        self._presets_timer = QTimer(self)
        self._presets_timer.setSingleShot(True)
        self._presets_timer.setInterval(0)
        self._presets_timer.timeout.connect(self._request_presets)
        self.jobs = Jobs(self)

    # ------------------------------------------------------------------ reading
    @property
    def table(self) -> Any:
        return None if self.trainer is None else self.trainer.table

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def started(self) -> bool:
        return self._started

    def knobs(self) -> dict[str, Any]:
        return self._knobs_with_ref(state.knobs_of(self.config, self.speed, self.display_axes))

    def drawable_rows(self) -> int:
        """Rows whose parameters and loss are finite: all rows before a divergence."""
        t = self.trainer
        if t is None:
            return 0
        if t.status == "diverged" and t.diverged_at is not None:
            return int(t.diverged_at)
        return len(t.table)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Build the first run and its analysis (called after the window's first paint)."""
        if self._started:
            return
        self._started = True
        self._load_analysis()
        self._rebuild(self._full_rows())
        if self._torch_device is not None:  # restored: torch loads in the background
            self._pending_torch(self._torch_device)
            self._torch_device = None

    def shutdown(self) -> None:
        self._playing = False
        self._clock.stop()
        self._rerun_timer.stop()
        self._presets_timer.stop()
        self.jobs.shutdown()

    def restore(self, knobs: dict[str, Any]) -> None:
        """Apply saved knobs; anything invalid falls back to the problem's defaults."""
        if not knobs:
            return
        try:
            problem, cfg, speed, axes = state.config_from_knobs(
                knobs, self._custom_from_knobs(knobs))
        except Exception as exc:  # a stale settings file must never stop the app
            log.warning("ignoring saved knobs: %s", exc)
            return
        torch_wanted = knobs.get("backend") == "torch" and core.torch_available()
        self.speed = speed
        # torch is imported only after the first paint, in the background (see start)
        self._torch_device = cfg.device if torch_wanted else None
        self._install(problem, cfg.with_(backend="numpy"), axes)

    # ------------------------------------------------------------------ knobs
    def set_problem(self, name: str, **options: Any) -> None:
        problem = core.get_problem(name, **options)
        cfg = state.default_config(problem, name, options, keep=self.config)
        if cfg.batch != "full" and problem.n_samples == 0:
            cfg = cfg.with_(batch="full")
        state.check_trainable(problem, cfg)
        self._install(problem, cfg, (0, 1) if problem.n_params > 1 else (0, 0))

    def set_lr(self, lr: float, *, preset: str | None = None) -> None:
        cfg = self.config.with_(lr=lr)
        self.config = cfg
        self._applied_preset = preset
        if self._playing and self.trainer is not None and not self.trainer.finished:
            self.trainer.set_lr(cfg.lr)  # live: the updates still to come use it
        else:
            self._request_rerun(full=preset is not None)
        self._refresh_gauge()
        self.knobsChanged.emit()

    def set_optimizer(self, name: str, **hyper: Any) -> None:
        self._change(optimizer=name, hyper=hyper)
        self._request_presets()
        self._refresh_gauge()

    def set_start(self, values: Any) -> None:
        start = self.problem.check_start(values)
        self._change(start=start)
        self._request_presets()
        self._refresh_gauge()
        if self.surface is not None and not self._inside_surface(start):
            self._surface_path = [list(start)]  # widen the window to show the new start
            self._refresh_surface(sync=True)

    def set_schedule(self, spec: Any) -> None:
        self._change(schedule=spec)

    def set_batch(self, batch: Any) -> None:
        self._change(batch=batch)

    def set_seed(self, seed: int) -> None:
        self._change(seed=seed)

    def set_steps(self, steps: int) -> None:
        cfg = self.config.with_(steps=steps)
        self.config = cfg
        if self._playing and self.trainer is not None:
            self.trainer.set_steps(cfg.steps)
        else:
            self._request_rerun()
        self.knobsChanged.emit()

    def set_speed(self, steps_per_s: float) -> None:
        self.speed = state.clamp_speed(steps_per_s)
        self.knobsChanged.emit()

    def set_backend(self, backend: str, device: str = "auto") -> None:
        cfg = self.config.with_(backend=backend, device=device)  # validates the names
        if backend == "torch":
            if not core.torch_available():
                raise ConfigError(TORCH_INSTALL_HINT)
            if "core.torch_backend.trainer" not in sys.modules:
                self._pending_torch(device)
                return
        self.config = cfg
        self._request_rerun()
        self.knobsChanged.emit()

    def set_display_axes(self, i: int, j: int) -> None:
        n = self.problem.n_params
        if not (0 <= i < n and 0 <= j < n and i != j):
            names = ", ".join(self.problem.param_names)
            raise ConfigError(f"pick two different parameters to show (of {names})")
        self.display_axes = (i, j)
        self._refresh_surface(sync=True)
        self.runReset.emit()
        self.knobsChanged.emit()

    def _change(self, **fields: Any) -> None:
        cfg = self.config.with_(**fields)
        if "batch" in fields or "seed" in fields:
            state.check_trainable(self.problem, cfg)
        self.config = cfg
        self._request_rerun()
        self.knobsChanged.emit()

    # ------------------------------------------------------------------ run controls
    def play(self) -> None:
        if self._playing:
            return
        if not self._started:
            self.start()
        if self.trainer is None:
            return
        if self.trainer.finished:
            self._rebuild(1)  # like a player at its end: start again from the start point
        self._playing = True
        self._carry = 0.0
        self._clock.start()
        self.playingChanged.emit(True)
        self._update_status()

    def pause(self) -> None:
        if not self._playing:
            return
        self._playing = False
        if len(self.table) >= self._catchup:
            self._clock.stop()
        self.playingChanged.emit(False)
        self._settled()

    def toggle_play(self) -> None:
        if self._playing:
            self.pause()
        else:
            self.play()

    def step_once(self) -> None:
        self.pause()
        t = self.trainer
        if t is None:
            return
        if t.finished:
            self._update_status(note=" Reset (R) to step through it again.")
            return
        if self._guard(t.advance, 1):
            self._catchup = max(self._catchup, len(t.table))
            self.rowsAdded.emit()
        self._settled()

    def reset(self) -> None:
        was_playing = self._playing
        self.pause()
        self._rebuild(1)
        if was_playing:
            self.playingChanged.emit(False)

    def apply_preset(self, key: str) -> None:
        if key not in PRESETS:
            raise ConfigError(f"unknown preset {key!r}; choose one of: {', '.join(PRESETS)}")
        lrs = analysis.preset_lrs(self.presets) if self.presets is not None else {}
        if key not in lrs:
            self._update_status(note=" The presets are still being worked out…")
            return
        self.set_lr(lrs[key], preset=key)

    def halve_lr(self) -> None:
        self.set_lr(self.config.lr / 2)

    def select_row(self, k: int) -> None:
        rows = 0 if self.table is None else len(self.table)
        k = int(k) if 0 <= int(k) < rows else -1
        self.selected_row = k
        self.selectionChanged.emit(k)

