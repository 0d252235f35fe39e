"""``presets`` and ``sweep``: the numbers behind the learning-rate knob."""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

import numpy as np

from core.analysis.presets import preset_report
from core.analysis.sweep import check_work, sweep
from core.checks import check_number, check_whole
from core.cli import args as A
from core.cli.run_cmd import resolve_problem
from core.limits import MAX_STEPS, MAX_SWEEP_COUNT, MAX_SWEEP_WORK

MAX_COUNT = MAX_SWEEP_COUNT


def register(sub: Any) -> None:
    p = sub.add_parser(
        "presets",
        help="too-small, just-right and too-big learning rates, with the reasons",
    )
    A.add_problem_arguments(p)
    p.add_argument("--start", help="comma-separated, one per parameter, e.g. 3,4")
    A.add_optimizer_arguments(p)
    A.add_schedule_arguments(p)
    p.set_defaults(handler=cmd_presets)

    s = sub.add_parser("sweep", help="run many learning rates at once and write a CSV")
    A.add_problem_arguments(s)
    g = s.add_argument_group("sweep")
    g.add_argument("--lr-min", required=True, help="smallest learning rate (> 0)")
    g.add_argument("--lr-max", required=True, help="largest learning rate (> lr-min)")
    g.add_argument("--count", default="50",
                   help=f"learning rates, log-spaced (2 to {MAX_COUNT:,}; default 50)")
    g.add_argument("--steps", required=True,
                   help=f"updates per run, 1 to {MAX_STEPS:,}; --count × --steps at most "
                        f"{MAX_SWEEP_WORK:,}")
    g.add_argument("--start", help="comma-separated, one per parameter, e.g. 3,4")
    g.add_argument("--batch", default="full", help="full, sample or a batch size")
    g.add_argument("--seed", default="0")
    g.add_argument("--noise", default="0", help="standard deviation of Gaussian noise added "
                   "to every gradient, drawn from --seed (default 0: none)")
    g.add_argument("--tol", help="'reached' means loss - min_loss <= tol "
                   "(default: the problem's tolerance)")
    A.add_optimizer_arguments(s)
    A.add_schedule_arguments(s)
    s.add_argument("--out", help="output .csv file (default: CSV on stdout)")
    s.set_defaults(handler=cmd_sweep)


def _start(args: argparse.Namespace) -> tuple[float, ...] | None:
    return A.numbers("--start", args.start) if args.start is not None else None


def cmd_presets(args: argparse.Namespace) -> int:
    problem = resolve_problem(args)
    # the presets are base rates: the schedule's shape must stay finite and >= 0
    schedule = A.checked_schedule(args, (1.0,), problem.default_steps)
    report = preset_report(problem, args.optimizer, start=_start(args), schedule=schedule,
                           **A.hyper_from(args))
    sys.stdout.write(report.describe() + "\n")
    return 0


def sweep_lrs(lr_min_text: str, lr_max_text: str, count_text: str) -> np.ndarray:
    """The log-spaced learning rates of ``sweep --lr-min --lr-max --count``."""
    lr_min = check_number("--lr-min", lr_min_text, low=0.0, low_open=True,
                          rule="a number > 0 (the rates are log-spaced)")
    lr_max = check_number("--lr-max", lr_max_text, low=lr_min, low_open=True,
                          rule=f"larger than --lr-min ({lr_min:g})")
    count = check_whole("--count", count_text, low=2, high=MAX_COUNT)
    lrs = np.geomspace(lr_min, lr_max, count)
    # geomspace may land a hair off the ends; the user typed them exactly
    lrs[0], lrs[-1] = lr_min, lr_max
    return lrs


def cmd_sweep(args: argparse.Namespace) -> int:
    out = A.out_path(args.out, allowed=(".csv",))
    lrs = sweep_lrs(args.lr_min, args.lr_max, args.count)
    steps = A.whole("--steps", args.steps, low=1, high=MAX_STEPS)
    check_work(lrs.size, steps, "--count", "--steps")
    tol = None if args.tol is None else check_number("--tol", args.tol, low=0.0,
                                                      rule="a number >= 0")
    problem = resolve_problem(args)
    schedule = A.checked_schedule(args, (float(lrs[0]), float(lrs[-1])), steps)
    result = sweep(problem, lrs, steps=steps, optimizer=args.optimizer, start=_start(args),
                   batch=args.batch, seed=A.whole("--seed", args.seed), tol=tol,
                   noise=A.number("--noise", args.noise), schedule=schedule,
                   **A.hyper_from(args))
    if out is None:
        result.to_csv(sys.stdout)
        return 0
    result.to_csv(out)
    counts = ", ".join(f"{n} {s}" for s, n in result.counts().items() if n)
    best = result.best_index
    best_text = "none (every run diverged)" if best is None else (
        f"{result.lrs[best]:.4g} ({result.status[best]}, final loss "
        f"{result.final_loss[best]:.4g})")
    edge = result.divergence_edge()
    edge_text = "" if edge is None or not math.isfinite(edge) else \
        f"; first diverging lr above it {edge:.4g}"
    sys.stdout.write(f"wrote {len(result)} learning rates to {out}: {counts}; "
                     f"best lr {best_text}{edge_text}{_diverged_text(result)}\n")
    return 0


def _diverged_text(result: Any) -> str:
    """Which learning rates diverged: "; diverged: lr 0.2 to 1" (the CSV has each)."""
    diverged = result.lrs[result.status == "diverged"]
    if diverged.size == 0:
        return ""
    low, high = float(diverged.min()), float(diverged.max())
    span = f"lr {low:.4g}" if low == high else f"lr {low:.4g} to {high:.4g}"
    return f"; diverged: {span}"
