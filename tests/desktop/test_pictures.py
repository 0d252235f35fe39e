"""The data view, the arrows, Step back and the 3-D view's fallback, in the real window.

Checked through the data handed to the plot items (``getData()``, text), never pixels.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from desktop.views import surface3d_view
from tests.desktop._window import close_window, open_window, settle

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path):
    made = []

    def make(problem: str | None = None):
        w = open_window(qtbot, tmp_path, problem=problem)
        made.append(w)
        return w

    yield make
    for w in made:
        close_window(w)


def _row(m, k):
    return np.array([m.table[n][k] for n in m.knobs.problem.param_names])


def test_data_view_shows_the_examples_and_the_fitted_line(qtbot, window):
    w = window("house-prices")
    m = w.model
    assert not w.plots.has("data")  # not built until its tab is opened
    w.plots.show_tab("data")
    view = w.plots.data
    x, y = view.points_data(0)
    np.testing.assert_array_equal(x, [1.5, 2.0, 2.5])
    np.testing.assert_array_equal(y, [300.0, 400.0, 500.0])
    n = m.playback.drawable_rows()
    wv, b = _row(m, n - 1)
    cx, cy = view.curve_data()
    np.testing.assert_allclose(cy, wv * cx + b, rtol=1e-12)
    assert view.caption.startswith(f"Step {n - 1} (newest)")
    m.select_step(3)  # scrubbing the table moves the line
    wv, b = _row(m, 3)
    cx, cy = view.curve_data()
    np.testing.assert_allclose(cy, wv * cx + b, rtol=1e-12)
    assert view.caption.startswith("Step 3 (selected)")


def test_hidden_data_view_costs_nothing(qtbot, window):
    w = window("house-prices")
    w.plots.show_tab("data")
    drawn = w.pictures.draws["data"]
    w.plots.show_tab("surface")
    w.model.knobs.set_lr(0.005)
    settle(qtbot, w)
    for _ in range(3):
        w.model.step()
    settle(qtbot, w)
    assert w.pictures.draws["data"] == drawn
    w.plots.show_tab("data")  # shown again: drawn for the run now on screen
    assert w.pictures.draws["data"] == drawn + 1
    n = w.model.playback.drawable_rows()
    assert w.plots.data.caption.startswith(f"Step {n - 1}")


def test_two_inputs_shade_the_output_and_ring_the_sample(qtbot, window):
    w = window("and-gate")
    m = w.model
    m.reset()
    for _ in range(6):
        m.step()
    settle(qtbot, w)
    w.plots.show_tab("data")
    view = w.plots.data
    image = view.field_image()
    assert image.shape == (96, 96)
    assert np.nanmin(image) >= 0.0 and np.nanmax(image) <= 1.0
    k = m.playback.drawable_rows() - 1
    theta = _row(m, k)
    scene = view.scene_data
    gx = np.linspace(*scene.window[0], 96)
    gy = np.linspace(*scene.window[1], 96)
    z = theta[0] * gx[7] + theta[1] * gy[11] + theta[2]
    np.testing.assert_allclose(image[11, 7], 1 / (1 + np.exp(-z)), rtol=1e-12)
    # the sample update k uses ("sample": example k mod 4) is ringed
    bx, by = view.batch_data()
    x = m.knobs.problem.original_inputs()
    np.testing.assert_array_equal(np.column_stack([bx, by]), x[[k % 4]])
    ones = view.points_data(1)
    np.testing.assert_array_equal(np.column_stack(ones), [[1.0, 1.0]])


def test_normalised_data_speaks_in_original_units(qtbot, window, tmp_path):
    csv = tmp_path / "d.csv"
    xs = np.array([1.0, 2.0, 3.0, 4.0, 5.5])
    ys = 3.0 * xs + 2.0 + np.array([0.1, -0.1, 0.05, 0.0, -0.05])
    csv.write_text("size,price\n" + "".join(f"{a},{b}\n" for a, b in zip(xs, ys, strict=True)))
    w = window()
    m = w.model
    message = w.extras.own.load_data(str(csv), {"model": "linear", "normalize": True,
                                                "x_column": None, "y_column": None})
    assert message == ""
    settle(qtbot, w)
    w.plots.show_tab("data")
    view = w.plots.data
    np.testing.assert_allclose(view.points_data(0)[0], xs, rtol=1e-14)  # own units
    n = m.playback.drawable_rows()
    a_o, b_o = m.table["a_orig"][n - 1], m.table["b_orig"][n - 1]
    cx, cy = view.curve_data()
    np.testing.assert_allclose(cy, a_o * cx + b_o, rtol=1e-9, atol=1e-9)
    assert "per standard deviation of x" in view.caption
    assert "in your units" in view.caption
    table = w.plots.model
    column = m.table.columns.index("a_orig")
    tip = table.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "per standard deviation" in tip


def test_data_tab_is_off_for_a_function_and_3d_for_one_parameter(qtbot, window):
    w = window("rosenbrock")
    tabs = w.plots.tabs
    assert not tabs.isTabEnabled(1) and "no data" in tabs.tabToolTip(1)
    assert tabs.isTabEnabled(2)
    w.panels.problem.combo.setCurrentIndex(w.panels.problem.combo.findData("single-weight"))
    settle(qtbot, w)
    assert tabs.isTabEnabled(1) and not tabs.isTabEnabled(2)


def test_arrows_are_the_inspectors_numbers_and_can_be_hidden(qtbot, window):
    w = window("quadratic")
    m = w.model
    m.knobs.set_optimizer("sgd", momentum=0.9)
    settle(qtbot, w)
    m.select_step(4)
    arrows = w.plots.contour.arrows.arrows()
    g = np.array([m.table["grad_a"][4], m.table["grad_b"][4]])
    np.testing.assert_allclose(arrows["gradient"], -g, rtol=1e-15)
    np.testing.assert_allclose(arrows["update"], _row(m, 5) - _row(m, 4), rtol=1e-12)
    assert w.plots.contour.arrows.origin == tuple(_row(m, 4))
    w.actions["arrows"].setChecked(False)
    assert w.plots.contour.arrows.arrows() == {}
    assert w.settings.get_bool("view/arrows", True) is False


def test_step_back_walks_through_the_run_already_computed(qtbot, window):
    w = window("line-one-point")
    m = w.model
    button = w.strip.back
    assert button.accessibleName() == "Step back" == button.text()
    n = m.playback.drawable_rows()
    rows = len(m.table)
    w.actions["step-back"].trigger()
    assert m.selection.step == n - 2 and w.plots.table.selected_rows() == [n - 2]
    assert len(m.table) == rows  # nothing recomputed
    w.actions["step"].trigger()  # → goes forward through the same rows
    assert m.selection.step == n - 1 and len(m.table) == rows
    m.select_step(1)
    w.actions["step-back"].trigger()
    assert m.selection.step == 0
    assert not w.actions["step-back"].isEnabled()
    w.actions["step-back"].trigger()
    assert m.selection.step == 0


def test_left_key_steps_back_unless_a_slider_has_focus(qtbot, window):
    w = window("line-one-point")
    m = w.model
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=5000)
    n = m.playback.drawable_rows()
    w.plots.contour.setFocus()
    qtbot.keyClick(w.plots.contour, Qt.Key.Key_Left)
    assert m.selection.step == n - 2
    slider = w.strip.lr.slider
    slider.setFocus()
    before = slider.value()
    qtbot.keyClick(slider, Qt.Key.Key_Left)
    assert m.selection.step == n - 2  # the slider kept its key
    assert slider.value() != before


def test_3d_view_says_why_when_opengl_cannot_start(qtbot, window, monkeypatch):
    def broken():
        raise ImportError("No module named 'OpenGL'")

    monkeypatch.setattr(surface3d_view, "make_gl_widget", broken)
    w = window("rosenbrock")
    w.plots.show_tab("surface3d")
    view = w.plots.surface3d
    assert not view.available
    assert view.message.text().startswith("3-D view unavailable: OpenGL could not start")
    assert "No module named 'OpenGL'" in view.message.text()
    steps = len(w.model.table)
    w.plots.show_tab("surface")
    w.model.reset()
    w.model.step()
    settle(qtbot, w)
    assert len(w.model.table) == 2 and steps >= 2  # the rest of the window works


def test_3d_view_without_a_gl_context_falls_back(qtbot, window):
    w = window("rosenbrock")
    w.plots.show_tab("surface3d")
    view = w.plots.surface3d
    qtbot.waitUntil(lambda: view._checked or not view.available, timeout=5000)
    if view.available:
        pytest.skip("OpenGL started on this platform: the Xvfb test checks the items")
    assert view.message.text().startswith("3-D view unavailable: OpenGL could not start")
    assert view.message.isVisible()


def test_one_parameter_arrows_lie_along_the_weight(qtbot, window):
    w = window("single-weight")
    m = w.model
    m.select_step(2)
    arrows = w.plots.line.arrows
    got = arrows.arrows()
    np.testing.assert_allclose(got["gradient"], [-m.table["grad_w"][2], 0.0], rtol=1e-15)
    assert "update" not in got  # plain SGD: the step is −lr·gradient, the same direction
    assert arrows.origin == (m.table["w"][2], m.table["loss"][2])
    assert arrows.label("gradient").startswith("−gradient (")


def test_an_arrow_label_near_the_edge_stays_inside_the_map(qtbot, window):
    """A tip at the map's top edge would put its label above the map, cut off: it is
    moved down (and left) until the whole label is inside."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QImage, QPainter

    w = window("quadratic")
    m = w.model
    m.select_step(3)
    item = w.plots.contour.arrows
    vb = item.getViewBox()
    x0, y0 = item.origin
    # the current point a few pixels under the top edge, near the right one
    vb.setRange(xRange=(x0 - 10, x0 + 0.02), yRange=(y0 - 10, y0 + 0.02), padding=0)
    qtbot.wait(1)
    image = QImage(400, 300, QImage.Format.Format_ARGB32)
    p = QPainter(image)
    try:
        origin = vb.mapViewToScene(QPointF(x0, y0))  # the current point, in pixels
        assert abs(item.scenePos().x() - origin.x()) < 1e-6
        inside = vb.sceneBoundingRect().translated(-origin.x(), -origin.y())
        assert -inside.top() < 10 and inside.right() < 10  # near the top and right edges
        metrics = p.fontMetrics()
        text = "−gradient (0.123456)"
        for dx, dy in ((40.0, -60.0), (80.0, -5.0), (-30.0, -40.0)):
            at = item._label_at(p, text, dx, dy)
            assert inside.left() <= at.x()
            assert at.x() + metrics.horizontalAdvance(text) <= inside.right()
            assert inside.top() <= at.y() - metrics.ascent()
            assert at.y() + metrics.descent() <= inside.bottom()
    finally:
        p.end()
