"""Seed 004: house prices, unscaled inputs, and what normalising changes."""

from __future__ import annotations

import math

import numpy as np

from core.lessons.checks.common import Quotes, prose, short
from core.lessons.model import ClaimResult
from core.problems.base import Dataset
from core.problems.catalogue import get_problem
from core.problems.regression import LinearRegression
from core.run.dispatch import train


# ---------------------------------------------------------------- seed 004
def _normalised_houses() -> LinearRegression:
    problem = get_problem("house-prices")
    assert problem.data is not None
    x = problem.data.x[:, 0]
    xn = (x - x.mean()) / x.std()
    return LinearRegression(
        name="house-prices-normalised",
        title="House prices, sizes normalised",
        param_names=("w", "b"),
        start=(0.0, 0.0),
        description="Seed 004's houses with the sizes scaled to mean 0, standard deviation 1.",
        default_lr=0.5,
        tolerance=problem.tolerance,
        data=Dataset(xn[:, None], problem.data.y),
    )


def houses_after_100(quotes: Quotes) -> ClaimResult:
    run = train("house-prices", lr=0.01, steps=100)
    t = run.table
    corners = [
        train("house-prices", lr=0.01, steps=100, start=s).final_loss
        for s in ((-1, -1), (-1, 1), (1, -1), (1, 1))
    ]
    w, b = float(t["w"][100]), float(t["b"][100])
    holds = min(corners) > 100 and run.final_loss > 100
    text = (
        f"Here: from w = b = 0 the loss after 100 epochs at lr 0.01 is {prose(run.final_loss, 2)} "
        "(the article's last line prints the loss before the 100th update: "
        f"{prose(t['loss'][99], 2)}). "
        f"nn.Linear's random start, w and b between −1 and 1, changes little: "
        f"{prose(min(corners), 2)} to {prose(max(corners), 2)}. The line is w = {prose(w, 2)}, "
        f"b = {prose(b, 2)}, "
        f"far from the exact fit w = 200, b = 0 (loss 0): predictions are still off by "
        f"{math.sqrt(run.final_loss):.1f} thousand dollars (root mean square)."
    )
    return ClaimResult(
        holds,
        text,
        {
            "loss": run.final_loss,
            "printed_loss": float(t["loss"][99]),
            "corner_min": min(corners),
            "corner_max": max(corners),
        },
    )


def houses_unscaled(quotes: Quotes) -> ClaimResult:
    problem = get_problem("house-prices")
    lam = np.linalg.eigvalsh(problem.hessian(np.zeros(2)))
    longer = {n: train("house-prices", lr=0.01, steps=n).final_loss for n in (1000, 10000)}
    reached = train("house-prices", lr=0.01, steps=20000, tol=problem.tolerance)
    holds = (
        longer[1000] < 216 and longer[10000] < problem.tolerance and reached.status == "converged"
    )
    text = (
        f"Here: the sizes (1.5 to 2.5) are never centred, so the loss is a long narrow valley "
        f"with curvatures {lam[1]:.2f} and {lam[0]:.4f} (ratio {lam[1] / lam[0]:.0f}). lr must "
        f"stay below 2/{lam[1]:.2f} = {2 / lam[1]:.3f} for the steep direction, and at lr 0.01 the "
        f"shallow one closes only {100 * 0.01 * lam[0]:.3f}% per epoch. More epochs do get there: "
        f"loss {prose(longer[1000], 2)} after 1,000 epochs, {longer[10000]:.2g} after 10,000; "
        "it first "
        f"drops below {problem.tolerance:g} at epoch {reached.converged_at:,}."
    )
    return ClaimResult(
        holds,
        text,
        {
            "lambda_max": float(lam[1]),
            "lambda_min": float(lam[0]),
            "loss_1000": longer[1000],
            "loss_10000": longer[10000],
            "epochs_to_tol": float(reached.converged_at or -1),
        },
    )


def houses_normalised(quotes: Quotes) -> ClaimResult:
    problem = _normalised_houses()
    lam = np.linalg.eigvalsh(problem.hessian(np.zeros(2)))
    fast = train(problem, lr=0.5, steps=100)
    slow = train(problem, lr=0.01, steps=100)
    unscaled = train("house-prices", lr=0.01, steps=100).final_loss
    after_one = float(fast.table["loss"][1])
    holds = (
        bool(np.allclose(lam, 2.0)) and after_one < problem.tolerance and slow.final_loss > unscaled
    )
    text = (
        f"Here: with the sizes normalised (mean 0, standard deviation 1) both curvatures are "
        f"{lam[0]:.2f}, so any lr below {2 / lam[1]:g} is stable, and lr 0.5 fits the line in one "
        f"epoch (loss {short(after_one)}, zero up to rounding). Normalising alone, at the "
        "article's lr 0.01, is "
        f"slower still: loss {prose(slow.final_loss, 2)} after 100 epochs (against "
        f"{prose(unscaled, 2)} unscaled), since every direction now closes only 2% per epoch. "
        "Scaling helps because it lets you raise the learning rate."
    )
    return ClaimResult(
        holds,
        text,
        {
            "lambda": float(lam[0]),
            "loss_after_one_epoch": after_one,
            "loss_lr001_normalised": slow.final_loss,
            "loss_lr001_unscaled": unscaled,
        },
    )
