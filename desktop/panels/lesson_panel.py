"""A lesson: the article's set-up in our words, learning rates to try, and its claims checked.

The claims' "what happens here" texts are recomputed by core (each check runs
the article's code paths with `core.train`), in the background; the box says
so until they arrive.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

HOLDS = "#2ca02c"
DIFFERS = "#d62728"
TRIAL_COLUMNS = 2  # fits the narrowest dock; three buttons clipped the text beside them


def breakable(text: str, longest: int = 16) -> str:
    """Escaped text whose long tokens (``optim.SGD(model.parameters(),``) may wrap after
    their dots and brackets: otherwise one token sets the whole dock's minimum width."""
    words = []
    for word in text.split(" "):
        if len(word) > longest:
            for mark in ".(,":
                word = word.replace(mark, mark + "\u200b")
        words.append(html.escape(word))
    return " ".join(words)


def _label(rich: bool = False) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    return label


class LessonPanel(QScrollArea):
    """Emits ``trialClicked(index)`` for the lesson's ``trials[index]``."""

    trialClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lesson")
        # wide enough for the claims to read as sentences, not a column of words
        self.setMinimumWidth(22 * self.fontMetrics().averageCharWidth())
        self.setWidgetResizable(True)
        inner = QWidget()
        self.title = _label(rich=True)
        self.summary = _label()
        self.trials_box = QGroupBox("Try these learning rates")
        self.trials_grid = QGridLayout(self.trials_box)
        self.trial_note = _label()
        self.trials_grid.addWidget(self.trial_note, 99, 0, 1, TRIAL_COLUMNS)
        # the heading is a wrapping label, not the group box's title: a title never
        # wraps and would set the dock's minimum width
        self.claims_box = QGroupBox()
        heading = _label(rich=True)
        heading.setText("<b>What the article says / what happens here</b>")
        self.claims = _label(rich=True)
        claims_layout = QVBoxLayout(self.claims_box)
        claims_layout.addWidget(heading)
        claims_layout.addWidget(self.claims)
        layout = QVBoxLayout(inner)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.trials_box)
        layout.addWidget(self.claims_box)
        layout.addStretch(1)
        self.setWidget(inner)
        self.buttons: list[QPushButton] = []
        self.lesson: Any = None
        self.title.setText("<i>Choose a lesson from the Lessons menu.</i>")
        self.trials_box.setVisible(False)
        self.claims_box.setVisible(False)

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(48 * self.fontMetrics().averageCharWidth(), 600)

    # ------------------------------------------------------------ model -> view
    def show_lesson(self, lesson: Any) -> None:
        """The lesson's title, summary and trial buttons; the claims wait (`show_claims`)."""
        self.lesson = lesson
        self.title.setText(f"<b>{html.escape(lesson.title)}</b><br>"
                           f"<i>Seed {html.escape(lesson.seed)}: "
                           f"“{html.escape(lesson.article)}”</i>")
        self.summary.setText(lesson.summary)
        for button in self.buttons:
            self.trials_grid.removeWidget(button)
            button.deleteLater()
        self.buttons = []
        for i, trial in enumerate(lesson.trials):
            button = QPushButton(f"lr {trial.lr:g}")
            button.setToolTip(f"{trial.text} (Runs lr {trial.lr:g} from the start.)")
            button.clicked.connect(lambda _c=False, j=i: self.trialClicked.emit(j))
            self.trials_grid.addWidget(button, i // TRIAL_COLUMNS, i % TRIAL_COLUMNS)
            self.buttons.append(button)
        self.trial_note.setText("Each button runs the set-up with that learning rate.")
        self.trials_box.setVisible(bool(lesson.trials))
        self.claims_box.setVisible(bool(lesson.claims))
        self.claims.setText("<i>Working out what happens here…</i>")
        self.claims_pending = True

    def show_trial(self, index: int) -> None:
        trial = self.lesson.trials[index]
        self.trial_note.setText(f"lr {trial.lr:g}: {trial.text}")

    def show_claims(self, results: list[tuple[str, str, bool]]) -> None:
        """Each claim: (what the article says, what happens here, whether that was verified)."""
        blocks = []
        for article, here, holds in results:
            mark = (f'<span style="color:{HOLDS}">✓</span>' if holds
                    else f'<span style="color:{DIFFERS}">✗ not confirmed</span>')
            blocks.append(f"<p><b>The article says:</b> {breakable(article)}<br>"
                          f"<b>What happens here:</b> {mark} {breakable(here)}</p>")
        self.claims.setText("".join(blocks))
        self.claims_pending = False

    def show_claims_error(self, message: str) -> None:
        self.claims.setText(f"<i>The checks could not run: {html.escape(message)}</i>")
        self.claims_pending = False

    claims_pending = False
