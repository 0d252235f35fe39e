"""Small widgets the controls share: a log slider, a field with its error line, a
collapsible section, and the two guards that keep the mouse wheel and the
one-key shortcuts from changing what the user did not mean to change."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRect, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSlider,
    QTabBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

ERROR_STYLE = "color: #c0392b;"
BAD_FIELD_STYLE = "QLineEdit { border: 1px solid #c0392b; }"


def paint_focus_ring(widget: QWidget, painter: QPainter | None = None) -> None:
    """A 2-pixel ring in the highlight colour: where the keyboard is, at a glance."""
    own = painter is None
    p = painter if painter is not None else QPainter(widget)
    pen = QPen(widget.palette().color(QPalette.ColorRole.Highlight))
    pen.setWidth(2)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawRect(QRect(widget.rect()).adjusted(1, 1, -1, -1))
    if own:
        p.end()


class LogSlider(QSlider):
    """A horizontal slider over ``[low, high]`` on a log scale; emits the float value.

    It keeps its arrow keys while it has focus (the window's one-key shortcuts,
    such as → for One step, wait), shows a focus ring, and never takes focus
    from the mouse wheel.
    """

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
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
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

    def paintEvent(self, event: QEvent) -> None:  # Qt override
        super().paintEvent(event)
        if self.hasFocus():
            paint_focus_ring(self)

    def _on_self_value_changed(self, position: int) -> None:
        self.floatChanged.emit(self.value_at(position))


class StripButton(QToolButton):
    """A tool button that is in the Tab order and shows a focus ring (toolbar buttons
    are neither, by default)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.setAutoRaise(False)

    def paintEvent(self, event: QEvent) -> None:  # Qt override
        super().paintEvent(event)
        if self.hasFocus():
            paint_focus_ring(self)


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
    """A line edit with an error line under it; emits ``edited(text)`` on Enter / focus-out.

    ``inline``: no line under it (a strip that must keep its height); the error
    marks the field red, becomes its tool tip and goes to ``on_error``.
    """

    edited = Signal(str)

    def __init__(self, tooltip: str, placeholder: str = "", parent: QWidget | None = None,
                 *, name: str = "", inline: bool = False,
                 on_error: Callable[[str], None] | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit(self)
        self.field.setToolTip(tooltip)
        self.field.setPlaceholderText(placeholder)
        if name:
            self.field.setAccessibleName(name)
        self._tip = tooltip
        self._inline = inline
        self._on_error = on_error
        self.error = ErrorLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(1)
        layout.addWidget(self.field)
        if not inline:
            layout.addWidget(self.error)
        self.setFocusProxy(self.field)
        self.field.editingFinished.connect(self._on_field_editing_finished)
        self._last_emitted: str | None = None
        self._error = ""

    def text(self) -> str:
        return self.field.text()

    def error_text(self) -> str:
        return self._error

    def show_text(self, text: str) -> None:
        with QSignalBlocker(self.field):
            self.field.setText(text)
        self._last_emitted = text

    def show_error(self, message: str) -> None:
        self._error = message
        if self._inline:
            self.field.setStyleSheet(BAD_FIELD_STYLE if message else "")
            self.field.setToolTip(message or self._tip)
            self.error.setText(message)
            if self._on_error is not None:
                self._on_error(message)
        else:
            self.error.show_error(message)

    def clear_error(self) -> None:
        if self._error:
            self.show_error("")

    def _on_field_editing_finished(self) -> None:
        text = self.field.text()
        if text == self._last_emitted and not self._error:
            return  # focus left without a change: nothing to do
        self._last_emitted = text
        self.edited.emit(text)


class Section(QWidget):
    """A titled, collapsible part of the knobs panel (the title is a button)."""

    toggled = Signal(bool)

    def __init__(self, title: str, content: QWidget, expanded: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"section-{title.lower().replace(' ', '-')}")
        self.header = QToolButton(self)
        self.header.setText(title)
        self.header.setAccessibleName(title)
        self.header.setCheckable(True)
        self.header.setChecked(expanded)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.header.setAutoRaise(True)
        self.header.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        font = self.header.font()
        font.setBold(True)
        self.header.setFont(font)
        self.header.setToolTip(f"Show or hide the {title.lower()} knobs.")
        self.content = content
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 2)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(content)
        self.header.toggled.connect(self._on_header_toggled)
        self._on_header_toggled(expanded)

    @property
    def expanded(self) -> bool:
        return self.header.isChecked()

    def set_expanded(self, expanded: bool) -> None:
        self.header.setChecked(expanded)

    def _on_header_toggled(self, expanded: bool) -> None:
        self.header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.content.setVisible(expanded)
        self.toggled.emit(expanded)


