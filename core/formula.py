"""A loss the user types, such as ``(1-a)**2 + 100*(b-a**2)**2``, parsed safely.

The text is never evaluated as Python. It is parsed with `ast` (mode "eval")
and checked against an allow-list: numbers, the parameters, ``pi`` and ``e``,
``+ - * / **``, unary ``+``/``-`` and calls of the listed functions with
positional arguments. Anything else (attributes, subscripts, lambdas,
comprehensions, strings, comparisons, keywords, several statements, ...) is
refused with a `FormulaError` that says what is wrong and at which column.
Length and nesting depth are capped before Python's own parser sees deep
input, integer literals become floats (so ``9**9**9`` is ``inf`` at once, not a
huge integer), and constant sub-expressions are folded with IEEE float math.

The checked tree becomes an interned expression graph. Its exact gradient and
Hessian are built on the same graph by the chain rule (symbolic
differentiation, each shared sub-expression once, so their size stays linear
in the formula's), and the graph is written out as straight-line Python, one
operation per line, calling only a fixed table of functions for the chosen
backend: Python floats with the math module (one run's steps), numpy (arrays
of any shape: surfaces, sweeps) or torch (autograd, the oracle in the tests).
"""

from __future__ import annotations

import ast
import functools
import keyword
import math
import operator
import re
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.errors import ConfigError
from core.problems.base import Dataset, Problem
from core.xp import NUMPY

MAX_LENGTH = 2_000  # characters
MAX_DEPTH = 60  # nesting levels of operators, calls and parentheses
MAX_PARAMS = 12
# straight-line operations of a compiled gradient or Hessian; past this the
# formula is refused rather than left to compile for seconds
MAX_OPERATIONS = 20_000

FUNCTIONS: dict[str, int] = {  # name -> number of arguments
    "exp": 1, "log": 1, "sqrt": 1, "abs": 1, "sin": 1, "cos": 1, "tan": 1, "tanh": 1,
    "sigmoid": 1, "relu": 1, "softplus": 1, "min": 2, "max": 2,
}
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

DEFAULT_LR = 0.01
DEFAULT_STEPS = 500
# default start points, tried in order; the first where the loss and its
# gradient are finite wins (1.5/0.5 rather than 0 or 1, which are often the
# minimum or a singularity of a typed formula)
DEFAULT_STARTS = (1.5, 0.5), (1.0, 1.0), (0.0, 0.0)
WINDOW_HALF_WIDTH = 5.0

_OPERATOR_SYMBOLS = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
    ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitXor: "^", ast.BitAnd: "&",
    ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>",
}
_ALLOWED_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div",
                   ast.Pow: "pow"}
_COMPARE_SYMBOLS = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}
_NODE_WORDS = {
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


# ======================================================================= parse
# The checked, constant-folded formula is a tree of tuples (`_Graph` later
# interns it): ("num", value) ("par", index) ("neg", x) (op, x, y) for op in
# add sub mul div pow, and ("call", name, (args...)).
Node = tuple[Any, ...]


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
    names = _check_param_names(params)
    if not isinstance(text, str):
        raise FormulaError(f"the formula must be text, got {type(text).__name__}")
    # the formula is one line: line breaks and tabs count as spaces, one
    # character each, so columns in messages stay those of the typed text
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
    _check_brackets(body, shift)
    tree = _parse(body, shift)
    _check_tree(tree, body, shift, names)
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


def _natural_key(name: str) -> tuple[Any, ...]:
    # w2 before w10
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name))


def _check_param_names(params: Sequence[str] | str | None) -> tuple[str, ...] | None:
    if params is None:
        return None
    if isinstance(params, str):
        items = [p.strip() for p in params.split(",")]
    else:
        try:
            items = [p.strip() if isinstance(p, str) else p for p in params]
        except TypeError:
            raise ConfigError(f"params must be names such as a,b; got {params!r}") from None
    if not items or items == [""]:
        raise ConfigError("give at least one parameter name, e.g. a,b")
    if len(items) > MAX_PARAMS:
        raise ConfigError(f"at most {MAX_PARAMS} parameters are allowed, got {len(items)}")
    for name in items:
        if not isinstance(name, str) or not name:
            raise ConfigError(f"parameter names must be non-empty text, got {name!r}")
        if name.startswith("_"):
            raise ConfigError(f"parameter names must not start with '_', got {name!r}")
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ConfigError(
                f"parameter name {name!r} is not a valid name (letters, digits and _, "
                "starting with a letter)"
            )
        if name in FUNCTIONS or name in CONSTANTS:
            raise ConfigError(f"{name!r} is a function or constant of the formula language; "
                              "choose another parameter name")
    if len(set(items)) != len(items):
        raise ConfigError(f"parameter names must differ, got {', '.join(items)}")
    return tuple(items)


def _check_brackets(body: str, shift: int) -> None:
    """Refuse deep bracket nesting before Python's parser recurses into it."""
    depth = 0
    for i, ch in enumerate(body):
        if ch in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise FormulaError(
                    f"the formula is nested more than {MAX_DEPTH} levels deep (brackets); "
                    "split it into simpler terms", i + 1 + shift
                )
        elif ch in ")]}":
            depth -= 1


