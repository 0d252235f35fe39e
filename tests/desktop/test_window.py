"""The window, driven through its widgets: presets, slider, start point, divergence,
the step table, keyboard shortcuts, settings across a restart, typed errors.

Assertions read the data handed to the plot items (``getData()``), not pixels.
The views' items are the views' own attributes; the helpers below name them once.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from _window import WAIT_MS, settle, type_into, wait_presets, windows_for_a_test
from PySide6.QtCore import QSettings, Qt, QTimer

import core
from desktop.main_window import MainWindow
from desktop.settings import Settings

# the offscreen platform warns whenever a window's size constraints change
pytestmark = pytest.mark.qt_log_ignore(r"^This plugin does not support propagateSizeHints\(\)$")


def path_data(w: MainWindow) -> tuple[np.ndarray, np.ndarray]:
    x, y = w.plots.contour._line.getData()
    return np.asarray(x), np.asarray(y)


def highlight_data(w: MainWindow) -> tuple[np.ndarray, np.ndarray]:
    x, y = w.plots.contour._highlight_marker.getData()
    return np.asarray(x), np.asarray(y)


@pytest.fixture
def make_window(qtbot, tmp_path):
    yield from windows_for_a_test(qtbot, tmp_path)


def test_preset_buttons_set_their_lr_and_the_status_names_each_run(qtbot, make_window):
    w = make_window("line-one-point")
    wait_presets(qtbot, w)
    m, strip = w.model, w.strip
    lrs = m.insight.preset_lrs()
    qtbot.mouseClick(strip.presets["too-small"], Qt.MouseButton.LeftButton)
    settle(qtbot, w)
    assert m.knobs.lr == lrs["too-small"]
    assert float(strip.lr.field.text()) == pytest.approx(lrs["too-small"], rel=1e-5)
    assert "still falling" in w.status_label.text()
    qtbot.mouseClick(strip.presets["just-right"], Qt.MouseButton.LeftButton)
    settle(qtbot, w)
    assert m.knobs.lr == lrs["just-right"]
    assert "within the tolerance" in w.status_label.text()
    qtbot.mouseClick(strip.presets["too-big"], Qt.MouseButton.LeftButton)
    settle(qtbot, w)
    assert m.knobs.lr == lrs["too-big"]
    status = w.status_label.text()
    assert status.startswith("Diverged") or "ended above where it started" in status
    assert f"lr·λmax = {lrs['too-big'] * 4:.3g} > 2" in status  # the too-big run's own
    assert "Too small" not in status
    reason = w.panels.stability.reason.text()
    assert reason.startswith("Too big") and "lr·λmax" in reason
    assert strip.gauge.text.text() == f"lr·λmax {lrs['too-big'] * 4:.4g}"


def test_moving_the_slider_reruns_and_the_plots_and_table_show_the_same_run(qtbot,
                                                                            make_window):
    w = make_window("quadratic")
    before_x, before_y = path_data(w)
    assert len(before_x) > 2
    slider = w.strip.lr.slider
    slider.setValue(slider.value() - 40)  # what a drag delivers: valueChanged
    settle(qtbot, w)
    assert w.plots.model.table is w.model.table  # the table shows the run the plots show
    after_x, after_y = path_data(w)
    assert w.model.knobs.lr == pytest.approx(slider.float_value())
    assert w.strip.lr.field.text() == f"{slider.float_value():.6g}"
    assert not (np.array_equal(before_x, after_x) and np.array_equal(before_y, after_y))
    np.testing.assert_array_equal(after_x, w.model.table["a"][: len(after_x)])
    index = w.plots.model.index(0, w.model.table.columns.index("lr"))
    assert float(w.plots.model.data(index)) == pytest.approx(w.model.knobs.lr, rel=1e-5)


def test_during_a_drag_the_table_never_trails_the_knob(qtbot, make_window):
    w = make_window("quadratic")
    seen: list[bool] = []  # after each frame: does the table show the plots' run?

    def check(_frame) -> None:
        x, _y = path_data(w)
        seen.append(w.plots.model.table is w.model.table
                    and w.plots.model.rowCount() == len(w.model.table)
                    and x[0] == w.model.table["a"][0])

    w.model.framed.connect(check)
    slider = w.strip.lr.slider
    for _ in range(12):  # faster than frames: some moves wait for the next one
        slider.setValue(slider.value() - 3)
        qtbot.waitUntil(lambda: not w.model.rerun_pending, timeout=WAIT_MS)
    settle(qtbot, w)
    w.model.framed.disconnect(check)
    assert seen and all(seen)
    assert w.model.table["lr"][0] == w.model.knobs.lr
    index = w.plots.model.index(0, w.model.table.columns.index("lr"))
    assert float(w.plots.model.data(index)) == pytest.approx(w.model.knobs.lr, rel=1e-5)


def test_after_a_new_problem_the_table_holds_its_run(qtbot, make_window):
    w = make_window()
    for name in ("quadratic", "rosenbrock", "house-prices"):
        combo = w.panels.problem.combo
        combo.setCurrentIndex(combo.findData(name))
        settle(qtbot, w)
        assert w.plots.model.table is w.model.table
        assert w.plots.model.rowCount() == len(w.model.table) > 1


def test_dragging_or_clicking_the_start_point_moves_the_run(qtbot, make_window):
    w = make_window("quadratic")
    w.plots.contour.startMoved.emit(2.0, 1.5)
    settle(qtbot, w)
    table = w.model.table
    assert (table["a"][0], table["b"][0]) == (2.0, 1.5)
    assert w.panels.problem.start.text() == "2, 1.5"
    x, y = path_data(w)
    assert (x[0], y[0]) == (2.0, 1.5)
    w.plots.contour.clicked.emit(-3.0, 4.0)
    settle(qtbot, w)
    assert w.model.knobs.config.start == (-3.0, 4.0)
    assert w.model.table["a"][0] == -3.0


def test_a_typed_start_point_is_checked(qtbot, make_window):
    w = make_window("quadratic")
    type_into(qtbot, w.panels.problem.start, "1, 2, 3")
    assert w.panels.problem.start.error.isVisible()
    assert "2 values" in w.panels.problem.start.error.text()
    assert w.model.knobs.config.start == w.model.knobs.problem.start
    type_into(qtbot, w.panels.problem.start, "1, 2")
    settle(qtbot, w)
    assert not w.panels.problem.start.error.isVisible()
    assert w.model.table["a"][0] == 1.0


def test_a_diverging_run_stops_says_why_and_leaves_the_window_responsive(qtbot, make_window):
    w = make_window("quadratic")
    type_into(qtbot, w.strip.lr.field, "0.5")
    settle(qtbot, w)
    m = w.model
    assert m.trainer.status == "diverged"
    status = w.status_label.text()
    assert status.startswith("Diverged at step") and "lr·λmax = 5 > 2" in status
    x, y = path_data(w)  # NaN separates clipped pieces; inf or absurd values never reach it
    for values in (x, y):
        shown = values[~np.isnan(values)]
        assert np.all(np.isfinite(shown)) and np.abs(shown).max() < 1e6
    _, loss_y = w.plots.loss._curve.getData()
    assert np.all(np.isfinite(loss_y)) and len(loss_y) == m.trainer.diverged_at
    probe = QTimer()
    probe.setSingleShot(True)
    with qtbot.waitSignal(probe.timeout, timeout=1000):  # the event loop still turns
        probe.start(10)
    qtbot.mouseClick(w.panels.run.halve, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.panels.run.halve, Qt.MouseButton.LeftButton)
    settle(qtbot, w)
    assert m.knobs.lr == pytest.approx(0.125)
    assert not w.status_label.text().startswith("Diverged")


def test_the_table_follows_the_run_and_a_selected_row_reaches_the_plots(qtbot, make_window):
    w = make_window("rosenbrock")
    m, table = w.model, w.plots.table
    qtbot.mouseClick(w.strip.reset, Qt.MouseButton.LeftButton)
    m.knobs.set_speed(3000)
    qtbot.mouseClick(w.strip.play, Qt.MouseButton.LeftButton)
    assert w.strip.play.text() == "Pause" and w.strip.play.accessibleName() == "Pause"
    qtbot.waitUntil(lambda: w.plots.model.table is m.table and w.plots.model.rowCount() > 300,
                    timeout=WAIT_MS)
    last = w.plots.model.index(w.plots.model.rowCount() - 1, 0)
    qtbot.waitUntil(lambda: table.viewport().rect().intersects(table.visualRect(last)),
                    timeout=WAIT_MS)
    qtbot.mouseClick(w.strip.play, Qt.MouseButton.LeftButton)
    assert not m.playing and w.strip.play.text() == "Play"
    settle(qtbot, w)
    assert w.plots.model.rowCount() == len(m.table)  # paused: the table is exact
    table.selectRow(5)
    assert m.selection.step == 5
    # a frame that was already on its way (a re-run of the same knobs) never takes
    # the user's selection back
    m.knobs.set_lr(m.knobs.lr * 0.999)
    settle(qtbot, w)
    assert m.selection.step == 5 and table.selected_rows() == [5]
    hx, hy = highlight_data(w)
    assert (hx[0], hy[0]) == (m.table["a"][5], m.table["b"][5])
    lx, _ = w.plots.loss._highlight_dot.getData()
    assert lx[0] == 5


def test_keyboard_shortcuts_do_what_they_say(qtbot, make_window, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from desktop.exports.export_dialog import ExportDialog

    asked: list[str] = []  # dialogs are never opened in tests: record that they were asked for
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (asked.append("save"), ("", ""))[1]))
    monkeypatch.setattr(ExportDialog, "ask",
                        classmethod(lambda cls, *a, **k: asked.append("export")))
    w = make_window("quadratic")
    wait_presets(qtbot, w)
    m = w.model
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=5000)
    w.plots.contour.setFocus()
    qtbot.keyClick(w, Qt.Key.Key_R)
    assert len(m.table) == 1
    qtbot.keyClick(w, Qt.Key.Key_Right)
    qtbot.keyClick(w, Qt.Key.Key_Right)
    assert len(m.table) == 3
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert m.playing
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert not m.playing
    lrs = m.insight.preset_lrs()
    for key, name in ((Qt.Key.Key_1, "too-small"), (Qt.Key.Key_2, "just-right"),
                      (Qt.Key.Key_3, "too-big")):
        qtbot.keyClick(w, key)
        assert m.knobs.lr == lrs[name]
    lr = m.knobs.lr
    qtbot.keyClick(w, Qt.Key.Key_H)
    assert m.knobs.lr == pytest.approx(lr / 2)
    qtbot.keyClick(w, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["save", "export"]  # Save session… and Export…, each cancelled
    qtbot.keyClick(w, Qt.Key.Key_F1)
    assert w.help_box is not None and w.help_box.isVisible()
    assert "Space" in w.help_box.text()
    w.help_box.close()
    settle(qtbot, w)


def test_settings_survive_a_restart(qtbot, make_window):
    w = make_window("quadratic")
    type_into(qtbot, w.strip.lr.field, "0.0375")
    w.panels.optimizer.combo.setCurrentIndex(w.panels.optimizer.combo.findData("adam"))
    w.plots.contour.startMoved.emit(1.25, -2.5)
    screen = w.screen().availableGeometry()  # restoreGeometry keeps a window on its screen
    size = (screen.width() * 3 // 4 + 7, screen.height() * 3 // 4 + 5)
    size = (max(size[0], w.minimumSizeHint().width()), max(size[1],
                                                            w.minimumSizeHint().height()))
    w.resize(*size)
    settle(qtbot, w)
    size = (w.width(), w.height())
    w.close()
    again = make_window()
    k = again.model.knobs
    assert k.problem.name == "quadratic"
    assert (k.config.optimizer, k.lr, k.config.start) == ("adam", 0.0375, (1.25, -2.5))
    assert again.strip.lr.field.text() == "0.0375"
    assert again.panels.optimizer.combo.currentData() == "adam"
    assert (again.width(), again.height()) == size
    assert again.model.table["a"][0] == 1.25


def test_typed_bad_lr_shows_an_error_and_keeps_the_old_lr(qtbot, make_window):
    w = make_window()
    m, field = w.model, w.strip.lr.field
    old = m.knobs.lr
    built = m.playback.runs_built
    type_into(qtbot, field, "fast please")
    assert "not a number" in field.error_text()
    assert "not a number" in w.status_label.text()  # the strip keeps its height
    assert "not a number" in field.field.toolTip()
    assert m.knobs.lr == old and m.playback.runs_built == built
    type_into(qtbot, field, "-1")
    assert ">= 0" in field.error_text()
    assert m.knobs.lr == old and m.playback.runs_built == built
    assert field.text() == "-1"  # the text stays so it can be corrected
    type_into(qtbot, field, "0.05")
    settle(qtbot, w)
    assert field.error_text() == ""
    assert m.knobs.lr == 0.05


def test_an_error_in_a_run_ends_in_a_message_box_with_what_to_do(qtbot, monkeypatch,
                                                                 make_window):
    w = make_window()

    def broken(*_a, **_k):
        raise RuntimeError("the engine fell over")

    monkeypatch.setattr(core, "make_trainer", broken)
    type_into(qtbot, w.strip.lr.field, "0.05")
    qtbot.waitUntil(lambda: bool(make_window.errors), timeout=WAIT_MS)
    assert "the engine fell over" in make_window.errors[-1]
    assert "You can keep working" in make_window.errors[-1]
    monkeypatch.undo()


def test_torch_is_greyed_out_with_the_install_hint_when_absent(qtbot, monkeypatch,
                                                               make_window):
    monkeypatch.setattr(core, "torch_available", lambda: False)
    w = make_window()
    s = w.panels.backend
    w.sections["Backend"].set_expanded(True)
    assert not s.backend.model().item(1).isEnabled()
    assert s.hint.isVisible()
    assert 'pip install "lr-playground[torch]"' in s.hint.text()


def test_the_optimizer_panel_shows_only_its_own_hyper_parameters(qtbot, make_window):
    w = make_window("quadratic")
    panel = w.panels.optimizer
    assert set(panel.inputs) == set(core.optimizer_defaults("sgd"))
    panel.combo.setCurrentIndex(panel.combo.findData("rmsprop"))
    assert set(panel.inputs) == set(core.optimizer_defaults("rmsprop"))
    assert w.model.knobs.config.optimizer == "rmsprop"
    type_into(qtbot, panel.inputs["momentum"], "0.5")
    assert w.model.knobs.config.hyper == {"momentum": 0.5}
    type_into(qtbot, panel.inputs["alpha"], "2")
    assert panel.error.isVisible() and "alpha" in panel.error.text()
    assert w.model.knobs.config.hyper == {"momentum": 0.5}
    settle(qtbot, w)


def test_the_problem_panel_shows_options_and_the_pair_for_three_parameters(qtbot,
                                                                            make_window):
    w = make_window("quadratic")
    panel = w.panels.problem
    assert set(panel.option_fields) == {"condition", "angle"}
    assert w.model.knobs.problem.title.startswith(panel.combo.currentText().rstrip("…")[:10])
    assert panel.description.text() == w.model.knobs.problem.description
    type_into(qtbot, panel.option_fields["condition"], "4")
    assert w.model.knobs.config.options["condition"] == 4.0
    assert not panel.axes_row.isVisible()
    panel.combo.setCurrentIndex(panel.combo.findData("glasses-vs-ring"))
    assert panel.axes_row.isVisible()
    panel.axis_y.setCurrentIndex(2)
    assert w.model.knobs.axes == (0, 2)
    assert w.plots.contour.getPlotItem().getAxis("left").labelText == "b"
    settle(qtbot, w)


def test_a_one_parameter_problem_shows_the_line_view(qtbot, make_window):
    w = make_window("single-weight")
    assert w.plots.stack.currentWidget() is w.plots.line
    ball_x, _ = w.plots.line._ball.getData()
    assert ball_x[0] == w.model.table["w"][-1]


def test_clicking_the_sweep_sets_the_learning_rate(qtbot, make_window):
    w = make_window("quadratic")
    w.plots.sweep.lrPicked.emit(0.0123)
    settle(qtbot, w)
    assert w.model.knobs.lr == 0.0123
    assert w.strip.lr.field.text() == "0.0123"


def test_compared_runs_are_drawn_and_leave_when_the_learning_rate_moves(qtbot, make_window):
    w = make_window("quadratic")
    wait_presets(qtbot, w)
    qtbot.mouseClick(w.panels.run.compare, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(w.plots.contour._compare_items) == 3, timeout=WAIT_MS)
    names = [item.name() for item in w.plots.contour._compare_items]
    assert [n.split(" (")[0] for n in names] == ["too small", "just right", "too big"]
    qtbot.mouseClick(w.panels.run.pin, Qt.MouseButton.LeftButton)
    assert len(w.plots.contour._compare_items) == 4
    w.strip.lr.slider.setValue(w.strip.lr.slider.value() - 5)
    assert len(w.plots.contour._compare_items) == 1  # the pinned run stays
    qtbot.mouseClick(w.panels.run.clear, Qt.MouseButton.LeftButton)
    assert w.plots.contour._compare_items == []
    settle(qtbot, w)


def test_after_reset_the_status_and_plots_show_the_start(qtbot, make_window):
    w = make_window("quadratic")
    qtbot.mouseClick(w.strip.reset, Qt.MouseButton.LeftButton)
    settle(qtbot, w)
    assert w.status_label.text().startswith("Ready at the start point")
    x, _ = path_data(w)
    assert len(x[~np.isnan(x)]) == 1


APP_WITH_PROBES = """
import gc, sys
from desktop.app import main
import desktop.main_window as mw

