"""The plots and the step table: the data handed to plot items, signals, one screenshot each.

Checks read what the items were given (``getData()``, image levels, rects),
not pixels; each view has one screenshot test that counts colours and
non-background pixels, so fonts and DPI can differ between machines.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from pyqtgraph import functions as fn
from PySide6.QtCore import QModelIndex, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QHeaderView

import core
from core.numfmt import format_compact
from core.run.table import StepTable
from desktop.views import (
    ContourView,
    LineView,
    LossView,
    StepTableModel,
    StepTableView,
    SweepView,
    palette,
)
from desktop.views._arrays import clip_polyline, drop_same_pixel, nice_ceil, peak_reduce
from desktop.views._axes import ReadableAxis
from desktop.views._compared import THIS_RUN
from desktop.views._growing import GrowingRows, PathThinner, PeakReducer, thin_path
from desktop.views.colour_scale import colour_scale, percentile
from desktop.views.contour_view import isolines
from desktop.views.loss_view import LINEAR_LABEL, LOG_LABEL
from desktop.views.sweep_view import DEFAULT_X_RANGE, DIVERGED_LABEL


# ---------------------------------------------------------------- helpers
def quadratic_grid(n: int = 81, m: int = 61):
    xs = np.linspace(-2.0, 2.0, n)
    ys = np.linspace(-1.0, 2.0, m)
    X, Y = np.meshgrid(xs, ys)  # Z[j, i] = loss(xs[i], ys[j])
    return xs, ys, X**2 + 4.0 * Y**2


def rosenbrock_grid(n: int = 200):
    xs = np.linspace(-2.0, 2.0, n)
    ys = np.linspace(-1.0, 3.0, n)
    X, Y = np.meshgrid(xs, ys)
    return xs, ys, (1 - X) ** 2 + 100 * (Y - X**2) ** 2


def gd_path(start=(-1.5, 2.0), lr=1e-3, steps=400):
    p = np.array(start, dtype=float)
    rows = [p.copy()]
    for _ in range(steps):
        g = np.array([-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2), 200 * (p[1] - p[0] ** 2)])
        p = p - lr * g
        rows.append(p.copy())
    path = np.array(rows)
    return path[:, 0], path[:, 1]


def path_dots(view) -> tuple[np.ndarray, np.ndarray]:
    """The dots of a view's path."""
    return view._path.dots.getData()


