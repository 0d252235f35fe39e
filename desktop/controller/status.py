"""The status bar's sentence: what the run did, and why, in words."""

from __future__ import annotations

import math
from typing import Any


def _num(value: float) -> str:
    if math.isnan(value):
        return "not a number"
    if math.isinf(value):
        return "infinite"
    return f"{value:.4g}"


def describe_run(trainer: Any, playing: bool, why_lr: str, tolerance: float | None) -> str:
    """One or two sentences about the run's state: running, paused, finished, diverged."""
    if trainer is None:
        return "Preparing the run…"
    table = trainer.table
    rows = len(table)
    if rows == 0:
        return "Ready: press Play (Space) or One step (→)."
    budget = trainer.steps
    loss = table["loss"]
    first, last = float(loss[0]), float(loss[-1])
    step = rows - 1
    if trainer.status == "diverged":
        return _diverged(trainer, first, why_lr)
    if trainer.status == "converged":
        k = trainer.converged_at if trainer.converged_at is not None else step
        reached = (f"the loss {_num(last)} is within the tolerance {tolerance:g} of the minimum"
                   if tolerance is not None else f"the gradient is zero (loss {_num(last)})")
        return f"Converged at step {k}: {reached}. Press R to start again."
    if trainer.status == "finished":
        return _finished(budget, first, last, tolerance, why_lr)
    verb = "Running" if playing else "Paused at"
    if step == 0:
        return (f"Ready at the start point (loss {_num(first)}): press Play (Space) "
                "or One step (→).")
    return f"{verb} step {step} of {budget}: loss {_num(first)} → {_num(last)}."


def _diverged(trainer: Any, first: float, why_lr: str) -> str:
    k = trainer.diverged_at
    row = trainer.table.row(-1)
    loss = row["loss"]
    if math.isfinite(loss):
        what = f"the loss grew from {_num(first)} to {_num(loss)}, over 10¹² times its start"
    else:
        what = "the loss became infinite (the weights overflowed)"
    why = f" {why_lr}" if why_lr else " The learning rate is too big for this surface."
    return (f"Diverged at step {k}: {what}.{why} "
            "Halve the learning rate (H) or reset (R).")


def _finished(budget: int, first: float, last: float, tolerance: float | None,
              why_lr: str) -> str:
    head = f"Finished {budget} steps"
    if last > first:
        why = f" {why_lr}" if why_lr else ""
        return (f"{head}, but the loss ended above where it started "
                f"({_num(last)} > {_num(first)}): the learning rate is too big.{why}")
    if tolerance is not None:
        return (f"{head}: the loss fell from {_num(first)} to {_num(last)} without reaching "
                f"the tolerance {tolerance:g}: the learning rate may be too small, "
                "or the step budget too short.")
    return f"{head}: the loss went from {_num(first)} to {_num(last)}."
