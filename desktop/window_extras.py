"""The teaching parts of the window: your own problem, the step inspector, the lessons.

`MainWindow` makes one `WindowExtras` with its knobs, after its first
paint. It fills the inspector and lesson docks the window made (they had
to exist when the saved layout was restored) and binds the formula and
data panels, the inspector and the lessons to the model.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from desktop.inspector_binder import InspectorBinder
from desktop.lesson_binder import LessonBinder
from desktop.own_problem_binder import OwnProblemBinder
from desktop.panels.inspector_panel import InspectorPanel
from desktop.panels.lesson_panel import LessonPanel


class WindowExtras(QObject):
    """The inspector and lesson docks and the binders of the teaching parts."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.w = window
        model = window.model
        self.inspector = InspectorPanel()
        self.inspector_dock = window.inspector_dock
        self.inspector_dock.setWidget(self.inspector)
        self.lesson = LessonPanel()
        self.lesson_dock = window.lesson_dock
        self.lesson_dock.setWidget(self.lesson)
        self.own = OwnProblemBinder(model, window.panels.formula, window.panels.data, window,
                                    lambda *a: window.show_error(*a))
        self.inspector_binder = InspectorBinder(model, self.inspector, window.plots.table, self)
        self.lessons_menu = window.menus["lessons"]
        self.lessons = LessonBinder(window, model, self.lesson, self.lesson_dock,
                                    self.lessons_menu)
        self.inspector_dock.visibilityChanged.connect(self._on_inspector_dock_visibility_changed)
        # → follows the newest row, like the inspector's Step button
        window.actions["step"].triggered.connect(self._on_step_triggered)

    def stop(self) -> None:
        """The window closes: no timer or animation may outlive it."""
        self.inspector_binder.stop()
        self.own.stop()

    def _on_step_triggered(self, _checked: bool = False) -> None:
        # a step forward through rows already computed keeps its selection
        if self.w.model.selection.step < 0:
            self.inspector_binder.follow_newest()
        else:
            self.w.plots.table.show_row(self.w.model.selection.step)

    def _on_inspector_dock_visibility_changed(self, visible: bool) -> None:
        if visible:
            self.inspector_binder.request()
