"""The gradient check in the window: core's three gradients at the point on screen, one
column per parameter, green where they agree; asked for with a button, computed as a
background job, cleared when the run it describes is replaced."""

from __future__ import annotations

import numpy as np
import pytest
from _window import WAIT_MS, open_window
from PySide6.QtCore import Qt

import core
from desktop.model import WindowModel
from desktop.panels.gradcheck_panel import FAIL_BG, PASS_BG


def model(problem: str) -> WindowModel:
    m = WindowModel()
    m.knobs.set_problem(problem)
    m.start(play=False)
    m.settle()
    return m


def test_the_check_is_taken_at_the_newest_row_or_the_selected_step():
    m = model("house-prices")
    m.check_gradient()
    assert m.gradcheck.pending and m.gradcheck.answer is None
    m.settle()
    answer = m.gradcheck.answer
    last = len(m.table) - 1
    assert not m.gradcheck.pending and answer.step == last
    np.testing.assert_array_equal(answer.check.theta, [m.table["w"][last], m.table["b"][last]])
    np.testing.assert_array_equal(answer.check.hand,
                                  [m.table["grad_w"][last], m.table["grad_b"][last]])
    m.select_step(3)
    m.check_gradient()
    m.settle()
    assert m.gradcheck.answer.step == 3
    np.testing.assert_array_equal(m.gradcheck.answer.check.theta,
                                  [m.table["w"][3], m.table["b"][3]])
    assert m.gradcheck.answer.check.agrees()


def test_a_new_run_or_a_new_problem_clears_the_check():
    m = model("rosenbrock")
    m.check_gradient()
    m.settle()
    assert m.gradcheck.answer is not None
    m.knobs.set_lr(m.knobs.lr / 2)
    m.settle()
    assert m.gradcheck.answer is None  # its step belonged to the old run
    m.check_gradient()
    m.settle()
    m.knobs.set_problem("quadratic")
    m.settle()
    assert m.gradcheck.answer is None and not m.gradcheck.pending


def test_a_diverged_run_is_checked_at_its_last_finite_row():
    m = model("quadratic")
    m.knobs.set_lr(0.5)
    m.settle()
    assert m.trainer.status == "diverged"
    m.check_gradient()
    m.settle()
    assert m.gradcheck.answer.step == m.trainer.diverged_at - 1
    assert np.all(np.isfinite(m.gradcheck.answer.check.theta))


def test_the_panel_shows_each_parameter_green(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, problem="glasses-vs-ring")
    section = w.sections["Gradient check"]
    section.set_expanded(True)
    panel = w.panels.gradcheck
    assert not panel.table.isVisible()
    qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.model.gradcheck.answer is not None, timeout=WAIT_MS)
    check = w.model.gradcheck.answer.check
    t = panel.table
    assert t.isVisible() and t.columnCount() == 3
    assert [t.horizontalHeaderItem(j).text() for j in range(3)] == ["w1", "w2", "b"]
    for j in range(3):
        assert t.item(0, j).text() == f"{check.hand[j]:.3g}"
        assert t.item(0, j).toolTip() == repr(float(check.hand[j]))
        assert t.item(2, j).text() == f"{check.finite_diff[j]:.3g}"
        assert t.item(4, j).text() == "pass"
        assert t.item(4, j).background().color().name() == PASS_BG
        auto = t.item(1, j).text()
        assert auto == ("—" if check.autograd is None else f"{check.autograd[j]:.3g}")
    step = w.model.gradcheck.answer.step
    assert panel.where.text().startswith(f"At step {step:,} (w1 = ")
    assert "agrees" in panel.verdict.text()


def test_a_failing_parameter_is_red(qtbot, tmp_path, monkeypatch):
    from core.problems.classic import Rosenbrock

    right = Rosenbrock.grad_c
    monkeypatch.setattr(Rosenbrock, "grad_c",
                        lambda self, xp, p, data: (right(self, xp, p, data)[0] * 1.01,
                                                   right(self, xp, p, data)[1]))
    w = open_window(qtbot, tmp_path, problem="quadratic")
    combo = w.panels.problem.combo
    combo.setCurrentIndex(combo.findData("rosenbrock"))
    w.sections["Gradient check"].set_expanded(True)
    panel = w.panels.gradcheck
    qtbot.waitUntil(lambda: w.model.idle(), timeout=WAIT_MS)
    qtbot.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.model.gradcheck.answer is not None, timeout=WAIT_MS)
    assert panel.table.item(4, 0).text() == "fail"
    assert panel.table.item(4, 0).background().color().name() == FAIL_BG
    assert panel.table.item(4, 1).text() == "pass"
    assert "disagrees" in panel.verdict.text()


@pytest.mark.parametrize("name", ["single-weight", "and-gate"])
def test_every_seed_problem_passes_at_its_start(name):
    m = model(name)
    m.select_step(0)
    m.check_gradient()
    m.settle()
    answer = m.gradcheck.answer
    assert answer.step == 0 and answer.check.agrees()
    np.testing.assert_array_equal(answer.check.theta, core.get_problem(name).start)