# ------------------------------------------------------------------ the guards
_VALUE_WIDGETS = (QAbstractSlider, QAbstractSpinBox, QComboBox)


class WheelGuard(QObject):
    """The wheel over a knob that has no focus scrolls the panel and changes nothing.

    Installed on every value widget of a scrolling panel: a wheel event over
    an unfocused one goes to the panel's scroll bar instead (without a panel,
    as in the strip, it is dropped). Click a knob, or Tab to it, to wheel it.
    """

    def __init__(self, scroll: QAbstractScrollArea | None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._scroll = scroll

    def guard(self, root: QWidget) -> None:
        """Guard every value widget inside ``root`` (call again after adding fields)."""
        for kind in _VALUE_WIDGETS:
            for widget in root.findChildren(kind):
                if widget.property("wheel-guarded"):
                    continue
                widget.setProperty("wheel-guarded", True)
                if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
                widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        if watched.hasFocus() or _inside_focused_spinbox(watched):
            return False
        if self._scroll is not None:
            QCoreApplication.sendEvent(self._scroll.verticalScrollBar(), event)  # it scrolls
        return True


def _inside_focused_spinbox(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    return isinstance(parent, QAbstractSpinBox) and parent.hasFocus()


_NAVIGATION = {Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down,
               Qt.Key.Key_Home, Qt.Key.Key_End, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}


_KEYED_WIDGETS = (QAbstractSlider, QAbstractItemView, QAbstractSpinBox, QComboBox,
                  QAbstractButton, QTabBar)


class KeyGuard(QObject):
    """One-key shortcuts (Space, →, R, 1 2 3, H …) never steal a key from the focused control.

    Qt offers a shortcut to the focused widget first (a ShortcutOverride
    event); this accepts it wherever the key means something to that control:
    arrows in a slider, spin box, list or table, Space on a button or check
    box, typing in a combo box or spin box (a line edit does so itself).
    Elsewhere (a plot, the window) the shortcut fires. Installed on each such
    control (`guard`), not on the application: most events never pass here.
    """

    def guard(self, root: QWidget) -> None:
        """Guard every keyed control inside ``root`` (call again after adding fields)."""
        for kind in _KEYED_WIDGETS:
            for widget in root.findChildren(kind):
                if not widget.property("key-guarded"):
                    widget.setProperty("key-guarded", True)
                    widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and _wants_key(watched, event):
            event.accept()
        return False


def _wants_key(widget: QObject, event: QKeyEvent) -> bool:
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if mods not in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
        return False
    key = Qt.Key(event.key())
    typed = bool(event.text()) and event.text().isprintable()
    if isinstance(widget, (QAbstractSlider, QAbstractItemView, QTabBar)):
        return key in _NAVIGATION or (isinstance(widget, QAbstractItemView)
                                      and key == Qt.Key.Key_Space)
    if isinstance(widget, (QAbstractSpinBox, QComboBox, QLineEdit)):
        return key in _NAVIGATION or typed
    if isinstance(widget, QAbstractButton):
        return key == Qt.Key.Key_Space
    return False


def chain_tab_order(widgets: list[QWidget]) -> None:
    """Tab visits ``widgets`` in this order, right after the first: fields built after
    the window (an optimizer's, a schedule's) would otherwise come last of all."""
    targets = [w.focusProxy() or w for w in widgets]
    for first, second in itertools.pairwise(targets):
        QWidget.setTabOrder(first, second)


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



class KnobsView:
    """For a panel that shows some of the window model's knobs (mixed in before QWidget).

    ``watch_knobs(model, *fields)`` shows them now (``self._show()``) and again
    whenever one of ``fields``, or the problem, changes: a new problem can
    bring other defaults and limits for every knob.
    """

    _watched: frozenset[str] = frozenset()

    def _show(self) -> None:
        raise NotImplementedError

    def watch_knobs(self, model: Any, *fields: str) -> None:
        self._watched = frozenset((*fields, "problem"))
        model.knobs.changed.connect(self._on_knobs_changed)
        self._show()

    def _on_knobs_changed(self, change: Any) -> None:
        if change.fields & self._watched:
            self._show()
