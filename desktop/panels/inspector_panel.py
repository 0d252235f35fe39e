"""The step inspector: the four steps of one update with its real numbers (rich text).

core writes every line (`StepInspection`: phases of `Line` s, each ``html()``);
this panel lays them out and tints the lines whose numbers changed since the
step before. After a single step the tint starts strong and fades to a faint
rest tint (a `QVariantAnimation`), so the eye is drawn to what moved and can
still find it later; while a run plays the tint is steady (no animation at up
to ten new steps a second).
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QEasingCurve, QSize, Qt, QVariantAnimation, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

HIGHLIGHT = QColor("#ffc94d")  # amber: reads as "just changed" on a light background
REST_TINT = 0.3  # what is left of the tint once the fade is over
FADE_MS = 1400
FADE_SHADES = 10
PHASE_COLOUR = "#1f5fa8"
PHASE_NAMES = ("predict", "loss", "gradient", "update")
INDENT = "&nbsp;" * 3


def _blend(base: QColor, top: QColor, amount: float) -> str:
    a = max(0.0, min(1.0, amount))
    r = base.red() + (top.red() - base.red()) * a
    g = base.green() + (top.green() - base.green()) * a
    b = base.blue() + (top.blue() - base.blue()) * a
    return QColor(round(r), round(g), round(b)).name()


OUTDATED = "The run changed: its step is shown here again once the knobs rest."


class InspectorPanel(QWidget):
    """Shows a `core.inspector.StepInspection`; emits ``stepClicked()`` for one more step."""

    stepClicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inspector")
        self.title = QLabel("Step inspector")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self.jump = QLabel(" · ".join(f'<a href="#phase-{i}">{i} {name}</a>'
                                      for i, name in enumerate(PHASE_NAMES, start=1)))
        self.jump.setToolTip("Scroll the inspector to one of the four steps.")
        self.step = QPushButton("Step →")
        self.step.setToolTip("Take exactly one step and show its four steps here (→).")
        # a text browser rather than a label: it scrolls to a phase's anchor
        self.body = QTextBrowser()
        self.body.setOpenLinks(False)
        self.body.setFrameShape(QFrame.Shape.NoFrame)
        self.body.setToolTip("The four steps of the selected step (or the newest): predict, "
                             "loss, gradient, update; tinted lines changed since the step "
                             "before.")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.jump)
        top.addWidget(self.step)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.body, 1)
        self.step.clicked.connect(self.stepClicked)
        self.jump.linkActivated.connect(self._on_jump_link_activated)
        self.inspection: Any = None
        self.changed: frozenset[str] = frozenset()
        self._parts: list[tuple[str, bool | None]] = []
        self._fade = QVariantAnimation(self)
        self._fade.setStartValue(1.0)
        self._fade.setEndValue(0.0)
        self._fade.setDuration(FADE_MS)
        self._fade.setEasingCurve(QEasingCurve.Type.InQuad)  # stays bright a moment, then goes
        self._fade.valueChanged.connect(self._on_fade_value_changed)
        self._strength = 0.0
        self._html = ""

    def sizeHint(self) -> QSize:  # Qt override
        # tall enough for a whole step of a one-example problem without scrolling:
        # the dock area at the bottom takes its height from its widgets' hints
        lines = self.fontMetrics().lineSpacing()
        return QSize(52 * self.fontMetrics().averageCharWidth(), 20 * lines)

    # ------------------------------------------------------------ model -> view
    def show_inspection(self, inspection: Any, where: str, animate: bool) -> None:
        """Show ``inspection`` (``where``: e.g. "of 30, the newest"); ``animate`` fades
        the tint of the changed lines."""
        self.inspection = inspection
        self.body.setEnabled(True)
        self.changed = frozenset(inspection.changed)
        self.title.setText(caption_of(inspection, where))
        self._parts = _parts_of(inspection)
        self._fade.stop()
        if animate and self.changed:
            self._strength = 1.0
            self._render()
            self._fade.start()
        else:
            self._strength = 0.0  # the rest tint: a settled view, not a flashing one
            self._render()

    def show_message(self, caption: str, text: str) -> None:
        self._fade.stop()
        self.inspection = None
        self.body.setEnabled(True)
        self.changed = frozenset()
        self._parts = []
        self.title.setText(html.escape(caption))
        self._html = f"<i>{html.escape(text)}</i>"
        self.body.setHtml(self._html)

    def mark_outdated(self) -> None:
        """The run of the step shown was replaced: the step stays, greyed, under a
        caption that says so, until the new run's step arrives."""
        if self.inspection is None:
            return
        self._fade.stop()
        self.body.setEnabled(False)
        self.title.setText(OUTDATED)

    @property
    def outdated(self) -> bool:
        return not self.body.isEnabled()

    def body_html(self) -> str:
        return self._html

    def rendered_text(self) -> str:
        """The body as a reader sees it: one line per row, sub- and superscripts inline."""
        return self.body.toPlainText().replace("\xa0", " ").strip()

    def scroll_to_phase(self, number: int) -> None:
        self.body.scrollToAnchor(f"phase-{number}")

    def stop(self) -> None:
        self._fade.stop()

    @property
    def fading(self) -> bool:
        return self._fade.state() == QVariantAnimation.State.Running

    # ------------------------------------------------------------ drawing
    def _render(self) -> None:
        base = self.palette().color(QPalette.ColorRole.Base)
        amount = REST_TINT + (1.0 - REST_TINT) * self._strength
        colour = _blend(base, HIGHLIGHT, amount)
        out = []
        for text, changed in self._parts:
            if changed is None:  # a phase title: a little air above it instead of a blank row
                out.append(f'<tr><td style="padding-top:5px">{text}</td></tr>')
            elif changed:
                out.append(f'<tr><td style="background-color:{colour}">{text}</td></tr>')
            else:
                out.append(f"<tr><td>{text}</td></tr>")
        self._html = ('<table cellspacing="0" cellpadding="1" width="100%">'
                      + "".join(out) + "</table>")
        bar = self.body.verticalScrollBar()
        position = bar.value()  # a new step keeps the phase the reader was looking at
        self.body.setHtml(self._html)
        bar.setValue(position)

    def _on_jump_link_activated(self, link: str) -> None:
        self.scroll_to_phase(int(link.rsplit("-", 1)[1]))

    def _on_fade_value_changed(self, value: Any) -> None:
        # a few shades, not one per animation frame: a re-layout of a long step costs
        # ~8 ms, half a frame, and the eye does not see finer steps of a fading tint
        strength = round(float(value) * FADE_SHADES) / FADE_SHADES
        if strength != self._strength:
            self._strength = strength
            self._render()


def caption_of(inspection: Any, where: str) -> str:
    """The title row: which step, where it sits in the run, its epoch, lr and optimizer."""
    return (f"<b>Step {inspection.step}</b> {html.escape(where)} · epoch {inspection.epoch}"
            f" · lr {inspection.lr:g} · {html.escape(inspection.optimizer)}")


def _parts_of(inspection: Any) -> list[tuple[str, bool]]:
    """One table row per line of the inspection: (rich text, changed)."""
    parts = [(f"<i>{html.escape(note, quote=False)}</i>", False) for note in inspection.notes]
    for phase in inspection.phases:
        title = (f'<a name="phase-{phase.number}"></a>'
                 f'<span style="color:{PHASE_COLOUR}"><b>{phase.number}. '
                 f"{html.escape(phase.title, quote=False)}</b></span>")
        if phase.summary:
            title += f" — <i>{html.escape(phase.summary, quote=False)}</i>"
        parts.append((title, None))
        parts.extend((INDENT + line.html().replace("<br>", "<br>" + INDENT), line.changed)
                     for line in phase.lines)
    return parts
