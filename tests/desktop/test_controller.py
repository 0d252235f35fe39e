"""The window's model, driven without any view: knobs, re-runs, the clock, presets, words."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("pytestqt")

import core
from desktop.controller import Controller
from desktop.controller.clock import BUDGET_S, advance_within
from desktop.controller.state import config_from_knobs

WAIT_MS = 20_000


@pytest.fixture
def make_controller(qtbot):
    made: list[Controller] = []

    def make(problem: str | None = None, start: bool = True) -> Controller:
        c = Controller()
        if problem is not None:
            c.set_problem(problem)
        if start:
            c.start()
        made.append(c)
        return c

    yield make
    for c in made:
        c.shutdown()
        assert not c._clock.running, "the run clock kept running after shutdown"
        assert not c._rerun_timer.isActive()


def settle(qtbot, c: Controller) -> None:
    """Wait until no re-run is pending and the run has caught up."""
    qtbot.waitUntil(lambda: not c._rerun_timer.isActive() and not c._clock.running,
                    timeout=WAIT_MS)


def wait_presets(qtbot, c: Controller) -> None:
    qtbot.waitUntil(lambda: c.presets is not None, timeout=WAIT_MS)


def test_start_builds_the_whole_run_and_says_what_happened(make_controller):
    c = make_controller()
    assert c.problem.name == "line-one-point"
    assert c.trainer is not None and len(c.table) >= 2
    assert c.trainer.status == "converged"
    assert c.status.startswith("Converged at step")


def test_a_knob_change_while_paused_replays_the_run(qtbot, make_controller):
    c = make_controller("quadratic")
    before = np.array(c.table["a"])
    built = c.runs_built
    c.set_lr(0.05)
    settle(qtbot, c)
    assert c.runs_built > built
    assert c.config.lr == 0.05
    assert not np.array_equal(np.array(c.table["a"]), before)
    assert len(c.table) == c.config.steps + 1 or c.trainer.status == "converged"


def test_knob_bursts_coalesce_to_one_rerun_per_frame_and_the_last_value_wins(qtbot,
                                                                            make_controller):
    c = make_controller("quadratic")
    settle(qtbot, c)
    built = c.runs_built
    # 40 knob moves inside one pass of the event loop: the first re-runs at once,
    # the rest wait for the next frame, which reads the newest value
    for lr in np.geomspace(0.01, 0.1, 40):
        c.set_lr(float(lr))
    assert c.runs_built - built == 1
    settle(qtbot, c)
    assert c.runs_built - built == 2
    assert c.table["lr"][0] == pytest.approx(0.1)


def test_a_bad_learning_rate_is_refused_and_changes_nothing(make_controller):
    c = make_controller()
    old = c.config.lr
    with pytest.raises(core.ConfigError, match="lr"):
        c.set_lr(-1.0)
    assert c.config.lr == old


class FakeClock:
    """A clock the test moves: ``advance`` passes time, ``cost`` is charged per trainer row."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def charge_per_row(trainer, clock: FakeClock, seconds: float) -> None:
    """Make each row the trainer adds cost ``seconds`` on ``clock``."""
    advance = trainer.advance

    def costly(n: int) -> int:
        added = advance(n)
        clock.advance(added * seconds)
        return added

    trainer.advance = costly


def test_play_advances_with_the_speed_and_one_signal_per_frame(qtbot, make_controller):
    c = make_controller("rosenbrock")
    clock = FakeClock()
    c._clock.now = clock
    c.reset()
    assert len(c.table) == 1
    c.set_speed(2000)
    ticks = []
    c.rowsAdded.connect(lambda: ticks.append(len(c.table)))
    with qtbot.waitSignal(c.playingChanged, timeout=WAIT_MS):
        c.play()
    c._clock.stop()  # the test is the clock: one frame per tick() below
    for _ in range(10):
        clock.advance(0.016)
        c._clock.tick()
    # 2,000 steps a second for ten 16 ms frames: 320 rows, one signal per frame
    assert len(c.table) == 1 + 320
    assert ticks == [1 + 32 * k for k in range(1, 11)]
    c.pause()
    assert not c.playing and not c._clock.running
    rows = len(c.table)
    qtbot.wait(50)
    assert len(c.table) == rows
    assert c.status.startswith("Paused at step")


