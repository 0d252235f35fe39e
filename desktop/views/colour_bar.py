"""`ColourBar`: the contour map's colour key, a bar of its colours with a tick axis.

pyqtgraph's ColorBarItem is a whole plot (a plot options menu, a view box
menu, four axes to draw its frame): 7 ms to build before the window's first
paint, for a key that never pans, zooms or takes a click. This one is the
bar (an image of the colour map in a view box with a border), its ticks on
the right (an axis linked to the box: log mode reads the values as
decades) and its title on the left, in a row the map's plot keeps for it.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsGridLayout

from desktop.views import palette
from desktop.views._axes import ReadableAxis

TICK_AXIS_WIDTH = 45  # room for "10⁻³" and "−10²" without the bar shifting as they change
GAP = 5  # between the plot's right edge and the bar


class ColourBar(pg.GraphicsWidget):
    """The colours of ``colour_map`` from ``levels()[0]`` (bottom) to ``levels()[1]``."""

    def __init__(self, colour_map: pg.ColorMap, width: int = 14, label: str = "") -> None:
        super().__init__()
        layout = QGraphicsGridLayout()
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(0)
        self.setLayout(layout)
        self._box = pg.ViewBox(enableMenu=False, enableMouse=False)
        self._box.setBorder(pg.mkPen(palette.FOREGROUND, width=1))
        lut = colour_map.getLookupTable(nPts=256, alpha=False)
        # row 0 (the lowest value) at the bottom; the colours as they are, not stretched
        self._strip = pg.ImageItem(lut[:, np.newaxis, :], axisOrder="row-major", levels=(0, 255))
        self._box.addItem(self._strip)
        self._title = ReadableAxis("left")
        self._title.setStyle(showValues=False, tickLength=0)
        self._title.setTicks([])
        self._title.setLabel(label)
        self.axis = pg.AxisItem("right")
        self.axis.linkToView(self._box)
        self.axis.setWidth(TICK_AXIS_WIDTH)
        layout.addItem(self._title, 0, 0)
        layout.addItem(self._box, 0, 1)
        layout.addItem(self.axis, 0, 2)
        layout.setColumnFixedWidth(1, width)
        self._lut = lut
        self._image: pg.ImageItem | None = None
        self._levels = (0.0, 1.0)
        self.setLevels(self._levels)

    def getAxis(self, name: str) -> pg.AxisItem:
        """``"left"``: the title; ``"right"``: the ticks (pyqtgraph's name for them)."""
        return {"left": self._title, "right": self.axis}[name]

    def attach(self, image: pg.ImageItem, plot: pg.PlotItem) -> None:
        """Colour ``image`` with this bar's map and levels, and sit right of ``plot``."""
        self._image = image
        image.setLookupTable(self._lut)
        image.setLevels(self._levels)
        plot.layout.addItem(self, 2, 5)  # the plot's row of its view box, after its right axis
        plot.layout.setColumnFixedWidth(4, GAP)

    def levels(self) -> tuple[float, float]:
        return self._levels

    def setLevels(self, levels: tuple[float, float]) -> None:
        """The values at the two ends of the bar (and of the attached image's colours)."""
        low, high = float(levels[0]), float(levels[1])
        self._levels = (low, high)
        self._strip.setRect(QRectF(0.0, low, 1.0, high - low))
        self._box.setRange(xRange=(0.0, 1.0), yRange=(low, high), padding=0.0)
        if self._image is not None:
            self._image.setLevels(self._levels)
