"""The views' helpers for data that grows every frame: only the new rows are looked at.

A live run hands the views the same columns again every frame, a few rows
longer. These helpers notice that and work on the new rows only, so a frame
costs O(new rows + pixels), not O(rows): at 1,000,000 rows any O(n) pass (a
finiteness check, a pixel grid, a min/max per column) is already a few
milliseconds, and a frame has 16.
"""

from __future__ import annotations

import numpy as np

from desktop.views._arrays import clip_polyline, finite_prefix, leaves_box


def _same_prefix(x: np.ndarray, old: np.ndarray, m: int) -> bool:
    """Whether ``x[:m]`` holds the rows ``old[:m]`` held (O(1): identity, else samples).

    The step table only appends, so a column view over the same buffer has the
    same leading rows (``old`` is kept alive, so its buffer cannot be reused by
    another table). A grown or new buffer is compared at a few dozen spread-out
    rows: a re-run with another knob differs from row 1 on, and a table that
    reallocated to grow holds a copy of the same rows.
    """
    if m == 0:
        return True
    if len(x) < m:
        return False
    if x.ctypes.data == old.ctypes.data and x.strides == old.strides:
        return True
    if x[m - 1] != old[m - 1] or (m > 1 and x[1] != old[1]):
        return False  # the usual verdict for a re-run, in two reads
    step = max(1, m // 32)
    return bool(np.array_equal(x[:m:step], old[:m:step]))


class GrowingRows:
    """The finite prefix of columns handed over again and again, and how much of it is old.

    ``update(*columns)`` returns ``(kept, n)``: rows ``[0, kept)`` are the
    rows seen last time (unchanged), ``n`` is the length of the leading run of
    rows finite in every column (what may be drawn, see `finite_prefix`).
    Only rows after ``kept`` are scanned. Callers must not rewrite handed-over
    arrays in place (the step table never does).
    """

    def __init__(self) -> None:
        self._columns: tuple[np.ndarray, ...] = ()
        self._raw = 0  # rows handed over last time
        self._n = 0  # their finite prefix

    def reset(self) -> None:
        self._columns, self._raw, self._n = (), 0, 0

    def update(self, *columns: np.ndarray) -> tuple[int, int]:
        raw = min((len(c) for c in columns), default=0)
        old = self._columns
        grown = (
            len(old) == len(columns)
            and raw >= self._raw
            and all(_same_prefix(c, o, self._raw) for c, o in zip(columns, old, strict=True))
        )
        if grown:
            kept = self._n
            if self._n < self._raw:  # already cut at a non-finite row: stays cut there
                n = self._n
            else:
                n = self._n + finite_prefix(*(c[self._n : raw] for c in columns))
        else:
            kept = 0
            n = finite_prefix(*(c[:raw] for c in columns))
        self._columns, self._raw, self._n = tuple(columns), raw, n
        return kept, n


class _Buffer:
    """Two float columns that grow by doubling; ``view()`` is what a plot item gets."""

    def __init__(self) -> None:
        self._data = np.empty((2, 1024))
        self.size = 0

    def append(self, x: np.ndarray, y: np.ndarray) -> None:
        m = len(x)
        need = self.size + m
        if need > self._data.shape[1]:
            grown = np.empty((2, max(2 * self._data.shape[1], need)))
            grown[:, : self.size] = self._data[:, : self.size]
            self._data = grown
        self._data[0, self.size : need] = x
        self._data[1, self.size : need] = y
        self.size = need

    def view(self) -> tuple[np.ndarray, np.ndarray]:
        return self._data[0, : self.size], self._data[1, : self.size]


# cells further than this many pixels from the origin are not de-duplicated:
# 16 bits per axis, so a segment between two cells is one exact 64-bit key
_CELL_HALF = 1 << 15
_FAR = np.int64(1 << 32)


class PathThinner:
    """A growing path reduced to the segments between screen pixels it draws, kept up to date.

    The path is cut into pixel cells (``pixel`` in data units, counted from
    ``origin``). Steps that stay inside one cell are left out, and a step from
    cell A to cell B is drawn only the first time the path goes between those
    two cells (either way): a run that zig-zags between the same two pixels
    for 100,000 steps draws one segment, not 100,000. Where steps are left out
    the line resumes from the start point of the next step drawn, after a
    break (a NaN row) unless the jump there is itself a segment already drawn.
    Every drawn segment joins two real points of the path (or repeats a drawn
    one), so the picture differs from the full path by less than a pixel.

    ``extend`` processes only new rows (vectorised; a Python set remembers the
    segments drawn), so a live frame costs O(new rows); the drawn polyline
    holds O(distinct pixel-to-pixel segments) points. A new zoom (pixel size)
    or a new path needs `reset` and one pass over the whole path.
    """

    def __init__(self) -> None:
        self.reset((0.0, 0.0), (0.0, 0.0))

    def reset(self, pixel: tuple[float, float], origin: tuple[float, float]) -> None:
        self.pixel = pixel
        self.origin = origin
        self.consumed = 0  # rows of the path processed
        self._seen: set[int] = set()
        self._out = _Buffer()
        self._last_cell = np.int64(-1)  # cell of row consumed - 1
        self._last_xy = (np.nan, np.nan)
        self._pen_cell = np.int64(-1)  # cell of the last point drawn

    def _cells(self, x: np.ndarray, y: np.ndarray, first: int) -> np.ndarray:
        sx, sy = self.pixel
        ox, oy = self.origin
        fx = np.floor((x - ox) / sx)
        fy = np.floor((y - oy) / sy)
        near = (np.abs(fx) < _CELL_HALF) & (np.abs(fy) < _CELL_HALF)
        cx = np.where(near, fx, 0.0).astype(np.int64) + _CELL_HALF
        cy = np.where(near, fy, 0.0).astype(np.int64) + _CELL_HALF
        cells = (cx << 16) | cy
        # far cells: every point its own cell (always a new step, never merged)
        return np.where(near, cells, _FAR + first + np.arange(len(x), dtype=np.int64))

    def extend(self, x: np.ndarray, y: np.ndarray) -> None:
        """Take in rows ``consumed ..`` of the path ``x, y`` (all rows handed over so far)."""
        s, e = self.consumed, len(x)
        if e <= s:
            return
        xs, ys = x[s:e], y[s:e]
        cells = self._cells(xs, ys, s)
        if s == 0:  # the path starts here, drawn or not
            self._out.append(xs[:1], ys[:1])
            self._pen_cell = cells[0]
            prev_cells, px, py = cells[:-1], xs[:-1], ys[:-1]
            cur_cells, cx, cy = cells[1:], xs[1:], ys[1:]
        else:
            prev_cells = np.concatenate([[self._last_cell], cells[:-1]])
            px = np.concatenate([[self._last_xy[0]], xs[:-1]])
            py = np.concatenate([[self._last_xy[1]], ys[:-1]])
            cur_cells, cx, cy = cells, xs, ys
        step = np.flatnonzero(prev_cells != cur_cells)
        if step.size:
            a, b = prev_cells[step], cur_cells[step]
            mergeable = (a < _FAR) & (b < _FAR)
            keys = (np.minimum(a, b).astype(np.uint64) << np.uint64(32)) | np.maximum(a, b).astype(
                np.uint64
            )
            draw = ~mergeable
            m_idx = np.flatnonzero(mergeable)
            if m_idx.size:
                _, first = np.unique(keys[m_idx], return_index=True)
                fresh = m_idx[first]
                if self._seen:
                    seen = self._seen
                    fresh = fresh[[k not in seen for k in keys[fresh].tolist()]]
                draw[fresh] = True
                self._seen.update(keys[fresh].tolist())
            d = step[draw]
            if d.size:
                a_d, b_d = a[draw], b[draw]
                before = np.concatenate([[self._pen_cell], b_d[:-1]])
                # the pen is elsewhere: the line goes on from the step's start point
                restart = a_d != before
                breaks = restart.copy()
                # ... without a break (a NaN row) where the jump from the pen to that
                # point is itself a segment drawn (now or before): drawing it again
                # shows nothing new, and NaN rows make Qt's path building slower
                cand = np.flatnonzero(restart & (a_d < _FAR) & (before < _FAR))
                if cand.size:
                    ca, cb = a_d[cand], before[cand]
                    ckeys = (np.minimum(ca, cb).astype(np.uint64) << np.uint64(32)) | np.maximum(
                        ca, cb
                    ).astype(np.uint64)
                    seen = self._seen
                    joined = [k in seen for k in ckeys.tolist()]
                    breaks[cand[joined]] = False
                ends = np.cumsum(1 + restart.astype(np.intp) + breaks.astype(np.intp)) - 1
                total = int(ends[-1]) + 1
                ox, oy = np.empty(total), np.empty(total)
                ox[ends], oy[ends] = cx[d], cy[d]
                at = ends[restart] - 1
                ox[at], oy[at] = px[d[restart]], py[d[restart]]
                at = ends[breaks] - 2
                ox[at] = oy[at] = np.nan
                self._out.append(ox, oy)
                self._pen_cell = b_d[-1]
        self._last_cell = cells[-1]
        self._last_xy = (float(xs[-1]), float(ys[-1]))
        self.consumed = e

    def line(self) -> tuple[np.ndarray, np.ndarray]:
        """The thinned polyline (NaN rows between pieces); views, valid until the next extend."""
        return self._out.view()


def thin_path(
    x: np.ndarray, y: np.ndarray, pixel: tuple[float, float], origin: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """A whole path through `PathThinner` at once (compare runs, which do not grow)."""
    if not (pixel[0] > 0 and pixel[1] > 0):
        return x, y
    thinner = PathThinner()
    thinner.reset(pixel, origin)
    thinner.extend(x, y)
    return thinner.line()


class PeakReducer:
    """`peak_reduce` for a curve that grows at its end, updated with only the new rows.

    The visible rows ``[i0, i1)`` are cut into buckets of ``ds`` rows, ``ds`` a
    power of two so that there are at most ``buckets`` of them; each complete
    bucket's first x, minimum and maximum are kept. New rows fill the last
    buckets; when the rows outgrow ``buckets``, ``ds`` doubles and neighbouring
    buckets merge (O(buckets)). Spikes survive as in `peak_reduce`; the
    cost per frame is O(new rows + buckets). A new view range or a new curve
    starts over.
    """

    def __init__(self) -> None:
        self._key: tuple[int, int] | None = None  # (i0, buckets) of the cached buckets
        self._ds = 1
        self._done = 0  # rows [i0, done) are in complete buckets
        self._bx = np.empty(0)
        self._lo = np.empty(0)
        self._hi = np.empty(0)

    def reset(self) -> None:
        self._key = None

    def reduce(
        self, x: np.ndarray, y: np.ndarray, kept: int, x_lo: float, x_hi: float, buckets: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Like ``peak_reduce(x, y, x_lo, x_hi, buckets)``; rows ``[0, kept)`` as last time."""
        n = len(x)
        if n == 0:
            self._key = None
            return x, y
        buckets = max(int(buckets), 1)
        i0 = max(int(np.searchsorted(x, x_lo, side="left")) - 1, 0)
        i1 = min(int(np.searchsorted(x, x_hi, side="right")) + 1, n)
        if i1 - i0 <= 2 * buckets:
            self._key = None
            return x[i0:i1], y[i0:i1]
        ds = 1 << max(0, int(np.ceil(np.log2((i1 - i0) / buckets))))
        while (i1 - i0) // ds > buckets:
            ds *= 2
        if self._key != (i0, buckets) or self._done > kept or self._ds > ds:
            self._key, self._ds, self._done = (i0, buckets), ds, i0
            self._bx, self._lo, self._hi = np.empty(0), np.empty(0), np.empty(0)
        while self._ds < ds:  # merge pairs of buckets; an odd last one goes back to the tail
            pairs = len(self._bx) // 2
            self._bx = self._bx[: 2 * pairs : 2]
            self._lo = np.minimum(self._lo[: 2 * pairs : 2], self._lo[1 : 2 * pairs : 2])
            self._hi = np.maximum(self._hi[: 2 * pairs : 2], self._hi[1 : 2 * pairs : 2])
            self._ds *= 2
            self._done = i0 + pairs * self._ds
        complete = i0 + ((i1 - i0) // ds) * ds
        if complete > self._done:
            block = y[self._done : complete].reshape(-1, ds)
            self._bx = np.concatenate([self._bx, x[self._done : complete : ds]])
            self._lo = np.concatenate([self._lo, block.min(axis=1)])
            self._hi = np.concatenate([self._hi, block.max(axis=1)])
            self._done = complete
        out_x = np.repeat(self._bx, 2)
        out_y = np.column_stack([self._lo, self._hi]).reshape(-1)
        if self._done < i1:  # the partial last bucket
            tail = y[self._done : i1]
            out_x = np.concatenate([out_x, [x[self._done], x[self._done]]])
            out_y = np.concatenate([out_y, [tail.min(), tail.max()]])
        # end exactly on the last point, so the curve reaches the newest step
        return np.append(out_x, x[i1 - 1]), np.append(out_y, y[i1 - 1])



class LiveLine:
    """What a line item gets for a path that grows every frame.

    Paths shorter than ``thin_from`` are handed over whole (cut to the box,
    see `clip_polyline`); longer ones go through a `PathThinner` that takes
    in only the rows added since the last frame and restarts when the path,
    the pixel size (zoom) or the origin changes.
    """

    def __init__(self, thin_from: int) -> None:
        self.thin_from = thin_from
        self.thinner = PathThinner()
        self._thinned = False  # whether the line item shows the thinner's output
        self._leaves = False  # whether a thinned point lies outside the box (cut needed)

    def update(
        self,
        x: np.ndarray,
        y: np.ndarray,
        kept: int,
        pixel: tuple[float, float],
        origin: tuple[float, float],
        box: tuple[float, float, float, float] | None,
    ) -> tuple[np.ndarray, np.ndarray, int | None] | None:
        """The line for ``x, y`` (rows ``[0, kept)`` as last time); None: unchanged.

        The third value, when not None, is how many leading rows of the line
        are the ones returned last time (the rest was appended): what
        ``PolylineItem.setData(..., extend_from=)`` takes.
        """
        if len(x) < self.thin_from or not (pixel[0] > 0 and pixel[1] > 0):
            self._thinned = False
            return (*clip_polyline(x, y, box), None)
        t = self.thinner
        before: int | None = t.line()[0].size
        if not self._thinned or kept < t.consumed or t.pixel != pixel or t.origin != origin:
            t.reset(pixel, origin)  # a new path or a new zoom: once over all of it
            self._leaves = False
            before = None
        elif len(x) == t.consumed:
            return None  # nothing new: the line item already shows all of it
        # cutting to the box costs O(drawn points): only once a point needs it
        leaves = leaves_box(x[t.consumed :], y[t.consumed :], box)
        if leaves or self._leaves:
            before = None
        self._leaves |= leaves
        t.extend(x, y)
        self._thinned = True
        lx, ly = t.line()
        if self._leaves:
            return (*clip_polyline(lx, ly, box), None)
        return lx, ly, before


class LastInside:
    """The last row of a growing path that lies inside a rectangle, kept up to date.

    ``update(x, y, kept)`` looks only at rows ``kept ..`` (the rows before are
    the ones seen last time); a new rectangle (`reset`) or a new path
    (``kept == 0``) starts over. Where the path left the rectangle for good
    is the row after it (`exit_row`).
    """

    def __init__(self) -> None:
        self.reset(None)

    def reset(self, rect: tuple[float, float, float, float] | None) -> None:
        self.rect = rect
        self.last: int | None = None  # the last row inside, None: none yet
        self.n = 0  # rows looked at

    def update(self, x: np.ndarray, y: np.ndarray, kept: int) -> int | None:
        n = min(len(x), len(y))
        if kept == 0 or kept > self.n or kept > n:
            self.last, self.n, kept = None, 0, 0
        if self.rect is None or n <= kept:
            self.n = n
            return self.last
        x0, x1, y0, y1 = self.rect
        xs, ys = x[kept:n], y[kept:n]
        inside = (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)
        if inside.any():
            self.last = kept + int(len(inside) - 1 - np.argmax(inside[::-1]))
        self.n = n
        return self.last

    def exit_row(self) -> int | None:
        """The first row outside after the last row inside (None: inside now, or never in)."""
        if self.last is None or self.last + 1 >= self.n:
            return None
        return self.last + 1
