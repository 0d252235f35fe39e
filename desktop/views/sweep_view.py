"""Final loss against learning rate (log-log), with the presets and 2/λmax marked.

Diverged runs have no meaningful final loss; they are drawn as red crosses
along the top of the data, at their learning rate. Vertical lines sit in
view coordinates, which on log axes are log10 values, so positions are
converted here, and a click is converted back before ``lrPicked`` is
emitted.

Nothing is written over the data: the lines' labels ("too small", "just
right", "too big", "2/λmax", "lr", "✕ diverged") sit in a strip above the
plot (`_bands.Band`), each over its own line and in rows so that no two
overlap; the dots need no legend (the axis says "final loss"). The x range
is the learning-rate slider's (``x_range``), widened only to show a marker
that lies outside it; the sweep's points beyond it are there when the user
zooms out.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel

from desktop.views import palette
from desktop.views._arrays import as_float, clip_for_log
from desktop.views._axes import fit_axis_label, plain_plot, readable_axes
from desktop.views._bands import Band, Mark
from desktop.views._menu import ExportEntry, LazyMenuViewBox

LOSS_LABEL = "final loss (log, values ≤ 0 clipped)"
# shorter titles for a short plot: the longest that fits is shown
LOSS_LABELS = (LOSS_LABEL, "final loss (log scale)", "final loss")
# crosses for diverged runs sit this factor above the highest finite final loss
_DIVERGED_HEADROOM = 3.0
# the learning-rate slider's range: what the x axis shows unless told otherwise
DEFAULT_X_RANGE = (1e-5, 10.0)
# markers outside the range widen it to show them, with this much room (decades)
_MARGIN_DECADES = 0.15
DIVERGED_LABEL = "✕ diverged"


def _vline(colour: str, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> pg.InfiniteLine:
    return pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(colour, width=1, style=style))


EMPTY_Y_DECADES = (-3.0, 1.0)  # the y range (log10) of an empty plot
PENDING = "The learning-rate sweep is worked out in the background and appears here."
NOTE_WIDTH = 300  # px: the note's box at most, a few short lines

class SweepView(ExportEntry, pg.PlotWidget):
    """Where each learning rate ends up; click to pick a learning rate."""

    lrPicked = Signal(float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, axisItems=readable_axes(),
                         viewBox=LazyMenuViewBox())  # decade ticks that fit
        self._init_export_entry()  # the app's own Export… in the right-click menu
        # said over the empty plot while there is no sweep (empty axes read as broken)
        self.note = QLabel(PENDING, self)
        self.note.setWordWrap(True)
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setEnabled(False)  # the palette's grey: a note, not a result
        # a box of its own over the empty plot: read over the ticks and the lr line,
        # the sentence was crossed by them
        self.note.setStyleSheet("QLabel { background: palette(base); "
                                "border: 1px solid palette(mid); padding: 6px; }")
        plot = plain_plot(self.getPlotItem(), "learning rate")
        fit_axis_label(plot.getAxis("left"), LOSS_LABELS)
        plot.setLogMode(x=True, y=True)
        self._curve = pg.PlotDataItem(
            pen=pg.mkPen(palette.PATH, width=1),
            symbol="o",
            symbolSize=4,
            symbolPen=None,
            symbolBrush=palette.PATH,
            name="final loss",
        )
        self._diverged = pg.PlotDataItem(
            pen=None,
            symbol="x",
            symbolSize=9,
            symbolPen=pg.mkPen(palette.DIVERGED, width=1),
            symbolBrush=palette.DIVERGED,
            name="diverged",
        )
        plot.addItem(self._curve)
        plot.addItem(self._diverged)
        self.preset_lines: dict[str, pg.InfiniteLine] = {
            key: _vline(col) for key, col in palette.PRESET_COLOURS.items()
        }
        self.stability_line = _vline(palette.STABILITY, Qt.PenStyle.DashLine)
        self.current_line = _vline(palette.CURRENT)
        for line in (*self.preset_lines.values(), self.stability_line, self.current_line):
            line.hide()
            plot.addItem(line, ignoreBounds=True)
        self.band = Band(plot)
        self._x_range = DEFAULT_X_RANGE
        self._data_y: tuple[float, float] | None = None  # log10 range of what is drawn
        self._diverged_at: float | None = None  # log10 lr of the "diverged" label (mid-crosses)
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)

    def set_sweep(
        self,
        lrs,
        final_loss,
        status,
        presets: dict[str, float],
        stability_limit: float | None,
        current_lr: float,
        x_range: tuple[float, float] | None = None,
        note: str = "",
    ) -> None:
        """One point per learning rate; diverged runs (by status or loss) are crosses.

        ``x_range`` is the learning rates the x axis shows (the slider's
        range; default `DEFAULT_X_RANGE`); it widens to show a preset, the
        stability limit or the current learning rate outside it. With no
        learning rates the plot says ``note`` instead (default: that the sweep
        is on its way).
        """
        lrs, final_loss = as_float(lrs), as_float(final_loss)
        n = min(len(lrs), len(final_loss))
        self.note.setText(note or PENDING)
        self.note.setVisible(n == 0)
        self._place_note()  # a new sentence may need another height
        lrs, final_loss = lrs[:n], final_loss[:n]
        labels = np.asarray(status).astype(str).reshape(-1)[:n] if n else np.empty(0, dtype=str)
        usable = np.isfinite(lrs) & (lrs > 0)
        diverged = usable & ((labels == "diverged") | ~np.isfinite(final_loss))
        ok = usable & ~diverged
        if x_range is not None:
            lo, hi = sorted(float(v) for v in x_range)
            if lo > 0 and np.isfinite(hi):
                self._x_range = (lo, hi)
        shown, _ = clip_for_log(final_loss[ok])
        self._curve.setData(lrs[ok], shown)
        # the crosses sit above the highest loss in view (not above the
        # highest anywhere: that may be far off to the side)
        lo, hi = self._x_range
        in_view = shown[(lrs[ok] >= lo) & (lrs[ok] <= hi)]
        top_of = in_view if in_view.size else shown
        top = float(top_of.max()) * _DIVERGED_HEADROOM if top_of.size else 1.0
        bad = lrs[diverged]
        self._diverged.setData(bad, np.full(bad.size, top))
        self._data_y = self._y_span(top_of, top if bad.size else None)
        bad_in_view = bad[(bad >= lo) & (bad <= hi)]
        # the label sits over the middle of the crosses in view
        self._diverged_at = (float(np.log10(bad_in_view.min()) + np.log10(bad_in_view.max())) / 2
                             if bad_in_view.size else None)
        for key, line in self.preset_lines.items():
            self._place(line, presets.get(key))
        self._place(self.stability_line, stability_limit)
        self._place(self.current_line, current_lr)
        self._set_view()
        self._label_lines()

    def set_current_lr(self, lr: float) -> None:
        """Move only the current-lr marker (cheap: a slider drag calls this every frame)."""
        self._place(self.current_line, lr)
        self._label_lines()

    @property
    def x_range(self) -> tuple[float, float]:
        """The learning rates the x axis is asked to show (before widening for markers)."""
        return self._x_range

    # ------------------------------------------------------------ drawing
    @staticmethod
    def _y_span(values: np.ndarray, crosses: float | None) -> tuple[float, float] | None:
        logs = [float(np.log10(values.min())), float(np.log10(values.max()))] if values.size else []
        if crosses is not None:
            logs.append(float(np.log10(crosses)))
        if not logs:
            return None
        return min(logs), max(logs)

    def resizeEvent(self, ev) -> None:  # Qt override
        super().resizeEvent(ev)
        if "note" in self.__dict__:  # Qt sends a resize while the widget is being built
            self._place_note()

    def _place_note(self) -> None:
        """The note as a box just big enough for its text, in the middle of the plot."""
        area = self.rect().adjusted(40, 20, -20, -40)  # inside the axes and their titles
        width = max(80, min(area.width(), NOTE_WIDTH))
        height = min(area.height(), self.note.heightForWidth(width))
        self.note.setGeometry(area.center().x() - width // 2,
                              area.center().y() - height // 2, width, height)

    def _set_view(self) -> None:
        lo, hi = np.log10(self._x_range[0]), np.log10(self._x_range[1])
        for line in (*self.preset_lines.values(), self.stability_line, self.current_line):
            if line.isVisible():
                v = float(line.value())
                lo, hi = min(lo, v - _MARGIN_DECADES), max(hi, v + _MARGIN_DECADES)
        vb = self.getPlotItem().getViewBox()
        y = self._data_y
        if y is None:  # nothing to show: a plain decade range, not the last one's
            vb.setRange(xRange=(lo, hi), yRange=EMPTY_Y_DECADES, padding=0.0)
            vb.disableAutoRange()
            return
        span = max(y[1] - y[0], 1.0)
        vb.setRange(xRange=(lo, hi), yRange=(y[0] - 0.08 * span, y[1] + 0.08 * span),
                    padding=0.0)
        vb.disableAutoRange()

    def _label_lines(self) -> None:
        # the most important first: where space runs out, the last ones go
        marks = [
            Mark(float(line.value()), palette.PRESET_LABELS[key], palette.colour(key))
            for key, line in self.preset_lines.items()
            if line.isVisible()
        ]
        if self.current_line.isVisible():
            marks.append(Mark(float(self.current_line.value()), "lr",
                              palette.colour(palette.CURRENT)))
        if self.stability_line.isVisible():
            marks.append(Mark(float(self.stability_line.value()), "2/λmax",
                              palette.colour(palette.STABILITY)))
        if self._diverged_at is not None:
            marks.append(Mark(self._diverged_at, DIVERGED_LABEL, palette.colour(palette.DIVERGED)))
        self.band.set_marks(marks)

    @staticmethod
    def _place(line: pg.InfiniteLine, lr: float | None) -> None:
        if lr is None or not np.isfinite(lr) or lr <= 0:
            line.hide()
            return
        line.setValue(float(np.log10(lr)))
        line.show()

    def _on_scene_clicked(self, ev) -> None:
        if ev.isAccepted() or ev.double() or ev.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.getPlotItem().getViewBox()
        if not vb.sceneBoundingRect().contains(ev.scenePos()):
            return
        x = vb.mapSceneToView(ev.scenePos()).x()
        self.lrPicked.emit(float(10.0**x))
