"""The formula language: what may be typed, its limits, and its one error type."""

from __future__ import annotations

import ast
import math
from collections.abc import Sequence

from core.errors import ConfigError
from core.limits import (
    MAX_FORMULA_DEPTH,
    MAX_FORMULA_LENGTH,
    MAX_FORMULA_OPERATIONS,
    MAX_FORMULA_PARAMS,
)

# the limits live with every other limit; the formula modules use these names
MAX_LENGTH = MAX_FORMULA_LENGTH  # characters
MAX_DEPTH = MAX_FORMULA_DEPTH  # nesting levels of operators, calls and parentheses
MAX_PARAMS = MAX_FORMULA_PARAMS
MAX_OPERATIONS = MAX_FORMULA_OPERATIONS  # straight-line operations of a compiled derivative

FUNCTIONS: dict[str, int] = {  # name -> number of arguments
    "exp": 1, "log": 1, "sqrt": 1, "abs": 1, "sin": 1, "cos": 1, "tan": 1, "tanh": 1,
    "sigmoid": 1, "relu": 1, "softplus": 1, "min": 2, "max": 2,
}
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}
# the array-namespace name (core.xp) of each function, where it differs
XP_NAMES = {"min": "minimum", "max": "maximum"}

# for messages: the operators and nodes the language refuses, in words
OPERATOR_SYMBOLS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitXor: "^", ast.BitAnd: "&",
    ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>",
}
AST_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div",
              ast.Pow: "pow"}  # the operators it allows, by their names in the tree
COMPARE_SYMBOLS = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}
NODE_WORDS = {
    "Lambda": "a lambda", "ListComp": "a list comprehension",
    "SetComp": "a set comprehension", "DictComp": "a dict comprehension",
    "GeneratorExp": "a generator expression", "IfExp": "a conditional 'if ... else'",
    "JoinedStr": "an f-string", "FormattedValue": "an f-string", "List": "a list [...]",
    "Tuple": "a tuple (a, b)", "Set": "a set {...}", "Dict": "a dict {...}",
    "Subscript": "indexing [...]", "Slice": "a slice", "Starred": "'*' unpacking",
    "NamedExpr": "an assignment ':='", "Await": "'await'", "Yield": "'yield'",
    "YieldFrom": "'yield from'",
}


class FormulaError(ConfigError):
    """A formula that cannot be used; ``column`` (1-based) points at the problem."""

    def __init__(self, message: str, column: int | None = None) -> None:
        where = f"column {column}: " if column is not None else ""
        super().__init__(where + message)
        self.column = column
        self.reason = message


def allowed_hint(params: Sequence[str] | None = None) -> str:
    """The grammar in one sentence, for error messages."""
    names = f"the parameters ({', '.join(params)})" if params else "parameter names"
    return (f"use only numbers, {names}, + - * / ** and parentheses, the functions "
            f"{', '.join(FUNCTIONS)} and the constants pi and e")

