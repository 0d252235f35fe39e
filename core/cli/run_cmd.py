"""``problems`` and ``run``: list the problems; run one and write its step table.

A diverged run is a result, not an error: ``run`` writes its table, ends with
the window's own sentence on why it diverged (`core.analysis.verdict`), the
flag to try in place of the window's keys, and exits 0.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.analysis.verdict import verdict_of
from core.checks import check_lr, check_number
from core.cli import args as A
from core.errors import ConfigError
from core.limits import MAX_STEPS
from core.problems import get_problem, list_problems
from core.run.config import RunConfig, check_steps
from core.run.dispatch import make_trainer


def register(sub: Any) -> None:
    p = sub.add_parser("problems", help="list the built-in problems")
    p.set_defaults(handler=cmd_problems)

    r = sub.add_parser("run", help="run gradient descent and write the step table")
    A.add_problem_arguments(r)
    add_run_arguments(r)
    r.add_argument("--out", help="output file: .csv, .tsv, .md or .json (default: CSV on stdout)")
    r.set_defaults(handler=cmd_run)


def add_run_arguments(r: argparse.ArgumentParser) -> None:
    g = r.add_argument_group("run")
    g.add_argument("--lr", default="0.1", help="learning rate, a finite number >= 0 "
                   "(default 0.1)")
    g.add_argument("--steps", default="100",
                   help=f"updates, 0 to {MAX_STEPS:,} (default 100; the table gets one row more)")
    g.add_argument("--start", help="comma-separated, one per parameter, e.g. 3,4")
    g.add_argument("--batch", default="full", help="full, sample or a batch size")
    g.add_argument("--seed", default="0")
    g.add_argument("--noise", default="0", help="standard deviation of Gaussian noise added "
                   "to every gradient, drawn from --seed (default 0: none)")
    g.add_argument("--backend", default="numpy", help="numpy or torch")
    g.add_argument("--device", default="auto", help="auto, cpu, cuda or mps (torch)")
    g.add_argument("--dtype", default="float64", help="float64 or float32 (torch)")
    g.add_argument("--tol", help="stop as converged once loss - min_loss <= tol, as the "
                   "window does at the problem's tolerance (default: run every step)")
    A.add_optimizer_arguments(r)
    A.add_schedule_arguments(r)


def cmd_problems(args: argparse.Namespace) -> int:
    for name in list_problems():
        problem = get_problem(name)
        params = ", ".join(problem.param_names)
        sys.stdout.write(f"{name:18s} {problem.title}  [{params}]\n")
    return 0


def resolve_problem(args: argparse.Namespace) -> Any:
    """The problem the flags name: exactly one of --problem, --formula, --data."""
    options = A.problem_options(getattr(args, "option", None))
    resolver = getattr(args, "problem_resolver", None)
    if resolver is not None:
        return resolver(args, options)
    formula = getattr(args, "formula", None)
    data = getattr(args, "data", None)
    given = [
        flag
        for flag, value in (("--problem", args.problem), ("--formula", formula), ("--data", data))
        if value is not None
    ]
    if len(given) > 1:
        raise ConfigError(f"give only one of --problem, --formula, --data (got {', '.join(given)})")
    for flag, home in (("params", "--formula"), ("model", "--data"), ("normalize", "--data"),
                       ("x_column", "--data"), ("y_column", "--data")):
        if getattr(args, flag, None) not in (None, False) and home not in given:
            raise ConfigError(f"--{flag.replace('_', '-')} only applies with {home}")
    if options and given and given[0] != "--problem":
        raise ConfigError("--option only applies with --problem")
    if formula is not None:
        from core.formula import formula_problem  # imported only when asked for

        start = getattr(args, "start", None)
        point = A.numbers("--start", start) if start is not None else None
        return formula_problem(formula, args.params, start=point)
    if data is not None:
        from core.problems.data import data_problem  # imported only when asked for

        return data_problem(data, model=args.model or "linear", normalize=args.normalize,
                            x_column=A.x_columns(args.x_column), y_column=args.y_column)
    if not args.problem:
        raise ConfigError(
            "give --problem NAME, --formula EXPR or --data FILE; the problems are: "
            + ", ".join(list_problems())
        )
    return get_problem(args.problem, **options)


def config_from(args: argparse.Namespace, problem: Any) -> RunConfig:
    """The run's settings from the flags, through `RunConfig.from_dict` as any saved config."""
    lr, steps = check_lr(A.number("--lr", args.lr)), check_steps(A.whole("--steps", args.steps))
    fields = {
        "optimizer": args.optimizer,
        "hyper": A.hyper_from(args),
        "lr": lr,
        "steps": steps,
        "start": A.numbers("--start", args.start) if args.start is not None else None,
        "batch": args.batch,
        "seed": A.whole("--seed", args.seed),
        "noise": A.number("--noise", args.noise),
        "backend": args.backend,
        "device": args.device,
        "dtype": args.dtype,
        "schedule": A.checked_schedule(args, (lr,), steps),
    }
    tol = getattr(args, "tol", None)
    tol = None if tol is None else check_number("--tol", tol, low=0.0, rule="a number >= 0")
    return RunConfig.from_dict(fields, problem=problem, tol=tol)


def cmd_run(args: argparse.Namespace) -> int:
    out = A.out_path(args.out)
    problem = resolve_problem(args)
    cfg = config_from(args, problem)
    run = make_trainer(problem, cfg).run()
    if out is None:
        run.table.to_csv(sys.stdout)
        if run.status == "diverged":  # the table is on stdout: the reason goes beside it
            sys.stderr.write(divergence_reason(run) + "\n")
        return 0
    run.table.save(out)
    where = f" at step {run.diverged_at}" if run.diverged_at is not None else ""
    sys.stdout.write(
        f"wrote {len(run.table)} rows to {out}: {run.status}{where}, "
        f"final loss {run.final_loss:.6g}\n"
    )
    if run.status == "diverged":
        sys.stdout.write(divergence_reason(run) + "\n")
    write_units(run)
    return 0


def divergence_reason(run: Any) -> str:
    """The window's sentence on a diverged run, with the flag to try for its keys."""
    half = float(run.config.lr) / 2
    return verdict_of(run, halve=f"Halve the learning rate: --lr {half:.6g}.").text


def write_units(run: Any) -> None:
    """With normalised data: say that a, b (w1..wk) are per standard deviation of their
    input, and give the last drawable row's fit in the data's own units (the table's
    a_orig, b_orig, or w1_orig..wk_orig, b_orig)."""
    from core.problems.units import fit_sentence, units_note

    note = units_note(run.problem)
    n = run.diverged_at if run.diverged_at is not None else len(run.table)
    if note is None or n == 0:
        return
    theta = [run.table[name][n - 1] for name in run.problem.param_names]
    columns = ", ".join(run.problem.extra_columns)
    sys.stdout.write(f"{note}; {fit_sentence(run.problem, theta)} (columns {columns})\n")
