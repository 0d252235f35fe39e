"""The run's path in the order of its steps, and a marker where it leaves the map.

`StepPath` draws the path as up to ``BINS`` pieces of consecutive steps,
faded from a translucent black (the oldest) to opaque black (the newest),
each with its dots in the same shade. Translucency, not a fixed
grey: a grey as light as the map's light end vanishes there, and one as
dark as its dark end vanishes there, while a translucent black always
darkens what lies under it. A path that zig-zags across a valley a hundred times
then reads as what it is, the early swings light and the late ones dark (a
growing zig-zag is dark outside, a settling one dark inside), instead of a
solid black band; `step_shades` gives the shades and the legend's sample.

Live drawing stays O(new rows + pixels) per frame: a piece holds ``w``
steps, ``w`` a power of two chosen so that at most ``BINS`` pieces cover the
path. Only the newest piece grows (through its own `LiveLine`, which thins
long pieces to the segments between screen pixels and extends the line
item's path instead of rebuilding it); a finished piece is never looked at
again, and when the path outgrows ``BINS * w`` steps, neighbouring finished
pieces are joined (their drawn lines concatenated, O(drawn points)) and
``w`` doubles. A finished piece keeps its shade (`piece_shade`) until pieces
are joined, so finishing a piece draws just that piece into the one picture
of all finished pieces (`LayeredLines`), and only joining (once per
doubling of the path) draws them all again. Pens are 1 px and not
antialiased (wider pens are ten times slower in pyqtgraph).

`ExitMarker` puts an arrow where the path last left the map and says at
which step and where the run is now ("left the map at step 7", "step 40:
a = 3e+05, b = −1e+04"), so a diverging run does not simply vanish.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from pyqtgraph import functions as fn
from PySide6.QtGui import QColor, QPainterPath

from core.numfmt import format_compact
from desktop.views import palette
from desktop.views._arrays import clip_polyline, edge_crossing
from desktop.views._growing import LastInside, LiveLine, thin_path
from desktop.views._items import PixelPoints, PolylineItem
from desktop.views._layered import LayeredLines
from desktop.views._raster import finite_bounds, union

BINS = 8
# the oldest steps' opacity: faint enough to tell from the newest, strong
# enough to read on every colour of the map
FIRST_ALPHA = 0.3
# stacking inside the view box: compared runs, then this run, then markers
COMPARE_Z, PATH_Z, MARKER_Z = 1.0, 2.0, 3.0
_NONE = np.empty(0)


def piece_shade(b: int, live: bool, bins: int = BINS) -> QColor:
    """The colour of piece ``b``: finished pieces fade with age from opaque towards
    `FIRST_ALPHA` (by their place among ``bins``), the live (newest) one is opaque.

    A finished piece keeps its shade until pieces are joined, so adding a piece
    draws only that piece into the picture of finished ones.
    """
    c = QColor(palette.PATH)
    if not live:
        c.setAlphaF(FIRST_ALPHA + (1.0 - FIRST_ALPHA) * b / max(bins - 1, 1))
    return c


def step_shades(count: int) -> list[QColor]:
    """``count`` colours: ``palette.PATH`` from `FIRST_ALPHA` opaque (oldest) to opaque (newest)."""
    if count <= 0:
        return []
    out = []
    for i in range(count):
        t = i / (count - 1) if count > 1 else 1.0
        c = QColor(palette.PATH)
        c.setAlphaF(FIRST_ALPHA + t * (1.0 - FIRST_ALPHA))
        out.append(c)
    return out


def _join(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]):
    """Two drawn lines as one, the second's first point dropped when it repeats the first's last."""
    ax, ay = a
    bx, by = b
    if ax.size and bx.size and ax[-1] == bx[0] and ay[-1] == by[0]:
        bx, by = bx[1:], by[1:]
    return np.concatenate([ax, bx]), np.concatenate([ay, by])


class StepPath:
    """The run's path in shades of its step order (see the module docstring).

    ``live`` draws the newest piece (it grows); ``frozen`` draws every
    finished piece from one picture (they change only when a piece is
    added); ``dots[i]`` are piece ``i``'s dots. ``getData()`` is the whole
    drawn line (pieces joined), `piece_data` one piece's, for tests and
    exports.
    """

    def __init__(self, plot: pg.PlotItem, *, thin_from: int, max_dots: int, dot_size: float,
                 bins: int = BINS) -> None:
        self._bins = bins
        self._thin_from = thin_from
        self._max_dots = max_dots
        self.frozen = LayeredLines()
        self.live = PolylineItem(pg.mkPen(palette.PATH, width=1), name="this run")
        # one item for every piece's dots: each dot faded like its piece
        self.dots = PixelPoints("o", dot_size, pen=None, brush=palette.PATH)
        for item in (self.frozen, self.live, self.dots):
            item.setZValue(PATH_Z)  # over compared runs: this run is the subject
            # only the surface decides the range: a diverging path must not rescale it
            plot.addItem(item, ignoreBounds=True)
        self._w = 1  # steps per piece
        self._live_bin = -1  # the piece that grows (the last in use); -1: nothing drawn
        self._line = LiveLine(thin_from)
        self._drawn: list[tuple[np.ndarray, np.ndarray]] = [(_NONE, _NONE)] * bins
        self._paths: list[QPainterPath] = [QPainterPath() for _ in range(bins)]
        self._bounds: list[tuple[float, float, float, float] | None] = [None] * bins
        self._dots_for: tuple | None = None  # (rows, w, live piece) the dots were set for
        self._n = 0

    # ------------------------------------------------------------ reading
    @property
    def pieces(self) -> int:
        return self._live_bin + 1

    @property
    def steps_per_piece(self) -> int:
        return self._w

    def shades(self) -> list[QColor]:
        """The colours of the pieces in use, oldest first (the live one last)."""
        return [piece_shade(b, b == self._live_bin, self._bins) for b in range(self.pieces)]

    def piece_data(self, b: int) -> tuple[np.ndarray, np.ndarray]:
        """The line drawn for piece ``b`` (thinned and cut like the screen's)."""
        return self._drawn[b] if 0 <= b < self.pieces else (_NONE, _NONE)

    def getData(self) -> tuple[np.ndarray, np.ndarray]:
        out = (_NONE, _NONE)
        for b in range(self.pieces):
            out = _join(out, self._drawn[b])
        return out

    # ------------------------------------------------------------ drawing
    def update(self, x: np.ndarray, y: np.ndarray, kept: int, pixel: tuple[float, float],
               origin: tuple[float, float], box) -> None:
        """Draw the path ``x, y``; rows ``[0, kept)`` are the ones drawn last time."""
        n = min(len(x), len(y))
        if kept <= 0 or kept > self._n or self._live_bin < 0 or n < kept:
            self._start(x, y, n, pixel, origin, box)
            self._shade()
        elif n > kept:
            self._grow(x, y, n, kept, pixel, origin, box)
        self._n = n
        self._draw_dots(x, y, n)

    def _pieces_for(self, n: int) -> int:
        return max(1, -(-(n - 1) // self._w)) if n else 0

    def _start(self, x, y, n, pixel, origin, box) -> None:
        """A new path (or zoom): every piece from scratch, the last one live."""
        self._w = 1
        while self._pieces_for(n) > self._bins:
            self._w *= 2
        used = self._pieces_for(n)
        # the finished pieces are drawn again below: only the others are emptied, and
        # only if they hold something (a short path uses one of the pieces)
        for b in range(max(used - 1, 0), self._bins):
            held = self._drawn[b][0].size or self._bounds[b] is not None
            if held or not self._paths[b].isEmpty():
                self._record(b, _NONE, _NONE)
        thin = n >= self._thin_from
        for b in range(used - 1):  # finished pieces: thinned and cut once
            s, e = b * self._w, (b + 1) * self._w + 1
            px, py = x[s:e], y[s:e]
            if thin and pixel[0] > 0 and pixel[1] > 0:
                px, py = thin_path(px, py, pixel, origin)
            self._record(b, *clip_polyline(px, py, box))
        self._live_bin = used - 1
        self._line = LiveLine(self._thin_from)
        self._dots_for = None
        if used:
            self._feed_live(x, y, n, 0, pixel, origin, box)  # replaces the live line
        else:
            self.live.setData(_NONE, _NONE)

    def _grow(self, x, y, n, kept, pixel, origin, box) -> None:
        """New rows: only the live piece (and the pieces they open) are drawn."""
        while True:
            b = self._live_bin
            end = (b + 1) * self._w  # the live piece's last row
            self._feed_live(x, y, min(n, end + 1), kept, pixel, origin, box)
            if n - 1 <= end:
                return
            # the live piece is finished: it joins the picture of finished pieces
            # (its Qt path as drawn so far), and the next piece opens at its last row
            self._paths[b] = self.live.qpath()
            picture = self.live.picture()  # drawn already: copied in, not stroked again
            if b + 1 == self._bins:
                self._merge()
                self._live_bin += 1
                self._shade()  # joined pieces: new shades, the picture drawn again
            else:
                self._live_bin += 1
                shade = piece_shade(b, False, self._bins)
                self.frozen.add_layer(self._paths[b], pg.mkPen(shade, width=1), self._bounds[b],
                                      picture)
            self._line = LiveLine(self._thin_from)  # its first line replaces the live one
            kept = 0

    def _feed_live(self, x, y, stop: int, kept: int, pixel, origin, box) -> None:
        b = self._live_bin
        s = b * self._w
        # a long path is thinned to the pixels it crosses, piece by piece (each
        # piece however short: the path's length decides, as for a single line)
        self._line.thin_from = 1 if stop >= self._thin_from else self._thin_from
        line = self._line.update(x[s:stop], y[s:stop], max(kept - s, 0), pixel, origin, box)
        if line is not None:
            lx, ly, extend_from = line
            self._drawn[b] = (np.asarray(lx), np.asarray(ly))
            self.live.setData(lx, ly, extend_from=extend_from)
            self._bounds[b] = self.live.data_bounds()

    def _record(self, b: int, lx, ly) -> None:
        """A finished piece's drawn line, its Qt path and its bounds."""
        lx, ly = np.asarray(lx), np.asarray(ly)
        self._drawn[b] = (lx, ly)
        self._paths[b] = fn.arrayToQPath(lx, ly, connect="finite") if lx.size else QPainterPath()
        self._bounds[b] = finite_bounds(lx, ly) if lx.size else None

    def _merge(self) -> None:
        """Join finished pieces pairwise: half as many pieces, twice the steps each."""
        half = self._bins // 2
        for j in range(half):
            a, b = 2 * j, 2 * j + 1
            path = QPainterPath(self._paths[a])
            path.addPath(self._paths[b])
            self._drawn[j] = _join(self._drawn[a], self._drawn[b])
            self._paths[j] = path
            self._bounds[j] = union(self._bounds[a], self._bounds[b])
        for b in range(half, self._bins):
            self._drawn[b], self._paths[b], self._bounds[b] = (_NONE, _NONE), QPainterPath(), None
        self._w *= 2
        self._live_bin = half - 1

    def _shade(self) -> None:
        """Pens for every piece in use, and the picture of the finished ones drawn
        again with them (a new path, a new zoom, or pieces joined)."""
        shades = self.shades()
        finished = self._live_bin
        layers = [(self._paths[b], pg.mkPen(shades[b], width=1)) for b in range(finished)]
        bounds = None
        for b in range(finished):
            bounds = union(bounds, self._bounds[b])
        self.frozen.set_layers(layers, bounds)
        if shades:
            self.live.setPen(pg.mkPen(shades[-1], width=1))

    def _draw_dots(self, x, y, n) -> None:
        """Each step a dot faded like its piece, while there are few enough to tell apart."""
        rows = 0 if n > self._max_dots else n
        key = (rows, self._w, self._live_bin)
        if key == self._dots_for:
            return
        self._dots_for = key
        if rows == 0:
            self.dots.setData(_NONE, _NONE)
            return
        piece = np.minimum(np.arange(rows) // self._w, self._live_bin)
        alpha = np.array([piece_shade(b, b == self._live_bin, self._bins).alphaF()
                          for b in range(self._live_bin + 1)])
        self.dots.setData(x[:rows], y[:rows], opacity=alpha[piece])


class ExitMarker:
    """An arrow where the path last left the map, with when and where it went."""

    def __init__(self, plot: pg.PlotItem, what: str = "the map") -> None:
        self._what = what
        self.arrow = pg.ArrowItem(angle=0, headLen=13, tipAngle=40, tailLen=None,
                                  pen=pg.mkPen(palette.DIVERGED, width=1),
                                  brush=pg.mkBrush(palette.DIVERGED))
        self.label = pg.TextItem("", color=palette.FOREGROUND, anchor=(0, 0),
                                 fill=pg.mkBrush(255, 255, 255, 225),
                                 border=pg.mkPen(palette.DIVERGED, width=1))
        for item in (self.arrow, self.label):
            item.setZValue(MARKER_Z + 1)  # over the path and the markers
            item.hide()
            plot.addItem(item, ignoreBounds=True)
        self._inside = LastInside()
        self.exit: tuple[int, float, float, str] | None = None  # row, x, y, edge

    @property
    def text(self) -> str:
        return self.label.toPlainText() if self.label.isVisible() else ""

    def set_map(self, rect: tuple[float, float, float, float] | None) -> None:
        """The map's rectangle ``(x0, x1, y0, y1)``; the next update looks at every row."""
        if rect != self._inside.rect:
            self._inside.reset(rect)

    def update(self, x: np.ndarray, y: np.ndarray, kept: int, names: tuple[str, str],
               pixel: tuple[float, float]) -> None:
        """Place the marker for the path ``x, y`` (rows ``[0, kept)`` as last time)."""
        self._inside.update(x, y, kept)
        k = self._inside.exit_row()
        rect = self._inside.rect
        crossing = None
        if k is not None and rect is not None:
            crossing = edge_crossing(float(x[k - 1]), float(y[k - 1]), float(x[k]), float(y[k]),
                                     rect)
        if crossing is None:
            self.exit = None
            self.arrow.hide()
            self.label.hide()
            return
        px, py, edge = crossing
        self.exit = (k, px, py, edge)
        n = min(len(x), len(y))
        self._place_arrow(px, py, float(x[k]) - float(x[k - 1]), float(y[k]) - float(y[k - 1]),
                          pixel)
        self._place_label(px, py, edge, rect, pixel)
        self.label.setText(self._words(k, n - 1, x, y, names))
        self.arrow.show()
        self.label.show()

    def _words(self, k: int, last: int, x, y, names: tuple[str, str]) -> str:
        def at(row: int) -> str:
            return (f"{names[0]} = {format_compact(float(x[row]), 3)}, "
                    f"{names[1]} = {format_compact(float(y[row]), 3)}")

        head = f"→ left {self._what} at step {k}"
        if last == k:
            return f"{head} ({at(k)})"
        return f"{head}\nstep {last}: {at(last)}"

    def _place_arrow(self, px: float, py: float, dx: float, dy: float,
                     pixel: tuple[float, float]) -> None:
        sx, sy = pixel
        # the direction on screen (y down); the arrow's picture points to -x
        ux = dx / sx if sx > 0 else dx
        uy = -dy / sy if sy > 0 else -dy
        if not (math.isfinite(ux) and math.isfinite(uy)):
            ux, uy = math.copysign(1.0, dx) if dx else 0.0, -math.copysign(1.0, dy) if dy else 0.0
        angle = math.degrees(math.atan2(uy, ux)) - 180.0
        self.arrow.setStyle(angle=angle)
        self.arrow.setPos(px, py)

    def _place_label(self, px: float, py: float, edge: str,
                     rect: tuple[float, float, float, float], pixel: tuple[float, float]) -> None:
        x0, x1, y0, y1 = rect
        sx, sy = pixel
        inward = 18.0  # pixels between the edge and the words (the arrow's length and a gap)
        along_x = min(max((px - x0) / (x1 - x0), 0.0), 1.0) if x1 > x0 else 0.5
        along_y = min(max((y1 - py) / (y1 - y0), 0.0), 1.0) if y1 > y0 else 0.5
        if edge == "left":
            pos, anchor = (px + inward * sx, py), (0.0, along_y)
        elif edge == "right":
            pos, anchor = (px - inward * sx, py), (1.0, along_y)
        elif edge == "bottom":
            pos, anchor = (px, py + inward * sy), (along_x, 1.0)
        else:
            pos, anchor = (px, py - inward * sy), (along_x, 0.0)
        self.label.setAnchor(anchor)
        self.label.setPos(*pos)
