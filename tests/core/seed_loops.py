"""Seed 002's per-sample loop, written as the article writes it: the reference
the and-gate scenario is checked against (independent of core)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

DATA = [([0, 0], 0), ([0, 1], 0), ([1, 0], 0), ([1, 1], 1)]


@dataclass
class AndGateTrace:
    after: list[tuple[float, float, float]] = field(default_factory=list)  # w1, w2, b per update
    squared_errors: list[float] = field(default_factory=list)  # err² of each sample
    running: list[float] = field(default_factory=list)  # total_loss/4 so far, after each sample
    printed: dict[int, float] = field(default_factory=dict)  # what the article prints


def and_gate_loop(epochs: int, lr: float = 0.5) -> AndGateTrace:
    def sigmoid(x):
        return 1 / (1 + math.exp(-x))

    def sigmoid_deriv(s):
        return s * (1 - s)

    w, b = [0.1, -0.2], 0.0
    trace = AndGateTrace()
    for epoch in range(epochs):
        total_loss = 0
        for inputs, target in DATA:
            raw = sum(wi * xi for wi, xi in zip(w, inputs, strict=True)) + b
            pred = sigmoid(raw)
            err = pred - target
            total_loss += err**2
            trace.squared_errors.append(err**2)
            trace.running.append(total_loss / 4)
            delta = err * sigmoid_deriv(pred)
            for i in range(len(w)):
                w[i] -= lr * delta * inputs[i]
            b -= lr * delta
            trace.after.append((w[0], w[1], b))
        if epoch % 1000 == 0:
            trace.printed[epoch] = total_loss / 4
    return trace
