"""Seeds 001 and 002: the clipped neuron, the single weight and the AND gate."""

from __future__ import annotations

import math

import numpy as np

from core.lessons.checks.common import Quotes, prose, sigmoid
from core.lessons.model import ClaimResult
from core.run.dispatch import train


# ---------------------------------------------------------------- seed 001
def _glasses_epoch(quotes: Quotes, epoch: int) -> ClaimResult:
    run = train("glasses-vs-ring", lr=0.1, steps=400, batch="sample")
    t = run.table
    rows = slice(4 * epoch, 4 * epoch + 4)
    # the article's total_loss adds (y − pred)² over the epoch, each at the weights
    # before that device's update; our batch_loss is half of each of those
    total = 2.0 * float(np.sum(t["batch_loss"][rows]))
    w1, w2 = float(t["w1"][4 * epoch + 4]), float(t["w2"][4 * epoch + 4])
    ours = (f"{total:.4f}", f"{w1:.3f}", f"{w2:.3f}")
    printed = (quotes["loss"], quotes["w1"], quotes["w2"])
    holds = all(o != p for o, p in zip(ours, printed, strict=True))
    text = (
        f"Here: the article's own code prints Epoch {epoch:3d}  Loss={ours[0]}  "
        f"Weights=[{ours[1]}, {ours[2]}]. Its total_loss adds the four devices' squared errors, "
        "each measured before that device's update; the weights are those after the pass "
        f"(row {4 * epoch + 4} of our table)."
    )
    return ClaimResult(holds, text, {"loss": total, "w1": w1, "w2": w2})


def glasses_epoch0(quotes: Quotes) -> ClaimResult:
    return _glasses_epoch(quotes, 0)


def glasses_epoch99(quotes: Quotes) -> ClaimResult:
    return _glasses_epoch(quotes, 99)


def glasses_test_device(quotes: Quotes) -> ClaimResult:
    t = train("glasses-vs-ring", lr=0.1, steps=400, batch="sample").table
    z = 0.50 * float(t["w1"][-1]) + 0.55 * float(t["w2"][-1]) + float(t["b"][-1])
    pred = min(max(z, 0.0), 1.0)
    holds = f"{pred:.2f}" == quotes["prediction"] and pred > 0.5
    text = (
        f"Here: after 100 epochs the new device (0.50, 0.55) gets {pred:.4f}, which prints as "
        f"{pred:.2f} → glasses: the article's conclusion holds even though its printed weights "
        "do not."
    )
    return ClaimResult(holds, text, {"prediction": pred})


def glasses_big_lr(quotes: Quotes) -> ClaimResult:
    run = train("glasses-vs-ring", lr=0.9, steps=4000, batch="sample")
    loss = run.table["loss"]
    at_400 = float(loss[400])
    tiny = int(np.argmax(loss < 1e-12))
    zeros = np.flatnonzero(loss == 0.0)
    first_zero = int(zeros[0]) if zeros.size else -1
    stays = first_zero >= 0 and bool(np.all(loss[first_zero:] == 0.0))
    rises = int(np.count_nonzero(np.diff(loss[:401]) > 0))
    epoch = int(run.table["epoch"][first_zero]) if first_zero >= 0 else -1
    text = (
        f"Here: at lr 0.9 the full-data loss does jump up at first (it rises at {rises} of the "
        f"first 400 updates) but keeps falling overall: below 1e-12 from update {tiny} on, "
        f"{at_400:.1e} after the article's 100 epochs, and then zero up to rounding (exactly 0 "
        f"in our run from update {first_zero}, epoch {epoch}, once every device sits on its "
        "right side of the clip). It does not bounce forever."
    )
    return ClaimResult(
        at_400 < 1e-12 and stays,
        text,
        {
            "loss_at_400": at_400,
            "first_below_1e-12": tiny,
            "first_zero": first_zero,
            "rises": rises,
        },
    )


# ---------------------------------------------------------------- seed 002
def print_pairs(quotes: Quotes) -> ClaimResult:
    """The loop prints w after the update beside the loss before it."""
    t = train("single-weight", lr=0.1, steps=20).table
    w, x, target, lr, printed = 0.3, 1.5, 1.0, 0.1, []
    for epoch in range(20):  # the article's own loop
        output = w * x
        current_loss = (output - target) ** 2
        w = w - lr * 2 * (output - target) * x
        if epoch % 5 == 0:
            printed.append((epoch, w, current_loss))
    holds = all(
        pw == t["w"][e + 1] and pl == t["loss"][e] and pw != t["w"][e] for e, pw, pl in printed
    )
    _, w0, l0 = printed[0]
    text = (
        f"Here: the first line it prints is 'Epoch  0 | w={w0:.4f} | loss={l0:.4f}'. That w is "
        f"row 1 of our table (after update 0) and that loss is row 0 (at w = {t['w'][0]:.4f}, "
        f"before the update). Each row of the table pairs a weight with its own loss: row 1 "
        f"has w = {t['w'][1]:.4f} and loss {t['loss'][1]:.4f}."
    )
    return ClaimResult(
        holds,
        text,
        {"printed_w": w0, "printed_loss": l0, "row1_loss": float(t["loss"][1])},
    )


