"""An axis whose log-scale ticks read as decades, every one labelled that fits.

pyqtgraph's log axis takes its tick levels from the linear tick spacing of
the exponents, labels the first level and adds finer levels' labels only
while its crowding limits allow: on a sweep spanning nine decades the labels
come every second decade and the ones between stay blank. Its strings mix
``0.01`` with ``10⁻⁶``, and with the automatic SI prefix on (the default)
they are multiplied by the prefix's scale while the title gains "(x1e+09)".

`ReadableAxis` in log mode instead ticks whole decades and labels every
``step`` of them, ``step`` the smallest of 1, 2, 3, 5, 10, ... that leaves
room for the text; decades between get unlabelled ticks, and within a
decade 2..9 get small ticks when there is room. A range narrower than about
a decade is labelled at 1, 2, 5 (or 1..9) times a power of ten. Labels are
``0.001`` .. ``1000`` in plain digits, ``10ⁿ`` beyond. Linear mode is
pyqtgraph's own, without the SI prefix.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_STEPS = (1, 2, 3, 5, 10, 20, 25, 50, 100, 200, 500)
_SUB = np.log10(np.arange(2, 10))  # 2..9 within a decade


def decade_label(exponent: int) -> str:
    """``10**exponent`` as a short label: plain digits near 1, a power of ten beyond."""
    if -3 <= exponent <= 3:
        return f"{10.0**exponent:g}"
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def value_label(log_value: float) -> str:
    """A tick at ``10**log_value`` that is not a whole decade (narrow ranges)."""
    exponent = math.floor(log_value + 1e-9)
    mantissa = 10.0 ** (log_value - exponent)
    m = f"{mantissa:.2g}"
    if m == "10":  # rounding reached the next decade
        return decade_label(exponent + 1)
    if -3 <= exponent <= 3:
        return f"{10.0**log_value:.3g}"
    return f"{m}·" + decade_label(exponent) if m != "1" else decade_label(exponent)


class ReadableAxis(pg.AxisItem):
    """``pg.AxisItem`` with decade ticks in log mode (see the module docstring)."""

    def __init__(self, orientation: str, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    def _label_room(self) -> float:
        """Pixels one label needs along the axis (with a gap)."""
        metrics = pg.QtGui.QFontMetricsF(self.style.get("tickFont") or self.font())
        if self.orientation in ("left", "right"):
            return 1.4 * metrics.height()
        return metrics.horizontalAdvance("10⁻²⁰") + 12.0

    def tickValues(self, minVal: float, maxVal: float, size: float):
        if not self.logMode:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = sorted((float(minVal), float(maxVal)))
        span = hi - lo
        if not (math.isfinite(span) and span > 0 and size > 0):
            return []
        room = self._label_room()
        per_decade = size / span
        if span < 1.5:
            return self._narrow(lo, hi, per_decade, room)
        step = next((s for s in _STEPS if s * per_decade >= room), _STEPS[-1])
        first, last = math.ceil(lo), math.floor(hi)
        decades = np.arange(first, last + 1)
        majors = decades[decades % step == 0].astype(float)
        minors: list[float] = decades[decades % step != 0].astype(float).tolist()
        if step == 1 and per_decade >= 3 * room:
            # room inside each decade: small ticks at 2..9
            subs = (np.arange(first - 1, last + 1)[:, None] + _SUB[None, :]).ravel()
            minors += subs[(subs > lo) & (subs < hi)].tolist()
        return [(float(step), majors.tolist()), (None, minors)]

    @staticmethod
    def _narrow(lo: float, hi: float, per_decade: float, room: float):
        """Ticks for a range of about a decade or less: 1..9, 1-2-5 or 1 times 10^k."""
        for mantissas in ((1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 5), (1,)):
            marks = np.log10(np.asarray(mantissas, dtype=float))
            values = (np.arange(math.floor(lo), math.ceil(hi) + 1)[:, None] + marks).ravel()
            inside = np.sort(values[(values >= lo) & (values <= hi)])
            if inside.size >= 2 and np.diff(inside).min() * per_decade >= room:
                return [(-1.0, inside.tolist())]
        # too little room or too few marks to read the scale: label near both ends
        return [(-1.0, [lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo)])]

    def tickStrings(self, values, scale, spacing):
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        if spacing is None:
            return []  # the unlabelled level
        out = []
        for v in values:
            k = round(v)
            out.append(decade_label(int(k)) if abs(v - k) < 1e-9 else value_label(v))
        return out
