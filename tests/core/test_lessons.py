"""Lessons load, their learning rates do what the text promises, and every claim holds.

The claims' facts are recomputed here a second time, with the articles' own
loops written out in plain Python (or numpy), independently of core.
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, Decimal

import numpy as np
import pytest

import core
from core.errors import ConfigError
from core.lessons import BEHAVIOURS, Lesson, get_lesson, list_lessons
from core.run.table import format_rounded

SEED_LESSONS = {
    "four-steps": "000",
    "glasses-vs-ring": "001",
    "single-weight": "002",
    "and-gate": "002",
    "line-one-point": "003",
    "house-prices": "004",
}
LESSONS = list_lessons()
TRIALS = [
    pytest.param(lesson, t, id=f"{lesson.name}-lr{t.lr:g}")
    for lesson in LESSONS
    for t in lesson.trials
]
CLAIMS = [pytest.param(c, id=c.key) for lesson in LESSONS for c in lesson.claims]


def claim(key):
    for lesson in LESSONS:
        for c in lesson.claims:
            if c.key == key:
                return c, c.check()
    raise KeyError(key)


# ------------------------------------------------------------- loading
def test_one_lesson_per_seed_scenario_in_article_order():
    assert {lesson.name: lesson.seed for lesson in LESSONS} == SEED_LESSONS
    assert [lesson.seed for lesson in LESSONS] == sorted(lesson.seed for lesson in LESSONS)
    assert get_lesson("house-prices").problem == "house-prices"
    with pytest.raises(ConfigError, match="unknown lesson 'nope'; choose one of: four-steps"):
        get_lesson("nope")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.name)
def test_each_lesson_loads_the_articles_set_up(lesson: Lesson):
    assert lesson.problem in core.list_problems()
    assert lesson.summary and lesson.title and lesson.article
    assert len(lesson.trials) >= 3 and len(lesson.claims) >= 2
    assert all(c.article_says for c in lesson.claims)
    run = lesson.run()
    assert run.status == "finished" and len(run.table) == lesson.steps + 1
    assert run.config.lr == lesson.lr and run.config.batch == lesson.batch
    assert lesson.config().optimizer == lesson.optimizer


def test_the_set_ups_are_the_articles():
    setups = {
        lesson.name: (lesson.problem, lesson.lr, lesson.steps, lesson.batch) for lesson in LESSONS
    }
    assert setups["glasses-vs-ring"] == ("glasses-vs-ring", 0.1, 400, "sample")  # 100 epochs
    assert setups["line-one-point"] == ("line-one-point", 0.1, 5, "full")  # its table
    assert setups["single-weight"] == ("single-weight", 0.1, 20, "full")
    assert setups["and-gate"][1:] == (0.5, 4000, "sample")
    assert setups["house-prices"] == ("house-prices", 0.01, 100, "full")
    # seed 001 names 0.9, 0.0001 and 0.01; its code uses 0.1
    assert {0.9, 0.0001, 0.01, 0.1} <= set(get_lesson("glasses-vs-ring").learning_rates)


@pytest.mark.parametrize(("lesson", "trial"), TRIALS)
def test_each_suggested_learning_rate_does_what_the_lesson_says(lesson, trial):
    result = trial.run(lesson)
    assert result.run.status == trial.status, result.text
    assert result.behaviour_holds, result.text
    assert result.holds
    assert trial.expect in BEHAVIOURS
    assert f"lr {trial.lr:g}" in result.text


@pytest.mark.parametrize("c", CLAIMS)
def test_every_claim_holds_when_recomputed(c):
    result = c.check()
    assert result.holds, result.text
    assert result.text.startswith("Here:")


# -------------------------------------------- the facts, a second time
def article_001(lr, epochs=100):
    """Seed 001's loop as printed in the article."""
    X_train = np.array([[0.55, 0.48], [0.45, 0.72], [0.35, 0.03], [0.20, 0.03]])
    y_train = np.array([1, 1, 0, 0])
    weights, bias = np.array([0.5, 0.5]), 0.0
    prints = []
    for _ in range(epochs):
        total_loss = 0
        for x, y_true in zip(X_train, y_train, strict=True):
            prediction = np.clip(np.dot(x, weights) + bias, 0, 1)
            total_loss += (y_true - prediction) ** 2
            error = y_true - prediction
            weights = weights + lr * error * x
            bias += lr * error
        prints.append((total_loss, weights.copy(), bias))
    full = np.clip(X_train @ prints[-1][1] + prints[-1][2], 0, 1) - y_train
    return prints, 0.5 * np.mean(full**2)


