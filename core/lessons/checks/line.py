"""Seeds 000 and 003: the four-step loop and the line through one point."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np

from core.lessons.checks.common import Quotes, cut, prose, short
from core.lessons.model import ClaimResult
from core.run.dispatch import train
from core.run.table import format_rounded


# ---------------------------------------------------------------- seed 000
def zero_grad(quotes: Quotes) -> ClaimResult:
    """Without ``grad.zero_()`` the gradients add up: SGD with momentum 1."""
    steps, lr = 10, 0.1
    zeroed = train("line-one-point", lr=lr, steps=steps)
    summed = train("line-one-point", lr=lr, steps=steps, momentum=1.0)
    # the article's loop without zero_(): .grad keeps the sum of every backward()
    a, b, acc_a, acc_b = 3.0, 4.0, 0.0, 0.0
    for _ in range(steps):
        error = a * 1.0 + b - 4.0
        acc_a, acc_b = acc_a + 2 * error * 1.0, acc_b + 2 * error
        a, b = a - acc_a * lr, b - acc_b * lr
    plain = (a + b - 4.0) ** 2
    same = math.isclose(plain, summed.final_loss, rel_tol=1e-9, abs_tol=1e-12)
    losses = summed.table["loss"]
    holds = same and summed.final_loss > zeroed.final_loss * 100
    text = (
        f"Here: wiping the gradient after each step, the loss falls from "
        f"{prose(zeroed.table['loss'][0])} to {prose(zeroed.final_loss)} in {steps} steps. Without "
        "wiping, each backward() adds the new "
        "gradient to the old ones, so every step uses their sum (exactly SGD with momentum 1): the "
        f"loss swings between {prose(float(losses[1:].min()))} and "
        f"{prose(float(losses.max()))} and is "
        f"{prose(summed.final_loss)} after {steps} steps."
    )
    return ClaimResult(
        holds,
        text,
        {"zeroed": zeroed.final_loss, "summed": summed.final_loss, "plain_loop": plain},
    )


def backward_is_slope(quotes: Quotes) -> ClaimResult:
    """The gradient the loop uses is the slope of the loss, and each step goes downhill."""
    run = train("line-one-point", lr=0.1, steps=10)
    problem, table, h = run.problem, run.table, 1e-6
    worst = 0.0
    for k, theta in enumerate(run.params):
        for i, name in enumerate(problem.param_names):
            nudge = np.zeros_like(theta)
            nudge[i] = h
            slope = (problem.loss(theta + nudge) - problem.loss(theta - nudge)) / (2 * h)
            worst = max(worst, abs(float(slope) - float(table[f"grad_{name}"][k])))
    downhill = bool(np.all(np.diff(table["loss"]) < 0))
    text = (
        f"Here: at each of the {len(table) - 1} steps the gradient matches the slope measured by "
        f"nudging a and b by ±{h:g} (largest difference {worst:.1e}), and every step lowers the "
        f"loss: {prose(table['loss'][0])} → {prose(run.final_loss)}."
    )
    return ClaimResult(worst < 1e-6 and downhill, text, {"largest_difference": worst})


# ---------------------------------------------------------------- seed 003
def row5_rounding(quotes: Quotes) -> ClaimResult:
    row = train("line-one-point", lr=0.1, steps=5).table.row(5)
    y_pred, error, grad = row["y_pred"], row["error"], row["grad_a"]
    rounded = (format_rounded(y_pred), format_rounded(error), format_rounded(grad))
    truncated = (cut(y_pred), cut(error))
    printed = (quotes["y_pred"], quotes["error"], quotes["grad"])
    holds = (
        all(r != p for r, p in zip(rounded, printed, strict=True))
        and truncated == printed[:2]
        and Decimal(printed[2]) == 2 * Decimal(truncated[1])
    )
    text = (
        f"Here: row 5 is exactly y_pred = {y_pred:.8g}, error = {error:.8g} and "
        f"∂L/∂a = ∂L/∂b = {grad:.8g}. Rounded to 4 decimals they read {rounded[0]}, "
        f"{rounded[1]} and {rounded[2]}. The article's {printed[0]} and {printed[1]} are the "
        f"exact values cut off after the 4th decimal, and its {printed[2]} is twice the cut-off "
        "error."
    )
    return ClaimResult(holds, text, {"y_pred": y_pred, "error": error, "grad": grad})


def in_sync(quotes: Quotes) -> ClaimResult:
    t = train("line-one-point", lr=0.1, steps=30).table
    same = bool(np.array_equal(t["grad_a"], t["grad_b"]))
    gap = t["a"] - t["b"]
    holds = same and bool(np.allclose(gap, gap[0], rtol=0, atol=1e-12))
    text = (
        f"Here: ∂L/∂a and ∂L/∂b are equal at all {len(t)} rows, so a − b stays "
        f"{prose(gap[0])} from start to finish."
    )
    return ClaimResult(holds, text, {"a_minus_b": float(gap[0])})


def smaller_steps(quotes: Quotes) -> ClaimResult:
    t = train("line-one-point", lr=0.1, steps=20).table
    ratios = t["error"][1:] / t["error"][:-1]
    factor = 1 - 0.1 * 2 * (1.0**2 + 1)  # 1 − lr·λ with λ = 2(x² + 1), the curvature along a + b
    holds = bool(np.allclose(ratios, factor, rtol=0, atol=1e-6))
    text = (
        f"Here: each step multiplies the error, and with it the gradient and the next step, by "
        f"{prose(float(ratios.mean()))} = 1 − lr·2·(x² + 1): the steps shrink "
        f"geometrically, from {prose(0.1 * t['grad_a'][0])} at step 0 to "
        f"{short(0.1 * t['grad_a'][19])} at step 19."
    )
    return ClaimResult(holds, text, {"factor": float(ratios.mean())})


def which_line(quotes: Quotes) -> ClaimResult:
    t = train("line-one-point", lr=0.1, steps=200).table
    a, b = float(t["a"][-1]), float(t["b"][-1])
    holds = abs(a - 1.5) < 1e-9 and abs(b - 2.5) < 1e-9
    text = (
        "Here: gradient descent picks neither: since a − b never changes, it ends at "
        f"a = {prose(a)}, "
        f"b = {prose(b)}, the point of the line a + b = 4 nearest to where it started."
    )
    return ClaimResult(holds, text, {"a": a, "b": b})
