"""A high-precision reference for typed formulas, with an error bound for float64.

The formula's checked tree is evaluated with mpmath at 60 digits, in forward
mode (each node carries its value and its derivative in every parameter), so
the reference gradient comes from the chain rule applied here, independently
of the program's symbolic differentiation and code generation.

How far a float64 evaluation may honestly stray from the exact value depends
on the expression's conditioning, not on the code: ``tanh(e**b)`` or
``sigmoid(tan(b))`` lose digits in any implementation. The bound used here is
the classic first-order one: each operation rounds its result by a few units
in the last place, and an error ``δ`` at node ``i`` moves the output by
``|∂out/∂vᵢ|·δ``. The sensitivities are measured by nudging each node in turn
at high precision, so the tolerance is tight where the expression is well
conditioned and wide exactly where float64 cannot do better.

Points where float64 leaves its range (an intermediate beyond 1e300 or below
1e-300 in size), where the exact value is not real, or where a kink (``min``,
``max``, ``abs``, ``relu``) is closer than the rounding error are reported as
not comparable: no reference is claimed there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath

DIGITS = 60
NUDGE = mpmath.mpf("1e-40")
ULP = 2.0**-52
# rounding of one operation, in ulps of its result: basic arithmetic is
# correctly rounded; libm functions stay within a few ulps
OP_ULPS = 8.0
RANGE = mpmath.mpf("1e300")


class NotComparable(Exception):
    """No float64 reference can be claimed at this point."""


@dataclass(frozen=True)
class Reference:
    loss: float
    loss_tol: float
    grad: tuple[float, ...]
    grad_tol: tuple[float, ...]


def _sign(z):
    return mpmath.mpf(1) if z > 0 else mpmath.mpf(-1) if z < 0 else mpmath.mpf(0)


def _sigmoid(z):
    return 1 / (1 + mpmath.exp(-z))


def _softplus(z):
    return mpmath.log1p(mpmath.exp(z))


# each function's value, and its slope written the way the program computes
# it: from the function's own (rounded) value where it does so, as the terms
# whose sum is the slope (their sizes bound the slope's rounding error)
def _slope_terms(name, x, f):
    one = mpmath.mpf(1)
    return {
        "exp": lambda: [f],
        "log": lambda: [one / x],
        "sqrt": lambda: [one / (2 * f)],
        "abs": lambda: [_sign(x)],
        "sin": lambda: [mpmath.cos(x)],
        "cos": lambda: [-mpmath.sin(x)],
        "tan": lambda: [one, f * f],
        "tanh": lambda: [one, -f * f],
        "sigmoid": lambda: [f, -f * f],
        "softplus": lambda: [_sigmoid(x)],
        "relu": lambda: [one if x > 0 else mpmath.mpf(0)],
    }[name]()


_VALUES = {
    "exp": mpmath.exp, "log": mpmath.log, "sqrt": mpmath.sqrt, "abs": abs,
    "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan, "tanh": mpmath.tanh,
    "sigmoid": _sigmoid, "softplus": _softplus, "relu": lambda x: max(x, 0),
}
# functions computed in float64 from a form whose error is absolute, not
# relative (sigmoid is 0.5·(1 + tanh(z/2)): near 0 it keeps ~1e-16, not 16 digits)
_ABSOLUTE_ERROR = {"sigmoid"}
_ABSOLUTE_SLOPE = {"softplus"}  # its slope is that sigmoid
_KINKS = {"abs", "relu", "min", "max"}


def _has_param(node) -> bool:
    kind = node[0]
    if kind == "par":
        return True
    if kind == "num":
        return False
    children = node[2] if kind == "call" else node[1:]
    return any(_has_param(c) for c in children)


class _Evaluator:
    """Forward-mode evaluation of a formula tree.

    Every rounded quantity (each operation's value, each slope, each
    derivative part) is a *rounding point*; `nudge_at` moves one of them by
    `NUDGE` times its error scale, to measure how much the outputs care.
    """

    def __init__(self, n_params: int, point: tuple[float, ...]) -> None:
        self.n = n_params
        self.point = [mpmath.mpf(v) for v in point]
        self.nudge_at: int | None = None
        self.scales: list[mpmath.mpf] = []  # error scale of each rounding point
        self.kink_gaps: list[tuple[mpmath.mpf, mpmath.mpf]] = []  # (distance, size)

    def run(self, tree):
        self.scales = []
        self.kink_gaps = []
        return self._eval(tree)

    def _rounded(self, terms, absolute: bool = False):
        """The sum of ``terms`` as float64 would round it, nudged if it is the chosen point."""
        value = mpmath.fsum(terms)
        if isinstance(value, mpmath.mpc) or not mpmath.isfinite(value):
            raise NotComparable("not a finite real number")
        if value != 0 and not (1 / RANGE < abs(value) < RANGE):
            raise NotComparable("outside float64's range")
        scale = mpmath.fsum(abs(t) for t in terms)
        if absolute:
            scale = max(scale, 1)
        index = len(self.scales)
        self.scales.append(scale)
        if self.nudge_at == index:
            value += NUDGE * scale
        return value

    def _eval(self, node):
        kind = node[0]
        if kind == "num":
            return [mpmath.mpf(node[1])] + [mpmath.mpf(0)] * self.n
        if kind == "par":
            d = [mpmath.mpf(0)] * self.n
            d[node[1]] = mpmath.mpf(1)
            return [self.point[node[1]], *d]
        if kind == "neg":
            return [-v for v in self._eval(node[1])]
        if kind == "call":
            return self._call(node[1], [self._eval(a) for a in node[2]])
        exponent_varies = kind == "pow" and _has_param(node[2])
        return self._binary(kind, self._eval(node[1]), self._eval(node[2]), exponent_varies)

    def _binary(self, kind, x, y, exponent_varies=False):
        (vx, *dx), (vy, *dy) = x, y
        r = self._rounded
        if kind in ("add", "sub"):
            s = 1 if kind == "add" else -1
            return [r([vx + s * vy])] + [r([a, s * b]) for a, b in zip(dx, dy, strict=True)]
        if kind == "mul":
            return [r([vx * vy])] + [r([vx * b, a * vy]) for a, b in zip(dx, dy, strict=True)]
        if kind == "div":
            if vy == 0:
                raise NotComparable("division by zero")
            q = r([vx / vy])
            return [q] + [r([a / vy, -q * b / vy]) for a, b in zip(dx, dy, strict=True)]
        # pow, differentiated as the program (and torch) do: the log term only
        # where the exponent depends on the parameters, and then nan for a base
        # at or below zero even where the exponent's slope happens to be zero
        if exponent_varies and vx <= 0:
            raise NotComparable("log of a non-positive base")
        if vx < 0 and vy != int(vy):
            raise NotComparable("a negative base to a fractional power")
        if vx < 0 and abs(vy) >= 2**52:
            # the sign of x**(y − 1) hangs on y's parity, which float64 rounds away
            raise NotComparable("a negative base to a power beyond float64's integers")
        if vx == 0 and vy <= 1:
            raise NotComparable("zero to a power at or below one")
        value = r([mpmath.power(vx, vy)])
        parts = []
        for a, b in zip(dx, dy, strict=True):
            terms = [vy * mpmath.power(vx, vy - 1) * a] if a else []
            if b:
                terms.append(value * mpmath.log(vx) * b)
            parts.append(r(terms or [mpmath.mpf(0)]))
        return [value, *parts]

    def _call(self, name, args):
        r = self._rounded
        if name in ("min", "max"):
            (vx, *dx), (vy, *dy) = args
            self.kink_gaps.append((abs(vx - vy), max(abs(vx), abs(vy))))
            s = _sign(vx - vy) * (1 if name == "max" else -1)
            wx, wy = (1 + s) / 2, (1 - s) / 2
            value = max(vx, vy) if name == "max" else min(vx, vy)
            return [value] + [r([wx * a, wy * b]) for a, b in zip(dx, dy, strict=True)]
        ((vx, *dx),) = args
        if name in _KINKS:
            self.kink_gaps.append((abs(vx), abs(vx)))
        if name in ("log", "sqrt") and vx <= 0:
            raise NotComparable(f"{name} at or below zero")
        value = r([_VALUES[name](vx)], absolute=name in _ABSOLUTE_ERROR)
        if not any(dx):
            return [value] + [mpmath.mpf(0)] * self.n
        slope = r(_slope_terms(name, vx, value), absolute=name in _ABSOLUTE_SLOPE)
        return [value] + [r([slope * d]) for d in dx]


def reference(tree, n_params: int, point: tuple[float, ...]) -> Reference:
    """The exact loss and gradient at ``point`` with float64 error bounds.

    Raises `NotComparable` where no honest float64 reference exists.
    """
    with mpmath.workdps(DIGITS):
        ev = _Evaluator(n_params, point)
        exact = ev.run(tree)
        # each output's sensitivity to each rounding point, nudged one at a time
        total = [mpmath.mpf(0)] * (n_params + 1)
        for i, scale in enumerate(list(ev.scales)):
            if scale == 0:
                continue
            ev.nudge_at = i
            nudged = ev.run(tree)
            for j in range(n_params + 1):
                total[j] += abs(nudged[j] - exact[j]) / NUDGE
        ev.nudge_at = None
        tols = [OP_ULPS * ULP * (t + abs(e)) for t, e in zip(total, exact, strict=True)]
        for gap, size in ev.kink_gaps:
            # a kink within reach of the rounding error: the branch float64
            # takes there is a coin toss, and so is the gradient
            if gap <= 1e3 * ULP * (size + max(tols)):
                raise NotComparable("a kink within the rounding error")
        return Reference(
            loss=float(exact[0]),
            loss_tol=float(tols[0]),
            grad=tuple(float(v) for v in exact[1:]),
            grad_tol=tuple(float(t) for t in tols[1:]),
        )


def assert_close(value: float, expected: float, tol: float, what: str) -> None:
    """``value`` within ``tol`` of the exact ``expected`` (both finite).

    Where the bound is as large as the value itself, float64 is not sure of
    even the first digit (or of being finite): there is nothing to check.
    """
    if tol >= abs(expected):
        return
    assert math.isfinite(value), f"{what}: got {value!r}, exact {expected!r}"
    assert abs(value - expected) <= tol, (
        f"{what}: got {value!r}, exact {expected!r}, allowed error {tol:.3g} "
        f"(off by {abs(value - expected):.3g})"
    )
