"""``lr-playground-cli``: the engine from the command line.

Bad input ends with exit status 2 and one line ``error: ...`` on stderr that
says what was wrong and what is allowed; never a traceback, never a partial
output file. Each sub-command lives in its own module with a ``register``
function that adds its parser and sets its handler.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from core.errors import ConfigError

# modules that add sub-commands; each has register(subparsers)
COMMAND_MODULES = ("core.cli.run_cmd", "core.cli.analysis_cmd", "core.cli.gradcheck_cmd")


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
    """Entry point of ``lr-playground-cli``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ConfigError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`); not an error of ours
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # an internal bug: say so in one line, no traceback
        if os.environ.get("LR_PLAYGROUND_DEBUG"):
            raise
        sys.stderr.write(
            f"error: internal error ({type(exc).__name__}: {exc}); "
            "set LR_PLAYGROUND_DEBUG=1 to see the traceback\n"
        )
        return 1


def run() -> NoReturn:
    raise SystemExit(main())
