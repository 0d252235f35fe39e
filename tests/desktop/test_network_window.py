"""The window on a network (105 parameters): the plane shown, the validation curve, the
sharpness plot, the range test, the step table's order and the seeded start.

Every number on screen is checked against core computed independently here
(`core.surface(directions=)`, `core.random_plane`, `core.pca_plane`,
`core.sharpness`, `core.lr_range_test`). Tests wait for states of the model,
never for times.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from _window import WAIT_MS, close_window, open_window, settle
from PySide6.QtCore import Qt

import core
from core import ConfigError
from desktop.main_window import MainWindow

PROBLEM = "circle"


@pytest.fixture
def net(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, problem=PROBLEM)
    yield w
    close_window(w)


def params(w: MainWindow, rows) -> np.ndarray:
    table = w.model.table
    names = w.model.knobs.problem.param_names
    return np.column_stack([np.asarray(table[n])[rows] for n in names])


def pick(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_random_plane_contour_and_path_are_core_surface_along_those_directions(qtbot, net):
    w = net
    panel = w.panels.problem.plane
    assert panel.isVisible()
    pick(panel.kind, "random")
    panel.seed.setValue(5)
    settle(qtbot, w)
    problem = w.model.knobs.problem
    n = len(w.model.table)
    s = w.model.insight.surface
    # independently: the same plane through the last row, and the loss on it
    centre = params(w, n - 1)[0]
    plane = core.random_plane(centre, problem.filters(), 5)
    np.testing.assert_allclose(s.plane.d1, plane.d1)
    np.testing.assert_allclose(s.plane.d2, plane.d2)
    Z = core.surface(problem, s.xs, s.ys, through=centre, directions=(plane.d1, plane.d2))
    np.testing.assert_allclose(s.Z, Z, rtol=1e-12)
    x, y = w.plots.contour.path_data()
    coords = plane.project(params(w, slice(0, n)))
    np.testing.assert_allclose(x[np.isfinite(x)], coords[:, 0], atol=1e-9)
    np.testing.assert_allclose(y[np.isfinite(y)], coords[:, 1], atol=1e-9)
    assert "random direction 1" in w.plots.contour.getPlotItem().getAxis("bottom").labelText
    assert "seed 5" in w.plots.caption.text()


def test_principal_plane_states_the_share_of_the_paths_variance(qtbot, net):
    w = net
    pick(w.panels.problem.plane.kind, "pca")
    pick(w.panels.problem.plane.centre, "start")
    settle(qtbot, w)
    n = len(w.model.table)
    path = params(w, slice(0, n))
    plane = core.pca_plane(path, path[0])
    s = w.model.insight.surface
    assert s.centre_step == 0
    np.testing.assert_allclose(np.abs(s.plane.d1 @ plane.d1), 1.0, atol=1e-9)
    share = plane.explained[0] + plane.explained[1]
    assert f"together {share:.0%} of its variance" in w.plots.caption.text()
    Z = core.surface(w.model.knobs.problem, s.xs, s.ys, through=path[0],
                     directions=(s.plane.d1, s.plane.d2))
    np.testing.assert_allclose(s.Z, Z, rtol=1e-12)


def test_two_parameters_on_a_network_hides_the_caption_and_shows_the_pair(qtbot, net):
    w = net
    pick(w.panels.problem.plane.kind, "axes")
    settle(qtbot, w)
    assert w.model.insight.surface.plane is None
    assert not w.plots.caption.isVisible()
    assert w.panels.problem.axes_row.isVisible()
    i, j = w.model.knobs.axes
    names = w.model.knobs.problem.param_names
    x, y = w.plots.contour.path_data()
    np.testing.assert_allclose(x[np.isfinite(x)], w.model.table[names[i]])
    np.testing.assert_allclose(y[np.isfinite(y)], w.model.table[names[j]])


def test_a_plane_on_a_two_parameter_problem_is_refused_and_nothing_changes(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, problem="quadratic")
    try:
        assert not w.panels.problem.plane.isVisible()
        before = (w.model.knobs.plane, w.model.insight.surface)
        with pytest.raises(ConfigError, match="no plane to choose"):
            w.model.knobs.set_plane("random")
        with pytest.raises(ConfigError, match="plane must be one of"):
            w.model.knobs.set_plane("sideways")
        assert (w.model.knobs.plane, w.model.insight.surface) == before
    finally:
        close_window(w)


def test_dragging_the_start_on_a_plane_is_refused_with_a_message(qtbot, net):
    w = net
    start = w.model.knobs.start
    w.plots.contour.clicked.emit(0.5, 0.5)
    assert w.model.knobs.start == start
    assert "cannot be moved on a plane" in w.model.status


def test_the_loss_plot_draws_the_validation_loss_of_the_run(qtbot, net):
    w = net
    steps, val = w.plots.loss.validation_data()
    np.testing.assert_array_equal(val, w.model.table["val_loss"])
    np.testing.assert_array_equal(steps, w.model.table["step"])
    assert "validation" in [k.text for k in w.plots.loss.band.keys]


def test_no_validation_curve_without_the_column(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, problem="quadratic")
    try:
        assert w.plots.loss.validation_data()[1].size == 0
        assert "validation" not in [k.text for k in w.plots.loss.band.keys]
    finally:
        close_window(w)


def test_sharpness_plot_shows_core_sharpness_at_its_rows(qtbot, net):
    w = net
    w.plots.show_tab("sharpness")
    sh = w.model.sharpness
    qtbot.waitUntil(lambda: sh.data(w.model.trainer, len(w.model.table))[0].size > 10
                    and not sh.busy, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: w.plots.sharpness.data()[0].size > 10, timeout=WAIT_MS)
    x, y = w.plots.sharpness.data()
    problem = w.model.knobs.problem
    for row, lam in list(zip(x.astype(int), y, strict=True))[::7]:
        assert lam == pytest.approx(core.sharpness(problem, params(w, row)[0]).lam_max,
                                    rel=1e-9)
    lr = w.model.knobs.lr
    _lx, ly = w.plots.sharpness.limits[0].getData()
    np.testing.assert_allclose(ly, 2.0 / lr)
    # the gauge follows the run's own λmax at the newest step it knows
    last = int(x.max())
    assert w.model.insight.gauge.at_step == last
    assert f"λmax at step {last}" in w.model.insight.gauge.reason
    # the Stability panel names the step its λmax belongs to
    stability = w.panels.stability
    assert stability.lam.text() == f"{w.model.insight.gauge.lam_max:.4g} (at step {last})"


def test_heavy_ball_momentum_adds_its_own_limit_line(qtbot, net):
    w = net
    w.model.knobs.set_optimizer("sgd", momentum=0.9)
    settle(qtbot, w)
    w.plots.show_tab("sharpness")
    qtbot.waitUntil(lambda: w.plots.sharpness.limits[1].isVisible(), timeout=WAIT_MS)
    _x, y = w.plots.sharpness.limits[1].getData()
    np.testing.assert_allclose(y, 2 * (1 + 0.9) / w.model.knobs.lr)
    assert any("2(1+β)/lr" in k.text for k in w.plots.sharpness.band.keys)


def test_range_test_marks_cores_suggestions_and_use_sets_the_lr(qtbot, net):
    w = net
    w.actions["range-test"].trigger()
    assert w.plots.tab_shown() == "range"
    rt = w.model.range_test
    qtbot.waitUntil(lambda: rt.result is not None and not rt.running, timeout=WAIT_MS)
    k = w.model.knobs
    expected = core.lr_range_test(k.problem, optimizer=k.config.optimizer, start=k.start,
                                  batch=k.config.batch, seed=k.config.seed)
    view = w.plots.range_test
    assert view.shown_lrs["valley"] == expected.valley
    assert view.shown_lrs["steep"] == expected.steep
    mx, _my = view.markers["valley"].getData()
    assert 10 ** mx[0] == pytest.approx(expected.valley)
    assert "The range test suggests" in view.sentence.text()
    qtbot.mouseClick(view.use["valley"], Qt.MouseButton.LeftButton)
    assert w.model.knobs.lr == expected.valley
    settle(qtbot, w)
    # the test sweeps its own learning rates: a new lr leaves it in force
    assert view.sentence.text().startswith("The range test suggests")
    w.model.knobs.set_optimizer("sgd", momentum=0.5)
    settle(qtbot, w)
    assert view.sentence.text().startswith("Stale: the knobs changed")


def test_use_before_any_range_test_says_so_and_changes_nothing(qtbot, net):
    w = net
    w.plots.show_tab("range")
    lr = w.model.knobs.lr
    view = w.plots.range_test
    assert not view.use["valley"].isEnabled()
    view.usePicked.emit("valley")
    assert w.model.knobs.lr == lr
    assert "run it first" in w.model.status


def test_network_table_leads_with_the_losses_and_the_start_is_the_seed(qtbot, net):
    w = net
    names = w.plots.model.column_names
    assert names[:4] == ["step", "loss", "val_loss", "grad_norm"]
    assert set(w.model.knobs.problem.param_names) <= set(names[4:])
    panel = w.panels.problem
    assert not panel.start.isVisible()
    assert panel.start_label.text() == "start: seeded initialisation (seed 0)"
    seed = panel.option_fields["seed"]
    seed.field.setText("3")
    seed.field.editingFinished.emit()
    settle(qtbot, w)
    assert panel.start_label.text() == "start: seeded initialisation (seed 3)"
