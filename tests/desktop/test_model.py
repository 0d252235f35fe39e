"""The window model without any widget and without a QApplication: knobs, re-runs,
frames on an injected clock, presets, compared and pinned runs, the selection.

Background work runs on `QueuedJobs` (``model.settle()`` drains it), so every
test gives the same answer on any machine.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import core
from desktop.model import WindowModel
from desktop.model.budget import BUDGET_S, advance_within
from desktop.model.knobs import parse_knobs


class FakeClock:
    """A clock the test moves: ``advance`` passes time, ``charge`` costs a trainer's rows."""

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


def make(problem: str | None = None, *, start: bool = True, clock=None) -> WindowModel:
    m = WindowModel(now=clock) if clock is not None else WindowModel()
    if problem is not None:
        m.knobs.set_problem(problem)
    if start:
        m.start(play=False)
        m.settle()
    return m


def test_start_builds_the_whole_run_and_says_what_happened():
    m = make()
    assert m.knobs.problem.name == "line-one-point"
    assert m.trainer is not None and len(m.table) >= 2
    assert m.trainer.status == "converged"
    assert m.status.startswith("Converged at step")
    assert m.verdict.kind == "converged"


def test_the_first_run_plays_at_launch_and_says_what_to_do():
    clock = FakeClock()
    m = WindowModel(now=clock)
    m.start()  # as the window does after its first paint
    assert m.playing and len(m.table) == 1
    for _ in range(30):
        clock.advance(1 / 60)
        m.frame(1 / 60)
    assert 1 < len(m.table) < 30  # 30 steps a second for half a second
    assert m.status.startswith("Running: step") and "Too big (3)" in m.status


def test_a_knob_change_while_paused_replays_the_run_in_the_next_frame():
    m = make("quadratic")
    before = np.array(m.table["a"])
    built = m.playback.runs_built
    m.knobs.set_lr(0.05)
    assert m.rerun_pending and m.playback.runs_built == built  # the frame does it
    m.settle()
    assert m.playback.runs_built == built + 1
    assert not np.array_equal(np.array(m.table["a"]), before)
    assert m.table["lr"][0] == 0.05


def test_many_knob_changes_between_two_frames_make_one_rerun_with_the_newest_value():
    m = make("quadratic")
    built = m.playback.runs_built
    for lr in np.geomspace(0.01, 0.1, 40):
        m.knobs.set_lr(float(lr))
    m.frame(1 / 60)
    assert m.playback.runs_built == built + 1
    assert m.table["lr"][0] == pytest.approx(0.1)


def test_a_bad_learning_rate_is_refused_and_changes_nothing():
    m = make()
    old = m.knobs.lr
    with pytest.raises(core.ConfigError, match="lr"):
        m.knobs.set_lr(-1.0)
    assert m.knobs.lr == old and not m.rerun_pending


def test_play_advances_with_the_speed_one_frame_at_a_time():
    clock = FakeClock()
    m = make("rosenbrock", clock=clock)
    m.reset()
    assert len(m.table) == 1
    m.knobs.set_speed(2000)
    frames = []
    m.framed.connect(frames.append)
    m.play()
    for _ in range(10):
        clock.advance(0.016)
        m.frame(0.016)
    # 2,000 steps a second for ten 16 ms frames: 320 rows, 32 a frame
    assert len(m.table) == 1 + 320
    assert [f.added for f in frames[-10:]] == [32] * 10
    m.pause()
    assert not m.playing and not m.wants_frames()
    assert m.status.startswith("Paused at step 320")


def test_one_step_adds_one_row_and_reset_goes_back_to_the_start():
    m = make("quadratic")
    m.reset()
    assert len(m.table) == 1
    m.step()
    m.step()
    assert len(m.table) == 3
    m.reset()
    assert len(m.table) == 1
    assert tuple(m.table.row(0)[n] for n in ("a", "b")) == m.knobs.problem.start


def test_scrubbing_mid_run_keeps_the_step_count():
    m = make("quadratic")
    m.reset()
    for _ in range(7):
        m.step()
    m.knobs.set_lr(0.02)
    m.settle()
    assert len(m.table) == 8
    assert m.table["lr"][0] == pytest.approx(0.02)


