"""Errors never end silently: a message box saying what to do, and a log file.

A gui-script on Windows has ``sys.stderr`` set to None (pythonw runs it with no console), so
nothing here writes to stderr unless it exists; the log goes to
``<user data folder>/lr-playground.log``.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger("lr_playground")

LOG_NAME = "lr-playground.log"
WHAT_TO_DO = (
    "You can keep working: reset the run (R) or change the knob you just moved. "
    "If the window misbehaves, restart the program."
)


def guard_std_streams() -> None:
    """Give a windowed process (no console) harmless stdout/stderr."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (lives as long as the process)
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115


def log_path() -> str:
    """The log file in the user's data folder (created if missing)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    if not folder:
        folder = os.path.join(os.path.expanduser("~"), ".lr-playground")
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, LOG_NAME)


def setup_logging(path: str | None = None) -> str | None:
    """Log warnings and errors to the log file; return its path (None if unwritable)."""
    try:
        path = path or log_path()
        handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def show_error(parent: QWidget | None, title: str, text: str, details: str = "") -> QMessageBox:
    """Show a message box (window-modal, not blocking the caller) and return it."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    if details:
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()  # returns at once: a test or the event loop is never blocked
    return box


def unexpected_error_text(exc: BaseException) -> str:
    where = log_path_or_none()
    logged = f"The details were written to {where}. " if where else ""
    return f"Something unexpected went wrong: {exc}\n\n{logged}{WHAT_TO_DO}"


def log_path_or_none() -> str | None:
    try:
        return log_path()
    except OSError:
        return None


def install_excepthook(parent_getter: Callable[[], QWidget | None]) -> None:
    """Route uncaught exceptions to the log and a message box instead of a silent exit."""
    showing = {"busy": False}

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        details = "".join(traceback.format_exception(kind, exc, tb))
        log.error("unexpected exception\n%s", details)
        if showing["busy"]:  # an error while showing an error: log only
            return
        showing["busy"] = True
        try:
            show_error(parent_getter(), "LR Playground: unexpected error",
                       unexpected_error_text(exc), details)
        except Exception:  # the hook itself must never raise
            log.exception("could not show the error message")
        finally:
            showing["busy"] = False

    sys.excepthook = hook
