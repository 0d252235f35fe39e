"""Checking a typed formula before anything is built from it.

The text is parsed with `ast` (mode "eval") and walked against an allow-list:
numbers, the parameters, ``pi`` and ``e``, ``+ - * / **``, unary ``+``/``-``
and calls of the listed functions with positional arguments. Anything else is
refused with a `FormulaError` that says what is wrong and at which column
(1-based, in characters of the typed text). Bracket depth is capped before
Python's own parser sees deep input.
"""

from __future__ import annotations

import ast
import keyword
import math
import warnings
from collections.abc import Sequence
from typing import Any

from core.checks import shown
from core.errors import ConfigError
from core.formula.language import (
    AST_BINOPS,
    COMPARE_SYMBOLS,
    CONSTANTS,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_PARAMS,
    NODE_WORDS,
    OPERATOR_SYMBOLS,
    FormulaError,
    allowed_hint,
)


def check_param_names(params: Sequence[str] | str | None) -> tuple[str, ...] | None:
    if params is None:
        return None
    if isinstance(params, str):
        items = [p.strip() for p in params.split(",")]
    else:
        try:
            items = [p.strip() if isinstance(p, str) else p for p in params]
        except TypeError:
            raise ConfigError(f"params must be names such as a,b; got {shown(params)}") from None
    if not items or items == [""]:
        raise ConfigError("give at least one parameter name, e.g. a,b")
    if len(items) > MAX_PARAMS:
        raise ConfigError(f"at most {MAX_PARAMS} parameters are allowed, got {len(items)}")
    for name in items:
        if not isinstance(name, str) or not name:
            raise ConfigError(f"parameter names must be non-empty text, got {shown(name)}")
        if name.startswith("_"):
            raise ConfigError(f"parameter names must not start with '_', got {shown(name)}")
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ConfigError(
                f"parameter name {shown(name)} is not a valid name (letters, digits and _, "
                "starting with a letter)"
            )
        if name in FUNCTIONS or name in CONSTANTS:
            raise ConfigError(f"{shown(name)} is a function or constant of the formula language; "
                              "choose another parameter name")
    if len(set(items)) != len(items):
        raise ConfigError(f"parameter names must differ, got {', '.join(items)}")
    return tuple(items)


def check_brackets(body: str, shift: int) -> None:
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


def parse_ast(body: str, shift: int) -> ast.Expression:
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


def check_tree(tree: ast.Expression, body: str, shift: int,
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
        children = _check_node(node, body, shift, col, params)
        # reversed, so the leftmost problem is reported first
        stack.extend((child, depth + 1) for child in reversed(children))


def _check_node(node: ast.AST, body: str, shift: int, col: int | None,
                params: tuple[str, ...] | None) -> list[ast.AST]:
    """Refuse a node the language does not allow; return its children."""
    if isinstance(node, ast.BinOp):
        op = type(node.op)
        if op not in AST_BINOPS:
            symbol = OPERATOR_SYMBOLS.get(op, op.__name__)
            hint = "; write powers as ** (a**2)" if op is ast.BitXor else ""
            raise FormulaError(
                f"the operator '{symbol}' is not allowed{hint}; {allowed_hint(params)}",
                _operator_column(body, node, symbol, shift),
            )
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            raise FormulaError("'not' is not allowed; " + allowed_hint(params), col)
        if isinstance(node.op, ast.Invert):
            raise FormulaError("the operator '~' is not allowed; " + allowed_hint(params), col)
        return [node.operand]
    if isinstance(node, ast.Constant):
        constant_value(node.value, col)
        return []
    if isinstance(node, ast.Name):
        _check_name(node.id, col, params, called=False)
        return []
    if isinstance(node, ast.Call):
        _check_call(node, body, shift, col, params)
        return list(node.args)
    raise _refusal(node, body, shift, col, params)


def _refusal(node: ast.AST, body: str, shift: int, col: int | None,
             params: tuple[str, ...] | None) -> FormulaError:
    """The error for a kind of node the language has no place for."""
    if isinstance(node, ast.Attribute):
        return FormulaError(
            f"attribute access '.{node.attr}' is not allowed; {allowed_hint(params)}",
            _attribute_column(body, node, shift),
        )
    if isinstance(node, ast.Compare):
        symbol = COMPARE_SYMBOLS.get(type(node.ops[0]), "comparison")
        return FormulaError(f"the comparison '{symbol}' is not allowed; "
                            + allowed_hint(params), col)
    if isinstance(node, ast.BoolOp):
        word = "and" if isinstance(node.op, ast.And) else "or"
        return FormulaError(f"'{word}' is not allowed; " + allowed_hint(params), col)
    what = NODE_WORDS.get(type(node).__name__, f"'{type(node).__name__}'")
    return FormulaError(f"{what} is not allowed; " + allowed_hint(params), col)


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


def constant_value(value: Any, col: int | None) -> float:
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

