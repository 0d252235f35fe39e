"""Gradient check: the hand-derived gradient beside autograd and central differences, at
the point on screen, one column per parameter, each passing (green) or not (red).

The numbers are core's (`core.gradient_check`, through ``model.gradcheck``);
this panel asks for them with its button and shows them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.analysis.gradcheck import AUTOGRAD_RTOL, FD_RTOL

if TYPE_CHECKING:
    from core import GradCheck
    from desktop.model import WindowModel
    from desktop.model.gradcheck import GradCheckAnswer

GREEN, RED = "#2e9d57", "#c0392b"
PASS_BG, FAIL_BG = "#dff3e6", "#f8dcd8"
ROWS = ("hand", "autograd", "central", "diff", "check")
ROW_TIPS = {
    "hand": "The problem's own, hand-derived gradient of the loss over all the data.",
    "autograd": "torch's autograd of the same loss (float64, on the cpu).",
    "central": "The central difference (L(θ + h·e) − L(θ − h·e)) / 2h of each parameter.",
    "diff": "The largest relative difference: the larger of |hand − autograd| and "
            "|hand − central|, over the largest gradient entry.",
    "check": f"Pass: within {AUTOGRAD_RTOL:g} of autograd and {FD_RTOL:g} of the central "
             "difference, over the largest gradient entry.",
}


def _num(value: float) -> str:
    # 3 digits fit the narrow panel (the diff row says how far they agree); the
    # cell's tool tip holds every digit
    return "—" if math.isnan(value) else f"{value:.3g}"


class GradCheckPanel(QWidget):
    """"Check the gradient" and the three gradients of each parameter, bound to
    ``model.gradcheck``."""

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.m = model
        self.button = QPushButton("Check the gradient")
        self.button.setAccessibleName("Check the gradient")
        self.button.setToolTip("Compare the hand-derived gradient with torch autograd and with "
                               "central differences of the loss, at the selected step (or the "
                               "newest one).")
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.table = QTableWidget(len(ROWS), 0)
        self.table.setAccessibleName("Gradient check")
        self.table.setVerticalHeaderLabels(list(ROWS))
        for i, name in enumerate(ROWS):
            self.table.verticalHeaderItem(i).setToolTip(ROW_TIPS[name])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setStyleSheet("QTableWidget::item { padding: 0px 1px; }")
        self.table.setWordWrap(False)
        font = self.table.font()  # a size smaller: three numbers side by side in the panel
        font.setPointSizeF(font.pointSizeF() * 0.85)
        self.table.setFont(font)
        self.table.verticalHeader().setFont(font)
        self.table.horizontalHeader().setFont(font)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Gradient check verdict")
        self.legend = QLabel(
            "diff: the largest relative difference, the larger gap to autograd or to the "
            "central difference over the largest gradient entry. A parameter passes within "
            f"{AUTOGRAD_RTOL:g} of autograd and {FD_RTOL:g} of the central difference.")
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet("color: #555555;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.button)
        layout.addWidget(self.where)
        layout.addWidget(self.table)
        layout.addWidget(self.verdict)
        layout.addWidget(self.legend)
        self.button.clicked.connect(self._on_button_clicked)
        model.gradcheck.changed.connect(self._on_gradcheck_changed)
        self._show()

    # ------------------------------------------------------------ view -> model
    def _on_button_clicked(self, _checked: bool = False) -> None:
        self.m.check_gradient()

    # ------------------------------------------------------------ model -> view
    def _on_gradcheck_changed(self, _none: None) -> None:
        self._show()

    def _show(self) -> None:
        g = self.m.gradcheck
        self.button.setEnabled(not g.pending)
        if g.pending:
            wait = " (loading torch for the autograd column: a few seconds)" \
                if g.loading_torch else ""
            self._message(f"Checking the gradient…{wait}", "")
        elif g.error:
            self._message(g.error, RED)
        elif g.answer is None:
            self._message("Press the button to compare the gradients at the selected step "
                          "(or the newest one).", "")
        else:
            self._show_answer(g.answer)

    def _message(self, text: str, colour: str) -> None:
        self.where.setText(text)
        self.where.setStyleSheet(f"color: {colour};" if colour else "")
        self.table.setColumnCount(0)
        self.table.setVisible(False)
        self.verdict.clear()
        self.verdict.setVisible(False)
        self.legend.setVisible(False)

    def _show_answer(self, answer: GradCheckAnswer) -> None:
        c = answer.check
        at = ", ".join(f"{n} = {v:.6g}" for n, v in zip(c.param_names, c.theta, strict=True))
        step = "the start" if answer.step is None else f"step {answer.step:,}"
        data = " over all the data" if c.problem and self.m.knobs.problem.n_samples else ""
        self.where.setText(f"At {step} ({at}), the loss{data} is {c.loss:.6g}; its gradient:")
        self.where.setStyleSheet("")
        self._fill(c)
        ok = c.agrees()
        if not ok:
            text = "The hand-derived gradient disagrees where the check is red."
        elif c.autograd is not None:
            text = "The hand-derived gradient agrees with autograd and the central differences."
        else:
            text = ("The hand-derived gradient agrees with the central differences. "
                    f"No autograd: {c.autograd_reason}.")
        self.verdict.setText(text)
        self.verdict.setStyleSheet(f"color: {GREEN if ok else RED};")
        self.verdict.setVisible(True)
        self.legend.setVisible(True)

    def _fill(self, c: GradCheck) -> None:
        n = len(c.param_names)
        t = self.table
        t.setColumnCount(n)
        t.setHorizontalHeaderLabels(list(c.param_names))
        auto = c.autograd
        largest, passes = c.largest_diff(), c.passes()
        for j in range(n):
            values = (c.hand[j], math.nan if auto is None else auto[j], c.finite_diff[j])
            for i, v in enumerate(values):
                self._set(i, j, _num(float(v)), repr(float(v)), None)
            self._set(3, j, f"{largest[j]:.1g}", repr(float(largest[j])), bool(passes[j]))
            self._set(4, j, "pass" if passes[j] else "fail", ROW_TIPS["check"], bool(passes[j]))
        t.setVisible(True)
        height = t.horizontalHeader().height() + sum(t.rowHeight(i) for i in range(len(ROWS)))
        t.setFixedHeight(height + 2 * t.frameWidth())

    def _set(self, row: int, col: int, text: str, tip: str, ok: bool | None) -> None:
        item = QTableWidgetItem(text)
        item.setToolTip(tip)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if ok is not None:
            item.setBackground(QBrush(QColor(PASS_BG if ok else FAIL_BG)))
            item.setForeground(QBrush(QColor(GREEN if ok else RED)))
        self.table.setItem(row, col, item)