def _parse(body: str, shift: int) -> ast.Expression:
    try:
        with warnings.catch_warnings():
            # e.g. "'\d'" or "1 is 1" warn while parsing; the text is refused anyway
            warnings.simplefilter("ignore")
            return ast.parse(body, mode="eval")
    except SyntaxError as exc:
        raise _syntax_error(body, shift, exc) from None
    except (RecursionError, MemoryError):
        raise FormulaError(f"the formula is too deeply nested (the limit is {MAX_DEPTH} levels)") \
            from None
    except ValueError as exc:  # null bytes, lone surrogates
        raise FormulaError(f"the formula contains characters that cannot be read ({exc})") \
            from None


def _syntax_error(body: str, shift: int, exc: SyntaxError) -> FormulaError:
    statement = _as_statements(body, shift)
    if statement is not None:
        return statement
    msg = exc.msg or "invalid syntax"
    if "nested" in msg or "too complex" in msg:
        return FormulaError(f"the formula is too deeply nested (the limit is {MAX_DEPTH} levels)")
    offset = exc.offset if exc.lineno in (None, 1) else None
    if msg == "invalid syntax" and (offset == 0 or (offset or 0) > len(body)):
        # the parser ran out of text: an operand or a ')' is missing
        return FormulaError("the formula ends too early (an operand or a ')' is missing)",
                            len(body) + 1 + shift)
    if msg == "invalid syntax":
        msg = "this is not a valid expression here"
    column = offset + shift if offset else None
    return FormulaError(f"{msg}; {allowed_hint()}", column)


