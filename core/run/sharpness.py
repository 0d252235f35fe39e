"""Sharpness: the largest eigenvalue λmax of the loss's Hessian, the run's optional column.

For plain gradient descent a quadratic valley is stable only while
``lr·λmax < 2``; with heavy-ball momentum β the limit is ``lr·λmax < 2(1+β)``.
On networks λmax itself moves during training: it tends to rise until it
sits near ``2/lr`` (the edge of stability) while the loss keeps falling.

λmax is found by the Lanczos iteration with full re-orthogonalisation on a
function ``hvp(v) -> H·v``, so the Hessian is never formed: k products give
the top eigenvalue of a k × k tridiagonal matrix, which converges much faster
than the power iteration (whose error shrinks like (λ₂/λ₁)^k). The product
comes from central differences of the hand gradient,

    H·v ≈ (∇L(θ + εv) − ∇L(θ − εv)) / 2ε,

exact to O(ε²) for a smooth loss, or from torch's double backward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from core._types import FloatArray
    from core.problems.base import Problem

HVP = Callable[["FloatArray"], "FloatArray"]


@dataclass(frozen=True)
class Sharpness:
    """λmax (and λmin of the Krylov space) after ``products`` Hessian-vector products."""

    lam_max: float
    lam_min: float
    products: int


def finite_difference_hvp(grad: Callable[[FloatArray], FloatArray], theta: FloatArray) -> HVP:
    """``v -> H(θ)·v`` by central differences of ``grad`` around ``theta``.

    The step is scaled to the size of θ and v (ε ≈ ∛(machine ε)·(1 + |θ|)/|v|),
    which balances the O(ε²) truncation against the rounding of the difference.
    """
    theta = np.asarray(theta, dtype=np.float64)
    scale = 6e-6 * (1.0 + float(np.linalg.norm(theta)))

    def hvp(v: FloatArray) -> FloatArray:
        norm = float(np.linalg.norm(v))
        if norm == 0.0:
            return np.zeros_like(theta)
        eps = scale / norm
        return (grad(theta + eps * v) - grad(theta - eps * v)) / (2.0 * eps)

    return hvp


def lanczos(hvp: HVP, n: int, k: int = 20, seed: int = 0) -> Sharpness:
    """The extreme eigenvalues of a symmetric n × n operator from ``k`` products.

    With ``k >= n`` the Krylov space is the whole space and the answer is exact
    (to rounding). A start vector with no component along the top eigenvector
    would miss it; a random one (from ``seed``) almost surely has one.
    """
    k = max(1, min(int(k), n))
    rng = np.random.default_rng(seed)
    q = rng.normal(size=n)
    q /= np.linalg.norm(q)
    basis = np.zeros((k, n))
    alphas: list[float] = []
    betas: list[float] = []
    products = 0
    for j in range(k):
        basis[j] = q
        w = np.asarray(hvp(q), dtype=np.float64)
        products += 1
        alpha = float(w @ q)
        alphas.append(alpha)
        # full re-orthogonalisation (twice is enough): k is small, and it
        # keeps the spurious copies of λmax that plain Lanczos makes away
        for _ in range(2):
            w = w - basis[: j + 1].T @ (basis[: j + 1] @ w)
        beta = float(np.linalg.norm(w))
        if j == k - 1 or beta <= 1e-12 * max(1.0, abs(alpha)):
            break
        betas.append(beta)
        q = w / beta
    m = len(alphas)
    tri = np.diag(alphas) + np.diag(betas[: m - 1], 1) + np.diag(betas[: m - 1], -1)
    eig = np.linalg.eigvalsh(tri)
    return Sharpness(float(eig[-1]), float(eig[0]), products)


def stability_limit(lr: float, momentum: float = 0.0, nesterov: bool = False) -> float:
    """The largest curvature gradient descent at ``lr`` tolerates on a quadratic.

    2/lr for plain steps, 2(1+β)/lr with heavy-ball momentum β (torch's SGD),
    and (2+2β)/((1+2β)·lr) with Nesterov momentum, whose look-ahead step
    makes it less tolerant than heavy ball.
    """
    if lr <= 0:
        return float("inf")
    if nesterov:
        return (2.0 + 2.0 * momentum) / ((1.0 + 2.0 * momentum) * lr)
    return 2.0 * (1.0 + momentum) / lr


EXACT_PARAMS = 64  # up to this many parameters an analytic Hessian is formed and solved


def sharpness(problem: Problem, theta: Any, products: int = 20, seed: int = 0) -> Sharpness:
    """λmax (and the Krylov space's λmin) of the loss's Hessian at ``theta``.

    Exact where the problem has an analytic Hessian and few parameters (the
    eigenvalues of the matrix itself); otherwise `products` Hessian-vector
    products by central differences of the hand-derived gradient, and Lanczos.
    """
    point = np.asarray(theta, dtype=np.float64)
    n = problem.n_params
    if n <= EXACT_PARAMS and problem.has_analytic_hessian:
        with np.errstate(all="ignore"):
            eig = np.linalg.eigvalsh(problem.hessian(point))
        return Sharpness(float(eig[-1]), float(eig[0]), 0)
    with np.errstate(all="ignore"):
        return lanczos(finite_difference_hvp(problem.grad, point), n, k=products, seed=seed)


def sharpness_along(problem: Problem, params: FloatArray, steps: FloatArray, every: int,
                    products: int = 20) -> tuple[FloatArray, FloatArray]:
    """λmax at the rows whose step is a multiple of ``every``: (their steps, λmax).

    Rows that are not finite (a diverged run's last) give nan.
    """
    rows = np.flatnonzero(np.asarray(steps) % max(1, int(every)) == 0)
    lam = np.full(rows.size, np.nan)
    for i, r in enumerate(rows):
        if np.all(np.isfinite(params[r])):
            lam[i] = sharpness(problem, params[r], products).lam_max
    return np.asarray(steps)[rows], lam
