"""`MainWindow`: composes the panels, the plots and the step table, and wires them.

It holds no numbers: the `Controller` is the model, `PanelBinder` and
`PlotBinder` carry values between it and the widgets. Expensive work (the
first run, the surface, the presets) starts after the first paint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

import core
from desktop import errors
from desktop import help as short_help
from desktop.controller import Controller
from desktop.exports.actions import ExportActions
from desktop.panel_binder import PanelBinder
from desktop.panels.data_panel import DataPanel
from desktop.panels.formula_panel import FormulaPanel
from desktop.panels.lr_panel import LearningRatePanel
from desktop.panels.optimizer_panel import OptimizerPanel
from desktop.panels.problem_panel import ProblemPanel
from desktop.panels.run_panel import RunPanel
from desktop.panels.schedule_panel import SchedulePanel
from desktop.plot_area import PlotArea
from desktop.plot_binder import PlotBinder
from desktop.session_io import SessionIO
from desktop.settings import Settings
from desktop.window_extras import WindowExtras

log = logging.getLogger(__name__)


def _problem_titles() -> list[tuple[str, str]]:
    return [(name, core.get_problem(name).title) for name in core.list_problems()]


class MainWindow(QMainWindow):
    """The LR Playground window."""

    def __init__(self, settings: Settings | None = None, controller: Controller | None = None,
                 show_error: Callable[..., Any] | None = None) -> None:
        super().__init__()
        self.setWindowTitle("LR Playground")
        self.setObjectName("LRPlayground")
        self.settings = settings if settings is not None else Settings()
        self.controller = controller if controller is not None else Controller(self)
        self.show_error = show_error or errors.show_error
        self.help_box: QMessageBox | None = None
        self._first_paint_seen = False
        self._start_timer = QTimer(self)
        self._start_timer.setSingleShot(True)
        self._start_timer.timeout.connect(self._on_start_timer_timeout)
        self.panels = SimpleNamespace(
            problem=ProblemPanel(_problem_titles()),
            formula=FormulaPanel(),
            data=DataPanel(),
            optimizer=OptimizerPanel(),
            lr=LearningRatePanel(),
            schedule=SchedulePanel(core.torch_available()),
            run=RunPanel(),
        )
        self.plots = PlotArea()
        self.setCentralWidget(self.plots)
        self._build_docks()
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setToolTip("What the run did, and why.")
        # a fixed height: the sentence changes every frame while running, and a status bar
        # that grew or shrank would re-lay out (and repaint) every plot above it
        lines = self.status_label.fontMetrics().lineSpacing()
        self.status_label.setFixedHeight(2 * lines + 4)
        self.statusBar().addWidget(self.status_label, 1)
        self.session_io = SessionIO(self)  # File: sessions and recent sessions
        self.exports = ExportActions(self, self.session_io)  # File: exports; Edit: copy
        self.actions = self._build_actions()
        self.panel_binder = PanelBinder(self.controller, self.panels, self)
        self.plot_binder = PlotBinder(self.controller, self.plots, self)
        self.extras = WindowExtras(self)  # formula, data, inspector, lessons (before _restore)
        self._connect()
        self._restore()

    # ------------------------------------------------------------ composition
    def _build_docks(self) -> None:
        knobs = QWidget()
        layout = QVBoxLayout(knobs)
        for panel in vars(self.panels).values():
            layout.addWidget(panel)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(knobs)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(knobs.sizeHint().width() + 24)
        self.knobs_dock = self._dock("Knobs", "knobs", scroll, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.table_dock = self._dock("Step table", "table", self.plots.table,
                                     Qt.DockWidgetArea.BottomDockWidgetArea)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # saveState() finds docks by object name
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _build_actions(self) -> dict[str, QAction]:
        c = self.controller
        spec: list[tuple[str, str, str, str | QKeySequence.StandardKey, Callable[[], Any]]] = [
            ("file", "open", "Open session…", "Ctrl+O", self.session_io.open_interactive),
            ("file", "save", "Save session…", "Ctrl+S", self.session_io.save_interactive),
            ("file", "export", "Export…", "Ctrl+E", self.exports.export_interactive),
            ("file", "bundle", "Export bundle…", "", self.exports.bundle_interactive),
            ("file", "quit", "Quit", "Ctrl+Q", self.close),
            ("edit", "copy", "Copy rows", "Ctrl+C", self.exports.copy_rows),
            ("run", "play", "Play / pause", "Space", c.toggle_play),
            ("run", "step", "One step", "Right", c.step_once),
            ("run", "reset", "Reset", "R", c.reset),
            ("run", "too-small", "Too small", "1", lambda: c.apply_preset("too-small")),
            ("run", "just-right", "Just right", "2", lambda: c.apply_preset("just-right")),
            ("run", "too-big", "Too big", "3", lambda: c.apply_preset("too-big")),
            ("run", "halve", "Halve lr", "H", c.halve_lr),
            ("run", "compare", "Compare presets", "C", c.compare_presets),
            ("run", "pin", "Pin run", "P", c.pin_current_run),
            ("run", "clear", "Clear compared runs", "", c.clear_compare),
            ("help", "help", "Short help", "F1", self._on_help_triggered),
        ]
        menus = {"file": self.menuBar().addMenu("&File"), "edit": self.menuBar().addMenu("&Edit"),
                 "run": self.menuBar().addMenu("&Run"),
                 "view": self.menuBar().addMenu("&View"), "help": self.menuBar().addMenu("&Help")}
        actions: dict[str, QAction] = {}
        for menu, key, text, shortcut, slot in spec:
            action = QAction(text, self)
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(lambda _c=False, f=slot: f())
            menus[menu].addAction(action)
            self.addAction(action)  # shortcuts work with the menu bar hidden too
            actions[key] = action
        menus["file"].insertMenu(actions["save"], self.session_io.recent_menu)
        menus["file"].insertSeparator(actions["export"])
        menus["file"].insertSeparator(actions["quit"])
        self.exports.attach_copy_action(actions["copy"])  # Ctrl+C on the step table
        log_axis = QAction("Log loss axis", self, checkable=True, checked=True)
        log_axis.toggled.connect(self.plots.set_loss_log)
        menus["view"].addAction(log_axis)
        menus["view"].addAction(self.knobs_dock.toggleViewAction())
        menus["view"].addAction(self.table_dock.toggleViewAction())
        actions["log"] = log_axis
        return actions

    def _connect(self) -> None:
        c = self.controller
        c.statusChanged.connect(self.status_label.setText)
        c.problemChanged.connect(self._on_controller_problem_changed)
        c.error.connect(self._on_controller_error)
        self.plots.on_built("contour", self._on_plots_contour_built)
        self.plots.on_built("sweep", self._on_plots_sweep_built)
        self.plots.table.rowSelected.connect(c.select_row)

    def _restore(self) -> None:
        self.controller.restore(self.settings.knobs())
        self.controller.problemChanged.emit()  # panels and views show the restored problem
        geometry = self.settings.geometry()
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1400, 900)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        for key, splitter in self._splitters().items():
            saved = self.settings.get_bytes(key)
            if saved is not None:
                splitter.restoreState(saved)
        self.status_label.setText(self.controller.status)

    def _splitters(self) -> dict[str, Any]:
        return {"window/plots": self.plots, "window/plots-right": self.plots.right}

    # ------------------------------------------------------------ lifecycle
    def showEvent(self, event: QEvent) -> None:  # Qt override
        super().showEvent(event)
        if not self.controller.started and not self._start_timer.isActive():
            # fallback if no paint arrives (a minimised start): start a little later
            self._start_timer.start(200)

    def paintEvent(self, event: QEvent) -> None:  # Qt override
        super().paintEvent(event)
        if not self._first_paint_seen:
            self._first_paint_seen = True
            self._start_timer.start(0)  # the heavy work right after the first paint

    def _on_start_timer_timeout(self) -> None:
        if not self.controller.started:
            self.plots.build_deferred()  # the plots, after the first paint
            self.controller.problemChanged.emit()  # the new views show the problem
            self.controller.start()

    def _on_plots_contour_built(self, view: Any) -> None:
        view.startMoved.connect(self._on_contour_start_moved)
        view.clicked.connect(self._on_contour_start_moved)

    def _on_plots_sweep_built(self, view: Any) -> None:
        view.lrPicked.connect(self._on_sweep_lr_picked)

    def closeEvent(self, event: QEvent) -> None:  # Qt override
        try:
            self.settings.save_window(self.saveGeometry(), self.saveState())
            for key, splitter in self._splitters().items():
                self.settings.set_bytes(key, splitter.saveState())
            self.settings.save_knobs(self.controller.knobs())
            self.settings.sync()
        except Exception:  # saving settings must never keep the window from closing
            log.exception("could not save the settings")
        self._start_timer.stop()
        self.controller.shutdown()
        self.plot_binder.stop()
        self.extras.stop()
        if self.help_box is not None:
            self.help_box.close()
        super().closeEvent(event)

    # ------------------------------------------------------------ slots
    def _on_controller_error(self, message: str) -> None:
        self.status_label.setText(message)
        self.show_error(self, "LR Playground", f"{message}\n\n{errors.WHAT_TO_DO}")

    def _on_controller_problem_changed(self) -> None:
        with QSignalBlocker(self.actions["log"]):
            self.actions["log"].setChecked(self.plots.loss_log())

    def _on_contour_start_moved(self, x: float, y: float) -> None:
        c = self.controller
        start = list(c.config.start or c.problem.start)
        i, j = c.display_axes
        start[i], start[j] = x, y
        try:
            c.set_start(start)
        except core.ConfigError as exc:
            self.panels.problem.show_start_error(str(exc))

    def _on_sweep_lr_picked(self, lr: float) -> None:
        try:
            self.controller.set_lr(lr)
        except core.ConfigError as exc:
            self.panels.lr.show_lr_error(str(exc))

    def _on_help_triggered(self) -> None:
        if self.help_box is not None:
            self.help_box.close()
        self.help_box = short_help.show_help(self)
        self.help_box.destroyed.connect(self._on_help_box_destroyed)

    def _on_help_box_destroyed(self, _obj: QObject | None = None) -> None:
        self.help_box = None
