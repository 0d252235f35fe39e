"""The built-in problems: an explicit table of name -> factory, in display order.

The order of `BUILTINS` is the order of `list_problems()`, and with it of the
window's problem list: the classic surfaces first, then the seed articles'
worked examples, then the small networks. A test pins it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from core.checks import shown
from core.errors import ConfigError
from core.keys import Kept
from core.problems import classic, seeds
from core.problems.base import Problem


class _Network:
    """A network problem's factory whose module loads at its first use: the networks'
    modules (the model, its toy data and work arrays) are a tenth of the engine's import,
    which the window pays before its first paint, and most sessions never open one."""

    def __init__(self, shape: str) -> None:
        self._shape = shape
        self.__name__ = shape

    @functools.cached_property
    def _factory(self) -> Callable[..., Problem]:
        from core.problems import network

        return network.factory(self._shape)

    def __call__(self, **options: Any) -> Problem:
        return self._factory(**options)

    @property
    def title(self) -> str:
        return self._factory.title  # type: ignore[attr-defined]

    @property
    def __signature__(self) -> inspect.Signature:  # the options, as `problem_options` reads them
        return inspect.signature(self._factory)


BUILTINS: dict[str, Callable[..., Problem]] = {
    "rosenbrock": classic.rosenbrock,
    "quadratic": classic.quadratic,
    "himmelblau": classic.himmelblau,
    "beale": classic.beale,
    "saddle": classic.saddle,
    "rastrigin": classic.rastrigin,
    "line-one-point": seeds.line_one_point,
    "house-prices": seeds.house_prices,
    "single-weight": seeds.single_weight,
    "and-gate": seeds.and_gate,
    "glasses-vs-ring": seeds.glasses_vs_ring,
    "circle": _Network("circle"),
    "xor": _Network("xor"),
    "gaussians": _Network("gaussians"),
    "spiral": _Network("spiral"),
}


def list_problems() -> list[str]:
    """Names of the built-in problems: the classic surfaces, then the seed scenarios."""
    return list(BUILTINS)


def problem_title(name: str) -> str:
    """A built-in problem's title at its default options, without building it where the
    catalogue knows it (a network would generate its data)."""
    title = getattr(_lookup(name), "title", None)
    return title if isinstance(title, str) else get_problem(name).title


def problem_options(name: str) -> dict[str, Any]:
    """The options a problem takes, with their defaults."""
    return dict(_options_of(_lookup(name)))


@functools.lru_cache(maxsize=64)
def _options_of(factory: Callable[..., Problem]) -> dict[str, Any]:
    # read once per factory: inspect.signature costs more than a short run's steps
    return {
        p.name: p.default
        for p in inspect.signature(factory).parameters.values()
        if p.default is not inspect.Parameter.empty
    }


# built problems by name and options: a problem is not changed once built, so one
# serves every run of it (building the house prices' regression cost more than its
# 100 steps; a problem also keeps what it works out for its runs, such as its trace).
# A few only: a network of 100,000 points holds megabytes
_BUILT = Kept(16)


def get_problem(name: str | Problem, **options: Any) -> Problem:
    """The problem of a name and options (a `Problem` passes through unchanged).

    Built once per name and options and shared from then on: change a
    problem with `dataclasses.replace`, never in place.
    """
    if isinstance(name, Problem):
        if options:
            raise ConfigError("options can only be given with a problem name")
        return name
    factory = _lookup(name)
    if options:
        allowed = problem_options(name)
        unknown = sorted(set(options) - set(allowed))
        if unknown:
            hint = ", ".join(allowed) if allowed else "none"
            raise ConfigError(f"problem {name!r} has no option {shown(unknown[0])} "
                              f"(its options: {hint})")
    return _BUILT.get(name, options, lambda: factory(**options))  # type: ignore[no-any-return]


def _lookup(name: str) -> Callable[..., Problem]:
    if not isinstance(name, str):
        raise ConfigError(f"problem must be a problem name (one of: {', '.join(BUILTINS)}) "
                          f"or a Problem, got {shown(name)}")
    if name not in BUILTINS:
        raise ConfigError(f"unknown problem {shown(name)}; choose one of: {', '.join(BUILTINS)}")
    return BUILTINS[name]
