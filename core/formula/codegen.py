"""Straight-line Python for a formula's loss, gradient and Hessian.

The graph is written out one operation per line, calling only the functions
of an array namespace (`core.xp`): Python floats with the math module (one
run's steps), numpy (arrays of any shape: surfaces, sweeps) or torch
(autograd, the oracle in the tests).
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.formula.check import check_param_names
from core.formula.graph import Graph
from core.formula.language import XP_NAMES, FormulaError
from core.formula.parse import ParsedFormula, parse_formula
from core.xp import FLOATS, NUMPY


def _literal(v: float) -> str:
    if math.isnan(v):
        return "_nan"
    if math.isinf(v):
        return "_inf" if v > 0 else "(-_inf)"
    return repr(v) if v >= 0 else f"({v!r})"


_OP_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/"}


def _emit(graph: Graph, outputs: Sequence[int]) -> tuple[list[str], list[str]]:
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
            function = XP_NAMES.get(node[1], node[1])
            code = f"_F.{function}({', '.join(names[a] for a in node[2])})"
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

    ``_F`` is an array namespace (`core.xp`). With ``floats_only`` it is
    ``name(_p0, ...)`` over ``FLOATS``, and
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
                                 "_type": type, "_float": float, "_F": FLOATS}
    exec(compile(source, f"<formula {name}>", "exec"), namespace)  # our own generated code
    fn = namespace[name]
    fn.source = source
    return fn


@dataclass
class CompiledFormula:
    """A checked formula with loss, gradient and (on first use) Hessian code.

    Each generated function takes ``(_F, p0, p1, ...)``, ``_F`` an array
    namespace, and returns a flat tuple: ``(loss,)``, ``(g0, g1, ...)``,
    ``(loss, g0, g1, ...)`` or the Hessian's n·n entries row by row.
    ``float_loss_grad_fn(p0, ...)`` is the fast path of one run's steps.
    """

    parsed: ParsedFormula
    graph: Graph
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
            return _torch_broadcast(fn(xp, *p), p)
        if all(type(v) is float for v in p):
            try:
                return fn(FLOATS, *p)
            except (ArithmeticError, ValueError):  # FLOATS' way of saying "ask numpy"
                with np.errstate(all="ignore"):
                    out = fn(NUMPY, *map(np.float64, p))
                return tuple(map(float, out))
        # numpy scalars, not floats: their 1/0 is inf and (-8.0)**0.5 nan
        args = [v if type(v) is np.ndarray else np.float64(v) for v in p]
        with np.errstate(all="ignore"):
            out = fn(NUMPY, *args)
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
    graph = Graph()
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
    names = check_param_names(params)
    if not isinstance(text, str):
        raise FormulaError(f"the formula must be text, got {type(text).__name__}")
    return _compile_cached(text, names)


def _torch_broadcast(values: Sequence[Any], params: Sequence[Any]) -> tuple[Any, ...]:
    """Each value as a tensor of the parameters' common shape (a constant
    derivative comes out of the code as a bare number)."""
    import torch  # this runs only on the torch backend

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
