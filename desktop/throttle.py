"""`Throttle`: the one rate limiter of the window (leading edge now, trailing edge later).

``throttle()`` calls ``fn`` at once if the last call is at least ``interval_ms``
ago (the leading edge: a click or the first move of a drag answers within
the same event), else once that interval has passed (the trailing edge),
and ``fn`` then reads the newest state: calls in between are merged, never
queued. With ``leading=False`` it waits for ``interval_ms`` of quiet first
(a debounce: a formula is checked once typing pauses).

Time is read from ``now`` (a test drives its own clock); the waiting is one
single-shot QTimer.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer


class Throttle(QObject):
    """Rate-limit ``fn`` to one call per ``interval_ms`` (see the module docstring)."""

    def __init__(self, fn: Callable[[], object], interval_ms: int, *, leading: bool = True,
                 now: Callable[[], float] = time.perf_counter,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fn = fn
        self.interval_ms = int(interval_ms)
        self.leading = leading
        self._now = now
        self._last = -math.inf  # when fn last ran
        self.wait_ms = 0  # how long the trailing call waited when it was last scheduled
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def now(self) -> Callable[[], float]:
        return self._now

    @now.setter
    def now(self, clock: Callable[[], float]) -> None:
        """Read ``clock`` from now on (a test's own); the last call is forgotten, since
        it was timed on the old clock."""
        self._now = clock
        self._last = -math.inf

    @property
    def last(self) -> float:
        """When ``fn`` last ran (on ``now``'s clock)."""
        return self._last

    @property
    def pending(self) -> bool:
        """A trailing call is waiting."""
        return self._timer.isActive()

    def __call__(self) -> None:
        if not self.leading:
            self._start(self.interval_ms)  # restarted by every call: quiet first
            return
        wait_ms = self.interval_ms - (self.now() - self._last) * 1000.0
        if wait_ms <= 0:
            self.flush()  # a call already waiting is merged into this one
        elif not self._timer.isActive():
            self._start(max(1, math.ceil(wait_ms - 1e-6)))  # float noise is no extra ms
        # else: the waiting call comes soon enough and will read the newest state

    def later(self, wait_ms: int | None = None) -> None:
        """A trailing call after ``wait_ms`` (default: the interval), unless one waits."""
        if not self._timer.isActive():
            self._start(self.interval_ms if wait_ms is None else max(0, wait_ms))

    def within(self, wait_ms: int) -> None:
        """A trailing call at most ``wait_ms`` from now (sooner than one that waits)."""
        wait_ms = max(0, int(wait_ms))
        if not self._timer.isActive() or self._timer.remainingTime() > wait_ms:
            self._start(wait_ms)

    def hold(self) -> None:
        """Count from now, as if ``fn`` had just run: a call within the interval waits."""
        self._last = self.now()

    def flush(self) -> None:
        """Call ``fn`` now (a waiting trailing call is merged into this one)."""
        self._timer.stop()
        self._last = self.now()
        self._fn()

    def cancel(self) -> None:
        self._timer.stop()

    def _start(self, wait_ms: int) -> None:
        self.wait_ms = wait_ms
        self._timer.start(wait_ms)

    def _on_timer_timeout(self) -> None:
        self._last = self.now()
        self._fn()
