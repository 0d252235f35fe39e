"""The run's clock: one ~60 Hz timer that advances the trainer within a time budget.

Each tick runs as many optimizer steps as the speed asks for the time that
passed (or, while catching up after a knob change, as many as fit), but never
more than ``BUDGET_S`` of work, so the window handles its events at least
every frame: a tick that ran longer would stall input and repaint. The owner
hears about new rows once per tick.
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


def advance_within(trainer: Any, max_rows: int, budget_s: float, chunk: int = 16, *,
                   now: Callable[[], float] = time.perf_counter,
                   costs: dict[tuple[str, ...], float] = _ROW_COST) -> int:
    """Advance ``trainer`` by up to ``max_rows`` rows, stopping once ``budget_s`` is spent.

    The chunk size adapts to the measured cost per row so the loop checks the
    clock a few times per budget, whatever the backend costs per step. ``now``
    is the clock it reads (a test passes one it drives), ``costs`` the memory
    of what a row cost last time.
    """
    key = _cost_key(trainer)
    known = costs.get(key)
    if known is not None:
        chunk = max(1, min(50_000, int(budget_s / max(known, 1e-7) * 0.5) + 1))
    added = 0
    start = now()
    while added < max_rows and not trainer.finished:
        n = trainer.advance(min(chunk, max_rows - added))
        if n == 0:
            break
        added += n
        spent = now() - start
        if spent >= budget_s:
            break
        per_row = spent / added
        chunk = max(1, min(50_000, int((budget_s - spent) / max(per_row, 1e-7) * 0.5) + 1))
    if added:
        if len(costs) > 64:
            costs.clear()
        costs[key] = (now() - start) / added
    return added


class RunClock(QObject):
    """Calls ``on_tick(dt_seconds)`` about 60 times a second while running.

    ``now`` is the clock every time measurement of the run reads: the tick's
    ``dt`` and the work budget of `advance_within`. Tests replace it with a
    clock they drive, so nothing they check depends on how fast the machine is.
    """

    def __init__(self, on_tick: Callable[[float], None], parent: QObject | None = None,
                 now: Callable[[], float] = time.perf_counter) -> None:
        super().__init__(parent)
        self._on_tick = on_tick
        self.now = now
        self.costs: dict[tuple[str, ...], float] = {}  # seconds per row, by kind of run
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
            self._last = self.now()
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def advance_within(self, trainer: Any, max_rows: int, budget_s: float) -> int:
        """`advance_within` on this clock."""
        return advance_within(trainer, max_rows, budget_s, now=self.now, costs=self.costs)

    def _on_timer_timeout(self) -> None:
        self.tick()

    def tick(self) -> None:
        """One frame: hand the time since the last one (at most ``MAX_DT_S``) to the owner."""
        now = self.now()
        dt = min(now - self._last, MAX_DT_S)
        self._last = now
        self._on_tick(dt)
