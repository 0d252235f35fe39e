"""Your own formula: a loss typed in the parameters, checked as you type.

Each edit restarts a short timer; when typing pauses, core's cheap parser
(`core.formula.parse_formula`, no compiling) checks the text. An error shows
its message and marks the column it names in the formula; a valid formula
lists its parameters and enables "Use formula" (or Enter). Nothing runs until
then, and never on invalid text.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.panels.widgets import ErrorLabel, FieldWithError, format_number, parse_numbers
from desktop.throttle import Throttle

VALIDATE_MS = 150  # typing pauses this long before the text is checked
EXAMPLE = "(1-a)**2 + 100*(b-a**2)**2"
BAD_FIELD_STYLE = "QLineEdit { border: 1px solid #c0392b; }"
MARK_STYLE = "color: #c0392b; background-color: #fde2e0; text-decoration: underline;"


def marked_formula(text: str, column: int | None, context: int = 16) -> str:
    """The formula as rich text with the character at ``column`` (1-based) marked.

    A long formula shows ``context`` characters either side of the mark: the
    line does not wrap, and must not widen the knobs dock.
    """
    if column is None:
        return ""
    i = max(0, min(column - 1, len(text)))
    bad = text[i] if i < len(text) else " "
    bad = "␣" if bad == " " else bad  # an error at a space or past the end stays visible
    lo, hi = max(0, i - context), min(len(text), i + 1 + context)
    before = ("…" if lo > 0 else "") + text[lo:i]
    after = text[i + 1:hi] + ("…" if hi < len(text) else "")
    return (f"<code>{html.escape(before)}<span style='{MARK_STYLE}'>{html.escape(bad)}"
            f"</span>{html.escape(after)}</code>")


class FormulaPanel(QWidget):
    """Emits ``formulaApplied(text, start)`` (start: a tuple, or None for the default)."""

    formulaApplied = Signal(str, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit()
        self.field.setAccessibleName("Your formula")
        self.field.setPlaceholderText(EXAMPLE)
        self.field.setToolTip("A loss in your own parameters: numbers, + - * / ** and "
                              "parentheses, exp log sqrt abs sin cos tan tanh sigmoid relu "
                              "softplus min max, pi and e. Press Enter to use it.")
        self.field.setClearButtonEnabled(True)
        self.use = QPushButton("Use formula")
        self.use.setAccessibleName("Use formula")
        self.use.setToolTip("Descend this formula from the start point below.")
        self.use.setEnabled(False)
        self.marked = QLabel()
        self.marked.setTextFormat(Qt.TextFormat.RichText)
        self.marked.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.marked.setVisible(False)
        self.error = ErrorLabel()
        self.params = QLabel()
        self.params.setWordWrap(True)
        self.params.setToolTip("The parameters the descent will learn, in order.")
        self.start_label = QLabel("start")
        self.start = FieldWithError(
            "Where the descent starts, one number per parameter; leave it empty for "
            "a default start where the formula is finite.", "default", name="start")
        self._parsed: Any = None
        # one check once typing pauses (a debounce: every key restarts the wait)
        self._check = Throttle(self.check_now, VALIDATE_MS, leading=False, parent=self)
        self._layout()
        self.field.textEdited.connect(self._on_field_text_edited)
        self.field.returnPressed.connect(self._on_field_return_pressed)
        self.use.clicked.connect(self._on_use_clicked)
        self.start.edited.connect(self._on_start_edited)

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.field, 1)
        top.addWidget(self.use)
        start_row = QHBoxLayout()
        start_row.addWidget(self.start_label)
        start_row.addWidget(self.start, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addLayout(top)
        layout.addWidget(self.marked)
        layout.addWidget(self.error)
        layout.addWidget(self.params)
        layout.addLayout(start_row)

    # ------------------------------------------------------------ state
    @property
    def valid(self) -> bool:
        """The text as it stands was checked and is a usable formula."""
        return self._parsed is not None and not self._check.pending

    @property
    def checking(self) -> bool:
        """A check waits for typing to pause."""
        return self._check.pending

    def stop(self) -> None:
        self._check.cancel()

    # ------------------------------------------------------------ model -> view
    def show_formula(self, text: str, start: tuple[float, ...] | None) -> None:
        """Show the formula in force (a session or the settings brought it back)."""
        with QSignalBlocker(self.field):
            self.field.setText(text)
        self.start.show_text("" if start is None else ", ".join(format_number(v) for v in start))
        self.check_now()

    def show_apply_error(self, message: str, column: int | None = None) -> None:
        """Why the formula could not be used (after a valid parse: e.g. not finite at the start)."""
        if column is None and "start" in message:
            self.start.show_error(message)
            return
        self._show_error(message, column)

    # ------------------------------------------------------------ checking
    def check_now(self) -> bool:
        """Check the text at once (Enter or the button must not wait for the timer)."""
        from core.formula import FormulaError, parse_formula  # the parser only, cheap

        self._check.cancel()
        text = self.field.text()
        if not text.strip():
            self._parsed = None
            self._clear_error()
            self.params.setText("Type a loss in your parameters, e.g. " + EXAMPLE)
            self.params.setVisible(True)
            self.use.setEnabled(False)
            return False
        try:
            self._parsed = parse_formula(text)
        except FormulaError as exc:
            self._parsed = None
            self._show_error(str(exc), exc.column)
            return False
        names = ", ".join(self._parsed.params)
        self._clear_error()
        self.params.setText(f"parameters: {names}")
        self.params.setVisible(True)
        self.start_label.setText(f"start ({names})")
        self.use.setEnabled(True)
        return True

    def _show_error(self, message: str, column: int | None) -> None:
        self.error.show_error(message)
        text = self.field.text()
        self.marked.setText(marked_formula(text, column))
        self.marked.setVisible(column is not None)
        self.field.setStyleSheet(BAD_FIELD_STYLE)
        self.params.setVisible(False)
        self.use.setEnabled(False)

    def _clear_error(self) -> None:
        self.error.clear_error()
        self.marked.setVisible(False)
        self.field.setStyleSheet("")

    def _apply(self) -> None:
        if not self.check_now():
            return
        text = self.start.text().strip()
        start = None
        if text:
            try:
                start = parse_numbers(text)
            except ValueError as exc:
                self.start.show_error(str(exc))
                return
        self.start.clear_error()
        self.formulaApplied.emit(self.field.text(), start)

    # ------------------------------------------------------------ view -> model
    def _on_field_text_edited(self, _text: str) -> None:
        self.use.setEnabled(False)  # until the new text is checked
        self._check()

    def _on_field_return_pressed(self) -> None:
        self._apply()

    def _on_use_clicked(self) -> None:
        self._apply()

    def _on_start_edited(self, _text: str) -> None:
        if self._parsed is not None:
            self._apply()
