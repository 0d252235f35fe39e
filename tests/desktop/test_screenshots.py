"""Render the window for three problems and check the pictures show a surface and a path.

The PNGs land in the test's tmp_path (and in LRP_SHOTS_DIR, when set, to be looked at).
Checks are features, not pixels (fonts differ between machines): the contour
region holds several distinct hues of the colour map, and the path's and the
current point's colours are there.
"""

from __future__ import annotations

import colorsys

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPoint, QSettings
from PySide6.QtGui import QImage

from desktop.main_window import MainWindow
from desktop.settings import Settings

pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$")

def as_rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h, stride = image.width(), image.height(), image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * h)
    return raw.reshape(h, stride)[:, : 3 * w].reshape(h, w, 3).copy()


def hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])


def count_near(region: np.ndarray, colour: str, tol: int = 12) -> int:
    return int(np.sum(np.all(np.abs(region.astype(int) - hex_rgb(colour)) <= tol, axis=-1)))


def distinct_hues(region: np.ndarray, bins: int = 12, min_share: float = 0.005) -> int:
    """Hue bins (of saturated, not-too-dark pixels) that hold a visible share of the region."""
    flat = region.reshape(-1, 3)[::7] / 255.0
    hsv = np.array([colorsys.rgb_to_hsv(*p) for p in flat])
    coloured = hsv[(hsv[:, 1] > 0.15) & (hsv[:, 2] > 0.2)]
    if not len(coloured):
        return 0
    counts = np.bincount((coloured[:, 0] * bins).astype(int) % bins, minlength=bins)
    return int(np.sum(counts > min_share * len(flat)))


@pytest.mark.parametrize("problem", ["line-one-point", "rosenbrock", "and-gate"])
def test_screenshot_shows_the_surface_and_the_path(qtbot, tmp_path, problem, keep_shot):
    import pyqtgraph as pg

    from desktop.views import palette

    pg.setConfigOptions(antialias=False, imageAxisOrder="row-major")
    palette.apply_plot_theme()
    qs = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=Settings(qs), show_error=lambda *a: pytest.fail(str(a)))
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    qtbot.waitUntil(lambda: w.model.started, timeout=30_000)  # the first run plays
    combo = w.panels.problem.combo
    combo.setCurrentIndex(combo.findData(problem))
    m = w.model
    qtbot.waitUntil(lambda: m.idle() and m.insight.surface is not None
                    and not w.runtime.clock.running and m.insight.presets is not None,
                    timeout=30_000)
    qtbot.waitUntil(lambda: w.strip.presets["just-right"].isEnabled(), timeout=30_000)
    pixmap = w.grab()
    path = tmp_path / f"{problem}.png"
    assert pixmap.save(str(path))
    keep_shot(path, f"{problem}.png")

    rgb = as_rgb(pixmap.toImage())
    view = w.plots.contour
    top_left = view.mapTo(w, QPoint(0, 0))
    ratio = pixmap.devicePixelRatio()
    x0, y0 = int(top_left.x() * ratio), int(top_left.y() * ratio)
    region = rgb[y0 : y0 + int(view.height() * ratio), x0 : x0 + int(view.width() * ratio)]
    assert region.size > 0
    assert distinct_hues(region) >= 3, "the contour region should show the colour map"
    assert count_near(region, palette.PATH) > 30, "the path should be drawn"
    assert count_near(region, palette.CURRENT, tol=30) > 10, "the current point should show"
    w.close()
