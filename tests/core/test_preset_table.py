"""The shipped table of presets equals the rules, and answers only for the defaults."""

from __future__ import annotations

import json
from importlib import resources

import pytest

import core
from core.analysis.preset_table import known_presets
from core.analysis.presets import preset_report

TABLE = json.loads(resources.files("resources").joinpath("presets.json").read_text())
# the default suite recomputes the quick ones; -m slow recomputes every entry
QUICK = [("quadratic", "sgd"), ("line-one-point", "adam"), ("house-prices", "rmsprop"),
         ("himmelblau", "nadam"), ("glasses-vs-ring", "sgd")]
EVERY = [(p, o) for p in core.list_problems() for o in core.OPTIMIZERS]


def test_the_table_covers_every_built_in_problem_and_optimizer():
    assert set(TABLE) == set(core.list_problems())
    for name in TABLE:
        assert set(TABLE[name]) == set(core.OPTIMIZERS)
        for lrs in TABLE[name].values():
            assert set(lrs) == {"too-small", "just-right", "too-big"}
            assert lrs["too-small"] < lrs["just-right"] < lrs["too-big"]


@pytest.mark.parametrize(("problem", "optimizer"), QUICK)
def test_the_quick_entries_equal_the_rules(problem, optimizer):
    assert TABLE[problem][optimizer] == preset_report(problem, optimizer).lrs


@pytest.mark.slow
@pytest.mark.parametrize(("problem", "optimizer"), EVERY)
def test_every_entry_equals_the_rules(problem, optimizer):
    assert TABLE[problem][optimizer] == preset_report(problem, optimizer).lrs


def test_the_table_answers_for_the_defaults_only():
    assert core.presets("quadratic") == TABLE["quadratic"]["sgd"]
    assert known_presets(core.get_problem("spiral"), "adam") == TABLE["spiral"]["adam"]
    assert known_presets("quadratic", "sgd", momentum=0.9) is None
    assert known_presets("quadratic", "sgd", start=(1.0, 1.0)) is None
    assert known_presets("quadratic", "sgd", schedule={"name": "cosine", "T_max": 5}) is None
    assert known_presets(core.get_problem("quadratic", condition=50), "sgd") is None
    assert known_presets(core.formula_problem("(a-1)**2 + b**2"), "sgd") is None
    assert known_presets("quadratic", "adam", betas=(0.9, 0.999)) == TABLE["quadratic"]["adam"]
    # off the defaults the rules run: momentum changes the answer
    assert core.presets("quadratic", momentum=0.9) == \
        preset_report("quadratic", "sgd", momentum=0.9).lrs
