"""``gradcheck``: the hand-derived gradient beside autograd and central differences.

Compare the problem's hand-derived gradient with torch autograd (when torch is
installed) and with central differences of the loss, one row per parameter.
Exit status 0 when they agree, 1 when they do not, 2 for bad input.

The exit status is what a script checking its own formula wants.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.analysis.gradcheck import gradient_check
from core.checks import check_number
from core.cli import args as A
from core.cli.run_cmd import resolve_problem


def register(sub: Any) -> None:
    g = A.problem_command(sub, __doc__)
    g.add_argument("--start", help="the point, one value per parameter, e.g. 3,4 "
                   "(default: the problem's start)")
    g.add_argument("--h", default="1e-6", help="relative step of the central differences "
                   "(default 1e-6: each parameter moves by h·max(1, |θ|))")
    g.set_defaults(handler=cmd_gradcheck)


def cmd_gradcheck(args: argparse.Namespace) -> int:
    h = check_number("--h", args.h, low=0.0, low_open=True, rule="a number > 0")
    problem = resolve_problem(args)
    point = A.numbers("--start", args.start) if args.start else None
    check = gradient_check(problem, point, h=h)
    sys.stdout.write(check.describe() + "\n")
    return 0 if check.agrees() else 1
