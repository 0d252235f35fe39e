"""`KnobRest`: whether the knobs that change the run are being dragged, or rest.

No Qt; time is the frame time the window model is given (``tick(dt)``), so a
test's frames decide it. A drag changes the run about every frame; what only
a resting run needs (the step inspector's text, a slice through the run's
end, λmax, the step table's widths) waits for `rested`, and a dragged knob's
re-run starts smaller (see the window model's frame).
"""

from __future__ import annotations

import math

from desktop.model.events import Event

REST_S = 0.12  # the knobs unmoved this long: a drag has paused
DRAG_GAP_S = 0.1  # two changes this close: a drag, a move about every frame


class KnobRest:
    """Frame time since a knob last changed the run, and the moment the knobs rest."""

    def __init__(self) -> None:
        self.since = math.inf  # seconds of frames since the last change
        self.dragging = False  # the last two changes came within DRAG_GAP_S
        self.waiting = False  # changed, and not yet at rest
        self.rested: Event[None] = Event("rest.rested")

    @property
    def resting(self) -> bool:
        return self.since >= REST_S

    def moved(self) -> None:
        """A knob changed the run."""
        self.dragging = self.since < DRAG_GAP_S
        self.since = 0.0
        self.waiting = True

    def tick(self, dt: float) -> None:
        """A frame of ``dt`` seconds passed: ``rested`` once the knobs have rested."""
        self.since += dt
        if self.waiting and self.resting:
            self.waiting = False
            self.rested.emit(None)
