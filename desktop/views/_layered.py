"""`LayeredLines`: finished polylines, each with its own pen, drawn as one picture."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage, QPainter, QPainterPath

from desktop.views._raster import Bounds, RasterCachedItem, union


class LayeredLines(RasterCachedItem):
    """Finished polylines, each with its own (translucent) pen, drawn as one picture.

    What a growing path's finished pieces need (see ``_path.StepPath``): they
    only ever get one more line on top (`add_layer`, drawn into the picture
    as it is) until they are replaced as a whole (`set_layers`), so however
    many there are, a repaint copies one picture of the viewport (drawn
    again for a new zoom, size or device).

    On screen the picture is drawn with Qt's "source" composition: a pixel
    takes the newest layer's colour, alpha included, instead of blending it
    over the older ones. Blending a translucent pen is Qt's slow path (about
    14 times slower for long lines, a zig-zag's chords across the map),
    replacing is its fast one; one blend of the finished picture onto the
    plot then gives each layer its transparency. A layer may come with a
    ready picture of itself (the live piece's, drawn opaque while it grew):
    it is then copied in, not stroked again. Exports and other vector devices
    get the paths themselves, the oldest first.
    """

    def __init__(self) -> None:
        super().__init__()
        self._layers: list[tuple[QPainterPath, pg.QtGui.QPen]] = []
        # added since the picture was drawn: (path, pen, its own picture or None)
        self._pending: list[tuple[QPainterPath, pg.QtGui.QPen, tuple | None]] = []

    def set_layers(self, layers: list[tuple[QPainterPath, pg.QtGui.QPen]],
                   bounds: Bounds | None) -> None:
        """The lines (Qt paths with their pens, bottom first) and their data bounds."""
        self.prepareGeometryChange()
        self._layers = list(layers)
        self._bounds = bounds
        self._rect = None
        self._raster, self._pending = None, []
        self.update()
        self.informViewBoundsChanged()

    def add_layer(self, path: QPainterPath, pen: pg.QtGui.QPen,
                  bounds: Bounds | None,
                  picture: tuple[QImage, tuple] | None = None) -> None:
        """One more line on top; a picture already drawn only gets this line added.

        ``picture`` is ``(image, key)`` from `PolylineItem.picture`: the line
        drawn opaque on the same view, copied in with the pen's opacity.
        """
        self.prepareGeometryChange()
        self._layers.append((path, pen))
        self._bounds = union(self._bounds, bounds)
        self._pending.append((path, pen, picture))
        self._rect = None
        self.update()
        self.informViewBoundsChanged()

    def layers(self) -> list[tuple[QPainterPath, pg.QtGui.QPen]]:
        return list(self._layers)

    def pixelPadding(self) -> float:
        return 1.0

    def _is_empty(self) -> bool:
        return not self._layers

    def _stroke(self, p: QPainter) -> None:
        for path, pen in self._layers:
            p.setPen(pen)
            p.drawPath(path)

    def _all_pieces(self) -> list:
        return [(path, pen, None) for path, pen in self._layers]

    def _draw_into(self, image: QImage, tr, layers) -> None:
        q = QPainter(image)
        try:
            q.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            q.setBrush(Qt.BrushStyle.NoBrush)
            for path, pen, picture in layers:
                if picture is not None and picture[1] == self._raster_key:
                    # the layer's own opaque picture: clear what it covers, then
                    # lay it in with the pen's opacity (the same pixels as stroking)
                    q.resetTransform()
                    q.setOpacity(1.0)
                    q.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationOut)
                    q.drawImage(QPointF(0.0, 0.0), picture[0])
                    q.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
                    q.setOpacity(pen.color().alphaF())
                    q.drawImage(QPointF(0.0, 0.0), picture[0])
                    q.setOpacity(1.0)
                    continue
                q.setTransform(tr)
                q.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
                q.setPen(pen)
                q.drawPath(path)
        finally:
            q.end()
