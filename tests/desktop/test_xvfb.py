"""The installed program opens a real window on an X display (Xvfb) and quits cleanly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

XVFB = shutil.which("Xvfb")
pytestmark = pytest.mark.skipif(XVFB is None, reason="Xvfb is not installed (apt install xvfb)")


def free_display() -> int:
    for n in range(90, 200):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    pytest.skip("no free X display number")


@pytest.fixture
def display():
    n = free_display()
    proc = subprocess.Popen([XVFB, f":{n}", "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socket = Path(f"/tmp/.X11-unix/X{n}")
    deadline = time.monotonic() + 20
    while not socket.exists():  # wait for the server's socket, not a fixed time
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.skip("Xvfb did not start")
        time.sleep(0.05)
    yield f":{n}"
    proc.terminate()
    proc.wait(timeout=10)


REPO = Path(__file__).resolve().parents[2]


def app_command() -> tuple[list[str], dict[str, str]]:
    """The installed gui-script, or (not installed) the module run from this checkout."""
    script = shutil.which("lr-playground", path=str(Path(sys.executable).parent))
    if script is not None:
        return [script], {}
    return [sys.executable, "-m", "desktop.app"], {"PYTHONPATH": str(REPO)}


def test_the_installed_program_opens_a_window_under_xvfb(display, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "WAYLAND"))}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_RUNTIME_DIR=str(tmp_path))
    command, extra = app_command()
    env.update(extra)
    out = subprocess.run([*command, "--quit-after-ms", "3000"], capture_output=True,
                         text=True, env=env, timeout=120, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Traceback" not in out.stderr, out.stderr[-3000:]
    settings = list((tmp_path / "config").rglob("*.conf"))
    assert settings, "closing the window should have saved its settings"
