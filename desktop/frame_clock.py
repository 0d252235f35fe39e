"""`FrameClock`: the window's one clock. It drives playback, catch-up and repaint.

While anything moves (the run plays, a re-run catches up, a view waits for a
drag to rest) it calls ``model.frame(dt)`` about 60 times a second; the
views draw in answer to the model's ``framed`` event, from the same state,
in the same frame. When nothing moves it stops. A request when idle runs a
frame on the next pass of the event loop (the leading edge: a click or the
first move of a drag is on screen at once); requests within a frame of the
last one are merged into the next frame, which reads the newest knobs.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from desktop.model.budget import MAX_DT_S
from desktop.throttle import Throttle

FRAME_MS = 16


class FrameClock(QObject):
    """Calls ``model.frame(dt)`` once per frame while the model or a view wants frames."""

    def __init__(self, model: Any, parent: QObject | None = None,
                 now: Callable[[], float] = time.perf_counter) -> None:
        super().__init__(parent)
        self.model = model
        self.frames = 0  # frames run (benchmarks count them)
        self._throttle = Throttle(self._on_throttle_fired, FRAME_MS, now=now, parent=self)
        self._wants: list[Callable[[], bool]] = []
        self._last_tick: float | None = None
        # when the last frame that answered a request ran: frames that only carry on (a
        # run catching up or playing, a view waiting for a drag to rest) do not count, so
        # a knob moved meanwhile is answered at once, and still at most once per frame
        self._last_work = -math.inf
        self._asked = False
        self._in_frame = False
        self._again = False
        self._held = False
        model.frame_requested.connect(self._on_model_frame_requested)

    @property
    def now(self) -> Callable[[], float]:
        return self._throttle.now

    @now.setter
    def now(self, clock: Callable[[], float]) -> None:
        """The clock every frame reads (a test drives its own; so does the model's budget)."""
        self._throttle.now = clock
        self.model.playback.now = clock

    @property
    def running(self) -> bool:
        """A frame is due (the clock ticks while anything moves)."""
        return self._throttle.pending

    def want_frames(self, wants: Callable[[], bool]) -> None:
        """Keep ticking while ``wants()`` is true (a view with something still to draw)."""
        self._wants.append(wants)

    def request(self) -> None:
        """A frame soon: on the next pass of the event loop if the last one is a frame
        ago, else at the next frame.

        Never inside the call: the change that asked for it is still being announced,
        and every view must hear it before the frame draws.
        """
        if self._in_frame:
            self._again = True
            return
        self._asked = True
        if self._held:
            return  # `release` runs it
        wait_ms = FRAME_MS - (self.now() - self._last_work) * 1000.0
        self._throttle.within(0 if wait_ms <= 0 else math.ceil(wait_ms - 1e-6))

    def hold(self) -> None:
        """No frame until `release`; a request meanwhile waits for it. The window holds
        the clock from its first show to its first paint: the first frame would
        otherwise come before that paint and make it later."""
        self._held = True

    def release(self) -> None:
        self._held = False
        if self._asked:
            self.request()

    def tick(self) -> None:
        """One frame now (tests drive the clock with this)."""
        self._throttle.flush()

    def stop(self) -> None:
        self._throttle.cancel()
        self._last_tick = None

    def _on_model_frame_requested(self, _none: None) -> None:
        self.request()

    def _on_throttle_fired(self) -> None:
        now = self.now()
        dt = 0.0 if self._last_tick is None else min(now - self._last_tick, MAX_DT_S)
        if self._asked:
            self._last_work = now
        self._in_frame, self._again, self._asked = True, False, False
        try:
            self.model.frame(dt)
        finally:
            self._in_frame = False
        self.frames += 1
        if self._again or self.model.wants_frames() or any(w() for w in self._wants):
            self._last_tick = now
            # the next frame a frame after this one began: the cadence stays 60 a second
            # whatever this frame cost
            spent_ms = (self.now() - now) * 1000.0
            self._throttle.later(max(1, round(FRAME_MS - spent_ms)))
        else:
            self._last_tick = None  # idle: the next frame starts afresh (dt 0)
