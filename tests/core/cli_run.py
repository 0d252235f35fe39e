"""Run the command line in-process, as the tests of each sub-command do."""

from __future__ import annotations

from typing import Any

from core.cli import main


def run_cli(capsys: Any, *args: str) -> tuple[int, str, str]:
    """``lr-playground-cli *args``: its exit status, stdout and stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
