"""The Qt binding we run on must survive thousands of Python-side signal emits.

PySide6 6.12.0 on Python 3.11 drops a reference to True on each emit and to
None on each void Qt call, and aborts the interpreter after a few hundred
(a known reference-count bug of that release). The abort kills the
process, so the check runs in a child.
"""

import os
import subprocess
import sys

import pytest

pytest.importorskip("PySide6", reason="PySide6 not installed")

CHILD = r"""
import sys
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication
import numpy as np
import pyqtgraph as pg

app = QApplication.instance() or QApplication([])

class Emitter(QObject):
    ping = Signal(int)

seen = []
e = Emitter()
e.ping.connect(seen.append)
for i in range(5000):
    e.ping.emit(i)
w = pg.PlotWidget()
curve = w.plot()
for i in range(3000):
    curve.setData(np.arange(i % 50 + 2), np.arange(i % 50 + 2))
app.processEvents()
print("alive", len(seen))
"""


def test_thousands_of_emits_and_set_data_calls_survive():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "alive 5000"


def test_the_installed_binding_is_not_the_aborting_release():
    import PySide6

    assert PySide6.__version__ != "6.12.0"
