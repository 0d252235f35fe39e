"""``plot``: run gradient descent and draw the contour, path and loss curve to a file.

Draw the window's contour + path + loss-curve figure without a window.

The figure is drawn by the window's own views (Qt, offscreen when there is no
display), so this command lives on the desktop side (`desktop.cli` adds it
to core's commands). Qt is imported only inside the handler: the parser and
every other command stay free of it.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from core.cli import args as A
from core.cli.run_cmd import add_run_arguments, config_from, resolve_problem
from core.errors import ConfigError
from core.limits import MAX_IMAGE_SCALE, MIN_IMAGE_SCALE
from desktop.exports.figure import DEFAULT_WIDTH, FIGURE_SIZE

PLOT_EXTENSIONS = (".png", ".svg", ".pdf")
# the figure is FIGURE_SIZE on screen; an export is a quarter to eight times that
MIN_WIDTH = math.ceil(FIGURE_SIZE[0] * MIN_IMAGE_SCALE)
MAX_WIDTH = math.floor(FIGURE_SIZE[0] * MAX_IMAGE_SCALE)


def figure_command(sub: Any, doc: str | None, out_help: str, width_help: str,
                   width: int) -> Any:
    """A command that runs one configuration and writes pictures of it: the run's
    arguments, ``--out`` and ``--width``."""
    p = A.problem_command(sub, doc)
    add_run_arguments(p)
    p.add_argument("--out", required=True, help=out_help)
    p.add_argument("--width", default=str(width), help=width_help)
    return p


def register(sub: Any) -> None:
    p = figure_command(sub, __doc__, "output file: .png, .svg or .pdf",
                       f"PNG width in pixels (the SVG's display width), {MIN_WIDTH:,} to "
                       f"{MAX_WIDTH:,}; default {DEFAULT_WIDTH:,}", DEFAULT_WIDTH)
    p.add_argument("--view", default="contour,loss",
                   help="which plots: contour, loss, sweep, data, surface3d or all (contour, "
                        "loss, sweep and, for a data problem, data), comma-separated; "
                        "default contour,loss")
    p.set_defaults(handler=cmd_plot)


def parse_views(text: str, has_data: bool) -> tuple[str, ...]:
    """``--view``'s plots in order, or a ConfigError naming the allowed ones."""
    from desktop.exports.figure import VIEWS

    names = [t.strip().lower() for t in str(text).split(",") if t.strip()]
    if names == ["all"]:
        return ("contour", "loss", "sweep", *(("data",) if has_data else ()))
    bad = [n for n in names if n not in VIEWS]
    if bad or not names:
        raise ConfigError(f"--view must be {', '.join(VIEWS)} or all (comma-separated), "
                          f"got {text!r}")
    return tuple(dict.fromkeys(names))


def cmd_plot(args: argparse.Namespace) -> int:
    out = A.out_path(args.out, PLOT_EXTENSIONS)
    width = A.whole("--width", args.width, low=MIN_WIDTH, high=MAX_WIDTH,
                    rule=f"a whole number of pixels from {MIN_WIDTH:,} to {MAX_WIDTH:,}")
    problem = resolve_problem(args)
    cfg = config_from(args, problem)
    figure = _figure_module()
    views = parse_views(args.view, problem.data is not None and problem.output_kind is not None)
    run = figure.write_figure(problem, cfg, out, width=width, views=views)
    where = f" at step {run.diverged_at}" if run.diverged_at is not None else ""
    sys.stdout.write(f"wrote {out}: {len(run.table)} rows, {run.status}{where}, "
                     f"final loss {run.final_loss:.6g}\n")
    return 0


def _figure_module() -> Any:
    try:
        from desktop.exports import figure
    except ImportError as exc:
        raise ConfigError(
            f"the plot command needs the window's packages (PySide6, pyqtgraph): {exc}"
        ) from None
    return figure
