"""``lr-range-test``: grow the learning rate exponentially in one run; suggest one (lr_find).

One run whose learning rate grows exponentially from --lr-min to --lr-max over
--steps updates, stopped once the smoothed loss passes 4x its best. Prints the
suggested learning rates (steepest descent and fastai's valley) beside the
presets' "just right" and writes the curve: lr, loss, smoothed loss, as CSV to
--out or to stdout.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.analysis.lr_range import DEFAULT_RANGE, DEFAULT_STEPS, MAX_RANGE_STEPS, lr_range_test
from core.cli import args as A
from core.cli.run_cmd import resolve_problem
from core.io.atomic import atomic_open
from core.run.table import format_exact


def register(sub: Any) -> None:
    r = A.problem_command(sub, __doc__)
    g = r.add_argument_group("range test")
    g.add_argument("--lr-min", default=str(DEFAULT_RANGE[0]),
                   help=f"first learning rate (> 0; default {DEFAULT_RANGE[0]:g})")
    g.add_argument("--lr-max", default=str(DEFAULT_RANGE[1]),
                   help=f"last learning rate (> lr-min; default {DEFAULT_RANGE[1]:g})")
    g.add_argument("--steps", default=str(DEFAULT_STEPS),
                   help=f"updates, 2 to {MAX_RANGE_STEPS:,} (default {DEFAULT_STEPS})")
    g.add_argument("--start", help="comma-separated, one per parameter, e.g. 3,4")
    g.add_argument("--batch", default=None, help="full, sample or a batch size "
                   "(default: the problem's own)")
    g.add_argument("--seed", default="0")
    A.add_optimizer_arguments(r)
    r.add_argument("--out", help="output .csv file (default: CSV on stdout)")
    r.set_defaults(handler=cmd_range)


def cmd_range(args: argparse.Namespace) -> int:
    out = A.out_path(args.out, (".csv",))
    problem = resolve_problem(args)
    test = lr_range_test(
        problem, lr_min=A.number("--lr-min", args.lr_min), lr_max=A.number("--lr-max", args.lr_max),
        steps=A.whole("--steps", args.steps, low=2), optimizer=args.optimizer,
        start=A.numbers("--start", args.start) if args.start is not None else None,
        batch=args.batch or problem.default_batch, seed=A.whole("--seed", args.seed),
        **A.hyper_from(args))
    lines = ["lr,loss,smoothed_loss\n"] + [
        f"{format_exact(a)},{format_exact(b)},{format_exact(c)}\n"
        for a, b, c in zip(test.lrs.tolist(), test.losses.tolist(), test.smooth.tolist(),
                           strict=True)]
    summary = test.summary()
    if out is None:
        sys.stdout.writelines(lines)
        sys.stderr.write(summary + "\n")  # the curve is on stdout: the verdict beside it
        return 0
    with atomic_open(out, "w", encoding="utf-8", newline="") as handle:
        handle.writelines(lines)
    sys.stdout.write(f"wrote {len(lines) - 1} rows to {out}\n{summary}\n")
    return 0
