"""Your own data: a CSV file as a linear or logistic regression, and the "normalise x" toggle.

The panel only shows and emits choices; the binder asks core to build the
problem. Its curvature line repeats the stability gauge's numbers right
beside the toggle, so switching normalisation shows at once what scaling
does to λmax and to the largest stable learning rate.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.panels.widgets import ErrorLabel

MODELS = (("linear", "linear: a·x + b, MSE"),
          ("logistic", "logistic: σ(a·x + b), cross-entropy"))
COMBO_CHARS = 14  # header names can be long: the knobs dock must not grow with them


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"


class DataPanel(QWidget):
    """Emits ``openClicked()`` and ``dataEdited(dict)`` with model, x_column, y_column
    (0-based indices) and normalize."""

    openClicked = Signal()
    dataEdited = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.open = QPushButton("Open data…")
        self.open.setAccessibleName("Open data…")
        self.open.setToolTip("Load a CSV file of numbers: one input column and one target "
                             "column (File → Open data…).")
        self.file = QLabel("No file yet.")
        self.file.setWordWrap(True)
        self.model = QComboBox()
        for key, text in MODELS:
            self.model.addItem(text, key)
        self.model.setToolTip("Fit a straight line (linear regression) or a 0/1 "
                              "probability (logistic regression).")
        self.x_column = QComboBox()
        self.x_column.setToolTip("The input column x (default: the first column).")
        self.y_column = QComboBox()
        self.y_column.setToolTip("The target column y (default: the last column).")
        for combo in (self.model, self.x_column, self.y_column):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(COMBO_CHARS)
        for combo, name in ((self.model, "model"), (self.x_column, "x"), (self.y_column, "y")):
            combo.setAccessibleName(name)
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
        form.addRow("x", self.x_column)
        form.addRow("y", self.y_column)
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
        self.x_column.currentIndexChanged.connect(self._on_choice_changed)
        self.y_column.currentIndexChanged.connect(self._on_choice_changed)
        self.normalize.toggled.connect(self._on_choice_changed)
        self.open.clicked.connect(self.openClicked)

    def _set_loaded(self, loaded: bool) -> None:
        for widget in (self.form, self.normalize, self.curvature):
            widget.setVisible(loaded)

    # ------------------------------------------------------------ model -> view
    def show_data(self, source: str, columns: list[str], model: str, x_column: int,
                  y_column: int, normalize: bool, rows: int | None = None) -> None:
        """Show the data set in force (its file, columns and choices)."""
        size = f", {rows:,} rows" if rows is not None else ""
        self.file.setText(f"{source}{size}")
        self.file.setToolTip(source)
        for combo, index in ((self.x_column, x_column), (self.y_column, y_column)):
            with QSignalBlocker(combo):
                combo.clear()
                combo.addItems(columns)
                combo.setCurrentIndex(index)
        with QSignalBlocker(self.model):
            self.model.setCurrentIndex(max(0, self.model.findData(model)))
        with QSignalBlocker(self.normalize):
            self.normalize.setChecked(normalize)
        self.error.clear_error()
        self._set_loaded(True)

    def show_curvature(self, lam: float | None, limit: float | None) -> None:
        if lam is None:
            self.curvature.setText("")
            return
        self.curvature.setText(f"λmax = {_fmt(lam)}: plain gradient descent is stable "
                               f"below lr 2/λmax = {_fmt(limit)}.")

    def show_error(self, message: str) -> None:
        self.error.show_error(message)

    def choices(self) -> dict[str, object]:
        return {"model": self.model.currentData(), "x_column": self.x_column.currentIndex(),
                "y_column": self.y_column.currentIndex(),
                "normalize": self.normalize.isChecked()}

    # ------------------------------------------------------------ view -> model
    def _on_choice_changed(self, *_args: object) -> None:
        self.dataEdited.emit(self.choices())
