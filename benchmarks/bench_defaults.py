"""One run at each built-in problem's default budget: the program against a plain-Python loop.

For every built-in problem × optimizer × batch mode, the median time of
``core.train(problem, optimizer=..., batch=...)`` at the problem's default
learning rate and step budget, per step, and its ratio to `plain_loops.run`
doing the same work (the update, and the full-data loss and gradient recorded
for every row), measured in the same process, in turn (ours, the plain loop, again and
again), so a burst of other work on a shared machine slows both alike.

The marginal ratio sets the per-call overhead apart from the per-step cost:
the fixed overhead is the time of a 1-step run of the same problem, optimizer
and batch (set-up, the first rows, the result), and the marginal ratio is
``((ours - ours_1step) / (steps - 1)) / (plain / steps)``: what each further
step costs against a step of the plain loop. A short run whose ratio is high
but whose marginal ratio is low pays for the call, not for its steps.

Run: .venv/bin/python benchmarks/bench_defaults.py [--quick] [--markdown]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import plain_loops
from _timing import machine_note, markdown_table, per_call, per_call_interleaved, table

import core

OPTIMIZERS = [  # every optimizer the program has, at torch's defaults
    ("sgd", {}),
    ("sgd", {"momentum": 0.9}),
    ("adam", {}),
    ("adamw", {}),
    ("rmsprop", {}),
    ("adagrad", {}),
    ("nadam", {}),
    ("radam", {}),
    ("adamax", {}),
    ("adadelta", {}),
]


def modes(n_examples: int) -> list[str | int]:
    return ["full"] if n_examples <= 1 else ["full", "sample", 2]


def measure(name: str, optimizer: str, hyper: dict, batch: str | int,
            repeat: int) -> tuple[float, float, float, int]:
    """Seconds per call: ours at the default budget, the plain loop, ours for 1 step."""
    problem = core.get_problem(name)
    lr, steps = problem.default_lr, problem.default_steps
    n = plain_loops.PROBLEMS[name][1]
    order = plain_loops.batch_order(batch, n, steps, 0)

    def ours() -> None:
        core.train(name, optimizer=optimizer, lr=lr, steps=steps, batch=batch, **hyper)

    def plain() -> None:
        plain_loops.run(name, problem.start, optimizer=optimizer, lr=lr, steps=steps,
                        order=order, **hyper)

    def ours_one_step() -> None:
        core.train(name, optimizer=optimizer, lr=lr, steps=1, batch=batch, **hyper)

    t_ours, t_plain = per_call_interleaved([ours, plain], repeat=repeat)
    # apart: right after a long run (its table freed, the caches cold) it would read slow
    return t_ours, t_plain, per_call(ours_one_step, repeat=repeat), steps


def marginal_ratio(t_ours: float, t_plain: float, t_one: float, steps: int) -> float | None:
    """Each step beyond the first against a plain step; None where it cannot be told
    (1 step, or the overhead's noise exceeds the steps' cost)."""
    if steps <= 1 or t_ours <= t_one:
        return None
    return ((t_ours - t_one) / (steps - 1)) / (t_plain / steps)


def label(optimizer: str, hyper: dict) -> str:
    extra = ", ".join(f"{k} {v}" for k, v in hyper.items())
    return f"{optimizer} ({extra})" if extra else optimizer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer repeats")
    ap.add_argument("--markdown", action="store_true",
                    help="a GitHub table (numbers right-aligned) and a markdown summary")
    args = ap.parse_args()
    repeat = 3 if args.quick else 7
    rows = []
    worst = (0.0, "")
    worst_marginal = (0.0, "")
    for name in plain_loops.PROBLEMS:
        for optimizer, hyper in OPTIMIZERS:
            for batch in modes(plain_loops.PROBLEMS[name][1]):
                t_ours, t_plain, t_one, steps = measure(name, optimizer, hyper, batch, repeat)
                ratio = t_ours / t_plain
                marginal = marginal_ratio(t_ours, t_plain, t_one, steps)
                what = f"{name} / {label(optimizer, hyper)} / {batch}"
                worst = max(worst, (ratio, what))
                if marginal is not None:
                    worst_marginal = max(worst_marginal, (marginal, what))
                rows.append((name, label(optimizer, hyper), str(batch), f"{steps:,}",
                             f"{t_ours * 1e3:.2f}", f"{t_ours / steps * 1e6:.2f}",
                             f"{t_plain / steps * 1e6:.2f}", f"{ratio:.2f}",
                             f"{t_one * 1e6:.0f}",
                             "-" if marginal is None else f"{marginal:.2f}"))
    header = ("problem", "optimizer", "batch", "steps", "run ms", "µs/step", "plain µs/step",
              "ratio", "1-step run µs", "marginal ratio")
    if args.markdown:
        print(markdown_table(rows, header, text_columns=3))
        print(f"\n- worst ratio to the plain-Python loop: **{worst[0]:.2f}** ({worst[1]}; "
              "target <= 2)")
        print(f"- worst marginal ratio (1-step run's time taken off): "
              f"**{worst_marginal[0]:.2f}** ({worst_marginal[1]})")
        print(f"- medians of {repeat} runs each; {machine_note()}")
    else:
        print(table(rows, header))
        print(f"\nworst ratio to the plain-Python loop: {worst[0]:.2f} ({worst[1]}; "
              "target <= 2)")
        print(f"worst marginal ratio (1-step run's time taken off): {worst_marginal[0]:.2f} "
              f"({worst_marginal[1]})")


if __name__ == "__main__":
    main()
