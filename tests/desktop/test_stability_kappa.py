"""The Stability section shows λmin and κ at the start beside λmax, and what κ means
for the problem on screen, in core's words."""

from __future__ import annotations

from _window import open_window

import core
from core.analysis.curvature import condition_sentence


def test_house_prices_shows_its_long_valley(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, problem="house-prices")
    s = w.panels.stability
    c = core.curvature("house-prices")
    assert s.lam.text() == f"{c.lam_max:.4g}"
    assert s.lam_min.text() == f"{c.lam_min:.4g}" and s.kappa.text() == "158.2"
    assert s.condition.text() == f"At the start: {condition_sentence(c)}"
    assert "κ = λmax/λmin ≈ 158" in s.condition.text() and "crawls" in s.condition.text()


def test_the_sentence_follows_the_problem(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, problem="saddle")
    s = w.panels.stability
    assert s.kappa.text() == "– (λmin < 0)" and "saddle-shaped" in s.condition.text()
    combo = w.panels.problem.combo
    combo.setCurrentIndex(combo.findData("line-one-point"))
    assert s.kappa.text() == "∞ (λmin = 0)" and "flat along one direction" in s.condition.text()


def test_for_another_optimizer_the_sentence_says_whose_rule_it_is(qtbot, tmp_path):
    w = open_window(qtbot, tmp_path, problem="house-prices")
    w.model.knobs.set_optimizer("adam")
    # the gauge follows the knobs in the next frame, with the new run
    qtbot.waitUntil(lambda: w.panels.stability.condition.text().startswith(
        "At the start, for plain gradient descent: κ = λmax/λmin ≈ 158"))