def _as_statements(body: str, shift: int) -> FormulaError | None:
    """If the text parses as statements, say which kind (assignment, several ...)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = ast.parse(body, mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if len(module.body) > 1:
        second = module.body[1]
        return FormulaError(
            f"only one expression is allowed, found {len(module.body)} statements "
            "(separated by ';'); write a single formula", _column(body, second, shift)
        )
    if not module.body or isinstance(module.body[0], ast.Expr):
        return None  # an expression after all: the eval-mode error says more
    stmt = module.body[0]
    if isinstance(stmt, ast.Assign | ast.AugAssign | ast.AnnAssign):
        return FormulaError("assignment ('=') is not allowed; type only the expression, "
                            "e.g. (1-a)**2 + b**2", _column(body, stmt, shift))
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return FormulaError("import is not allowed; " + allowed_hint(), _column(body, stmt, shift))
    kind = type(stmt).__name__.lower()
    return FormulaError(f"a '{kind}' statement is not allowed; " + allowed_hint(),
                        _column(body, stmt, shift))


def _column(body: str, node: Any, shift: int) -> int | None:
    """1-based character column of an ast node (ast counts UTF-8 bytes)."""
    if getattr(node, "lineno", 1) != 1 or getattr(node, "col_offset", None) is None:
        return None
    return _char_column(body, node.col_offset) + shift


def _char_column(body: str, byte_offset: int) -> int:
    return len(body.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1


def _check_tree(tree: ast.Expression, body: str, shift: int,
                params: tuple[str, ...] | None) -> None:
    """Walk the tree without recursion: node kinds, names and depth."""
    stack: list[tuple[ast.AST, int]] = [(tree.body, 1)]
    while stack:
        node, depth = stack.pop()
        col = _column(body, node, shift)
        if depth > MAX_DEPTH:
            raise FormulaError(
                f"the formula is nested more than {MAX_DEPTH} levels deep (operators, calls "
                "and parentheses); split it into simpler terms", col
            )
        children: list[ast.AST] = []
        if isinstance(node, ast.BinOp):
            op = type(node.op)
            if op not in _ALLOWED_BINOPS:
                symbol = _OPERATOR_SYMBOLS.get(op, op.__name__)
                hint = "; write powers as ** (a**2)" if op is ast.BitXor else ""
                raise FormulaError(
                    f"the operator '{symbol}' is not allowed{hint}; {allowed_hint(params)}",
                    _operator_column(body, node, symbol, shift),
                )
            children = [node.left, node.right]
        elif isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Not):
                raise FormulaError("'not' is not allowed; " + allowed_hint(params), col)
            if isinstance(node.op, ast.Invert):
                raise FormulaError("the operator '~' is not allowed; " + allowed_hint(params), col)
            children = [node.operand]
        elif isinstance(node, ast.Constant):
            _constant_value(node.value, col)
        elif isinstance(node, ast.Name):
            _check_name(node.id, col, params, called=False)
        elif isinstance(node, ast.Call):
            _check_call(node, body, shift, col, params)
            children = list(node.args)
        elif isinstance(node, ast.Attribute):
            raise FormulaError(
                f"attribute access '.{node.attr}' is not allowed; {allowed_hint(params)}",
                _attribute_column(body, node, shift),
            )
        elif isinstance(node, ast.Compare):
            symbol = _COMPARE_SYMBOLS.get(type(node.ops[0]), "comparison")
            raise FormulaError(f"the comparison '{symbol}' is not allowed; "
                               + allowed_hint(params), col)
        elif isinstance(node, ast.BoolOp):
            word = "and" if isinstance(node.op, ast.And) else "or"
            raise FormulaError(f"'{word}' is not allowed; " + allowed_hint(params), col)
        else:
            what = _NODE_WORDS.get(type(node).__name__, f"'{type(node).__name__}'")
            raise FormulaError(f"{what} is not allowed; " + allowed_hint(params), col)
        # reversed, so the leftmost problem is reported first
        stack.extend((child, depth + 1) for child in reversed(children))


def _operator_column(body: str, node: ast.BinOp, symbol: str, shift: int) -> int | None:
    if getattr(node.left, "end_lineno", 1) != 1:
        return _column(body, node, shift)
    start = len(body.encode("utf-8")[: node.left.end_col_offset].decode("utf-8", "ignore"))
    found = body.find(symbol, start)
    return (found + 1 + shift) if found >= 0 else _column(body, node, shift)


def _attribute_column(body: str, node: ast.Attribute, shift: int) -> int | None:
    if getattr(node.value, "end_lineno", 1) != 1:
        return _column(body, node, shift)
    start = len(body.encode("utf-8")[: node.value.end_col_offset].decode("utf-8", "ignore"))
    found = body.find(".", start)
    return (found + 1 + shift) if found >= 0 else _column(body, node, shift)


def _constant_value(value: Any, col: int | None) -> float:
    # exact type checks: bool is an int subclass, and True is not a number here
    if type(value) is int:
        try:
            v = float(value)
        except OverflowError:
            v = math.inf
        if not math.isfinite(v):
            raise FormulaError("this number is too large (numbers must be below 1.8e308)", col)
        return v
    if type(value) is float:
        if not math.isfinite(value):
            raise FormulaError("this number is too large (numbers must be below 1.8e308)", col)
        return value
    if isinstance(value, complex):
        raise FormulaError("complex numbers (like 1j) are not allowed; use real numbers", col)
    if isinstance(value, str | bytes):
        raise FormulaError("text in quotes is not allowed; " + allowed_hint(), col)
    raise FormulaError(f"{value!r} is not a number; " + allowed_hint(), col)


def _check_name(name: str, col: int | None, params: tuple[str, ...] | None,
                called: bool) -> None:
    if name.startswith("_"):
        raise FormulaError(f"names starting with '_' are not allowed ({name!r}); "
                           + allowed_hint(params), col)
    if called:
        if name not in FUNCTIONS:
            raise FormulaError(
                f"unknown function {name!r}; the functions are {', '.join(FUNCTIONS)}", col
            )
        return
    if name in FUNCTIONS:
        raise FormulaError(f"{name!r} is a function; call it like {name}(a)", col)
    if name in CONSTANTS:
        return
    if params is not None and name not in params:
        raise FormulaError(
            f"unknown name {name!r}; the parameters are {', '.join(params)} "
            "(and the constants pi, e)", col
        )


def _check_call(node: ast.Call, body: str, shift: int, col: int | None,
                params: tuple[str, ...] | None) -> None:
    func = node.func
    if isinstance(func, ast.Attribute):
        raise FormulaError(
            f"attribute access '.{func.attr}' is not allowed (nor calling methods); "
            + allowed_hint(params), _attribute_column(body, func, shift),
        )
    if not isinstance(func, ast.Name):
        raise FormulaError("only the listed functions can be called: "
                           + ", ".join(FUNCTIONS), col)
    _check_name(func.id, col, params, called=True)
    if node.keywords:
        kw = node.keywords[0]
        label = f"{kw.arg}=..." if kw.arg else "**..."
        raise FormulaError(f"keyword arguments ({label}) are not allowed; "
                           f"{func.id} takes positional arguments only", _column(body, kw, shift))
    for arg in node.args:
        if isinstance(arg, ast.Starred):
            raise FormulaError("'*' unpacking is not allowed", _column(body, arg, shift))
    want = FUNCTIONS[func.id]
    if len(node.args) != want:
        plural = "argument" if want == 1 else "arguments"
        raise FormulaError(f"{func.id} takes {want} {plural}, got {len(node.args)}", col)


class _TreeBuilder:
    """Checked ast -> tuple tree, folding constant sub-expressions as it goes."""

    def __init__(self, body: str, shift: int, params: tuple[str, ...] | None) -> None:
        self.body, self.shift, self.params = body, shift, params
        self.used: set[str] = set()
        self.order: dict[str, int] = {}  # name -> provisional index (no params given)

    def build(self, node: ast.AST) -> Node:
        # recursion is bounded: _check_tree capped the depth at MAX_DEPTH
        if isinstance(node, ast.Constant):
            return ("num", _constant_value(node.value, None))
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
            op = _ALLOWED_BINOPS[type(node.op)]
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
            result = _NUMPY_FUNCS[node[1]](*values)
        elif kind == "neg":
            result = -values[0]
        else:
            result = _NUMPY_BINOPS[kind](values[0], values[1])
    return ("num", float(result))


# ============================================================ function tables
_NUMPY_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide,
    "pow": np.power,
}


class _NumpyFuncs:
    """The formula language over numpy: arrays, and numpy scalars (whose
    1/0 is inf and (-8.0)**0.5 nan, where Python floats raise or go complex)."""

    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sqrt = staticmethod(np.sqrt)
    abs = staticmethod(np.abs)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    tan = staticmethod(np.tan)
    tanh = staticmethod(np.tanh)
    sigmoid = staticmethod(NUMPY.sigmoid)
    softplus = staticmethod(NUMPY.softplus)
    relu = staticmethod(NUMPY.relu)
    min = staticmethod(np.minimum)
    max = staticmethod(np.maximum)
    pow = staticmethod(operator.pow)
    # for derivatives: sign(0) = 0 and step(0) = 0, as torch's autograd has them
    sign = staticmethod(np.sign)

    @staticmethod
    def step(z: Any) -> Any:
        return np.heaviside(z, 0.0)


class _FloatFuncs:
    """The same over Python floats with the math module, for one run's steps
    (about 3x faster than numpy scalars).

    Every way out of the real numbers raises here (math.pow, not ``**``, so a
    negative base never gives a complex number; 1/0 raises ZeroDivisionError)
    and the caller then redoes the call with `_NumpyFuncs`, whose IEEE
    results (inf, nan) are the ones the table records. Each function follows
    its numpy twin, nan included.
    """

    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    sqrt = staticmethod(math.sqrt)
    abs = staticmethod(math.fabs)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    tan = staticmethod(math.tan)
    tanh = staticmethod(math.tanh)
    pow = staticmethod(math.pow)

    @staticmethod
    def sigmoid(z: float) -> float:
        return 0.5 * (1.0 + math.tanh(0.5 * z))  # as NUMPY.sigmoid

    @staticmethod
    def softplus(z: float) -> float:
        # numpy's logaddexp(0, z), branch for branch
        if z > 0.0:
            return z + math.log1p(math.exp(-z))
        if z <= 0.0:
            return math.log1p(math.exp(z))
        return z

    @staticmethod
    def relu(z: float) -> float:
        return z if not z <= 0.0 else 0.0

    @staticmethod
    def min(x: float, y: float) -> float:
        return x if x <= y else y if y < x else math.nan

    @staticmethod
    def max(x: float, y: float) -> float:
        return x if x >= y else y if y > x else math.nan

    @staticmethod
    def sign(z: float) -> float:
        return 1.0 if z > 0.0 else -1.0 if z < 0.0 else z

    @staticmethod
    def step(z: float) -> float:
        return 1.0 if z > 0.0 else 0.0 if z <= 0.0 else z


_NUMPY_FUNCS: dict[str, Callable[..., Any]] = {
    name: getattr(_NumpyFuncs, name) for name in (*FUNCTIONS, "sign", "step")
}


@functools.cache
def _torch_funcs() -> Any:
    import torch  # lazy: torch is optional and slow to import

    def tensor(v: Any, like: Any = None) -> Any:
        if isinstance(v, torch.Tensor):
            return v
        if like is not None:
            return torch.as_tensor(v, dtype=like.dtype, device=like.device)
        return torch.as_tensor(v, dtype=torch.float64)

    def one(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return lambda z: fn(tensor(z))

    def two(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
        def call(x: Any, y: Any) -> Any:
            like = x if isinstance(x, torch.Tensor) else y if isinstance(y, torch.Tensor) else None
            return fn(tensor(x, like), tensor(y, like))
        return call

    class TorchFuncs:
        exp = staticmethod(one(torch.exp))
        log = staticmethod(one(torch.log))
        sqrt = staticmethod(one(torch.sqrt))
        abs = staticmethod(one(torch.abs))
        sin = staticmethod(one(torch.sin))
        cos = staticmethod(one(torch.cos))
        tan = staticmethod(one(torch.tan))
        tanh = staticmethod(one(torch.tanh))
        sigmoid = staticmethod(one(torch.sigmoid))
        softplus = staticmethod(one(torch.nn.functional.softplus))
        relu = staticmethod(one(torch.relu))
        min = staticmethod(two(torch.minimum))
        max = staticmethod(two(torch.maximum))
        sign = staticmethod(one(torch.sign))
        pow = staticmethod(operator.pow)

        @staticmethod
        def step(z: Any) -> Any:
            z = tensor(z)
            return (z > 0).to(z.dtype)

        @staticmethod
        def broadcast(values: Sequence[Any], params: Sequence[Any]) -> tuple[Any, ...]:
            tensors = [p for p in params if isinstance(p, torch.Tensor)]
            if not tensors:
                return tuple(values)
            ref = tensors[0]
            shape = torch.broadcast_shapes(*(t.shape for t in tensors))
            out = []
            for v in values:
                if not isinstance(v, torch.Tensor):
                    v = torch.full(shape, float(v), dtype=ref.dtype, device=ref.device)
                elif v.shape != shape:
                    v = v.expand(shape)
                out.append(v)
            return tuple(out)

    return TorchFuncs


# ============================================================ expression graph
class _Graph:
    """Interned expression nodes: equal sub-expressions are one node.

    Node ids grow as nodes are made, so every node's operands have smaller
    ids: walking ids in order is a topological order, and derivatives and
    code come out in one pass without recursion. Interning keeps derivatives
    linear in the formula's size (the same sub-expression is differentiated
    and computed once), where a tree-based symbolic package can swell to
    millions of terms: sympy needed 5-10 s for the Hessian of some
    400-character nested formulas.

    Nodes: ``("num", value)``, ``("par", index)``, ``("neg", x)``,
    ``(op, x, y)`` for op in add sub mul div pow, ``("call", name, args)``;
    x, y and args are node ids.
    """

    def __init__(self) -> None:
        self.nodes: list[tuple[Any, ...]] = []
        self._index: dict[tuple[Any, ...], int] = {}
        self.zero = self.num(0.0)
        self.one = self.num(1.0)

    def _intern(self, node: tuple[Any, ...], key: tuple[Any, ...] | None = None) -> int:
        key = node if key is None else key
        found = self._index.get(key)
        if found is not None:
            return found
        if len(self.nodes) >= MAX_OPERATIONS:
            raise FormulaError(
                f"the formula is too complex (it and its derivatives need more than "
                f"{MAX_OPERATIONS:,} operations); simplify it"
            )
        self.nodes.append(node)
        self._index[key] = len(self.nodes) - 1
        return len(self.nodes) - 1

    def num(self, value: float) -> int:
        value = float(value)
        # keyed by repr: -0.0 and 0.0 compare equal but divide differently,
        # and nan never equals itself
        return self._intern(("num", value), ("num", repr(value)))

    def value(self, i: int) -> float | None:
        node = self.nodes[i]
        return node[1] if node[0] == "num" else None

    def par(self, index: int) -> int:
        return self._intern(("par", index))

    def neg(self, x: int, simplify: bool = True) -> int:
        vx = self.value(x)
        if vx is not None:
            return self.num(-vx)
        if simplify and self.nodes[x][0] == "neg":
            return self.nodes[x][1]
        return self._intern(("neg", x))

    def op(self, kind: str, x: int, y: int, simplify: bool = True) -> int:
        """``x <kind> y``, folded if both are numbers; with ``simplify`` also
        0·y = 0, 1·y = y, x + 0 = x, ... (only for derivatives: the loss keeps
        the user's own operations, so a*0 is still nan where a is)."""
        vx, vy = self.value(x), self.value(y)
        if vx is not None and vy is not None:
            with np.errstate(all="ignore"):
                return self.num(float(_NUMPY_BINOPS[kind](np.float64(vx), np.float64(vy))))
        if simplify:
            if kind == "add":
                if vx == 0.0:
                    return y
                if vy == 0.0:
                    return x
            elif kind == "sub":
                if vy == 0.0:
                    return x
                if vx == 0.0:
                    return self.neg(y)
            elif kind == "mul":
                if vx == 0.0 or vy == 0.0:
                    return self.zero
                if vx == 1.0:
                    return y
                if vy == 1.0:
                    return x
                if vx == -1.0:
                    return self.neg(y)
                if vy == -1.0:
                    return self.neg(x)
            elif kind == "div":
                if vx == 0.0:
                    return self.zero
                if vy == 1.0:
                    return x
            elif kind == "pow":
                if vy == 1.0:
                    return x
                if vy == 0.0:
                    return self.one
        return self._intern((kind, x, y))

    def call(self, name: str, args: Sequence[int]) -> int:
        values = [self.value(a) for a in args]
        if all(v is not None for v in values):
            with np.errstate(all="ignore"):
                result = _NUMPY_FUNCS[name](*(np.float64(v) for v in values))
            return self.num(float(result))
        return self._intern(("call", name, tuple(args)))

    def add_tree(self, node: Node) -> int:
        """Intern a checked formula tree as it is (no simplification)."""
        kind = node[0]  # recursion is bounded by the formula's checked depth
        if kind == "num":
            return self.num(node[1])
        if kind == "par":
            return self.par(node[1])
        if kind == "neg":
            return self.neg(self.add_tree(node[1]), simplify=False)
        if kind == "call":
            return self.call(node[1], [self.add_tree(a) for a in node[2]])
        return self.op(kind, self.add_tree(node[1]), self.add_tree(node[2]), simplify=False)

    def reachable(self, outputs: Sequence[int]) -> list[int]:
        """Ids the outputs depend on, in increasing (topological) order."""
        seen: set[int] = set()
        stack = list(outputs)
        while stack:
            i = stack.pop()
            if i in seen:
                continue
            seen.add(i)
            node = self.nodes[i]
            if node[0] in ("neg",):
                stack.append(node[1])
            elif node[0] == "call":
                stack.extend(node[2])
            elif node[0] not in ("num", "par"):
                stack.extend(node[1:])
        return sorted(seen)

    def derivative(self, output: int, k: int) -> int:
        """The node of d(output)/d(parameter k), by the chain rule, in one pass."""
        d: dict[int, int] = {}
        zero, one = self.zero, self.one
        for i in self.reachable([output]):
            node = self.nodes[i]
            kind = node[0]
            if kind == "num":
                d[i] = zero
            elif kind == "par":
                d[i] = one if node[1] == k else zero
            elif kind == "neg":
                d[i] = self.neg(d[node[1]])
            elif kind == "call":
                d[i] = self._call_derivative(i, node[1], node[2], d)
            else:
                d[i] = self._op_derivative(i, kind, node[1], node[2], d[node[1]], d[node[2]])
        return d[output]

    def _op_derivative(self, i: int, kind: str, x: int, y: int, dx: int, dy: int) -> int:
        zero = self.zero
        if dx == zero and dy == zero:
            return zero
        if kind in ("add", "sub"):
            return self.op(kind, dx, dy)
        if kind == "mul":
            return self.op("add", self.op("mul", dx, y), self.op("mul", x, dy))
        if kind == "div":
            # (dx - (x/y)·dy) / y, reusing the quotient node i = x/y
            return self.op("div", self.op("sub", dx, self.op("mul", i, dy)), y)
        # pow, as torch differentiates it: y·x^(y−1)·dx + x^y·log(x)·dy
        out = zero
        if dx != zero:
            power = self.op("pow", x, self.op("sub", y, self.one))
            out = self.op("mul", self.op("mul", y, power), dx)
        if dy != zero:
            out = self.op("add", out, self.op("mul", self.op("mul", i, self.call("log", [x])), dy))
        return out

    def _call_derivative(self, i: int, name: str, args: tuple[int, ...],
                         d: dict[int, int]) -> int:
        zero = self.zero
        if name in ("max", "min"):
            x, y = args
            dx, dy = d[x], d[y]
            if dx == zero and dy == zero:
                return zero
            # the share of the gradient each argument gets: 1, 0, or ½ at a tie
            # (torch.maximum splits ties the same way)
            s = self.call("sign", [self.op("sub", x, y)])
            if name == "min":
                s = self.neg(s)
            half = self.num(0.5)
            wx = self.op("mul", half, self.op("add", self.one, s))
            wy = self.op("mul", half, self.op("sub", self.one, s))
            return self.op("add", self.op("mul", wx, dx), self.op("mul", wy, dy))
        (x,) = args
        dx = d[x]
        if dx == zero or name in ("sign", "step"):
            return zero
        if name == "exp":
            f = i
        elif name == "log":
            return self.op("div", dx, x)
        elif name == "sqrt":
            return self.op("div", dx, self.op("mul", self.num(2.0), i))
        elif name == "abs":
            f = self.call("sign", [x])
        elif name == "sin":
            f = self.call("cos", [x])
        elif name == "cos":
            f = self.neg(self.call("sin", [x]))
        elif name == "tan":
            f = self.op("add", self.one, self.op("mul", i, i))
        elif name == "tanh":
            f = self.op("sub", self.one, self.op("mul", i, i))
        elif name == "sigmoid":
            f = self.op("mul", i, self.op("sub", self.one, i))
        elif name == "softplus":
            f = self.call("sigmoid", [x])
        elif name == "relu":
            f = self.call("step", [x])
        else:  # pragma: no cover
            raise AssertionError(f"no derivative for {name}")
        return self.op("mul", f, dx)


# ========================================================== code generation
def _literal(v: float) -> str:
    if math.isnan(v):
        return "_nan"
    if math.isinf(v):
        return "_inf" if v > 0 else "(-_inf)"
    return repr(v) if v >= 0 else f"({v!r})"


_OP_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/"}


def _emit(graph: _Graph, outputs: Sequence[int]) -> tuple[list[str], list[str]]:
    """Straight-line code for the outputs: one operation per line, each node once.

    The text is built only from our own names (``_p0``, ``_t3``, ``_F.exp``)
    and ``repr`` of floats, never from the user's text, and it runs with empty
    builtins; no user-controlled nesting reaches Python's compiler.
    """
    names: dict[int, str] = {}
    lines: list[str] = []
    for i in graph.reachable(outputs):
        node = graph.nodes[i]
        kind = node[0]
        if kind == "num":
            names[i] = _literal(node[1])
            continue
        if kind == "par":
            names[i] = f"_p{node[1]}"
            continue
        if kind == "neg":
            code = f"-{names[node[1]]}"
        elif kind == "call":
            code = f"_F.{node[1]}({', '.join(names[a] for a in node[2])})"
        elif kind == "pow":
            base, exponent = names[node[1]], names[node[2]]
            # x*x is what pow(x, 2.0) returns (both correctly rounded), minus a call
            code = f"{base} * {base}" if exponent == "2.0" else f"_F.pow({base}, {exponent})"
        else:
            code = f"{names[node[1]]} {_OP_SYMBOLS[kind]} {names[node[2]]}"
        names[i] = f"_t{i}"
        lines.append(f"    _t{i} = {code}")
    return lines, [names[o] for o in outputs]


def _build_function(name: str, n_params: int, lines: list[str], result: str,
                    floats_only: bool = False) -> Callable[..., Any]:
    """Compile generated lines into ``name(_F, _p0, ...)``.

    With ``floats_only`` it is ``name(_p0, ...)`` over `_FloatFuncs`, and
    returns None unless every argument is a Python float (one type check per
    parameter is cheaper than any generic test in the caller).
    """
    params = [f"_p{i}" for i in range(n_params)]
    head = [f"def {name}({', '.join(params if floats_only else ['_F', *params])}):"]
    if floats_only:
        test = " or ".join(f"_type({p}) is not _float" for p in params)
        head.append(f"    if {test}:\n        return None")
    source = "\n".join([*head, *lines, f"    return {result}"]) + "\n"
    namespace: dict[str, Any] = {"__builtins__": {}, "_inf": math.inf, "_nan": math.nan,
                                 "_type": type, "_float": float, "_F": _FloatFuncs}
    exec(compile(source, f"<formula {name}>", "exec"), namespace)  # our own generated code
    fn = namespace[name]
    fn.source = source
    return fn


# ================================================================ compiled
@dataclass
class CompiledFormula:
    """A checked formula with loss, gradient and (on first use) Hessian code.

    Each generated function takes ``(_F, p0, p1, ...)``, ``_F`` a function
    table, and returns a flat tuple: ``(loss,)``, ``(g0, g1, ...)``,
    ``(loss, g0, g1, ...)`` or the Hessian's n·n entries row by row.
    ``float_loss_grad_fn(p0, ...)`` is the fast path of one run's steps.
    """

    parsed: ParsedFormula
    graph: _Graph
    loss_node: int
    grad_nodes: tuple[int, ...]
    loss_fn: Callable[..., Any]
    grad_fn: Callable[..., Any]
    loss_grad_fn: Callable[..., Any]
    float_loss_grad_fn: Callable[..., Any]
    _hessian_fn: Callable[..., Any] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def params(self) -> tuple[str, ...]:
        return self.parsed.params

    def hessian_fn(self) -> Callable[..., Any]:
        with self._lock:
            if self._hessian_fn is None:
                n = len(self.params)
                entries = {(i, j): self.graph.derivative(self.grad_nodes[i], j)
                           for i in range(n) for j in range(i, n)}
                flat = [entries[min(i, j), max(i, j)] for i in range(n) for j in range(n)]
                lines, names = _emit(self.graph, flat)
                self._hessian_fn = _build_function("_hessian", n, lines,
                                                   f"({', '.join(names)},)")
            return self._hessian_fn

    def evaluate(self, fn: Callable[..., Any], xp: Any, p: Sequence[Any]) -> tuple[Any, ...]:
        """Run generated code on the components ``p`` in namespace ``xp``.

        Python floats give Python floats; arrays and tensors give components of
        the parameters' common shape (a constant derivative is a bare number in
        the code, but a surface needs a grid of it).
        """
        if getattr(xp, "name", "numpy") == "torch":
            funcs = _torch_funcs()
            return funcs.broadcast(fn(funcs, *p), p)
        if all(type(v) is float for v in p):
            try:
                return fn(_FloatFuncs, *p)
            except (ArithmeticError, ValueError):
                with np.errstate(all="ignore"):
                    out = fn(_NumpyFuncs, *map(np.float64, p))
                return tuple(map(float, out))
        args = [v if type(v) is np.ndarray else np.float64(v) for v in p]
        with np.errstate(all="ignore"):
            out = fn(_NumpyFuncs, *args)
        if not any(type(v) is np.ndarray for v in args):
            return tuple(out)
        shape = np.broadcast_shapes(*(v.shape for v in args))
        return tuple(
            v if np.shape(v) == shape else np.broadcast_to(np.asarray(v, np.float64), shape).copy()
            for v in out
        )


@functools.lru_cache(maxsize=128)
def _compile_cached(text: str, params: tuple[str, ...] | None) -> CompiledFormula:
    parsed = parse_formula(text, params)
    n = len(parsed.params)
    graph = _Graph()
    loss = graph.add_tree(parsed.tree)
    grads = tuple(graph.derivative(loss, k) for k in range(n))
    loss_lines, (loss_name,) = _emit(graph, [loss])
    grad_lines, grad_names = _emit(graph, grads)
    both_lines, both_names = _emit(graph, [loss, *grads])
    grad_list = ", ".join(both_names[1:])
    return CompiledFormula(
        parsed=parsed,
        graph=graph,
        loss_node=loss,
        grad_nodes=grads,
        loss_fn=_build_function("_loss", n, loss_lines, f"({loss_name},)"),
        grad_fn=_build_function("_grad", n, grad_lines, f"({', '.join(grad_names)},)"),
        loss_grad_fn=_build_function("_loss_grad", n, both_lines, f"({', '.join(both_names)},)"),
        float_loss_grad_fn=_build_function("_float_loss_grad", n, both_lines,
                                           f"({both_names[0]}, ({grad_list},))",
                                           floats_only=True),
    )


def compile_formula(text: str, params: Sequence[str] | str | None = None) -> CompiledFormula:
    """Parse, check and compile a formula (cached per text and parameters).

    Raises
    ------
    FormulaError
        What is wrong and where.
    """
    names = _check_param_names(params)
    if not isinstance(text, str):
        raise FormulaError(f"the formula must be text, got {type(text).__name__}")
    return _compile_cached(text, names)


# ================================================================= problem
class FormulaProblem(Problem):
    """A typed loss in named parameters, with exact symbolic derivatives.

    ``options`` holds ``formula`` and ``params``; the compiled code is looked
    up from them (so `dataclasses.replace` and pickling work).
    """

    def __post_init__(self) -> None:
        self._compiled = compile_formula(self.options["formula"], tuple(self.param_names))

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_compiled", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__post_init__()

    @property
    def formula(self) -> str:
        return str(self.options["formula"])

    def loss_c(self, xp: Any, p: tuple[Any, ...], data: Dataset | None) -> Any:
        c = self._compiled
        return c.evaluate(c.loss_fn, xp, p)[0]

    def grad_c(self, xp: Any, p: tuple[Any, ...], data: Dataset | None) -> tuple[Any, ...]:
        c = self._compiled
        return c.evaluate(c.grad_fn, xp, p)

    def loss_grad_c(
        self, xp: Any, p: tuple[Any, ...], data: Dataset | None
    ) -> tuple[Any, tuple[Any, ...]]:
        c = self._compiled
        out = c.evaluate(c.loss_grad_fn, xp, p)
        return out[0], out[1:]

    def full_loss_grad_c(self, p: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...]]:
        c = self._compiled
        try:  # one run's step on Python floats: the fast path, inline
            fast = c.float_loss_grad_fn(*p)
        except (ArithmeticError, ValueError):
            fast = None
        if fast is not None:
            return fast
        out = c.evaluate(c.loss_grad_fn, NUMPY, p)
        return out[0], out[1:]

    def hessian_c(
        self, xp: Any, p: tuple[Any, ...], data: Dataset | None
    ) -> tuple[tuple[Any, ...], ...]:
        c = self._compiled
        flat = c.evaluate(c.hessian_fn(), xp, p)
        n = self.n_params
        return tuple(tuple(flat[i * n : (i + 1) * n]) for i in range(n))

    def check_start(self, start: Sequence[float] | None) -> tuple[float, ...]:
        """As `Problem.check_start`, and the formula must be finite there."""
        values = super().check_start(start)
        problem = _finite_problem_at(self._compiled, values)
        if problem is not None:
            raise FormulaError(problem)
        return values


