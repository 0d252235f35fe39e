"""Fixtures for the window tests: one QApplication with the app's pyqtgraph options.

pyqtgraph reads its config options when items are built, so they are set here,
before any test creates a plot, exactly as ``desktop.app`` sets them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("PySide6", reason="PySide6 not installed")
pytest.importorskip("pyqtgraph", reason="pyqtgraph not installed")

import pyqtgraph as pg

from desktop.views.palette import apply_plot_theme

_HERE = Path(__file__).resolve().parent


# The offscreen platform plugin warns "This plugin does not support
# propagateSizeHints()" whenever a widget with a layout is shown; harmless
# (the window still lays out and draws), but qt_log_level_fail = WARNING
# would fail every window test.
_OFFSCREEN_NOTICE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(items):
    for item in items:
        if not item.path.is_relative_to(_HERE):
            continue
        # pytest-qt reads only the closest qt_log_ignore mark: merge with a test's own
        own = item.get_closest_marker("qt_log_ignore")
        patterns = (*own.args, _OFFSCREEN_NOTICE) if own else (_OFFSCREEN_NOTICE,)
        item.add_marker(pytest.mark.qt_log_ignore(*patterns), append=False)


@pytest.fixture(autouse=True)
def _empty_clipboard_after_test():
    """Clear the clipboard after each test: QMimeData still held by the clipboard
    when the interpreter exits makes the offscreen QApplication segfault in its
    teardown (seen as rc 139 after every test had passed)."""
    yield
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is not None:
        QGuiApplication.clipboard().clear()


@pytest.fixture(scope="session")
def qapp(qapp):
    """pytest-qt's QApplication, configured like the app before any plot item exists."""
    pg.setConfigOptions(antialias=False, imageAxisOrder="row-major")
    apply_plot_theme()
    return qapp


@pytest.fixture
def shot_dir(tmp_path):
    """Where a test saves its screenshots (pytest's per-test temporary folder)."""
    path = tmp_path / "shots"
    path.mkdir()
    return path


@pytest.fixture
def keep_shot():
    """``keep_shot(path)`` copies a picture a person may want to look at into the
    folder named by ``LRP_SHOTS_DIR``; without it, nothing leaves ``tmp_path``."""
    import shutil

    def keep(path, name: str | None = None) -> None:
        folder = os.environ.get("LRP_SHOTS_DIR")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            shutil.copy(path, Path(folder) / (name or Path(path).name))

    return keep