def test_one_step_adds_one_row_and_reset_goes_back_to_the_start(make_controller):
    c = make_controller("quadratic")
    c.reset()
    assert len(c.table) == 1
    c.step_once()
    c.step_once()
    assert len(c.table) == 3
    c.reset()
    assert len(c.table) == 1
    assert tuple(c.table.row(0)[n] for n in ("a", "b")) == c.problem.start


def test_scrubbing_mid_run_keeps_the_step_count(qtbot, make_controller):
    c = make_controller("quadratic")
    c.reset()
    for _ in range(7):
        c.step_once()
    c.set_lr(0.02)
    settle(qtbot, c)
    assert len(c.table) == 8
    assert c.table["lr"][0] == pytest.approx(0.02)


def test_divergence_stops_the_run_and_says_why_with_lr_times_lambda(qtbot, make_controller):
    c = make_controller("quadratic")
    c.set_lr(0.5)
    settle(qtbot, c)
    assert c.trainer.status == "diverged"
    assert not c.playing
    assert c.status.startswith(f"Diverged at step {c.trainer.diverged_at}")
    assert "lr·λmax" in c.status and "Halve" in c.status
    # the diverged row is never handed to a plot
    n = c.drawable_rows()
    assert n == c.trainer.diverged_at
    assert np.all(np.isfinite(c.table["loss"][:n]))
    c.halve_lr()
    c.halve_lr()
    settle(qtbot, c)
    assert c.config.lr == pytest.approx(0.125)
    assert c.trainer.status != "diverged"


def test_the_gauge_shows_lambda_max_and_the_limit(make_controller):
    c = make_controller("quadratic")
    g = c.gauge
    assert g.lam_max == pytest.approx(10.0)
    assert g.limit == pytest.approx(0.2)
    assert g.lr_lam == pytest.approx(c.config.lr * 10.0)
    assert "lr·λmax" in g.reason


@pytest.mark.parametrize("problem", ["line-one-point", "quadratic"])
def test_each_preset_behaves_as_named(qtbot, make_controller, problem):
    c = make_controller(problem)
    wait_presets(qtbot, c)
    lrs = c.presets.lrs
    c.apply_preset("too-small")
    settle(qtbot, c)
    assert c.config.lr == lrs["too-small"]
    assert c.trainer.status == "finished"
    assert c.table["loss"][-1] <= c.table["loss"][0]
    assert "without reaching the tolerance" in c.status
    c.apply_preset("just-right")
    settle(qtbot, c)
    assert c.config.lr == lrs["just-right"]
    assert c.trainer.status == "converged"
    assert "within the tolerance" in c.status
    c.apply_preset("too-big")
    settle(qtbot, c)
    assert c.config.lr == lrs["too-big"]
    t = c.trainer
    assert t.status == "diverged" or c.table["loss"][-1] > c.table["loss"][0]
    assert c.status.startswith("Diverged") or "ended above where it started" in c.status
    assert "Too big" in c.gauge.reason


def test_set_start_moves_the_run(qtbot, make_controller):
    c = make_controller("quadratic")
    c.set_start((2.0, -1.5))
    settle(qtbot, c)
    assert (c.table["a"][0], c.table["b"][0]) == (2.0, -1.5)
    with pytest.raises(core.ConfigError, match="start"):
        c.set_start((1.0,))
    assert c.config.start == (2.0, -1.5)


def test_batches_are_checked_against_the_problem(qtbot, make_controller):
    c = make_controller("house-prices")
    c.set_batch(2)
    settle(qtbot, c)
    assert "batch_loss" in c.table.columns
    c.set_problem("rosenbrock")
    with pytest.raises(core.ConfigError, match="data problem"):
        c.set_batch(2)
    assert c.config.batch == "full"


def test_three_parameter_problems_pick_the_pair_to_show(qtbot, make_controller):
    c = make_controller("and-gate")
    assert c.display_axes == (0, 1)
    c.set_display_axes(0, 2)
    assert c.display_axes == (0, 2)
    with pytest.raises(core.ConfigError, match="two different"):
        c.set_display_axes(1, 1)
    settle(qtbot, c)


def test_compare_runs_the_three_presets_and_pins_runs(qtbot, make_controller):
    c = make_controller("quadratic")
    wait_presets(qtbot, c)
    with qtbot.waitSignal(c.compareChanged, timeout=WAIT_MS):
        c.compare_presets()
    assert [key for _, key, _ in c.compare_runs] == ["too-small", "just-right", "too-big"]
    c.pin_current_run()
    assert c.compare_runs[-1][1] == "pin-0"
    c.clear_compare()
    assert c.compare_runs == []


