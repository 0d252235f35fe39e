"""Classic optimisation test surfaces in two parameters.

Each surface is written once in component style, with its hand-derived
gradient and analytic Hessian; the tests hold both against finite differences
and torch autograd.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from core.checks import check_number
from core.problems.base import Dataset, Problem

if TYPE_CHECKING:
    from core._types import Comps, Num, Rows


# ------------------------------------------------------------------ rosenbrock
class Rosenbrock(Problem):
    """``(1 − a)² + 100·(b − a²)²``: a curved, narrow valley."""

    def loss_c(self, xp: Any, p: Comps, data: Dataset | None) -> Num:
        a, b = p
        t = 1.0 - a
        u = b - a * a
        # products, not **: a Python float's ** raises OverflowError where * gives inf,
        # and the single-run path computes on Python floats (inf is a divergence)
        return t * t + 100.0 * u * u

    def grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        a, b = p
        u = b - a * a
        return -2.0 * (1.0 - a) - 400.0 * a * u, 200.0 * u

    def hessian_c(self, xp: Any, p: Comps, data: Dataset | None) -> Rows:
        a, b = p
        return ((2.0 - 400.0 * b + 1200.0 * a * a, -400.0 * a), (-400.0 * a, 200.0 + 0.0 * a))


def rosenbrock() -> Rosenbrock:
    """Rosenbrock's valley from the classic start (−1.2, 1)."""
    return Rosenbrock(
        name="rosenbrock",
        title="Rosenbrock's banana valley",
        param_names=("a", "b"),
        start=(-1.2, 1.0),
        description=(
            "(1 − a)² + 100·(b − a²)²: the minimum at (1, 1) lies in a long, "
            "curved, narrow valley. Plain gradient descent zig-zags across the "
            "steep walls and crawls along the flat floor."
        ),
        default_lr=1e-3,
        # lr 1e-3 reaches the tolerance after ~6,500 steps (lr 6.7e-4 = 1/λmax at
        # the start, ~9,800): the floor of the valley really is that slow
        default_steps=10_000,
        window=((-2.0, 2.0), (-1.0, 3.0)),
        minima=((1.0, 1.0),),
        tolerance=1e-3,
    )


# ------------------------------------------------------------------- quadratic
class Quadratic(Problem):
    """``½·θᵀAθ`` with ``A = R·diag(1, condition)·Rᵀ``, R a rotation by `angle`."""

    def __post_init__(self) -> None:
        condition = float(self.options["condition"])
        phi = math.radians(float(self.options["angle"]))
        c, s = math.cos(phi), math.sin(phi)
        # eigenvector (c, s) has eigenvalue 1, (−s, c) has eigenvalue `condition`
        self._a11 = c * c + condition * s * s
        self._a12 = (1.0 - condition) * c * s
        self._a22 = s * s + condition * c * c

    def loss_c(self, xp: Any, p: Comps, data: Dataset | None) -> Num:
        a, b = p
        return 0.5 * (self._a11 * a * a + 2.0 * self._a12 * a * b + self._a22 * b * b)

    def grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        a, b = p
        return self._a11 * a + self._a12 * b, self._a12 * a + self._a22 * b

    def hessian_c(self, xp: Any, p: Comps, data: Dataset | None) -> Rows:
        return ((self._a11, self._a12), (self._a12, self._a22))


MAX_CONDITION = 1e6


def quadratic(condition: float = 10.0, angle: float = 0.0) -> Quadratic:
    """A rotated elliptic bowl; ``condition`` = λmax/λmin (λmin = 1), ``angle`` in degrees."""
    condition = check_number("quadratic option 'condition'", condition, low=1.0,
                             high=MAX_CONDITION,
                             rule=f"a finite number from 1 to {MAX_CONDITION:g} (λmax/λmin)")
    angle = check_number("quadratic option 'angle'", angle, rule="a finite number of degrees")
    return Quadratic(
        name="quadratic",
        title=f"Quadratic bowl (condition {condition:g}, angle {angle:g}°)",
        param_names=("a", "b"),
        start=(-4.0, 3.0),
        description=(
            "½·θᵀAθ, an elliptic bowl whose curvatures are 1 and `condition` along "
            "axes turned by `angle` degrees, with its minimum at (0, 0). Gradient "
            "descent is stable only below lr = 2/condition, so a large condition "
            "forces small steps that crawl along the shallow axis."
        ),
        # lr·λmax = 1.5: a visible zig-zag across the steep axis (factor −0.5 per
        # step) while the shallow axis shrinks by 1 − 1.5/condition per step
        default_lr=1.5 / condition,
        # the shallow axis needs about 5.3·condition steps to reach the tolerance
        default_steps=max(100, math.ceil(10.0 * condition)),
        minima=((0.0, 0.0),),
        options={"condition": condition, "angle": angle},
    )


