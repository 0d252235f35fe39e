"""The data and the model's fit: the examples as points and the current prediction over them.

One input: the examples as (x, y) points and the model's output along x (the
fitted line of a regression, the sigmoid of a classifier). Two inputs: the
examples in the (x₁, x₂) plane coloured by label, over an image of the model's
output on a grid (light blue for 0 to light red for 1) with the decision
boundary (output = 0.5) as a line. The examples the current update uses are
ringed when batches are on. Everything is in the data's own units; the
numbers come from core (`Problem.predict`), the view only draws them.

The view range is the data's (set once per problem): a model whose line
flies off as the run diverges leaves the plot, it does not rescale it.
Items are created once and fed with ``setData``/``setImage``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont, QFontMetricsF

from desktop.views import palette
from desktop.views._axes import ReadableAxis
from desktop.views._bands import Band, Key
from desktop.views._items import PixelPoints
from desktop.views._menu import ExportEntry
from desktop.views.contour_view import isolines

LABEL_COLOURS = ("#2166ac", "#b2182b")  # label 0 (blue), label 1 (red)
VALUE_COLOUR = "#2166ac"  # a regression's examples
MODEL_COLOUR = "#000000"
BATCH_COLOUR = palette.CURRENT  # the current update's examples: ringed in orange
_NONE = np.empty(0)
_FOREGROUND = QColor(palette.FOREGROUND).name(QColor.NameFormat.HexArgb)


@dataclass(frozen=True)
class DataScene:
    """What the view shows of a problem's data (set once per problem).

    ``x`` ``(n, d)`` inputs in the data's own units, ``y`` ``(n,)`` targets;
    ``kind`` is "value" (a regression) or "probability" (labels 0/1);
    ``names`` are the axis titles (x and y, or x₁ and x₂); ``window`` the
    range shown ``((x0, x1), (y0, y1))``.
    """

    x: np.ndarray
    y: np.ndarray
    kind: str
    names: tuple[str, str]
    window: tuple[tuple[float, float], tuple[float, float]]

    @property
    def inputs(self) -> int:
        return int(self.x.shape[1])


def _field_lut() -> np.ndarray:
    """Light blue (output 0) through white (0.5) to light red (1): the shading of a
    two-input model's output, pale enough that the points stay readable on it."""
    blue, red = np.array([171, 205, 232.0]), np.array([240, 178, 178.0])
    white = np.array([255.0, 255.0, 255.0])
    t = np.linspace(0.0, 1.0, 256)[:, None]
    lo = white + (blue - white) * np.clip(1 - 2 * t, 0, 1)
    hi = white + (red - white) * np.clip(2 * t - 1, 0, 1)
    return np.round(np.where(t < 0.5, lo, hi)).astype(np.uint8)