def test_a_preset_runs_the_whole_budget():
    m = make("quadratic")
    m.reset()
    m.step()
    m.apply_preset("too-small")
    m.settle()
    assert len(m.table) == m.knobs.steps + 1


def test_while_playing_the_learning_rate_changes_live():
    clock = FakeClock()
    m = make("rosenbrock", clock=clock)
    m.reset()
    m.play()
    clock.advance(0.1)
    m.frame(0.1)
    built = m.playback.runs_built
    m.knobs.set_lr(0.0005)
    assert not m.rerun_pending and m.playback.runs_built == built
    clock.advance(0.1)
    m.frame(0.1)
    assert m.table["lr"][-1] == 0.0005  # the updates after the change use it
    m.pause()


def test_divergence_stops_the_run_and_says_why_with_the_runs_own_numbers():
    m = make("quadratic")
    m.knobs.set_lr(0.5)
    m.settle()
    assert m.trainer.status == "diverged" and not m.playing
    assert m.status.startswith(f"Diverged at step {m.trainer.diverged_at}")
    assert "lr·λmax = 5 > 2" in m.status and "Halve" in m.status
    n = m.playback.drawable_rows()
    assert n == m.trainer.diverged_at
    assert np.all(np.isfinite(m.table["loss"][:n]))
    m.halve_lr()
    m.halve_lr()
    m.settle()
    assert m.knobs.lr == pytest.approx(0.125)
    assert m.trainer.status != "diverged"


def test_the_gauge_follows_the_learning_rate_knob():
    m = make("quadratic")
    g = m.insight.gauge
    assert g.lam_max == pytest.approx(10.0)
    assert g.limit == pytest.approx(0.2)
    assert g.ratio == pytest.approx(m.knobs.lr * 10.0)
    assert "lr·λmax" in g.reason
    seen = []
    m.insight.gauge_changed.connect(seen.append)
    m.knobs.set_lr(0.05)
    m.frame(0.0)  # the frame after the knob: the gauge with the new run, drawn once
    assert m.insight.gauge.ratio == pytest.approx(0.5)
    assert [gauge.ratio for gauge in seen] == [pytest.approx(0.5)]


@pytest.mark.parametrize("problem", ["line-one-point", "quadratic"])
def test_each_preset_behaves_as_named_and_the_status_names_its_own_run(problem):
    m = make(problem)
    lrs = m.insight.preset_lrs()
    m.apply_preset("too-small")
    m.settle()
    assert m.knobs.lr == lrs["too-small"]
    assert m.trainer.status == "finished"
    assert m.verdict.kind == "still-falling"
    assert "The learning rate is small" in m.status
    m.apply_preset("just-right")
    m.settle()
    assert m.trainer.status == "converged" and "within the tolerance" in m.status
    m.apply_preset("too-big")
    m.settle()
    t = m.trainer
    assert t.status == "diverged" or m.table["loss"][-1] > m.table["loss"][0]
    assert m.verdict.kind in ("diverged", "above-start")
    ratio = lrs["too-big"] * m.insight.theory.lam_max
    assert f"lr·λmax = {ratio:.3g} > 2" in m.status  # the too-big run's numbers
    assert "Too small" not in m.status and "smaller than just-right" not in m.status
    assert m.insight.gauge.reason.startswith("Too big")


def test_the_status_never_quotes_the_previous_run():
    """House prices: 0.6 then 0.7; each sentence carries its own lr·λmax."""
    m = make("house-prices")
    lam = m.insight.theory.lam_max
    for lr in (0.6, 0.7):
        m.knobs.set_lr(lr)
        m.settle()
        assert m.trainer.status == "diverged"
        assert f"lr·λmax = {lr * lam:.3g} > 2" in m.status
        assert "< 1" not in m.status and "without overshooting" not in m.status


def test_set_start_moves_the_run_and_a_bad_one_changes_nothing():
    m = make("quadratic")
    m.knobs.set_start((2.0, -1.5))
    m.settle()
    assert (m.table["a"][0], m.table["b"][0]) == (2.0, -1.5)
    with pytest.raises(core.ConfigError, match="start"):
        m.knobs.set_start((1.0,))
    assert m.knobs.config.start == (2.0, -1.5)


