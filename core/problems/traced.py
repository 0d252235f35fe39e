"""A problem's loss and gradient on Python floats, traced once into straight-line Python.

A single run works out each step's gradient on Python floats, example by
example for a small batch (`Problem.float_loss_grad`). Run as written, the
problem's component-style code spends a dozen calls per example (its methods,
the namespace's helpers, the example's column lookups) around a few float
operations: three times the work of the seed articles' own loops. So the
code runs once on symbols instead: every operation it makes is written
down in the order made, and the record becomes one Python function whose
loop over the examples makes those same float operations, calling the same
float-namespace functions, in the same order. The numbers are the same to
the last bit; only the calls around them are gone.

Code that decides on a value (an ``if`` on a symbol, ``float()`` of one,
a numpy call) cannot be traced: `trace_loss_grad` returns None and the run
keeps the code as written. So does a trace that, checked once at two
points, does not give the written code's numbers exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from core.xp import FLOATS, identity

if TYPE_CHECKING:
    from core.problems.base import Problem

LossGrad = Callable[[tuple[float, ...], Sequence[int] | None], tuple[float, tuple[Any, ...]]]

_FUNCTIONS = {f"xp_{k}": v for k, v in vars(FLOATS).items() if callable(v)}
_compiled: dict[str, Any] = {}  # generated source -> code: each shape of math compiles once
_COMPILED_KEPT = 256
_CHECKED = 4  # examples the trace is checked on: a sum of several, as a batch's is


class Untraceable(Exception):
    """The code looked at a value, or used something the symbols do not stand for."""


class _Record:
    """The lines of straight-line code a trace writes, and its temporaries."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {}  # names for what has no literal (inf, nan)

    def emit(self, expression: str) -> _Sym:
        name = f"t{len(self.lines)}"
        self.lines.append(f"{name} = {expression}")
        return _Sym(name, self)

    def operand(self, value: Any) -> str:
        if isinstance(value, _Sym):
            return value.name
        if type(value) is bool or type(value) is int:
            return repr(value)
        if isinstance(value, float):
            value = float(value)  # a numpy scalar's value, as a Python float
            if math.isfinite(value):
                return f"({value!r})"
            name = f"c{len(self.constants)}"
            self.constants[name] = value
            return name
        raise Untraceable(f"a {type(value).__name__} in the math")


def _binary(op: str, reverse: bool = False) -> Callable[[_Sym, Any], _Sym]:
    def method(self: _Sym, other: Any) -> _Sym:
        a, b = self.name, self.rec.operand(other)
        return self.rec.emit(f"{b} {op} {a}" if reverse else f"{a} {op} {b}")

    return method


class _Sym:
    """A value the trace stands in for: each operation on it becomes a line of code."""

    __slots__ = ("name", "rec")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, name: str, rec: _Record) -> None:
        self.name, self.rec = name, rec

    __add__, __radd__ = _binary("+"), _binary("+", True)
    __sub__, __rsub__ = _binary("-"), _binary("-", True)
    __mul__, __rmul__ = _binary("*"), _binary("*", True)
    __truediv__, __rtruediv__ = _binary("/"), _binary("/", True)
    __pow__, __rpow__ = _binary("**"), _binary("**", True)
    __and__, __rand__ = _binary("&"), _binary("&", True)
    __or__, __ror__ = _binary("|"), _binary("|", True)
    __lt__, __le__ = _binary("<"), _binary("<=")
    __gt__, __ge__ = _binary(">"), _binary(">=")
    __eq__, __ne__ = _binary("=="), _binary("!=")  # type: ignore[assignment]

    def __neg__(self) -> _Sym:
        return self.rec.emit(f"-{self.name}")

    def __abs__(self) -> _Sym:
        return self.rec.emit(f"abs({self.name})")

    def __bool__(self) -> bool:
        raise Untraceable("the code decides on a value")

    def __float__(self) -> float:
        raise Untraceable("the code converts a value")

    __int__ = __index__ = __float__  # type: ignore[assignment]


class _Namespace:
    """The float namespace's names, each writing a call to the float function."""

    def __init__(self, rec: _Record) -> None:
        self._rec = rec

    def __getattr__(self, name: str) -> Any:
        fn = getattr(FLOATS, name)
        if not callable(fn):
            return fn
        if fn is identity:  # a mean or a column of one example is the value itself
            return identity
        rec = self._rec

        def call(*args: Any) -> _Sym:
            return rec.emit(f"xp_{name}({', '.join(rec.operand(a) for a in args)})")

        setattr(self, name, call)  # made once a trace: later lookups find it directly
        return call


