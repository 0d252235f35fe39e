"""Straight-line Python from code written for the array namespaces: the tracer.

Code written once for floats, arrays and tensors (a problem's loss and
gradient, an optimizer's update) runs once on symbols (`Sym`). Each operation
it makes on them becomes a line, ``tN = a op b`` or ``tN = xp_name(a, b)``, in
the order made, and the lines are compiled into one function. That function
makes the same float operations, with the same float-namespace functions, in
the same order as the code run on floats: the same numbers to the last bit,
without the calls around them (the methods, the namespace's attribute
lookups, the tuples built and taken apart), which for a handful of floats
cost more than the arithmetic.

A symbol may carry the value it stands for at the trace (a `Record` made
with ``concrete=True``). Code may then decide on it (``if wd:``): the
decision is taken as the value takes it, and a guard line makes the
generated code raise `Diverted` wherever a later value would decide the
other way, so the caller runs the written code instead. Without values, a
decision raises `Untraceable`, as does converting a symbol (``float()``, a
numpy call) or anything else the symbols do not stand for.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from core.xp import FLOATS, identity

_NO_VALUE = object()
_COMPILED_KEPT = 256
_compiled: dict[str, Any] = {}  # generated source -> code: each shape of math compiles once


class Untraceable(Exception):
    """The code looked at a value, or used something the symbols do not stand for."""


class Diverted(Exception):
    """A decision the trace took would go the other way now: run the written code."""


class Record:
    """The lines of straight-line code a trace writes, its inputs and temporaries."""

    def __init__(self, concrete: bool = False) -> None:
        self.concrete = concrete
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}  # names for what has no literal (inf, nan)
        self.guards: set[str] = set()

    def symbol(self, name: str, value: Any = _NO_VALUE) -> Sym:
        """An input of the generated function, named ``name``."""
        return Sym(name, self, value)

    def emit(self, expression: str, value: Any = _NO_VALUE) -> Sym:
        name = f"t{len(self.lines)}"
        self.lines.append(f"{name} = {expression}")
        return Sym(name, self, value)

    def operand(self, value: Any) -> str:
        """``value`` as it appears in the code: a symbol's name or a literal."""
        if isinstance(value, Sym):
            return value.name
        if value is None or type(value) is bool or type(value) is int:
            return repr(value)
        if isinstance(value, float):
            value = float(value)  # a numpy scalar's value, as a Python float
            if math.isfinite(value):
                return f"({value!r})"
            name = f"c_{len(self.constants)}"
            self.constants[name] = value
            return name
        raise Untraceable(f"a {type(value).__name__} in the math")


def _value(x: Any) -> Any:
    return x.value if isinstance(x, Sym) else x


def _binary(op: str, fn: Callable[[Any, Any], Any],
            reverse: bool = False) -> Callable[[Sym, Any], Sym]:
    def method(self: Sym, other: Any) -> Sym:
        a, b = self.name, self.rec.operand(other)
        value = _NO_VALUE
        if self.rec.concrete:
            x, y = self.value, _value(other)
            value = fn(y, x) if reverse else fn(x, y)
        return self.rec.emit(f"{b} {op} {a}" if reverse else f"{a} {op} {b}", value)

    return method


def _both(op: str, fn: Callable[[Any, Any], Any]) -> tuple[Callable[[Sym, Any], Sym], ...]:
    return _binary(op, fn), _binary(op, fn, reverse=True)


class Sym:
    """A value the trace stands in for: each operation on it becomes a line of code."""

    __slots__ = ("name", "rec", "value")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, name: str, rec: Record, value: Any = _NO_VALUE) -> None:
        self.name, self.rec, self.value = name, rec, value

    __add__, __radd__ = _both("+", operator.add)
    __sub__, __rsub__ = _both("-", operator.sub)
    __mul__, __rmul__ = _both("*", operator.mul)
    __truediv__, __rtruediv__ = _both("/", operator.truediv)
    __pow__, __rpow__ = _both("**", operator.pow)
    __and__, __rand__ = _both("&", operator.and_)
    __or__, __ror__ = _both("|", operator.or_)
    __lt__, __le__ = _binary("<", operator.lt), _binary("<=", operator.le)
    __gt__, __ge__ = _binary(">", operator.gt), _binary(">=", operator.ge)
    __eq__ = _binary("==", operator.eq)  # type: ignore[assignment]
    __ne__ = _binary("!=", operator.ne)  # type: ignore[assignment]

    def __neg__(self) -> Sym:
        value = -self.value if self.rec.concrete else _NO_VALUE
        return self.rec.emit(f"-{self.name}", value)

    def __abs__(self) -> Sym:
        value = abs(self.value) if self.rec.concrete else _NO_VALUE
        return self.rec.emit(f"abs({self.name})", value)

    def __bool__(self) -> bool:
        if self.value is _NO_VALUE:
            raise Untraceable("the code decides on a value")
        truth = bool(self.value)
        # the generated code leaves where a later value decides the other way (once:
        # the same decision made again, for the next parameter, is the same guard)
        guard = f"if {'not ' if truth else ''}{self.name}: raise Diverted"
        if guard not in self.rec.guards:
            self.rec.guards.add(guard)
            self.rec.lines.append(guard)
        return truth

    def __float__(self) -> float:
        raise Untraceable("the code converts a value")

    __int__ = __index__ = __float__  # type: ignore[assignment]


class Namespace:
    """The float namespace's names, each writing a call to the float function."""

    def __init__(self, rec: Record) -> None:
        self._rec = rec

    def __getattr__(self, name: str) -> Any:
        fn = getattr(FLOATS, name)
        if not callable(fn):
            return fn
        if fn is identity:  # a mean or a column of one example is the value itself
            return identity
        rec = self._rec

        def call(*args: Any) -> Sym:
            value = fn(*map(_value, args)) if rec.concrete else _NO_VALUE
            return rec.emit(f"xp_{name}({', '.join(rec.operand(a) for a in args)})", value)

        setattr(self, name, call)  # made once a trace: later lookups find it directly
        return call


_SCOPE = {f"xp_{k}": v for k, v in vars(FLOATS).items() if callable(v)}
_SCOPE["Diverted"] = Diverted


def define(source: str, label: str, constants: dict[str, Any]) -> dict[str, Any]:
    """Run the generated ``source`` (compiled once per text) and return what it defined."""
    code = _compiled.get(source)
    if code is None:
        if len(_compiled) >= _COMPILED_KEPT:
            _compiled.clear()
        code = _compiled[source] = compile(source, f"<traced {label}>", "exec")
    scope = {**_SCOPE, **constants}
    exec(code, scope)  # the source is ours: lines written from the code's own operations
    return scope


def listed(values: Any) -> str:
    """``a, b, `` for a tuple of operands (a trailing comma: one value is a tuple too)."""
    return "".join(f"{v}, " for v in values)