def final_weight(quotes: Quotes) -> ClaimResult:
    t = train("single-weight", lr=0.1, steps=20).table
    w, ideal = float(t["w"][20]), 1.0 / 1.5
    holds = f"{w:.4f}" == f"{ideal:.4f}"
    text = (
        f"Here: after 20 updates w = {w:.7f} (row 20), which prints as {w:.4f}, the ideal "
        f"1/1.5 = {ideal:.4f} to 4 decimals; {abs(ideal - w):.1e} is left to go."
    )
    return ClaimResult(holds, text, {"w": w})


def gradient_sign(quotes: Quotes) -> ClaimResult:
    t = train("single-weight", lr=0.1, steps=1).table
    g, w0, w1, ideal = float(t["grad_w"][0]), float(t["w"][0]), float(t["w"][1]), 1 / 1.5
    holds = g < 0 and w0 < ideal and w1 > w0
    text = (
        f"Here: at w = {w0:.4f} the gradient is {prose(g, 3)}: negative, and the weight is too low "
        f"(the ideal is {ideal:.4f}). A negative gradient means raising w lowers the loss, and "
        f"w − lr·gradient does raise it, to {w1:.4f}. A positive gradient means the weight is "
        "too high."
    )
    return ClaimResult(holds, text, {"gradient": g})


def half_squared_error(quotes: Quotes) -> ClaimResult:
    """The AND gate's delta = err·σ′ is the gradient of ½·err², not of err²."""
    t = train("and-gate", lr=0.5, steps=1, batch="sample").table
    b = float(t["b"][0])  # first example (0, 0): only the bias reaches z
    pred = sigmoid(b)
    err = pred - 0.0
    delta = err * pred * (1 - pred)  # the article's line
    ours = float(t["grad_b"][0])
    h = 1e-6
    slope = ((sigmoid(b + h) ** 2) - (sigmoid(b - h) ** 2)) / (2 * h)  # d(err²)/db
    holds = math.isclose(ours, delta, rel_tol=1e-12) and math.isclose(
        slope, 2 * delta, rel_tol=1e-6
    )
    text = (
        f"Here: at the first update (example (0, 0), target 0) pred = {pred:.4f}, err = {err:.4f}, "
        f"σ′ = {pred * (1 - pred):.4f}, so delta = {delta:.4f}. Our ∂L/∂b for the loss ½·err² is "
        f"{ours:.4f}, the same; the slope of err² itself is {slope:.4f}, twice delta. The loop "
        "descends ½·err² (or err² at half the learning rate)."
    )
    return ClaimResult(holds, text, {"delta": delta, "grad_b": ours, "slope_err2": slope})


def and_printed_loss(quotes: Quotes) -> ClaimResult:
    run = train("and-gate", lr=0.5, steps=4, batch="sample")
    t = run.table
    data = [((0, 0), 0), ((0, 1), 0), ((1, 0), 0), ((1, 1), 1)]
    w, bias, total = [0.1, -0.2], 0.0, 0.0
    for inputs, target in data:  # the article's epoch 0
        pred = sigmoid(w[0] * inputs[0] + w[1] * inputs[1] + bias)
        err = pred - target
        total += err**2
        delta = err * pred * (1 - pred)
        w = [w[0] - 0.5 * delta * inputs[0], w[1] - 0.5 * delta * inputs[1]]
        bias -= 0.5 * delta
    printed = total / 4
    twice = 2.0 * float(np.mean(t["batch_loss"][:4]))
    holds = math.isclose(printed, twice, rel_tol=1e-9) and printed != float(t["loss"][0])
    text = (
        f"Here: its epoch-0 line would read loss={printed:.4f}: err² of each example, each at the "
        "weights before that example's update, averaged. That is twice the mean of our batch_loss "
        f"over updates 0–3. Our loss column is ½·mean err² over all four examples at one point: "
        f"{prose(t['loss'][0])} before epoch 0 (row 0) and {prose(t['loss'][4])} after it (row 4)."
    )
    return ClaimResult(holds, text, {"printed": printed})


def and_big_lr(quotes: Quotes) -> ClaimResult:
    big = train("and-gate", lr=50.0, steps=4000, batch="sample")
    base = train("and-gate", lr=0.5, steps=4000, batch="sample")
    rises = int(np.count_nonzero(np.diff(big.table["loss"]) > 0))
    holds = big.status == "finished" and rises > 0 and big.final_loss < base.final_loss
    text = (
        f"Here: at lr 50, a hundred times the article's, the loss goes up at {rises} of the 4000 "
        "updates, yet nothing explodes: the sigmoid's slope is at most ¼ and its output stays "
        f"between 0 and 1, so every step stays bounded, and the run ends at {big.final_loss:.2g}, "
        f"below lr 0.5's {base.final_loss:.2g}."
    )
    return ClaimResult(
        holds,
        text,
        {"rises": rises, "loss_lr50": big.final_loss, "loss_lr05": base.final_loss},
    )
