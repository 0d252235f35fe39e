"""The learning-rate panel: log slider, typed field, presets, and the stability gauge."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.panels.widgets import FieldWithError, LogSlider, format_number

LR_MIN, LR_MAX = 1e-5, 10.0
REASON_LINES = 7
PRESET_TEXT = {"too-small": "Too small", "just-right": "Just right", "too-big": "Too big"}
PRESET_TIPS = {
    "too-small": "A learning rate so small that each step barely moves the weights (key 1).",
    "just-right": "A learning rate that reaches the minimum within the step budget (key 2).",
    "too-big": "A learning rate so big that each step overshoots and the loss grows (key 3).",
}


class StabilityBar(QWidget):
    """lr·λmax against the limit 2: green below 1, amber up to 2, red beyond."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ratio: float | None = None
        self.setMinimumHeight(12)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("Where the learning rate sits against the stability limit: "
                        "the bar is full at lr·λmax = 2, where plain steps stop converging.")

    def set_ratio(self, ratio: float | None) -> None:
        self._ratio = ratio
        self.update()

    def paintEvent(self, event: object) -> None:
        p = QPainter(self)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.fillRect(rect, QColor("#e6e6e6"))
        r = self._ratio
        if r is not None and math.isfinite(r) and r > 0:
            colour = "#2e9d57" if r < 1 else "#e0a526" if r < 2 else "#c0392b"
            p.fillRect(QRectF(rect.x(), rect.y(), rect.width() * min(r / 2.0, 1.0),
                              rect.height()), QColor(colour))
        p.setPen(QColor("#555555"))
        mid = rect.x() + rect.width() / 2  # lr·λmax = 1: the fastest single-direction step
        p.drawLine(int(mid), int(rect.top()), int(mid), int(rect.bottom()))
        p.drawRect(rect)
        p.end()


class LearningRatePanel(QGroupBox):
    """Emits ``lrEdited(lr)``, ``presetClicked(key)`` and ``halveClicked()``."""

    lrEdited = Signal(float)
    presetClicked = Signal(str)
    halveClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Learning rate", parent)
        self.setToolTip("The learning rate: how far each step moves the weights "
                        "against the gradient.")
        self.slider = LogSlider(LR_MIN, LR_MAX)
        self.slider.setToolTip("Drag to change the learning rate on a log scale "
                               "from 0.00001 to 10; the run replays at once.")
        self.field = FieldWithError(
            "Type a learning rate (a number >= 0, like 0.01) and press Enter.", "0.1")
        self.presets = {key: QPushButton(text) for key, text in PRESET_TEXT.items()}
        self.halve = QPushButton("Halve lr")
        self.halve.setToolTip("Halve the learning rate: the first thing to try "
                              "when the loss blows up (key H).")
        self.bar = StabilityBar()
        self.lam = QLabel("–")
        self.limit = QLabel("–")
        self.ratio = QLabel("–")
        self.reason = QLabel("")
        self._build()

    def _build(self) -> None:
        buttons = QHBoxLayout()
        for key, button in self.presets.items():
            button.setToolTip(PRESET_TIPS[key])
            button.setEnabled(False)
            button.clicked.connect(lambda _c=False, k=key: self.presetClicked.emit(k))
            buttons.addWidget(button)
        self.lam.setToolTip("λmax: the steepest curvature of the loss at the start point "
                            "(the largest eigenvalue of the Hessian).")
        self.limit.setToolTip("2/λmax: plain gradient descent is stable only "
                              "for learning rates below this.")
        self.ratio.setToolTip("lr·λmax: below 2 each step shrinks the error along the "
                              "steepest direction; above 2 it grows.")
        self.reason.setWordWrap(True)
        self.reason.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        # fixed height: the sentence changes with every slider step, and a label that
        # resized would re-lay out the whole panel column on every frame of a drag
        self.reason.setFixedHeight(REASON_LINES * self.reason.fontMetrics().lineSpacing() + 4)
        layout = QVBoxLayout(self)  # a form would mis-size the word-wrapped reason
        layout.addWidget(self.slider)
        field_row = QHBoxLayout()
        field_row.addWidget(QLabel("lr"))
        field_row.addWidget(self.field, 1)
        layout.addLayout(field_row)
        layout.addLayout(buttons)
        layout.addWidget(self.halve)
        layout.addWidget(self.bar)
        gauge = QFormLayout()
        gauge.addRow("λmax", self.lam)
        gauge.addRow("2/λmax", self.limit)
        gauge.addRow("lr·λmax", self.ratio)
        layout.addLayout(gauge)
        layout.addWidget(self.reason)
        self.slider.floatChanged.connect(self._on_slider_float_changed)
        self.field.edited.connect(self._on_field_edited)
        self.halve.clicked.connect(self.halveClicked)

    # ------------------------------------------------------------ model -> view
    def show_lr(self, lr: float) -> None:
        self.slider.show_float(lr)
        self.field.show_text(format_number(lr))
        self.field.clear_error()

    def show_lr_error(self, message: str) -> None:
        self.field.show_error(message)

    def show_presets(self, lrs: dict[str, float], reasons: dict[str, str]) -> None:
        for key, button in self.presets.items():
            lr = lrs.get(key)
            button.setEnabled(lr is not None)
            tip = PRESET_TIPS[key]
            if lr is not None:
                tip = f"{tip}\nlr = {format_number(lr)}"
                if reasons.get(key):
                    tip = f"{tip}: {reasons[key]}"
            button.setToolTip(tip)

    def show_gauge(self, lam: float | None, limit: float | None, lr_lam: float | None,
                   reason: str) -> None:
        self.lam.setText(_fmt(lam))
        self.limit.setText(_fmt(limit))
        self.ratio.setText(_fmt(lr_lam))
        self.bar.set_ratio(lr_lam)
        self.reason.setText(reason)
        self.reason.setToolTip(reason or "What this learning rate does on this problem.")

    # ------------------------------------------------------------ view -> model
    def _on_slider_float_changed(self, lr: float) -> None:
        self.field.show_text(format_number(lr))
        self.field.clear_error()
        self.lrEdited.emit(lr)

    def _on_field_edited(self, text: str) -> None:
        try:
            lr = float(text.strip())
        except ValueError:
            self.field.show_error(f"{text!r} is not a number: type a learning rate like 0.01.")
            return
        if not math.isfinite(lr):
            self.field.show_error("The learning rate must be a finite number, like 0.01.")
            return
        self.lrEdited.emit(lr)  # the controller validates; show_lr then moves the slider


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if math.isinf(value):
        return "∞ (no limit: the loss curves downward here)"
    return f"{value:.4g}"