def _finite_problem_at(compiled: CompiledFormula, start: Sequence[float]) -> str | None:
    """Why the formula cannot start at ``start``, or None if it can."""
    loss, *grad = compiled.evaluate(compiled.loss_grad_fn, NUMPY, tuple(map(float, start)))
    at = ", ".join(f"{n}={v:g}" for n, v in zip(compiled.params, start, strict=True))
    if not np.isfinite(loss):
        return (f"the formula is not finite at the start point ({at}): its value there is "
                f"{float(loss)}; choose another start")
    if not all(np.isfinite(g) for g in grad):
        return (f"the formula's gradient is not finite at the start point ({at}); "
                "choose another start")
    return None


def formula_problem(
    expr: str,
    params: Sequence[str] | str | None = None,
    start: Sequence[float] | None = None,
) -> FormulaProblem:
    """A `Problem` from a typed formula, with exact gradient and Hessian.

    Parameters
    ----------
    expr
        The loss, e.g. ``"(1-a)**2 + 100*(b-a**2)**2"``: numbers, the
        parameters, ``+ - * / **``, parentheses, ``pi``, ``e`` and the
        functions exp, log, sqrt, abs, sin, cos, tan, tanh, sigmoid, relu,
        softplus, min, max (two arguments).
    params
        Parameter names in order (a sequence or ``"a,b"``). Default: the names
        the formula uses, in alphabetical order.
    start
        One number per parameter. Default: the first of (1.5, 0.5, 1.5, ...),
        (1, 1, ...) and (0, 0, ...) where the loss and its gradient are finite.

    Returns
    -------
    FormulaProblem
        name ``"formula"``, the formula as title, a ±5 plot window around the
        start, lr 0.01 and 500 steps by default; its minimum is unknown
        (``min_loss`` None).

    Raises
    ------
    FormulaError
        (a `ConfigError`) for a formula that is not allowed, with its column,
        or one that is not finite at the start point.
    """
    compiled = compile_formula(expr, params)
    names = compiled.params
    n = len(names)
    if start is None:
        candidates = [tuple(pattern[i % 2] for i in range(n)) for pattern in DEFAULT_STARTS]
        reasons = [_finite_problem_at(compiled, c) for c in candidates]
        chosen = next((c for c, r in zip(candidates, reasons, strict=True) if r is None), None)
        if chosen is None:
            tried = "; ".join(f"({', '.join(f'{v:g}' for v in c)})" for c in candidates)
            raise FormulaError(
                f"the formula or its gradient is not finite at any default start point "
                f"({tried}); give a start point where it is"
            )
        start_values = tuple(float(v) for v in chosen)
    else:
        start_values = _check_start_values(start, names)
        problem = _finite_problem_at(compiled, start_values)
        if problem is not None:
            raise FormulaError(problem)
    text = compiled.parsed.text
    window = tuple((s - WINDOW_HALF_WIDTH, s + WINDOW_HALF_WIDTH) for s in start_values[:2])
    return FormulaProblem(
        name="formula",
        title=text,
        param_names=names,
        start=start_values,
        description=(
            f"Your formula {text} in the parameter{'s' if n > 1 else ''} {', '.join(names)}. "
            "Its gradient is exact (symbolic differentiation), and its minimum is not "
            "known in advance."
        ),
        default_lr=DEFAULT_LR,
        default_steps=DEFAULT_STEPS,
        window=window,
        minima=(),
        min_loss=None,
        tolerance=1e-6,
        options={"formula": text, "params": names},
    )


def _check_start_values(start: Sequence[float], names: tuple[str, ...]) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in start)
    except (TypeError, ValueError):
        raise ConfigError(f"start must be {len(names)} numbers ({', '.join(names)}), "
                          f"got {start!r}") from None
    if len(values) != len(names):
        raise ConfigError(f"start must have {len(names)} values ({', '.join(names)}), "
                          f"got {len(values)}")
    if not all(math.isfinite(v) for v in values):
        raise ConfigError(f"start values must be finite numbers, got {values}")
    return values
