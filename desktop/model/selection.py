"""`SelectionModel`: the step the user picked in the table (or none: the newest row).

A new run keeps the selected step: only a run that turns out shorter than it
lets it go, and only once that run has caught up (a frame already on its way
never takes the user's choice back).
"""

from __future__ import annotations

from desktop.model.events import Event


class SelectionModel:
    """``step`` (-1: none, follow the newest row); ``changed(step)``."""

    def __init__(self) -> None:
        self.changed: Event[int] = Event("selection.changed")
        self.step = -1

    def select(self, step: int, rows: int) -> None:
        """Pick ``step`` of a run with ``rows`` rows (out of range: none)."""
        k = int(step) if 0 <= int(step) < rows else -1
        if k != self.step:
            self.step = k
            self.changed.emit(k)

    def clear(self) -> None:
        self.select(-1, 0)

    def fit(self, rows: int) -> None:
        """The run now has ``rows`` rows for good: a step beyond them is let go."""
        if self.step >= rows:
            self.clear()
