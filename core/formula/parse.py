"""From typed text to a checked, constant-folded expression tree.

The tree is made of tuples: ``("num", value)``, ``("par", index)``,
``("neg", x)``, ``(op, x, y)`` for op in add sub mul div pow, and
``("call", name, (args...))``. Integer literals become floats (so ``9**9**9``
is ``inf`` at once, not a huge integer), and constant sub-expressions are
folded with IEEE float math.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.formula.check import (
    check_brackets,
    check_param_names,
    check_tree,
    constant_value,
    parse_ast,
)
from core.formula.language import (
    AST_BINOPS,
    CONSTANTS,
    MAX_LENGTH,
    MAX_PARAMS,
    XP_NAMES,
    FormulaError,
)
from core.xp import NUMPY

Node = tuple[Any, ...]

# the tree's operators with numpy's IEEE rules: 1/0 is inf and (-8.0)**0.5 nan,
# where Python floats would raise or go complex
BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide, "pow": np.power,
}


def numpy_function(name: str) -> Callable[..., Any]:
    """The numpy form (`core.xp.NUMPY`) of one of the language's functions."""
    return getattr(NUMPY, XP_NAMES.get(name, name))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ParsedFormula:
    """A checked, constant-folded formula and its parameter names."""

    text: str
    params: tuple[str, ...]
    tree: Node


def parse_formula(text: Any, params: Sequence[str] | str | None = None) -> ParsedFormula:
    """Check a formula against the allow-list without compiling it (cheap).

    Parameters
    ----------
    text
        The formula, e.g. ``"(1-a)**2 + 100*(b-a**2)**2"``.
    params
        The parameter names in order, as a sequence or ``"a,b"``. Default: the
        names the formula uses (other than functions, ``pi`` and ``e``) in
        alphabetical order, with numbers in names compared as numbers.

    Returns
    -------
    ParsedFormula

    Raises
    ------
    FormulaError
        What is wrong and where (1-based column).
    """
    names = check_param_names(params)
    body, shift = _one_line(text)
    check_brackets(body, shift)
    tree = parse_ast(body, shift)
    check_tree(tree, body, shift, names)
    builder = _TreeBuilder(body, shift, names)
    node = builder.build(tree.body)
    used = builder.used
    if names is None:
        if not used:
            raise FormulaError(
                "the formula has no parameter to learn (only numbers and constants); "
                "write it in parameters such as a and b"
            )
        if len(used) > MAX_PARAMS:
            raise FormulaError(f"the formula uses {len(used)} parameters; at most "
                               f"{MAX_PARAMS} are allowed")
        names = tuple(sorted(used, key=_natural_key))
        node = _renumber(node, builder.order, names)
    elif not used:
        raise FormulaError(
            f"the formula uses none of the parameters ({', '.join(names)}); "
            "it would be a constant"
        )
    return ParsedFormula(body, names, node)


def _one_line(text: Any) -> tuple[str, int]:
    """The formula without its outer spaces, and how many were cut on the left.

    The formula is one line: line breaks and tabs count as spaces, one
    character each, so columns in messages stay those of the typed text.
    """
    if not isinstance(text, str):
        raise FormulaError(f"the formula must be text, got {type(text).__name__}")
    line = re.sub(r"[\r\n\t\f\v]", " ", text)
    body = line.lstrip(" ")
    shift = len(line) - len(body)
    body = body.rstrip(" ")
    if not body:
        raise FormulaError("the formula is empty; type a loss such as (1-a)**2 + 100*(b-a**2)**2")
    if len(line) > MAX_LENGTH:
        raise FormulaError(
            f"the formula is {len(line):,} characters long; at most {MAX_LENGTH:,} are allowed"
        )
    for i, ch in enumerate(body):
        if not ch.isprintable():
            raise FormulaError(f"the character {ch!r} is not allowed", i + 1 + shift)
    return body, shift


def _natural_key(name: str) -> tuple[Any, ...]:
    # w2 before w10
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


class _TreeBuilder:
    """Checked ast -> tuple tree, folding constant sub-expressions as it goes."""

    def __init__(self, body: str, shift: int, params: tuple[str, ...] | None) -> None:
        self.body, self.shift, self.params = body, shift, params
        self.used: set[str] = set()
        self.order: dict[str, int] = {}  # name -> provisional index (no params given)

    def build(self, node: ast.AST) -> Node:
        # recursion is bounded: check_tree capped the depth at MAX_DEPTH
        if isinstance(node, ast.Constant):
            return ("num", constant_value(node.value, None))
        if isinstance(node, ast.Name):
            if node.id in CONSTANTS:
                return ("num", CONSTANTS[node.id])
            self.used.add(node.id)
            if self.params is not None:
                return ("par", self.params.index(node.id))
            return ("par", self.order.setdefault(node.id, len(self.order)))
        if isinstance(node, ast.UnaryOp):
            x = self.build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return x
            return _fold(("neg", x))
        if isinstance(node, ast.BinOp):
            op = AST_BINOPS[type(node.op)]
            return _fold((op, self.build(node.left), self.build(node.right)))
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            args = tuple(self.build(a) for a in node.args)
            return _fold(("call", node.func.id, args))
        raise AssertionError(f"unchecked node {type(node).__name__}")  # pragma: no cover


def _renumber(node: Node, order: dict[str, int], names: tuple[str, ...]) -> Node:
    remap = {i: names.index(name) for name, i in order.items()}

    def walk(n: Node) -> Node:
        kind = n[0]
        if kind == "par":
            return ("par", remap[n[1]])
        if kind == "num":
            return n
        if kind == "neg":
            return ("neg", walk(n[1]))
        if kind == "call":
            return ("call", n[1], tuple(walk(a) for a in n[2]))
        return (kind, walk(n[1]), walk(n[2]))

    return walk(node)


def _fold(node: Node) -> Node:
    """Evaluate a node whose operands are all numbers, with numpy's IEEE rules.

    np.float64 arithmetic is O(1) whatever the values: ``9.0**387420489.0``
    is inf at once, where Python ints would run for minutes.
    """
    kind = node[0]
    operands = node[2] if kind == "call" else node[1:]
    if not all(o[0] == "num" for o in operands):
        return node
    values = [np.float64(o[1]) for o in operands]
    with np.errstate(all="ignore"):
        if kind == "call":
            result = numpy_function(node[1])(*values)
        elif kind == "neg":
            result = -values[0]
        else:
            result = BINOPS[kind](values[0], values[1])
    return ("num", float(result))

