"""Rounded, sticky axis limits for a plot whose data change every frame.

A growing run, or a learning-rate drag that replaces the run every frame,
changes the data's range every frame; with plain autorange the axes (ticks,
labels) would be rebuilt, and the whole plot repainted, every frame, which
costs more than the curve. `Extent` gives the autorange rounded limits
instead (decades on a log axis, 1-1.5-2-3-4-5-6-8 steps otherwise), and
`widened` lets a view widen them at once but narrow them later.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from desktop.views._arrays import nice_span


class Extent(pg.GraphicsObject):
    """Invisible item whose bounds widen the autorange to rounded limits.

    A growing run changes its data range every frame; with plain autorange
    the axes (ticks, labels) would be rebuilt every frame, which costs more
    than the curve. Rounded limits (decades on a log axis, 1-1.5-2-3-4-5-6-8
    steps for the step count) change only now and then.
    """

    def __init__(self) -> None:
        super().__init__()
        self._bounds: list[tuple[float, float] | None] = [None, None]

    def set_bounds(self, x: tuple[float, float] | None, y: tuple[float, float] | None) -> None:
        if [x, y] != self._bounds:
            self._bounds = [x, y]
            self.informViewBoundsChanged()

    def bounds(self, axis: int) -> tuple[float, float] | None:
        return self._bounds[axis]

    def forget(self) -> None:
        """Drop the sticky limits (the axis changed units); the next set_bounds decides."""
        self._bounds = [None, None]

    def dataBounds(self, axis: int, frac: float = 1.0, orthoRange=None):  # pyqtgraph override
        return self._bounds[axis]

    def boundingRect(self) -> QRectF:  # Qt override: nothing to paint
        return QRectF()

    def paint(self, *_args) -> None:  # Qt override
        return None


def loss_range(lo: float, hi: float, log: bool) -> tuple[float, float]:
    """Rounded limits for losses from ``lo`` to ``hi``: decades (log10) on a log axis."""
    if not log:
        return nice_span(lo, hi)
    want = (float(np.floor(np.log10(lo))), float(np.ceil(np.log10(hi))))
    if want[1] <= want[0]:  # a loss of exactly 10^k: a decade around it
        want = (want[0] - 0.5, want[1] + 0.5) if lo == hi else (want[0], want[0] + 1.0)
    return want


def widened(old: tuple[float, float] | None,
             want: tuple[float, float]) -> tuple[float, float]:
    """``old`` widened to hold ``want`` (``want`` itself where they do not overlap)."""
    if old is None or want[1] < old[0] or old[1] < want[0]:
        return want
    return (min(old[0], want[0]), max(old[1], want[1]))
