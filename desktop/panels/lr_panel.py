"""The learning rate: its log slider and typed field, the stability gauge, and the
numbers behind it. Each control is bound to the model both ways."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from core import ConfigError
from desktop.panels.steady_label import SteadyLabel
from desktop.panels.widgets import FieldWithError, LogSlider, format_number

if TYPE_CHECKING:
    from desktop.model import Gauge, WindowModel
    from desktop.model.knobs import KnobsChange

LR_MIN, LR_MAX = 1e-5, 10.0
REASON_LINES = 7
GREEN, AMBER, RED = "#2e9d57", "#e0a526", "#c0392b"


def ratio_colour(ratio: float) -> str:
    return GREEN if ratio < 1 else AMBER if ratio < 2 else RED


class LearningRateControl(QWidget):
    """"Learning rate": a log slider and a typed field, bound to ``knobs.lr``."""

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.m = model
        self.label = QLabel("Learning rate")
        self.slider = LogSlider(LR_MIN, LR_MAX)
        self.slider.setAccessibleName("Learning rate")
        self.slider.setToolTip("Drag to change the learning rate on a log scale from 0.00001 "
                               "to 10; the run replays at once. Arrow keys move it too.")
        self.slider.setMinimumWidth(120)
        self.label.setBuddy(self.slider)
        self.field = FieldWithError(
            "Type a learning rate (a number >= 0, like 0.01) and press Enter.", "0.1",
            name="Learning rate", inline=True, on_error=self._on_field_error)
        self.field.field.setAccessibleDescription("The learning rate, typed.")
        # the longest a learning rate is written (6 significant digits): 0.00133352, 1.77828e-05
        self.field.setFixedWidth(self.fontMetrics().horizontalAdvance("0.000000000") + 18)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.field)
        self.slider.floatChanged.connect(self._on_slider_float_changed)
        self.field.edited.connect(self._on_field_edited)
        model.knobs.changed.connect(self._on_knobs_changed)
        self.show_lr(model.knobs.lr)

    # ------------------------------------------------------------ model -> view
    def show_lr(self, lr: float) -> None:
        self.slider.show_float(lr)
        self.field.show_text(format_number(lr))
        self.field.clear_error()

    def _on_knobs_changed(self, change: KnobsChange) -> None:
        if "lr" in change or change.new_problem:
            self.show_lr(self.m.knobs.lr)

    # ------------------------------------------------------------ view -> model
    def _on_slider_float_changed(self, lr: float) -> None:
        self.m.knobs.set_lr(lr)  # the field follows through knobs.changed

    def _on_field_edited(self, text: str) -> None:
        try:
            lr = float(text.strip())
        except ValueError:
            self.field.show_error(f"{text!r} is not a number: type a learning rate like 0.01.")
            return
        if not math.isfinite(lr):
            self.field.show_error("The learning rate must be a finite number, like 0.01.")
            return
        try:
            self.m.knobs.set_lr(lr)
        except ConfigError as exc:
            self.field.show_error(str(exc))
            return
        self.field.clear_error()

    def _on_field_error(self, message: str) -> None:
        if message:  # the strip keeps its height: the status line says what was wrong
            self.m.show_message(message)


class StabilityBar(QWidget):
    """lr·λmax against the limit 2: green below 1, amber up to 2, red beyond. A tick
    marks lr·λmax at the minimum where that differs (the curvature along the way)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ratio: float | None = None
        self.ratio_minimum: float | None = None
        self.setMinimumSize(60, 12)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Stability gauge")
        self.setToolTip("Where the learning rate sits against the stability limit: the bar "
                        "is full at lr·λmax = 2, where plain steps stop converging.")

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(90, 14)

    def set_ratio(self, ratio: float | None, ratio_minimum: float | None = None) -> None:
        self.ratio, self.ratio_minimum = ratio, ratio_minimum
        self.update()

    def paintEvent(self, event: object) -> None:  # Qt override
        p = QPainter(self)
        rect = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.fillRect(rect, QColor("#e6e6e6"))
        r = self.ratio
        if r is not None and math.isfinite(r) and r > 0:
            p.fillRect(QRectF(rect.x(), rect.y(), rect.width() * min(r / 2.0, 1.0),
                              rect.height()), QColor(ratio_colour(r)))
        p.setPen(QColor("#555555"))
        mid = rect.x() + rect.width() / 2  # lr·λmax = 1: the fastest single-direction step
        p.drawLine(int(mid), int(rect.top()), int(mid), int(rect.bottom()))
        low = self.ratio_minimum
        if low is not None and r is not None and math.isfinite(low) and abs(low - r) > 1e-9:
            x = rect.x() + rect.width() * max(0.0, min(low / 2.0, 1.0))
            p.setPen(QColor("#000000"))
            p.drawLine(int(x), int(rect.top()), int(x), int(rect.bottom()))
            p.drawLine(int(x) - 2, int(rect.top()), int(x) + 2, int(rect.top()))
        p.setPen(QColor("#555555"))
        p.drawRect(rect)
        p.end()


