"""The title line above an exported figure: its band's size, and its painting.

The text is a little larger than the plots' and bold, and wraps onto more
lines where the canvas is narrow (a single small plot); the band it sits in
is what the canvas grows by.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

from desktop.views import palette

HEADING_PAD = 6.0  # logical pixels above, below and beside the heading's text
_HEADING_FLAGS = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter) | int(
    Qt.TextFlag.TextWordWrap)


@dataclass(frozen=True)
class Heading:
    """The title line above the plots: its text, font and the band it sits in."""

    text: str
    font: QFont
    rect: QRectF  # the band, canvas coordinates (the text is inset by HEADING_PAD)


def heading_for(title: str, width: float, font: QFont | None = None) -> Heading | None:
    """The heading band for ``title`` across a canvas ``width`` wide (None: no title)."""
    title = " ".join(str(title or "").split())
    if not title:
        return None
    font = QFont(font) if font is not None else QFont()
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * 1.1)
    font.setBold(True)
    inner = max(width - 2 * HEADING_PAD, 10.0)
    box = QFontMetricsF(font).boundingRect(QRectF(0, 0, inner, 10_000.0), _HEADING_FLAGS, title)
    return Heading(title, font, QRectF(0.0, 0.0, width, box.height() + 2 * HEADING_PAD))


def paint_heading(painter: QPainter, heading: Heading) -> None:
    """The heading's text in its band, in the plots' foreground colour."""
    painter.save()
    painter.setFont(heading.font)
    painter.setPen(QColor(palette.FOREGROUND))
    text = heading.rect.adjusted(HEADING_PAD, HEADING_PAD, -HEADING_PAD, -HEADING_PAD)
    painter.drawText(text, _HEADING_FLAGS, heading.text)
    painter.restore()
