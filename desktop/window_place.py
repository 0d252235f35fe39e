"""Where the first window goes: the default size, at most 90% of the screen, centred.

A 1366×768 or 1280×720 screen would otherwise get a window taller than
itself, with the status line (where the explanations are) off screen.
"""

from __future__ import annotations

from PySide6.QtCore import QRect

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
