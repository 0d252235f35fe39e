"""The launch benchmarks' baseline: a bare PySide6 + pyqtgraph window with one curve.

``python minimal_window.py``: stays open until it is closed or killed
(`bench_launch.py` reads the first paint from Qt's own painting log).
``python minimal_window.py --stamp``: prints ``first-paint <unix time>`` once
it has painted, then quits (`bench_window.py`'s cold start).
"""

import sys
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv)
window = pg.PlotWidget(title="minimal")
window.plot(np.arange(100.0), np.sqrt(np.arange(100.0)))
window.resize(1280, 720)
window.show()


def stamp() -> None:
    window.repaint()
    print(f"first-paint {time.time():.6f}", flush=True)
    app.quit()


if "--stamp" in sys.argv:
    QTimer.singleShot(0, stamp)
sys.exit(app.exec())
