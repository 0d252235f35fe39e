"""The plots in the centre: contour (or the 1-D view), loss curve, learning-rate sweep,
and the step table model and view that the window docks at the bottom.

The contour and loss views are built as the window is first shown
(`build_deferred`), the sweep once the presets bring a sweep, and the 1-D view
only when a one-parameter problem is shown: a plot widget costs 20-55 ms to
build, and the window must paint, plots included, within 1.25x the time of a
minimal PySide6 + pyqtgraph window. Until then placeholders hold their places
in the splitters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QSplitter, QStackedWidget, QWidget

from desktop.views.contour_view import ContourView
from desktop.views.line_view import LineView
from desktop.views.loss_view import LossView
from desktop.views.step_table import StepTableModel, StepTableView
from desktop.views.sweep_view import SweepView

TIPS = {
    "contour": "The loss over two weights: darker is lower. The line is the path of the "
               "steps; drag the start point or click to move it.",
    "line": "The loss over the one weight, and the ball rolling down it one step at a time.",
    "loss": "The loss after each step; the dashed line is the tolerance.",
    "sweep": "The final loss for many learning rates at once; click to use that "
             "learning rate.",
}


class _Placeholder(QWidget):
    """Holds a plot's place (and its share of the splitter) until the plot is built."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__()
        self._hint = QSize(width, height)

    def sizeHint(self) -> QSize:  # Qt override
        return self._hint


class PlotArea(QSplitter):
    """Holds the views; `MainWindow` places them, `PlotBinder` feeds them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("plots")
        self._views: dict[str, Any] = {}
        self._on_built: dict[str, list[Callable[[Any], None]]] = {}
        self.stack = QStackedWidget()
        self.stack.addWidget(_Placeholder(760, 560))
        self.right = QSplitter(Qt.Orientation.Vertical)
        self.right.addWidget(_Placeholder(560, 320))  # the loss view's place
        self.right.addWidget(_Placeholder(560, 320))  # the sweep's
        self.addWidget(self.stack)
        self.addWidget(self.right)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.model = StepTableModel(None)
        self.table = StepTableView()
        self.table.setModel(self.model)
        self.table.setToolTip("Every step's weights, loss and gradient; select a row to "
                              "see that step on the plots.")
        self._log = True

    # ------------------------------------------------------------ built on first use
    def build_deferred(self) -> None:
        """Build the contour and loss views (as the window is first shown); the sweep
        follows once it has something to show."""
        _ = self.contour, self.loss

    @property
    def built(self) -> bool:
        return "contour" in self._views

    def has(self, name: str) -> bool:
        return name in self._views

    def on_built(self, name: str, callback: Callable[[Any], None]) -> None:
        """Call ``callback(view)`` once the view ``name`` exists (at once if it does)."""
        if name in self._views:
            callback(self._views[name])
        else:
            self._on_built.setdefault(name, []).append(callback)

    @property
    def contour(self) -> ContourView:
        return self._view("contour")

    @property
    def line(self) -> LineView:
        return self._view("line")

    @property
    def loss(self) -> LossView:
        return self._view("loss")

    @property
    def sweep(self) -> SweepView:
        return self._view("sweep")

    def _view(self, name: str) -> Any:
        view = self._views.get(name)
        if view is not None:
            return view
        view = {"contour": ContourView, "line": LineView, "loss": LossView,
                "sweep": SweepView}[name]()
        view.setToolTip(TIPS[name])
        self._views[name] = view
        if name == "contour":
            placeholder = self.stack.widget(0)
            self.stack.insertWidget(0, view)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.stack.setCurrentWidget(view)
        elif name == "line":
            self.stack.addWidget(view)
        else:
            placeholder = self.right.replaceWidget(0 if name == "loss" else 1, view)
            if placeholder is not None:
                placeholder.deleteLater()
            if name == "loss":
                view.set_log(self._log)
        for callback in self._on_built.pop(name, []):
            callback(view)
        return view

    # ------------------------------------------------------------ helpers
    def show_one_d(self, one_d: bool) -> None:
        if one_d or self.has("line"):
            self.stack.setCurrentWidget(self.line if one_d else self.contour)

    def path_view(self, one_d: bool) -> ContourView | LineView:
        return self.line if one_d else self.contour

    def loss_log(self) -> bool:
        return self._log

    def set_loss_log(self, log: bool) -> None:
        self._log = log
        if self.has("loss"):
            self.loss.set_log(log)
