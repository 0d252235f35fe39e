"""How each problem writes its own step: formulas as templates, with numbers filled in.

A `StepText` holds a problem's formulas as templates whose ``{key}``
placeholders name quantities: the parameters (by their names), the data
(``x``, ``y``), and intermediate values (``yhat``, ``err``, ``z``, ...). The same
template renders the symbolic formula (``2·e·x``) and the one with this step's
numbers (``2·3.0000·1.0000``), so the two can never disagree.

Which text a problem gets is decided in `core.inspector.texts`; the
built-in problems' texts are in `core.inspector.builtin_text`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.inspector.model import shown

if TYPE_CHECKING:
    from core.problems.base import Problem

Values = Callable[
    [Mapping[str, float], "tuple[float, ...] | None", "float | None"], dict[str, float]
]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Quantity:
    """A named intermediate value: ``label = template``."""

    key: str
    label: str
    template: str


@dataclass(frozen=True)
class StepText:
    """A problem's formulas for the four steps.

    Attributes
    ----------
    kind
        ``"data"`` (the loss is a mean over examples) or ``"function"``.
    values
        ``values(params, x, y)`` -> every placeholder's value at one example
        (``x``, ``y`` are None for a function). Parameters are added for you.
    predict
        Quantities the predict step shows (per example for data problems).
    loss_term
        The loss of one example (data) or the whole loss (function); empty
        for "no formula known" (the numbers are still shown).
    grad_terms
        Per parameter, one example's gradient (data) or the gradient (function).
    grad_steps
        Intermediate quantities the gradient step shows first (``σ′(z)``, ``δ``).
    symbols
        Rich-text symbol per placeholder; the default is the key in italics.
    loss_title
        Words for the loss, e.g. "squared error".
    """

    kind: str
    values: Values
    predict: tuple[Quantity, ...] = ()
    loss_term: str = ""
    grad_terms: Mapping[str, str] = field(default_factory=dict)
    grad_steps: tuple[Quantity, ...] = ()
    symbols: Mapping[str, str] = field(default_factory=dict)
    loss_title: str = ""

    def symbol(self, key: str) -> str:
        return self.symbols.get(key, f"<i>{html.escape(key, quote=False)}</i>")

    def symbolic(self, template: str) -> str:
        """The template with symbols in place of the placeholders."""
        return PLACEHOLDER.sub(lambda m: self.symbol(m.group(1)), template)


def fill(template: str, values: Mapping[str, float], decimals: int = 4) -> str:
    """The template with rounded numbers in place of the placeholders.

    A negative number gets brackets where its sign could be misread
    (``2·(−3.0000)``, ``(−1.2000)²``), not where it opens a term
    (``σ(−0.2000)``, ``(−0.5000 − 1.0000)²``).
    """

    def number(m: re.Match[str]) -> str:
        text = shown(values[m.group(1)], decimals)
        before = template[: m.start()].rstrip()[-1:]
        after = template[m.end() : m.end() + 1]
        if text.startswith("(") and before in ("", "(", ",") and after not in ("²", "³", "^"):
            return text[1:-1]
        return text

    return PLACEHOLDER.sub(number, template)


def italic(names: tuple[str, ...]) -> dict[str, str]:
    """Each name as an italic symbol (the default for parameters)."""
    return {n: f"<i>{html.escape(n, quote=False)}</i>" for n in names}


# ------------------------------------------------- typed formulas, generic
def expression_of(problem: Problem) -> str | None:
    for attr in ("expression", "formula"):
        value = getattr(problem, attr, None)
        if isinstance(value, str) and value.strip():
            return value
    value = problem.options.get("expression") if isinstance(problem.options, dict) else None
    return value if isinstance(value, str) and value.strip() else None


def python_to_template(expression: str, names: tuple[str, ...]) -> str:
    """A Python-syntax formula as a template: parameters become placeholders,
    ``**2`` becomes ``²`` and ``*`` a centred dot (display only, never evaluated)."""
    text = html.escape(expression.strip(), quote=False)
    text = re.sub(r"\*\*\s*2(?![\d.])", "²", text)
    text = re.sub(r"\*\*\s*3(?![\d.])", "³", text)
    text = text.replace("**", "^").replace("*", "·").replace("-", "−")
    wanted = set(names)
    return re.sub(
        r"(?<![A-Za-z0-9_.])([A-Za-z_][A-Za-z0-9_]*)",
        lambda m: "{" + m.group(1) + "}" if m.group(1) in wanted else m.group(1),
        text,
    )


def formula_text(problem: Problem, expression: str) -> StepText:
    names = problem.param_names
    grads_src = getattr(problem, "gradient_text", None)
    grads: dict[str, str] = {}
    if isinstance(grads_src, (list, tuple)) and len(grads_src) == len(names):
        grads = {
            n: python_to_template(str(g), names) for n, g in zip(names, grads_src, strict=True)
        }
    return StepText(
        kind="function",
        values=lambda p, x, y: {},
        loss_term=python_to_template(expression, names),
        grad_terms=grads,
        symbols=italic(names),
    )


def generic_text(problem: Problem) -> StepText:
    kind = "data" if problem.n_samples else "function"
    return StepText(kind=kind, values=lambda p, x, y: {}, symbols=italic(problem.param_names))
