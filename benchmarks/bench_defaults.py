"""One run at each built-in problem's default budget: the program against a plain-Python loop.

For every built-in problem × optimizer × batch mode, the median time of
``core.train(problem, optimizer=..., batch=...)`` at the problem's default
learning rate and step budget, per step, and its ratio to `plain_loops.run`
doing the same work (the update, and the full-data loss and gradient recorded
for every row), measured in the same process, one after the other.

Run: .venv/bin/python benchmarks/bench_defaults.py [--quick] [--markdown]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import plain_loops
from _timing import per_call, table

import core

OPTIMIZERS = [
    ("sgd", {}),
    ("sgd", {"momentum": 0.9}),
    ("adam", {}),
    ("rmsprop", {}),
    ("adagrad", {}),
]


def modes(n_examples: int) -> list[str | int]:
    return ["full"] if n_examples <= 1 else ["full", "sample", 2]


def measure(name: str, optimizer: str, hyper: dict, batch: str | int,
            repeat: int) -> tuple[float, float, int]:
    problem = core.get_problem(name)
    lr, steps = problem.default_lr, problem.default_steps
    n = plain_loops.PROBLEMS[name][1]
    order = plain_loops.batch_order(batch, n, steps, 0)

    def ours() -> None:
        core.train(name, optimizer=optimizer, lr=lr, steps=steps, batch=batch, **hyper)

    def plain() -> None:
        plain_loops.run(name, problem.start, optimizer=optimizer, lr=lr, steps=steps,
                        order=order, **hyper)

    return per_call(ours, repeat=repeat), per_call(plain, repeat=repeat), steps


def label(optimizer: str, hyper: dict) -> str:
    extra = ", ".join(f"{k} {v}" for k, v in hyper.items())
    return f"{optimizer} ({extra})" if extra else optimizer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    args = ap.parse_args()
    repeat = 3 if args.quick else 7
    rows = []
    worst = 0.0
    for name in plain_loops.PROBLEMS:
        for optimizer, hyper in OPTIMIZERS:
            for batch in modes(plain_loops.PROBLEMS[name][1]):
                t_ours, t_plain, steps = measure(name, optimizer, hyper, batch, repeat)
                ratio = t_ours / t_plain
                worst = max(worst, ratio)
                rows.append((name, label(optimizer, hyper), str(batch), f"{steps:,}",
                             f"{t_ours * 1e3:.2f}", f"{t_ours / steps * 1e6:.2f}",
                             f"{t_plain / steps * 1e6:.2f}", f"{ratio:.2f}"))
    print(table(rows, ("problem", "optimizer", "batch", "steps", "run ms", "µs/step",
                       "plain µs/step", "ratio")))
    print(f"\nworst ratio to the plain-Python loop: {worst:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
