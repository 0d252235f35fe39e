"""``animate``: run gradient descent and write it as an animation (.gif or .mp4).

Write the run as an animation: the contour with the growing path beside the
loss curve, under the exports' title line. GIF through Pillow, MP4 (H.264)
through imageio-ffmpeg. Long runs are sampled to at most --frames frames.

The frames are the window's own views (`desktop.exports.animation`); Qt is
imported only inside the handler, as for ``plot``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from core.cli import args as A
from core.cli.run_cmd import config_from, resolve_problem
from core.errors import ConfigError
from desktop.exports.animation import (
    DEFAULT_FPS,
    DEFAULT_FRAMES,
    DEFAULT_WIDTH,
    FORMATS,
    FPS_RANGE,
    FRAMES_RANGE,
    WIDTH_RANGE,
    check_options,
)
from desktop.plot_cmd import figure_command


def register(sub: Any) -> None:
    p = figure_command(sub, __doc__, "output file: .gif or .mp4",
                       f"frame width in pixels, {WIDTH_RANGE[0]} to {WIDTH_RANGE[1]}; "
                       f"default {DEFAULT_WIDTH}", DEFAULT_WIDTH)
    p.add_argument("--fps", default=str(DEFAULT_FPS),
                   help=f"frames per second, {FPS_RANGE[0]} to {FPS_RANGE[1]}; "
                        f"default {DEFAULT_FPS}")
    p.add_argument("--frames", default=str(DEFAULT_FRAMES),
                   help=f"at most this many frames, {FRAMES_RANGE[0]} to {FRAMES_RANGE[1]} "
                        f"(a longer run is sampled evenly); default {DEFAULT_FRAMES}")
    p.set_defaults(handler=cmd_animate)


def cmd_animate(args: argparse.Namespace) -> int:
    out = A.out_path(args.out, FORMATS)
    fps = A.whole("--fps", args.fps, low=FPS_RANGE[0])
    width = A.whole("--width", args.width, low=WIDTH_RANGE[0])
    frames = A.whole("--frames", args.frames, low=FRAMES_RANGE[0])
    check_options(out, fps, width, frames)
    problem = resolve_problem(args)
    cfg = config_from(args, problem)
    try:
        from desktop.exports import animation, figure
    except ImportError as exc:
        raise ConfigError(
            f"the animate command needs the window's packages (PySide6, pyqtgraph): {exc}"
        ) from None
    import core

    run = core.make_trainer(problem, cfg).run()
    figure.ensure_app()
    count = animation.write_animation(run, out, fps=fps, width=width, max_frames=frames)
    where = f" at step {run.diverged_at}" if run.diverged_at is not None else ""
    sys.stdout.write(f"wrote {out}: {count} frames of {len(run.table)} rows at {fps} fps, "
                     f"{run.status}{where}, final loss {run.final_loss:.6g}\n")
    return 0
