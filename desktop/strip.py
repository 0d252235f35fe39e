"""The strip at the top that never scrolls: Play/Pause, One step, Reset, the learning
rate (log slider and typed field), the three presets and the stability gauge.

Its buttons are the window's actions (`desktop.actions`); its controls are
bound to the model like every other control.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QWidget

from desktop.actions import PRESET_KEYS
from desktop.panels.lr_panel import LearningRateControl, StabilityGauge
from desktop.panels.widgets import StripButton, format_number
from desktop.views.palette import PRESET_COLOURS

if TYPE_CHECKING:
    from desktop.model import WindowModel


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


def strip_button(action: QAction) -> StripButton:
    button = StripButton()
    button.setDefaultAction(action)
    button.setAccessibleName(action.text())
    return button


class Strip(QWidget):
    """The always-visible controls, bound to the model and the actions."""

    def __init__(self, model: WindowModel, actions: dict[str, QAction],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("strip")
        self.m = model
        self.actions = actions
        self.play = strip_button(actions["play"])
        self.step = strip_button(actions["step"])
        self.back = strip_button(actions["step-back"])
        self.reset = strip_button(actions["reset"])
        self.lr = LearningRateControl(model)
        self.presets = {key: strip_button(actions[key]) for key in PRESET_KEYS}
        for key, button in self.presets.items():  # the colours of their runs on the plots
            palette = button.palette()
            palette.setColor(QPalette.ColorRole.ButtonText, QColor(PRESET_COLOURS[key]))
            button.setPalette(palette)
        # the range test sits with the presets: another way to a learning rate
        actions["range-test"].setIconText("Range test")
        self.range_test = strip_button(actions["range-test"])
        self.gauge = StabilityGauge(model)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(4)
        for button in (self.play, self.back, self.step, self.reset):
            layout.addWidget(button)
        layout.addWidget(_separator())
        layout.addWidget(self.lr, 3)
        layout.addWidget(_separator())
        for button in (*self.presets.values(), self.range_test):
            layout.addWidget(button)
        layout.addWidget(_separator())
        layout.addWidget(self.gauge, 1)
        # the widest text Play/Pause will show: the strip never jumps when it toggles
        width = max(self.play.fontMetrics().horizontalAdvance(t) for t in ("Play", "Pause"))
        self.play.setMinimumWidth(width + 24)
        model.playback.playing_changed.connect(self._on_playing_changed)
        model.insight.presets_changed.connect(self._on_presets_changed)
        self._on_presets_changed(model.insight.presets)

    def _on_playing_changed(self, playing: bool) -> None:
        text = "Pause" if playing else "Play"
        self.actions["play"].setText(text)
        self.play.setAccessibleName(text)

    def _on_presets_changed(self, _report: Any) -> None:
        lrs = self.m.insight.preset_lrs()
        for key in PRESET_KEYS:
            action = self.actions[key]
            base = action.statusTip()
            lr = lrs.get(key)
            action.setEnabled(lr is not None)
            if lr is None:
                waiting = "" if self.m.insight.presets_failed else " (being worked out…)"
                action.setToolTip(f"{base}{waiting}")
            else:
                action.setToolTip(f"{base}\nlr = {format_number(lr)}")