class DataView(ExportEntry, pg.PlotWidget):
    """The examples and the model's current prediction, in the data's own units."""

    def __init__(self, parent=None) -> None:
        super().__init__(
            parent, axisItems={"left": ReadableAxis("left"), "bottom": ReadableAxis("bottom")}
        )
        plot = self.getPlotItem()
        self._init_export_entry()
        plot.setMenuEnabled(False, enableViewBoxMenu=True)
        for name in ("bottom", "left"):
            plot.getAxis(name).enableAutoSIPrefix(False)
        self.scene_data: DataScene | None = None
        self.caption = ""
        self._field = pg.ImageItem(axisOrder="row-major")
        self._field.setLookupTable(_field_lut())
        self._field.setLevels((0.0, 1.0))
        plot.addItem(self._field)
        self._boundary = pg.PlotCurveItem(
            pen=pg.mkPen(MODEL_COLOUR, width=2, style=pg.QtCore.Qt.PenStyle.DashLine),
            connect="finite")
        self._curve = pg.PlotCurveItem(pen=pg.mkPen(MODEL_COLOUR, width=2), connect="finite")
        for item in (self._boundary, self._curve):
            plot.addItem(item, ignoreBounds=True)
        self._points = [PixelPoints("o", 9, pen=pg.mkPen("#000000", width=1), brush=c)
                        for c in LABEL_COLOURS]
        self._batch = PixelPoints("o", 17, pen=pg.mkPen(BATCH_COLOUR, width=2), brush=None)
        for item in (*self._points, self._batch):
            item.setZValue(10)
            plot.addItem(item, ignoreBounds=True)
        self.band = Band(plot)
        self._title = ""

    # ------------------------------------------------------------ per problem
    def set_scene(self, scene: DataScene | None) -> None:
        """The examples and the range shown (None: no data; the view is emptied)."""
        self.scene_data = scene
        plot = self.getPlotItem()
        self._curve.setData(_NONE, _NONE)
        self._boundary.setData(_NONE, _NONE)
        self._field.clear()
        self._batch.setData(_NONE, _NONE)
        if scene is None:
            for item in self._points:
                item.setData(_NONE, _NONE)
            self.band.set_keys([])
            self.set_caption("")
            return
        two = scene.inputs == 2
        labels = scene.kind == "probability"
        if two:
            xs, ys = scene.x[:, 0], scene.x[:, 1]
        else:
            xs, ys = scene.x[:, 0], scene.y
        if labels:
            for c, item in enumerate(self._points):
                mask = scene.y == c
                item.setData(xs[mask], ys[mask])
        else:
            self._points[0].setData(xs, ys)
            self._points[1].setData(_NONE, _NONE)
            self._points[0].setBrush(VALUE_COLOUR)
        if labels:
            self._points[0].setBrush(LABEL_COLOURS[0])
        plot.setLabel("bottom", scene.names[0])
        plot.setLabel("left", scene.names[1])
        (x0, x1), (y0, y1) = scene.window
        plot.getViewBox().setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.0)
        plot.disableAutoRange()
        self.band.set_keys(self._keys(scene))

    def _keys(self, scene: DataScene) -> list[Key]:
        if scene.kind == "probability":
            keys = [Key("label 0", QColor(LABEL_COLOURS[0])),
                    Key("label 1", QColor(LABEL_COLOURS[1]))]
            model = ("boundary (output 0.5)" if scene.inputs == 2 else "the model's output")
        else:
            keys = [Key("examples", QColor(VALUE_COLOUR))]
            model = "the model's prediction"
        return [*keys, Key(model, QColor(MODEL_COLOUR))]

    # ------------------------------------------------------------ per frame
    def set_curve(self, x, y) -> None:
        """The model's output along x (one input)."""
        self._curve.setData(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))

    def set_field(self, xs, ys, out) -> None:
        """The model's output ``out[j, i]`` at ``(xs[i], ys[j])`` (two inputs): shaded, with
        its 0.5 line."""
        xs, ys = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
        out = np.asarray(out, dtype=np.float64)
        self._field.setImage(np.where(np.isfinite(out), out, np.nan), autoLevels=False,
                             levels=(0.0, 1.0))
        dx, dy = (xs[-1] - xs[0]) / (len(xs) - 1), (ys[-1] - ys[0]) / (len(ys) - 1)
        self._field.setRect(xs[0] - dx / 2, ys[0] - dy / 2, len(xs) * dx, len(ys) * dy)
        self._boundary.setData(*isolines(xs, ys, out, np.array([0.5])))

    def set_batch(self, idx) -> None:
        """Ring the examples ``idx`` (the current update's batch; None or empty: none)."""
        scene = self.scene_data
        if scene is None or idx is None:
            self._batch.setData(_NONE, _NONE)
            return
        rows = np.asarray(idx, dtype=np.intp).reshape(-1)
        if scene.inputs == 2:
            self._batch.setData(scene.x[rows, 0], scene.x[rows, 1])
        else:
            self._batch.setData(scene.x[rows, 0], scene.y[rows])

    def set_caption(self, text: str) -> None:
        """A line (or a few) above the plot: the step shown and the fit in words.

        Only a change in the number of lines re-lays the plot out: otherwise the
        title's text is replaced in place (its row keeps its height, the text is
        left-aligned so it needs no re-centring), because a re-layout of the whole
        plot every frame would cost more than everything else the view draws.
        """
        if text == self.caption:
            return
        lines = text.count("\n") + 1 if text else 0
        relayout = lines != (self.caption.count("\n") + 1 if self.caption else 0)
        self.caption = text
        plot = self.getPlotItem()
        html = text.replace("\n", "<br>")
        if not relayout:
            label = plot.titleLabel
            label.text = html
            label.item.setHtml(f"<span style='color: {_FOREGROUND}; font-size: 9pt'>{html}</span>")
            return
        plot.setTitle(html if text else None, size="9pt", justify="left")
        if text:
            # pyqtgraph gives a title one 30-pixel row; a caption of several lines needs more
            font = QFont(self.font())
            font.setPointSizeF(9)
            height = lines * QFontMetricsF(font).lineSpacing() + 10
            plot.titleLabel.setMaximumHeight(height)
            plot.layout.setRowFixedHeight(0, height)
            plot.layout.invalidate()

    # ------------------------------------------------------------ for tests
    def curve_data(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._curve.getData()
        return (_NONE, _NONE) if x is None else (x, y)

    def boundary_data(self) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._boundary.getData()
        return (_NONE, _NONE) if x is None else (x, y)

    def field_image(self) -> np.ndarray | None:
        return self._field.image

    def points_data(self, label: int = 0) -> tuple[np.ndarray, np.ndarray]:
        return self._points[label].getData()

    def batch_data(self) -> tuple[np.ndarray, np.ndarray]:
        return self._batch.getData()
