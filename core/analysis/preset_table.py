"""The presets of every built-in problem at its defaults, worked out once and shipped.

Working the presets out takes a sweep of the problem's whole step budget
(a tenth of a second for most surfaces, seconds for a network), yet a
learner choosing a problem or an optimizer expects the three buttons at once.
So `tools/make_presets.py` runs `core.presets` for every built-in problem,
with its default options and start, and every optimizer with its default
hyper-parameters and no schedule, and writes the answers to
``resources/presets.json``. `known_presets` gives that answer for exactly
those settings and None for any other; a test recomputes the table and
holds it equal, so it cannot drift from the rules.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

TABLE = "presets.json"


@cache
def _table() -> dict[str, dict[str, dict[str, float]]]:
    try:
        text = resources.files("resources").joinpath(TABLE).read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return {}
    loaded = json.loads(text)
    return loaded if isinstance(loaded, dict) else {}


def known_presets(problem: Any, optimizer: str, start: Any = None, schedule: Any = None,
                  **hyper: Any) -> dict[str, float] | None:
    """The shipped presets of a built-in problem at its defaults, else None.

    ``problem`` counts as at its defaults when it is a built-in name, or the
    `Problem` that name builds with no options given; ``start``, ``schedule``
    and ``hyper`` must be left at their defaults too.
    """
    from core.optim import get_rule
    from core.problems.catalogue import BUILTINS

    name = problem if isinstance(problem, str) else getattr(problem, "name", None)
    if name not in BUILTINS or start is not None or schedule is not None:
        return None
    if not isinstance(problem, str) and dict(problem.options) != _default_options(name):
        return None
    key = optimizer.lower() if isinstance(optimizer, str) else None
    try:
        defaults = dict(get_rule(key).defaults) if key else None
    except Exception:  # an unknown optimizer: the full computation says so
        return None
    if defaults is None or any(defaults.get(k) != _plain(v) for k, v in hyper.items()):
        return None
    entry = _table().get(name, {}).get(key)
    return dict(entry) if entry else None


@cache
def _default_options(name: str) -> dict[str, Any]:
    """The options a built-in problem records when built with its defaults."""
    from core.problems.catalogue import get_problem

    return dict(get_problem(name).options)


def _plain(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
