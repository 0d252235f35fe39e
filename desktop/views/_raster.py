"""The common part of the line items that keep a picture of the viewport.

Stroking a long Qt path is O(elements) per repaint (~15 ms for 600,000
elements), so `PolylineItem` and `LayeredLines` draw their lines once into
a picture of the viewport and from then on only what was added since; a
repaint copies the picture. A new zoom, size or device starts the picture
over, and exports and other vector devices get the paths themselves. This
base class holds the bounds, the picture and that choice; a subclass says
what to stroke (`_stroke`), how to draw into the picture (`_draw_into`) and
what a fresh picture holds (`_all_pieces`).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QPaintEngine, QPainter

Bounds = tuple[float, float, float, float]


class RasterCachedItem(pg.GraphicsObject):
    """Data bounds, a bounding rectangle padded by 2 pixels, and a cached picture."""

    def __init__(self) -> None:
        super().__init__()
        self._bounds: Bounds | None = None
        self._rect: QRectF | None = None  # boundingRect, until the data or the zoom changes
        self._raster: QImage | None = None  # the lines as drawn on the screen
        self._raster_key: tuple | None = None  # the device transform and size it was drawn for
        self._pending: list = []  # pieces added since the picture was drawn

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None):
        b = self._bounds
        if b is None:
            return None
        return (b[0], b[1]) if ax == 0 else (b[2], b[3])

    def boundingRect(self) -> QRectF:
        if self._rect is None:
            b = self._bounds
            self._rect = QRectF() if b is None else padded(self, b, 2.0)
        return QRectF(self._rect)

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()
        self._rect = None
        super().viewTransformChanged()

    def _is_empty(self) -> bool:
        raise NotImplementedError

    def _wants_picture(self) -> bool:
        """Whether a raster device should get the picture rather than the vectors."""
        return True

    def _stroke(self, p: QPainter) -> None:
        raise NotImplementedError

    def _all_pieces(self) -> list:
        raise NotImplementedError

    def _draw_into(self, image: QImage, tr, pieces: list) -> None:
        raise NotImplementedError

    def paint(self, p: QPainter, *_args) -> None:
        if self._is_empty():
            return
        exporting = self._exportOpts is not False
        engine, device = p.paintEngine(), p.device()
        if (exporting or device is None or engine is None
                or engine.type() != QPaintEngine.Type.Raster or not self._wants_picture()):
            aa = self._exportOpts.get("antialias", True) if exporting else False
            p.setRenderHint(QPainter.RenderHint.Antialiasing, aa)
            p.setBrush(Qt.BrushStyle.NoBrush)
            self._stroke(p)
            return
        tr = p.transform()
        key = _device_key(tr, device)
        if self._raster is None or key != self._raster_key:
            self._raster, self._raster_key = _blank(device), key
            self._draw_into(self._raster, tr, self._all_pieces())
        elif self._pending:
            self._draw_into(self._raster, tr, self._pending)
        self._pending = []
        p.save()
        p.resetTransform()
        p.drawImage(QPointF(0.0, 0.0), self._raster)
        p.restore()


def padded(item: pg.GraphicsObject, b: Bounds, pixels: float) -> QRectF:
    """Data bounds ``(x0, x1, y0, y1)`` grown by ``pixels`` screen pixels each way."""
    if not all(np.isfinite(b)):
        return QRectF()
    px, py = item.pixelVectors()
    try:
        dx = 0.0 if px is None else px.length() * pixels
        dy = 0.0 if py is None else py.length() * pixels
    except OverflowError:
        dx = dy = 0.0
    x0, x1, y0, y1 = b
    return QRectF(x0 - dx, y0 - dy, (x1 - x0) + 2 * dx, (y1 - y0) + 2 * dy)


def finite_bounds(x: np.ndarray, y: np.ndarray) -> Bounds | None:
    """``(x0, x1, y0, y1)`` of the points finite in both coordinates, None: none."""
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return None
    if ok.all():
        return float(x.min()), float(x.max()), float(y.min()), float(y.max())
    fx, fy = x[ok], y[ok]
    return float(fx.min()), float(fx.max()), float(fy.min()), float(fy.max())


def union(a: Bounds | None, b: Bounds | None) -> Bounds | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3])


def _device_key(tr, device) -> tuple:
    """What a picture of the viewport depends on: the transform and the device's size."""
    return (tr.m11(), tr.m12(), tr.m21(), tr.m22(), tr.m31(), tr.m32(),
            device.width(), device.height(), float(device.devicePixelRatioF()))


def _blank(device) -> QImage:
    dpr = float(device.devicePixelRatioF())
    w, h = max(1, round(device.width() * dpr)), max(1, round(device.height() * dpr))
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(Qt.GlobalColor.transparent)
    return image
