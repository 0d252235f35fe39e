"""The boundaries, held by tools: core never imports the window or Qt, the window model
imports no Qt, and importing either in a fresh interpreter loads neither."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold(tmp_path):
    pytest.importorskip("importlinter")
    # in its own interpreter: import-linter reconfigures logging for the whole process
    probe = ("import sys; from importlinter.cli import lint_imports; "
             f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}, "
             f"cache_dir={str(tmp_path / 'cache')!r}, no_logo=True))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


@pytest.mark.parametrize("module, forbidden", [
    ("core", ("PySide6", "pyqtgraph", "desktop", "torch")),
    ("core.cli", ("PySide6", "pyqtgraph", "desktop", "torch")),
    ("desktop.model", ("PySide6", "pyqtgraph", "shiboken6", "torch")),
    ("desktop.cli", ("PySide6", "pyqtgraph", "torch")),
])
def test_importing_loads_neither_qt_nor_torch(module, forbidden):
    probe = (f"import sys, {module}; "
             f"print(sorted(m for m in {forbidden!r} if m in sys.modules))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSTARTUP"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
