"""λmax of the loss's Hessian along the run, against the stability limits on it.

Plain gradient descent with learning rate lr is stable along a direction of
curvature λ while λ < 2/lr; heavy-ball momentum β moves the limit to
2(1+β)/lr. The plot draws λmax at the rows the model worked out (dots and a
line), and each limit as a dashed curve of the run's own learning rate per
step (flat for a constant lr, moving with a schedule), named in the legend
strip above the plot. The sentence under it says what the plot is of.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from desktop.views import palette
from desktop.views._arrays import as_float
from desktop.views._axes import plain_plot, readable_axes
from desktop.views._bands import Band, Key

LIMIT_COLOURS = (palette.STABILITY, palette.DIVERGED)


class SharpnessView(QWidget):
    """λmax against step, the limit lines, and one sentence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = pg.PlotWidget(axisItems=readable_axes())
        plot = plain_plot(self.plot_widget.getPlotItem(), "step",
                          "λmax (Hessian's largest eigenvalue)")
        for name in ("bottom", "left"):
            plot.getAxis(name).enableAutoSIPrefix(False)
        self.curve = pg.PlotDataItem(pen=pg.mkPen(palette.PATH, width=1), symbol="o",
                                     symbolSize=4, symbolPen=None, symbolBrush=palette.PATH)
        plot.addItem(self.curve)
        self.limits = [pg.PlotDataItem(pen=pg.mkPen(colour, width=1,
                                                    style=Qt.PenStyle.DashLine))
                       for colour in LIMIT_COLOURS]
        for item in self.limits:
            plot.addItem(item)
        self.band = Band(plot)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setObjectName("sharpness-caption")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.caption)
        self._limit_labels: list[str] = []
        self._how = ""

    def set_values(self, steps, lam, how: str) -> None:
        """λmax at ``steps`` (worked out by ``how``, named in the legend)."""
        steps, lam = as_float(steps), as_float(lam)
        ok = np.isfinite(lam)
        self.curve.setData(steps[ok], lam[ok])
        self._how = how
        self._set_keys()

    def set_limits(self, steps, lines: list[tuple[str, np.ndarray]]) -> None:
        """Each limit ``(label, values per step)`` as a dashed curve over ``steps``."""
        steps = as_float(steps)
        self._limit_labels = []
        for i, item in enumerate(self.limits):
            if i < len(lines):
                label, values = lines[i]
                item.setData(steps, as_float(values))
                item.show()
                self._limit_labels.append(label)
            else:
                item.setData([], [])
                item.hide()
        self._set_keys()

    def set_caption(self, text: str) -> None:
        self.caption.setText(text)

    def _set_keys(self) -> None:
        keys = [Key(f"λmax ({self._how})" if self._how else "λmax", pg.mkColor(palette.PATH))]
        keys += [Key(label, palette.colour(LIMIT_COLOURS[i]), Qt.PenStyle.DashLine)
                 for i, label in enumerate(self._limit_labels)]
        self.band.set_keys(keys)

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """The λmax curve as drawn (tests read it)."""
        x, y = self.curve.getData()
        return (np.empty(0), np.empty(0)) if x is None else (x, y)
