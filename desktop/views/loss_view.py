"""Loss against step: the live curve, tolerance, current step, selection, compare runs.

Built for a 1,000,000-point curve at 60 frames per second. Drawing is
O(pixels): before anything reaches pyqtgraph the visible part of the curve is
reduced to a min and a max per pixel column (``PeakReducer``; spikes
survive). While a run grows only its new rows are reduced (and checked for
being finite), so a frame costs O(new rows + pixel columns), not O(rows).
Only those ~2 points per column are clipped and log-mapped, which is where
pyqtgraph's own path spent most of a frame (log10 over a million values).
A network's run also has a validation loss: it is drawn as a second
curve ("validation", dashed blue) reduced the same way, and the axes fit both.
pyqtgraph's clip-to-view and peak downsampling stay on as a second line of
defence; pens are 1 px, antialiasing off.

The axes' limits are rounded (`desktop.views._extent`) and both axes widen
at once but narrow only once the curve has rested for ``SHRINK_MS``: a new
axis range rebuilds both axes and repaints the whole plot (~3 ms), and a
learning-rate drag would otherwise move the lowest loss across a decade,
or the step where a run diverges, back and forth many times a second.

Log axis: pyqtgraph's log mode (items take log10 of what they hold), so the
items hold losses, not logs. A log axis cannot show zero or a negative loss,
so those are raised to the smallest positive loss of the curve and the axis
title says so (in a shorter form where the plot is short, see ``_axes``).

The step axis starts at the first step and spans at least ``MIN_STEPS``
steps, so a run that has just been reset (a single row) shows [0, 10], not
pyqtgraph's [-0.5, 0.5] around one point. Compared runs are named in a
legend strip above the plot (``_bands``), never over the curves.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer

from desktop.views import palette
from desktop.views._arrays import (
    as_float,
    finite_prefix,
    nice_ceil,
    peak_reduce,
    row_index,
)
from desktop.views._axes import fit_axis_label, plain_plot, readable_axes
from desktop.views._bands import Band, Key
from desktop.views._extent import Extent, loss_range, widened
from desktop.views._growing import GrowingRows, PeakReducer
from desktop.views._items import PixelPoints
from desktop.views._menu import ExportEntry, LazyMenuViewBox

VALIDATION = "#1f77b4"
LOG_LABEL = "loss (log, values ≤ 0 clipped)"
LINEAR_LABEL = "loss"
# shorter titles for a short plot: the longest that fits is shown
LOG_LABELS = (LOG_LABEL, "loss (log scale)", "loss")
# the step axis spans at least this many steps (a reset run has one row)
MIN_STEPS = 10
# buckets to use before the widget has a width
_DEFAULT_BUCKETS = 2_000
# how long the curve must stay inside a smaller loss range before the axis narrows
SHRINK_MS = 250
_NONE = np.empty(0)


class LossView(ExportEntry, pg.PlotWidget):
    """Loss against step for the current run and any compared runs."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, axisItems=readable_axes(),
                         viewBox=LazyMenuViewBox())  # decade ticks that fit
        self._init_export_entry()  # the app's own Export… in the right-click menu
        plot = plain_plot(self.getPlotItem(), "step")
        plot.setClipToView(True)
        plot.setDownsampling(auto=True, mode="peak")
        self._log = True
        self._steps = np.empty(0)
        self._loss = np.empty(0)
        self._rows = GrowingRows()  # which rows of the curve are new since the last frame
        self._reducer = PeakReducer()
        self._kept = 0  # rows the reducer has seen unchanged (0: start over)
        self._fresh = True  # whether the curve drawn is a new one (not the last one grown)
        self._min_positive = np.inf  # smallest positive loss of the curve (the log floor)
        self._floor: float | None = None
        self._tolerance: float | None = None
        self._highlight: int | None = None
        self._compare: list[tuple[str, object, np.ndarray, np.ndarray]] = []
        self._compare_items: list[pg.PlotDataItem] = []

        self._curve = pg.PlotDataItem(
            pen=pg.mkPen(palette.PATH, width=1), skipFiniteCheck=True, name="this run"
        )
        plot.addItem(self._curve)
        self._val_steps = np.empty(0)
        self._val = np.empty(0)
        self._val_curve = pg.PlotDataItem(
            pen=pg.mkPen(VALIDATION, width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
            name="validation",
        )
        # the extent below decides the range: it covers this curve too
        plot.addItem(self._val_curve, ignoreBounds=True)
        self._extent = Extent()
        plot.addItem(self._extent)
        self._tolerance_line = pg.InfiniteLine(
            angle=0,
            movable=False,
            pen=pg.mkPen(palette.TOLERANCE, width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
            label="tolerance",
            labelOpts={"position": 0.06, "color": palette.TOLERANCE, "anchors": [(0, 1), (0, 1)]},
        )
        self._current_line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen(palette.CURRENT, width=1)
        )
        self._highlight_line = pg.InfiniteLine(
            angle=90,
            movable=False,
            pen=pg.mkPen(palette.HIGHLIGHT, width=1, style=pg.QtCore.Qt.PenStyle.DashLine),
        )
        self._highlight_dot = PixelPoints(
            "o", 11, pen=pg.mkPen(palette.HIGHLIGHT, width=2), brush=None
        )
        for item in (self._tolerance_line, self._current_line, self._highlight_line):
            item.hide()
            # markers must not widen the autorange (a tolerance of 1e-12 on a log axis)
            plot.addItem(item, ignoreBounds=True)
        plot.addItem(self._highlight_dot, ignoreBounds=True)
        self.band = Band(plot)  # the legend of compared runs, above the plot
        # pyqtgraph's automatic SI prefix multiplies log-axis labels by its
        # scale and adds "(x1e+09)" to the title: plain numbers instead
        for name in ("bottom", "left"):
            plot.getAxis(name).enableAutoSIPrefix(False)
        self._reduced_for: tuple | None = None  # the view state the curves were reduced for
        self._highlight_at: tuple | None = None  # what the highlight markers show
        self._wanted: tuple[tuple[float, float], tuple[float, float]] | None = None  # (x, y)
        self._x_min: float | None = None  # the step axis's lower limit
        self._shrink_timer = QTimer(self)
        self._shrink_timer.setSingleShot(True)
        self._shrink_timer.setInterval(SHRINK_MS)
        self._shrink_timer.timeout.connect(self._on_shrink_timer_timeout)
        vb = plot.getViewBox()
        # the extent is rounded already (decades, 1-1.5-2-3… steps); padding
        # would only push the step axis below 0
        vb.setDefaultPadding(0.0)
        vb.sigXRangeChanged.connect(self._on_view_x_range_changed)
        vb.sigResized.connect(self._on_view_x_range_changed)
        self._apply_log()

    # ------------------------------------------------------------ API
    def set_loss(self, steps, loss, tolerance: float | None, log: bool) -> None:
        """The current run's loss curve (cut at its first non-finite row)."""
        steps, loss = as_float(steps), as_float(loss)
        kept, n = self._rows.update(steps, loss)  # a growing run: only new rows are looked at
        new = loss[kept:n]
        positive = new[new > 0]
        low = float(positive.min()) if positive.size else np.inf
        self._min_positive = min(self._min_positive, low) if kept else low
        self._steps, self._loss = steps[:n], loss[:n]
        self._kept = kept
        self._fresh = kept == 0
        self._tolerance = tolerance if tolerance is not None and np.isfinite(tolerance) else None
        if bool(log) != self._log:
            self._log = bool(log)
            self._apply_log()
        else:
            self._draw_curve()
            self._draw_tolerance()
            self._draw_highlight()

    def set_validation(self, steps, val) -> None:
        """The run's validation loss beside the training loss (None: the run has none),
        drawn with the next `set_loss`: a run hands both every frame, and drawing the
        curves for each would reduce and hand over the training curve twice."""
        had = self._val.size > 0
        if steps is None or val is None:
            self._val_steps, self._val = _NONE, _NONE
        else:
            steps, val = as_float(steps), as_float(val)
            n = finite_prefix(steps, val)
            self._val_steps, self._val = steps[:n], val[:n]
        if had != (self._val.size > 0):
            self._set_keys()

    def validation_data(self) -> tuple[np.ndarray, np.ndarray]:
        """The validation curve handed over (not reduced; tests compare it with the run)."""
        return self._val_steps, self._val

    def set_log(self, log: bool) -> None:
        """Switch the loss axis between log and linear."""
        if bool(log) != self._log:
            self._log = bool(log)
            self._apply_log()

    def set_current(self, step: float | None) -> None:
        """Mark the current step with a vertical line (None hides it)."""
        if step is None or not np.isfinite(step):
            self._current_line.hide()
            return
        self._current_line.setValue(float(step))
        self._current_line.show()

    def set_highlight(self, row: int | None) -> None:
        """Mark the row selected in the step table (None hides the marker)."""
        self._highlight = row
        self._draw_highlight()

    def set_compare(self, curves) -> None:
        """Other runs as ``(label, colour, steps, loss)``, each in its colour, with a legend."""
        self._compare = []
        for label, col, steps, loss in curves:
            steps, loss = as_float(steps), as_float(loss)
            n = finite_prefix(steps, loss)
            self._compare.append((str(label), col, steps[:n], loss[:n]))
        plot = self.getPlotItem()
        for item in self._compare_items:
            plot.removeItem(item)
        self._compare_items = []
        for label, col, _, _ in self._compare:
            item = pg.PlotDataItem(
                pen=pg.mkPen(palette.colour(col), width=1), skipFiniteCheck=True, name=label
            )
            item.setZValue(-1)  # under this run's curve
            plot.addItem(item)  # picks up log mode and downsampling
            self._compare_items.append(item)
        self._set_keys()
        self._draw_compare()

    def _set_keys(self) -> None:
        val = self._val.size > 0
        keys = [Key("training" if val else "this run", pg.mkColor(palette.PATH))] \
            if self._compare or val else []
        if val:
            keys.append(Key("validation", pg.mkColor(VALIDATION), pg.QtCore.Qt.PenStyle.DashLine))
        keys += [Key(label, palette.colour(col)) for label, col, _, _ in self._compare]
        self.band.set_keys(keys)

    def clear_compare(self) -> None:
        self.set_compare([])

    @property
    def axes_settling(self) -> bool:
        """The axes are wider than the curve for now: they narrow once it rests."""
        return self._shrink_timer.isActive()

    @property
    def log(self) -> bool:
        return self._log

    # ------------------------------------------------------------ drawing
    def _apply_log(self) -> None:
        plot = self.getPlotItem()
        plot.setLogMode(x=False, y=self._log)
        fit_axis_label(plot.getAxis("left"), LOG_LABELS if self._log else (LINEAR_LABEL,))
        self._extent.forget()  # its limits were in the other axis's units
        self._shrink_timer.stop()
        self._draw_curve()
        self._draw_compare()
        self._draw_tolerance()
        self._draw_highlight()
        plot.enableAutoRange(axis="y")

    def _view_state(self) -> tuple:
        vb = self.getPlotItem().getViewBox()
        buckets = int(vb.width()) or _DEFAULT_BUCKETS
        if vb.autoRangeEnabled()[0]:
            # the range is about to fit the data: reduce over all of it
            return (-np.inf, np.inf, buckets)
        x_lo, x_hi = vb.viewRange()[0]
        return (x_lo, x_hi, buckets)

    def _draw_curve(self) -> None:
        state = self._view_state()
        x, y = self._reducer.reduce(self._steps, self._loss, self._kept, *state)
        self._kept = len(self._steps)  # redrawn for a new view range: the rows are the same
        # the floor is the whole curve's smallest positive loss, not the visible
        # part's, so zooming does not move clipped points
        needs_floor = self._log and y.size and y.min() <= 0
        if needs_floor:
            self._floor = float(self._min_positive) if np.isfinite(self._min_positive) else 1.0
        else:
            self._floor = None
        y = y if self._floor is None else np.maximum(y, self._floor)
        self._curve.setData(x, y)
        self._reduced_for = state
        vy = self._draw_validation(state)
        self._set_extent(x, np.concatenate([y, vy]) if vy.size and y.size else y)

    def _draw_validation(self, state: tuple) -> np.ndarray:
        if self._val.size == 0:
            self._val_curve.setData(_NONE, _NONE)
            return _NONE
        x, y = peak_reduce(self._val_steps, self._val, *state)
        floor = self._log_floor(y) if self._log else None
        y = np.maximum(y, floor) if floor is not None else y
        self._val_curve.setData(x, y)
        return y

    def _set_extent(self, x: np.ndarray, y: np.ndarray) -> None:
        # x and y hold every extreme of the visible curve (the reduction keeps them)
        if x.size == 0:
            self._extent.set_bounds(None, None)
            return
        first = float(x[0])
        # at least MIN_STEPS steps wide: a reset run (one row) shows [0, 10], not [-0.5, 0.5]
        want_x = (first, max(nice_ceil(float(x[-1])) if x[-1] > 0 else 0.0, first + MIN_STEPS))
        x_min = min(first, 0.0)
        if x_min != self._x_min:
            # no step before the first: the curve's pen and markers would otherwise pad
            # the automatic range a pixel below it (and panning could go there)
            self._x_min = x_min
            self.getPlotItem().getViewBox().setLimits(xMin=x_min)
        self._wanted = (want_x, loss_range(float(y.min()), float(y.max()), self._log))
        # both axes widen at once (nothing may be cut off) and narrow once the curve
        # rests: runs of a drag that diverge at steps 38, 52, 45 keep one axis
        bounds = tuple(widened(self._extent.bounds(axis), want)
                       for axis, want in enumerate(self._wanted))
        if bounds == self._wanted:
            self._shrink_timer.stop()
        elif self._fresh or not self._shrink_timer.isActive():
            # a new curve (a re-run) restarts the wait: a slider drag keeps its
            # axis until it rests; a growing curve does not, so a run started
            # after a reset fits its own range within SHRINK_MS
            self._shrink_timer.start()
        self._extent.set_bounds(*bounds)

    def _on_shrink_timer_timeout(self) -> None:
        if self._wanted is not None:
            self._extent.set_bounds(*self._wanted)

    def _draw_compare(self) -> None:
        for item, (_, _, steps, loss) in zip(self._compare_items, self._compare, strict=True):
            x, y = peak_reduce(steps, loss, *self._view_state())
            floor = self._log_floor(loss) if self._log and y.size and y.min() <= 0 else None
            item.setData(x, np.maximum(y, floor) if floor is not None else y)

    @staticmethod
    def _log_floor(loss: np.ndarray) -> float | None:
        """The clip floor for a log axis, or None when nothing needs clipping."""
        if loss.size == 0 or loss.min() > 0:
            return None
        positive = loss[loss > 0]
        return float(positive.min()) if positive.size else 1.0

    def _on_view_x_range_changed(self, *_args) -> None:
        if self._view_state() != self._reduced_for:
            self._fresh = False
            self._draw_curve()
            self._draw_compare()

    def _y(self, value: float) -> float | None:
        """A loss as a view coordinate (log10 on a log axis); None if it cannot be shown."""
        if not self._log:
            return value
        return float(np.log10(value)) if value > 0 else None

    def _draw_tolerance(self) -> None:
        y = None if self._tolerance is None else self._y(self._tolerance)
        if y is None:
            self._tolerance_line.hide()
        else:
            self._tolerance_line.setValue(y)
            self._tolerance_line.show()

    def _draw_highlight(self) -> None:
        k = row_index(self._highlight, len(self._steps))
        if k is None:
            at: tuple | None = None
        else:
            value = float(self._loss[k])
            if self._floor is not None:
                value = max(value, self._floor)
            at = (float(self._steps[k]), self._y(value))
        if at == self._highlight_at:
            return  # called every frame; most frames the selection stays put
        self._highlight_at = at
        if at is None:
            self._highlight_line.hide()
            self._highlight_dot.setData(_NONE, _NONE)
            return
        self._highlight_line.setValue(at[0])
        self._highlight_line.show()
        if at[1] is None:
            self._highlight_dot.setData(_NONE, _NONE)
        else:
            self._highlight_dot.setData([at[0]], [at[1]])

