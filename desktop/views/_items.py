"""Plot items cheaper than pyqtgraph's for what the views redraw every frame.

``ScatterPlotItem`` keeps a record per point (style, cached fragment key,
spot item) and rebuilds it on every ``setData``: about 1.5 ms for the 1,000
dots of a re-run, and ~0.2 ms even for a single marker. The views only ever
need points of one style, so `PixelPoints` keeps the two coordinate arrays
and, when painted, maps them to the screen with numpy and draws one
pre-rendered symbol per point in a single ``drawPixmapFragments`` call
(what ``ScatterPlotItem`` itself does in the end). `PolylineItem` is a
line whose Qt path is extended with the new rows of a growing trajectory
instead of being rebuilt from all of them every frame.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph import Qt as pg_qt
from pyqtgraph import functions as fn
from pyqtgraph.graphicsItems.ScatterPlotItem import drawSymbol, renderSymbol
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPaintEngine, QPainter, QPainterPath, QPixmap, QTransform

from desktop.views._raster import RasterCachedItem, finite_bounds, padded, union

_EMPTY = np.empty(0)
# lines with more path elements than this are drawn from a picture of themselves
RASTER_FROM = 20_000
# Qt misdraws coordinates beyond this (pyqtgraph clips scatter points the same way)
_QT_LIMIT = float(2**30)


class PixelPoints(pg.GraphicsObject):
    """Points of one symbol, size in screen pixels (like ``ScatterPlotItem(pxMode=True)``).

    ``setData(x, y)`` only keeps the arrays; ``getData()`` returns them. The
    item takes no part in auto-range unless added without ``ignoreBounds``.
    """

    def __init__(self, symbol: str = "o", size: float = 7, pen=None, brush=None) -> None:
        super().__init__()
        self._symbol = symbol
        self._size = float(size)
        self._pen = pg.mkPen(pen) if pen is not None else pg.mkPen(None)
        self._brush = pg.mkBrush(brush) if brush is not None else pg.mkBrush(None)
        self._x = _EMPTY
        self._y = _EMPTY
        self._opacity: np.ndarray | None = None
        self._bounds: tuple[float, float, float, float] | None = None
        self._rect: QRectF | None = None  # boundingRect, until the data or the zoom changes
        self._pixmap: QPixmap | None = None
        self._pixmap_dpr = 0.0
        self._fragments = pg_qt.internals.PrimitiveArray(QPainter.PixmapFragment, 10)
        # half the rendered symbol, in pixels: how far a point's drawing reaches
        self._reach = 0.5 * (self._size + max(np.ceil(self._pen.widthF()), 1.0)) + 1.0

    # ------------------------------------------------------------ data
    def setData(self, x, y, opacity=None) -> None:
        """The points; ``opacity`` (one per point, 0..1) fades some of them (default: none)."""
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        n = min(len(x), len(y))
        x, y = x[:n], y[:n]
        alpha = None if opacity is None else np.asarray(opacity, dtype=np.float64).reshape(-1)[:n]
        same = n == len(self._x) and n <= 2 and alpha is None and self._opacity is None
        if same and np.array_equal(x, self._x) and np.array_equal(y, self._y):
            return  # a marker that did not move: no repaint
        if n == 0 and len(self._x) == 0:
            return
        self.prepareGeometryChange()
        self._x, self._y = x, y
        self._opacity = alpha
        self._bounds = None
        self._rect = None
        self.update()
        self.informViewBoundsChanged()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        return self._x, self._y

    def opacity_data(self) -> np.ndarray | None:
        """The points' opacities as last set (None: all opaque)."""
        return self._opacity

    def brush(self) -> pg.QtGui.QBrush:
        return pg.QtGui.QBrush(self._brush)

    def setBrush(self, brush) -> None:
        """A new fill colour for every point (the symbol picture is redrawn once)."""
        brush = pg.mkBrush(brush)
        if brush == self._brush:
            return
        self._brush = brush
        self._pixmap = None
        self.update()

    def _data_bounds(self) -> tuple[float, float, float, float] | None:
        if self._bounds is None and len(self._x):
            with np.errstate(invalid="ignore"):
                self._bounds = (
                    float(np.nanmin(self._x)),
                    float(np.nanmax(self._x)),
                    float(np.nanmin(self._y)),
                    float(np.nanmax(self._y)),
                )
        return self._bounds

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):
        b = self._data_bounds()
        if b is None:
            return None
        return (b[0], b[1]) if ax == 0 else (b[2], b[3])

    def pixelPadding(self) -> float:
        return self._reach

    # ------------------------------------------------------------ Qt
    def boundingRect(self) -> QRectF:
        # Qt asks many times per frame; the padding needs the pixel size (slow)
        if self._rect is None:
            b = self._data_bounds()
            self._rect = QRectF() if b is None else padded(self, b, self._reach)
        return QRectF(self._rect)

    def viewTransformChanged(self) -> None:  # pyqtgraph's hook: zoom, resize
        self.prepareGeometryChange()
        self._rect = None
        super().viewTransformChanged()

    def paint(self, p: QPainter, *_args) -> None:
        n = len(self._x)
        if n == 0:
            return
        tr = p.transform()
        xs = tr.m11() * self._x + tr.m21() * self._y + tr.m31()
        ys = tr.m12() * self._x + tr.m22() * self._y + tr.m32()
        np.clip(xs, -_QT_LIMIT, _QT_LIMIT, out=xs)
        np.clip(ys, -_QT_LIMIT, _QT_LIMIT, out=ys)
        p.resetTransform()
        engine = p.paintEngine()
        exporting = self._exportOpts is not False
        if exporting or (engine is not None and engine.type() != QPaintEngine.Type.Raster):
            # SVG, PDF, printers, exports: vector symbols, one by one (rare)
            aa = self._exportOpts.get("antialias", True) if exporting else False
            p.setRenderHint(QPainter.RenderHint.Antialiasing, aa)
            alpha = np.ones(n) if self._opacity is None else self._opacity
            base = p.opacity()
            for x, y, a in zip(xs.tolist(), ys.tolist(), alpha.tolist(), strict=True):
                p.resetTransform()
                p.setOpacity(base * a)
                p.translate(x, y)
                drawSymbol(p, self._symbol, self._size, self._pen, self._brush)
            p.setOpacity(base)
            return
        device = p.device()
        dpr = float(device.devicePixelRatioF()) if device is not None else 1.0
        if self._pixmap is None or dpr != self._pixmap_dpr:
            image = renderSymbol(self._symbol, self._size, self._pen, self._brush, dpr=dpr)
            self._pixmap = QPixmap.fromImage(image)
            self._pixmap_dpr = dpr
        side = float(self._pixmap.width())
        self._fragments.resize(n)
        frags = self._fragments.ndarray()
        frags[:, 0] = xs
        frags[:, 1] = ys
        frags[:, 2:6] = (0.0, 0.0, side, side)  # the whole pixmap
        frags[:, 6:9] = (1.0 / dpr, 1.0 / dpr, 0.0)  # scale x, y, rotation
        frags[:, 9] = 1.0 if self._opacity is None else self._opacity
        p.drawPixmapFragments(*self._fragments.drawargs(), self._pixmap)


