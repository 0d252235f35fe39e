"""``plot``: run one configuration and write the contour + path + loss-curve figure.

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


def register(sub: Any) -> None:
    p = sub.add_parser(
        "plot",
        help="run gradient descent and draw the contour, path and loss curve to a file",
        description="Draw the window's contour + path + loss-curve figure without a window.",
    )
    A.add_problem_arguments(p)
    add_run_arguments(p)
    p.add_argument("--out", required=True, help="output file: .png, .svg or .pdf")
    p.add_argument("--width", default=str(DEFAULT_WIDTH),
                   help=f"PNG width in pixels (the SVG's display width), {MIN_WIDTH:,} to "
                        f"{MAX_WIDTH:,}; default {DEFAULT_WIDTH:,}")
    p.set_defaults(handler=cmd_plot)


def cmd_plot(args: argparse.Namespace) -> int:
    out = A.out_path(args.out, PLOT_EXTENSIONS)
    width = A.whole("--width", args.width, low=MIN_WIDTH, high=MAX_WIDTH,
                    rule=f"a whole number of pixels from {MIN_WIDTH:,} to {MAX_WIDTH:,}")
    problem = resolve_problem(args)
    cfg = config_from(args, problem)
    figure = _figure_module()
    run = figure.write_figure(problem, cfg, out, width=width)
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
