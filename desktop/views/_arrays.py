"""Array helpers shared by the views: what may be handed to a plot item.

Plot items must never see inf or nan (image levels break, Qt paths go wild),
and a log axis needs positive values. These helpers prepare data for drawing
only; no number shown to the user is computed here.
"""

from __future__ import annotations

import numpy as np


def as_float(values: object) -> np.ndarray:
    """A 1-D float64 array (a view when the input already is one)."""
    return np.asarray(values, dtype=np.float64).reshape(-1)


def finite_prefix(*arrays: np.ndarray) -> int:
    """Length of the leading run of rows that are finite in every array.

    A run ends at its first non-finite row (divergence), so everything after it
    is dropped rather than masked: row indices stay aligned with the table.
    """
    n = min((len(a) for a in arrays), default=0)
    if n == 0:
        return 0
    # fast path, one pass per array: a finite sum means every term is finite
    # (a sum that overflows falls through to the exact check)
    if all(np.isfinite(np.add.reduce(a[:n])) for a in arrays):
        return n
    ok = np.ones(n, dtype=bool)
    for a in arrays:
        ok &= np.isfinite(a[:n])
    if ok.all():
        return n
    return int(np.argmin(ok))


def clip_for_log(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Values with everything <= 0 raised to the smallest positive value.

    Returns the clipped array (the input itself when nothing needed clipping)
    and how many values were clipped. With no positive value at all the floor
    is 1.0, so the curve lies flat at 10^0 instead of vanishing.
    """
    if values.size == 0:
        return values, 0
    low = float(values.min())
    if low > 0:
        return values, 0
    positive = values[values > 0]
    floor = float(positive.min()) if positive.size else 1.0
    clipped = np.maximum(values, floor)
    return clipped, int(np.count_nonzero(values <= 0))


def row_index(i: int | None, n: int) -> int | None:
    """``i`` as a valid row of ``n`` (negative counts from the end), else None."""
    if i is None or n <= 0:
        return None
    i = int(i)
    if i < 0:
        i += n
    return i if 0 <= i < n else None


def clip_polyline(
    x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float] | None
) -> tuple[np.ndarray, np.ndarray]:
    """The polyline clipped to ``box = (x0, x1, y0, y1)``, pieces split by NaN rows.

    Qt's rasteriser misdraws (or drops) segments whose ends lie millions of
    pixels away, which is where a diverging run goes. Each segment is cut to
    the box with the slab method, so what is drawn keeps its true direction
    (a zig-zag across the window still crosses it). Returns the inputs
    unchanged when every point already lies inside the box (the usual case).
    """
    if box is None or x.size == 0:
        return x, y
    x0, x1, y0, y1 = box
    # NaN rows (breaks between pieces) compare False either way: not outside
    outside = (x < x0) | (x > x1) | (y < y0) | (y > y1)
    if not outside.any():
        return x, y
    if x.size == 1:
        return x[:0], y[:0]
    px, py = x[:-1], y[:-1]
    dx, dy = np.diff(x), np.diff(y)
    t_in = np.zeros(px.size)
    t_out = np.ones(px.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, d, lo, hi in ((px, dx, x0, x1), (py, dy, y0, y1)):
            ta, tb = (lo - p) / d, (hi - p) / d
            moving = d != 0
            t_in = np.where(moving, np.maximum(t_in, np.minimum(ta, tb)), t_in)
            t_out = np.where(moving, np.minimum(t_out, np.maximum(ta, tb)), t_out)
            # a segment parallel to this slab is visible only if it lies inside it
            outside = ~moving & ((p < lo) | (p > hi))
            t_out = np.where(outside, -1.0, t_out)
    keep = t_in <= t_out
    ax, ay = px + t_in * dx, py + t_in * dy
    bx, by = px + t_out * dx, py + t_out * dy
    nan = np.full(px.size, np.nan)
    out_x = np.column_stack([ax, bx, nan])[keep].reshape(-1)
    out_y = np.column_stack([ay, by, nan])[keep].reshape(-1)
    return out_x, out_y


def peak_reduce(
    x: np.ndarray, y: np.ndarray, x_lo: float, x_hi: float, buckets: int
) -> tuple[np.ndarray, np.ndarray]:
    """The part of a curve over ``[x_lo, x_hi]``, reduced to a min and a max per bucket.

    ``x`` must be increasing (steps are). One neighbour beyond each edge is kept
    so the line runs to the border. With more than two points per bucket, each
    bucket of ``ds`` consecutive points becomes two points at its first x: its
    minimum and its maximum, so spikes survive (pyqtgraph's "peak" method).
    The cost is two passes over the visible part plus O(buckets), and since
    min and max commute with any increasing map (log10, clipping), the result
    can be mapped afterwards at O(buckets) cost.
    """
    n = len(x)
    if n == 0:
        return x, y
    i0 = max(int(np.searchsorted(x, x_lo, side="left")) - 1, 0)
    i1 = min(int(np.searchsorted(x, x_hi, side="right")) + 1, n)
    if i1 - i0 <= 2 * max(buckets, 1):
        return x[i0:i1], y[i0:i1]
    ds = -(-(i1 - i0) // buckets)
    k = (i1 - i0) // ds
    stop = i0 + k * ds
    block = y[i0:stop].reshape(k, ds)
    out_x = np.repeat(x[i0:stop:ds], 2)
    out_y = np.column_stack([block.min(axis=1), block.max(axis=1)]).reshape(-1)
    if stop < i1:  # the partial last bucket
        tail = y[stop:i1]
        out_x = np.concatenate([out_x, [x[stop], x[stop]]])
        out_y = np.concatenate([out_y, [tail.min(), tail.max()]])
    # end exactly on the last point, so the curve reaches the newest step
    return np.append(out_x, x[i1 - 1]), np.append(out_y, y[i1 - 1])


def drop_same_pixel(
    x: np.ndarray, y: np.ndarray, pixel: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """The path without points that fall in the same screen pixel as the point before.

    A converging run spends most of its steps inside a few pixels; drawing
    them costs time and shows nothing. The drawn polyline still passes through
    every pixel the path visits, so it differs from the full one by at most a
    pixel. ``pixel`` is the size of one screen pixel in data units.
    """
    sx, sy = pixel
    if x.size < 3 or not (sx > 0 and sy > 0):
        return x, y
    px = np.floor(x / sx)
    py = np.floor(y / sy)
    keep = np.empty(x.size, dtype=bool)
    keep[0] = keep[-1] = True
    np.not_equal(px[1:-1], px[:-2], out=keep[1:-1])
    keep[1:-1] |= py[1:-1] != py[:-2]
    if keep.all():
        return x, y
    return x[keep], y[keep]


_NICE = (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceil(value: float) -> float:
    """The smallest of 1, 1.5, 2, 3, 4, 5, 6, 8 x 10^k that is >= ``value`` (> 0)."""
    if not value > 0:
        return value
    exp = np.floor(np.log10(value))
    scale = 10.0**exp
    for m in _NICE:
        if m * scale >= value * (1 - 1e-12):
            return float(m * scale)
    return float(10.0 * scale)


def nice_span(lo: float, hi: float) -> tuple[float, float]:
    """``[lo, hi]`` widened outwards to multiples of a 1-2-5 step about a tenth of the span."""
    span = hi - lo
    if not span > 0:
        pad = abs(lo) * 0.1 or 1.0
        return lo - pad, hi + pad
    raw = span / 10.0
    exp = 10.0 ** np.floor(np.log10(raw))
    step = next(m * exp for m in (1.0, 2.0, 5.0, 10.0) if m * exp >= raw)
    return float(np.floor(lo / step) * step), float(np.ceil(hi / step) * step)


def leaves_box(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float] | None) -> bool:
    """Whether any point lies outside ``box = (x0, x1, y0, y1)``."""
    if box is None or x.size == 0:
        return False
    x0, x1, y0, y1 = box
    return bool(np.any((x < x0) | (x > x1) | (y < y0) | (y > y1)))




def edge_crossing(
    x0: float, y0: float, x1: float, y1: float, rect: tuple[float, float, float, float]
) -> tuple[float, float, str] | None:
    """Where the segment from ``(x0, y0)`` (inside ``rect``) to ``(x1, y1)`` leaves it.

    Returns the point and the edge crossed (``"left"``, ``"right"``,
    ``"bottom"``, ``"top"``; y grows upwards), or None when the segment does
    not leave the rectangle.
    """
    left, right, bottom, top = rect
    dx, dy = x1 - x0, y1 - y0
    best: tuple[float, str] | None = None
    for d, p, lo, hi, names in ((dx, x0, left, right, ("left", "right")),
                                (dy, y0, bottom, top, ("bottom", "top"))):
        if d > 0:
            t, edge = (hi - p) / d, names[1]
        elif d < 0:
            t, edge = (lo - p) / d, names[0]
        else:
            continue
        if np.isfinite(t) and (best is None or t < best[0]):
            best = (max(t, 0.0), edge)
    if best is None or best[0] >= 1.0:
        return None
    t, edge = best
    px = min(max(x0 + t * dx, left), right)
    py = min(max(y0 + t * dy, bottom), top)
    return px, py, edge