# ------------------------------------------------------------------ himmelblau
class Himmelblau(Problem):
    """``(a² + b − 11)² + (a + b² − 7)²``: four minima of equal depth."""

    def loss_c(self, xp: Any, p: Comps, data: Dataset | None) -> Num:
        a, b = p
        u = a * a + b - 11.0
        v = a + b * b - 7.0
        return u * u + v * v

    def grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        a, b = p
        u = a * a + b - 11.0
        v = a + b * b - 7.0
        return 4.0 * a * u + 2.0 * v, 2.0 * u + 4.0 * b * v

    def hessian_c(self, xp: Any, p: Comps, data: Dataset | None) -> Rows:
        a, b = p
        off = 4.0 * (a + b)
        return (
            (12.0 * a * a + 4.0 * b - 42.0, off),
            (off, 4.0 * a + 12.0 * b * b - 26.0),
        )


def himmelblau() -> Himmelblau:
    """Himmelblau's function, started where the learning rate picks the minimum."""
    return Himmelblau(
        name="himmelblau",
        title="Himmelblau's four valleys",
        param_names=("a", "b"),
        start=(-4.0, 0.0),
        description=(
            "(a² + b − 11)² + (a + b² − 7)² has four minima of equal depth (loss 0), "
            "one in each quadrant. Which one gradient descent finds depends on where "
            "it starts and on the learning rate, not on which minimum is best."
        ),
        default_lr=0.01,
        # Newton-polished to full precision; a test re-solves grad = 0 there
        minima=(
            (3.0, 2.0),
            (-2.805118086952745, 3.131312518250573),
            (-3.779310253377747, -3.2831859912861696),
            (3.5844283403304917, -1.8481265269644034),
        ),
    )


# ----------------------------------------------------------------------- beale
_BEALE_C = (1.5, 2.25, 2.625)


class Beale(Problem):
    """``Σᵢ (cᵢ − a + a·bⁱ)²`` for i = 1, 2, 3, c = (1.5, 2.25, 2.625)."""

    def loss_c(self, xp: Any, p: Comps, data: Dataset | None) -> Num:
        a, b = p
        b2 = b * b
        t1 = 1.5 - a + a * b
        t2 = 2.25 - a + a * b2
        t3 = 2.625 - a + a * b2 * b
        return t1 * t1 + t2 * t2 + t3 * t3

    def grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        a, b = p
        b2 = b * b
        b3 = b2 * b
        t1 = 1.5 - a + a * b
        t2 = 2.25 - a + a * b2
        t3 = 2.625 - a + a * b3
        # ∂tᵢ/∂a = bⁱ − 1, ∂tᵢ/∂b = i·a·bⁱ⁻¹
        ga = 2.0 * (t1 * (b - 1.0) + t2 * (b2 - 1.0) + t3 * (b3 - 1.0))
        gb = 2.0 * a * (t1 + 2.0 * t2 * b + 3.0 * t3 * b2)
        return ga, gb

    def hessian_c(self, xp: Any, p: Comps, data: Dataset | None) -> Rows:
        a, b = p
        b2 = b * b
        b3 = b2 * b
        t1 = 1.5 - a + a * b
        t2 = 2.25 - a + a * b2
        t3 = 2.625 - a + a * b3
        d1, d2, d3 = b - 1.0, b2 - 1.0, b3 - 1.0  # ∂tᵢ/∂a
        e1, e2, e3 = a, 2.0 * a * b, 3.0 * a * b2  # ∂tᵢ/∂b
        haa = 2.0 * (d1 * d1 + d2 * d2 + d3 * d3)
        # ∂²tᵢ/∂a∂b = i·bⁱ⁻¹, ∂²tᵢ/∂b² = i(i−1)·a·bⁱ⁻²
        hab = 2.0 * (d1 * e1 + d2 * e2 + d3 * e3 + t1 + 2.0 * t2 * b + 3.0 * t3 * b2)
        hbb = 2.0 * (e1 * e1 + e2 * e2 + e3 * e3 + 2.0 * t2 * a + 6.0 * t3 * a * b)
        return ((haa, hab), (hab, hbb))


