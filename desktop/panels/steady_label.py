"""`SteadyLabel`: text that changes with every frame, without re-laying out the window.

A QLabel asks its layout to recompute whenever its text changes, unless its
size is fixed; in a slider drag that relayout, and the repaint of every
widget it touched, cost about a third of each frame (4 of 14 ms measured on
a short run): more than the new run itself. So the QLabel sits inside this
holder, outside any layout and pinned to the holder's size, and the layout
sizes the holder, whose size hints do not follow the text. The holder grows,
and never shrinks, when a text needs more room than any before it (taller
when it wraps, wider when it does not), so the window moves only when a text
outgrows every earlier one, and no text is ever cut.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

# narrower than this, a holder is still being laid out (a new widget, a dock opening)
MIN_WRAP_WIDTH = 40


class SteadyLabel(QWidget):
    """A label whose text changes often; ``label`` is the QLabel that shows it."""

    def __init__(self, text: str = "", *, lines: int = 1, wrap: bool = True,
                 selectable: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(text, self)
        self.label.setWordWrap(wrap)
        if selectable:
            self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._wrap = wrap
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(lines * self.fontMetrics().lineSpacing())
        self._fit()

    # ------------------------------------------------------------ as a QLabel
    def text(self) -> str:
        return self.label.text()

    def setText(self, text: str) -> None:
        if text != self.label.text():
            self.label.setText(text)
            self._fit()

    def setAlignment(self, alignment: Qt.AlignmentFlag) -> None:
        self.label.setAlignment(alignment)

    def setToolTip(self, tip: str) -> None:  # the label is what the mouse is over
        super().setToolTip(tip)
        self.label.setToolTip(tip)

    def setAccessibleName(self, name: str) -> None:
        super().setAccessibleName(name)
        self.label.setAccessibleName(name)

    def heightForWidth(self, width: int) -> int:
        return self.label.heightForWidth(width) if self._wrap else self.label.sizeHint().height()

    # ------------------------------------------------------------ size
    def sizeHint(self) -> QSize:
        return QSize(self.minimumWidth(), self.minimumHeight())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)
        # a fixed size: the label's text changes then never reach a layout
        self.label.setFixedSize(self.size())
        self._fit()

    def _fit(self) -> None:
        """Grow to the text where it needs more room than the holder has."""
        if self._wrap:
            fixed = self.maximumHeight() == self.minimumHeight()
            # narrower than MIN_WRAP_WIDTH it is not laid out yet: a guess would stick
            if fixed or self.width() < MIN_WRAP_WIDTH:
                return
            # the font's measure of the wrapped text: the label's own heightForWidth
            # lays out a whole text document when its text is selectable (10x the cost)
            margins = self.label.width() - self.label.contentsRect().width()
            box = QRect(0, 0, self.width() - margins, 1 << 20)
            flags = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft
            needed = self.label.fontMetrics().boundingRect(box, flags, self.text()).height()
            if needed > self.minimumHeight():
                self.setMinimumHeight(needed)
        else:
            hint = self.label.sizeHint()
            if hint.width() > self.minimumWidth():
                self.setMinimumWidth(hint.width())
            if hint.height() > self.minimumHeight():
                self.setMinimumHeight(hint.height())
