"""The one-line title an exported figure carries: which run the picture shows.

``Quadratic bowl (condition 10, angle 0°) · sgd (momentum 0.9, nesterov) ·
lr = 0.1 · 100 steps``: the problem's title, the optimizer with the
hyper-parameters that differ from torch.optim's defaults, the learning rate
(and its schedule, if any) and the step budget, plus how the run ended when
that is not simply "finished". Built from plain values, so any caller (the
window, the command line's figure) can pass what it has.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import core
from core.numfmt import format_compact

SEPARATOR = " · "


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, int | float):
        return format_compact(float(v), 4, integer=isinstance(v, int))
    if isinstance(v, tuple | list):
        return "(" + ", ".join(_value(x) for x in v) + ")"
    return str(v)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=0.0)
    return a == b


def optimizer_words(optimizer: str, hyper: Mapping[str, Any] | None = None) -> str:
    """``sgd`` or ``sgd (momentum 0.9, nesterov)``: only what differs from the defaults."""
    try:
        defaults = core.optimizer_defaults(optimizer)
    except Exception:  # an optimizer this build does not know: show every value given
        defaults = {}
    changed = []
    for name, v in (hyper or {}).items():
        if name == "lr" or (name in defaults and _same(v, defaults[name])):
            continue
        if isinstance(v, bool):
            changed.append(name if v else f"no {name}")
        else:
            changed.append(f"{name} {_value(v)}")
    return f"{optimizer} ({', '.join(changed)})" if changed else str(optimizer)


def run_title(problem: str, optimizer: str, lr: float, steps: int, *,
              hyper: Mapping[str, Any] | None = None, schedule: str | None = None,
              outcome: str | None = None) -> str:
    """The figure's title line (see the module docstring).

    ``schedule`` is a short description of a learning-rate schedule (None:
    constant); ``outcome`` words such as "diverged at step 9" (None: left out).
    """
    lr_words = f"lr = {format_compact(float(lr), 4)}"
    if schedule:
        lr_words += f" ({schedule})"
    parts = [str(problem).strip(), optimizer_words(optimizer, hyper), lr_words,
             f"{int(steps):,} step{'s' if int(steps) != 1 else ''}"]
    if outcome:
        parts.append(str(outcome))
    return SEPARATOR.join(p for p in parts if p)
