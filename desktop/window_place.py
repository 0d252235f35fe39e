"""Where the first window and its docks go: the default size, at most 90% of the
screen, centred; the step table and the inspector share the bottom, the knobs the left.

A 1366×768 or 1280×720 screen would otherwise get a window taller than
itself, with the status line (where the explanations are) off screen.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget

DEFAULT_SIZE = (1400, 900)
SCREEN_SHARE = 0.9  # the first window takes at most this much of the screen


def fitted(room: QRect) -> QRect:
    """Where the first window goes on a screen whose free area is ``room``: the default
    size, at most 90% of it each way, centred."""
    width = min(DEFAULT_SIZE[0], int(room.width() * SCREEN_SHARE))
    height = min(DEFAULT_SIZE[1], int(room.height() * SCREEN_SHARE))
    place = QRect(0, 0, width, height)
    place.moveCenter(room.center())
    return place


def fit_first_window(window: Any, knobs_width: int) -> None:
    """The first window (no saved geometry): `fitted` to its screen, the bottom docks
    taking what the plots can spare and the knobs dock no wider than its panels."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is not None:
        place = fitted(screen.availableGeometry())
        window.resize(place.size())
        window.move(place.topLeft())
    else:
        window.resize(*DEFAULT_SIZE)
    height = window.height()
    # the bottom docks take what the plots can spare: a third of the height at most
    window.resizeDocks([window.table_dock], [max(120, height // 4)], Qt.Orientation.Vertical)
    window.resizeDocks([window.knobs_dock], [knobs_width + 16], Qt.Orientation.Horizontal)
    # the step table gets the larger share of the bottom: its columns run from
    # the step to grad_norm, while the inspector's text wraps
    width = window.width()
    window.resizeDocks([window.table_dock, window.inspector_dock],
                       [round(width * 0.58), round(width * 0.42)], Qt.Orientation.Horizontal)


def add_dock(window: Any, title: str, name: str, widget: QWidget | None,
             area: Qt.DockWidgetArea, closable: bool = False) -> QDockWidget:
    """A dock of ``window`` holding ``widget`` (or, for now, nothing), movable and
    floatable; ``name`` is how the window's saved state finds it again."""
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    if widget is not None:
        dock.setWidget(widget)
    features = (QDockWidget.DockWidgetFeature.DockWidgetMovable
                | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
    if closable:
        features |= QDockWidget.DockWidgetFeature.DockWidgetClosable
    dock.setFeatures(features)
    window.addDockWidget(area, dock)
    return dock