def probed(method, label):
    def call(self, *args):
        print(label, gc.isenabled(), *([self.is_complete] if label == "close" else []), flush=True)
        return method(self, *args)
    return call

mw.MainWindow.showEvent = probed(mw.MainWindow.showEvent, "show")
close = probed(mw.MainWindow.closeEvent, "close")

def close_with_icon(self, event):
    print("icon", not self.windowIcon().isNull(), flush=True)
    return close(self, event)

mw.MainWindow.closeEvent = close_with_icon
rc = main(['lr-playground', '--quit-after-ms', '1500'])
print('rc', rc, 'torch' in sys.modules, gc.isenabled())
"""


def test_the_app_starts_plays_and_quits_without_importing_torch(tmp_path):
    # and the cycle collector, off while the program starts, is back once the window is
    # whole, and the window has its icon by then
    code = APP_WITH_PROBES
    env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines() == ["show False", "icon True", "close True True",
                                               "rc 0 False True"]
    assert "Traceback" not in out.stderr


def test_at_launch_the_first_run_plays_and_says_what_to_do(qtbot, make_window):
    w = make_window(quick_intro=False)
    m = w.model  # the fixture waited for the first run to end: it was played step by step
    assert m.playback.runs_built == 1 and m.trainer.status == "converged"
    assert "Too small (1), Just right (2) and Too big (3)" in w.status_label.text()
    qtbot.mouseClick(w.strip.reset, Qt.MouseButton.LeftButton)
    assert "Too small (1)" not in w.status_label.text()  # said once, until the first action


def test_the_first_paint_comes_before_the_knobs_which_follow_unasked(qtbot, tmp_path):
    from PySide6.QtCore import QEvent, QObject

    qs = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=Settings(qs), show_error=lambda *a: pytest.fail(str(a)))
    qtbot.addWidget(w)
    seen: list[bool] = []

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):  # Qt override
            if event.type() == QEvent.Type.Paint and not seen:
                seen.append(w.is_complete)
            return False

    spy = FirstPaint(w)
    w.installEventFilter(spy)
    at_paint: list[tuple] = []

    class StartOnScreen(QObject):  # what the first paint shows of the run
        def eventFilter(self, watched, event):  # Qt override
            if event.type() == QEvent.Type.Paint and not at_paint:
                contour = w.plots.contour
                at_paint.append((w.runtime.clock.frames, w.status_label.text(),
                                 w.plots.model.rowCount(), contour._start.pos().x(),
                                 contour._start.pos().y(), contour._start.isVisible()))
            return False

    w.installEventFilter(StartOnScreen(w))
    assert not w.is_complete and w.knobs_scroll.widget() is None
    w.resize(1200, 800)
    w.show()
    qtbot.waitUntil(lambda: w.is_complete, timeout=WAIT_MS)  # nothing asked for them
    assert seen == [False]  # the window painted while the knobs were still to come
    # ... and before any frame: the run at its start, and a sentence true of that
    frames, status, rows, x, y, shown = at_paint[0]
    assert frames == 0 and rows == 1 and shown
    assert (x, y) == tuple(w.model.knobs.start)
    assert status.startswith("Running: at the start point"), status
    qtbot.waitUntil(lambda: w.runtime.clock.frames > 0, timeout=WAIT_MS)  # then it plays
    assert w.knobs_scroll.widget().isVisible()
    assert w.inspector_dock.widget() is w.extras.inspector and w.extras.inspector.isVisible()
    assert w.panels.problem.combo.currentData() == w.model.knobs.problem.name
    settle(qtbot, w)


def test_asking_for_the_knobs_before_the_window_shows_builds_them_then(qtbot, tmp_path):
    qs = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=Settings(qs), show_error=lambda *a: pytest.fail(str(a)))
    qtbot.addWidget(w)
    assert not w.is_complete
    combo = w.panels.optimizer.combo  # built on demand, bound to the model already
    assert w.is_complete and combo.currentData() == w.model.knobs.config.optimizer
    assert w.extras.lesson_dock is w.lesson_dock and not w.lesson_dock.isVisible()
    combo.setCurrentIndex(combo.findData("adam"))
    assert w.model.knobs.config.optimizer == "adam"


def test_settings_store_floats_exactly_and_survive_junk(tmp_path):
    path = str(tmp_path / "typed.ini")
    s = Settings(QSettings(path, QSettings.Format.IniFormat))
    s.set_float("lr", 0.01)
    s.set_bool("flag", False)
    s.set_json("knobs", {"lr": 0.1 + 0.2, "betas": [0.9, 0.999]})
    s.qsettings.setValue("junk", "not a number")
    s.sync()
    fresh = Settings(QSettings(path, QSettings.Format.IniFormat))  # strings, as a new process
    assert fresh.get_float("lr", 1.0) == 0.01
    assert fresh.get_bool("flag", True) is False
    assert fresh.get_json("knobs") == {"lr": 0.1 + 0.2, "betas": [0.9, 0.999]}
    assert fresh.get_float("junk", 2.5) == 2.5
    assert fresh.knobs() == {}


def test_an_unexpected_exception_is_logged_and_shown(tmp_path, monkeypatch):
    import logging

    from desktop import errors

    shown = []
    monkeypatch.setattr(errors, "show_error",
                        lambda parent, title, text, details="": shown.append((text, details)))
    monkeypatch.setattr(errors, "log_path", lambda: str(tmp_path / "lr-playground.log"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        assert errors.setup_logging() == str(tmp_path / "lr-playground.log")
        errors.install_excepthook(lambda: None)
        try:
            raise ValueError("a knob fell off")
        except ValueError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        for handler in root.handlers[len(handlers):]:
            handler.close()
            root.removeHandler(handler)
        root.setLevel(level)
    text, details = shown[-1]
    assert "a knob fell off" in text and "You can keep working" in text
    assert "Traceback" in details
    assert "a knob fell off" in (tmp_path / "lr-playground.log").read_text()


def test_a_windowed_process_without_stderr_gets_a_harmless_one(monkeypatch):
    from desktop import errors

    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(sys, "stdout", None)
    errors.guard_std_streams()
    print("goes nowhere", file=sys.stderr)
    sys.stderr.close()
    sys.stdout.close()


def test_every_knob_explains_itself_in_one_sentence(qtbot, make_window):
    from PySide6.QtWidgets import (
        QAbstractSpinBox,
        QCheckBox,
        QComboBox,
        QLineEdit,
        QPushButton,
        QSlider,
        QToolButton,
    )

    w = make_window("and-gate")  # a data problem: every panel row is shown
    kinds = (QSlider, QAbstractSpinBox, QCheckBox, QComboBox, QLineEdit, QPushButton,
             QToolButton)
    missing = []
    for panel in (*vars(w.panels).values(), w.strip):
        for kind in kinds:
            for widget in panel.findChildren(kind):
                if isinstance(widget.parent(), (QAbstractSpinBox, QLineEdit)):
                    continue  # a spin box's editor, a field's clear button: the parent's tip
                tip = widget.toolTip().strip()
                if not tip:
                    missing.append(f"{type(panel).__name__}: {type(widget).__name__} "
                                   f"{getattr(widget, 'text', lambda: '')()!r}")
                elif not tip.split("\n")[0].endswith((".", ")", "…)")):
                    missing.append(f"{type(panel).__name__}: {tip!r} is not a sentence")
    assert not missing, "\n".join(missing)
    settle(qtbot, w)
