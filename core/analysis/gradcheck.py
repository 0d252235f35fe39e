"""Gradient check: the hand-derived gradient beside autograd and finite differences.

The seeds teach two ways to get a gradient, by hand (seed 003) and with
``loss.backward()`` (seeds 000, 004). `gradient_check` puts both, and central
finite differences of the loss, side by side at one point, with their
differences, so the window can show that they agree (and by how much).
Works without torch: the autograd column is then None, with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core import torch_backend
from core.checks import check_number
from core.problems.catalogue import get_problem

if TYPE_CHECKING:
    from core._types import FloatArray
    from core.problems.base import Problem

COLUMNS = ("param", "hand", "autograd", "finite-diff", "|hand−autograd|", "|hand−fd|")
AUTOGRAD_RTOL = 1e-10  # autograd repeats the same float64 arithmetic: agreement to rounding
FD_RTOL = 1e-5  # central differences with h = 1e-6: truncation ~h², rounding ~ε/h


def _rel(diff: FloatArray, a: FloatArray, b: FloatArray) -> FloatArray:
    """``|a − b| / max(|a|, |b|)`` per entry, 0 where both are 0."""
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(all="ignore"):
        return np.where(scale > 0, diff / np.where(scale > 0, scale, 1.0), 0.0)


@dataclass(frozen=True)
class GradCheck:
    """Three gradients of one problem at one point, one entry per parameter.

    Attributes
    ----------
    problem, param_names, theta, loss
        Where the gradients were taken, and the full-data loss there.
    hand
        The problem's hand-derived gradient (``problem.grad``, numpy).
    autograd
        torch autograd of the same loss (cpu, float64), or None.
    autograd_reason
        Why ``autograd`` is None (torch missing, or the loss has no torch form).
    finite_diff
        Central differences ``(L(θ + hᵢeᵢ) − L(θ − hᵢeᵢ)) / 2hᵢ`` of the loss.
    steps
        The differencing step per parameter, ``hᵢ = h·max(1, |θᵢ|)`` (relative
        for large parameters so the step is not lost in rounding).
    """

    problem: str
    param_names: tuple[str, ...]
    theta: FloatArray
    loss: float
    hand: FloatArray
    autograd: FloatArray | None
    autograd_reason: str | None
    finite_diff: FloatArray
    steps: FloatArray
    h: float = 1e-6

    # ---------------------------------------------------------- differences
    @property
    def abs_diff_autograd(self) -> FloatArray | None:
        """``|hand − autograd|`` per parameter (None without autograd)."""
        return None if self.autograd is None else np.abs(self.hand - self.autograd)

    @property
    def rel_diff_autograd(self) -> FloatArray | None:
        """``|hand − autograd| / max(|hand|, |autograd|)`` per parameter."""
        d = self.abs_diff_autograd
        return None if d is None or self.autograd is None else _rel(d, self.hand, self.autograd)

    @property
    def abs_diff_fd(self) -> FloatArray:
        """``|hand − finite_diff|`` per parameter."""
        return np.abs(self.hand - self.finite_diff)

    @property
    def rel_diff_fd(self) -> FloatArray:
        """``|hand − finite_diff| / max(|hand|, |finite_diff|)`` per parameter."""
        return _rel(self.abs_diff_fd, self.hand, self.finite_diff)

    @property
    def max_rel_diff_autograd(self) -> float | None:
        d = self.rel_diff_autograd
        return None if d is None else float(np.max(d))

    @property
    def max_abs_diff_fd(self) -> float:
        return float(np.max(self.abs_diff_fd))

    @property
    def max_rel_diff_fd(self) -> float:
        return float(np.max(self.rel_diff_fd))

    def agrees(self, autograd_rtol: float = AUTOGRAD_RTOL, fd_rtol: float = FD_RTOL) -> bool:
        """Whether the hand gradient matches both others, relative to the gradient's size.

        Differences are scaled by the largest gradient component (at least 1e-300),
        so a component passing through zero does not count as a disagreement.
        """
        return bool(np.all(self.passes(autograd_rtol, fd_rtol)))

    @property
    def scale(self) -> float:
        """The largest entry of the hand gradient (at least 1e-300): what differences
        are measured against."""
        return max(float(np.max(np.abs(self.hand))), 1e-300)

    def scaled_diff_fd(self) -> FloatArray:
        """``|hand − finite_diff| / scale`` per parameter."""
        return self.abs_diff_fd / self.scale

    def scaled_diff_autograd(self) -> FloatArray | None:
        """``|hand − autograd| / scale`` per parameter (None without autograd)."""
        d = self.abs_diff_autograd
        return None if d is None else d / self.scale

    def largest_diff(self) -> FloatArray:
        """Per parameter, the larger of the two differences, each over `scale`."""
        auto = self.scaled_diff_autograd()
        fd = self.scaled_diff_fd()
        return fd if auto is None else np.fmax(fd, auto)

    def passes(self, autograd_rtol: float = AUTOGRAD_RTOL,
               fd_rtol: float = FD_RTOL) -> np.ndarray:
        """Per parameter: within ``fd_rtol`` of the central difference and within
        ``autograd_rtol`` of autograd (where there is autograd), both over `scale`."""
        ok = self.scaled_diff_fd() <= fd_rtol
        auto = self.scaled_diff_autograd()
        return ok if auto is None else ok & (auto <= autograd_rtol)

    def describe(self) -> str:
        """The check as a plain-text table (what ``lr-playground-cli gradcheck`` prints)."""
        at = ", ".join(f"{n}={v:.6g}" for n, v in zip(self.param_names, self.theta, strict=True))
        head = ("parameter", "hand", "autograd", "central diff", "largest diff", "check")
        rows = [head]
        for i, (name, ok) in enumerate(zip(self.param_names, self.passes(), strict=True)):
            auto = "—" if self.autograd is None else f"{self.autograd[i]:.12g}"
            rows.append((name, f"{self.hand[i]:.12g}", auto, f"{self.finite_diff[i]:.12g}",
                         f"{self.largest_diff()[i]:.2g}", "pass" if ok else "FAIL"))
        widths = [max(len(r[j]) for r in rows) for j in range(len(head))]
        lines = [f"gradient check of {self.problem} at {at} (loss {self.loss:.6g}):"]
        lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                  for r in rows]
        lines.append(self.legend())
        verdict = ("the hand-derived gradient agrees with both" if self.autograd is not None
                   else "the hand-derived gradient agrees with the central differences")
        if not self.agrees():
            verdict = "the hand-derived gradient DISAGREES"
        return "\n".join([*lines, verdict + "."])

    def legend(self) -> str:
        """How to read the table: the differences, the tolerances, the autograd column."""
        auto = (f"autograd: torch, float64, on the cpu (within {AUTOGRAD_RTOL:g} to pass)"
                if self.autograd is not None else str(self.autograd_reason))
        return (f"largest diff: |hand − other| over the largest gradient entry "
                f"({self.scale:.4g}); central differences with steps h·max(1, |θ|), "
                f"h = {self.h:g} (within {FD_RTOL:g} to pass); {auto}.")

    # -------------------------------------------------------------- display
    @property
    def columns(self) -> tuple[str, ...]:
        return COLUMNS

    def rows(self) -> list[tuple[str, float, float | None, float, float | None, float]]:
        """One row per parameter: (param, hand, autograd, finite-diff,
        |hand−autograd|, |hand−fd|); the autograd entries are None without torch."""
        auto = self.autograd
        d_auto = self.abs_diff_autograd
        d_fd = self.abs_diff_fd
        return [
            (
                name,
                float(self.hand[i]),
                None if auto is None else float(auto[i]),
                float(self.finite_diff[i]),
                None if d_auto is None else float(d_auto[i]),
                float(d_fd[i]),
            )
            for i, name in enumerate(self.param_names)
        ]


def finite_difference_grad(
    problem: Problem, theta: FloatArray, h: float
) -> tuple[FloatArray, FloatArray]:
    """Central differences of ``problem.loss`` at ``theta``; returns (gradient, steps)."""
    n = problem.n_params
    steps = h * np.maximum(1.0, np.abs(theta))
    offsets = np.diag(steps)
    # all 2p evaluations in one vectorised call: rows θ + hᵢeᵢ, then θ − hᵢeᵢ
    points = np.concatenate([theta + offsets, theta - offsets])
    values = problem.loss(points)
    # divide by the distance actually between the points: θᵢ ± hᵢ rounds
    taken = np.diagonal(points[:n]) - np.diagonal(points[n:])
    return (values[:n] - values[n:]) / taken, steps


def _autograd(problem: Problem, theta: FloatArray) -> tuple[FloatArray | None, str | None]:
    if not torch_backend.available():
        return None, f"no autograd column: {torch_backend.INSTALL_HINT}"
    from core.torch_backend.device import autograd_loss_grad

    try:
        _, grad = autograd_loss_grad(problem, theta, device="cpu", dtype="float64")
    except (NotImplementedError, TypeError) as exc:
        return None, f"the loss of {problem.name!r} cannot be evaluated in torch ({exc})"
    return grad, None


def gradient_check(
    problem: str | Problem, theta: Sequence[float] | None = None, h: float = 1e-6
) -> GradCheck:
    """Compare the hand-derived, autograd and finite-difference gradients at ``theta``.

    Parameters
    ----------
    problem, theta
        A `Problem` or a built-in name, and the point (one float per
        parameter; default: the problem's start).
    h
        Relative finite-difference step: parameter i moves by ``h·max(1, |θᵢ|)``.
        The default 1e-6 balances truncation (∝ h²) against rounding (∝ ε/h).

    Returns
    -------
    GradCheck
        The three gradients and their differences; ``.rows()`` for display.
    """
    prob = get_problem(problem)
    h = check_number("h", h, low=0.0, low_open=True, rule="a finite number > 0")
    point = np.asarray(prob.check_start(theta), dtype=np.float64)
    fd, steps = finite_difference_grad(prob, point, h)
    auto, reason = _autograd(prob, point)
    return GradCheck(
        problem=prob.name,
        param_names=tuple(prob.param_names),
        theta=point,
        loss=float(prob.loss(point)),
        hand=prob.grad(point).astype(np.float64),
        autograd=auto,
        autograd_reason=reason,
        finite_diff=fd,
        steps=steps,
        h=h,
    )
