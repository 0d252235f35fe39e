"""Final loss against learning rate (log-log), with the presets and 2/λmax marked.

Diverged runs have no meaningful final loss; they are drawn as red crosses
along the top of the plot, at their learning rate. Vertical lines sit in view
coordinates, which on log axes are log10 values, so positions are converted
here, and a click is converted back before ``lrPicked`` is emitted.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal

from desktop.views import palette
from desktop.views._arrays import as_float, clip_for_log
from desktop.views._axes import ReadableAxis

LOSS_LABEL = "final loss (log, values ≤ 0 clipped)"
# crosses for diverged runs sit this factor above the highest finite final loss
_DIVERGED_HEADROOM = 3.0


def _vline(
    colour: str, label: str, style: Qt.PenStyle = Qt.PenStyle.SolidLine, position: float = 0.95
) -> pg.InfiniteLine:
    return pg.InfiniteLine(
        angle=90,
        movable=False,
        pen=pg.mkPen(colour, width=1, style=style),
        label=label,
        labelOpts={"position": position, "color": colour, "fill": pg.mkBrush(255, 255, 255, 200)},
    )


class SweepView(pg.PlotWidget):
    """Where each learning rate ends up; click to pick a learning rate."""

    lrPicked = Signal(float)

    def __init__(self, parent=None) -> None:
        # decade ticks, each labelled that fits (see _axes)
        super().__init__(
            parent, axisItems={"left": ReadableAxis("left"), "bottom": ReadableAxis("bottom")}
        )
        plot = self.getPlotItem()
        plot.setMenuEnabled(False, enableViewBoxMenu=True)
        plot.setLabel("bottom", "learning rate")
        plot.setLabel("left", LOSS_LABEL)
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
            key: _vline(col, palette.PRESET_LABELS[key], position=0.9 - 0.07 * k)
            for k, (key, col) in enumerate(palette.PRESET_COLOURS.items())
        }
        self.stability_line = _vline(palette.STABILITY, "2/λmax", Qt.PenStyle.DashLine, 0.62)
        self.current_line = _vline(palette.CURRENT, "lr", position=0.05)
        for line in (*self.preset_lines.values(), self.stability_line, self.current_line):
            line.hide()
            plot.addItem(line, ignoreBounds=True)
        self._legend = plot.addLegend(
            offset=(-8, -8), brush=pg.mkBrush(255, 255, 255, 210), pen=pg.mkPen("#808080")
        )
        self._legend.clear()
        self._legend.addItem(self._curve, "final loss")
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)

    def set_sweep(
        self,
        lrs,
        final_loss,
        status,
        presets: dict[str, float],
        stability_limit: float | None,
        current_lr: float,
    ) -> None:
        """One point per learning rate; diverged runs (by status or loss) are crosses."""
        lrs, final_loss = as_float(lrs), as_float(final_loss)
        n = min(len(lrs), len(final_loss))
        lrs, final_loss = lrs[:n], final_loss[:n]
        labels = np.asarray(status).astype(str).reshape(-1)[:n] if n else np.empty(0, dtype=str)
        usable = np.isfinite(lrs) & (lrs > 0)
        diverged = usable & ((labels == "diverged") | ~np.isfinite(final_loss))
        ok = usable & ~diverged
        shown, _ = clip_for_log(final_loss[ok])
        self._curve.setData(lrs[ok], shown)
        top = float(shown.max()) * _DIVERGED_HEADROOM if shown.size else 1.0
        bad = lrs[diverged]
        self._diverged.setData(bad, np.full(bad.size, top))
        self._legend.removeItem(self._diverged)
        if bad.size:
            self._legend.addItem(self._diverged, "diverged")
        for key, line in self.preset_lines.items():
            self._place(line, presets.get(key))
        self._place(self.stability_line, stability_limit)
        self._place(self.current_line, current_lr)
        self.getPlotItem().enableAutoRange()

    def set_current_lr(self, lr: float) -> None:
        """Move only the current-lr marker (cheap: a slider drag calls this every frame)."""
        self._place(self.current_line, lr)

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
        if self._legend.sceneBoundingRect().contains(ev.scenePos()):
            return
        x = vb.mapSceneToView(ev.scenePos()).x()
        self.lrPicked.emit(float(10.0**x))
