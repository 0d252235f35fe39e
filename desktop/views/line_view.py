"""One-parameter problems: the loss curve over the parameter and the run as a ball on it.

The view range follows the loss curve only; the path is drawn over it but
cannot rescale it (a diverging ball flies off the edge, the axes stay put,
and an arrow at the edge says at which step it left and where it is now).
The path fades from early to late steps and the legend sits above the plot,
as in the contour view (`_path`, `_bands`).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from desktop.views import palette
from desktop.views._arrays import as_float
from desktop.views._axes import plain_plot, readable_axes
from desktop.views._bands import Band
from desktop.views._compared import DEDUPE_FROM, MAX_PATH_DOTS, ComparedPaths
from desktop.views._growing import GrowingRows
from desktop.views._items import PixelPoints
from desktop.views._menu import ExportEntry, LazyMenuViewBox
from desktop.views._path import MARKER_Z, ExitMarker, StepPath
from desktop.views.arrows import ArrowsItem

# paths are cut at this many curve-extents away (see clip_polyline)
CLIP_EXTENTS = 100.0


class LineView(ComparedPaths, ExportEntry, pg.PlotWidget):
    compare_dots = True  # a compared ball's steps, as dots on the curve
    """Loss against the single parameter, with the run rolling down it."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, axisItems=readable_axes(),
                         viewBox=LazyMenuViewBox())
        self._init_export_entry()  # the app's own Export… in the right-click menu
        plot = plain_plot(self.getPlotItem(), "w", "loss")
        self._box: tuple[float, float, float, float] | None = None
        self._origin = (0.0, 0.0)  # where pixel cells are counted from (the curve's centre)
        self._w = np.empty(0)
        self._loss = np.empty(0)
        self._rows = GrowingRows()  # which rows of the path are new since the last frame
        self._name = "w"
        self._current: int | None = None
        self._highlight: int | None = None
        self._init_compared()

        self._curve = pg.PlotDataItem(
            pen=pg.mkPen(palette.SURFACE_CURVE, width=1), connect="finite"
        )
        plot.addItem(self._curve)
        # the run, faded from early to late steps; a live trajectory only grows,
        # so its Qt paths are extended, not rebuilt (see _path)
        self._path = StepPath(plot, thin_from=DEDUPE_FROM, max_dots=MAX_PATH_DOTS, dot_size=6)
        # the drawn path as one line, ``getData()``, under its name from before the
        # shading (tests of the window read it); new code: `path_data`
        self._line = self._path
        # redrawn every frame: PixelPoints, not ScatterPlotItem (see _items)
        self._highlight_marker = PixelPoints(
            "o", 20, pen=pg.mkPen(palette.HIGHLIGHT, width=2), brush=None
        )
        self._ball = PixelPoints("o", 14, pen=pg.mkPen("#000000", width=1), brush=palette.CURRENT)
        for item in (self._highlight_marker, self._ball):
            item.setZValue(MARKER_Z)
            plot.addItem(item, ignoreBounds=True)
        self._exit = ExitMarker(plot, "the plot")
        self._exit_map: tuple[float, float, float, float] | None = None  # the range it watches
        # the negative gradient and the update taken at the current point (`PictureBinder`)
        self.arrows = ArrowsItem()
        plot.addItem(self.arrows, ignoreBounds=True)
        self.band = Band(plot)  # the legend, above the plot
        # pyqtgraph's automatic SI prefix rescales the tick labels and adds
        # "(x0.001)" to the title; weights and losses read better as plain numbers
        for name in ("bottom", "left"):
            plot.getAxis(name).enableAutoSIPrefix(False)
        self._drawn_for = (0.0, 0.0)  # the pixel size long paths were thinned for
        plot.getViewBox().sigRangeChanged.connect(self._on_view_range_changed)
        plot.getViewBox().sigResized.connect(self._on_view_range_changed)

    def set_curve(self, ws, loss, param_name: str) -> None:
        """The loss over the parameter's window; the view fits it."""
        ws, loss = as_float(ws), as_float(loss)
        n = min(len(ws), len(loss))
        ws, loss = ws[:n], loss[:n]
        ok = np.isfinite(ws) & np.isfinite(loss)
        # a non-finite loss becomes a NaN gap (connect="finite"), not a chord across it
        has_w = np.isfinite(ws)
        self._curve.setData(ws[has_w], np.where(ok, loss, np.nan)[has_w])
        self._name = str(param_name)
        self.getPlotItem().setLabel("bottom", param_name)
        if ok.any():
            x0, x1 = float(ws[ok].min()), float(ws[ok].max())
            y0, y1 = float(loss[ok].min()), float(loss[ok].max())
            wx, wy = max(x1 - x0, 1e-12), max(y1 - y0, 1e-12)
            self._box = (
                x0 - CLIP_EXTENTS * wx,
                x1 + CLIP_EXTENTS * wx,
                y0 - CLIP_EXTENTS * wy,
                y1 + CLIP_EXTENTS * wy,
            )
            self._origin = ((x0 + x1) / 2, (y0 + y1) / 2)
        else:
            self._box = None
        self.getPlotItem().enableAutoRange()
        self._draw_path(kept=0)
        self._draw_compare()

    def set_path(self, w, loss) -> None:
        """The run's (parameter, loss) rows, cut at the first non-finite row."""
        w, loss = as_float(w), as_float(loss)
        kept, n = self._rows.update(w, loss)  # a growing run: only the new rows are looked at
        self._w, self._loss = w[:n], loss[:n]
        self._draw_path(kept)

    def set_current(self, i: int | None) -> None:
        """Draw the ball at row ``i`` (negative: from the end)."""
        self._current = i
        self._draw_marker(self._ball, i)

    def set_highlight(self, row: int | None) -> None:
        self._highlight = row
        self._draw_marker(self._highlight_marker, row)

    def _visible(self) -> tuple[float, float, float, float]:
        (x0, x1), (y0, y1) = self.getPlotItem().getViewBox().viewRange()
        return x0, x1, y0, y1

    def _on_view_range_changed(self, *_args) -> None:
        # the ball has left the plot once it is outside what the plot shows
        visible = self._visible()
        if visible != self._exit_map:
            self._exit_map = visible
            self._exit.set_map(visible)
            self._exit.update(self._w, self._loss, 0, (self._name, "loss"), self._pixel())
        # pixel thinning depends on the zoom only (panning keeps it valid)
        if self._pixel() != self._drawn_for:
            self._draw_path(kept=0)
            self._draw_compare()

    def _draw_path(self, kept: int) -> None:
        """Hand the path to the items; rows ``[0, kept)`` are the ones drawn last time."""
        self._drawn_for = self._pixel()
        self._path.update(self._w, self._loss, kept, self._drawn_for, self._origin, self._box)
        self._exit.update(self._w, self._loss, kept, (self._name, "loss"), self._drawn_for)
        if kept == 0:
            self._set_keys()
        self._draw_marker(self._ball, self._current)
        self._draw_marker(self._highlight_marker, self._highlight)

    def _path_xy(self) -> tuple[np.ndarray, np.ndarray]:
        return self._w, self._loss
