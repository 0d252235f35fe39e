"""File → Export run as animation…: the run on screen as a GIF or MP4, with progress.

The frames are rendered on the GUI thread (they are drawn by Qt views, which
live there) in small chunks from a zero-interval timer, so the window stays
responsive; a progress dialog counts the frames and its Cancel button stops
the export, leaving no file behind (`desktop.exports.animation`).
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from core.errors import ConfigError
from desktop.exports.animation import Animation

FOLDER_KEY = "export/folder"
FILTERS = "Animated GIF (*.gif);;MP4 video (*.mp4)"
FRAMES_PER_TICK = 1  # frames rendered between two passes of the event loop (~30 ms)


class AnimationExport(QObject):
    """Asks where, then renders the run on screen frame by frame with a progress dialog."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.w = window
        self.job: Animation | None = None
        self.progress: QProgressDialog | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._on_timer_timeout)

    @property
    def busy(self) -> bool:
        return self.job is not None

    def export_interactive(self) -> None:
        if self.busy:
            return
        if self.w.model.trainer is None:
            self.w.model.show_message("There is no run to animate yet.")
            return
        folder = self.w.settings.get_str(FOLDER_KEY, "")
        folder = folder if folder and os.path.isdir(folder) else os.path.expanduser("~")
        path, chosen = QFileDialog.getSaveFileName(
            self.w, "Export run as animation", os.path.join(folder, "run.gif"), FILTERS)
        if not path:
            return
        if not path.lower().endswith((".gif", ".mp4")):
            path += ".mp4" if "mp4" in chosen.lower() else ".gif"
        self.start(path)

    def start(self, path: str, **options: Any) -> bool:
        """Start rendering the run on screen to ``path``; False (and a message) on bad input."""
        model = self.w.model
        model.pause()
        trainer = model.trainer
        try:
            self.job = Animation(trainer.result(), path, **options)
        except ConfigError as exc:
            self.job = None
            self.w.show_error(self.w, "Export run as animation", str(exc))
            return False
        self.w.settings.set_str(FOLDER_KEY, os.path.dirname(os.path.abspath(path)))
        dialog = QProgressDialog("Rendering the animation…", "Cancel", 0, self.job.total, self.w)
        dialog.setWindowTitle("Export run as animation")
        dialog.setAccessibleName("Export run as animation")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel)
        dialog.setValue(0)
        self.progress = dialog
        self._timer.start()
        return True

    def cancel(self) -> None:
        """Stop the export; nothing is written."""
        job = self.job
        if job is None:
            return
        self._end()
        job.cancel()
        self.w.model.show_message("Animation export cancelled: no file was written.")

    def _on_timer_timeout(self) -> None:
        job = self.job
        if job is None:
            self._timer.stop()
            return
        if self.progress is not None and self.progress.wasCanceled():
            self.cancel()
            return
        try:
            job.render(FRAMES_PER_TICK)
            if self.progress is not None:
                self.progress.setValue(job.done)
            if job.finished:
                self._end()
                job.close()
                self.w.model.show_message(f"Wrote {job.path}: {job.total} frames at "
                                          f"{job.fps} frames a second.")
        except ConfigError as exc:
            self._end()
            self.w.show_error(self.w, "Export run as animation", str(exc))

    def _end(self) -> None:
        self._timer.stop()
        self.job = None
        if self.progress is not None:
            self.progress.canceled.disconnect(self.cancel)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def stop(self) -> None:
        """The window closes: an export under way is cancelled."""
        if self.job is not None:
            self.cancel()
