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

Axis titles are never cut: pyqtgraph reserves 80 % of the title's height
and pushes the title 5 pixels past the axis's outer edge, so on a plot at
the window's edge the bottom title loses its descenders and the left one
its first letters. `ReadableAxis` reserves the whole height and keeps the
title inside, and `fit_axis_label` shows the longest of several titles
that fits along the axis ("final loss (log, values ≤ 0 clipped)" on a
tall plot, "final loss" on a short one).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject

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


def fit_axis_label(axis: pg.AxisItem, choices: tuple[str, ...] | list[str]) -> None:
    """Show the longest of ``choices`` (longest first) that fits along ``axis``, now
    and whenever the axis is resized; the last choice when none fits."""
    axis._lrp_label_choices = tuple(choices)  # type: ignore[attr-defined]
    if not isinstance(axis, ReadableAxis) and not getattr(axis, "_lrp_label_fitting", False):
        # any other axis (the colour bar's): refit when its geometry changes,
        # through a QObject that dies with it (a lambda would outlive it)
        axis._lrp_label_fitting = _LabelFitter(axis)  # type: ignore[attr-defined]
    _refit_label(axis)


class _LabelFitter(QObject):
    def __init__(self, axis: pg.AxisItem) -> None:
        super().__init__(axis)
        self._axis = axis
        axis.geometryChanged.connect(self._on_axis_geometry_changed)

    def _on_axis_geometry_changed(self) -> None:
        _refit_label(self._axis)


def label_choices(label: str) -> tuple[str, ...]:
    """A title and shorter forms of it: without " scale", without the bracket."""
    out = [label]
    for shorter in (label.replace(" scale)", ")"), label.split(" (")[0]):
        if shorter and shorter not in out:
            out.append(shorter)
    return tuple(out)


def _refit_label(axis: pg.AxisItem) -> None:
    choices = getattr(axis, "_lrp_label_choices", ())
    if not choices or axis.label is None:
        return
    size = axis.size()
    room = size.height() if axis.orientation in ("left", "right") else size.width()
    if room <= 0:
        text = choices[0]
    else:
        metrics = pg.QtGui.QFontMetricsF(axis.label.font())
        # the label's document margin (4 px each side) counts too
        margin = 2 * axis.label.document().documentMargin() + 2
        text = next((c for c in choices if metrics.horizontalAdvance(c) + margin <= room),
                    choices[-1])
    if text != axis.labelText:
        axis.setLabel(text)
        axis.resizeEvent(None)  # centres the new title (its length changed, the axis did not)


class ReadableAxis(pg.AxisItem):
    """``pg.AxisItem`` with decade ticks in log mode and uncut titles (see the module)."""

    def __init__(self, orientation: str, **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.enableAutoSIPrefix(False)

    # ------------------------------------------------------------ the title, uncut
    def _title_extra(self) -> float:
        """What pyqtgraph leaves out of the title's height (it reserves 80 %)."""
        if self.label is None or not self.label.isVisible():
            return 0.0
        return 0.2 * self.label.boundingRect().height()

    def _updateHeight(self) -> None:  # pyqtgraph override
        super()._updateHeight()
        if self.fixedHeight is None:
            self._room_for_title(self.maximumHeight, self.setMaximumHeight, self.setMinimumHeight)

    def _updateWidth(self) -> None:  # pyqtgraph override
        super()._updateWidth()
        if self.fixedWidth is None:
            self._room_for_title(self.maximumWidth, self.setMaximumWidth, self.setMinimumWidth)

    def _room_for_title(self, size: Callable[[], float], set_max: Callable[[float], None],
                        set_min: Callable[[float], None]) -> None:
        """Grow the size pyqtgraph just set by the title's extra room, as a fixed size."""
        if self.isVisible():
            grown = size() + self._title_extra()
            set_max(grown)
            set_min(grown)

    def resizeEvent(self, ev=None) -> None:  # pyqtgraph override: the title inside the axis
        super().resizeEvent(ev)
        if self.label is None:
            return
        _refit_label(self)
        br = self.label.boundingRect()
        pos = self.label.pos()
        if self.orientation == "bottom":
            pos.setY(self.size().height() - br.height())
        elif self.orientation == "left":
            pos.setX(0.0)
        elif self.orientation == "top":
            pos.setY(0.0)
        elif self.orientation == "right":
            pos.setX(self.size().width() - br.height())
        self.label.setPos(pos)

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


def readable_axes() -> dict[str, ReadableAxis]:
    """The ``axisItems`` of a view's plot: titles kept whole, ticks that fit."""
    return {"left": ReadableAxis("left"), "bottom": ReadableAxis("bottom")}


def plain_plot(plot: pg.PlotItem, bottom: str, left: str | None = None) -> pg.PlotItem:
    """Axis titles, and pyqtgraph's plot menu left out: its log and fft transforms would
    redraw our data in other units (the view box's zoom menu stays)."""
    plot.setMenuEnabled(False, enableViewBoxMenu=True)
    plot.setLabel("bottom", bottom)
    if left is not None:
        plot.setLabel("left", left)
    return plot
