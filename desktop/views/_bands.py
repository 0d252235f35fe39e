"""A strip above a plot's data area for its legend and its marker labels.

Anything drawn inside the view box covers data: the contour map fills all
of it, and a curve can pass through any corner. So the plots put their
legend (`Band.set_keys`: a line sample and a name per entry, flowed left to
right, wrapping) and the labels of their vertical markers
(`Band.set_marks`: each label centred over its own line, in rows so that no
two overlap, joined to its line by a short tick) into a strip between the
top of the plot and the view box. The strip takes the place of the hidden
top axis in pyqtgraph's PlotItem grid, is exactly as tall as its rows
(nothing when empty) and follows the view box's x range and width.

Painting is a handful of ``drawText`` calls, once per change; the strip
does not take part in the data range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QLineF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QSizePolicy

from desktop.views import palette

_PAD = 3.0  # around the text of a row, and between rows
_SAMPLE = 18.0  # length of a legend entry's line sample
_GAP = 12.0  # between legend entries, and between labels in one row
_TICK = 5.0  # the tick from a label down to the top of the view box
MAX_MARK_ROWS = 3
MAX_SLIDE = 30.0  # how far (pixels) a label may sit beside its line, a leader between


@dataclass(frozen=True)
class Key:
    """One legend entry: a line sample in ``colour`` (or a gradient of ``colours``) and a name."""

    text: str
    colour: QColor
    style: Qt.PenStyle = Qt.PenStyle.SolidLine
    colours: tuple[QColor, ...] = ()  # several: the sample runs through them (step order)


@dataclass(frozen=True)
class Mark:
    """A label for a vertical line at ``x`` (view coordinates)."""

    x: float
    text: str
    colour: QColor


class Band(pg.GraphicsWidget):
    """The legend and marker-label strip of one PlotItem (see the module docstring)."""

    def __init__(self, plot: pg.PlotItem) -> None:
        super().__init__(parent=plot)
        self._plot = plot
        self._vb = plot.getViewBox()
        self._keys: list[Key] = []
        self._marks: list[Mark] = []
        font = QFont(plot.font())
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * 0.9)
        self._font = font
        self._fm = QFontMetricsF(font)
        # laid out by _layout: (rect, key) and (rect, mark, x of its line), band coordinates
        self._key_rects: list[tuple[QRectF, Key]] = []
        self._hidden: list[Mark] = []
        self._mark_rects: list[tuple[QRectF, Mark, float]] = []
        self._height = 0.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemClipsToShape, False)
        self._set_height(0.0)
        # the top axis's cell of the PlotItem grid: that axis (always hidden in
        # these plots) leaves the grid, the band takes its place
        top = plot.getAxis("top")
        top.hide()
        plot.layout.removeItem(top)
        plot.layout.addItem(self, 1, 1)
        self._vb.sigXRangeChanged.connect(self._relayout)
        self._vb.sigResized.connect(self._relayout)

    # ------------------------------------------------------------ content
    def set_keys(self, keys: list[Key]) -> None:
        """The legend entries, in order (an empty list: no legend)."""
        if keys != self._keys:
            self._keys = list(keys)
            self._relayout()

    def set_marks(self, marks: list[Mark]) -> None:
        """The marker labels (an empty list: none)."""
        if marks != self._marks:
            self._marks = list(marks)
            self._relayout()

    @property
    def keys(self) -> list[Key]:
        return list(self._keys)

    @property
    def marks(self) -> list[Mark]:
        return list(self._marks)

    def key_rects(self) -> dict[str, QRectF]:
        """Each legend entry's rectangle (sample and text) in scene coordinates."""
        return {key.text: self.mapRectToScene(rect) for rect, key in self._key_rects}

    def mark_rects(self) -> dict[str, QRectF]:
        """Each marker label's rectangle in scene coordinates."""
        return {mark.text: self.mapRectToScene(rect) for rect, mark, _ in self._mark_rects}

    # ------------------------------------------------------------ layout
    def _set_height(self, h: float) -> None:
        self._height = h
        self.setMinimumHeight(h)
        self.setMaximumHeight(h)
        self.setPreferredHeight(h)
        self._plot.layout.setRowFixedHeight(1, h)

    def _line_height(self) -> float:
        return self._fm.height() + _PAD

    def _relayout(self, *_args) -> None:
        width = self._vb.width() or self.size().width()
        line = self._line_height()
        self._key_rects = self._flow_keys(width, line)
        key_rows = round(max((r.bottom() for r, _ in self._key_rects), default=0.0) / line)
        top = key_rows * line
        self._mark_rects, mark_rows = self._place_marks(width, line, top)
        height = top + mark_rows * line + (_TICK if mark_rows else 0.0)
        if abs(height - self._height) > 0.5:
            self._set_height(height)
        self.update()

    def _flow_keys(self, width: float, line: float) -> list[tuple[QRectF, Key]]:
        out: list[tuple[QRectF, Key]] = []
        x, row = 0.0, 0
        for key in self._keys:
            w = _SAMPLE + 4.0 + self._fm.horizontalAdvance(key.text)
            if x > 0 and x + w > width:
                x, row = 0.0, row + 1
            out.append((QRectF(x, row * line, w, line), key))
            x += w + _GAP
        return out

    def _view_x(self, x: float) -> float:
        """A view-coordinate x as an x in this band."""
        scene = self._vb.mapViewToScene(QPointF(x, 0.0))
        return float(self.mapFromScene(scene).x())

    def _place_marks(self, width: float, line: float,
                     top: float) -> tuple[list[tuple[QRectF, Mark, float]], int]:
        """Each label near its own line, in the lowest row where it overlaps nothing.

        Labels are taken in the order given (the most important first). In a
        row, labels keep the left-to-right order of their lines and are
        pushed apart just enough not to touch (`_spread`); a label ends at
        most ``MAX_SLIDE`` pixels from its line (a leader joins them) and
        never leaves the band. A line outside the visible range gets no
        label, and a label with no place in ``MAX_MARK_ROWS`` rows is left out
        (`hidden_marks`) rather than drawn over another. Row 0 sits right
        above the view box.
        """
        vb_left = float(self.mapFromItem(self._vb, QPointF(0.0, 0.0)).x())
        band_width = self.size().width() or width
        rows: list[list[tuple[float, float, Mark]]] = []  # (x of line, width, mark) per row
        layouts: list[list[float]] = []  # the labels' left edges per row, in x order
        self._hidden = []
        for mark in self._marks:
            if not math.isfinite(mark.x):
                continue
            lx = self._view_x(mark.x)
            if not (vb_left - 0.5 <= lx <= vb_left + width + 0.5):
                continue
            w = self._fm.horizontalAdvance(mark.text) + 2 * _PAD
            for r in range(MAX_MARK_ROWS):
                if r == len(rows):
                    rows.append([])
                    layouts.append([])
                trial = sorted([*rows[r], (lx, w, mark)], key=lambda t: t[0])
                lefts = _spread([(x - w_ / 2, w_) for x, w_, _ in trial], band_width)
                if all(_slide(left, w_, x) <= MAX_SLIDE
                       for left, (x, w_, _) in zip(lefts, trial, strict=True)):
                    rows[r], layouts[r] = trial, lefts
                    break
            else:
                self._hidden.append(mark)
        rows_used = [r for r in range(len(rows)) if rows[r]]
        n_rows = len(rows_used)
        out = []
        for k, r in enumerate(rows_used):
            y = top + (n_rows - 1 - k) * line
            for left, (lx, w, mark) in zip(layouts[r], rows[r], strict=True):
                out.append((QRectF(left, y, w, line), mark, lx))
        return out, n_rows

    @property
    def hidden_marks(self) -> list[Mark]:
        """Marks whose labels found no free place (too many lines too close together)."""
        return list(self._hidden)

    # ------------------------------------------------------------ Qt
    def boundingRect(self) -> QRectF:  # Qt override
        return QRectF(QPointF(0, 0), QSizeF(self.size()))

    def paint(self, p: QPainter, *_args) -> None:  # Qt override
        if not self._key_rects and not self._mark_rects:
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        p.setFont(self._font)
        for rect, key in self._key_rects:
            self._paint_key(p, rect, key)
        bottom = self.size().height()
        # ticks first, labels over them: a tick from a higher row passes behind
        # the labels below it instead of striking through them
        for rect, mark, lx in self._mark_rects:
            p.setPen(QPen(mark.colour, 1.0))
            # straight down where the label covers its line, else a leader to it
            foot = min(max(lx, rect.left() + 2.0), rect.right() - 2.0)
            p.drawLine(QLineF(foot, min(rect.bottom(), bottom), lx, bottom))
        for rect, mark, _lx in self._mark_rects:
            p.fillRect(rect, QColor(palette.BACKGROUND))
            p.setPen(QPen(mark.colour, 1.0))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, mark.text)

    def _paint_key(self, p: QPainter, rect: QRectF, key: Key) -> None:
        y = rect.center().y()
        x0, x1 = rect.left() + 1.0, rect.left() + _SAMPLE - 1.0
        # a run of short pieces, one per colour (not a gradient pen: SVG viewers
        # and PDF readers differ in how they draw those)
        colours = key.colours if len(key.colours) > 1 else (key.colour,)
        step = (x1 - x0) / len(colours)
        for i, c in enumerate(colours):
            pen = QPen(c, 3.0 if len(colours) > 1 else 2.0,
                       Qt.PenStyle.SolidLine if len(colours) > 1 else key.style)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            p.setPen(pen)
            p.drawLine(QLineF(x0 + i * step, y, x0 + (i + 1) * step, y))
        p.setPen(QPen(QColor(palette.FOREGROUND)))
        text = QRectF(rect.left() + _SAMPLE + 4.0, rect.top(), rect.width() - _SAMPLE - 4.0,
                      rect.height())
        p.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, key.text)