class PolylineItem(RasterCachedItem):
    """A line through points (a NaN row breaks it) whose Qt path grows with the data.

    ``PlotCurveItem`` rebuilds its whole ``QPainterPath`` from the arrays on
    every ``setData``; for a live trajectory that is O(points) per frame, and
    with NaN breaks in more than 2 % of the rows pyqtgraph's slower builder
    takes ~5 ms per 60,000 points. Here ``setData(x, y, extend_from=m)``
    promises that rows ``[0, m)`` are the ones given last time, and only rows
    from ``m - 1`` on are turned into path elements and appended.

    Stroking is O(elements) per repaint too (~15 ms for a 600,000-element
    path), so a long line is drawn once into a picture of the viewport and
    from then on only its new pieces are drawn into it; a repaint copies the
    picture. A new zoom, size or device starts the picture over. Exports and
    other vector devices get the path itself.
    """

    def __init__(self, pen, name: str | None = None) -> None:
        super().__init__()
        self._pen = pg.mkPen(pen)
        self._name = name
        # what LegendItem's sample reads to draw this item's line
        self.opts = {"pen": self._pen, "antialias": False, "symbol": None, "fillLevel": None}
        self._x = _EMPTY
        self._y = _EMPTY
        self._path = QPainterPath()

    def name(self) -> str | None:
        return self._name

    def pen(self) -> pg.QtGui.QPen:
        return pg.QtGui.QPen(self._pen)

    def qpath(self) -> QPainterPath:
        """The Qt path drawn (a copy; Qt shares the data until one of them changes)."""
        return QPainterPath(self._path)

    def data_bounds(self) -> tuple[float, float, float, float] | None:
        """``(x0, x1, y0, y1)`` of the finite points, None when there are none."""
        return self._bounds

    def picture(self) -> tuple[QImage, tuple] | None:
        """The line as last drawn from its picture, brought up to date: ``(image, key)``,
        ``key`` the view transform and device it was drawn for; None when the line is
        drawn as vectors (short lines, exports) or has not been painted yet."""
        if self._raster is None or self._raster_key is None:
            return None
        if self._pending:
            m11, m12, m21, m22, m31, m32 = self._raster_key[:6]
            self._draw_into(self._raster, QTransform(m11, m12, m21, m22, m31, m32),
                            self._pending)
            self._pending = []
        return self._raster, self._raster_key

    def setPen(self, pen) -> None:
        """A new pen for the whole line; a line drawn from its picture is drawn again once."""
        pen = pg.mkPen(pen)
        if pen == self._pen:
            return
        self._pen = pen
        self.opts["pen"] = pen
        self._raster, self._pending = None, []
        self.update()

    def setData(self, x, y, extend_from: int | None = None) -> None:
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        y = np.asarray(y, dtype=np.float64).reshape(-1)
        n = min(len(x), len(y))
        x, y = x[:n], y[:n]
        m = extend_from
        if m is not None and 0 < m == n <= len(self._x):
            self._x, self._y = x, y
            return  # nothing new to draw (also for a one-point line, whose path is empty)
        if m is not None and 0 < m <= min(n, len(self._x)) and self._path.elementCount():
            # from the last old row, so the join to the first new one is drawn
            piece = fn.arrayToQPath(x[m - 1 :], y[m - 1 :], connect="finite")
            self._path.addPath(piece)
            self._pending.append(piece)
            self._bounds = union(self._bounds, finite_bounds(x[m:], y[m:]))
        else:
            self._path = fn.arrayToQPath(x, y, connect="finite") if n else QPainterPath()
            self._bounds = finite_bounds(x, y)
            self._raster, self._pending = None, []
        self.prepareGeometryChange()
        self._x, self._y = x, y
        self._rect = None
        self.update()
        self.informViewBoundsChanged()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        return self._x, self._y

    def pixelPadding(self) -> float:
        return max(self._pen.widthF(), 1.0)

    def _is_empty(self) -> bool:
        return self._path.isEmpty()

    def _wants_picture(self) -> bool:
        return self._path.elementCount() >= RASTER_FROM

    def _stroke(self, p: QPainter) -> None:
        p.setPen(self._pen)
        p.drawPath(self._path)

    def _all_pieces(self) -> list[QPainterPath]:
        return [self._path]

    def _draw_into(self, image: QImage, tr, paths: list[QPainterPath]) -> None:
        q = QPainter(image)
        try:
            q.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            q.setTransform(tr)
            q.setPen(self._pen)
            q.setBrush(Qt.BrushStyle.NoBrush)
            for path in paths:
                q.drawPath(path)
        finally:
            q.end()
