"""Small widgets the panels share: a log-scale slider, a field with its error line."""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSlider, QVBoxLayout, QWidget

ERROR_STYLE = "color: #c0392b;"


class LogSlider(QSlider):
    """A horizontal slider over ``[low, high]`` on a log scale; emits the float value."""

    floatChanged = Signal(float)

    def __init__(self, low: float, high: float, ticks_per_decade: int = 100,
                 parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._lo = math.log10(low)
        self._hi = math.log10(high)
        self._per = ticks_per_decade
        self.setRange(0, round((self._hi - self._lo) * ticks_per_decade))
        self.setSingleStep(max(1, ticks_per_decade // 20))
        self.setPageStep(ticks_per_decade)
        self.valueChanged.connect(self._on_self_value_changed)

    def position_of(self, value: float) -> int:
        """The slider position nearest to ``value`` (clamped to the ends)."""
        if not value > 0 or not math.isfinite(value):
            return self.minimum() if not value > 0 else self.maximum()
        pos = round((math.log10(value) - self._lo) * self._per)
        return max(self.minimum(), min(self.maximum(), pos))

    def value_at(self, position: int) -> float:
        # rounded to 4 significant digits so a slider value reads cleanly in the field
        return float(f"{10 ** (self._lo + position / self._per):.4g}")

    def float_value(self) -> float:
        return self.value_at(self.value())

    def show_float(self, value: float) -> None:
        """Move to ``value`` without emitting (model → widget)."""
        with QSignalBlocker(self):
            self.setValue(self.position_of(value))

    def _on_self_value_changed(self, position: int) -> None:
        self.floatChanged.emit(self.value_at(position))


class ErrorLabel(QLabel):
    """A red line under a field that says what was wrong; hidden when all is well."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(ERROR_STYLE)
        self.setWordWrap(True)
        self.setVisible(False)

    def show_error(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))

    def clear_error(self) -> None:
        self.show_error("")


class FieldWithError(QWidget):
    """A line edit with an error line under it; emits ``edited(text)`` on Enter / focus-out."""

    edited = Signal(str)

    def __init__(self, tooltip: str, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit(self)
        self.field.setToolTip(tooltip)
        self.field.setPlaceholderText(placeholder)
        self.error = ErrorLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(self.field)
        layout.addWidget(self.error)
        self.field.editingFinished.connect(self._on_field_editing_finished)
        self._last_emitted: str | None = None

    def text(self) -> str:
        return self.field.text()

    def show_text(self, text: str) -> None:
        with QSignalBlocker(self.field):
            self.field.setText(text)
        self._last_emitted = text

    def show_error(self, message: str) -> None:
        self.error.show_error(message)

    def clear_error(self) -> None:
        self.error.clear_error()

    def _on_field_editing_finished(self) -> None:
        text = self.field.text()
        if text == self._last_emitted and not self.error.isVisible():
            return  # focus left without a change: nothing to do
        self._last_emitted = text
        self.edited.emit(text)


def row(*widgets: QWidget, stretch_last: bool = False) -> QWidget:
    """Widgets side by side in one plain container."""
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for i, w in enumerate(widgets):
        layout.addWidget(w, 1 if stretch_last and i == len(widgets) - 1 else 0)
    return box


def format_number(value: float) -> str:
    """Text for a number typed back into a field: short, exact enough, no trailing noise."""
    if value == 0:
        return "0"
    return f"{value:.6g}"


def parse_numbers(text: str) -> tuple[float, ...]:
    """Comma- or space-separated numbers; ValueError with a readable message otherwise."""
    parts = [p for p in text.replace(";", ",").replace(",", " ").split() if p]
    if not parts:
        raise ValueError("type numbers separated by commas, like 3, 4")
    try:
        return tuple(float(p) for p in parts)
    except ValueError:
        raise ValueError(f"{text!r} is not a list of numbers; type them like 3, 4") from None
