"""Steps and speed: the step budget, how fast a run plays, and the compare buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFormLayout, QGridLayout, QLabel, QSizePolicy, QSpinBox, QWidget

from core import ConfigError
from desktop.panels.widgets import KnobsView, LogSlider, StripButton

if TYPE_CHECKING:
    from desktop.model import WindowModel

SPEED_MIN, SPEED_MAX = 1.0, 100_000.0
MAX_BUDGET = 10_000_000


def action_button(action: QAction) -> StripButton:
    """A button that is ``action`` (its text, tip, enabled state and shortcut)."""
    button = StripButton()
    button.setDefaultAction(action)
    button.setAccessibleName(action.text())
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return button


class RunPanel(KnobsView, QWidget):
    """"Steps" and "Speed", bound to the knobs; Compare presets, Pin run, Clear, Halve lr."""

    def __init__(self, model: WindowModel, actions: dict[str, QAction],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.m = model
        self.budget = QSpinBox()
        self.budget.setRange(1, MAX_BUDGET)
        self.budget.setGroupSeparatorShown(True)
        self.budget.setKeyboardTracking(False)
        self.budget.setAccessibleName("Steps")
        self.budget.setToolTip("The step budget: how many updates the run may take at most.")
        self.speed = LogSlider(SPEED_MIN, SPEED_MAX, ticks_per_decade=20)
        self.speed.setAccessibleName("Speed")
        self.speed.setToolTip("How many steps per second the run takes while playing, "
                              "from 1 to 100,000.")
        self.speed_label = QLabel()
        self.speed_label.setToolTip("The speed of play, in steps per second.")
        self.compare = action_button(actions["compare"])
        self.pin = action_button(actions["pin"])
        self.clear = action_button(actions["clear"])
        self.halve = action_button(actions["halve"])
        grid = QGridLayout()
        for i, button in enumerate((self.compare, self.pin, self.clear, self.halve)):
            grid.addWidget(button, i // 2, i % 2)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Steps", self.budget)
        form.addRow("Speed", self.speed)
        form.addRow("", self.speed_label)
        form.addRow(grid)
        for widget in (self.budget, self.speed):
            label = form.labelForField(widget)
            if isinstance(label, QLabel):
                label.setBuddy(widget)
        self.speed.floatChanged.connect(self._on_speed_float_changed)
        self.budget.valueChanged.connect(self._on_budget_value_changed)
        self.watch_knobs(model, "speed", "steps")

    def _show(self) -> None:
        k = self.m.knobs
        self.speed.show_float(k.speed)
        self.speed_label.setText(f"{k.speed:,.0f} steps per second")
        with QSignalBlocker(self.budget):
            self.budget.setValue(k.steps)

    def _on_speed_float_changed(self, speed: float) -> None:
        self.m.knobs.set_speed(speed)

    def _on_budget_value_changed(self, steps: int) -> None:
        try:
            self.m.knobs.set_steps(steps)
        except ConfigError as exc:
            self.m.show_message(str(exc))
            self._show()

