"""Your own data: a CSV file as a linear or logistic regression, and the "normalise x" toggle.

The input columns are a list in which one column or several are chosen (a
click selects or deselects a column; with several the parameters are w1..wk
and b). The panel only shows and emits choices; the binder asks core to build
the problem, and a choice core refuses (no input, the target among the
inputs) is said under the panel while the data in force stays. Its curvature
line repeats the stability gauge's numbers right beside the toggle, so
switching normalisation shows at once what scaling does to λmax and to the
largest stable learning rate.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelectionModel, QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.panels.widgets import ErrorLabel

MODELS = (("linear", "linear: a·x + b, MSE"),
          ("logistic", "logistic: σ(a·x + b), cross-entropy"))
COMBO_CHARS = 14  # header names can be long: the knobs dock must not grow with them
LIST_ROWS = 5  # rows of the input list shown at once; more columns scroll


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"


class DataPanel(QWidget):
    """Emits ``openClicked()`` and ``dataEdited(dict)`` with model, x_column (a 0-based
    index, or a list of them when several inputs are chosen), y_column and normalize."""

    openClicked = Signal()
    dataEdited = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.open = QPushButton("Open data…")
        self.open.setAccessibleName("Open data…")
        self.open.setToolTip("Load a CSV file of numbers: one input column or several, and "
                             "one target column (File → Open data…).")
        self.file = QLabel("No file yet.")
        self.file.setWordWrap(True)
        self.model = QComboBox()
        for key, text in MODELS:
            self.model.addItem(text, key)
        self.model.setToolTip("Fit a straight line (linear regression) or a 0/1 "
                              "probability (logistic regression).")
        self.x_columns = QListWidget()
        self.x_columns.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.x_columns.setToolTip("The input columns x (default: the first column). Click a "
                                  "column to add it or take it away: with several inputs the "
                                  "model is w1·x1 + … + wk·xk + b.")
        self.y_column = QComboBox()
        self.y_column.setToolTip("The target column y (default: the last column).")
        for combo in (self.model, self.y_column):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(COMBO_CHARS)
        for widget, name in ((self.model, "model"), (self.x_columns, "x"),
                             (self.y_column, "y")):
            widget.setAccessibleName(name)
        self.params = QLabel()
        self.params.setWordWrap(True)
        self.params.setToolTip("The parameters gradient descent fits on this data.")
        self.normalize = QCheckBox("normalise x")
        self.normalize.setAccessibleName("normalise x")
        self.normalize.setToolTip("Standardise the input to mean 0 and standard deviation 1: "
                                  "the contours turn round, λmax drops and much larger "
                                  "learning rates become stable.")
        self.curvature = QLabel()
        self.curvature.setWordWrap(True)
        self.curvature.setToolTip("λmax of the loss and the largest stable learning rate "
                                  "2/λmax for plain gradient descent.")
        self.error = ErrorLabel()
        self.form = QWidget()
        form = QFormLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("model", self.model)
        form.addRow("x", self.x_columns)
        form.addRow("y", self.y_column)
        form.addRow(self.params)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.open)
        layout.addWidget(self.file)
        layout.addWidget(self.form)
        layout.addWidget(self.normalize)
        layout.addWidget(self.curvature)
        layout.addWidget(self.error)
        self._set_loaded(False)
        self.model.currentIndexChanged.connect(self._on_choice_changed)
        self.x_columns.itemSelectionChanged.connect(self._on_choice_changed)
        self.y_column.currentIndexChanged.connect(self._on_choice_changed)
        self.normalize.toggled.connect(self._on_choice_changed)
        self.open.clicked.connect(self.openClicked)

    def _set_loaded(self, loaded: bool) -> None:
        for widget in (self.form, self.normalize, self.curvature):
            widget.setVisible(loaded)

    # ------------------------------------------------------------ model -> view
    def show_data(self, source: str, columns: list[str], model: str,
                  x_column: int | Sequence[int], y_column: int, normalize: bool,
                  rows: int | None = None, params: Sequence[str] = ()) -> None:
        """Show the data set in force (its file, columns and choices; ``x_column`` one
        index or several; ``params`` the problem's parameter names)."""
        size = f", {rows:,} rows" if rows is not None else ""
        self.file.setText(f"{source}{size}")
        self.file.setToolTip(source)
        chosen = {x_column} if isinstance(x_column, int) else set(x_column)
        with QSignalBlocker(self.x_columns):
            self.x_columns.clear()
            self.x_columns.addItems(columns)
            for j in range(len(columns)):
                if j in chosen:
                    self.x_columns.setCurrentRow(j, QItemSelectionModel.SelectionFlag.Select)
            rows_shown = min(max(len(columns), 1), LIST_ROWS)
            row = max(self.x_columns.sizeHintForRow(0), self.fontMetrics().height() + 4)
            self.x_columns.setFixedHeight(rows_shown * row + 2 * self.x_columns.frameWidth()
                                          + 2)
        with QSignalBlocker(self.y_column):
            self.y_column.clear()
            self.y_column.addItems(columns)
            self.y_column.setCurrentIndex(y_column)
        with QSignalBlocker(self.model):
            self.model.setCurrentIndex(max(0, self.model.findData(model)))
        with QSignalBlocker(self.normalize):
            self.normalize.setChecked(normalize)
        self.params.setText(f"parameters {', '.join(params)}" if params else "")
        self.error.clear_error()
        self._set_loaded(True)

    def selected_x(self) -> list[int]:
        """The input columns chosen, in the file's order."""
        return sorted(self.x_columns.row(item) for item in self.x_columns.selectedItems())

    def show_curvature(self, lam: float | None, limit: float | None) -> None:
        if lam is None:
            self.curvature.setText("")
            return
        self.curvature.setText(f"λmax = {_fmt(lam)}: plain gradient descent is stable "
                               f"below lr 2/λmax = {_fmt(limit)}.")

    def show_error(self, message: str) -> None:
        self.error.show_error(message)

    def choices(self) -> dict[str, object]:
        chosen = self.selected_x()
        return {"model": self.model.currentData(),
                # one input as one index (parameters a, b), several as a list (w1..wk, b)
                "x_column": chosen[0] if len(chosen) == 1 else chosen,
                "y_column": self.y_column.currentIndex(),
                "normalize": self.normalize.isChecked()}

    # ------------------------------------------------------------ view -> model
    def _on_choice_changed(self, *_args: object) -> None:
        self.dataEdited.emit(self.choices())