def pixels(widget) -> np.ndarray:
    """The widget as an (h, w, 3) uint8 array."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    h, w, stride = image.height(), image.width(), image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=h * stride).reshape(h, stride)
    return raw[:, : w * 3].reshape(h, w, 3).copy()


def save_shot(widget, path: Path) -> np.ndarray:
    assert widget.grab().toImage().save(str(path))
    return pixels(widget)


def colour_share(rgb: np.ndarray, hex_colour: str, tol: int = 40) -> int:
    target = np.array(palette.colour(hex_colour).getRgb()[:3])
    return int(np.count_nonzero(np.abs(rgb.astype(int) - target).max(axis=2) <= tol))


# QTest reports mouse events the receiving widget leaves unaccepted; the
# QGraphicsView viewport does so by design (the scene handles them), so the
# mouse tests ignore exactly that message


def scene_to_viewport(view, scene_pt: QPointF) -> QPoint:
    return view.mapFromScene(scene_pt)


def data_to_viewport(view, x: float, y: float) -> QPoint:
    vb = view.getPlotItem().getViewBox()
    return view.mapFromScene(vb.mapViewToScene(QPointF(x, y)))


def viewport_pixel_size(view) -> tuple[float, float]:
    px = view.getPlotItem().getViewBox().viewPixelSize()
    return abs(px[0]), abs(px[1])


@pytest.fixture
def show(qtbot):
    def _show(widget, w: int = 640, h: int = 480):
        qtbot.addWidget(widget)
        widget.resize(w, h)
        widget.show()
        qtbot.waitExposed(widget)
        return widget

    return _show


@pytest.fixture
def contour(qtbot, show):
    view = show(ContourView())
    xs, ys, Z = quadratic_grid()
    view.set_surface(xs, ys, Z, np.geomspace(0.05, 10, 8), ("a", "b"), [(0.0, 0.0)])
    return view


# ---------------------------------------------------------------- contour view
def test_contour_image_levels_match_colour_bar_and_are_finite(contour):
    xs, ys, Z = quadratic_grid()
    C, levels, signed, zmin, _, _ = colour_scale(Z)
    assert not signed
    img = contour._image
    assert np.allclose(img.getLevels(), levels)
    assert np.allclose(contour._bar.levels(), img.getLevels())
    assert np.all(np.isfinite(img.getLevels())) and levels[0] < levels[1]
    assert img.image.shape == (len(ys), len(xs))  # row-major: Z[y, x]
    np.testing.assert_array_equal(img.image, C)
    assert zmin == Z.min()
    # the darkest colour is the grid minimum, brighter goes with higher loss
    assert np.unravel_index(np.argmin(C), C.shape) == np.unravel_index(np.argmin(Z), Z.shape)


def test_contour_pixels_are_centred_on_grid_points_even_after_a_new_shape(contour):
    xs, ys, _ = quadratic_grid()
    img = contour._image
    first = img.mapToParent(QPointF(0.5, 0.5))
    last = img.mapToParent(QPointF(len(xs) - 0.5, len(ys) - 0.5))
    assert (first.x(), first.y()) == pytest.approx((xs[0], ys[0]))
    assert (last.x(), last.y()) == pytest.approx((xs[-1], ys[-1]))
    # a new grid of another shape: setRect must be re-applied after setImage
    xs2, ys2 = np.linspace(0.0, 10.0, 11), np.linspace(-5.0, 5.0, 31)
    Z2 = np.add.outer(ys2**2, xs2)
    contour.set_surface(xs2, ys2, Z2, [1.0, 5.0], ("u", "v"), [])
    p = img.mapToParent(QPointF(3.5, 7.5))  # pixel (i=3, j=7)
    assert (p.x(), p.y()) == pytest.approx((xs2[3], ys2[7]))
    x_range, y_range = contour.getPlotItem().getViewBox().viewRange()
    assert x_range == pytest.approx([-0.5, 10.5])
    assert y_range == pytest.approx([-5 - 1 / 6, 5 + 1 / 6])


def test_contour_refuses_uneven_grids(contour):
    xs, ys, Z = quadratic_grid()
    with pytest.raises(ValueError, match="evenly spaced"):
        contour.set_surface(xs**3, ys, Z, [1.0], ("a", "b"), [])
    with pytest.raises(ValueError, match="evenly spaced"):
        contour.set_surface(xs[::-1], ys, Z, [1.0], ("a", "b"), [])


def test_contour_isolines_are_one_nan_separated_curve_on_the_levels(contour):
    x, y = contour._iso.getData()
    assert len(x) > 0
    nan_x, nan_y = np.isnan(x), np.isnan(y)
    np.testing.assert_array_equal(nan_x, nan_y)  # separators are whole rows
    assert np.all(np.isfinite(x[~nan_x])) and np.all(np.isfinite(y[~nan_y]))
    assert nan_x.any()  # several levels -> several pieces
    assert contour._iso.opts["connect"] == "finite"
    # on the ellipses x^2 + 4 y^2 = level: the lines lie where the colours say
    loss = x[~nan_x] ** 2 + 4 * y[~nan_y] ** 2
    levels = np.geomspace(0.05, 10, 8)
    nearest = levels[np.argmin(np.abs(loss[:, None] - levels[None, :]), axis=1)]
    assert np.allclose(loss, nearest, rtol=0.05, atol=0.01)


def test_isolines_equal_contourpys_own_generator_with_the_bad_cells_masked():
    # the view builds contourpy's generator itself (no numpy.ma); the lines must be the
    # ones contourpy's documented entry point draws from a masked surface
    import contourpy

    rng = np.random.default_rng(3)
    xs, ys = np.linspace(-2, 2, 61), np.linspace(-1, 3, 51)
    X, Y = np.meshgrid(xs, ys)
    levels = np.geomspace(0.5, 1000, 9)
    for holes in (False, True):
        Z = (1 - X) ** 2 + 100 * (Y - X**2) ** 2 + rng.normal(size=X.shape)
        if holes:
            Z[rng.random(Z.shape) < 0.05] = np.nan
            Z[3, 4] = np.inf
        x, y = isolines(xs, ys, Z, levels)
        gen = contourpy.contour_generator(xs, ys, np.ma.masked_invalid(Z),
                                          line_type=contourpy.LineType.ChunkCombinedNan)
        pieces = [p for (chunks,) in gen.multi_lines(levels) for p in chunks
                  if p is not None and len(p)]
        expected = np.concatenate([np.vstack([p, [[np.nan, np.nan]]]) for p in pieces])[:-1]
        np.testing.assert_array_equal(np.column_stack([x, y]), expected)


def test_the_surface_colours_are_pastel_viridis_within_two_levels_of_256():
    # the map's stops are written out; they must be pyqtgraph's viridis with the
    # stated share of white, and the map between them close to the full 256 colours
    viridis = pg.colormap.get("viridis")
    mix = palette.SURFACE_WHITE_MIX
    full = (1 - mix) * viridis.getLookupTable(nPts=256, alpha=False).astype(float) + mix * 255
    ours = palette.surface_colormap().getLookupTable(nPts=256, alpha=False).astype(float)
    assert np.abs(ours - full).max() <= 2.0
    stops = np.linspace(0.0, 1.0, len(palette.SURFACE_STOPS))
    at_stops = (1 - mix) * viridis.map(stops, mode="float")[:, :3] * 255 + mix * 255
    written = np.array([[int(h[i:i + 2], 16) for i in (1, 3, 5)] for h in palette.SURFACE_STOPS])
    assert np.abs(written - at_stops).max() <= 0.5  # each stop rounded, nothing else
    assert written[0].sum() < written[-1].sum()  # low loss dark, high loss light


def test_colour_scale_percentile_is_numpys_to_the_last_bit():
    rng = np.random.default_rng(0)
    for n in [*range(1, 40), 1000, 161 * 161]:
        for q in (0.0, 0.5, 37.3, 50.0, 99.0, 99.5, 100.0):
            values = rng.standard_normal(n) * rng.choice([1e-8, 1.0, 1e8])
            assert percentile(values, q) == float(np.percentile(values, q)), (n, q)


# a popup menu on the offscreen platform: Qt warns that it cannot raise it or grab keys
@pytest.mark.qt_log_ignore(r"^This plugin does not support (raise\(\)|grabbing the keyboard)$",
                           r"^Mouse event \"Mouse(Press|Release)\" not accepted")
def test_a_plots_zoom_menu_is_built_at_the_first_right_click_and_knows_the_view(qtbot, contour):
    box = contour.getPlotItem().getViewBox()
    assert box.menu is None and box.menuEnabled()  # on, not yet built
    box.setXRange(-0.5, 0.25, padding=0)
    centre = contour.mapFromScene(box.mapToScene(box.boundingRect().center()))
    qtbot.mouseClick(contour.viewport(), Qt.MouseButton.RightButton, pos=centre)
    menu = box.menu
    assert menu is not None and menu.isVisible()
    assert "View All" in [a.text() for a in menu.actions()]
    # the menu built late still shows the range set before it existed
    assert float(menu.ctrl[0].minText.text()) == pytest.approx(-0.5)
    menu.close()
    box.setMenuEnabled(False)
    assert box.menu is None and box.getContextMenus(None) == []


def test_the_surface_is_kept_as_a_pixmap_once_it_has_been_painted(qtbot):
    from PySide6.QtWidgets import QGraphicsItem

    view = ContourView()
    qtbot.addWidget(view)
    xs, ys, Z = quadratic_grid()
    view.set_surface(xs, ys, Z, np.geomspace(0.05, 10, 8), ("a", "b"), [(0.0, 0.0)])
    items = (view._image, view._iso)
    none, pixmap = QGraphicsItem.CacheMode.NoCache, QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert [i.cacheMode() for i in items] == [none, none]  # the first paint draws them directly
    view.resize(400, 300)
    view.show()
    qtbot.waitUntil(lambda: [i.cacheMode() for i in items] == [pixmap, pixmap], timeout=5000)


def test_contour_axes_named_by_parameters_and_minimum_marked(contour):
    plot = contour.getPlotItem()
    assert plot.getAxis("bottom").labelText == "a"
    assert plot.getAxis("left").labelText == "b"
    mx, my = contour._minima.getData()
    assert list(mx) == [0.0] and list(my) == [0.0]


def test_contour_negative_and_infinite_losses_make_sane_levels(show):
    view = show(ContourView())
    xs, ys = np.linspace(-1, 1, 41), np.linspace(-1, 1, 41)
    X, Y = np.meshgrid(xs, ys)
    Z = X**2 - Y**2  # saddle: negative losses
    Z[0, 0] = np.inf
    Z[1, 1] = np.nan
    view.set_surface(xs, ys, Z, np.linspace(-0.8, 0.8, 9), ("x", "y"), [])
    scale = view.colour_scale
    assert scale.signed  # a signed log: zero in the middle of the map, not at one end
    finite = np.isfinite(Z)
    np.testing.assert_allclose(
        np.sinh(scale.values[finite] * np.log(10)) * scale.scale, Z[finite], rtol=1e-9, atol=1e-12
    )
    assert [label for _, label in scale.ticks()].count("0") == 1
    img = view._image.image
    assert not np.isinf(img).any()  # inf became NaN: transparent, not a broken scale
    assert np.isnan(img[0, 0]) and np.isnan(img[1, 1])
    lo, hi = view._image.getLevels()
    assert np.isfinite(lo) and np.isfinite(hi) and lo < hi
    assert view._bar.levels() == pytest.approx((lo, hi))
    x, _ = view._iso.getData()
    assert np.count_nonzero(np.isfinite(x)) > 0


@pytest.mark.parametrize("name", ["rosenbrock", "saddle", "himmelblau", "quadratic"])
def test_contour_draws_core_surfaces(show, name):
    surface_mod = pytest.importorskip("core.analysis.surface")
    problem = core.get_problem(name)
    (x0, x1), (y0, y1) = surface_mod.view_window(problem)
    xs, ys = np.linspace(x0, x1, 128), np.linspace(y0, y1, 96)
    Z = surface_mod.surface(problem, xs, ys)
    levels = surface_mod.contour_levels(Z, 12)
    view = show(ContourView())
    view.set_surface(xs, ys, Z, levels, problem.param_names, problem.minima)
    lo, hi = view._image.getLevels()
    assert np.isfinite(lo) and np.isfinite(hi) and lo < hi
    assert view._bar.levels() == pytest.approx((lo, hi))
    assert not np.isinf(view._image.image).any()
    ix, iy = view._iso.getData()
    assert np.isfinite(ix).sum() > 0
    finite = np.isfinite(ix)
    assert np.all((ix[finite] >= x0 - 1e-9) & (ix[finite] <= x1 + 1e-9))
    assert np.all((iy[finite] >= y0 - 1e-9) & (iy[finite] <= y1 + 1e-9))
    assert len(view._minima.getData()[0]) == len(problem.minima)


def test_contour_path_current_and_highlight(contour):
    x = np.array([1.5, 1.0, 0.5, 0.25, np.inf, 0.0])
    y = np.array([1.0, 0.5, 0.25, 0.1, 0.0, 0.0])
    contour.set_path(x, y)
    lx, ly = contour._path.getData()
    np.testing.assert_array_equal(lx, x[:4])  # cut at the first non-finite row
    np.testing.assert_array_equal(ly, y[:4])
    dx, _ = path_dots(contour)
    assert len(dx) == 4
    contour.set_current(-1)
    assert [tuple(p) for p in zip(*contour._current_marker.getData(), strict=True)] == [(0.25, 0.1)]
    contour.set_highlight(1)
    assert [tuple(p) for p in zip(*contour._highlight_marker.getData(), strict=True)] == [
        (1.0, 0.5)
    ]
    contour.set_highlight(None)
    assert len(contour._highlight_marker.getData()[0]) == 0
    contour.set_current(99)  # beyond the path: nothing highlighted, nothing raised
    assert len(contour._current_marker.getData()[0]) == 0
    assert (contour._start.pos().x(), contour._start.pos().y()) == (1.5, 1.0)


def test_contour_diverging_path_keeps_the_window(contour):
    before = contour.getPlotItem().getViewBox().viewRange()
    k = np.arange(40.0)
    x = 0.5 * (-1.9) ** k  # too big: zig-zags out to ~1e11
    y = 0.3 * (-1.7) ** k
    contour.set_path(x, y)
    contour.repaint()
    assert contour.getPlotItem().getViewBox().viewRange() == before
    lx, ly = contour._path.getData()
    finite = np.isfinite(lx)
    # within CLIP_WINDOWS (100) window sizes of the window (4.05 x 3.05 with half pixels)
    assert np.all(np.abs(lx[finite]) <= 2.03 + 100 * 4.05)
    assert np.all(np.abs(ly[finite]) <= 2.03 + 100 * 3.05)
    assert finite.sum() > 20  # segments that cross the window are still drawn


def test_clip_polyline_keeps_directions_of_segments_that_cross_the_box():
    x, y = np.array([-1e9, 1e9]), np.array([-1e9, 1e9])
    cx, cy = clip_polyline(x, y, (-1.0, 1.0, -2.0, 2.0))
    assert list(cx[:2]) == pytest.approx([-1.0, 1.0]) and list(cy[:2]) == pytest.approx([-1.0, 1.0])
    inside_x, inside_y = np.array([0.0, 0.5]), np.array([0.0, 0.5])
    assert clip_polyline(inside_x, inside_y, (-1, 1, -1, 1))[0] is inside_x


def test_peak_reduce_keeps_every_extreme_and_both_ends():
    x = np.arange(100_001, dtype=float)
    y = np.sin(x / 300.0)
    y[4242] = 7.0
    y[77_777] = -7.0
    rx, ry = peak_reduce(x, y, -np.inf, np.inf, 500)
    assert rx.size <= 2 * 500 + 3
    assert ry.max() == 7.0 and ry.min() == -7.0
    assert (rx[0], rx[-1], ry[-1]) == (0.0, 100_000.0, y[-1])
    rx, ry = peak_reduce(x, y, 10.0, 20.0, 500)  # few points visible: all of them
    np.testing.assert_array_equal(rx, x[9:22])


def test_drop_same_pixel_keeps_the_shape_of_a_converging_path():
    t = np.arange(50_000, dtype=float)
    x, y = np.exp(-t / 500) * np.cos(t / 10), np.exp(-t / 500) * np.sin(t / 10)
    tx, ty = drop_same_pixel(x, y, (0.01, 0.01))
    assert tx.size < 5_000  # the tail spins inside one pixel
    assert (tx[0], ty[0], tx[-1], ty[-1]) == (x[0], y[0], x[-1], y[-1])
    # every dropped point shares a pixel with the point before it
    kept = np.isin(x, tx)
    dropped = np.flatnonzero(~kept)
    assert np.all(np.floor(x[dropped] / 0.01) == np.floor(x[dropped - 1] / 0.01))


def test_nice_ceil_steps():
    assert [nice_ceil(v) for v in (1.0, 1.2, 2.5, 999.0, 1001.0)] == [1.0, 1.5, 3.0, 1000.0, 1500.0]


def test_contour_long_paths_are_thinned_to_pixels(contour):
    t = np.arange(100_000, dtype=float)
    x, y = 1.5 * np.exp(-t / 2000) * np.cos(t / 40), 0.5 + np.exp(-t / 2000) * np.sin(t / 40)
    contour.set_path(x, y)
    contour.set_compare([("pinned", 3, x, y)])
    lx, _ = contour._path.getData()
    cx, _ = contour._compare_items[0].getData()
    # the run in pieces of consecutive steps (its shades), the compared one whole
    assert 100 < lx.size < 20_000 and 100 < cx.size < 20_000
    assert len(path_dots(contour)[0]) == 0  # too many steps for dots
    contour.set_current(-1)
    assert contour._current_marker.getData()[0][0] == x[-1]  # markers use the full path


def test_contour_compare_paths_with_legend(contour):
    contour.set_path([1.5, 1.0], [1.0, 0.5])
    contour.set_compare(
        [
            ("too small", "too-small", [0, 0.1], [0, 0.1]),
            ("too big", "#d62728", [1, -1, 2], [1, -1, 0.5]),
        ]
    )
    items = contour._compare_items
    assert [i.name() for i in items] == ["too small", "too big"]
    assert items[0].opts["pen"].color().name() == palette.PRESET_COLOURS["too-small"]
    keys = contour.band.keys
    assert [k.text for k in keys] == [THIS_RUN, "too small", "too big"]
    assert keys[1].colour.name() == palette.PRESET_COLOURS["too-small"]
    contour.clear_compare()
    assert contour._compare_items == []
    assert [k.text for k in contour.band.keys] == [THIS_RUN]  # the shading's key


@pytest.mark.qt_log_ignore(r'Mouse event "Mouse(Press|Release)" not accepted')
def test_dragging_the_start_point_emits_data_coordinates(qtbot, contour):
    contour.set_path([1.0, 0.5], [1.0, 0.5])
    start = data_to_viewport(contour, 1.0, 1.0)
    end = start + QPoint(-60, 40)
    expected = contour.getPlotItem().getViewBox().mapSceneToView(contour.mapToScene(end))
    viewport = contour.viewport()
    with qtbot.waitSignal(contour.startMoved, timeout=2000) as blocker:
        qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
        for step in range(1, 7):
            qtbot.mouseMove(viewport, start + (end - start) * (step / 6))
        qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    sx, sy = viewport_pixel_size(contour)
    x, y = blocker.args
    assert x == pytest.approx(expected.x(), abs=2 * sx)
    assert y == pytest.approx(expected.y(), abs=2 * sy)
    assert x < 1.0 and y < 1.0


@pytest.mark.qt_log_ignore(r'Mouse event "Mouse(Press|Release)" not accepted')
def test_click_on_empty_plot_area_emits_data_coordinates(qtbot, contour):
    target = data_to_viewport(contour, -1.2, 0.8)
    with qtbot.waitSignal(contour.clicked, timeout=2000) as blocker:
        qtbot.mouseClick(contour.viewport(), Qt.MouseButton.LeftButton, pos=target)
    sx, sy = viewport_pixel_size(contour)
    assert blocker.args[0] == pytest.approx(-1.2, abs=2 * sx)
    assert blocker.args[1] == pytest.approx(0.8, abs=2 * sy)


@pytest.mark.qt_log_ignore(r'Mouse event "Mouse(Press|Release)" not accepted')
def test_click_on_the_colour_bar_is_not_a_plot_click(qtbot, contour):
    bar_centre = scene_to_viewport(contour, contour._bar.sceneBoundingRect().center())
    with qtbot.assertNotEmitted(contour.clicked):
        qtbot.mouseClick(contour.viewport(), Qt.MouseButton.LeftButton, pos=bar_centre)


def test_contour_screenshot(qtbot, show, shot_dir, keep_shot):
    view = show(ContourView(), 700, 520)
    xs, ys, Z = rosenbrock_grid()
    view.set_surface(xs, ys, Z, np.geomspace(0.1, 2000, 12), ("a", "b"), [(1.0, 1.0)])
    x, y = gd_path()
    view.set_path(x, y)
    view.set_current(-1)
    view.set_highlight(150)
    rgb = save_shot(view, shot_dir / "contour.png")
    keep_shot(shot_dir / "contour.png")
    distinct = len(np.unique(rgb.reshape(-1, 3), axis=0))
    assert distinct > 100  # a colour map, not a flat fill
    not_white = np.any(rgb < 245, axis=2).mean()
    assert not_white > 0.6
    assert colour_share(rgb, palette.CURRENT, tol=30) > 20  # the current point
    assert colour_share(rgb, palette.START, tol=30) > 10  # the start marker
    assert colour_share(rgb, palette.HIGHLIGHT, tol=30) > 10  # the selected row's ring


# ---------------------------------------------------------------- loss view
@pytest.fixture
def loss_view(show):
    return show(LossView())


def test_loss_log_axis_clips_non_positive_and_says_so(loss_view):
    steps = np.arange(6.0)
    loss = np.array([4.0, 1.0, 0.25, 0.0, -1e-3, 0.01])
    loss_view.set_loss(steps, loss, tolerance=1e-2, log=True)
    x, y = loss_view._curve.getOriginalDataset()  # what the item holds; it maps log10 itself
    np.testing.assert_array_equal(x, steps)
    np.testing.assert_array_equal(y, [4.0, 1.0, 0.25, 0.01, 0.01, 0.01])
    np.testing.assert_allclose(loss_view._curve.getData()[1], np.log10(y))
    assert loss_view._curve.opts["logMode"] == [False, True]
    assert loss_view.getPlotItem().getAxis("left").labelText == LOG_LABEL
    assert loss_view._tolerance_line.value() == pytest.approx(-2.0)
    assert loss_view._tolerance_line.isVisible()


def test_loss_linear_axis_shows_raw_values(loss_view):
    steps, loss = np.arange(4.0), np.array([2.0, 0.0, -1.0, 0.5])
    loss_view.set_loss(steps, loss, tolerance=0.25, log=False)
    np.testing.assert_array_equal(loss_view._curve.getOriginalDataset()[1], loss)
    assert loss_view.getPlotItem().getAxis("left").labelText == LINEAR_LABEL
    assert loss_view._tolerance_line.value() == pytest.approx(0.25)
    loss_view.set_log(True)
    assert loss_view._tolerance_line.value() == pytest.approx(np.log10(0.25))
    loss_view.set_loss(steps, loss, tolerance=None, log=True)
    assert not loss_view._tolerance_line.isVisible()

def test_validation_curve_is_drawn_with_the_training_curve(loss_view):
    steps = np.arange(5.0)
    loss, val = np.array([4.0, 2.0, 1.0, 0.5, 0.25]), np.array([5.0, 3.0, 2.0, 1.5, 1.25])
    loss_view.set_validation(steps, val)
    loss_view.set_loss(steps, loss, tolerance=None, log=False)
    np.testing.assert_array_equal(loss_view._val_curve.getOriginalDataset()[1], val)
    np.testing.assert_array_equal(loss_view._curve.getOriginalDataset()[1], loss)
    # the next run has none: both curves follow it, and the key says so
    loss_view.set_validation(None, None)
    loss_view.set_loss(steps[:3], loss[:3], tolerance=None, log=False)
    assert loss_view._val_curve.getOriginalDataset()[1] is None or \
        loss_view._val_curve.getOriginalDataset()[1].size == 0
    np.testing.assert_array_equal(loss_view._curve.getOriginalDataset()[1], loss[:3])
    assert "validation" not in [k.text for k in loss_view.band.keys]



def test_loss_curve_is_set_up_for_a_million_points(loss_view):
    curve = loss_view._curve
    assert curve.opts["clipToView"] and curve.opts["autoDownsample"]
    assert curve.opts["downsampleMethod"] == "peak"
    assert curve.opts["pen"].width() <= 1
    assert curve.opts["antialias"] is False
    steps = np.arange(1_000_000, dtype=float)
    loss = 1.0 / (1.0 + steps)
    loss[123_457] = 1e-9  # a spike one step wide must survive the reduction
    loss_view.set_loss(steps, loss, tolerance=1e-4, log=True)
    loss_view.repaint()
    x, y = curve.getOriginalDataset()
    assert x.size < 4 * loss_view.width()  # a min and a max per pixel column, not a million
    assert y.min() == 1e-9 and y.max() == 1.0
    assert x[0] == 0 and x[-1] == 999_999 and y[-1] == loss[-1]
    assert len(loss_view._steps) == 1_000_000
    # zoomed in: the visible steps are reduced again, finer
    loss_view.getPlotItem().setXRange(1000, 1100, padding=0)
    x, _ = curve.getOriginalDataset()
    assert x[0] <= 1000 and x[-1] >= 1100 and x.size <= 110


def test_loss_cut_at_first_non_finite_row_and_markers(loss_view):
    steps = np.arange(8.0)
    loss = np.array([1.0, 0.5, 0.3, 2.0, 40.0, np.inf, np.nan, 1.0])
    loss_view.set_loss(steps, loss, tolerance=None, log=True)
    assert len(loss_view._curve.getOriginalDataset()[0]) == 5
    loss_view.set_current(4)
    assert loss_view._current_line.value() == 4 and loss_view._current_line.isVisible()
    loss_view.set_highlight(2)
    assert loss_view._highlight_line.value() == 2
    hx, hy = loss_view._highlight_dot.getData()
    assert list(hx) == [2.0] and hy[0] == pytest.approx(np.log10(0.3))
    loss_view.set_highlight(None)
    assert not loss_view._highlight_line.isVisible()


def test_loss_compare_curves_follow_the_log_axis(loss_view):
    steps = np.arange(5.0)
    loss_view.set_loss(steps, np.ones(5), None, True)
    loss_view.set_compare(
        [
            ("too small", "too-small", steps, [1, 0.9, 0.8, 0.7, 0.6]),
            ("too big", 2, steps[:3], [1, 10, 0]),
        ]
    )
    a, b = loss_view._compare_items
    assert a.opts["logMode"] == [False, True]
    np.testing.assert_array_equal(
        b.getOriginalDataset()[1], [1, 10, 1]
    )  # clipped to its smallest positive
    assert b.opts["pen"].color().name() == palette.COMPARE[2]
    assert [k.text for k in loss_view.band.keys] == ["this run", "too small", "too big"]
    assert loss_view.band.keys[2].colour.name() == palette.COMPARE[2]
    loss_view.set_log(False)
    np.testing.assert_array_equal(b.getOriginalDataset()[1], [1, 10, 0])
    loss_view.clear_compare()
    assert loss_view._compare_items == [] and loss_view.band.keys == []


def test_loss_screenshot(show, shot_dir, keep_shot):
    view = show(LossView(), 600, 360)
    steps = np.arange(3000.0)
    view.set_loss(steps, 10 * np.exp(-steps / 400) + 1e-4, tolerance=1e-2, log=True)
    view.set_current(2500)
    view.set_compare([("too small", "too-small", steps, 10 * np.exp(-steps / 4000))])
    rgb = save_shot(view, shot_dir / "loss.png")
    keep_shot(shot_dir / "loss.png")
    assert np.any(rgb < 128, axis=2).mean() > 0.005  # axes, text and the curve
    assert colour_share(rgb, palette.CURRENT, tol=30) > 50  # the current-step line
    assert colour_share(rgb, palette.PRESET_COLOURS["too-small"], tol=30) > 50


# ---------------------------------------------------------------- line view
def test_line_view_ball_rolls_on_the_curve(show):
    view = show(LineView())
    ws = np.linspace(-1, 2, 101)
    view.set_curve(ws, (1.5 * ws - 1) ** 2, "w")
    assert view.getPlotItem().getAxis("bottom").labelText == "w"
    np.testing.assert_array_equal(view._curve.getData()[0], ws)
    w = np.array([0.3, 0.5, 0.6, 0.65])
    view.set_path(w, (1.5 * w - 1) ** 2)
    np.testing.assert_array_equal(view._path.getData()[0], w)
    view.set_current(-1)
    bx, by = view._ball.getData()
    assert list(bx) == [0.65] and by[0] == pytest.approx((1.5 * 0.65 - 1) ** 2)
    view.set_highlight(1)
    assert list(view._highlight_marker.getData()[0]) == [0.5]
    view.set_compare([("too big", "too-big", [0.3, 2.0], [0.3, 4.0])])
    assert [k.text for k in view.band.keys] == [THIS_RUN, "too big"]


def test_line_view_diverging_ball_keeps_the_axes(show):
    view = show(LineView())
    ws = np.linspace(-1, 2, 101)
    view.set_curve(ws, (1.5 * ws - 1) ** 2, "w")
    view.repaint()
    before = view.getPlotItem().getViewBox().viewRange()
    w = 0.6 + 0.5 * (-2.2) ** np.arange(30.0)
    view.set_path(w, (1.5 * w - 1) ** 2)
    view.set_current(-1)
    view.repaint()
    after = view.getPlotItem().getViewBox().viewRange()
    assert np.allclose(after, before)


def test_line_screenshot(show, shot_dir):
    view = show(LineView(), 600, 360)
    ws = np.linspace(-1, 2, 200)
    view.set_curve(ws, (1.5 * ws - 1) ** 2, "w")
    w = [0.3]
    for _ in range(20):
        w.append(w[-1] - 0.1 * 2 * (1.5 * w[-1] - 1) * 1.5)
    w = np.array(w)
    view.set_path(w, (1.5 * w - 1) ** 2)
    view.set_current(-1)
    rgb = save_shot(view, shot_dir / "line.png")
    assert np.any(rgb < 128, axis=2).mean() > 0.005
    assert colour_share(rgb, palette.CURRENT, tol=30) > 30  # the ball


# ---------------------------------------------------------------- sweep view
@pytest.fixture
def sweep(show):
    view = show(SweepView())
    lrs = np.geomspace(1e-4, 10, 41)
    final = np.where(lrs < 0.5, np.exp(-100 * lrs) + 1e-6, np.inf)
    final[3] = 0.0
    status = np.where(np.isfinite(final), "finished", "diverged")
    status[30] = "diverged"  # a diverged run with a finite (huge) last loss
    view.set_sweep(
        lrs,
        final,
        status,
        {"too-small": 1e-3, "just-right": 0.1, "too-big": 0.9},
        stability_limit=0.5,
        current_lr=0.05,
    )
    return view, lrs, final, status


def test_sweep_draws_diverged_runs_at_the_top(sweep):
    view, lrs, final, status = sweep
    diverged = (status == "diverged") | ~np.isfinite(final)
    x, y = view._curve.getOriginalDataset()
    np.testing.assert_array_equal(x, lrs[~diverged])
    assert np.all(y > 0) and np.all(np.isfinite(y))
    dx, dy = view._diverged.getOriginalDataset()
    np.testing.assert_array_equal(dx, lrs[diverged])
    assert np.all(dy == dy[0]) and dy[0] > y.max()
    assert view._curve.opts["logMode"] == [True, True]
    marks = {m.text: m for m in view.band.marks}
    bad = np.log10(lrs[diverged])
    assert marks[DIVERGED_LABEL].x == pytest.approx((bad.min() + bad.max()) / 2)  # mid-crosses
    assert marks[DIVERGED_LABEL].colour.name() == palette.DIVERGED


def test_sweep_lines_sit_at_log10_of_their_learning_rates(sweep):
    view = sweep[0]
    assert view.preset_lines["too-small"].value() == pytest.approx(-3.0)
    assert view.preset_lines["just-right"].value() == pytest.approx(-1.0)
    assert view.preset_lines["too-big"].value() == pytest.approx(np.log10(0.9))
    assert view.preset_lines["too-big"].pen.color().name() == palette.PRESET_COLOURS["too-big"]
    assert view.stability_line.value() == pytest.approx(np.log10(0.5))
    assert view.stability_line.pen.style() == Qt.PenStyle.DashLine
    assert view.current_line.value() == pytest.approx(np.log10(0.05))
    view.set_sweep([1e-3, 1e-2], [1.0, 0.5], ["finished", "finished"], {}, None, 1e-2)
    assert not view.stability_line.isVisible() and not view.preset_lines["too-big"].isVisible()


def test_sweep_current_lr_marker_moves_alone(sweep):
    view = sweep[0]
    before = view._curve.getOriginalDataset()[0]
    view.set_current_lr(0.2)
    assert view.current_line.value() == pytest.approx(np.log10(0.2))
    assert view._curve.getOriginalDataset()[0] is before
    view.set_current_lr(0.0)
    assert not view.current_line.isVisible()


@pytest.mark.qt_log_ignore(r'Mouse event "Mouse(Press|Release)" not accepted')
def test_sweep_click_picks_the_learning_rate_under_the_mouse(qtbot, sweep):
    view = sweep[0]
    view.repaint()
    target = data_to_viewport(view, np.log10(0.02), -2.0)
    with qtbot.waitSignal(view.lrPicked, timeout=2000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=target)
    sx, _ = viewport_pixel_size(view)
    assert np.log10(blocker.args[0]) == pytest.approx(np.log10(0.02), abs=2 * sx)


def test_sweep_screenshot(sweep, shot_dir):
    view = sweep[0]
    rgb = save_shot(view, shot_dir / "sweep.png")
    assert colour_share(rgb, palette.DIVERGED, tol=40) > 30  # crosses and the too-big line
    assert colour_share(rgb, palette.PRESET_COLOURS["just-right"], tol=40) > 30
    assert colour_share(rgb, palette.STABILITY, tol=40) > 10


# ---------------------------------------------------------------- step table
COLUMNS = ["step", "epoch", "lr", "a", "b", "loss", "grad_a", "grad_b", "grad_norm"]


def make_table(n: int) -> StepTable:
    table = StepTable(COLUMNS, capacity=max(n, 1))
    k = np.arange(n, dtype=float)
    table.append_columns(
        {
            "step": k,
            "epoch": k,
            "lr": 0.1,
            "a": 3.0 - k / 7,
            "b": 4.0 + k / 3,
            "loss": 1.0 / (1.0 + k),
            "grad_a": -k,
            "grad_b": k / 9,
            "grad_norm": k,
        },
        n,
    )
    return table


class CountingModel(StepTableModel):
    calls = 0

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        CountingModel.calls += 1
        return super().data(index, role)


def test_table_model_formats_display_tooltip_and_alignment():
    model = StepTableModel(make_table(10))
    assert model.rowCount() == 10 and model.columnCount() == len(COLUMNS)
    assert model.rowCount(model.index(0, 0)) == 0  # a flat table: no children
    assert model.headerData(2, Qt.Orientation.Horizontal) == "lr"
    step = model.index(3, COLUMNS.index("step"))
    a = model.index(3, COLUMNS.index("a"))
    assert model.data(step) == "3"
    assert model.data(a) == "2.57143"  # 3 - 3/7 to 6 significant figures
    assert model.data(a, Qt.ItemDataRole.ToolTipRole) == repr(3.0 - 3 / 7)
    align = Qt.AlignmentFlag(model.data(a, Qt.ItemDataRole.TextAlignmentRole))
    assert align & Qt.AlignmentFlag.AlignRight
    assert model.data(a, Qt.ItemDataRole.EditRole) is None
    assert model.data(a, Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(QModelIndex()) is None


def test_table_model_extend_to_inserts_rows_in_one_batch(qtbot):
    table = make_table(100)
    model = StepTableModel(make_table(0))
    model.set_table(table)
    assert model.rowCount() == 100
    table.append_block(make_table(50).block())
    with qtbot.waitSignal(
        model.rowsInserted,
        timeout=1000,
        check_params_cb=lambda parent, first, last: (first, last) == (100, 149),
    ):
        model.extend_to(150)
    assert model.rowCount() == 150
    model.extend_to(10_000)  # never beyond the table
    assert model.rowCount() == 150
    other = StepTable(["step", "loss"], capacity=2)
    other.append_columns({"step": np.arange(2.0), "loss": np.array([5.0, 4.0])}, 2)
    with qtbot.waitSignal(model.modelReset, timeout=1000):
        model.set_table(other)  # other columns: a reset
    assert model.rowCount() == 2 and model.column_names == ["step", "loss"]


def test_a_new_run_in_the_same_columns_replaces_the_rows_without_a_reset(qtbot):
    model = StepTableModel(make_table(100))
    a = COLUMNS.index("a")
    assert model.data(model.index(5, a)) == "2.28571"  # 3 - 5/7, cached as shown
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    shorter = make_table(3)
    shorter.append_columns({name: np.full(3, 9.0) for name in COLUMNS}, 3)  # rows 3..5
    with qtbot.waitSignals([model.rowsRemoved, model.dataChanged, model.tableReplaced],
                           timeout=1000):
        model.set_table(shorter)
    assert model.table is shorter and model.rowCount() == 6 and not resets
    assert model.data(model.index(5, a)) == "9"  # the new run's value, not the cached one
    assert model.longest_texts(a) == ["9"]  # the old run's texts are forgotten
    with qtbot.waitSignal(model.rowsInserted, timeout=1000,
                          check_params_cb=lambda parent, first, last: (first, last) == (6, 99)):
        model.set_table(make_table(100))
    assert model.rowCount() == 100 and not resets


def test_a_new_run_without_the_selected_row_keeps_the_users_choice(qtbot, show):
    model = StepTableModel(make_table(50))
    view = show(StepTableView(), 700, 400)
    view.setModel(model)
    picked: list[int] = []
    view.rowSelected.connect(picked.append)
    view.selectRow(40)
    assert picked[-1] == 40
    picked.clear()
    model.set_table(make_table(10))  # the selected row is gone: not a choice of the user's
    assert picked == [] and view.selected_rows() == []
    view.selectRow(3)
    assert picked[-1] == 3  # the user's own choices still come through


def test_a_million_rows_show_at_once_and_only_visible_cells_are_read(qtbot, show):
    table = make_table(1_000_000)
    model = CountingModel(table)
    view = show(StepTableView(), 700, 400)
    CountingModel.calls = 0
    view.setModel(model)
    assert model.rowCount() == 1_000_000
    qtbot.waitUntil(lambda: CountingModel.calls > 0, timeout=2000)  # painted
    view.viewport().repaint()
    assert CountingModel.calls < 20_000  # O(visible cells), not O(rows)
    assert view.verticalHeader().sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
    CountingModel.calls = 0
    view.scrollToBottom()
    view.viewport().repaint()
    assert CountingModel.calls < 20_000
    assert view.rowAt(view.viewport().height() - 2) > 999_000


def test_table_view_follows_the_newest_row(qtbot, show):
    table = make_table(20)
    model = StepTableModel(table)
    view = show(StepTableView(), 500, 300)
    view.setModel(model)
    view.set_follow(True)
    table.append_block(make_table(1980).block())
    assert model.rowCount() == 20  # the model shows only rows it was told about
    model.extend_to(2000)
    bar = view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum(), timeout=2000)
    view.set_follow(False)
    bar.setValue(0)
    table.append_block(make_table(10).block())
    model.extend_to(2010)
    assert bar.value() == 0


def test_table_selection_emits_row_selected(qtbot, show):
    view = show(StepTableView(), 500, 300)
    view.setModel(StepTableModel(make_table(50)))
    with qtbot.waitSignal(view.rowSelected, timeout=1000) as blocker:
        view.selectRow(7)
    assert blocker.args == [7]
    assert view.selected_rows() == [7]
    with qtbot.assertNotEmitted(view.rowSelected):
        view.show_row(12)
    assert view.selected_rows() == [12]
    with qtbot.waitSignal(view.rowSelected, timeout=1000) as blocker:
        view.clearSelection()
    assert blocker.args == [-1]
    view.selectRow(3)
    # a new run in the same columns keeps the selected row, without a signal
    with qtbot.assertNotEmitted(view.rowSelected):
        view.model().set_table(make_table(5))
    assert view.selected_rows() == [3]
    # another problem's run (a model reset) clears the selection without a signal
    other = StepTable(["step", "loss"], capacity=5)
    other.append_columns({"step": np.arange(5.0), "loss": np.ones(5)}, 5)
    with qtbot.assertNotEmitted(view.rowSelected):
        view.model().set_table(other)
    assert view.selected_rows() == []


# ---------------------------------------------------------------- live drawing (O(new rows))
def test_growing_rows_tells_new_rows_from_a_new_run():
    rows = GrowingRows()
    table = make_table(100)
    assert rows.update(table["a"], table["b"]) == (0, 100)
    table.append_block(make_table(50).block())  # the same buffer, grown
    assert rows.update(table["a"], table["b"]) == (100, 150)
    other = StepTable(COLUMNS, capacity=1)  # another table holding a copy of the rows
    other.append_block(table.block())
    assert rows.update(other["a"], other["b"]) == (150, 150)
    k = np.arange(150.0)
    assert rows.update(k * 2, k) == (0, 150)  # different rows: start over
    bad = k.copy()
    bad[140] = np.inf
    assert rows.update(k * 2, bad) == (0, 140)  # cut at the first non-finite row
    assert rows.update(np.append(k * 2, 1.0), np.append(bad, 1.0)) == (140, 140)


def test_path_thinner_draws_each_pixel_to_pixel_segment_once():
    t = np.arange(60_000, dtype=float)
    x = np.exp(-t / 20_000) * np.cos(t / 40) + 0.01 * (-1.0) ** t  # a zig-zagging spiral
    y = np.exp(-t / 20_000) * np.sin(t / 40)
    pixel = (0.01, 0.01)
    thinner = PathThinner()
    thinner.reset(pixel, (0.0, 0.0))
    for n in range(1_667, len(t) + 1_667, 1_667):  # frame by frame, as a live run grows
        thinner.extend(x[: min(n, len(t))], y[: min(n, len(t))])
    lx, ly = thinner.line()
    assert 100 < lx.size < 0.7 * len(t)  # each step changes pixel: only repeats go
    assert (lx[0], ly[0]) == (x[0], y[0])
    drawn = np.isfinite(lx)
    path_points = set(zip(x.tolist(), y.tolist(), strict=True))
    assert set(zip(lx[drawn].tolist(), ly[drawn].tolist(), strict=True)) <= path_points
    # every step between two pixels is drawn (between points in those two pixels)
    def pairs(px, py):
        cells = list(zip(np.floor(px / 0.01).tolist(), np.floor(py / 0.01).tolist(), strict=True))
        return {frozenset(p) for p in itertools.pairwise(cells) if p[0] != p[1]}

    assert pairs(x, y) <= pairs(lx, ly)  # NaN rows make cells that pair with nothing real
    # a run bouncing between two pixels for 100,000 steps is one segment
    xo = np.where(np.arange(100_000) % 2 == 0, 0.5, -0.5)
    assert thin_path(xo, np.zeros(100_000), pixel, (0.0, 0.0))[0].size == 2


def test_peak_reducer_grows_like_a_fresh_reduction():
    t = np.arange(300_000, dtype=float)
    loss = 1 / (1 + t) + 0.01 * np.sin(t / 7)
    loss[123_457], loss[77] = -5.0, 99.0
    reducer, rows = PeakReducer(), GrowingRows()
    for n in range(5_000, len(t) + 5_000, 5_000):
        kept, m = rows.update(t[: min(n, len(t))], loss[: min(n, len(t))])
        rx, ry = reducer.reduce(t[:m], loss[:m], kept, -np.inf, np.inf, 800)
    fx, fy = PeakReducer().reduce(t, loss, 0, -np.inf, np.inf, 800)
    np.testing.assert_array_equal(rx, fx)
    np.testing.assert_array_equal(ry, fy)
    assert rx.size <= 2 * 800 + 3 and ry.min() == -5.0 and ry.max() == 99.0
    assert (rx[0], rx[-1], ry[-1]) == (0.0, t[-1], loss[-1])


def test_a_live_contour_path_appends_to_its_line(contour, monkeypatch):
    t = np.arange(240_000, dtype=float)
    x, y = 1.5 * np.exp(-t / 8000) * np.cos(t / 40), 0.5 + np.exp(-t / 8000) * np.sin(t / 40)
    line = contour._path.live
    calls = []
    set_data = line.setData
    monkeypatch.setattr(line, "setData",
                        lambda *a, **k: (calls.append(k.get("extend_from")), set_data(*a, **k)))
    for n in range(205_000, 225_001, 1_667):  # all in the piece of rows 196,608 .. 229,376
        contour.set_path(x[:n], y[:n])
    assert contour._path.steps_per_piece == 32_768  # pieces long enough to be thinned
    assert calls[0] is None  # the live piece: built once
    assert len(calls) > 3 and all(calls[1:])  # then only new rows were added
    lx, ly = line.getData()
    whole = fn.arrayToQPath(np.asarray(lx), np.asarray(ly), connect="finite")
    assert line._path.boundingRect() == whole.boundingRect()
    assert np.all(np.isin(lx[np.isfinite(lx)], x))


def test_sweep_log_axes_label_every_decade_that_fits(sweep):
    view = sweep[0]
    axis = view.getPlotItem().getAxis("left")
    assert isinstance(axis, ReadableAxis) and not axis.autoSIPrefix
    levels = axis.tickValues(-7.2, 2.1, 300)
    assert levels[0][1] == [float(k) for k in range(-7, 3)]  # 10⁻⁷ .. 10², none skipped
    assert axis.tickStrings(levels[0][1], 1.0, levels[0][0]) == [
        "10⁻⁷", "10⁻⁶", "10⁻⁵", "10⁻⁴", "0.001", "0.01", "0.1", "1", "10", "100"]
    crowded = axis.tickValues(-29.0, -4.0, 150)
    assert crowded[0][0] > 1 and len(crowded[0][1]) >= 3  # every few decades, evenly
    assert "(x" not in axis.labelString()
    narrow = axis.tickValues(-0.1, 0.1, 300)  # 0.8 .. 1.26: not a whole decade in view
    assert len(narrow[0][1]) >= 2


def test_loss_axis_widens_at_once_and_narrows_when_the_curve_rests(qtbot, loss_view):
    steps = np.arange(1001.0)
    loss_view.set_loss(steps, 9 * np.exp(-steps / 100) + 1e-3, None, True)
    assert loss_view._extent.bounds(1) == (-3.0, 1.0)  # decades of 0.001 .. 9
    # a re-run that ends higher (a slider drag): the axis keeps its decades for now
    loss_view.set_loss(steps, 9 * np.exp(-steps / 1000) + 0.3, None, True)
    assert loss_view._extent.bounds(1) == (-3.0, 1.0)
    # one that goes lower widens it at once
    loss_view.set_loss(steps, 9 * np.exp(-steps / 100) + 1e-5, None, True)
    assert loss_view._extent.bounds(1) == (-4.0, 1.0)
    # and once re-runs stop coming, the axis fits the last one
    loss_view.set_loss(steps, 9 * np.exp(-steps / 1000) + 0.3, None, True)
    qtbot.waitUntil(lambda: loss_view._extent.bounds(1) == (0.0, 1.0), timeout=2000)


def test_step_axis_keeps_its_range_through_a_drag_of_diverging_runs(qtbot, loss_view):
    # runs of a drag that diverge at steps 38, 52 and 45: one step axis until they rest
    def run(last):
        steps = np.arange(last + 1.0)
        loss_view.set_loss(steps, 2.0 ** steps, None, True)

    run(38)
    assert loss_view._extent.bounds(0) == (0.0, 40.0)
    run(52)
    assert loss_view._extent.bounds(0) == (0.0, 60.0)  # wider at once: nothing cut off
    run(45)
    assert loss_view._extent.bounds(0) == (0.0, 60.0)  # kept while re-runs come
    assert loss_view.axes_settling
    qtbot.waitUntil(lambda: loss_view._extent.bounds(0) == (0.0, 50.0), timeout=2000)
    assert not loss_view.axes_settling


def test_a_long_line_drawn_from_its_picture_looks_like_the_line(show, monkeypatch):
    from desktop.views import _items

    t = np.arange(30_000, dtype=float)
    x, y = 1.8 * np.exp(-t / 9000) * np.cos(t / 50), 0.5 + np.exp(-t / 9000) * np.sin(t / 50)
    shots = []
    for raster_from in (10**9, 500):  # vectors every paint, then the cached picture
        monkeypatch.setattr(_items, "RASTER_FROM", raster_from)
        view = show(ContourView(), 600, 450)
        xs, ys, Z = quadratic_grid()
        view.set_surface(xs, ys, Z, np.geomspace(0.05, 10, 8), ("a", "b"), [(0.0, 0.0)])
        for n in range(10_000, 30_001, 2_500):  # grows: new pieces drawn into the picture
            view.set_path(x[:n], y[:n])
            view.repaint()
        view.getPlotItem().getViewBox().setRange(xRange=(-1, 1), yRange=(0, 1.5), padding=0)
        view.repaint()  # a new zoom: the picture starts over
        shots.append(pixels(view))
        # the finished pieces are always drawn from their picture on screen; the
        # live piece from its own only when long (and copied into theirs when done)
        assert view._path.frozen._raster is not None
    # the older pieces are translucent: blending through the picture may round
    # a channel one unit the other way, nothing more
    assert np.abs(shots[0].astype(int) - shots[1].astype(int)).max() <= 1


# ---------------------------------------------------------------- plots that read well
def settle(view) -> None:
    """Let posted layout requests run (a new legend strip resizes the data area), then paint."""
    QApplication.processEvents()
    QApplication.processEvents()
    view.repaint()


def viewport_rect(item, view) -> QRectF:
    """An item's rectangle in the view's viewport (= scene) pixels, also for items that
    ignore the zoom (text, arrows)."""
    return item.deviceTransform(view.viewportTransform()).mapRect(item.boundingRect())


def scene_points(view, x, y) -> list[QPointF]:
    """Data points as scene positions (view coordinates: log10 on log axes)."""
    vb = view.getPlotItem().getViewBox()
    return [vb.mapViewToScene(QPointF(float(a), float(b))) for a, b in zip(x, y, strict=True)]


def test_sweep_labels_sit_at_their_lines_apart_from_each_other_and_the_data(sweep):
    view = sweep[0]
    settle(view)
    rects = view.band.mark_rects()
    assert set(rects) == {"too small", "just right", "too big", "2/λmax", "lr", DIVERGED_LABEL}
    names = list(rects)
    for a, b in itertools.combinations(names, 2):
        assert not rects[a].intersects(rects[b]), (a, b)
    vb = view.getPlotItem().getViewBox()
    data_area = vb.sceneBoundingRect()
    points = scene_points(view, *view._curve.getData())
    points += scene_points(view, *view._diverged.getData())
    for name, rect in rects.items():
        assert not rect.intersects(data_area), name  # above the data, never over it
        assert not any(rect.contains(p) for p in points), name
        assert rect.left() >= 0 and rect.right() <= view.width()
    # each label is over its own line (or at most a short leader away)
    for mark in view.band.marks:
        if mark.text == DIVERGED_LABEL:
            continue
        x = vb.mapViewToScene(QPointF(mark.x, 0.0)).x()
        r = rects[mark.text]
        assert r.left() - 31 <= x <= r.right() + 31, mark.text
    # no legend box over the curve any more
    assert view.getPlotItem().legend is None


def test_sweep_shows_the_sliders_range_unless_a_marker_lies_beyond(show):
    view = show(SweepView())
    lrs = np.geomspace(1e-8, 1e4, 61)
    final = np.where(lrs < 1, 1 / (1 + lrs), np.inf)
    status = np.where(np.isfinite(final), "finished", "diverged")
    view.set_sweep(lrs, final, status, {"too-small": 1e-3, "just-right": 0.1, "too-big": 0.5},
                   0.4, 0.05)
    x0, x1 = view.getPlotItem().getViewBox().viewRange()[0]
    assert (x0, x1) == pytest.approx(np.log10(DEFAULT_X_RANGE))
    view.set_sweep(lrs, final, status, {}, None, 0.05, x_range=(1e-3, 1.0))
    assert view.getPlotItem().getViewBox().viewRange()[0] == pytest.approx([-3.0, 0.0])
    assert view.x_range == (1e-3, 1.0)
    # a preset outside the range widens it just enough to show its line
    view.set_sweep(lrs, final, status, {"too-big": 5.0}, None, 0.05, x_range=(1e-3, 1.0))
    x0, x1 = view.getPlotItem().getViewBox().viewRange()[0]
    assert x0 == pytest.approx(-3.0) and np.log10(5.0) < x1 < np.log10(5.0) + 0.5
    # the crosses sit above the losses in view
    _, dy = view._diverged.getOriginalDataset()
    y0, y1 = view.getPlotItem().getViewBox().viewRange()[1]
    assert y0 < np.log10(dy[0]) < y1


def test_axis_titles_are_never_cut(show):
    views = []
    loss = LossView()
    loss.set_loss(np.arange(50.0), np.exp(-np.arange(50.0) / 10), 1e-3, True)
    views.append(loss)
    sweep = SweepView()
    sweep.set_sweep(np.geomspace(1e-4, 1, 9), np.linspace(1, 0.1, 9), ["finished"] * 9, {},
                    None, 0.01)
    views.append(sweep)
    contour = ContourView()
    xs, ys, Z = quadratic_grid()
    contour.set_surface(xs, ys, Z, np.geomspace(0.05, 10, 8), ("a", "b"), [(0.0, 0.0)])
    views.append(contour)
    line = LineView()
    ws = np.linspace(-1, 2, 101)
    line.set_curve(ws, (1.5 * ws - 1) ** 2, "w")
    views.append(line)
    for view in views:
        show(view, 400, 250)
        settle(view)
        plot = view.getPlotItem()
        axes = [plot.getAxis("left"), plot.getAxis("bottom")]
        if view is contour:
            axes.append(contour._bar.getAxis("left"))
        widget = QRectF(0, 0, view.width(), view.height())
        for axis in axes:
            label = axis.label.mapRectToScene(axis.label.boundingRect())
            assert widget.contains(label), (type(view).__name__, axis.orientation, label)
            if axis.orientation == "left":  # the title fits along the axis
                assert label.height() <= axis.sceneBoundingRect().height() + 0.5
    # the longest title that fits: a short plot gets a short form
    assert loss.getPlotItem().getAxis("left").labelText == LOG_LABEL
    loss.resize(400, 150)
    settle(loss)
    assert loss.getPlotItem().getAxis("left").labelText in ("loss (log scale)", "loss")


def test_after_reset_the_step_axis_runs_from_zero(loss_view):
    loss_view.set_loss([0.0], [166_666.0], 1e-3, True)
    settle(loss_view)
    x0, x1 = loss_view.getPlotItem().getViewBox().viewRange()[0]
    assert x0 == 0.0 and 10.0 <= x1 < 11.0
    loss_view.set_loss(np.arange(101.0), np.linspace(9, 1, 101), None, False)
    settle(loss_view)
    x0, x1 = loss_view.getPlotItem().getViewBox().viewRange()[0]
    assert x0 == 0.0 and 100.0 <= x1 < 105.0


def zigzag(n: int) -> tuple[np.ndarray, np.ndarray]:
    """A run bouncing across a valley (lr above 1/λ), drifting slowly along it."""
    k = np.arange(n, dtype=float)
    x = -1.5 + 3.0 * k / n
    y = 0.5 + 1.2 * (-1.0) ** k * (0.2 + 0.8 * k / n)
    return x, y


def test_a_long_zigzag_is_shaded_by_step_not_a_black_band(contour):
    x, y = zigzag(10_000)
    contour.set_path(x, y)
    path = contour._path
    assert 4 < path.pieces <= 8 and path.steps_per_piece * path.pieces >= len(x) - 1
    # the drawn line is thinned to the pixels it crosses
    lx, _ = path.getData()
    assert lx.size < len(x)
    # finished pieces fade from the oldest to the newest; the live one is opaque black
    layers = path.frozen.layers()
    assert len(layers) == path.pieces - 1
    alphas = [pen.color().alphaF() for _, pen in layers]
    assert alphas == sorted(alphas) and alphas[0] < 0.5 and alphas[-1] < 1.0
    assert {pen.color().name() for _, pen in layers} == {palette.PATH}
    live = path.live.pen().color()
    assert live.alphaF() == 1.0 and live.name() == palette.PATH
    # every piece draws its own steps: piece b holds rows b*w .. (b+1)*w
    w = path.steps_per_piece
    for b in range(path.pieces):
        px, _ = path.piece_data(b)
        finite = px[np.isfinite(px)]
        assert finite.size and x[b * w] - 1e-9 <= finite.min()
        assert finite.max() <= x[min((b + 1) * w, len(x) - 1)] + 1e-9
    assert len(path_dots(contour)[0]) == 0  # 10,000 dots would be a band too
    # a short path: a dot per step, each as faded as its piece
    contour.set_path(x[:20], y[:20])
    dots_x, _ = path_dots(contour)
    opacity = contour._path.dots.opacity_data()
    assert len(dots_x) == 20 and np.all(np.diff(opacity) >= 0) and opacity[-1] == 1.0


def test_a_growing_path_keeps_its_finished_pieces_and_shades(contour):
    x, y = zigzag(4_001)
    contour.set_path(x[:1_000], y[:1_000])
    for n in [*range(1_000, 4_001, 250), 4_001]:
        contour.set_path(x[:n], y[:n])
    grown = [(px.copy(), py.copy()) for px, py in
             (contour._path.piece_data(b) for b in range(contour._path.pieces))]
    shades = [c.alphaF() for c in contour._path.shades()]
    contour.set_path(x[:3], y[:3])  # another run, then the whole one at once
    contour.set_path(x, y)
    fresh = [contour._path.piece_data(b) for b in range(contour._path.pieces)]
    assert len(grown) == len(fresh) and shades == [c.alphaF() for c in contour._path.shades()]
    for (gx, gy), (fx, fy) in zip(grown, fresh, strict=True):
        np.testing.assert_array_equal(gx, fx)
        np.testing.assert_array_equal(gy, fy)


def test_a_path_that_leaves_the_map_gets_a_marker_at_the_edge(contour):
    k = np.arange(12.0)
    x = 0.5 * (-1.9) ** k  # too big: each step overshoots further
    y = 0.3 * (-1.7) ** k
    contour.set_path(x, y)
    text = contour.exit_text
    # the map is [-2.025, 2.025] x [-1.025, 2.025]: row 2 (1.805, 0.867) is the last
    # on it, row 3 (-3.43, -1.47) the first off it, for good
    assert text.startswith("→ left the map at step 3") and "step 11: a = " in text
    assert f"a = {format_compact(x[-1], 3)}, b = {format_compact(y[-1], 3)}" in text
    row, px, py, edge = contour._exit.exit
    assert row == 3 and edge in ("left", "bottom")
    x0, x1, y0, y1 = contour._exit._inside.rect
    assert x0 - 1e-9 <= px <= x1 + 1e-9 and y0 - 1e-9 <= py <= y1 + 1e-9
    assert px == pytest.approx(x0) or py == pytest.approx(y0)  # on the edge it crossed
    arrow = contour._exit.arrow
    assert arrow.isVisible() and (arrow.pos().x(), arrow.pos().y()) == pytest.approx((px, py))
    # the words stay on the map
    settle(contour)
    label = viewport_rect(contour._exit.label, contour)
    assert contour.getPlotItem().getViewBox().sceneBoundingRect().contains(label)
    contour.set_path(x[:3], y[:3])  # on the map: no marker
    assert contour.exit_text == "" and not contour._exit.arrow.isVisible()
    contour.set_path(x[:4], y[:4])  # the newest row off the map: said in one line
    assert contour.exit_text == (f"→ left the map at step 3 (a = {format_compact(x[3], 3)}, "
                                 f"b = {format_compact(y[3], 3)})")


def test_a_ball_that_leaves_the_line_plot_gets_a_marker(show):
    view = show(LineView())
    ws = np.linspace(-1, 2, 101)
    view.set_curve(ws, (1.5 * ws - 1) ** 2, "w")
    w = 0.6 + 0.5 * (-2.2) ** np.arange(8.0)
    view.set_path(w, (1.5 * w - 1) ** 2)
    settle(view)  # the plot fits the curve: what it shows is the map the ball may leave
    assert view.exit_text.startswith("→ left the plot at step ")
    assert "w = " in view.exit_text and "loss = " in view.exit_text
    (x0, x1), (y0, y1) = view.getPlotItem().getViewBox().viewRange()
    _, px, py, _ = view._exit.exit
    assert (px == pytest.approx(x0) or px == pytest.approx(x1) or py == pytest.approx(y0)
            or py == pytest.approx(y1))  # at the edge of what the plot shows
    view.set_path(w[:2], (1.5 * w[:2] - 1) ** 2)
    assert view.exit_text == ""


def test_compared_runs_share_one_legend_that_covers_no_data(show):
    contour = show(ContourView(), 640, 480)
    xs, ys, Z = quadratic_grid()
    contour.set_surface(xs, ys, Z, np.geomspace(0.05, 10, 8), ("a", "b"), [(0.0, 0.0)])
    t = np.linspace(0, 1, 200)
    runs = [(f"run {i} (lr=0.{i})", i, 1.8 - 3.6 * t, 1.9 - (2.8 + 0.1 * i) * t)
            for i in range(3)]
    contour.set_path(1.8 - 3.6 * t, 1.9 - 2.7 * t)
    contour.set_compare(runs)
    loss = show(LossView(), 640, 360)
    steps = np.arange(200.0)
    loss.set_loss(steps, np.exp(-steps / 50) + 1e-3, None, True)
    loss.set_compare([(label, i, steps, np.exp(-steps / (20 + 20 * i)) + 1e-3)
                      for label, i, *_ in runs])
    for view in (contour, loss):
        settle(view)
        vb = view.getPlotItem().getViewBox().sceneBoundingRect()
        rects = view.band.key_rects()
        assert len(rects) == 4 and len({r.top() for r in rects.values()}) <= 2  # compact
        for name, rect in rects.items():
            assert not rect.intersects(vb), name  # outside the data area
            assert QRectF(0, 0, view.width(), view.height()).contains(rect), name
        for a, b in itertools.combinations(rects.values(), 2):
            assert not a.intersects(b)
        assert view.getPlotItem().legend is None  # no legend box inside the plot
    # loss curves' points are all below the legend strip
    for item in loss._compare_items:
        cx, cy = item.getData()
        band = loss.band.sceneBoundingRect()
        assert not any(band.contains(p) for p in scene_points(loss, cx, cy))


def test_table_columns_fit_their_numbers_in_700_pixels(qtbot, show):
    run = core.train("house-prices", lr=0.6, steps=20)  # diverges: numbers up to 1e18
    model = StepTableModel(run.table)
    view = show(StepTableView(), 700, 300)
    view.setModel(model)
    qtbot.waitUntil(lambda: not view._widen.isActive(), timeout=2000)
    names = model.column_names
    assert names[:9] == ["step", "epoch", "lr", "w", "b", "loss", "grad_w", "grad_b",
                         "grad_norm"]
    assert view.horizontalScrollBar().maximum() == 0
    last = names.index("grad_norm")
    assert view.columnViewportPosition(last) + view.columnWidth(last) <= view.viewport().width()
    # every number shown whole: compact text that fits its column
    fm = view.fontMetrics()
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            text = model.data(model.index(r, c))
            assert len(text) <= 12 and "…" not in text
            assert fm.horizontalAdvance(text) < view.columnWidth(c), (r, names[c], text)
    loss_col = names.index("loss")
    assert model.data(model.index(9, loss_col)) == "1.12327e+18"
    assert model.data(model.index(9, loss_col), Qt.ItemDataRole.ToolTipRole) == repr(
        float(run.table["loss"][9]))


def test_table_shows_loss_next_to_the_parameters_and_small_numbers_as_such(show):
    columns = ["step", "epoch", "lr", "a", "b", "grad_a", "grad_b", "grad_norm", "loss", "extra"]
    table = StepTable(columns, capacity=2)
    table.append_block([[0, 0, 7e-7, 1.0, 2.0, 3e-9, -4.0, 5.0, 1234567.0, 9.0],
                        [1, 0, 7e-7, 1.5, 2.5, 0.25, 0.5, 0.56, 0.001, 8.0]])
    model = StepTableModel(table)
    view = show(StepTableView(), 700, 200)
    view.setModel(model)
    assert model.column_names == ["step", "epoch", "lr", "a", "b", "loss", "grad_a", "grad_b",
                                  "grad_norm", "extra"]
    text = {name: model.data(model.index(0, c)) for c, name in enumerate(model.column_names)}
    assert (text["lr"], text["loss"], text["grad_a"], text["step"]) == (
        "7e-07", "1.23457e+06", "3e-09", "0")


def test_a_wider_number_scrolled_into_view_widens_its_column(qtbot, show):
    table = make_table(5_000)
    model = StepTableModel(table)
    view = show(StepTableView(), 700, 300)
    view.setModel(model)
    col = COLUMNS.index("grad_a")
    before = view.columnWidth(col)
    # a row the sample did not read, with a much longer number
    table._data[table.columns.index("grad_a"), 2_345] = -1.23456789e-300
    model.set_table(table)
    view.scrollTo(model.index(2_345, col))
    view.viewport().repaint()
    qtbot.waitUntil(lambda: view.columnWidth(col) > before, timeout=2000)
    text = model.data(model.index(2_345, col))
    assert view.fontMetrics().horizontalAdvance(text) < view.columnWidth(col)
