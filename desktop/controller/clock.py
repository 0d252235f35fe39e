"""The run's clock: one ~60 Hz timer that advances the trainer within a time budget.

Each tick runs as many optimizer steps as the speed asks for the time that
passed (or, while catching up after a knob change, as many as fit), but never
more than ``BUDGET_S`` of work, so the window handles its events at least
every frame (PITFALLS §2). The owner hears about new rows once per tick.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer

FRAME_MS = 16
BUDGET_S = 0.008  # work per tick; a tick never holds the event loop much past a frame
MAX_DT_S = 0.1  # a stalled frame does not turn into a burst of steps


# seconds per row last measured, by kind of run: the next call (a re-run per
# slider move, a clock tick) sizes its first chunk from it instead of probing
# with 16 rows, which cost 2-3 extra advance() calls of ~0.1 ms each per frame
_ROW_COST: dict[tuple[str, ...], float] = {}


def _cost_key(trainer: Any) -> tuple[str, ...]:
    cfg = getattr(trainer, "config", None)
    problem = getattr(trainer, "problem", None)
    return (
        type(trainer).__name__,
        str(getattr(problem, "name", "")),
        str(getattr(cfg, "optimizer", "")),
        str(getattr(cfg, "batch", "")),
        str(getattr(cfg, "backend", "")),
    )


def advance_within(trainer: Any, max_rows: int, budget_s: float, chunk: int = 16) -> int:
    """Advance ``trainer`` by up to ``max_rows`` rows, stopping once ``budget_s`` is spent.

    The chunk size adapts to the measured cost per row so the loop checks the
    clock a few times per budget, whatever the backend costs per step.
    """
    key = _cost_key(trainer)
    known = _ROW_COST.get(key)
    if known is not None:
        chunk = max(1, min(50_000, int(budget_s / max(known, 1e-7) * 0.5) + 1))
    added = 0
    start = time.perf_counter()
    while added < max_rows and not trainer.finished:
        n = trainer.advance(min(chunk, max_rows - added))
        if n == 0:
            break
        added += n
        spent = time.perf_counter() - start
        if spent >= budget_s:
            break
        per_row = spent / added
        chunk = max(1, min(50_000, int((budget_s - spent) / max(per_row, 1e-7) * 0.5) + 1))
    if added:
        if len(_ROW_COST) > 64:
            _ROW_COST.clear()
        _ROW_COST[key] = (time.perf_counter() - start) / added
    return added


class RunClock(QObject):
    """Calls ``on_tick(dt_seconds)`` about 60 times a second while running."""

    def __init__(self, on_tick: Callable[[float], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_tick = on_tick
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._last = 0.0

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        if not self._timer.isActive():
            self._last = time.perf_counter()
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _on_timer_timeout(self) -> None:
        now = time.perf_counter()
        dt = min(now - self._last, MAX_DT_S)
        self._last = now
        self._on_tick(dt)