class _Columns:
    """An example's inputs as symbols, indexed as a data set's are (``x[:, j]``)."""

    def __init__(self, columns: Sequence[_Sym]) -> None:
        self._columns = columns

    def __getitem__(self, key: Any) -> _Sym:
        if not (isinstance(key, tuple) and len(key) == 2 and key[0] == slice(None)):
            raise Untraceable(f"data indexed by {key!r}")
        return self._columns[key[1]]


class _Example:
    __slots__ = ("x", "y")

    def __init__(self, x: _Columns, y: _Sym) -> None:
        self.x, self.y = x, y

    def __len__(self) -> int:
        return 1


def trace_loss_grad(problem: Problem, written: LossGrad) -> LossGrad | None:
    """``problem``'s `loss_grad_c` on floats as one generated function of ``(p, rows)``
    (rows: the examples, never None, for a data problem; ignored without data), or None
    where it cannot be traced or its trace does not give ``written``'s numbers."""
    rec = _Record()
    n = problem.n_params
    p = tuple(_Sym(f"p{i}", rec) for i in range(n))
    data = problem.data
    try:
        if data is None:
            example, width = None, 0
        else:
            width = int(data.x.shape[1])
            example = _Example(_Columns([_Sym(f"x{j}", rec) for j in range(width)]),
                               _Sym("y", rec))
        loss, grad = problem.loss_grad_c(_Namespace(rec), p, example)  # type: ignore[arg-type]
        outputs = [rec.operand(loss), *(rec.operand(g) for g in grad)]
    except Exception:  # whatever the symbols cannot follow keeps the written code
        return None
    if len(outputs) != n + 1:
        return None
    source = _source(rec.lines, outputs, n, None if data is None else width)
    code = _compiled.get(source)
    if code is None:
        if len(_compiled) >= _COMPILED_KEPT:
            _compiled.clear()
        code = _compiled[source] = compile(source, f"<traced {problem.name}>", "exec")
    scope = {**_FUNCTIONS, **rec.constants}
    exec(code, scope)  # the source is ours: lines written from the problem's own operations
    rows = [] if data is None else [(*x, y) for x, y in zip(data.x.tolist(), data.y.tolist(),
                                                            strict=True)]
    traced: LossGrad = scope["make"](rows)
    return traced if _agrees(traced, written, problem) else None


def _source(lines: list[str], outputs: list[str], n: int, width: int | None) -> str:
    """The generated module: ``make(ROWS)`` returns the traced ``loss_grad(p, rows)``."""
    params = "".join(f"p{i}, " for i in range(n))
    loss, grads = outputs[0], outputs[1:]
    out = ["def make(ROWS):", "    def loss_grad(p, rows):", f"        {params}= p"]
    if width is None:
        out += [f"        {line}" for line in lines]
        out += [f"        return {loss}, ({''.join(g + ', ' for g in grads)})"]
        return "\n".join([*out, "    return loss_grad", ""])
    unpack = f"{''.join(f'x{j}, ' for j in range(width))}y = ROWS"
    # one example: its own numbers, as the written code gives them (no sum, no division)
    out += ["        if len(rows) == 1:", f"            {unpack}[rows[0]]"]
    out += [f"            {line}" for line in lines]
    out += [f"            return {loss}, ({''.join(g + ', ' for g in grads)})"]
    # several: running sums in row order, then the mean, as the written loop does
    sums = [f"s{i}" for i in range(n)]
    out += ["        total = 0.0", *(f"        {s} = 0.0" for s in sums),
            "        for i in rows:", f"            {unpack}[i]"]
    out += [f"            {line}" for line in lines]
    out += [f"            total += {loss}", *(f"            {s} += {g}" for s, g in
                                               zip(sums, grads, strict=True))]
    out += ["        count = len(rows)",
            f"        return total / count, ({''.join(f'{s} / count, ' for s in sums)})"]
    return "\n".join([*out, "    return loss_grad", ""])


def _agrees(traced: LossGrad, written: LossGrad, problem: Problem) -> bool:
    """The same numbers, bit for bit, as the written code at the start point (over its
    first examples): a trace that went another way than the code on floats goes (a test
    of the namespace or of a value's type) is not used. A branch on a value cannot be
    traced at all, so one point suffices."""
    p = tuple(float(v) for v in problem.start)
    rows = None if problem.data is None else list(range(min(problem.n_samples, _CHECKED)))
    try:
        a, b = traced(p, rows), written(p, rows)
    except Exception:  # not comparable here: keep the written code
        return False
    return repr([a[0], *a[1]]) == repr([b[0], *b[1]])