def test_seed_001_epoch_0_and_99_are_what_its_code_prints():
    prints, _ = article_001(0.1)
    for key, epoch in (("seed001-epoch0", 0), ("seed001-epoch99", 99)):
        _claim, result = claim(key)
        total, weights, _ = prints[epoch]
        assert result.values["loss"] == pytest.approx(total, rel=1e-12)
        assert result.values["w1"] == pytest.approx(weights[0], rel=1e-12)
        assert f"Loss={total:.4f}  Weights=[{weights[0]:.3f}, {weights[1]:.3f}]" in result.text
    # the article printed other numbers: quoted in the claim, not computed by its code
    assert f"{prints[0][0]:.4f}" == "0.4635" and "0.4823" in claim("seed001-epoch0")[0].article_says


def test_seed_001_lr_09_does_not_bounce_forever():
    _, final_loss = article_001(0.9)
    _, result = claim("seed001-lr-0.9")
    assert final_loss < 1e-12
    # at 1e-23 the residuals are ~1e-11, so the two loops agree only to rounding
    assert result.values["loss_at_400"] == pytest.approx(final_loss, rel=1e-3)
    # the article's own arithmetic keeps going down to rounding level too
    _, final = article_001(0.9, epochs=150)
    assert final < 1e-30 and result.values["first_zero"] <= 600


def test_seed_003_row_5_rounds_where_the_article_truncated():
    a, b, lr = 3.0, 4.0, 0.1
    for _ in range(5):
        error = a + b - 4.0
        a, b = a - lr * 2 * error, b - lr * 2 * error
    y_pred = a + b
    error = y_pred - 4.0
    assert (format_rounded(y_pred), format_rounded(error), format_rounded(2 * error)) == (
        "4.2333",
        "0.2333",
        "0.4666",
    )
    cut = Decimal(repr(error)).quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
    assert str(cut) == "0.2332" and str(2 * cut) == "0.4664"
    _, result = claim("seed003-row5")
    assert result.values["y_pred"] == y_pred and result.values["grad"] == 2 * error
    assert "4.2333, 0.2333 and 0.4666" in result.text


def test_seed_004_after_100_epochs_the_loss_is_still_in_the_hundreds():
    x, y = np.array([1.5, 2.0, 2.5]), np.array([300.0, 400.0, 500.0])

    def loss_after(epochs, lr, w=0.0, b=0.0, xs=x):
        for _ in range(epochs):
            r = w * xs + b - y
            w, b = w - lr * 2 * np.mean(r * xs), b - lr * 2 * np.mean(r)
        return np.mean((w * xs + b - y) ** 2)

    _, result = claim("seed004-after-100")
    assert 214 < loss_after(100, 0.01) < 220
    assert result.values["loss"] == pytest.approx(loss_after(100, 0.01), rel=1e-9)
    corners = [loss_after(100, 0.01, w, b) for w in (-1, 1) for b in (-1, 1)]
    assert result.values["corner_min"] == pytest.approx(min(corners), rel=1e-9)
    assert result.values["corner_max"] == pytest.approx(max(corners), rel=1e-9)
    _, longer = claim("seed004-unscaled")
    assert longer.values["loss_1000"] == pytest.approx(loss_after(1000, 0.01), rel=1e-6)
    xn = (x - x.mean()) / x.std()
    _, scaled = claim("seed004-normalised")
    assert loss_after(1, 0.5, xs=xn) < 1e-20
    assert scaled.values["loss_lr001_normalised"] == pytest.approx(
        loss_after(100, 0.01, xs=xn), rel=1e-9
    )


def test_seed_002_prints_w_after_the_update_beside_the_loss_before_it():
    w, x, target = 0.3, 1.5, 1.0
    output = w * x
    loss_before = (output - target) ** 2
    w_after = w - 0.1 * 2 * (output - target) * x
    _, result = claim("seed002-print-pairs")
    assert result.values["printed_w"] == w_after and result.values["printed_loss"] == loss_before
    assert result.values["row1_loss"] == pytest.approx((w_after * x - target) ** 2, rel=1e-12)
    assert f"w={w_after:.4f} | loss={loss_before:.4f}" in result.text


def test_seed_002_and_gate_descends_half_the_squared_error():
    def sigmoid(z):
        return 1 / (1 + math.exp(-z))

    pred = sigmoid(0.0)  # first example (0, 0) at b = 0
    delta = (pred - 0) * pred * (1 - pred)
    _, result = claim("seed002-half-squared-error")
    assert result.values["delta"] == delta == 0.125
    assert result.values["grad_b"] == pytest.approx(delta, rel=1e-12)
    assert result.values["slope_err2"] == pytest.approx(2 * delta, rel=1e-6)
