"""Named colours and the plot theme shared by every view (and the preset buttons).

Light theme: users export plots into notes and slides, where a white page is
the norm. The surface colour map is a pastel (white-blended) viridis, so the
saturated path, preset and compare colours stay readable on top of it; the
same colours sit on the white background of the loss and sweep plots.

Colours are hex strings, so panels can put them into style sheets
(``f"background: {PRESET_COLOURS['too-big']}"``) and plots into ``pg.mkPen``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

# too small / just right / too big: the usual cold-good-hot reading
PRESET_COLOURS: dict[str, str] = {
    "too-small": "#1f77b4",
    "just-right": "#2ca02c",
    "too-big": "#d62728",
}
PRESET_LABELS: dict[str, str] = {
    "too-small": "too small",
    "just-right": "just right",
    "too-big": "too big",
}

BACKGROUND = "#ffffff"
FOREGROUND = "#000000"
PATH = "#000000"  # the current run's trajectory and loss curve
CURRENT = "#ff7f0e"  # the newest point: orange is absent from the surface map
START = "#e6007e"  # the draggable start marker
MINIMUM = "#ffffff"  # minima: white star with a black outline, visible on any map colour
MINIMUM_EDGE = "#000000"
HIGHLIGHT = "#00b3d6"  # the row selected in the step table
ISOLINE = (255, 255, 255, 150)  # light: the dark path must stand out from the iso-lines
TOLERANCE = "#7f7f7f"
STABILITY = "#9467bd"  # the 2/λmax line on the sweep plot
DIVERGED = "#d62728"
SURFACE_CURVE = "#5a5a5a"  # loss over the parameter in the 1-D view

# compare runs: presets first (same colours as their buttons), then extras
COMPARE: list[str] = [
    PRESET_COLOURS["too-small"],
    PRESET_COLOURS["just-right"],
    PRESET_COLOURS["too-big"],
    "#9467bd",
    "#8c564b",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
]

# viridis with 35% white mixed in, at 32 evenly spaced stops: white enough that thin
# dark and saturated lines stay readable on the darkest (lowest-loss) colour, little
# enough that the low-to-high ordering is still obvious. Written out rather than
# read from pyqtgraph's viridis file and mixed at start-up (4 ms before the first
# paint); between the stops the map is within 2/255 of the mixed 256-colour viridis
# (a test computes both)
SURFACE_WHITE_MIX = 0.35
SURFACE_STOPS = (
    "#855a90", "#876298", "#88699f", "#8870a5", "#8777aa", "#867eae", "#8484b1", "#828ab3",
    "#7f90b4", "#7c96b5", "#7a9bb6", "#77a0b6", "#75a5b6", "#73aab6", "#71afb6", "#6fb5b5",
    "#6eb9b4", "#6dbfb2", "#6ec3b0", "#71c9ae", "#77cdaa", "#7fd2a6", "#88d7a1", "#93db9b",
    "#9edf94", "#abe28c", "#b9e584", "#c7e87b", "#d5ea72", "#e3ec6a", "#f1ee6a", "#feef71",
)


def colour(value: str | int | tuple[int, ...] | QColor) -> QColor:
    """A QColor from a preset key ("too-big"), a compare index, a hex string or RGB(A)."""
    if isinstance(value, str) and value in PRESET_COLOURS:
        return QColor(PRESET_COLOURS[value])
    if isinstance(value, int | np.integer):
        return QColor(COMPARE[int(value) % len(COMPARE)])
    return pg.mkColor(value)


def surface_colormap() -> pg.ColorMap:
    """Pastel viridis for the log-loss map (low loss dark, high loss light)."""
    return pg.ColorMap(np.linspace(0.0, 1.0, len(SURFACE_STOPS)), list(SURFACE_STOPS),
                       name="lrp-surface")


def apply_plot_theme() -> None:
    """White background, black axes and text for every plot created afterwards.

    Call once before creating any pyqtgraph widget (``app.py`` does); pyqtgraph
    reads these options when a widget is built, not when it paints.
    """
    pg.setConfigOptions(background=BACKGROUND, foreground=FOREGROUND)
