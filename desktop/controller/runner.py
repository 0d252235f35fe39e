"""The run half of the controller: re-runs coalesced per frame, the clock's ticks, words."""

from __future__ import annotations

import logging
from typing import Any

import core
from core import ConfigError
from desktop.controller import analysis
from desktop.controller.clock import BUDGET_S, FRAME_MS
from desktop.controller.status import describe_run

log = logging.getLogger(__name__)

RERUN_BUDGET_S = 0.010  # synchronous part of a re-run; the clock does the rest


class RunnerMixin:
    """Builds and advances the trainer. Mixed into `Controller` (which owns the state)."""

    # ------------------------------------------------------------------ running
    def _full_rows(self) -> int:
        return self.config.steps + 1

    def _target_rows(self) -> int:
        t = self.trainer
        if t is None or t.finished:
            return self._full_rows()
        return max(len(t.table), self._catchup)

    def _request_rerun(self, full: bool = False) -> None:
        self._rerun_full = self._rerun_full or full
        if not self._started or self._rerun_timer.isActive():
            return
        wait_ms = FRAME_MS - (self._clock.now() - self._last_rerun) * 1000.0
        if wait_ms <= 0:
            self._do_rerun()
        else:  # at most one re-run per frame; the timer's re-run reads the newest knobs
            self._rerun_timer.start(max(1, int(wait_ms + 0.5)))

    def _on_rerun_timer_timeout(self) -> None:
        self._do_rerun()

    def _do_rerun(self) -> None:
        rows = self._full_rows() if self._rerun_full else self._target_rows()
        self._rerun_full = False
        self._last_rerun = self._clock.now()
        self._rebuild(rows)

    def _rebuild(self, rows: int) -> None:
        trainer = self._guard(core.make_trainer, self.problem, self.config)
        if trainer is None:
            return
        self.trainer = trainer
        self.runs_built += 1
        self._catchup = max(1, min(rows, self.config.steps + 1))
        self._guard(self._clock.advance_within, trainer, self._catchup, RERUN_BUDGET_S)
        # the selected step stays selected in the new run: only a run that ends
        # before it (known once it has caught up) lets it go
        if self.selected_row >= self._catchup:
            self.selected_row = -1
        self.runReset.emit()
        if len(trainer.table) < self._catchup and not trainer.finished:
            self._clock.start()
        self._after_rows()

    def _on_clock_tick(self, dt: float) -> None:
        t = self.trainer
        if t is None:
            self._clock.stop()
            return
        before = len(t.table)
        if before < self._catchup and not t.finished:
            self._guard(self._clock.advance_within, t, self._catchup - before, BUDGET_S)
        elif self._playing:
            self._carry += self.speed * dt
            due = int(self._carry)
            self._carry -= due
            if due:
                added = self._guard(self._clock.advance_within, t, due, BUDGET_S) or 0
                if added < due:
                    self._carry = 0.0  # too slow for the speed: drop the backlog, stay live
        if len(t.table) > before:
            self.rowsAdded.emit()
        self._after_rows()

    def _after_rows(self) -> None:
        t = self.trainer
        done_catching_up = t is None or t.finished or len(t.table) >= self._catchup
        if t is not None and t.finished and self._playing:
            self._playing = False
            self.playingChanged.emit(False)
        if not self._playing and done_catching_up:
            self._clock.stop()
            if t is not None and self.selected_row >= len(t.table):
                self.select_row(-1)  # the new run ended before the selected step
            self._settled()
        else:
            self._update_status()

    def _settled(self) -> None:
        """The run stopped moving: update the words and, for >2 parameters, the slice."""
        self._update_status()
        if self.problem.n_params > 2 and self._started:
            self._refresh_surface(sync=False)

    def _guard(self, fn: Any, *args: Any) -> Any:
        """Call ``fn``; a failure becomes the error signal (and the log), not a crash."""
        try:
            return fn(*args)
        except ConfigError as exc:
            self._fail(str(exc))
        except Exception as exc:
            log.exception("run failed")
            self._fail(f"The run failed: {exc}")
        return None

    def _fail(self, message: str) -> None:
        was_playing = self._playing
        self._playing = False
        self._clock.stop()
        if was_playing:
            self.playingChanged.emit(False)
        self.error.emit(message)

    # ------------------------------------------------------------------ words
    def _update_status(self, note: str = "") -> None:
        t = self.trainer
        why = ""
        if t is not None and t.finished and len(t.table) and (
            t.status == "diverged" or float(t.table["loss"][-1]) > float(t.table["loss"][0])
        ):
            why = self.gauge.reason or analysis.describe_lr(
                self.problem, self.config.lr, self.config.optimizer)
        text = describe_run(t, self._playing, why, self.config.tol) + note
        if text != self.status:
            self.status = text
            self.statusChanged.emit(text)

    def show_message(self, text: str) -> None:
        self.status = text
        self.statusChanged.emit(text)

