"""Your own problem in the window: a typed formula checked live, a data file from
File → Open data…, the "normalise x" toggle, and bad input that changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from _window import WAIT_MS, settle, windows_for_a_test
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog

import core
from desktop.main_window import MainWindow

ROSENBROCK = "(1-a)**2 + 100*(b-a**2)**2"


@pytest.fixture
def make_window(qtbot, tmp_path):
    yield from windows_for_a_test(qtbot, tmp_path, size=(1300, 850))


def type_formula(qtbot, w: MainWindow, text: str) -> None:
    w.sections["Your formula"].set_expanded(True)  # a collapsed section takes no typing
    panel = w.panels.formula
    panel.field.clear()
    qtbot.keyClicks(panel.field, text)
    qtbot.waitUntil(lambda: not panel.checking, timeout=WAIT_MS)  # the live check ran


def open_data(w: MainWindow, monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "Data files (*.csv)")))
    w.actions["open-data"].trigger()


def test_a_bad_formula_shows_its_column_as_you_type_and_changes_nothing(qtbot, make_window):
    w = make_window("quadratic")
    c, panel = w.model, w.panels.formula
    problem, built = c.knobs.problem, c.playback.runs_built
    type_formula(qtbot, w, "(1-a)**2 + foo(b)")
    assert panel.error.isVisible()
    assert panel.error.text().startswith("column 12: unknown function 'foo'")
    assert panel.marked.isVisible() and ">f</span>" in panel.marked.text()
    assert not panel.use.isEnabled()
    qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    assert c.knobs.problem is problem and c.playback.runs_built == built
    type_formula(qtbot, w, "a +* b")
    assert panel.error.text().startswith("column 4:")
    type_formula(qtbot, w, "a.__class__")
    assert "attribute" in panel.error.text() and c.knobs.problem is problem
    type_formula(qtbot, w, "a**2 + 3*b**2")  # fixed: the error goes, the names appear
    assert not panel.error.isVisible() and panel.use.isEnabled()
    assert panel.params.text() == "parameters: a, b"
    assert c.knobs.problem is problem  # checking is not using
    settle(qtbot, w)


def test_a_formula_that_is_not_finite_at_the_start_says_so(qtbot, make_window):
    w = make_window("quadratic")
    c, panel = w.model, w.panels.formula
    problem = c.knobs.problem
    type_formula(qtbot, w, "log(a) + b**2")
    panel.start.field.setText("-1, 0")
    qtbot.mouseClick(panel.use, Qt.MouseButton.LeftButton)
    assert panel.start.error.isVisible() and "not finite" in panel.start.error.text()
    assert c.knobs.problem is problem
    settle(qtbot, w)


def test_a_typed_rosenbrock_runs_the_same_path_as_the_built_in(qtbot, make_window):
    w = make_window("quadratic")
    c, panel = w.model, w.panels.formula
    type_formula(qtbot, w, ROSENBROCK)
    panel.start.field.setText("-1.2, 1")
    qtbot.keyClick(panel.field, Qt.Key.Key_Return)
    assert c.knobs.problem.name == "formula" and c.knobs.problem.param_names == ("a", "b")
    assert c.knobs.problem_ref.formula == ROSENBROCK and c.knobs.problem_ref.params == ("a", "b")
    assert w.panels.problem.combo.currentText() == f"Yours: {ROSENBROCK}"
    c.knobs.set_lr(0.001)
    c.knobs.set_steps(300)
    settle(qtbot, w)
    ours = c.table
    builtin = core.train("rosenbrock", lr=0.001, steps=300, start=(-1.2, 1.0)).table
    assert len(ours) == len(builtin) == 301
    for name in ("a", "b", "loss"):
        np.testing.assert_allclose(ours[name], builtin[name], rtol=1e-10, atol=1e-12)
    x, y = w.plots.contour._line.getData()
    np.testing.assert_allclose(x, builtin["a"], rtol=1e-10)
    np.testing.assert_allclose(y, builtin["b"], rtol=1e-10)
    combo = w.panels.problem.combo  # a built-in again: the "Yours" entry goes
    combo.setCurrentIndex(combo.findData("rosenbrock"))
    assert c.knobs.problem.name == "rosenbrock" and c.knobs.problem_ref.name == "rosenbrock"
    assert combo.findText(f"Yours: {ROSENBROCK}") == -1
    settle(qtbot, w)


def write_csv(path, x, y, header="size,price") -> None:
    rows = "\n".join(f"{float(a)!r},{float(b)!r}" for a, b in zip(x, y, strict=True))
    path.write_text(f"{header}\n{rows}\n", encoding="utf-8")


def test_open_data_loads_a_csv_and_normalise_reshapes_the_surface(qtbot, make_window,
                                                                 monkeypatch, tmp_path):
    rng = np.random.default_rng(7)
    x = rng.uniform(50.0, 150.0, 40)  # unscaled inputs: a steep, narrow valley
    y = 3.0 * x + 20.0 + rng.normal(0.0, 5.0, x.size)
    path = tmp_path / "houses.csv"
    write_csv(path, x, y)
    w = make_window("quadratic")
    c, panel = w.model, w.panels.data
    file_menu = next(a.menu() for a in w.menuBar().actions() if a.text() == "&File")
    assert w.actions["open-data"] in file_menu.actions()
    open_data(w, monkeypatch, path)
    assert not make_window.errors
    assert c.knobs.problem.name == "data" and c.knobs.problem.n_samples == 40
    assert c.knobs.problem_ref.data == str(path) and not c.knobs.problem_ref.normalize
    assert [panel.x_columns.item(i).text() for i in range(2)] == ["size", "price"]
    assert (panel.selected_x(), panel.y_column.currentIndex()) == ([0], 1)
    # MSE of a·x + b: H = 2·[[mean x², mean x], [mean x, 1]]
    hessian = 2.0 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    lam = float(np.linalg.eigvalsh(hessian)[-1])
    assert c.insight.gauge.lam_max == pytest.approx(lam, rel=1e-9)
    settle(qtbot, w)
    z_raw, window_raw = c.insight.surface.Z.copy(), c.insight.surface.window
    tick = QPoint(8, panel.normalize.height() // 2)  # on the box: its row is wider than its text
    qtbot.mouseClick(panel.normalize, Qt.MouseButton.LeftButton, pos=tick)
    assert c.knobs.problem_ref.normalize and panel.normalize.isChecked()
    assert c.insight.gauge.lam_max == pytest.approx(2.0, rel=1e-9)
    assert c.insight.gauge.limit == pytest.approx(1.0, rel=1e-9)
    assert w.panels.stability.lam.text() == "2"
    assert "λmax = 2:" in panel.curvature.text() and "2/λmax = 1" in panel.curvature.text()
    assert c.insight.surface.window != window_raw or not np.allclose(c.insight.surface.Z, z_raw)
    settle(qtbot, w)
    qtbot.mouseClick(panel.normalize, Qt.MouseButton.LeftButton, pos=tick)  # and back
    assert c.insight.gauge.lam_max == pytest.approx(lam, rel=1e-9)
    settle(qtbot, w)


def test_a_bad_data_file_names_the_line_and_changes_nothing(qtbot, make_window, monkeypatch,
                                                            tmp_path):
    w = make_window("quadratic")
    c = w.model
    problem, built = c.knobs.problem, c.playback.runs_built
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n3,4\n5,lots\n7,8\n", encoding="utf-8")
    open_data(w, monkeypatch, bad)
    assert make_window.errors and "line 4" in make_window.errors[-1]
    assert "line 4" in w.panels.data.error.text()
    assert c.knobs.problem is problem and c.playback.runs_built == built
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("1,2\n3,4,5\n", encoding="utf-8")
    open_data(w, monkeypatch, ragged)
    assert "line 2" in make_window.errors[-1] and c.knobs.problem is problem
    settle(qtbot, w)


def test_a_refused_model_choice_keeps_the_data_in_force(qtbot, make_window, monkeypatch,
                                                        tmp_path):
    path = tmp_path / "line.csv"
    write_csv(path, [1.0, 2.0, 3.0, 4.0], [2.5, 4.0, 6.5, 8.0], header="x,y")
    w = make_window()
    c, panel = w.model, w.panels.data
    open_data(w, monkeypatch, path)
    problem = c.knobs.problem
    panel.model.setCurrentIndex(panel.model.findData("logistic"))  # targets are not 0/1
    assert panel.error.isVisible() and "not 0 or 1" in panel.error.text()
    assert c.knobs.problem is problem and c.knobs.problem_ref.model == "linear"
    assert panel.model.currentData() == "linear"
    settle(qtbot, w)


def test_a_good_load_clears_the_error_of_a_failed_one(qtbot, make_window, monkeypatch,
                                                      tmp_path):
    w = make_window("quadratic")
    panel = w.panels.data
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n3,4\n5,lots\n", encoding="utf-8")
    open_data(w, monkeypatch, bad)
    assert panel.error.isVisible() and "line 4" in panel.error.text()
    good = tmp_path / "good.csv"
    write_csv(good, [1.0, 2.0, 3.0, 4.0], [2.5, 4.0, 6.5, 8.0], header="x,y")
    open_data(w, monkeypatch, good)
    assert w.model.knobs.problem.name == "data"
    assert not panel.error.isVisible() and panel.error.text() == ""
    settle(qtbot, w)


def test_a_formula_problem_survives_a_restart(qtbot, make_window):
    w = make_window()
    type_formula(qtbot, w, "(a - 1)**2 + 4*b**2")
    qtbot.keyClick(w.panels.formula.field, Qt.Key.Key_Return)
    w.model.knobs.set_lr(0.05)
    settle(qtbot, w)
    w.close()
    again = make_window()
    c = again.model
    assert c.knobs.problem.name == "formula"
    assert c.knobs.problem_ref.formula == "(a - 1)**2 + 4*b**2"
    assert c.knobs.config.lr == 0.05
    assert again.panels.formula.field.text() == "(a - 1)**2 + 4*b**2"
    settle(qtbot, again)


def test_a_data_problem_survives_a_restart(qtbot, make_window, monkeypatch, tmp_path):
    path = tmp_path / "line.csv"
    write_csv(path, [1.0, 2.0, 3.0, 4.0], [2.5, 4.0, 6.5, 8.0], header="x,y")
    w = make_window()
    open_data(w, monkeypatch, path)
    w.panels.data.normalize.setChecked(True)
    settle(qtbot, w)
    w.close()
    again = make_window()
    c, panel = again.model, again.panels.data
    assert c.knobs.problem.name == "data" and c.knobs.problem_ref.data == str(path)
    assert c.knobs.problem_ref.normalize and panel.normalize.isChecked()
    assert panel.file.text() == "line.csv, 4 rows"
    assert c.insight.gauge.lam_max == pytest.approx(2.0)
    settle(qtbot, again)


def test_two_input_columns_are_chosen_in_the_panel_and_the_run_shows(qtbot, make_window,
                                                                     monkeypatch, tmp_path):
    rng = np.random.default_rng(2)
    size, rooms = rng.uniform(1.0, 3.0, 30), rng.integers(1, 6, 30).astype(float)
    price = 3.0 * size + 0.5 * rooms + 2.0 + rng.normal(0.0, 0.1, 30)
    path = tmp_path / "houses.csv"
    path.write_text("size,rooms,price\n" + "".join(
        f"{a!r},{b!r},{c!r}\n" for a, b, c in zip(size.tolist(), rooms.tolist(),
                                                  price.tolist(), strict=True)))
    w = make_window()
    c, panel = w.model, w.panels.data
    open_data(w, monkeypatch, path)
    assert not make_window.errors
    assert c.knobs.problem.param_names == ("a", "b") and panel.selected_x() == [0]
    w.sections["Your data"].set_expanded(True)
    settle(qtbot, w)

    def click(row: int) -> None:
        item = panel.x_columns.item(row)
        panel.x_columns.scrollToItem(item)
        rect = panel.x_columns.visualItemRect(item)
        qtbot.mouseClick(panel.x_columns.viewport(), Qt.MouseButton.LeftButton,
                         pos=rect.center())

    click(1)  # rooms joins size: y ≈ w1·size + w2·rooms + b
    problem = c.knobs.problem
    assert problem.param_names == ("w1", "w2", "b") and c.knobs.problem_ref.x_column == (0, 1)
    assert panel.params.text() == "parameters w1, w2, b" and not panel.error.isVisible()
    settle(qtbot, w)
    assert c.table.columns[3:6] == ["w1", "w2", "b"] and len(c.table) > 1
    w.plots.show_tab("data")  # a slice along size, rooms at its mean
    n = c.playback.drawable_rows()
    w1, w2, b = (c.table[name][n - 1] for name in ("w1", "w2", "b"))
    cx, cy = w.plots.data.curve_data()
    np.testing.assert_allclose(cy, w1 * cx + w2 * np.mean(rooms) + b, rtol=1e-9, atol=1e-9)
    assert "rooms" not in w.plots.data.caption.split("\n")[0]
    click(2)  # the target among the inputs: refused, the two inputs stay
    assert "both an input" in panel.error.text() and panel.error.isVisible()
    assert c.knobs.problem is problem and panel.selected_x() == [0, 1]
    click(0)
    click(1)  # nothing left to fit with
    assert "at least one x column" in panel.error.text() and c.knobs.problem.n_params == 2
    settle(qtbot, w)
