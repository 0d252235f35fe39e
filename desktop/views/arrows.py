"""Arrows at the current point: the negative gradient and the update actually taken.

The two vectors are in the plot's data units; the item draws them in
screen pixels, all to one scale chosen so the longer arrow is
`SCREEN_SHARE` of the plot's diagonal (readable however large or small
the numbers are). The scale is stated in `describe` (the view's tooltip),
so the lengths can still be compared with the axes. The item ignores the
view's transform (it is a fixed pixel size at its point) and takes no part
in the range.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

from core.numfmt import format_compact

SCREEN_SHARE = 0.12  # the longer arrow is this share of the plot's diagonal
GRADIENT_COLOUR = "#a50f15"  # dark red: downhill
UPDATE_COLOUR = "#08519c"  # dark blue: where the step went
HEAD = 8.0  # arrow head length, pixels
LABELS = {"gradient": "−gradient", "update": "step taken"}


class ArrowsItem(pg.GraphicsObject):
    """Arrows from one point: ``set_arrows(origin, {"gradient": v, "update": w})``."""

    def __init__(self) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
        self.setZValue(25)
        self._vectors: dict[str, np.ndarray] = {}
        self._origin: tuple[float, float] | None = None

    def set_arrows(self, origin: tuple[float, float] | None,
                   vectors: dict[str, np.ndarray]) -> None:
        """Arrows (data units) from ``origin``; None or no vectors: nothing drawn."""
        kept = {k: np.asarray(v, dtype=np.float64) for k, v in vectors.items()
                if v is not None and np.all(np.isfinite(v)) and np.any(v != 0)}
        if origin is None or not all(math.isfinite(c) for c in origin):
            kept = {}
        same = (origin == self._origin and kept.keys() == self._vectors.keys()
                and all(np.array_equal(kept[k], self._vectors[k]) for k in kept))
        if same:
            return
        self.prepareGeometryChange()
        self._vectors = kept
        self._origin = origin if kept else None
        if self._origin is not None:
            self.setPos(QPointF(*self._origin))
        self.setVisible(bool(kept))
        self.update()

    def label(self, key: str) -> str:
        """The words at an arrow's tip: what it is and its real length (the drawn length
        is to the common scale, so a tiny gradient still shows)."""
        v = self._vectors[key]
        return f"{LABELS[key]} ({format_compact(float(np.hypot(*v[:2])), 3)})"

    def arrows(self) -> dict[str, np.ndarray]:
        """The vectors shown (data units), by name (empty: none)."""
        return dict(self._vectors)

    @property
    def origin(self) -> tuple[float, float] | None:
        return self._origin

    # ------------------------------------------------------------ scale
    def _pixel_vectors(self) -> tuple[dict[str, tuple[float, float]], float]:
        """Each arrow in screen pixels (y down) and the pixels per data unit-length used."""
        vb = self.getViewBox()
        if vb is None or not self._vectors:
            return {}, 0.0
        px, py = vb.viewPixelSize()
        if not (px > 0 and py > 0):
            return {}, 0.0
        raw = {k: (float(v[0]) / px, -float(v[1]) / py) for k, v in self._vectors.items()}
        longest = max(math.hypot(*p) for p in raw.values())
        w, h = vb.width(), vb.height()
        target = SCREEN_SHARE * math.hypot(w, h)
        if not (longest > 0 and target > 0):
            return {}, 0.0
        f = target / longest
        return {k: (p[0] * f, p[1] * f) for k, p in raw.items()}, f

    def describe(self) -> str:
        """The arrows and their common scale, in words (the view's tooltip adds it)."""
        pixels, f = self._pixel_vectors()
        if not pixels:
            return ""
        vb = self.getViewBox()
        px, _py = vb.viewPixelSize()
        per_100 = 100.0 / f * px  # data units along x per 100 pixels of arrow
        parts = [f"{LABELS[k]} ({'dark red' if k == 'gradient' else 'blue'})" for k in pixels]
        return (f"Arrows at the current point: {' and '.join(parts)}, drawn to one scale "
                f"(the longer is {SCREEN_SHARE:.0%} of the plot's diagonal): 100 pixels of "
                f"arrow along x = {format_compact(per_100, 3)}.")

    # ------------------------------------------------------------ Qt
    def boundingRect(self) -> QRectF:  # Qt override
        # the longer arrow is a share of the plot's diagonal; its label may reach beyond
        vb = self.getViewBox()
        r = 100.0 if vb is None else SCREEN_SHARE * math.hypot(vb.width(), vb.height()) + 90.0
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, p: QPainter, *_args) -> None:  # Qt override
        pixels, _f = self._pixel_vectors()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for key, (dx, dy) in pixels.items():
            colour = QColor(GRADIENT_COLOUR if key == "gradient" else UPDATE_COLOUR)
            _arrow(p, dx, dy, colour)
            p.setPen(colour)
            text = self.label(key)
            p.drawText(self._label_at(p, text, dx, dy), text)

    def _label_at(self, p: QPainter, text: str, dx: float, dy: float) -> QPointF:
        """Where a label's baseline starts: beside the arrow's tip, moved inside the
        plot where the tip is near its edge (a label cut off by the edge reads wrong)."""
        metrics = p.fontMetrics()
        width = metrics.horizontalAdvance(text)
        x = dx + 4 if dx >= 0 else dx - 4 - width
        y = dy - 4
        vb = self.getViewBox()
        if vb is None:
            return QPointF(x, y)
        # the item ignores the view's scaling: its units are the scene's pixels, its
        # origin the current point
        origin = self.scenePos()
        inside = vb.sceneBoundingRect().translated(-origin.x(), -origin.y())
        x = min(max(x, inside.left() + 2), inside.right() - 2 - width)
        y = min(max(y, inside.top() + 2 + metrics.ascent()),
                inside.bottom() - 2 - metrics.descent())
        return QPointF(x, y)


def _arrow(p: QPainter, dx: float, dy: float, colour: QColor) -> None:
    length = math.hypot(dx, dy)
    if length < 1e-9:
        return
    pen = QPen(colour, 2)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    ux, uy = dx / length, dy / length
    head = min(HEAD, 0.6 * length)
    base = QPointF(dx - ux * head, dy - uy * head)
    path = QPainterPath(QPointF(0, 0))
    path.lineTo(base)
    p.drawPath(path)
    left = QPointF(base.x() + uy * head * 0.45, base.y() - ux * head * 0.45)
    right = QPointF(base.x() - uy * head * 0.45, base.y() + ux * head * 0.45)
    p.setBrush(colour)
    p.drawPolygon(QPolygonF([QPointF(dx, dy), left, right]))
