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

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from core.tracing import Namespace, Record, Sym, Untraceable, define, listed

if TYPE_CHECKING:
    from core.problems.base import Problem

LossGrad = Callable[[tuple[float, ...], Sequence[int] | None], tuple[float, tuple[Any, ...]]]

_CHECKED = 4  # examples the trace is checked on: a sum of several, as a batch's is


class _Columns:
    """An example's inputs as symbols, indexed as a data set's are (``x[:, j]``)."""

    def __init__(self, columns: Sequence[Sym]) -> None:
        self._columns = columns

    def __getitem__(self, key: Any) -> Sym:
        if not (isinstance(key, tuple) and len(key) == 2 and key[0] == slice(None)):
            raise Untraceable(f"data indexed by {key!r}")
        return self._columns[key[1]]


class _Example:
    __slots__ = ("x", "y")

    def __init__(self, x: _Columns, y: Sym) -> None:
        self.x, self.y = x, y

    def __len__(self) -> int:
        return 1


def trace_loss_grad(problem: Problem, written: LossGrad) -> LossGrad | None:
    """``problem``'s `loss_grad_c` on floats as one generated function of ``(p, rows)``
    (rows: the examples, never None, for a data problem; ignored without data), or None
    where it cannot be traced or its trace does not give ``written``'s numbers."""
    rec = Record()
    n = problem.n_params
    p = tuple(rec.symbol(f"p{i}") for i in range(n))
    data = problem.data
    try:
        if data is None:
            example, width = None, 0
        else:
            width = int(data.x.shape[1])
            example = _Example(_Columns([rec.symbol(f"x{j}") for j in range(width)]),
                               rec.symbol("y"))
        loss, grad = problem.loss_grad_c(Namespace(rec), p, example)  # type: ignore[arg-type]
        outputs = [rec.operand(loss), *(rec.operand(g) for g in grad)]
    except Exception:  # whatever the symbols cannot follow keeps the written code
        return None
    if len(outputs) != n + 1:
        return None
    source = _source(rec.lines, outputs, n, None if data is None else width)
    rows = [] if data is None else [(*x, y) for x, y in zip(data.x.tolist(), data.y.tolist(),
                                                            strict=True)]
    traced: LossGrad = define(source, problem.name, rec.constants)["make"](rows)
    return traced if _agrees(traced, written, problem) else None


def _source(lines: list[str], outputs: list[str], n: int, width: int | None) -> str:
    """The generated module: ``make(ROWS)`` returns the traced ``loss_grad(p, rows)``."""
    params = listed(f"p{i}" for i in range(n))
    loss, grads = outputs[0], outputs[1:]
    out = ["def make(ROWS):", "    def loss_grad(p, rows):", f"        {params}= p"]
    if width is None:
        out += [f"        {line}" for line in lines]
        out += [f"        return {loss}, ({listed(grads)})"]
        return "\n".join([*out, "    return loss_grad", ""])
    unpack = f"{listed(f'x{j}' for j in range(width))}y = ROWS"
    # one example: its own numbers, as the written code gives them (no sum, no division)
    out += ["        if len(rows) == 1:", f"            {unpack}[rows[0]]"]
    out += [f"            {line}" for line in lines]
    out += [f"            return {loss}, ({listed(grads)})"]
    # several: running sums in row order, then the mean, as the written loop does
    sums = [f"s{i}" for i in range(n)]
    out += ["        total = 0.0", *(f"        {s} = 0.0" for s in sums),
            "        for i in rows:", f"            {unpack}[i]"]
    out += [f"            {line}" for line in lines]
    out += [f"            total += {loss}", *(f"            {s} += {g}" for s, g in
                                               zip(sums, grads, strict=True))]
    out += ["        count = len(rows)",
            f"        return total / count, ({listed(f'{s} / count' for s in sums)})"]
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
