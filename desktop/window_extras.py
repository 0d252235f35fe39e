"""The teaching parts of the window: your own problem, the step inspector, the lessons.

`MainWindow` makes one `WindowExtras` after its panels, plots and binders and
before it restores its saved layout (docks are found by object name). This
adds the inspector dock beside the step table, the lesson dock, File → Open
data…, the Lessons menu and their View toggles, and keeps their logic out of
the main window.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMenu

from desktop.inspector_binder import InspectorBinder
from desktop.lesson_binder import LessonBinder
from desktop.own_problem_binder import OwnProblemBinder
from desktop.panels.inspector_panel import InspectorPanel
from desktop.panels.lesson_panel import LessonPanel


def _menu(window: Any, title: str) -> QMenu | None:
    for action in window.menuBar().actions():
        menu = action.menu()
        if menu is not None and action.text().replace("&", "") == title:
            return menu
    return None


class WindowExtras(QObject):
    """Builds and wires the docks and menus of issues 7 and 9 into ``window``."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.w = window
        self.inspector = InspectorPanel()
        self.inspector_dock = self._dock("Step inspector", "inspector", self.inspector)
        window.splitDockWidget(window.table_dock, self.inspector_dock, Qt.Orientation.Horizontal)
        self.lesson = LessonPanel()
        self.lesson_dock = self._dock("Lesson", "lesson", self.lesson,
                                      Qt.DockWidgetArea.RightDockWidgetArea)
        self.lesson_dock.hide()  # until a lesson is chosen
        self.own = OwnProblemBinder(window)
        self.inspector_binder = InspectorBinder(window.controller, self.inspector,
                                                window.plots.table, self)
        self.lessons_menu = QMenu("&Lessons", window)
        self.lessons = LessonBinder(window, self.lesson, self.lesson_dock, self.lessons_menu)
        self.open_data = QAction("Open data…", window)
        self._menus()
        self.inspector_dock.visibilityChanged.connect(self._on_inspector_dock_visibility_changed)
        step = window.actions.get("step") if isinstance(window.actions, dict) else None
        if step is not None:  # → follows the newest row, like the inspector's Step button
            step.triggered.connect(self.inspector_binder.follow_newest)

    def _dock(self, title: str, name: str, widget: Any,
              area: Qt.DockWidgetArea = Qt.DockWidgetArea.BottomDockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self.w)
        dock.setObjectName(name)  # saveState() finds docks by object name
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.w.addDockWidget(area, dock)
        return dock

    def _menus(self) -> None:
        w = self.w
        self.open_data.setShortcut(QKeySequence("Ctrl+D"))
        self.open_data.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.open_data.setToolTip("Load a CSV file as a linear or logistic regression.")
        self.open_data.triggered.connect(lambda _c=False: self.own.open_data())
        w.addAction(self.open_data)
        file_menu = _menu(w, "File")
        if file_menu is not None:
            # beside "Open session…" where there is one, else just above "Quit"
            actions = file_menu.actions()
            known = w.actions if isinstance(w.actions, dict) else {}
            opener, quitter = known.get("open"), known.get("quit")
            if opener in actions and actions.index(opener) + 1 < len(actions):
                file_menu.insertAction(actions[actions.index(opener) + 1], self.open_data)
            elif quitter in actions:
                file_menu.insertAction(quitter, self.open_data)
                file_menu.insertSeparator(quitter)
            else:
                file_menu.addAction(self.open_data)
        help_menu = _menu(w, "Help")
        if help_menu is not None:
            w.menuBar().insertMenu(help_menu.menuAction(), self.lessons_menu)
        else:
            w.menuBar().addMenu(self.lessons_menu)
        view = _menu(w, "View")
        if view is not None:
            view.addAction(self.inspector_dock.toggleViewAction())
            view.addAction(self.lesson_dock.toggleViewAction())

    def stop(self) -> None:
        """The window closes: no timer or animation may outlive it."""
        self.inspector_binder.stop()
        self.own.stop()

    def _on_inspector_dock_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.inspector_binder.request()
