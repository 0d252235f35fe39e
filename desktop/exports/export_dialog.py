"""The Export… dialog: what (a plot, the whole plot area, the step table), format, size.

It only asks; `ExportActions` does the writing. `ExportDialog.ask` is the one
place that runs the dialog modally, so tests replace it instead of opening it.
It opens on ``initial`` (the last choice, which `ExportActions` keeps across
dialogs and restarts): the same target, format, size and rows where they
still apply.
"""

from __future__ import annotations

from PySide6.QtCore import QSizeF
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from desktop.exports.choice import DEFAULT_SCALE, TABLE, ExportChoice
from desktop.exports.plot_export import MAX_SCALE, MIN_SCALE

__all__ = ["TABLE", "ExportChoice", "ExportDialog"]

PLOT_FORMAT_LABELS = (("png", "PNG image"), ("svg", "SVG (vector)"), ("pdf", "PDF (vector)"))
TABLE_FORMAT_LABELS = (("csv", "CSV"), ("tsv", "TSV (tab-separated)"), ("md", "Markdown"),
                       ("json", "JSON"))


class ExportDialog(QDialog):
    """Pick a target, a format and (for PNG) a size."""

    def __init__(self, targets: list[tuple[str, str]], sizes: dict[str, QSizeF],
                 selected_rows: int, parent: QWidget | None = None,
                 initial: ExportChoice | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        self._sizes = sizes
        self.target = QComboBox()
        for key, label in targets:
            self.target.addItem(label, key)
        self.format = QComboBox()
        self.scale = QDoubleSpinBox()
        self.scale.setRange(MIN_SCALE, MAX_SCALE)
        self.scale.setSingleStep(0.5)
        self.scale.setDecimals(2)
        self.scale.setSuffix(" ×")
        self.scale.setValue(DEFAULT_SCALE)
        self.scale.setToolTip("Times the size on screen: 2× suits slides and printed notes.")
        self.width_px = QSpinBox()
        self.width_px.setRange(1, 16_384)
        self.width_px.setSuffix(" px")
        self.width_px.setToolTip("The PNG's width in pixels (its height keeps the proportions).")
        self.size_note = QLabel()
        self.rows = QComboBox()
        self.rows.addItem("All rows", False)
        self.rows.addItem(f"Selected rows ({selected_rows})", True)
        if selected_rows == 0:
            self.rows.model().item(1).setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("What", self.target)
        form.addRow("Format", self.format)
        form.addRow("Size", self.scale)
        form.addRow("Width", self.width_px)
        form.addRow("", self.size_note)
        form.addRow("Rows", self.rows)
        form.addRow(buttons)
        self._form = form
        self.target.currentIndexChanged.connect(self._on_target_changed)
        self.format.currentIndexChanged.connect(self._on_format_changed)
        self.scale.valueChanged.connect(self._on_scale_changed)
        self.width_px.valueChanged.connect(self._on_width_changed)
        self._on_target_changed()
        if initial is not None:
            self.restore(initial, selected_rows)

    def restore(self, choice: ExportChoice, selected_rows: int) -> None:
        """Show ``choice`` again: each part that still applies (the target may be gone,
        a table format does not apply to a plot, no rows may be selected now)."""
        index = self.target.findData(choice.target)
        if index >= 0:
            self.target.setCurrentIndex(index)
        index = self.format.findData(choice.fmt)
        if index >= 0:
            self.format.setCurrentIndex(index)
        self.scale.setValue(min(max(float(choice.scale), MIN_SCALE), MAX_SCALE))
        if choice.width is not None:
            self.width_px.setValue(int(choice.width))
        self.rows.setCurrentIndex(1 if choice.selected_only and selected_rows > 0 else 0)

    # ------------------------------------------------------------ reading
    def choice(self) -> ExportChoice:
        fmt = self.format.currentData()
        return ExportChoice(target=self.target.currentData(), fmt=fmt,
                            scale=float(self.scale.value()),
                            width=int(self.width_px.value()) if fmt == "png" else None,
                            selected_only=bool(self.rows.currentData()))

    @classmethod
    def ask(cls, parent: QWidget | None, targets: list[tuple[str, str]],
            sizes: dict[str, QSizeF], selected_rows: int,
            initial: ExportChoice | None = None) -> ExportChoice | None:
        """Run the dialog (opening on ``initial``); the choice, or None if cancelled."""
        dialog = cls(targets, sizes, selected_rows, parent, initial)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.choice()
        finally:
            dialog.deleteLater()

    # ------------------------------------------------------------ slots
    def _on_target_changed(self, _index: int = 0) -> None:
        is_table = self.target.currentData() == TABLE
        keep = self.format.currentData()
        self.format.blockSignals(True)
        self.format.clear()
        for key, label in TABLE_FORMAT_LABELS if is_table else PLOT_FORMAT_LABELS:
            self.format.addItem(label, key)
        index = self.format.findData(keep)
        self.format.setCurrentIndex(max(0, index))
        self.format.blockSignals(False)
        self._form.setRowVisible(self.rows, is_table)
        self._on_format_changed()

    def _on_format_changed(self, _index: int = 0) -> None:
        png = self.format.currentData() == "png"
        for widget in (self.scale, self.width_px, self.size_note):
            self._form.setRowVisible(widget, png)
        self._on_scale_changed(self.scale.value())

    def _on_scale_changed(self, scale: float) -> None:
        size = self._sizes.get(self.target.currentData())
        if size is None or size.width() <= 0:
            self.size_note.setText("")
            return
        w, h = round(size.width() * scale), round(size.height() * scale)
        self.width_px.blockSignals(True)
        self.width_px.setValue(w)
        self.width_px.blockSignals(False)
        self.size_note.setText(f"{w} × {h} pixels")

    def _on_width_changed(self, width: int) -> None:
        size = self._sizes.get(self.target.currentData())
        if size is None or size.width() <= 0:
            return
        # the typed width is what the PNG gets; the scale only follows it (rounded)
        self.scale.blockSignals(True)
        self.scale.setValue(width / size.width())
        self.scale.blockSignals(False)
        self.size_note.setText(f"{width} × {round(size.height() * width / size.width())} pixels")