def test_batches_are_checked_against_the_problem():
    m = make("house-prices")
    m.knobs.set_batch(2)
    m.settle()
    assert "batch_loss" in m.table.columns
    m.knobs.set_problem("rosenbrock")
    with pytest.raises(core.ConfigError, match="data problem"):
        m.knobs.set_batch(2)
    assert m.knobs.config.batch == "full"


def test_three_parameter_problems_pick_the_pair_to_show():
    m = make("and-gate")
    assert m.knobs.axes == (0, 1)
    m.knobs.set_axes(0, 2)
    assert m.knobs.axes == (0, 2) and m.insight.surface.axes == (0, 2)
    with pytest.raises(core.ConfigError, match="two different"):
        m.knobs.set_axes(1, 1)


def test_compared_runs_leave_when_a_knob_changes_and_pinned_runs_stay():
    m = make("quadratic")
    m.compare_presets()
    m.settle()
    assert [r.key for r in m.compare.runs] == ["too-small", "just-right", "too-big"]
    m.pin()
    assert [r.key for r in m.compare.runs][-1] == "pin-0"
    m.knobs.set_lr(0.05)  # the compared runs no longer compare with the run on screen
    assert [r.key for r in m.compare.runs] == ["pin-0"]
    m.settle()
    m.reset()  # not a knob: what is compared stays
    assert [r.key for r in m.compare.runs] == ["pin-0"]
    m.clear_compare()
    assert m.compare.runs == []


def test_a_new_run_keeps_the_selected_step_unless_it_ends_before_it():
    m = make("quadratic")
    m.select_step(5)
    m.knobs.set_lr(0.15)
    m.settle()
    assert m.selection.step == 5
    m.knobs.set_lr(0.5)  # diverges at step 45: step 5 is still there
    m.settle()
    assert m.selection.step == 5
    m.select_step(40)
    m.knobs.set_steps(20)
    m.settle()
    assert m.selection.step == -1


def test_knobs_round_trip_through_plain_data():
    m = make("quadratic", start=False)
    m.knobs.set_optimizer("adam", betas=(0.8, 0.99))
    m.knobs.set_lr(0.03)
    m.knobs.set_start((1.0, 2.0))
    m.knobs.set_speed(500)
    knobs = m.knobs_dict()
    restored = parse_knobs(knobs)
    cfg = restored.config
    assert restored.problem.name == "quadratic"
    assert (cfg.optimizer, cfg.lr, cfg.start, restored.speed) == ("adam", 0.03, (1.0, 2.0),
                                                                   500.0)
    assert tuple(cfg.hyper["betas"]) == (0.8, 0.99)
    other = make(start=False)
    assert other.restore(knobs)
    assert other.knobs_dict() == knobs


def test_stale_or_broken_saved_knobs_fall_back_to_defaults():
    m = make(start=False)
    assert not m.restore({"problem": "no-such-problem", "lr": 0.1})
    assert m.knobs.problem.name == "line-one-point"
    assert not m.restore({"problem": "quadratic", "lr": -3})
    assert m.knobs.problem.name == "line-one-point"


def test_torch_backend_without_torch_names_the_install_command(monkeypatch):
    m = make()
    monkeypatch.setattr(core, "torch_available", lambda: False)
    with pytest.raises(core.ConfigError, match=r'pip install "lr-playground\[torch\]"'):
        m.request_backend("torch")
    assert m.knobs.config.backend == "numpy"


def test_a_failed_run_is_reported_and_the_old_knobs_stay_usable(monkeypatch):
    m = make("quadratic")
    errors = []
    m.error.connect(errors.append)

    def broken(*_a, **_k):
        raise RuntimeError("the engine fell over")

    monkeypatch.setattr(core, "make_trainer", broken)
    m.knobs.set_lr(0.05)
    m.settle()
    assert errors == ["The run failed: the engine fell over"]
    assert "the engine fell over" in m.status
    monkeypatch.undo()
    m.knobs.set_lr(0.06)
    m.settle()
    assert m.table["lr"][0] == 0.06


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


