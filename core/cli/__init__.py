"""``lr-playground-cli``: the engine from the command line.

Bad input ends with exit status 2 and one line ``error: ...`` on stderr that
says what was wrong and what is allowed; never a traceback, never a partial
output file (`core.cli.runner` says how every other ending is reported).
Each sub-command lives in its own module with a ``register`` function that
adds its parser and sets its handler.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from core.cli.runner import run_main

# modules that add sub-commands; each has register(subparsers)
COMMAND_MODULES = ("core.cli.run_cmd", "core.cli.analysis_cmd", "core.cli.gradcheck_cmd",
                   "core.cli.range_cmd")


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one ``error: ...`` line and exit 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def build_parser() -> Parser:
    parser = Parser(
        prog="lr-playground-cli",
        description="Run gradient descent on built-in problems and write step tables.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a command not built yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``lr-playground-cli``; returns the exit status.

    How each way of ending maps to a status and a line is `core.cli.runner`'s.
    """
    return run_main(build_parser().parse_args, argv)


def run() -> NoReturn:
    raise SystemExit(main())
