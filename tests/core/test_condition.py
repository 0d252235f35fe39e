"""κ = λmax/λmin and its sentence: the numbers of the problem at its start, and claims
that a real run bears out."""

from __future__ import annotations

import math

import numpy as np
import pytest
from cli_run import run_cli

import core
from core.analysis.curvature import condition_sentence, valley_condition


def test_house_prices_kappa_is_the_articles_long_valley():
    c = core.curvature("house-prices")
    assert valley_condition(c) == pytest.approx(158.16, abs=0.01)
    text = condition_sentence(c)
    assert text.startswith("κ = λmax/λmin ≈ 158: the steep direction needs lr < 2/λmax = "
                           "0.1948, while the flat one then closes at most 2/κ = 0.013")
    assert "so it crawls: at least 78 steps for each e-fold" in text


def test_the_flat_direction_closes_at_most_two_over_kappa_per_step():
    """Plain gradient descent on house prices (a quadratic), just inside 2/λmax: the
    error along the flattest eigenvector shrinks by no more than 2/κ a step."""
    problem = core.get_problem("house-prices")
    c = core.curvature(problem)
    kappa = valley_condition(c)
    lr = 0.999 * 2.0 / c.lam_max
    run = core.train(problem, lr=lr, steps=400)
    assert run.status != "diverged"
    flat = c.eigenvectors[:, 0]  # ascending: the first is λmin's
    along = (run.params - np.array(problem.minima[0])) @ flat
    ratio = np.abs(along[1:] / along[:-1])
    assert np.all(1.0 - ratio <= 2.0 / kappa + 1e-12)
    # and so shrinking it e-fold takes at least the 78 steps the sentence says
    first = int(np.flatnonzero(np.abs(along) <= abs(along[0]) / math.e)[0])
    assert first >= 78


@pytest.mark.parametrize(("name", "options", "kappa", "words"), [
    ("saddle", {}, math.nan, "saddle-shaped"),
    ("line-one-point", {}, math.inf, "flat along one direction"),
    ("single-weight", {}, 1.0, "With one parameter there is one curvature"),
    ("rastrigin", {}, math.nan, "curves downward in every direction"),
    ("quadratic", {"condition": 1.2}, 1.2, "nearly round"),
    ("quadratic", {}, 10.0, "closes at most 2/κ = 0.2 of its remaining distance per step."),
])
def test_every_kind_of_point_gets_a_true_sentence(name, options, kappa, words):
    c = core.curvature(core.get_problem(name, **options))
    got = valley_condition(c)
    assert (math.isnan(got) and math.isnan(kappa)) or got == pytest.approx(kappa)
    assert words in condition_sentence(c)
    if name == "quadratic" and not options:
        assert "crawls" not in condition_sentence(c)  # κ = 10 is not a crawl


def test_theory_carries_kappa_at_the_start():
    problem = core.get_problem("glasses-vs-ring")
    th = core.theory_of(problem, problem.start, "sgd", {})
    c = core.curvature(problem)
    assert th.lam_min_start == c.lam_min and th.condition == pytest.approx(c.lam_max / c.lam_min)
    assert th.condition_text == condition_sentence(c)


def test_presets_print_the_curvature_at_the_start(capsys):
    code, out, err = run_cli(capsys, "presets", "--problem", "house-prices")
    assert code == 0, err
    line = next(x for x in out.splitlines() if x.startswith("curvature at the start"))
    c = core.curvature("house-prices")
    assert line.startswith(f"curvature at the start: λmax = {c.lam_max:.4g}, "
                           f"λmin = {c.lam_min:.4g}, κ = 158.2. ")
    assert line.endswith(condition_sentence(c))
    code, out, _ = run_cli(capsys, "presets", "--problem", "saddle")
    assert "κ = –. λmin = -2 < 0" in out
