"""`Runtime`: the window model's Qt side: the frame clock that drives it, the jobs it
hands slow work to, and the model itself.

Everything the window shows is in ``runtime.model`` (`desktop.model.WindowModel`,
no Qt). The read-only names below it (``trainer``, ``table``, ``problem``,
``config`` ...) and ``set_lr`` / ``show_message`` are what the exports read
from ``window.controller``; they only forward to the model.
"""

from __future__ import annotations

from typing import Any

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

    # ------------------------------------------------------------------ read by the exports
    @property
    def trainer(self) -> Any:
        return self.model.trainer

    @property
    def table(self) -> Any:
        return self.model.table

    @property
    def problem(self) -> Any:
        return self.model.knobs.problem

    @property
    def config(self) -> Any:
        return self.model.knobs.config

    @property
    def presets(self) -> Any:
        return self.model.insight.presets

    @property
    def sweep(self) -> Any:
        return self.model.insight.sweep

    @property
    def surface(self) -> Any:
        return self.model.insight.surface

    @property
    def status(self) -> str:
        return self.model.status

    @property
    def started(self) -> bool:
        return self.model.started

    @property
    def playing(self) -> bool:
        return self.model.playing

    @property
    def runs_built(self) -> int:
        return self.model.playback.runs_built

    def set_lr(self, lr: float) -> None:
        self.model.knobs.set_lr(lr)

    def show_message(self, text: str) -> None:
        self.model.show_message(text)

    # the two names the exports' tests wait on: a frame is due while anything moves
    @property
    def _clock(self) -> FrameClock:
        return self.clock

    @property
    def _rerun_timer(self) -> _Pending:
        return _Pending(self.model)


class _Pending:
    """``isActive()``: a re-run waits for its frame."""

    def __init__(self, model: WindowModel) -> None:
        self._model = model

    def isActive(self) -> bool:  # the QTimer name the exports' tests call
        return self._model.rerun_pending