def test_a_frame_never_holds_the_event_loop_past_its_budget():
    """At full speed on the slowest built-in step (per-sample and-gate), each frame's
    work stays within the frame budget, with each row costing a chosen time."""
    clock = FakeClock()
    m = make("and-gate", clock=clock)
    m.reset()
    charge_per_row(m.trainer, clock, 2e-5)
    m.playback.costs.clear()  # forget what the uncharged rows of the reset cost
    m.knobs.set_speed(100_000)
    m.play()
    spent = []
    for _ in range(20):
        clock.advance(0.016)
        began = clock()
        m.frame(0.016)
        spent.append(clock() - began)
    m.pause()
    assert len(m.table) > 1000
    assert max(spent) <= BUDGET_S + 0.5 * BUDGET_S


def test_a_long_rerun_catches_up_over_frames_and_says_so_until_it_has(monkeypatch):
    clock = FakeClock()
    m = make("rosenbrock", clock=clock)
    build = core.make_trainer

    def costly_trainer(*args, **kwargs):
        trainer = build(*args, **kwargs)
        charge_per_row(trainer, clock, 1e-5)  # 100,000 rows: a second of work
        return trainer

    m.knobs.set_lr(1e-4)  # slow enough not to converge
    m.settle()
    monkeypatch.setattr(core, "make_trainer", costly_trainer)
    m.playback.costs.clear()  # forget what the uncharged rows cost
    m.knobs.set_steps(100_000)
    m.frame(0.0)
    statuses = []
    for _ in range(400):
        if not m.wants_frames():
            break
        statuses.append(m.status)
        clock.advance(0.016)
        m.frame(0.016)
    assert statuses[0].startswith("Working out the run:")
    assert all(s.startswith("Working out the run:") for s in statuses)
    assert not m.wants_frames() and m.verdict is not None
    assert not m.status.startswith("Working out")


