"""The presets' worker process must not outlive a window killed with SIGTERM."""

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(shutil.which("pgrep") is None or os.name != "posix",
                                reason="needs pgrep on a POSIX system")


def children(pid):
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(k) for k in out.split()]


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill -0; read its state
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().split()[2] != "Z"


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


def test_worker_leaves_when_the_window_is_killed(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    app = subprocess.Popen([sys.executable, "-m", "desktop.app"], env=env, cwd=root,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    try:
        kids = wait_for(lambda: children(app.pid), timeout=60)
        assert kids, "the window never started its worker process"
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=30)
        assert wait_for(lambda: not any(alive(k) for k in kids), timeout=15)
    finally:
        with_group = getattr(os, "killpg", None)
        if app.poll() is None and with_group:
            os.killpg(app.pid, signal.SIGKILL)
        for k in children(app.pid):
            os.kill(k, signal.SIGKILL)
