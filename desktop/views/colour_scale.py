"""How a loss surface becomes colours: the transform, its levels and the colour-bar ticks.

Two transforms, chosen by the surface (documented because the colour bar
shows them):

* Losses never negative (every built-in problem but ``saddle``):
  ``c = log10(Z - Zmin + delta)``, ``Zmin`` the grid's smallest finite loss,
  ``delta = 1e-5 * (Z99 - Zmin)`` (``Z99`` the 99th percentile). The deepest
  cell is the darkest colour, ``delta`` keeps it finite and caps the map at
  about five decades, so a flat valley (Rosenbrock) keeps visible structure.
  The colour-bar axis is logarithmic: its ticks read as ``loss - Zmin``.
* Losses of both signs (``saddle``, user formulas): a signed log,
  ``c = asinh(Z / s) / ln 10`` with ``s = 1e-3 * |Z|99``: linear within
  ``±s``, logarithmic beyond, zero in the middle of the map. Shifting by the
  minimum instead would flatten everything but the most negative corner.
  The colour bar gets ticks at ``0, ±10^k`` in loss units.

Non-finite losses become NaN (transparent pixels); levels are always finite
with low < high.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

_DELTA_FRACTION = 1e-5
_SIGNED_FRACTION = 1e-3
_LN10 = math.log(10.0)
_TICK_GAP = 0.8  # least distance between signed-scale ticks, in colour units (decades)
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class ColourScale(NamedTuple):
    values: np.ndarray  # one colour value per grid cell, NaN where the loss is not finite
    levels: tuple[float, float]  # the values mapped to the two ends of the colour map
    signed: bool  # True: signed log (asinh); False: log10 of the shifted loss
    shift: float  # Zmin, subtracted before the log (0 when signed)
    scale: float  # delta (log) or s (signed)
    label: str  # the colour bar's title

    def ticks(self) -> list[tuple[float, str]] | None:
        """Colour-bar ticks in loss units for a signed scale (None: the axis makes its own)."""
        if not self.signed:
            return None
        low, high = self.levels
        top = max(abs(low), abs(high))
        k_max = math.ceil(top + math.log10(self.scale)) + 1
        k_min = math.floor(math.log10(self.scale))
        ticks = [(0.0, "0")]
        for k in range(k_min, k_max + 1):
            for sign in (1.0, -1.0):
                c = math.asinh(sign * 10.0**k / self.scale) / _LN10
                # near zero the decades crowd together (the linear part): skip those
                if low <= c <= high and all(abs(c - t) >= _TICK_GAP for t, _ in ticks):
                    text = "10" + str(k).translate(_SUPERSCRIPT)
                    ticks.append((c, text if sign > 0 else "−" + text))
        return sorted(ticks)


def colour_scale(Z: np.ndarray) -> ColourScale:
    """The colour values and levels for the surface ``Z`` (any shape)."""
    Z = np.asarray(Z, dtype=np.float64)
    finite = np.isfinite(Z)
    C = np.full(Z.shape, np.nan)
    if not finite.any():
        return ColourScale(C, (0.0, 1.0), False, 0.0, 1.0, "loss (log scale)")
    values = Z[finite]
    zmin, zmax = float(values.min()), float(values.max())
    if zmin < 0 and -zmin > 1e-6 * (zmax - zmin):
        s = _SIGNED_FRACTION * float(percentile(np.abs(values), 99))
        s = s if s > 0 else 1.0
        C[finite] = np.arcsinh(values / s) / _LN10
        low, high = _levels(C[finite], 0.5)
        return ColourScale(C, (low, high), True, 0.0, s, "loss (signed log scale)")
    spread = float(percentile(values, 99)) - zmin
    if not spread > 0:
        spread = zmax - zmin
    delta = _DELTA_FRACTION * spread if spread > 0 else 1.0
    C[finite] = np.log10(values - zmin + delta)
    low, high = _levels(C[finite], None)
    return ColourScale(C, (low, high), False, zmin, delta, "loss − min (log scale)")


def percentile(values: np.ndarray, q: float) -> float:
    """``np.percentile(values, q)`` (its default, linear method) of finite ``values``.

    By partition, as numpy does, but without the import of ``numpy.ma`` that
    numpy's version makes on its first call: that import is a tenth of the
    window's time to its first picture.
    """
    values = np.ravel(values)
    n = values.size
    quantile = q / 100
    # numpy's own arithmetic for the position and the weight, so the result is its result
    position = (n - 1) * quantile
    below = min(max(math.floor(position), 0), n - 1)
    above = min(below + 1, n - 1)
    part = np.partition(values, (below, above))
    a, b = float(part[below]), float(part[above])
    t = position - below
    diff = b - a
    return b - diff * (1 - t) if t >= 0.5 else a + diff * t


def _levels(c: np.ndarray, low_percentile: float | None) -> tuple[float, float]:
    # the top 0.5 % (the far corners of Rosenbrock, Beale) would squeeze the
    # rest of the map into a few colours, so they saturate instead
    low = float(c.min()) if low_percentile is None else float(percentile(c, low_percentile))
    high = float(percentile(c, 99.5))
    if not high > low:
        low, high = float(c.min()), float(c.max())
    if not high > low:
        high = low + 1.0
    return low, high
