"""The schedule panel: every schedule of core, its numbers and words, bound to the run."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from _window import close_window, open_window, settle, type_into

from core.optim.schedules import make_schedule


@pytest.fixture
def window(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, problem="quadratic")
    yield w
    close_window(w)


def test_choosing_one_cycle_runs_it_and_a_word_parameter_is_typed_as_a_word(qtbot, window):
    w = window
    panel = w.panels.schedule
    panel.schedule.setCurrentText("onecycle")
    settle(qtbot, w)
    steps = w.model.knobs.config.steps
    spec = w.model.knobs.config.schedule
    assert spec["name"] == "onecycle" and spec["total_steps"] == steps
    assert panel.param_fields["anneal_strategy"].text() == "cos"
    assert panel.param_fields["three_phase"].text() == "false"
    type_into(qtbot, panel.param_fields["anneal_strategy"], "linear")
    settle(qtbot, w)
    spec = w.model.knobs.config.schedule
    assert spec["anneal_strategy"] == "linear"
    lr0 = w.model.knobs.lr
    expected = make_schedule(spec).lr(lr0, np.arange(len(w.model.table)))
    np.testing.assert_array_equal(w.model.table["lr"], expected)


def test_a_word_the_schedule_does_not_know_is_refused_and_changes_nothing(qtbot, window):
    w = window
    panel = w.panels.schedule
    panel.schedule.setCurrentText("cyclic")
    settle(qtbot, w)
    before = dict(w.model.knobs.config.schedule)
    type_into(qtbot, panel.param_fields["mode"], "sine")
    settle(qtbot, w)
    assert w.model.knobs.config.schedule == before
    assert "mode for the cyclic schedule must be one of triangular, triangular2, exp_range" \
        in panel.schedule_error.text()


def test_gradient_noise_is_a_knob_the_run_and_its_saved_knobs_carry(qtbot, window):
    w = window
    panel = w.panels.batch
    exact = np.array(w.model.table["grad_a"])
    type_into(qtbot, panel.noise, "0.5")
    settle(qtbot, w)
    assert w.model.knobs.config.noise == 0.5
    table = w.model.table
    theta = np.column_stack([table["a"], table["b"]])
    noisy = np.column_stack([table["grad_a"], table["grad_b"]])
    true = w.model.knobs.problem.grad(theta)
    assert not np.allclose(noisy, true) and len(table) > 1
    assert not np.array_equal(table["grad_a"][: len(exact)], exact[: len(table)])
    assert w.model.knobs_dict()["noise"] == 0.5
    type_into(qtbot, panel.noise, "-1")
    settle(qtbot, w)
    assert w.model.knobs.config.noise == 0.5
    assert "noise must be a number from 0 to" in panel.noise.error_text()
