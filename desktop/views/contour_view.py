"""The loss surface as a log colour map with iso-lines, and the run drawn over it.

The colour transform (log of the shifted loss, or a signed log for surfaces
with negative losses) lives in ``colour_scale``.

The run's path is shaded by step, light grey to black (`_path.StepPath`), so
a zig-zag shows its order instead of a black band; where it leaves the map
an arrow at the edge says at which step and where it is now
(`_path.ExitMarker`). The legend (the run's shading, compared runs) sits in
a strip above the map (`_bands.Band`): the map fills the whole data area,
so any legend inside it would cover data.

Geometry: ``Z[j, i]`` is the loss at ``(xs[i], ys[j])`` (row-major, y up). The
image is placed with ``setRect`` after every ``setImage`` so each pixel is
centred on its grid point; iso-lines come from contourpy in data coordinates
and therefore sit exactly on the same grid.
"""

from __future__ import annotations

import contourpy
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import QGraphicsItem

from desktop.views import palette
from desktop.views._arrays import as_float
from desktop.views._axes import (
    fit_axis_label,
    label_choices,
    plain_plot,
    readable_axes,
)
from desktop.views._bands import Band
from desktop.views._compared import DEDUPE_FROM, MAX_PATH_DOTS, ComparedPaths
from desktop.views._growing import GrowingRows
from desktop.views._items import PixelPoints
from desktop.views._menu import ExportEntry, LazyMenuViewBox
from desktop.views._path import MARKER_Z, ExitMarker, StepPath
from desktop.views.arrows import ArrowsItem
from desktop.views.colour_bar import ColourBar
from desktop.views.colour_scale import colour_scale

# paths are cut at this many window-sizes away (see clip_polyline)
CLIP_WINDOWS = 100.0


