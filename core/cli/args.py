"""Parsers for option values shared by the sub-commands (each raises ConfigError)."""

from __future__ import annotations

import argparse
import os
import re
from typing import Any

from core.checks import check_number, check_whole, shown, shown_path
from core.errors import ConfigError
from core.limits import MAX_DATA_INPUTS
from core.optim.schedules import SCHEDULES, check_rates, make_schedule, schedule_params

TABLE_EXTENSIONS = (".csv", ".tsv", ".md", ".json")


def number(name: str, text: str) -> float:
    return check_number(name, text)


def numbers(name: str, text: str, count: int | None = None) -> tuple[float, ...]:
    parts = [p for p in text.replace(" ", "").split(",") if p != ""]
    if count is not None and len(parts) != count:
        raise ConfigError(f"{name} must be {count} comma-separated numbers, got {shown(text)}")
    return tuple(number(name, p) for p in parts)


def whole(name: str, text: str, low: int = 0, high: int | None = None,
          rule: str | None = None) -> int:
    """A whole-number flag from ``low`` to ``high`` (the message says the range)."""
    if rule is None and high is not None:
        rule = f"a whole number from {low:,} to {high:,}"
    return check_whole(name, text, low=low, high=high, rule=rule)


def option_value(text: str) -> Any:
    lowered = text.strip().lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def problem_options(items: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--option must look like key=value, got {shown(item)}")
        out[key.strip()] = option_value(value.strip())
    return out


def out_path(text: str | None, allowed: tuple[str, ...] = TABLE_EXTENSIONS) -> str | None:
    """Check an output path's extension and folder before any work is done."""
    if text is None:
        return None
    ext = os.path.splitext(text)[1].lower()
    if ext not in allowed:
        raise ConfigError(
            f"cannot tell the format of {shown_path(text)}: the file name must end in "
            + ", ".join(allowed)
        )
    folder = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(folder):
        raise ConfigError(f"cannot write {shown_path(text)}: folder {shown_path(folder)} "
                          "does not exist")
    if os.path.isdir(text):
        raise ConfigError(f"cannot write {shown_path(text)}: it is a folder")
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"cannot write {shown_path(text)}: permission denied on folder "
                          f"{shown_path(folder)}")
    return text


def add_optimizer_arguments(p: argparse.ArgumentParser) -> None:
    """torch.optim's hyper-parameters, as optional flags."""
    g = p.add_argument_group("optimizer")
    g.add_argument("--optimizer", default="sgd",
                   help="sgd, adam, adamw, rmsprop, adagrad, nadam, radam, adamax or adadelta")
    g.add_argument("--momentum")
    g.add_argument("--dampening")
    g.add_argument("--nesterov", action="store_true")
    g.add_argument("--weight-decay")
    g.add_argument("--betas", help="B1,B2")
    g.add_argument("--eps")
    g.add_argument("--alpha")
    g.add_argument("--centered", action="store_true")
    g.add_argument("--amsgrad", action="store_true")
    g.add_argument("--lr-decay")
    g.add_argument("--initial-accumulator-value")
    g.add_argument("--momentum-decay", help="nadam")
    g.add_argument("--decoupled-weight-decay", action="store_true", help="nadam, radam")
    g.add_argument("--rho", help="adadelta")


def hyper_from(args: argparse.Namespace) -> dict[str, Any]:
    """Collect the hyper-parameters the user actually gave."""
    hyper: dict[str, Any] = {}
    for name in (
        "momentum",
        "dampening",
        "weight_decay",
        "eps",
        "alpha",
        "lr_decay",
        "initial_accumulator_value",
        "momentum_decay",
        "rho",
    ):
        text = getattr(args, name, None)
        if text is not None:
            hyper[name] = number("--" + name.replace("_", "-"), text)
    if getattr(args, "betas", None) is not None:
        hyper["betas"] = numbers("--betas", args.betas, count=2)
    for flag in ("nesterov", "centered", "amsgrad", "decoupled_weight_decay"):
        if getattr(args, flag, False):
            hyper[flag] = True
    return hyper


def _default_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, int | float) else str(value)


def schedules_help() -> str:
    """Each schedule and its options, as ``--help`` lists them (from the schedules
    themselves, so a new schedule shows up here by itself)."""
    parts = []
    for name in SCHEDULES:
        params = schedule_params(name)
        opts = ", ".join(p if d is None else f"{p}={_default_text(d)}"
                         for p, d in params.items())
        parts.append(f"{name} ({opts})" if opts else name)
    return "; ".join(parts)


def add_schedule_arguments(p: argparse.ArgumentParser) -> None:
    """The learning-rate schedule: the window's names, torch's lr_scheduler numbers."""
    g = p.add_argument_group(
        "schedule", "how the learning rate changes from update to update, as in the window's "
        "Schedule section; each schedule is the torch.optim.lr_scheduler class of the same "
        "numbers (update k = 0 is the first). Options without a default are required: "
        + schedules_help().replace("%", "%%"))
    g.add_argument("--schedule", metavar="NAME",
                   help="constant (the default), " + ", ".join(SCHEDULES[1:]))
    g.add_argument("--schedule-option", action="append", metavar="KEY=VALUE",
                   help="one of the schedule's options, e.g. T_max=100 (repeatable)")


