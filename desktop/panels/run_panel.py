"""Run controls: play / pause, one step, reset, speed, step budget, and compare."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QWidget,
)

from desktop.panels.widgets import LogSlider

SPEED_MIN, SPEED_MAX = 1.0, 100_000.0
MAX_BUDGET = 10_000_000


class RunPanel(QGroupBox):
    """Buttons emit their clicks; ``speedEdited(steps_per_s)`` and ``stepsEdited(n)``."""

    playClicked = Signal()
    stepClicked = Signal()
    resetClicked = Signal()
    speedEdited = Signal(float)
    stepsEdited = Signal(int)
    compareClicked = Signal()
    pinClicked = Signal()
    clearClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Run", parent)
        self.play = QPushButton("Play")
        self.play.setToolTip("Start or pause the descent, one step after another (Space).")
        self.step = QPushButton("One step")
        self.step.setToolTip("Take a single step: predict, measure the loss, take the "
                             "gradient, update the weights (→).")
        self.reset = QPushButton("Reset")
        self.reset.setToolTip("Go back to the start point and forget the steps taken (R).")
        self.speed = LogSlider(SPEED_MIN, SPEED_MAX, ticks_per_decade=20)
        self.speed.setToolTip("How many steps per second the run takes while playing, "
                              "from 1 to 100,000.")
        self.speed_label = QLabel()
        self.budget = QSpinBox()
        self.budget.setRange(1, MAX_BUDGET)
        self.budget.setGroupSeparatorShown(True)
        self.budget.setKeyboardTracking(False)
        self.budget.setToolTip("The step budget: how many updates the run may take at most.")
        self.compare = QPushButton("Compare presets")
        self.compare.setToolTip("Run too small, just right and too big side by side "
                                "on the same plots.")
        self.pin = QPushButton("Pin run")
        self.pin.setToolTip("Keep this run on the plots to compare it with the next ones.")
        self.clear = QPushButton("Clear")
        self.clear.setToolTip("Remove the compared and pinned runs from the plots.")
        grid = QGridLayout()
        for col, button in enumerate((self.play, self.step, self.reset)):
            grid.addWidget(button, 0, col)
        for col, button in enumerate((self.compare, self.pin, self.clear)):
            grid.addWidget(button, 1, col)
        form = QFormLayout(self)
        form.addRow(grid)
        form.addRow("speed", self.speed)
        form.addRow("", self.speed_label)
        form.addRow("steps", self.budget)
        self.play.clicked.connect(self.playClicked)
        self.step.clicked.connect(self.stepClicked)
        self.reset.clicked.connect(self.resetClicked)
        self.compare.clicked.connect(self.compareClicked)
        self.pin.clicked.connect(self.pinClicked)
        self.clear.clicked.connect(self.clearClicked)
        self.speed.floatChanged.connect(self._on_speed_float_changed)
        self.budget.valueChanged.connect(self.stepsEdited)

    def show_playing(self, playing: bool) -> None:
        self.play.setText("Pause" if playing else "Play")

    def show_speed(self, speed: float) -> None:
        self.speed.show_float(speed)
        self.speed_label.setText(f"{speed:,.0f} steps per second")

    def show_steps(self, steps: int) -> None:
        with QSignalBlocker(self.budget):
            self.budget.setValue(steps)

    def _on_speed_float_changed(self, speed: float) -> None:
        self.speed_label.setText(f"{speed:,.0f} steps per second")
        self.speedEdited.emit(speed)