def _slide(left: float, w: float, x: float) -> float:
    """How far a label spanning ``[left, left + w]`` is from covering ``x``."""
    return max(left - x, x - (left + w), 0.0)


def _spread(spans: list[tuple[float, float]], band_width: float) -> list[float]:
    """Left edges for labels ``(wanted left, width)``, in order, ``_GAP / 2`` apart.

    Overlapping neighbours are merged into a group that sits where its
    members want to be on average, pushed inside ``[0, band_width]``; groups
    that then touch merge again. Order is kept, so leaders never cross.
    """
    gap = _GAP / 2
    groups: list[list] = []  # [left, total width, members [(wanted left, width)]]
    for wanted, w in spans:
        groups.append([wanted, w, [(wanted, w)]])
        while True:
            g = groups[-1]
            width = g[1]
            # the group's left edge: its members' wishes, less their offsets, averaged
            offsets, at = [], 0.0
            for _, mw in g[2]:
                offsets.append(at)
                at += mw + gap
            g[0] = sum(wl - off for (wl, _), off in zip(g[2], offsets, strict=True)) / len(g[2])
            g[0] = min(max(g[0], 0.0), max(band_width - width, 0.0))
            if len(groups) > 1 and groups[-2][0] + groups[-2][1] + gap > g[0]:
                prev = groups[-2]
                prev[1] += gap + width
                prev[2] += g[2]
                groups.pop()
                continue
            break
    lefts = []
    for left, _, members in groups:
        at = left
        for _, mw in members:
            lefts.append(at)
            at += mw + gap
    return lefts
