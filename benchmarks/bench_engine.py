"""Microseconds per step of `core.train` against the seed-style loops.

Baselines, measured in the same process: the pure-Python loop of seed 003 (one
point), a naive numpy step (array ops per step), and torch's nn.Linear +
optim.SGD (seed 004's loop) when torch is installed.

Run: .venv/bin/python benchmarks/bench_engine.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import plain_loops
from _timing import per_call, table

import core

STEPS = 1000


def pure_python_one_point() -> None:
    """Seed 003's loop in plain Python (`plain_loops`): a·x + b on (1, 4) from (3, 4)."""
    plain_loops.run("line-one-point", (3.0, 4.0), lr=0.1, steps=STEPS)


def naive_numpy(x: np.ndarray, y: np.ndarray) -> None:
    theta = np.array([0.0, 0.0])
    rows = np.empty((STEPS + 1, 5))
    for k in range(STEPS + 1):
        r = theta[0] * x + theta[1] - y
        g = np.array([2 * np.mean(r * x), 2 * np.mean(r)])
        rows[k] = (theta[0], theta[1], np.mean(r * r), g[0], g[1])
        theta = theta - 0.001 * g


def torch_loop(x: np.ndarray, y: np.ndarray):
    import torch

    X = torch.tensor(x[:, None])
    Y = torch.tensor(y[:, None])
    model = torch.nn.Linear(1, 1).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.001)
    loss_fn = torch.nn.MSELoss()

    def loop() -> None:
        for _ in range(STEPS):
            loss = loss_fn(model(X), Y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()

    return loop


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 3, 1000)
    y = 2 * x + 1 + rng.normal(0, 0.1, 1000)
    reg = core.data_problem((x, y))  # a line through 1,000 points
    rows = []
    base = per_call(pure_python_one_point, number=5) / (STEPS + 1) * 1e6
    rows.append(("pure-Python seed-003 loop, 1 point", f"{base:.2f}", "1.0x"))
    ours = per_call(lambda: core.train("line-one-point", lr=0.001, steps=STEPS), number=5)
    ours_us = ours / (STEPS + 1) * 1e6
    rows.append(("core.train line-one-point (sgd)", f"{ours_us:.2f}", f"{ours_us / base:.1f}x"))
    rosen = per_call(lambda: core.train("rosenbrock", lr=1e-3, steps=STEPS), number=5)
    rosen_us = rosen / (STEPS + 1) * 1e6
    rows.append(("core.train rosenbrock (sgd)", f"{rosen_us:.2f}", f"{rosen_us / base:.1f}x"))
    mom = per_call(lambda: core.train("rosenbrock", lr=1e-3, steps=STEPS, momentum=0.9), number=3)
    rows.append(
        (
            "core.train rosenbrock (sgd momentum 0.9)",
            f"{mom / (STEPS + 1) * 1e6:.2f}",
            f"{mom / (STEPS + 1) * 1e6 / base:.1f}x",
        )
    )
    adam = per_call(
        lambda: core.train("rosenbrock", lr=1e-3, steps=STEPS, optimizer="adam"), number=3
    )
    rows.append(
        (
            "core.train rosenbrock (adam)",
            f"{adam / (STEPS + 1) * 1e6:.2f}",
            f"{adam / (STEPS + 1) * 1e6 / base:.1f}x",
        )
    )
    naive = per_call(lambda: naive_numpy(x, y), number=2) / (STEPS + 1) * 1e6
    rows.append(("naive numpy step, 1,000 points", f"{naive:.2f}", f"{naive / base:.1f}x"))
    reg_us = per_call(lambda: core.train(reg, lr=0.001, steps=STEPS), number=5) / (STEPS + 1) * 1e6
    rows.append(
        ("core.train 1,000-point regression (sgd)", f"{reg_us:.2f}", f"{reg_us / base:.1f}x")
    )
    if core.torch_available():
        t = per_call(torch_loop(x, y), repeat=3) / STEPS * 1e6
        rows.append(("torch nn.Linear + optim.SGD, 1,000 points", f"{t:.1f}", f"{t / base:.0f}x"))
    print(table(rows, ("per step", "µs", "vs pure Python")))
    print(f"\n1,000 steps of line-one-point: {ours * 1e3:.2f} ms (frame budget 16 ms)")


if __name__ == "__main__":
    main()
