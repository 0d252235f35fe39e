"""`PlaybackModel`: the run on screen and how it moves: built, caught up, played, stepped.

A new run is built synchronously up to a small time budget, and the frame
clock catches up on the rest (``target`` rows) one frame at a time, so a
10,000-step re-run never freezes the window. While playing, each frame adds
as many steps as the speed asks for the time that passed, within the
frame's budget. Time is read from ``now`` only (injected: tests drive it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import core
from core import ConfigError
from desktop.model.budget import BUDGET_S, RERUN_BUDGET_S, Costs, advance_within
from desktop.model.events import Event

log = logging.getLogger(__name__)


class PlaybackModel:
    """The trainer of the run on screen, whether it plays, and how far it must catch up."""

    def __init__(self, now: Callable[[], float] = time.perf_counter) -> None:
        self.now = now
        self.costs: Costs = {}  # seconds per row, by kind of run (sizes the first chunk)
        self.trainer: Any = None
        self.playing = False
        self.target = 0  # rows the run must have before it is judged (a re-run catches up)
        self.runs_built = 0  # benchmarks and tests wait on it
        self._carry = 0.0
        self.replaced: Event[Any] = Event("playback.replaced")  # a new run (or None)
        self.rows_added: Event[int] = Event("playback.rows_added")
        self.playing_changed: Event[bool] = Event("playback.playing_changed")
        self.failed: Event[str] = Event("playback.failed")

    # ------------------------------------------------------------------ reading
    @property
    def table(self) -> Any:
        return None if self.trainer is None else self.trainer.table

    @property
    def rows(self) -> int:
        return 0 if self.trainer is None else len(self.trainer.table)

    @property
    def finished(self) -> bool:
        return self.trainer is not None and self.trainer.finished

    @property
    def caught_up(self) -> bool:
        """The run has every row it will have before it is judged (or it ended)."""
        t = self.trainer
        return t is None or t.finished or len(t.table) >= self.target

    @property
    def wants_frames(self) -> bool:
        return self.playing or not self.caught_up

    def drawable_rows(self) -> int:
        """Rows whose parameters and loss are finite: all rows before a divergence."""
        t = self.trainer
        if t is None:
            return 0
        if t.status == "diverged" and t.diverged_at is not None:
            return int(t.diverged_at)
        return len(t.table)

    # ------------------------------------------------------------------ building
    def clear(self) -> None:
        self.pause()
        self.trainer = None
        self.target = 0
        self.replaced.emit(None)

    def build(self, problem: Any, cfg: Any, rows: int,
              budget_s: float = RERUN_BUDGET_S) -> bool:
        """A new run of ``cfg``, caught up to ``rows`` rows (``budget_s`` of it now, the
        rest over the next frames)."""
        trainer = self._guard(core.make_trainer, problem, cfg)
        if trainer is None:
            return False
        self.trainer = trainer
        self.runs_built += 1
        self.target = max(1, min(int(rows), cfg.steps + 1))
        self._guard(self._advance, self.target, budget_s)
        self.replaced.emit(trainer)
        return True

    # ------------------------------------------------------------------ moving
    def frame(self, dt: float, speed: float) -> int:
        """One frame: catch up, or play ``speed`` steps per second for ``dt`` seconds."""
        t = self.trainer
        if t is None:
            return 0
        before = len(t.table)
        if before < self.target and not t.finished:
            self._guard(self._advance, self.target - before, BUDGET_S)
        elif self.playing:
            self._carry += speed * dt
            due = int(self._carry)
            self._carry -= due
            if due:
                added = self._guard(self._advance, due, BUDGET_S) or 0
                if added < due:
                    self._carry = 0.0  # too slow for the speed: drop the backlog, stay live
        added = len(t.table) - before
        self.target = max(self.target, len(t.table))
        if t.finished:
            self.pause()
        if added:
            self.rows_added.emit(added)
        return added

    def play(self) -> None:
        """Start playing (the caller rebuilds a finished run first)."""
        if self.playing or self.trainer is None or self.trainer.finished:
            return
        self.playing = True
        self._carry = 0.0
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if self.playing:
            self.playing = False
            self.playing_changed.emit(False)

    def step(self) -> bool:
        """Exactly one more row (paused); False if the run already ended."""
        self.pause()
        t = self.trainer
        if t is None or t.finished:
            return False
        added = self._guard(t.advance, 1) or 0
        self.target = max(self.target, len(t.table))
        if added:
            self.rows_added.emit(added)
        return bool(added)

    def set_lr_live(self, lr: float) -> None:
        """The updates still to come use ``lr`` (while playing: no re-run)."""
        if self.trainer is not None:
            self.trainer.set_lr(lr)

    def set_steps_live(self, steps: int) -> None:
        if self.trainer is not None:
            self.trainer.set_steps(steps)

    def _advance(self, rows: int, budget_s: float) -> int:
        return advance_within(self.trainer, rows, budget_s, now=self.now, costs=self.costs)

    def _guard(self, fn: Any, *args: Any) -> Any:
        """Call ``fn``; a failure becomes ``failed`` (and the log), never a crash."""
        try:
            return fn(*args)
        except ConfigError as exc:
            self._fail(str(exc))
        except Exception as exc:
            log.exception("run failed")
            self._fail(f"The run failed: {exc}")
        return None

    def _fail(self, message: str) -> None:
        self.pause()
        self.failed.emit(message)
