"""The status sentence, from real runs of `core.train` at the learning rates a learner
tried: a bounce is too big, a run still falling at its budget is told so, a red start
that still converges says the curvature fell. Pure functions of core
(`core.analysis.verdict`): no Qt, no model."""

from __future__ import annotations

import numpy as np
import pytest

import core
from core.analysis.verdict import (
    Verdict,
    explain,
    facts_of,
    tail_trend,
    two_step_cycle,
    verdict_of,
)
from desktop.model.knobs import default_config


def verdict(name: str, lr: float, playing: bool = False, **hyper) -> Verdict:
    problem = core.get_problem(name)
    cfg = default_config(problem, name, {}).with_(lr=lr, hyper=hyper)
    trainer = core.make_trainer(problem, cfg)
    trainer.run()
    return verdict_of(trainer, playing=playing)


def test_a_bounded_bounce_is_called_too_big():
    """Rosenbrock at lr 0.003 (lr·λmax 4.5) settles into a two-step bounce."""
    v = verdict("rosenbrock", 0.003)
    assert v.kind == "bounce"
    assert "too big" in v.text and "Halve" in v.text
    assert "two steps before" in v.text and "lr·λmax = 4.52 at the start" in v.text
    assert "too small" not in v.text and "budget" not in v.text


def test_a_chaotic_bounce_is_called_too_big():
    v = verdict("rastrigin", 0.01334)
    assert v.kind == "bounce" and "too big" in v.text
    assert "two steps before" not in v.text


@pytest.mark.parametrize("lr", [0.1778, 0.19])
def test_a_run_still_falling_near_the_limit_needs_steps_not_a_larger_rate(lr):
    """House prices' Just right: falling at the budget, lr·λmax near 2."""
    v = verdict("house-prices", lr)
    assert v.kind == "still-falling"
    assert "still falling" in v.text and "More steps" in v.text
    assert "small" not in v.text.replace("smaller", "")
    assert "near its limit" in v.text and "flattest direction" in v.text


def test_a_small_rate_still_falling_is_told_it_is_small():
    v = verdict("house-prices", 0.01)
    assert v.kind == "still-falling"
    assert "The learning rate is small: lr·λmax = 0.103" in v.text
    assert "2/λmax = 0.1948" in v.text


def test_a_red_start_that_converges_says_the_curvature_fell():
    """Rosenbrock's Just right: lr·λmax 2.01 at the start, yet it converges."""
    v = verdict("rosenbrock", 0.001334)
    assert v.kind == "converged-past-limit"
    assert "lr·λmax was 2.01 at the start, above 2, yet the run converged" in v.text
    assert "the curvature fell along the path" in v.text


@pytest.mark.parametrize("lr, ratio", [(0.6, "6.16"), (0.7, "7.19")])
def test_a_divergence_quotes_its_own_learning_rate(lr, ratio):
    v = verdict("house-prices", lr)
    assert v.kind == "diverged"
    assert f"lr·λmax = {ratio} > 2" in v.text
    assert "without overshooting" not in v.text


def test_quadratics_presets_read_as_named():
    report = core.preset_report("quadratic")
    small = verdict("quadratic", report.lrs["too-small"])
    just = verdict("quadratic", report.lrs["just-right"])
    big = verdict("quadratic", report.lrs["too-big"])
    assert small.kind == "still-falling" and "small" in small.text
    assert just.kind == "converged" and "within the tolerance" in just.text
    assert big.kind == "diverged" and "> 2" in big.text


def test_a_loss_that_ends_above_its_start_is_too_big():
    v = verdict("line-one-point", 0.5623)
    assert v.kind == "above-start" and "too big" in v.text and "lr·λmax = 2.25 > 2" in v.text


def test_momentum_is_not_held_to_plain_gradient_descents_rule():
    v = verdict("quadratic", 0.05, momentum=0.9)
    assert "2/λmax" not in v.text and "λmax" not in v.text


def test_an_unbounded_loss_still_falls_without_advice_about_rates():
    v = verdict("saddle", 0.07499)
    assert v.kind == "still-falling" and "no lowest point" in v.text


def test_while_playing_nothing_is_judged():
    problem = core.get_problem("quadratic")
    trainer = core.make_trainer(problem, default_config(problem, "quadratic", {}))
    trainer.advance(10)
    v = explain(facts_of(trainer), playing=True, theory=None, lr_sentence=lambda r: "",
                curvature_at=lambda row: None)
    assert v.kind == "running" and v.text.startswith("Running: step 9 of 100")


def test_at_the_start_a_playing_run_is_running_and_a_paused_one_ready():
    problem = core.get_problem("quadratic")
    trainer = core.make_trainer(problem, default_config(problem, "quadratic", {}))
    trainer.advance(1)  # row 0: the start point
    loss0 = float(trainer.table["loss"][0])
    said = {playing: explain(facts_of(trainer), playing=playing, theory=None,
                             lr_sentence=lambda r: "", curvature_at=lambda row: None)
            for playing in (True, False)}
    assert said[True].kind == "running" and "Space pauses" in said[True].text
    assert "press Play" not in said[True].text  # it is playing: Play is not on offer
    assert said[True].text.startswith(f"Running: at the start point (loss {loss0:g})")
    assert "first of 100 steps" in said[True].text
    assert said[False].kind == "ready" and "press Play" in said[False].text


@pytest.mark.parametrize("loss, trend", [
    (np.linspace(10, 1, 100), "falling"),
    (np.r_[np.linspace(10, 1, 60), np.tile([1.0, 1.2], 20)], "bounce"),
    (np.full(100, 0.25), "flat"),
    (np.linspace(1, 10, 100), "rising"),
    (np.array([3.0, 2.0, 1.0]), "short"),
    (10 * 0.99 ** np.arange(200) * (1 + 0.3 * (-1) ** np.arange(200)), "falling"),
])
def test_tail_trend(loss, trend):
    assert tail_trend(loss) == trend


def test_noisy_batches_are_read_once_per_epoch():
    step = np.arange(400.0)
    epoch = np.floor(step / 4)
    loss = 1.0 / (1 + epoch) + 0.05 * (step % 4 == 2)  # a bump inside every epoch
    assert tail_trend(loss) == "bounce"
    assert tail_trend(loss, epoch, step) == "falling"


def test_two_step_cycle():
    a = np.tile([[0.7, 0.6], [0.8, 0.55]], (50, 1))
    assert two_step_cycle(a)
    assert not two_step_cycle(np.cumsum(np.ones((100, 2)), axis=0))
