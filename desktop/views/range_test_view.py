"""The learning-rate range test: loss against a growing learning rate, its suggestions.

One run whose learning rate grows exponentially step by step (fastai's
``lr_find``, `core.lr_range_test`): the raw loss in grey, the smoothed loss
in black, on log axes, with the two suggestions marked on the smoothed
curve: the steepest descent (a triangle) and the valley (a circle). A click
on a marker, or its Use button, asks for that learning rate
(``usePicked("steep" | "valley")``); the window puts it in force. The
sentence under the plot (from the model) compares the suggestion with the
presets' "just right" and says when the test is stale.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.views import palette
from desktop.views._arrays import as_float, clip_for_log
from desktop.views._axes import plain_plot, readable_axes
from desktop.views._bands import Band, Key

RAW = "#a0a0a0"
MARKERS = {"steep": ("t", palette.PRESET_COLOURS["too-big"], "steepest descent"),
           "valley": ("o", palette.PRESET_COLOURS["just-right"], "valley")}


class RangeTestView(QWidget):
    """The range test's curve, its two markers, Use buttons and a sentence."""

    usePicked = Signal(str)
    runRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot_widget = pg.PlotWidget(axisItems=readable_axes())
        plot = plain_plot(self.plot_widget.getPlotItem(), "learning rate (log scale)",
                          "loss (log scale)")
        plot.setLogMode(x=True, y=True)
        for name in ("bottom", "left"):
            plot.getAxis(name).enableAutoSIPrefix(False)
        self.raw = pg.PlotDataItem(pen=pg.mkPen(RAW, width=1))
        self.smooth = pg.PlotDataItem(pen=pg.mkPen(palette.PATH, width=1))
        plot.addItem(self.raw)
        plot.addItem(self.smooth)
        # PlotDataItems, not ScatterPlotItems: they follow the plot's log mode
        self.markers: dict[str, pg.PlotDataItem] = {}
        for key, (symbol, colour, _label) in MARKERS.items():
            item = pg.PlotDataItem(pen=None, symbol=symbol, symbolSize=14,
                                   symbolPen=pg.mkPen("#000000", width=1),
                                   symbolBrush=pg.mkBrush(colour))
            item.setZValue(10)
            item.sigPointsClicked.connect(lambda *_args, k=key: self.usePicked.emit(k))
            plot.addItem(item)
            self.markers[key] = item
        self.band = Band(plot)
        self.band.set_keys([Key("loss", pg.mkColor(RAW)), Key("smoothed", pg.mkColor(
            palette.PATH))] + [Key(label, palette.colour(colour))
                               for _s, colour, label in MARKERS.values()])
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setObjectName("range-test-sentence")
        self.run_button = QPushButton("Run range test")
        self.run_button.setToolTip("One run whose learning rate grows from 1e-6 to 10 over "
                                   "100 steps, for the knobs in force (in the background).")
        self.use = {key: QPushButton(f"Use {label}") for key, (_s, _c, label) in
                    MARKERS.items()}
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        for key, button in self.use.items():
            button.setEnabled(False)
            button.clicked.connect(lambda _c=False, k=key: self.usePicked.emit(k))
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.sentence)
        layout.addLayout(buttons)
        self.run_button.clicked.connect(self.runRequested.emit)
        self.shown_lrs: dict[str, float | None] = {"steep": None, "valley": None}

    def set_result(self, test: Any) -> None:
        """Draw a `core.RangeTest` (None: nothing yet)."""
        if test is None:
            for item in (self.raw, self.smooth):
                item.setData([], [])
            for key in MARKERS:
                self._mark(key, None, np.empty(0), np.empty(0))
            return
        lrs = as_float(test.lrs)
        raw, _ = clip_for_log(as_float(test.losses))
        smooth, _ = clip_for_log(as_float(test.smooth))
        self.raw.setData(lrs, raw)
        self.smooth.setData(lrs, smooth)
        self._mark("steep", test.steep, lrs, smooth)
        self._mark("valley", test.valley, lrs, smooth)
        self.plot_widget.getPlotItem().enableAutoRange()

    def set_sentence(self, text: str, stale: bool) -> None:
        self.sentence.setText(text)
        self.sentence.setStyleSheet("color: #8a5a00;" if stale else "")

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.run_button.setText("Running…" if running else "Run range test")

    def _mark(self, key: str, lr: float | None, lrs: np.ndarray, smooth: np.ndarray) -> None:
        self.shown_lrs[key] = lr
        self.use[key].setEnabled(lr is not None)
        label = MARKERS[key][2]
        self.use[key].setText(f"Use {label}" if lr is None else f"Use {label} ({lr:.3g})")
        if lr is None or lrs.size == 0:
            self.markers[key].setData([], [])
            return
        # on the smoothed curve where the suggestion lies
        y = float(np.interp(np.log(lr), np.log(lrs), smooth))
        self.markers[key].setData([lr], [y])