class StabilityGauge(QWidget):
    """The strip's gauge: the bar and "lr·λmax 2.01"; the reason is its tool tip."""

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = StabilityBar()
        self.text = SteadyLabel("lr·λmax –", wrap=False)
        self.text.setAccessibleName("lr·λmax")
        self.text.setMinimumWidth(self.fontMetrics().horizontalAdvance("lr·λmax 0.0000") + 4)
        self.setAccessibleName("Stability gauge")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.text)
        model.insight.gauge_changed.connect(self.show_gauge)
        self.show_gauge(model.insight.gauge)

    def show_gauge(self, gauge: Gauge) -> None:
        self.bar.set_ratio(gauge.ratio, gauge.ratio_minimum)
        self.text.setText(f"lr·λmax {_fmt(gauge.ratio)}")
        tip = gauge.reason or "What this learning rate does on this problem."
        for widget in (self, self.bar, self.text):
            widget.setToolTip(tip)
        self.bar.setAccessibleDescription(tip)


class StabilityDetails(QWidget):
    """λmax, λmin and κ, 2/λmax, lr·λmax, what κ means here and core's sentence about
    this learning rate."""

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip("The numbers behind the gauge: the curvature of the loss and the "
                        "largest stable learning rate of plain gradient descent.")
        self.lam = QLabel("–")
        self.lam_min = QLabel("–")
        self.kappa = QLabel("–")
        self.limit = QLabel("–")
        self.ratio = SteadyLabel("–", wrap=False)
        self.lam.setToolTip("λmax: the steepest curvature of the loss (the largest eigenvalue "
                            "of the Hessian), at the start or at the minimum, whichever is "
                            "larger.")
        self.lam_min.setToolTip("λmin: the flattest curvature of the loss at the start point "
                                "(the smallest eigenvalue of the Hessian).")
        self.kappa.setToolTip("κ = λmax/λmin at the start point, the condition number: how "
                              "much steeper the steepest direction is than the flattest.")
        self.condition = QLabel()
        self.condition.setWordWrap(True)
        self.condition.setAccessibleName("What κ means here")
        self.condition.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.limit.setToolTip("2/λmax: plain gradient descent is stable only for learning "
                              "rates below this.")
        self.ratio.setToolTip("lr·λmax: below 2 each step shrinks the error along the "
                              "steepest direction; above 2 it grows.")
        self.reason = SteadyLabel(lines=REASON_LINES, selectable=True)
        self.reason.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form = QFormLayout()
        for label, value in (("λmax", self.lam), ("λmin at the start", self.lam_min),
                             ("κ at the start", self.kappa), ("2/λmax", self.limit),
                             ("lr·λmax", self.ratio)):
            value.setAccessibleName(label)
            form.addRow(label, value)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addLayout(form)
        layout.addWidget(self.condition)
        layout.addWidget(self.reason)
        model.insight.gauge_changed.connect(self.show_gauge)
        self.show_gauge(model.insight.gauge)

    def show_gauge(self, gauge: Gauge) -> None:
        # a network's λmax is the run's own at one step: say which
        lam = _fmt(gauge.lam_max)
        if gauge.at_step is not None and lam != "–":
            lam += f" (at step {gauge.at_step})"
        self.lam.setText(lam)
        where = f"at the {gauge.where}: " if gauge.where else ""
        self.lam.setToolTip(f"λmax, {where}the steepest curvature of the loss (the largest "
                            "eigenvalue of the Hessian), the larger of the start's and the "
                            "minimum's.")
        self.lam_min.setText(_fmt(gauge.lam_min))
        self.kappa.setText(_kappa(gauge.condition, gauge.lam_min))
        rule = "" if gauge.plain_sgd else ", for plain gradient descent"
        self.condition.setText(f"At the start{rule}: {gauge.condition_text}"
                               if gauge.condition_text else "")
        self.condition.setVisible(bool(gauge.condition_text))
        self.limit.setText(_fmt(gauge.limit))
        self.ratio.setText(_fmt(gauge.ratio))
        self.reason.setText(gauge.reason)
        self.reason.setToolTip(gauge.reason or "What this learning rate does on this problem.")


def _kappa(kappa: float | None, lam_min: float | None) -> str:
    if kappa is None or lam_min is None:
        return "–"
    if math.isinf(kappa):
        return "∞ (λmin = 0)"
    if math.isnan(kappa):
        return "– (λmin < 0)" if lam_min < 0 else "–"
    return f"{kappa:.4g}"


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if math.isinf(value):
        return "∞ (no limit: the loss curves downward here)"
    return f"{value:.4g}"
