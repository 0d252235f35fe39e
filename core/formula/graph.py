"""The expression graph of a formula and its exact derivatives.

Equal sub-expressions are one node, and derivatives are built on the same
graph by the chain rule, so their size stays linear in the formula's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from core.formula.language import MAX_OPERATIONS, FormulaError
from core.formula.parse import BINOPS, Node, numpy_function


class Graph:
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
                return self.num(float(BINOPS[kind](np.float64(vx), np.float64(vy))))
        short = self._simplified(kind, x, y, vx, vy) if simplify else None
        return self._intern((kind, x, y)) if short is None else short

    def _simplified(self, kind: str, x: int, y: int, vx: float | None,
                    vy: float | None) -> int | None:
        """The node ``x <kind> y`` reduces to when one side is 0, 1 or −1 (else None)."""
        if kind == "add":
            return y if vx == 0.0 else x if vy == 0.0 else None
        if kind == "sub":
            return x if vy == 0.0 else self.neg(y) if vx == 0.0 else None
        if kind == "mul":
            if vx == 0.0 or vy == 0.0:
                return self.zero
            for v, other in ((vx, y), (vy, x)):
                if v == 1.0:
                    return other
                if v == -1.0:
                    return self.neg(other)
            return None
        if kind == "div":
            return self.zero if vx == 0.0 else x if vy == 1.0 else None
        if kind == "pow":
            return x if vy == 1.0 else self.one if vy == 0.0 else None
        return None

    def call(self, name: str, args: Sequence[int]) -> int:
        values = [self.value(a) for a in args]
        if all(v is not None for v in values):
            with np.errstate(all="ignore"):
                result = numpy_function(name)(*(np.float64(v) for v in values))
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
            return self._minmax_derivative(name, args, d)
        (x,) = args
        dx = d[x]
        if dx == zero or name in ("sign", "step"):
            return zero
        if name == "log":
            return self.op("div", dx, x)
        if name == "sqrt":
            return self.op("div", dx, self.op("mul", self.num(2.0), i))
        return self.op("mul", self._slope(i, name, x), dx)

    def _slope(self, i: int, name: str, x: int) -> int:
        """f′(x) of a one-argument function, node ``i`` being f(x) itself."""
        one = self.one
        slopes: dict[str, Callable[[], int]] = {
            "exp": lambda: i,
            "abs": lambda: self.call("sign", [x]),
            "sin": lambda: self.call("cos", [x]),
            "cos": lambda: self.neg(self.call("sin", [x])),
            "tan": lambda: self.op("add", one, self.op("mul", i, i)),
            "tanh": lambda: self.op("sub", one, self.op("mul", i, i)),
            "sigmoid": lambda: self.op("mul", i, self.op("sub", one, i)),
            "softplus": lambda: self.call("sigmoid", [x]),
            "relu": lambda: self.call("step", [x]),
        }
        return slopes[name]()

    def _minmax_derivative(self, name: str, args: tuple[int, ...], d: dict[int, int]) -> int:
        x, y = args
        dx, dy = d[x], d[y]
        if dx == self.zero and dy == self.zero:
            return self.zero
        # the share of the gradient each argument gets: 1, 0, or ½ at a tie
        # (torch.maximum splits ties the same way)
        s = self.call("sign", [self.op("sub", x, y)])
        if name == "min":
            s = self.neg(s)
        half = self.num(0.5)
        wx = self.op("mul", half, self.op("add", self.one, s))
        wy = self.op("mul", half, self.op("sub", self.one, s))
        return self.op("add", self.op("mul", wx, dx), self.op("mul", wy, dy))
