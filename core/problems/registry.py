"""Name -> problem factory, with option checking."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from core.errors import ConfigError
from core.problems.base import Problem

_FACTORIES: dict[str, Callable[..., Problem]] = {}


def register(name: str) -> Callable[[Callable[..., Problem]], Callable[..., Problem]]:
    """Decorator: make a factory ``f(**options) -> Problem`` available by name."""

    def deco(factory: Callable[..., Problem]) -> Callable[..., Problem]:
        _FACTORIES[name] = factory
        return factory

    return deco


def list_problems() -> list[str]:
    """Names of the built-in problems, seed scenarios first."""
    _load_builtins()
    return list(_FACTORIES)


def problem_options(name: str) -> dict[str, Any]:
    """The options a problem takes, with their defaults."""
    _load_builtins()
    factory = _lookup(name)
    return {
        p.name: p.default
        for p in inspect.signature(factory).parameters.values()
        if p.default is not inspect.Parameter.empty
    }


def get_problem(name: str | Problem, **options: Any) -> Problem:
    """Build a problem by name (a `Problem` passes through unchanged)."""
    if isinstance(name, Problem):
        if options:
            raise ConfigError("options can only be given with a problem name")
        return name
    _load_builtins()
    factory = _lookup(name)
    allowed = problem_options(name)
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        hint = ", ".join(allowed) if allowed else "none"
        raise ConfigError(f"problem {name!r} has no option {unknown[0]!r} (its options: {hint})")
    return factory(**options)


def _lookup(name: str) -> Callable[..., Problem]:
    if not isinstance(name, str) or name not in _FACTORIES:
        raise ConfigError(f"unknown problem {name!r}; choose one of: {', '.join(_FACTORIES)}")
    return _FACTORIES[name]


def _load_builtins() -> None:
    # the modules register themselves on import; imported here, not at the top,
    # so registry has no import cycle with them
    import core.problems.classic
    import core.problems.seeds  # noqa: F401  (seed scenarios first in the list)