def test_knobs_round_trip_through_plain_data(make_controller):
    c = make_controller("quadratic", start=False)
    c.set_optimizer("adam", betas=(0.8, 0.99))
    c.set_lr(0.03)
    c.set_start((1.0, 2.0))
    c.set_speed(500)
    knobs = c.knobs()
    problem, cfg, speed, _axes = config_from_knobs(knobs)
    assert problem.name == "quadratic"
    assert (cfg.optimizer, cfg.lr, cfg.start, speed) == ("adam", 0.03, (1.0, 2.0), 500.0)
    assert tuple(cfg.hyper["betas"]) == (0.8, 0.99)
    d = make_controller(start=False)
    d.restore(knobs)
    assert d.knobs() == knobs


def test_stale_or_broken_saved_knobs_fall_back_to_defaults(make_controller):
    c = make_controller(start=False)
    c.restore({"problem": "no-such-problem", "lr": 0.1})
    assert c.problem.name == "line-one-point"
    c.restore({"problem": "quadratic", "lr": -3})
    assert c.problem.name == "line-one-point"


def test_torch_backend_without_torch_names_the_install_command(monkeypatch, make_controller):
    c = make_controller()
    monkeypatch.setattr(core, "torch_available", lambda: False)
    with pytest.raises(core.ConfigError, match=r'pip install "lr-playground\[torch\]"'):
        c.set_backend("torch")
    assert c.config.backend == "numpy"


@pytest.mark.parametrize("row_cost", [1e-6, 1e-4, 3e-3, 0.02])
def test_advance_within_stops_once_its_time_budget_is_spent(row_cost):
    """However much a row costs, one call spends at most its budget plus one chunk,
    and a chunk is sized from the cost measured so far to stay inside the budget."""
    trainer = core.make_trainer("and-gate", core.RunConfig("and-gate", lr=0.5, steps=100_000,
                                                           batch="sample"))
    clock = FakeClock()
    charge_per_row(trainer, clock, row_cost)
    costs: dict = {}
    for _ in range(3):  # the first call learns the cost, the later ones use it
        began = clock()
        added = advance_within(trainer, 100_000, BUDGET_S, now=clock, costs=costs)
        spent = clock() - began
        assert 0 < added < 100_000
        assert spent < BUDGET_S + max(row_cost, 0.5 * BUDGET_S) + 16 * row_cost


def test_a_frame_never_holds_the_event_loop_past_its_budget(qtbot, make_controller):
    """At full speed on the slowest built-in step (per-sample and-gate), each tick's
    work stays within the frame budget, with each row costing a chosen time."""
    c = make_controller("and-gate")
    clock = FakeClock()
    c._clock.now = clock
    c.reset()
    charge_per_row(c.trainer, clock, 2e-5)
    c._clock.costs.clear()  # forget what the uncharged rows of the reset cost
    c.set_speed(100_000)
    c.play()
    c._clock.stop()
    spent = []
    for _ in range(20):
        clock.advance(0.016)
        began = clock()
        c._clock.tick()
        spent.append(clock() - began)
    c.pause()
    assert len(c.table) > 1000
    assert max(spent) <= BUDGET_S + 0.5 * BUDGET_S


def test_starting_the_window_model_never_imports_torch():
    code = ("import os, sys; os.environ['QT_QPA_PLATFORM']='offscreen';"
            "from PySide6.QtWidgets import QApplication; app = QApplication([]);"
            "from desktop.controller import Controller; c = Controller(); c.start();"
            "c.set_problem('rosenbrock'); c.jobs.wait_idle(); c.shutdown();"
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_the_torch_backend_loads_in_the_background_when_picked(qtbot, make_controller):
    pytest.importorskip("torch")
    c = make_controller("quadratic")
    messages = []
    c.statusChanged.connect(messages.append)
    loaded = "core.torch_backend.trainer" in sys.modules  # other tests may have imported it
    c.set_backend("torch", "cpu")
    if not loaded:
        assert c.config.backend == "numpy"  # not yet: torch is still loading
        assert messages and messages[0] == "torch backend loading…"
    qtbot.waitUntil(lambda: c.config.backend == "torch", timeout=60_000)
    settle(qtbot, c)
    assert type(c.trainer).__name__ == "TorchTrainer"
    numpy_run = core.train("quadratic", lr=c.config.lr, steps=c.config.steps,
                           tol=c.config.tol)
    np.testing.assert_allclose(c.table["a"], numpy_run.table["a"], rtol=1e-10)