def checked_schedule(args: argparse.Namespace, lrs: tuple[float, ...],
                     steps: int) -> dict[str, Any] | None:
    """`schedule_from`, refused (ConfigError) where it makes a learning rate of some
    update negative or not finite for any base rate in ``lrs``."""
    spec = schedule_from(args)
    if spec is not None:
        schedule = make_schedule(spec)
        for lr0 in lrs:
            check_rates(schedule, lr0, steps)
    return spec


def schedule_from(args: argparse.Namespace) -> dict[str, Any] | None:
    """The schedule the flags give, as a session file holds it (None: constant)."""
    name = getattr(args, "schedule", None)
    items = getattr(args, "schedule_option", None) or []
    if name is None:
        if items:
            raise ConfigError("--schedule-option needs --schedule NAME (one of: "
                              + ", ".join(SCHEDULES) + ")")
        return None
    allowed = schedule_params(name)  # an unknown name: a ConfigError listing the schedules
    given: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"--schedule-option must look like key=value, got {item!r}")
        if key not in allowed:
            listing = ", ".join(allowed) or "none"
            raise ConfigError(f"the {name.lower()} schedule has no option {key!r} "
                              f"(its options: {listing})")
        if key in given:
            raise ConfigError(f"--schedule-option {key} is given twice")
        given[key] = option_value(value.strip())
    for key, default in allowed.items():
        if default is None and key not in given:
            raise ConfigError(f"the {name.lower()} schedule needs {key}: add "
                              f"--schedule-option {key}=VALUE")
    schedule = make_schedule({"name": name, **given})
    return None if schedule.name == "constant" else schedule.to_dict()


def problem_command(sub: Any, doc: str | None) -> Any:
    """A sub-command that takes a problem (--problem, --formula or --data and theirs).

    ``doc`` is the command module's docstring: its first line "``name``: what it
    does" gives the name and the one-line help, the paragraph after it the
    description that ``--help`` prints; anything further is for readers of the code.
    """
    head, _, rest = (doc or "").strip().partition("\n\n")
    name, _, help_text = head.partition(": ")
    description = " ".join(rest.split("\n\n")[0].split())
    parser = sub.add_parser(name.strip("`"), help=help_text.rstrip("."),
                            description=description)
    add_problem_arguments(parser)
    return parser


def add_problem_arguments(p: argparse.ArgumentParser) -> None:
    """The problem: a built-in name, a typed formula or a data file (one of them)."""
    # argparse reads "--start -1,1" as two flags unless "-1,1" counts as a
    # negative number; this parser has no flags that look like numbers, so
    # widening its (private, stable since 3.2) matcher is safe
    p._negative_number_matcher = _NEGATIVE_NUMBERS  # type: ignore[attr-defined]
    g = p.add_argument_group("problem (one of --problem, --formula, --data)")
    g.add_argument("--problem", help="a built-in problem (see `problems`)")
    g.add_argument("--option", action="append", metavar="KEY=VALUE",
                   help="a problem option, e.g. condition=10 (repeatable)")
    g.add_argument("--formula", metavar="EXPR",
                   help='a loss in the parameters, e.g. "(1-a)**2+100*(b-a**2)**2"')
    g.add_argument("--params", metavar="A,B", help="the formula's parameter names in order "
                   "(default: its names, alphabetically)")
    _add_data_arguments(g)


def _add_data_arguments(g: Any) -> None:
    g.add_argument("--data", metavar="FILE", help="a CSV file (header optional; , ; or tab)")
    g.add_argument("--model", choices=("linear", "logistic"), help="with --data: linear "
                   "(mean squared error, the default) or logistic (0/1 targets)")
    g.add_argument("--normalize", action="store_true",
                   help="with --data: standardise each input column (z-score)")
    g.add_argument("--x-column", metavar="COL", action="append",
                   help="with --data: input column, 0-based index or header name (default: "
                   "first); several input columns comma-separated or with --x-column "
                   f"repeated (at most {MAX_DATA_INPUTS}): parameters w1..wk and b instead "
                   "of a and b")
    g.add_argument("--y-column", metavar="COL", help="with --data: target column, 0-based "
                   "index or header name (default: last)")


def x_columns(items: list[str] | None) -> str | list[str] | None:
    """``--x-column`` as `core.data_problem` takes it: one column as it was typed, or
    the list of columns that several flags or commas give (a header name that holds a
    comma can be given by its number)."""
    if not items:
        return None
    parts = [part.strip() for item in items for part in item.split(",")]
    if len(parts) == 1:
        return items[0]
    if "" in parts:
        raise ConfigError(f"--x-column has an empty column name in {shown(','.join(items))}; "
                          "give names or numbers separated by commas")
    return parts


# "-1", "-.5", "-1,1", "-1e-3,2": numbers and number lists, never flags
_NEGATIVE_NUMBERS = re.compile(r"^-(\d|\.\d)[\d.,eE+-]*$")
