"""Which `StepText` a problem gets, in this order.

1. its own: a ``step_text()`` method returning one;
2. one registered for its name (`register_step_text`);
3. the built-in one for its exact class (`core.inspector.builtin_text`); a
   subclass may compute its loss differently, so it does not inherit it;
4. a typed formula's, from its ``expression`` (or ``formula``) string;
5. the generic text, which still shows every number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from core.inspector.builtin_text import BUILTIN_TEXTS
from core.inspector.problem_text import StepText, expression_of, formula_text, generic_text

if TYPE_CHECKING:
    from core.problems.base import Problem

_BY_NAME: dict[str, Callable[[Problem], StepText]] = {}
_BY_CLASS: dict[type, Callable[[Problem], StepText]] = {}


def register_step_text(key: str | type, factory: Callable[[Problem], StepText]) -> None:
    """Teach the inspector a problem's formulas (by problem name or exact class)."""
    if isinstance(key, str):
        _BY_NAME[key] = factory
    else:
        _BY_CLASS[key] = factory


def step_text(problem: Problem) -> StepText:
    """The problem's `StepText` (see the module docstring for the order)."""
    own = getattr(problem, "step_text", None)
    if callable(own):
        text = own()
        if isinstance(text, StepText):
            return text
    cls = type(problem)
    factory = _BY_NAME.get(problem.name) or _BY_CLASS.get(cls) or BUILTIN_TEXTS.get(cls)
    if factory is not None:
        return factory(problem)
    expression = expression_of(problem)
    if expression is not None:
        return formula_text(problem, expression)
    return generic_text(problem)
