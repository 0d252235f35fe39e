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
from PySide6.QtWidgets import (
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.views.contour_view import ContourView
from desktop.views.line_view import LineView
from desktop.views.loss_view import LossView
from desktop.views.step_table import StepTableModel, StepTableView
from desktop.views.sweep_view import PENDING as SWEEP_PENDING
from desktop.views.sweep_view import SweepView

TIPS = {
    "contour": "The loss over two weights: darker is lower. The line is the path of the "
               "steps; drag the start point or click to move it.",
    "line": "The loss over the one weight, and the ball rolling down it one step at a time.",
    "loss": "The loss after each step; the dashed line is the tolerance.",
    "sweep": "The final loss for many learning rates at once; click to use that "
             "learning rate.",
    "data": "The examples and the model's prediction at the step shown, in the data's own "
            "units; ringed: the examples the update uses.",
    "surface3d": "The loss over the two plotted weights in 3-D, with the path and the current "
                 "point; drag to rotate, wheel to zoom.",
    "sharpness": "λmax of the loss's Hessian along the run against the stability limit 2/lr "
                 "(and 2(1+β)/lr with heavy-ball momentum).",
    "range": "The learning-rate range test: one run whose learning rate grows step by step; "
             "click a marker (or Use) to take its learning rate.",
}
# the tabs of the left-hand plot: the surface (contour or 1-D curve), the data, 3-D,
# the sharpness along the run, the range test
TABS = (("surface", "Surface"), ("data", "Data"), ("surface3d", "3-D"),
        ("sharpness", "Sharpness"), ("range", "LR range test"))
TAB_VIEWS = ("data", "surface3d", "sharpness", "range")  # built when first shown


class _Placeholder(QWidget):
    """Holds a plot's place (and its share of the splitter) until the plot is built;
    ``text`` says what will come there (an empty grey box reads as broken)."""

    def __init__(self, width: int, height: int, text: str = "") -> None:
        super().__init__()
        self._hint = QSize(width, height)
        if text:
            label = QLabel(text)
            label.setWordWrap(True)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setEnabled(False)  # the palette's grey: a note, not a result
            QVBoxLayout(self).addWidget(label)

    def sizeHint(self) -> QSize:  # Qt override
        return self._hint


class PlotArea(QSplitter):
    """Holds the views; `MainWindow` places them, `PlotBinder` feeds them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("plots")
        self._views: dict[str, Any] = {}
        self._on_built: dict[str, list[Callable[[Any], None]]] = {}
        self._on_shown: list[Callable[[str], None]] = []
        self.stack = QStackedWidget()
        self.stack.addWidget(_Placeholder(760, 560))
        # the data and 3-D views are built when their tab is first opened: hidden,
        # they cost nothing
        self.tabs = QTabWidget()
        self.tabs.setObjectName("plot-tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setAccessibleName("Plot: " + ", ".join(t for _k, t in TABS))
        # a slice along directions says what it is under the map
        self.caption = QLabel()
        self.caption.setObjectName("surface-caption")
        self.caption.setWordWrap(True)
        self.caption.setVisible(False)
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(2)
        page_layout.addWidget(self.stack, 1)
        page_layout.addWidget(self.caption)
        self.tabs.addTab(page, TABS[0][1])
        for _key, label in TABS[1:]:
            self.tabs.addTab(_Placeholder(760, 560), label)
        for i, (key, _label) in enumerate(TABS):
            self.tabs.setTabToolTip(i, TIPS.get(key, TIPS["contour"]))
        self.tabs.currentChanged.connect(self._on_tabs_current_changed)
        self.right = QSplitter(Qt.Orientation.Vertical)
        self.right.addWidget(_Placeholder(560, 320))  # the loss view's place
        self.right.addWidget(_Placeholder(560, 320, SWEEP_PENDING))  # the sweep's
        self.addWidget(self.tabs)
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

    @property
    def data(self) -> Any:
        return self._view("data")

    @property
    def surface3d(self) -> Any:
        return self._view("surface3d")

    @property
    def sharpness(self) -> Any:
        return self._view("sharpness")

    @property
    def range_test(self) -> Any:
        return self._view("range")

    def set_caption(self, text: str) -> None:
        """The sentence under the surface (empty: none)."""
        self.caption.setText(text)
        self.caption.setVisible(bool(text))

    def _make(self, name: str) -> Any:
        if name == "data":
            from desktop.views.data_view import DataView

            return DataView()
        if name == "surface3d":
            from desktop.views.surface3d_view import Surface3DView

            return Surface3DView()
        if name == "sharpness":
            from desktop.views.sharpness_view import SharpnessView

            return SharpnessView()
        if name == "range":
            from desktop.views.range_test_view import RangeTestView

            return RangeTestView()
        return {"contour": ContourView, "line": LineView, "loss": LossView,
                "sweep": SweepView}[name]()

    def _view(self, name: str) -> Any:
        view = self._views.get(name)
        if view is not None:
            return view
        view = self._make(name)
        view.setToolTip(TIPS[name])
        self._views[name] = view
        if name in TAB_VIEWS:
            index = [key for key, _label in TABS].index(name)
            placeholder = self.tabs.widget(index)
            current = self.tabs.currentIndex()
            enabled = self.tabs.isTabEnabled(index)
            tip = self.tabs.tabToolTip(index)
            self.tabs.blockSignals(True)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, view, TABS[index][1])
            self.tabs.setTabEnabled(index, enabled)
            self.tabs.setTabToolTip(index, tip)
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(False)
            placeholder.deleteLater()
        elif name == "contour":
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

    # ------------------------------------------------------------ tabs
    def tab_shown(self) -> str:
        """Which tab of the left-hand plot is in front: "surface", "data" or "surface3d"."""
        return TABS[self.tabs.currentIndex()][0]

    def show_tab(self, key: str) -> None:
        """Bring tab ``key`` to the front (its view is built on first use)."""
        self.tabs.setCurrentIndex([k for k, _label in TABS].index(key))

    def set_tab_enabled(self, key: str, enabled: bool, reason: str = "") -> None:
        """Allow a tab or not (a problem without data has no Data tab); the tip says why.
        A disabled tab in front gives its place to the surface."""
        index = [k for k, _label in TABS].index(key)
        self.tabs.setTabEnabled(index, enabled)
        self.tabs.setTabToolTip(index, TIPS[key] if enabled else reason)
        if not enabled and self.tabs.currentIndex() == index:
            self.tabs.setCurrentIndex(0)

    def _on_tabs_current_changed(self, index: int) -> None:
        key = TABS[index][0]
        if key != "surface" and key not in self._views:
            self._view(key)  # built now; its callbacks draw it
        for callback in list(self._on_shown):
            callback(key)

    def on_tab_shown(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(key)`` whenever a tab comes to the front."""
        self._on_shown.append(callback)

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
