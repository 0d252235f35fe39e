"""`MainWindow`: lays out the strip, the knobs, the plots, the table and the status line.

It holds no numbers: ``self.model`` (`desktop.model.WindowModel`, no Qt) is
the one source of truth, driven by one frame clock (``self.runtime``). Every
control binds itself to the model; the commands come from one table of
actions (`desktop.actions`). The learning rate, its presets, the gauge and
Play / One step / Reset sit in a strip at the top that never scrolls; the
other knobs are collapsible sections of a scrolling panel, where the wheel
scrolls and changes nothing. The first window fits the screen. The plots,
the surface and the first run are made as the window is first shown, so its
first paint shows them with the strip and the status line; the knobs'
panels, the inspector and the lessons are built right after that paint
(`complete`), and the presets and the sweep follow from a worker. The first
run plays, so that something moves.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QToolBar,
)

import core
from desktop import errors
from desktop import help as short_help
from desktop.actions import PRESET_KEYS, build_actions
from desktop.analysis_binder import AnalysisBinder
from desktop.exports.actions import ExportActions
from desktop.exports.animation_dialog import AnimationExport
from desktop.panels.steady_label import SteadyLabel
from desktop.panels.widgets import KeyGuard, WheelGuard
from desktop.pictures import PictureBinder
from desktop.plot_area import PlotArea
from desktop.run_renderer import RunRenderer
from desktop.runtime import Runtime
from desktop.session_io import SessionIO
from desktop.settings import Settings
from desktop.strip import Strip
from desktop.window_place import add_dock, fit_first_window

log = logging.getLogger(__name__)

STATUS_LINES = 3
KNOBS_WIDTH_CHARS = 40


class MainWindow(QMainWindow):
    """The LR Playground window."""

    completed = Signal()  # the knobs and the teaching parts are built (`complete`)

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
        self._painted = False
        self.key_guard = KeyGuard(self)
        self.plots = PlotArea()
        self.setCentralWidget(self.plots)
        self.session_io = SessionIO(self)  # File: sessions and recent sessions
        self.exports = ExportActions(self, self.session_io)  # File: exports; Edit: copy
        self.actions, self.menus = build_actions(self, self._handlers())
        self.strip = Strip(self.model, self.actions)
        self._build_toolbar()
        self._panels: SimpleNamespace | None = None  # built after the first paint: `complete`
        self._sections: dict[str, Any] = {}
        self._extras: Any = None
        self._build_docks()
        self._build_status()
        self._finish_menus()
        self.renderer = RunRenderer(self.model, self.plots, self.runtime.clock.now)
        self.runtime.clock.want_frames(self.renderer.wants_frames)
        self.pictures = PictureBinder(self.model, self.plots)  # data, 3-D, arrows
        self.analysis = AnalysisBinder(self.model, self.plots)  # sharpness, range test
        self.animation = AnimationExport(self)  # File → Export run as animation…
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

    def _build_docks(self) -> None:
        """The four docks, by object name (restoreState finds them so); the knobs', the
        inspector's and the lesson's contents come with `complete`."""
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(KNOBS_WIDTH_CHARS * self.fontMetrics().averageCharWidth())
        self.knobs_scroll = scroll
        self.wheel_guard = WheelGuard(scroll, self)
        self.strip_wheel_guard = WheelGuard(None, self)
        left, bottom = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.BottomDockWidgetArea
        self.knobs_dock = add_dock(self, "Knobs", "knobs", scroll, left)
        self.table_dock = add_dock(self, "Step table", "table", self.plots.table, bottom)
        self.inspector_dock = add_dock(self, "Step inspector", "inspector", None, bottom, True)
        self.splitDockWidget(self.table_dock, self.inspector_dock, Qt.Orientation.Horizontal)
        self.lesson_dock = add_dock(self, "Lesson", "lesson", None,
                                    Qt.DockWidgetArea.RightDockWidgetArea, True)
        self.lesson_dock.hide()  # until a lesson is chosen

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
        for dock in (self.knobs_dock, self.table_dock, self.inspector_dock, self.lesson_dock):
            view.addAction(dock.toggleViewAction())

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

    def _restore(self) -> None:
        self.model.restore(self.settings.knobs())
        if self.settings.geometry() is None or not self.restoreGeometry(self.settings.geometry()):
            fit_first_window(self, self.knobs_scroll.minimumWidth())
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
        for key, splitter in self._splitters().items():
            saved = self.settings.get_bytes(key)
            if saved is not None:
                splitter.restoreState(saved)
        self.status_label.setText(self.model.status)

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
        # the first paint shows the run at its start and the frames that play it begin
        # after that paint: a frame drawn before it would hold it back by that frame
        self.runtime.clock.hold()
        self.model.start(play=True)  # the first run plays: something moves
        self.renderer.show_run()
        self._guard_controls()

    def paintEvent(self, event: QEvent) -> None:  # Qt override
        super().paintEvent(event)
        if not self._painted:
            # the first paint is on its way to the screen: the rest follows in the next turn
            self._painted = True
            QTimer.singleShot(0, self, self._after_first_paint)

    def _after_first_paint(self) -> None:
        if self._closed:  # closed at once: no frame, no knobs
            return
        self.runtime.clock.release()
        self.complete()

    def complete(self) -> None:
        """Build the knobs' panels and the teaching parts (inspector, lessons, your own
        problem), once. The first paint comes before them: their modules and widgets
        take about 60 ms, and none of them is needed to see the first run. Whatever asks
        for them sooner (`panels`, `sections`, `extras`) builds them then."""
        if self._panels is not None:
            return
        from desktop.knobs_dock import build_panels, build_sections
        from desktop.window_extras import WindowExtras

        self._panels = build_panels(self.model, self.actions)
        self._sections, column = build_sections(self._panels)
        self.knobs_scroll.setWidget(column)
        column.show()  # a widget put into a scroll area already on screen stays hidden
        for section in self._sections.values():
            section.toggled.connect(self._on_section_toggled)
        self._extras = WindowExtras(self)
        self._guard_controls()
        if self.model.started:  # the first inspection a tenth of a second behind the knobs
            self._extras.inspector_binder.hold()
            self._extras.inspector_binder.request()
        self.completed.emit()

    @property
    def is_complete(self) -> bool:
        """Whether the knobs' panels and the teaching parts are built yet."""
        return self._panels is not None

    @property
    def panels(self) -> SimpleNamespace:
        """The knobs' panels, by group (``problem``, ``optimizer``, ``run``, …)."""
        self.complete()
        assert self._panels is not None
        return self._panels

    @property
    def sections(self) -> dict[str, Any]:
        """The knobs panel's collapsible sections, by title."""
        self.complete()
        return self._sections

    @property
    def extras(self) -> Any:
        """The teaching parts: your own problem, the step inspector, the lessons."""
        self.complete()
        return self._extras

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
        if self._extras is not None:
            self._extras.stop()
        if self.help_box is not None:
            self.help_box.close()
        super().closeEvent(event)

    # ------------------------------------------------------------ slots
    def _on_model_error(self, message: str) -> None:
        self.show_error(self, "LR Playground", f"{message}\n\n{errors.WHAT_TO_DO}")

    def _guard_controls(self) -> None:
        """The wheel and one-key shortcuts leave every control alone unless it has focus
        (again after fields are built for a new problem, optimizer or schedule)."""
        if self.knobs_scroll.widget() is not None:
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
