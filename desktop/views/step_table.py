"""The step table: a Qt model over the run's columns, and a view that follows the run.

Nothing is copied per cell: ``data()`` reads one float from the table's
column view when Qt asks for a visible cell, so a 1,000,000-row table costs
the same as a 10-row one until it is scrolled. Rows reach Qt in batches
(``extend_to`` once per frame), never one signal per step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from core.run.table import INTEGER_COLUMNS, format_exact, format_rounded

if TYPE_CHECKING:
    from core.run.table import StepTable

DECIMALS = 6
# plain ints: data() runs for every visible cell and role on every repaint,
# and comparing PySide enum members costs more than the lookup itself
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)


class StepTableModel(QAbstractTableModel):
    """Rows of a ``core.StepTable``; only the rows announced via ``extend_to`` are shown."""

    def __init__(self, table: StepTable | None = None, parent=None) -> None:
        super().__init__(parent)
        self._table = table
        self._columns: list[str] = list(table.columns) if table is not None else []
        self._integer: list[bool] = [name in INTEGER_COLUMNS for name in self._columns]
        self._rows = len(table) if table is not None else 0
        self._views: list = []  # column views, refreshed whenever rows are announced
        # shown text by (row, column): rows never change once written, so the
        # cache lives until the next table; repaints (hover, selection,
        # scrolling back) then format nothing
        self._text: dict[tuple[int, int], str] = {}
        self._refresh_views()

    def _refresh_views(self) -> None:
        # views into the table's current buffer: growing may reallocate it, and
        # rows only reach Qt through set_table/extend_to, which refresh these
        table = self._table
        self._views = [table[name] for name in self._columns] if table is not None else []

    @property
    def table(self) -> StepTable | None:
        return self._table

    def set_table(self, table: StepTable | None) -> None:
        """Show another table (a new run): a model reset, views forget their selection."""
        self.beginResetModel()
        self._table = table
        self._columns = list(table.columns) if table is not None else []
        self._integer = [name in INTEGER_COLUMNS for name in self._columns]
        self._rows = len(table) if table is not None else 0
        self._text = {}
        self._refresh_views()
        self.endResetModel()

    def extend_to(self, n: int) -> None:
        """Announce the table's growth (or shrinkage) to ``n`` rows in one batch."""
        limit = len(self._table) if self._table is not None else 0
        n = max(0, min(int(n), limit))
        self._refresh_views()
        if n > self._rows:
            self.beginInsertRows(QModelIndex(), self._rows, n - 1)
            self._rows = n
            self.endInsertRows()
        elif n < self._rows:
            self.beginRemoveRows(QModelIndex(), n, self._rows - 1)
            self._rows = n
            self.endRemoveRows()

    # ------------------------------------------------------------ Qt model
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: QModelIndex, role: int = _DISPLAY) -> object:
        # Qt asks for ~7 roles per visible cell on every repaint: the common
        # ones first, and the shown text from the cache when it is there
        if role == _DISPLAY:
            key = (index.row(), index.column())
            text = self._text.get(key)
            if text is None:
                value = self._value(*key)
                if value is None:
                    return None
                if len(self._text) > 50_000:  # scrolled through a long run: start afresh
                    self._text = {}
                text = self._text[key] = format_rounded(value, DECIMALS, self._integer[key[1]])
            return text
        if role == _ALIGNMENT:
            return _RIGHT
        if role == _TOOLTIP:
            value = self._value(index.row(), index.column())
            return None if value is None else format_exact(value, self._integer[index.column()])
        return None

    def _value(self, r: int, c: int) -> float | None:
        if not 0 <= c < len(self._views) or not 0 <= r < self._rows:
            return None
        column = self._views[c]
        if r >= len(column):  # truncated by a re-run before the reset arrives
            return None
        return float(column[r])

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section] if 0 <= section < len(self._columns) else None
        return str(section)


class StepTableView(QTableView):
    """Table view with fixed-height rows that can follow the newest row.

    ``rowSelected(row)`` is emitted when the user changes the selection: the
    current row if it is selected, else the last selected row, or -1 when
    nothing is selected. A model reset (new run) clears the selection without
    a signal; the controller already knows the run changed.
    """

    rowSelected = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._follow = True
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        vheader = self.verticalHeader()
        # fixed rows: Qt never measures a million rows to lay them out
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(self.fontMetrics().height() + 6)
        vheader.hide()  # the step column already numbers the rows
        hheader = self.horizontalHeader()
        hheader.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hheader.setDefaultSectionSize(self.fontMetrics().horizontalAdvance("-0.000000e+00") + 12)
        hheader.setStretchLastSection(False)

    def setModel(self, model) -> None:  # Qt override: hook the new model's signals
        old = self.model()
        if old is not None:
            old.rowsInserted.disconnect(self._on_model_rows_inserted)
            old.modelReset.disconnect(self._on_model_reset)
        super().setModel(model)
        if model is not None:
            model.rowsInserted.connect(self._on_model_rows_inserted)
            # a new run's table can arrive already grown (updates are batched)
            model.modelReset.connect(self._on_model_reset)
            # selectionChanged, not currentChanged: Qt moves the current index by
            # itself (focus, model resets), which is not the user picking a row
            self.selectionModel().selectionChanged.connect(self._on_selection_changed)

    def set_follow(self, follow: bool) -> None:
        """Keep the newest row in view while the run grows."""
        self._follow = bool(follow)
        if self._follow:
            self.scrollToBottom()

    @property
    def follow(self) -> bool:
        return self._follow

    def selected_rows(self) -> list[int]:
        """Selected rows in ascending order."""
        model = self.selectionModel()
        if model is None:
            return []
        return sorted({index.row() for index in model.selectedRows()})

    def show_row(self, row: int) -> None:
        """Select and reveal ``row`` without emitting ``rowSelected`` (model -> view)."""
        model = self.model()
        if model is None or not 0 <= row < model.rowCount():
            return
        selection = self.selectionModel()
        blocked = self.blockSignals(True)
        try:
            selection.setCurrentIndex(
                model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        finally:
            self.blockSignals(blocked)
        self.scrollTo(model.index(row, 0))

    def _on_model_rows_inserted(self, _parent, _first: int, _last: int) -> None:
        if self._follow:
            self.scrollToBottom()

    def _on_model_reset(self) -> None:
        if self._follow:
            self.scrollToBottom()

    def _on_selection_changed(self, _selected, _deselected) -> None:
        selection = self.selectionModel()
        current = selection.currentIndex()
        if current.isValid() and selection.isRowSelected(current.row(), QModelIndex()):
            self.rowSelected.emit(current.row())
        else:
            rows = self.selected_rows()
            self.rowSelected.emit(rows[-1] if rows else -1)
