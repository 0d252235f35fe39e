"""The 3-D view's real OpenGL path, on an X display (Xvfb with Mesa's software renderer).

Under the offscreen platform OpenGL cannot start and the view says so in one
line (tests/desktop/test_pictures.py). Here a real display is started, and
the view, made in a child process, must hold the surface, the path and the
current point in its GL items (their data, not their pixels). Skipped where
Xvfb is missing or OpenGL does not start even there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.desktop.test_xvfb import XVFB, display  # noqa: F401  (the fixture)

pytestmark = pytest.mark.skipif(XVFB is None, reason="Xvfb is not installed (apt install xvfb)")
REPO = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, sys
import numpy as np
from PySide6.QtWidgets import QApplication
app = QApplication([])
import core
from desktop.views.surface3d_view import Surface3DView
view = Surface3DView()
view.resize(400, 300)
view.show()
for _ in range(20):
    app.processEvents()
ok = view.available and view.check_context()
if not ok:
    print(json.dumps({"available": False, "failure": view.failure}))
    sys.exit(0)
xs = np.linspace(-2, 2, 41); ys = np.linspace(-1, 3, 31)
problem = core.get_problem("rosenbrock")
Z = core.surface(problem, xs, ys)
view.set_surface(xs, ys, Z, ("a", "b"), 0.0)
run = core.train(problem, lr=1e-3, steps=500)
t = run.table
view.set_path(t["a"], t["b"], t["loss"], 100)
for _ in range(5):
    app.processEvents()
image = view.gl.grabFramebuffer()
colours = len({image.pixel(x, y) for x in range(0, 400, 7) for y in range(0, 300, 7)})
surface = view.item_data("surface")
path = view.item_data("path")
point = view.item_data("point")
z = view._points(np.array([t["a"][100]]), np.array([t["b"][100]]), np.array([t["loss"][100]]))
print(json.dumps({"available": True, "surface": list(surface.shape), "path": len(path),
                  "point": point.tolist(), "expected_point": z.tolist(),
                  "zmin": float(surface.min()), "zmax": float(surface.max()),
                  "colours": colours}))
"""


def test_the_3d_view_holds_surface_path_and_point_under_xvfb(display, tmp_path):  # noqa: F811
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "WAYLAND"))}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(REPO),
               HOME=str(tmp_path), XDG_RUNTIME_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         env=env, timeout=120, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if not result["available"]:
        pytest.skip(f"OpenGL does not start under Xvfb here: {result['failure']}")
    assert result["surface"] == [41, 31]  # z[i, j] at (xs[i], ys[j])
    assert result["zmin"] >= 0.0 and result["zmax"] <= 1.0 + 1e-9
    assert result["path"] == 501
    # GL items hold float32
    assert result["point"][0] == pytest.approx(result["expected_point"][0], abs=1e-6)
    assert result["colours"] > 10  # the first paint drew something