def test_the_model_imports_neither_qt_nor_torch():
    code = ("import sys; from desktop.model import WindowModel; m = WindowModel();"
            "m.start(play=False); m.settle(); m.knobs.set_problem('rosenbrock'); m.settle();"
            "m.apply_preset('too-big'); m.settle();"
            "print(sorted(k for k in ('PySide6', 'pyqtgraph', 'shiboken6', 'torch')"
            " if k in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_a_built_in_problem_at_its_defaults_has_its_presets_before_the_sweep_runs():
    from core.analysis.preset_table import known_presets

    m = make()
    m.knobs.set_problem("spiral")  # a network: its worked-out presets take seconds
    m.frame(0.0)  # the frame that asks for them; the queued job has not run
    assert m.insight.presets is None
    assert m.insight.preset_lrs() == known_presets("spiral", "sgd")
    m.knobs.set_problem("quadratic")
    m.knobs.set_optimizer("sgd", momentum=0.9)  # off the defaults: nothing shipped
    m.frame(0.0)
    assert m.insight.preset_lrs() == {}
    m.settle()
    assert m.insight.preset_lrs() == core.presets("quadratic", momentum=0.9)


def test_the_curvature_is_worked_out_once_while_the_learning_rate_moves(monkeypatch):
    """The Hessian does not depend on the lr: a slider passing many learning rates asks
    core for it once, and the gauge's sentence is core's own for each lr."""
    from desktop.model import analysis

    calls = []
    real = analysis.curvature_report

    def counting(problem, start):
        calls.append(start)
        return real(problem, start)

    monkeypatch.setattr(analysis, "curvature_report", counting)
    m = make("rosenbrock")
    before = len(calls)
    for lr in (1e-4, 3e-4, 1e-3, 2e-3):
        m.knobs.set_lr(lr)
        m.settle()
        start = tuple(m.knobs.start)
        assert m.insight.gauge.reason.startswith(core.describe_lr("rosenbrock", lr, start=start))
    assert len(calls) - before <= 1
    m.knobs.set_optimizer("sgd", momentum=0.9)  # another optimizer: asked again
    m.settle()
    assert len(calls) - before <= 2 and len(calls) > before
    m.shutdown()


def test_a_drag_waits_for_the_knobs_to_rest_before_the_slice_follows_the_run():
    """A problem of three parameters is drawn on a plane through the run's end: each
    settled run asks for a new slice, but not while the slider is dragged (one move
    a frame); once the knobs rest for REST_S the slice follows the run once."""
    from desktop.model.rest import REST_S

    m = make("and-gate")
    m.knobs.set_steps(40)
    m.settle()
    asked: list[object] = []
    m.insight.surface_changed.connect(asked.append)
    lr = m.knobs.lr
    for i in range(8):  # a drag: every frame a new lr, every run whole in its frame
        m.knobs.set_lr(lr * (1.0 + 0.05 * (i + 1)))
        m.frame(1 / 60)
        m.jobs.drain()
        assert not m.rerun_pending and m.playback.caught_up
    assert asked == []  # eight settled runs, no slice yet
    assert m.wants_frames()  # the frames go on until the knobs have rested
    frames = 0
    while m.wants_frames():
        m.frame(1 / 60)
        m.jobs.drain()
        frames += 1
    assert len(asked) == 1  # then once, through the end of the run on screen
    assert frames >= int(REST_S * 60) - 1
    assert m.surfaces.centre_row() == len(m.table) - 1


def test_a_drag_builds_a_shorter_first_part_and_lets_the_next_move_come_first(monkeypatch):
    """A knob changed once: the run's first RERUN_BUDGET_S at once, the rest caught up
    in the next frames. Changed again within DRAG_GAP_S (a drag): the first part is
    DRAG_RERUN_BUDGET_S, and the frame after it catches nothing up, leaving its turn
    to the drag's next move; the one after carries on."""
    from desktop.model.budget import DRAG_RERUN_BUDGET_S, RERUN_BUDGET_S

    clock = FakeClock()
    m = make("rosenbrock", clock=clock)
    build = core.make_trainer
    row_cost = 1e-5

    def costly_trainer(*args, **kwargs):
        trainer = build(*args, **kwargs)
        charge_per_row(trainer, clock, row_cost)
        return trainer

    m.knobs.set_lr(1e-4)  # slow enough not to converge in the budget
    m.settle()
    monkeypatch.setattr(core, "make_trainer", costly_trainer)
    m.knobs.set_steps(50_000)
    m.settle()

    def move(lr: float) -> int:
        began = clock()
        m.knobs.set_lr(lr)
        m.frame(0.016)  # the re-run's frame
        spent = clock() - began
        assert spent <= (budget + 0.5 * budget + 16 * row_cost)
        return len(m.table)

    budget = RERUN_BUDGET_S
    clock.advance(1.0)
    m.frame(1.0)  # a second of rest: the next change is no drag
    first = move(1.1e-4)
    assert first >= 0.5 * RERUN_BUDGET_S / row_cost
    m.frame(0.016)
    assert len(m.table) > first  # a single change: catching up goes on at once
    budget = DRAG_RERUN_BUDGET_S
    clock.advance(0.016)
    dragged = move(1.2e-4)  # 32 ms after the last change: a drag
    assert dragged < 0.5 * (RERUN_BUDGET_S + DRAG_RERUN_BUDGET_S) / row_cost
    m.frame(0.016)
    assert len(m.table) == dragged  # the frame after: the input's turn
    m.frame(0.016)
    assert len(m.table) > dragged  # then the rest follows


def test_knob_rest_tells_a_drag_from_a_single_change_and_rests_once():
    from desktop.model.rest import DRAG_GAP_S, REST_S, KnobRest

    rest, heard = KnobRest(), []
    rest.rested.connect(heard.append)
    rest.moved()
    assert not rest.dragging and rest.waiting and not rest.resting  # the first change
    rest.tick(DRAG_GAP_S / 2)
    rest.moved()
    assert rest.dragging  # a second change soon after: a drag
    rest.tick(REST_S / 2)
    assert heard == [] and rest.waiting
    rest.tick(REST_S / 2)
    rest.tick(1.0)
    assert heard == [None] and not rest.waiting and rest.resting  # once, not per frame
    rest.moved()
    assert not rest.dragging  # after a rest, a change is a single one again
