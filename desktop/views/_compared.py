"""What the contour and the 1-D view share: this run's path with compared runs beside it.

Both draw the run as a fading path with a marker at the step shown, other
runs (presets compared, pinned runs) as thin lines in their own colours
under it, and a legend in the band above the plot. `ComparedPaths` holds
that part; a view gives its path's coordinates (`_path_xy`) and sets the
items it uses (``_path``, ``_exit``, ``band``, ``_origin``, ``_box``).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from desktop.views import palette
from desktop.views._arrays import as_float, clip_polyline, finite_prefix, row_index
from desktop.views._bands import Key
from desktop.views._growing import thin_path
from desktop.views._items import PixelPoints
from desktop.views._path import COMPARE_Z, step_shades

# above this many path points the per-step dots are left out: they would
# merge into the line anyway, and dots cost per point, not per pixel
MAX_PATH_DOTS = 2_000
# longer paths are drawn as the segments between the screen pixels they visit
# (see PathThinner), kept up to date with only the new rows while a run grows
DEDUPE_FROM = 5_000
# the legend entry of the run's own path: its shades run from early to late steps
THIS_RUN = "this run (early → late)"
_NONE = np.empty(0)


class ComparedPaths:
    """This run's path and the compared runs of a `pg.PlotWidget` view."""

    compare_dots = False  # whether a short compared path also shows its points

    def _init_compared(self) -> None:
        self._compare_items: list[pg.PlotDataItem] = []
        self._compare_paths: list[tuple[np.ndarray, np.ndarray]] = []
        self._compare_keys: list[Key] = []

    def _path_xy(self) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def set_compare(self, paths) -> None:
        """Other runs as ``(label, colour, x, y)``, each in its colour, with a legend in
        the band above the plot (never over it), this run first."""
        plot = self.getPlotItem()
        for item in self._compare_items:
            plot.removeItem(item)
        self._init_compared()
        for label, col, x, y in paths:
            x, y = as_float(x), as_float(y)
            n = finite_prefix(x, y)
            self._compare_paths.append((x[:n], y[:n]))
            qc = palette.colour(col)
            dots = {"symbol": "o", "symbolSize": 5, "symbolPen": None, "symbolBrush": qc}
            item = pg.PlotDataItem(pen=pg.mkPen(qc, width=1), connect="finite",
                                   name=str(label),
                                   **(dots if self.compare_dots and n <= MAX_PATH_DOTS else {}))
            item.setZValue(COMPARE_Z)  # under this run's path
            plot.addItem(item, ignoreBounds=True)
            self._compare_items.append(item)
            self._compare_keys.append(Key(str(label), qc))
        self._set_keys()
        self._draw_compare()

    def clear_compare(self) -> None:
        self.set_compare([])

    def path_data(self) -> tuple[np.ndarray, np.ndarray]:
        """The run's path as drawn (thinned and cut like the screen's), pieces joined."""
        return self._path.getData()

    @property
    def exit_text(self) -> str:
        """What the marker at the plot's edge says (empty while the path is on the plot)."""
        return self._exit.text

    def _set_keys(self) -> None:
        keys = [Key(THIS_RUN, QColor(palette.PATH), colours=tuple(step_shades(5)))]
        self.band.set_keys(keys + self._compare_keys if self._path_xy()[0].size else
                           self._compare_keys)

    def _pixel(self) -> tuple[float, float]:
        px = self.getPlotItem().getViewBox().viewPixelSize()
        return abs(px[0]), abs(px[1])

    def _thin(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What a line item gets for a whole path: long paths thinned to pixels, cut to the box."""
        if len(x) >= DEDUPE_FROM:
            x, y = thin_path(x, y, self._drawn_for, self._origin)
        return clip_polyline(x, y, self._box)

    def _draw_compare(self) -> None:
        self._drawn_for = self._pixel()
        for item, (x, y) in zip(self._compare_items, self._compare_paths, strict=True):
            item.setData(*self._thin(x, y))

    def _draw_marker(self, marker: PixelPoints, i: int | None) -> None:
        x, y = self._path_xy()
        k = row_index(i, len(x))
        if k is None:
            marker.setData(_NONE, _NONE)
        else:
            marker.setData(x[k : k + 1], y[k : k + 1])