def beale() -> Beale:
    """Beale's function, minimum (3, 0.5)."""
    return Beale(
        name="beale",
        title="Beale's flat valley",
        param_names=("a", "b"),
        start=(1.0, 1.0),
        description=(
            "(1.5 − a + ab)² + (2.25 − a + ab²)² + (2.625 − a + ab³)² has its minimum "
            "at (3, 0.5) at the end of a long, almost flat valley, with walls that "
            "steepen sharply as |b| grows. A learning rate small enough for the walls "
            "makes slow progress along the floor."
        ),
        default_lr=0.02,
        default_steps=2000,
        window=((-4.5, 4.5), (-4.5, 4.5)),
        minima=((3.0, 0.5),),
        tolerance=1e-4,
    )


# ---------------------------------------------------------------------- saddle
class Saddle(Problem):
    """``a² − b²``: a saddle point at the origin, unbounded below."""

    def loss_c(self, xp: Any, p: Comps, data: Dataset | None) -> Num:
        a, b = p
        return a * a - b * b

    def grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        a, b = p
        return 2.0 * a, -2.0 * b

    def hessian_c(self, xp: Any, p: Comps, data: Dataset | None) -> Rows:
        return ((2.0, 0.0), (0.0, -2.0))


def saddle() -> Saddle:
    """The saddle a² − b², started just off its ridge b = 0."""
    return Saddle(
        name="saddle",
        title="A saddle point",
        param_names=("a", "b"),
        start=(-4.0, 0.01),
        description=(
            "a² − b² curves up along a and down along b, so the origin is a saddle "
            "point with zero gradient but no minimum, and the loss is unbounded below. "
            "Starting just off the ridge, gradient descent first slides towards the "
            "saddle and stalls there, then escapes along b ever faster."
        ),
        default_steps=35,
        min_loss=None,
        unbounded=True,
    )


# ------------------------------------------------------------------- rastrigin
class Rastrigin(Problem):
    """``20 + Σᵢ (θᵢ² − 10·cos 2πθᵢ)``: a bowl covered in local minima."""

    def loss_c(self, xp: Any, p: Comps, data: Dataset | None) -> Num:
        a, b = p
        w = 2.0 * xp.pi
        return 20.0 + a * a - 10.0 * xp.cos(w * a) + b * b - 10.0 * xp.cos(w * b)

    def grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        a, b = p
        w = 2.0 * xp.pi
        return 2.0 * a + 10.0 * w * xp.sin(w * a), 2.0 * b + 10.0 * w * xp.sin(w * b)

    def hessian_c(self, xp: Any, p: Comps, data: Dataset | None) -> Rows:
        a, b = p
        w = 2.0 * xp.pi
        k = 10.0 * w * w
        return ((2.0 + k * xp.cos(w * a), 0.0), (0.0, 2.0 + k * xp.cos(w * b)))


def rastrigin() -> Rastrigin:
    """Rastrigin's function in two parameters, started inside the central well."""
    return Rastrigin(
        name="rastrigin",
        title="Rastrigin's egg box",
        param_names=("a", "b"),
        start=(0.45, -0.3),
        description=(
            "20 + Σ(θᵢ² − 10·cos 2πθᵢ) is a bowl covered in a grid of local minima, "
            "with the global minimum 0 at (0, 0). Gradient descent only finds it from "
            "inside the central well; start anywhere else and it settles in the "
            "nearest local minimum."
        ),
        default_lr=0.001,
        window=((-5.12, 5.12), (-5.12, 5.12)),
        minima=((0.0, 0.0),),
    )