def isolines(
    xs: np.ndarray, ys: np.ndarray, Z: np.ndarray, levels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """All iso-lines of ``Z`` at ``levels`` as one x, y pair with NaN rows between lines."""
    levels = as_float(levels)
    levels = levels[np.isfinite(levels)]
    Z = np.asarray(Z, dtype=np.float64)
    finite = np.isfinite(Z)
    if levels.size == 0 or not finite.any():
        return np.empty(0), np.empty(0)
    # contourpy's generator class itself, with the non-finite cells as its mask:
    # its contour_generator() helper would mask them through numpy.ma, whose
    # import alone costs the window's first paint about 10 ms
    X, Y = np.meshgrid(as_float(xs), as_float(ys))
    gen = contourpy.SerialContourGenerator(
        X, Y, Z, None if finite.all() else ~finite,
        corner_mask=True, line_type=contourpy.LineType.ChunkCombinedNan,
        fill_type=contourpy.FillType.OuterOffset, quad_as_tri=False,
        z_interp=contourpy.ZInterp.Linear)
    pieces = []
    separator = np.full((1, 2), np.nan)
    for (chunks,) in gen.multi_lines(levels):
        for points in chunks:
            if points is not None and len(points):
                pieces += [points, separator]
    if not pieces:
        return np.empty(0), np.empty(0)
    xy = np.concatenate(pieces[:-1])
    return xy[:, 0].copy(), xy[:, 1].copy()


def pixel_rect(xs: np.ndarray, ys: np.ndarray) -> QRectF:
    """The image rectangle that centres pixel (i, j) on grid point (xs[i], ys[j]).

    An image has square-grid pixels, so the grid must be evenly spaced and
    increasing along both axes (``np.linspace``); anything else is refused
    rather than drawn misaligned with its iso-lines.
    """
    steps = []
    for name, v in (("xs", xs), ("ys", ys)):
        d = (v[-1] - v[0]) / (len(v) - 1)
        if not (np.isfinite(d) and d > 0 and np.allclose(np.diff(v), d, rtol=1e-6, atol=0)):
            raise ValueError(f"{name} must be evenly spaced and increasing (np.linspace)")
        steps.append(d)
    dx, dy = steps
    return QRectF(xs[0] - dx / 2, ys[0] - dy / 2, len(xs) * dx, len(ys) * dy)



class ContourView(ComparedPaths, ExportEntry, pg.PlotWidget):
    """Log-loss colour map, iso-lines, minima, trajectory, start marker, compare paths."""

    startMoved = Signal(float, float)
    clicked = Signal(float, float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, axisItems=readable_axes(),
                         viewBox=LazyMenuViewBox())
        self._init_export_entry()  # the app's own Export… in the right-click menu
        plot = plain_plot(self.getPlotItem(), "x", "y")
        self._box: tuple[float, float, float, float] | None = None
        self._origin = (0.0, 0.0)  # where pixel cells are counted from (the surface's centre)
        self._names = ("x", "y")
        self._path_x = np.empty(0)
        self._path_y = np.empty(0)
        self._rows = GrowingRows()  # which rows of the path are new since the last frame
        self._current: int | None = None
        self._highlight: int | None = None
        self._init_compared()
        self.colour_scale = None  # the ColourScale of the surface shown (for tests, exports)

        # explicit axisOrder: correct even if the app forgot the global option
        self._image = pg.ImageItem(axisOrder="row-major")
        plot.addItem(self._image)
        self._bar = ColourBar(palette.surface_colormap(), width=14, label="loss − min (log scale)")
        self._bar.axis.setLogMode(True)
        self._bar.attach(self._image, plot)

        self._iso = pg.PlotCurveItem(pen=pg.mkPen(palette.ISOLINE, width=1), connect="finite")
        self._cached = False  # the surface and iso-lines kept as pixmaps: after the first paint
        self._minima = pg.ScatterPlotItem(
            symbol="star",
            size=15,
            pen=pg.mkPen(palette.MINIMUM_EDGE, width=1),
            brush=pg.mkBrush(palette.MINIMUM),
        )
        for item in (self._iso, self._minima):
            # only the surface decides the range: a diverging path must not rescale it
            plot.addItem(item, ignoreBounds=True)
        # the run's path shaded by step order; a live trajectory only grows, so
        # its Qt paths are extended, not rebuilt (see _path)
        self._path = StepPath(plot, thin_from=DEDUPE_FROM, max_dots=MAX_PATH_DOTS, dot_size=3)
        # the drawn path as one line, ``getData()``, under its name from before the
        # shading (tests of the window read it); new code: `path_data`
        self._line = self._path
        # markers change with every re-run and frame: PixelPoints, not
        # ScatterPlotItem (see _items)
        self._highlight_marker = PixelPoints(
            "o", 16, pen=pg.mkPen(palette.HIGHLIGHT, width=2), brush=None
        )
        self._current_marker = PixelPoints(
            "o", 10, pen=pg.mkPen("#000000", width=1), brush=palette.CURRENT
        )
        self._start = pg.TargetItem(
            size=14,
            pen=pg.mkPen(palette.START, width=2),
            brush=pg.mkBrush(255, 255, 255, 90),
            hoverPen=pg.mkPen("#000000", width=2),
            hoverBrush=pg.mkBrush(palette.START),
        )
        self._start.hide()
        self._start_at: tuple[float, float] | None = None
        for item in (self._highlight_marker, self._current_marker, self._start):
            item.setZValue(MARKER_Z)
            plot.addItem(item, ignoreBounds=True)
        self._exit = ExitMarker(plot, "the map")
        # the negative gradient and the update taken at the current point (`PictureBinder`)
        self.arrows = ArrowsItem()
        plot.addItem(self.arrows, ignoreBounds=True)
        self.band = Band(plot)  # the legend, above the map
        # pyqtgraph's automatic SI prefix rescales the tick labels and adds
        # "(x0.001)" to the title; parameters read better as plain numbers
        for name in ("bottom", "left"):
            plot.getAxis(name).enableAutoSIPrefix(False)
        self._bar.axis.enableAutoSIPrefix(False)
        fit_axis_label(self._bar.getAxis("left"), label_choices("loss − min (log scale)"))

        self._drawn_for = (0.0, 0.0)  # the pixel size long paths were thinned for
        plot.getViewBox().sigRangeChanged.connect(self._on_view_range_changed)
        plot.getViewBox().sigResized.connect(self._on_view_range_changed)
        self._start.sigPositionChangeFinished.connect(self._on_start_move_finished)
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)

    # ------------------------------------------------------------ surface
    def set_surface(
        self, xs, ys, Z, levels, param_names: tuple[str, str], minima: list[tuple[float, float]]
    ) -> None:
        """Show the loss grid ``Z[j, i] = loss(xs[i], ys[j])`` and set the view to its window."""
        xs, ys = as_float(xs), as_float(ys)
        Z = np.asarray(Z, dtype=np.float64)
        if len(xs) < 2 or len(ys) < 2 or Z.shape != (len(ys), len(xs)):
            raise ValueError(
                f"Z must have shape (len(ys), len(xs)) = ({len(ys)}, {len(xs)}) "
                f"with at least 2 points each way, got {Z.shape}"
            )
        rect = pixel_rect(xs, ys)  # validates the grid before anything is drawn
        mins = np.asarray(minima, dtype=np.float64)
        if mins.size and (mins.ndim != 2 or mins.shape[1] != 2):
            raise ValueError(f"minima must be (x, y) pairs, got shape {mins.shape}")
        scale = colour_scale(Z)
        self.colour_scale = scale
        self._image.setImage(scale.values, autoLevels=False, levels=scale.levels)
        # after setImage: setRect bakes scale = rect / shape into the transform
        self._image.setRect(rect)
        self._bar.setLevels(scale.levels)
        self._bar.axis.setLogMode(not scale.signed)
        self._bar.axis.setTicks(None if scale.ticks() is None else [scale.ticks()])
        # the bar's title sits on its left axis (the right one carries the
        # ticks); a shorter form where the plot is too short for it
        fit_axis_label(self._bar.getAxis("left"), label_choices(scale.label))
        self._iso.setData(*isolines(xs, ys, Z, levels))
        mins = mins.reshape(-1, 2)
        mins = mins[np.isfinite(mins).all(axis=1)]
        self._minima.setData(mins[:, 0], mins[:, 1])
        plot = self.getPlotItem()
        self._names = (str(param_names[0]), str(param_names[1]))
        plot.setLabel("bottom", param_names[0])
        plot.setLabel("left", param_names[1])
        self._exit.set_map((rect.left(), rect.right(), rect.top(), rect.bottom()))
        self._box = (
            rect.left() - CLIP_WINDOWS * rect.width(),
            rect.right() + CLIP_WINDOWS * rect.width(),
            rect.top() - CLIP_WINDOWS * rect.height(),
            rect.bottom() + CLIP_WINDOWS * rect.height(),
        )
        self._origin = (rect.center().x(), rect.center().y())
        plot.getViewBox().setRange(
            xRange=(rect.left(), rect.right()), yRange=(rect.top(), rect.bottom()), padding=0.0
        )
        plot.disableAutoRange()
        self._draw_path(kept=0)
        self._draw_compare()

    # ------------------------------------------------------------ the run
    def set_path(self, x, y) -> None:
        """The trajectory up to the current row; drawing stops at the first non-finite row."""
        x, y = as_float(x), as_float(y)
        kept, n = self._rows.update(x, y)  # a growing run: only the new rows are looked at
        self._path_x, self._path_y = x[:n], y[:n]
        if n and not self._start.moving:
            self._place_start(self._path_x[0], self._path_y[0])
        self._draw_path(kept)

    def set_start(self, x: float, y: float) -> None:
        """Put the draggable start marker at ``(x, y)`` (set_path also does, from row 0)."""
        if np.isfinite(x) and np.isfinite(y):
            self._place_start(float(x), float(y))

    def set_current(self, i: int | None) -> None:
        """Highlight row ``i`` of the path as the current point (negative: from the end)."""
        self._current = i
        self._draw_marker(self._current_marker, i)

    def set_highlight(self, row: int | None) -> None:
        """Ring the row selected in the step table (None: no ring)."""
        self._highlight = row
        self._draw_marker(self._highlight_marker, row)

    # ------------------------------------------------------------ drawing
    def _path_xy(self) -> tuple[np.ndarray, np.ndarray]:
        return self._path_x, self._path_y

    def _draw_path(self, kept: int) -> None:
        """Hand the path to the items; rows ``[0, kept)`` are the ones drawn last time."""
        x, y = self._path_x, self._path_y
        self._drawn_for = self._pixel()
        self._path.update(x, y, kept, self._drawn_for, self._origin, self._box)
        self._exit.update(x, y, kept, self._names, self._drawn_for)
        if kept == 0:
            self._set_keys()
        self._draw_marker(self._current_marker, self._current)
        self._draw_marker(self._highlight_marker, self._highlight)

    def _place_start(self, x: float, y: float) -> None:
        # every frame hands over row 0 again: move (and re-lay out) the marker
        # only when the start really changed
        if self._start_at == (x, y) and self._start.isVisible():
            return
        self._start_at = (x, y)
        self._start.setPos(QPointF(x, y))
        self._start.show()

    def _on_view_range_changed(self, *_args) -> None:
        # pixel thinning depends on the zoom only (panning keeps it valid)
        if self._pixel() != self._drawn_for:
            self._draw_path(kept=0)
            self._draw_compare()

    # ------------------------------------------------------------ mouse
    def _on_start_move_finished(self, _target) -> None:
        pos = self._start.pos()
        self._start_at = (float(pos.x()), float(pos.y()))
        self.startMoved.emit(float(pos.x()), float(pos.y()))

    def paintEvent(self, event) -> None:  # Qt override
        super().paintEvent(event)
        if not self._cached:
            # the surface and its iso-lines change per problem, not per frame: from now
            # on they are kept as pixmaps until the view is panned, zoomed or resized
            # (filling that cache in the first paint would make the window's first
            # paint later by more than the cache saves it)
            self._cached = True
            for item in (self._image, self._iso):
                item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def _on_scene_clicked(self, ev) -> None:
        if ev.isAccepted() or ev.double() or ev.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.getPlotItem().getViewBox()
        scene_pos = ev.scenePos()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return  # axes, colour bar, margins
        if self._start.isVisible() and self._start.sceneBoundingRect().contains(scene_pos):
            return  # the start marker: not a new start
        p = vb.mapSceneToView(scene_pos)
        self.clicked.emit(float(p.x()), float(p.y()))
