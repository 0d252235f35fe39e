"""``lr-playground-cli``: core's commands, plus ``plot`` and ``animate``, which draw with the
window's views.

core's command line (``python -m core.cli``) knows every command but
``plot`` and never loads Qt. This is the installed console script: the same
parser with ``plot`` added, the same messages and exit statuses (bad input:
one ``error: ...`` line on stderr and status 2), and Qt loaded only when a
figure is drawn.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import NoReturn

import core.cli
from core.cli.runner import run_main
from desktop import animate_cmd, plot_cmd


def build_parser() -> argparse.ArgumentParser:
    """core's parser with the ``plot`` command added."""
    parser = core.cli.build_parser()
    # argparse keeps its sub-command table private; this is the documented object
    # add_subparsers() returned, found among the parser's actions
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    plot_cmd.register(sub)
    animate_cmd.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``lr-playground-cli``; returns the exit status (as core's
    commands: `core.cli.runner` maps every ending to a status and one line)."""
    return run_main(build_parser().parse_args, argv)


def run() -> NoReturn:
    raise SystemExit(main())


if __name__ == "__main__":
    run()
