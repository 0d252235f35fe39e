"""`MainWindow`: lays out the strip, the knobs, the plots, the table and the status line.

It holds no numbers: ``self.model`` (`desktop.model.WindowModel`, no Qt) is
the one source of truth, driven by one frame clock (``self.runtime``). Every
control binds itself to the model; the commands come from one table of
actions (`desktop.actions`). The learning rate, its presets, the gauge and
Play / One step / Reset sit in a strip at the top that never scrolls; the
other knobs are collapsible sections of a scrolling panel, where the wheel
scrolls and changes nothing. The first window fits the screen. The plots,
the surface and the first run are made as the window is first shown, so its
first paint shows them; the first run plays, so that something moves, and
the presets and the sweep follow from a worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

import core
from desktop import errors
from desktop import help as short_help
from desktop.actions import PRESET_KEYS, build_actions
from desktop.analysis_binder import AnalysisBinder
from desktop.exports.actions import ExportActions
from desktop.exports.animation_dialog import AnimationExport
from desktop.panels.data_panel import DataPanel
from desktop.panels.formula_panel import FormulaPanel
from desktop.panels.gradcheck_panel import GradCheckPanel
from desktop.panels.lr_panel import StabilityDetails
from desktop.panels.optimizer_panel import OptimizerPanel
from desktop.panels.problem_panel import ProblemPanel
from desktop.panels.run_panel import RunPanel
from desktop.panels.schedule_panel import BackendPanel, BatchPanel, SchedulePanel
from desktop.panels.steady_label import SteadyLabel
from desktop.panels.widgets import KeyGuard, Section, WheelGuard
from desktop.pictures import PictureBinder
from desktop.plot_area import PlotArea
from desktop.run_renderer import RunRenderer
from desktop.runtime import Runtime
from desktop.session_io import SessionIO
from desktop.settings import Settings
from desktop.strip import Strip
from desktop.window_extras import WindowExtras
from desktop.window_place import DEFAULT_SIZE, fitted

log = logging.getLogger(__name__)

STATUS_LINES = 3
KNOBS_WIDTH_CHARS = 40


def _problem_titles() -> list[tuple[str, str]]:
    return [(name, core.problem_title(name)) for name in core.list_problems()]


class MainWindow(QMainWindow):
    """The LR Playground window."""

    def __init__(self, settings: Settings | None = None,
                 show_error: Callable[..., Any] | None = None) -> None:
        super().__init__()
        self.setWindowTitle("LR Playground")
        self.setObjectName("LRPlayground")
        self.settings = settings if settings is not None else Settings()
        self.runtime = Runtime(self)
        self.model = self.runtime.model
        self.show_error = show_error or errors.show_error
        self.help_box: QMessageBox | None = None
        self._closed = False
        self.key_guard = KeyGuard(self)
        self.plots = PlotArea()
        self.setCentralWidget(self.plots)
        self.session_io = SessionIO(self)  # File: sessions and recent sessions
        self.exports = ExportActions(self, self.session_io)  # File: exports; Edit: copy
        self.actions, self.menus = build_actions(self, self._handlers())
        self.strip = Strip(self.model, self.actions)
        self._build_toolbar()
        self.panels = self._build_panels()
        self._build_docks()
        self._build_status()
        self._finish_menus()
        self.renderer = RunRenderer(self.model, self.plots, self.runtime.clock.now)
        self.runtime.clock.want_frames(self.renderer.wants_frames)
        self.pictures = PictureBinder(self.model, self.plots)  # data, 3-D, arrows
        self.analysis = AnalysisBinder(self.model, self.plots)  # sharpness, range test
        self.animation = AnimationExport(self)  # File → Export run as animation…
        self.extras = WindowExtras(self)  # formula, data, inspector, lessons (before _restore)
        self._guard_controls()
        self._connect()
        self._restore()

    # ------------------------------------------------------------ composition
    def _handlers(self) -> dict[str, Callable[..., Any]]:
        m = self.model
        handlers: dict[str, Callable[..., Any]] = {
            "open": self.session_io.open_interactive,
            "open-data": self._on_open_data_triggered,
            "save": self.session_io.save_interactive,
            "export": self.exports.export_interactive,
            "bundle": self.exports.bundle_interactive,
            "quit": self.close,
            "copy": self.exports.copy_rows,
            "play": m.toggle_play,
            "step": m.step,
            "step-back": self._on_step_back_triggered,
            "reset": m.reset,
            "halve": m.halve_lr,
            "compare": m.compare_presets,
            "pin": m.pin,
            "clear": m.clear_compare,
            "log": self.plots.set_loss_log,
            "arrows": self._on_arrows_toggled,
            "animate": self._on_animate_triggered,
            "help": self._on_help_triggered,
            "range-test": self._on_range_test_triggered,
        }
        for key in PRESET_KEYS:
            handlers[key] = lambda k=key: self.model.apply_preset(k)
        return handlers

    def _build_toolbar(self) -> None:
        bar = QToolBar("Learning rate", self)
        bar.setObjectName("strip-toolbar")  # saveState() finds it by name
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.toggleViewAction().setEnabled(False)  # the strip is always there
        bar.addWidget(self.strip)
        self.strip.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.toolbar = bar

    def _build_panels(self) -> SimpleNamespace:
        m = self.model
        return SimpleNamespace(
            problem=ProblemPanel(m, _problem_titles()),
            stability=StabilityDetails(m),
            optimizer=OptimizerPanel(m),
            run=RunPanel(m, self.actions),
            schedule=SchedulePanel(m),
            batch=BatchPanel(m),
            backend=BackendPanel(m, core.torch_available()),
            gradcheck=GradCheckPanel(m),
            formula=FormulaPanel(),
            data=DataPanel(),
        )

    def _build_docks(self) -> None:
        p = self.panels
        sections = [
            Section("Problem", p.problem),
            Section("Stability", p.stability),
            Section("Optimizer", p.optimizer),
            Section("Steps and speed", p.run),
            Section("Schedule", p.schedule, expanded=False),
            Section("Batches and noise", p.batch, expanded=False),
            Section("Backend", p.backend, expanded=False),
            Section("Gradient check", p.gradcheck, expanded=False),
            Section("Your formula", p.formula, expanded=False),
            Section("Your data", p.data, expanded=False),
        ]
        self.sections = {s.header.text(): s for s in sections}
        knobs = QWidget()
        knobs.setObjectName("knobs")
        layout = QVBoxLayout(knobs)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        for section in sections:
            layout.addWidget(section)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(knobs)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(KNOBS_WIDTH_CHARS * self.fontMetrics().averageCharWidth())
        self.knobs_scroll = scroll
        self.wheel_guard = WheelGuard(scroll, self)
        self.strip_wheel_guard = WheelGuard(None, self)
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

    def _build_status(self) -> None:
        self.status_label = SteadyLabel(selectable=True)
        self.status_label.setObjectName("status")
        self.status_label.setAccessibleName("Status")
        self.status_label.setToolTip("What the run on screen did, and why.")
        # a fixed height: the sentence changes every frame while running, and a status bar
        # that grew or shrank would re-lay out (and repaint) every plot above it
        lines = self.status_label.fontMetrics().lineSpacing()
        self.status_label.setFixedHeight(STATUS_LINES * lines + 4)
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().setSizeGripEnabled(False)

    def _finish_menus(self) -> None:
        file_menu = self.menus["file"]
        file_menu.insertMenu(self.actions["save"], self.session_io.recent_menu)
        self.exports.attach_copy_action(self.actions["copy"])  # Ctrl+C on the step table
        with QSignalBlocker(self.actions["log"]):
            self.actions["log"].setChecked(self.plots.loss_log())
        arrows = self.settings.get_bool("view/arrows", True)
        with QSignalBlocker(self.actions["arrows"]):
            self.actions["arrows"].setChecked(arrows)
        view = self.menus["view"]
        view.addSeparator()
        view.addAction(self.knobs_dock.toggleViewAction())
        view.addAction(self.table_dock.toggleViewAction())

    def _connect(self) -> None:
        m = self.model
        m.status_changed.connect(self.status_label.setText)
        self.pictures.set_arrows(self.actions["arrows"].isChecked())
        m.framed.connect(self._on_model_framed)
        m.selection.changed.connect(self._on_selection_changed)
        m.error.connect(self._on_model_error)
        m.knobs.changed.connect(self._on_knobs_changed)
        self.plots.on_built("contour", self._on_plots_contour_built)
        self.plots.on_built("sweep", self._on_plots_sweep_built)
        self.plots.table.rowSelected.connect(m.select_step)
        for section in self.sections.values():
            section.toggled.connect(self._on_section_toggled)

    def _restore(self) -> None:
        self.model.restore(self.settings.knobs())
        if self.settings.geometry() is None or not self.restoreGeometry(self.settings.geometry()):
            self._fit_to_screen()
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        for key, splitter in self._splitters().items():
            saved = self.settings.get_bytes(key)
            if saved is not None:
                splitter.restoreState(saved)
        self.status_label.setText(self.model.status)

    def _fit_to_screen(self) -> None:
        """The first window: the default size, but never more than 90% of the screen."""
        screen = self.screen() or QApplication.primaryScreen()
        if screen is not None:
            place = fitted(screen.availableGeometry())
            self.resize(place.size())
            self.move(place.topLeft())
        else:
            self.resize(*DEFAULT_SIZE)
        height = self.height()
        # the bottom docks take what the plots can spare: a third of the height at most
        self.resizeDocks([self.table_dock], [max(120, height // 4)], Qt.Orientation.Vertical)
        self.resizeDocks([self.knobs_dock], [self.knobs_scroll.minimumWidth() + 16],
                         Qt.Orientation.Horizontal)
        # the step table gets the larger share of the bottom: its columns run from
        # the step to grad_norm, while the inspector's text wraps
        width = self.width()
        self.resizeDocks([self.table_dock, self.extras.inspector_dock],
                         [round(width * 0.58), round(width * 0.42)], Qt.Orientation.Horizontal)

    def _splitters(self) -> dict[str, Any]:
        return {"window/plots": self.plots, "window/plots-right": self.plots.right}

    # ------------------------------------------------------------ lifecycle
    def showEvent(self, event: QEvent) -> None:  # Qt override
        super().showEvent(event)
        self._start()

    def _start(self) -> None:
        """The plots and the first run, as the window is first shown: its first paint
        shows them (the sweep follows once the presets are worked out)."""
        if self.model.started or self._closed:
            return
        self.plots.build_deferred()
        self.renderer.show_all()
        self.extras.inspector_binder.hold()  # the plots first
        self.model.start(play=True)  # the first run plays: something moves
        self._guard_controls()

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
            self.settings.save_knobs(self.model.knobs_dict())
            self.settings.sync()
        except Exception:  # saving settings must never keep the window from closing
            log.exception("could not save the settings")
        self._closed = True
        self.animation.stop()
        self.runtime.shutdown()
        self.extras.stop()
        if self.help_box is not None:
            self.help_box.close()
        super().closeEvent(event)

    # ------------------------------------------------------------ slots
    def _on_model_error(self, message: str) -> None:
        self.show_error(self, "LR Playground", f"{message}\n\n{errors.WHAT_TO_DO}")

    def _guard_controls(self) -> None:
        """The wheel and one-key shortcuts leave every control alone unless it has focus
        (again after fields are built for a new problem, optimizer or schedule)."""
        self.wheel_guard.guard(self.knobs_scroll.widget())
        self.strip_wheel_guard.guard(self.strip)
        self.key_guard.guard(self)

    def _on_knobs_changed(self, change: Any) -> None:
        if change.new_problem:
            self._guard_controls()  # fields built for it
            with QSignalBlocker(self.actions["log"]):
                self.actions["log"].setChecked(self.model.knobs.problem.min_loss is not None)
        elif "optimizer" in change or "schedule" in change:
            self._guard_controls()

    def _on_section_toggled(self, _expanded: bool) -> None:
        self._guard_controls()

    def _on_model_framed(self, _frame: Any) -> None:
        self.actions["step-back"].setEnabled(self.model.can_step_back())

    def _on_selection_changed(self, _step: int) -> None:
        self.actions["step-back"].setEnabled(self.model.can_step_back())

    def _on_step_back_triggered(self) -> None:
        self.model.step_back()
        self.plots.table.show_row(self.model.selection.step)

    def _on_arrows_toggled(self, on: bool) -> None:
        self.settings.set_bool("view/arrows", on)
        self.pictures.set_arrows(on)

    def _on_animate_triggered(self) -> None:
        self.animation.export_interactive()

    def _on_open_data_triggered(self) -> None:
        self.sections["Your data"].set_expanded(True)
        self.extras.own.open_data()

    def _on_range_test_triggered(self) -> None:
        self.analysis.run_range_test()

    def _on_contour_start_moved(self, x: float, y: float) -> None:
        k = self.model.knobs
        if self.model.surfaces.plane is not None:
            # a point of a plane of directions is not one start: the seed sets a network's
            self.model.show_message("The start cannot be moved on a plane of directions: "
                                    "choose \"two parameters\" to drag it, or change the "
                                    "seed option for another initialisation.")
            self.renderer.show_start()
            return
        start = list(k.start)
        i, j = k.axes
        start[i], start[j] = x, y
        try:
            k.set_start(start)
        except core.ConfigError as exc:
            self.panels.problem.show_start_error(str(exc))

    def _on_sweep_lr_picked(self, lr: float) -> None:
        try:
            self.model.knobs.set_lr(lr)
        except core.ConfigError as exc:
            self.strip.lr.field.show_error(str(exc))

    def _on_help_triggered(self) -> None:
        if self.help_box is not None:
            self.help_box.close()
        self.help_box = short_help.show_help(self)
        self.help_box.destroyed.connect(self._on_help_box_destroyed)

    def _on_help_box_destroyed(self, _obj: QObject | None = None) -> None:
        self.help_box = None
