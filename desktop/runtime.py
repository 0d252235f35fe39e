"""`Runtime`: the window model's Qt side: the frame clock that drives it, the jobs it
hands slow work to, and the model itself.

Everything the window shows is in ``runtime.model`` (`desktop.model.WindowModel`,
no Qt).
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from desktop.frame_clock import FrameClock
from desktop.jobs import Jobs
from desktop.model import WindowModel


class Runtime(QObject):
    """Owns the model, its frame clock and its background jobs, for one window."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs = Jobs(self)
        self.model = WindowModel(jobs=self.jobs)
        self.clock = FrameClock(self.model, self)

    def shutdown(self) -> None:
        """The window closes: no frame, timer or worker outlives it."""
        self.model.shutdown()
        self.clock.stop()
