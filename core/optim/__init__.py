"""The nine optimizers, with torch.optim's update rules, defaults and checks.

Each is a `Rule` (a pure init/update pair, `core.optim.base`) in its own
module; `make_optimizer` pairs one with validated hyper-parameters.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

from core.checks import shown
from core.errors import ConfigError
from core.keys import Kept
from core.optim.base import Optimizer, Rule

# each optimizer's module and rule: a module loads when its optimizer is first used
# (a window starts with one; loading all nine added 1.2 ms before its first paint)
_WHERE: dict[str, tuple[str, str]] = {
    "sgd": ("sgd", "RULE"),
    "adam": ("adam", "ADAM"),
    "adamw": ("adam", "ADAMW"),
    "rmsprop": ("rmsprop", "RULE"),
    "adagrad": ("adagrad", "RULE"),
    "nadam": ("nadam", "RULE"),
    "radam": ("radam", "RULE"),
    "adamax": ("adamax", "RULE"),
    "adadelta": ("adadelta", "RULE"),
}

OPTIMIZERS: tuple[str, ...] = tuple(_WHERE)


def get_rule(name: str) -> Rule:
    """The rule for an optimizer name (``sgd``, ``adam``, ...)."""
    key = name.lower() if isinstance(name, str) else None
    if key not in _WHERE:
        raise ConfigError(f"unknown optimizer {shown(name)}; choose one of: "
                          f"{', '.join(OPTIMIZERS)}")
    return _rule(key)


@functools.cache
def _rule(key: str) -> Rule:
    module, rule = _WHERE[key]
    return getattr(importlib.import_module(f"core.optim.{module}"), rule)


# hyper-parameters already checked, by rule and values: checking Adam's betas costs
# more than a short run's steps, and the window re-runs the same settings all day
_CHECKED = Kept(256)


def make_optimizer(name: str, **hyper: Any) -> Optimizer:
    """Build an optimizer by name with torch's keyword names for ``hyper``."""
    rule = get_rule(name)
    checked = _CHECKED.get(rule.name, hyper, lambda: Optimizer(rule, **hyper))
    return checked.copy()  # type: ignore[no-any-return]


def optimizer_defaults(name: str) -> dict[str, Any]:
    """torch.optim's defaults for an optimizer's hyper-parameters (not lr)."""
    return dict(get_rule(name).defaults)


__all__ = ["OPTIMIZERS", "Optimizer", "Rule", "get_rule", "make_optimizer", "optimizer_defaults"]
