"""The step table's Qt model: the run's columns, read one cell at a time.

Nothing is copied per cell: ``data()`` reads one float from the table's
column view when Qt asks for a visible cell, so a 1,000,000-row table costs
the same as a 10-row one until it is scrolled. Rows reach Qt in batches
(``extend_to`` once per frame), never one signal per step. Numbers are shown
in `core.numfmt.format_compact`; the tooltip holds the exact value. Columns
are shown in `display_order`, and the model remembers each column's longest
texts (`sample_widths`) for the view to size it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal

from core.numfmt import format_compact
from core.run.article import ARTICLE_COLUMN, ARTICLE_DESCRIPTION
from core.run.table import INTEGER_COLUMNS, format_exact

if TYPE_CHECKING:
    from collections.abc import Sequence

    from core.run.table import StepTable


MANY_PARAMS = 8  # more parameters than this: the losses lead (see display_order)
DIGITS = 6  # significant figures shown (the tooltip has all of them)
# rows measured when a table arrives: its first, its last and some between
_SAMPLE_ROWS = 24
# at most about this many cells formatted per sample: a network's table has 216
# columns, and 24 rows of each cost 30 ms of a 16 ms frame
_SAMPLE_CELLS = 600


def display_order(columns: Sequence[str]) -> list[int]:
    """The table's column indices in the order shown: loss right after the parameters.

    ``step, epoch, lr, <params>, loss, grad_<params>, grad_norm`` and then
    everything else in the table's own order. Parameters are the columns that
    have a ``grad_`` column; the DESIGN's order already is this one, so for
    the built-in tables the order is the identity. With more than
    `MANY_PARAMS` parameters (a network) ``step, loss, val_loss, grad_norm``
    lead and the weights come after.
    """
    names = list(columns)
    index = {name: i for i, name in enumerate(names)}
    params = [n for n in names if f"grad_{n}" in index and not n.startswith("grad_")]
    if len(params) > MANY_PARAMS:
        # a network's hundred weights would push the loss off screen: what one reads
        # first (the losses, the gradient's size) leads, the weights follow
        wanted = ["step", "loss", "val_loss", "grad_norm", "epoch", "lr", *params,
                  *(f"grad_{n}" for n in params)]
    else:
        wanted = ["step", "epoch", "lr", *params, "loss", *(f"grad_{n}" for n in params),
                  "grad_norm"]
    head = [index[n] for n in wanted if n in index]
    taken = set(head)
    return head + [i for i in range(len(names)) if i not in taken]
# plain ints: data() runs for every visible cell and role on every repaint,
# and comparing PySide enum members costs more than the lookup itself
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
# what a column means where its name alone could mislead
HEADER_TIPS = {
    "a_orig": "The slope in your data's own units: a is per standard deviation of x "
              "(normalise x), a_orig = a / σ.",
    "b_orig": "The intercept in your data's own units: b_orig = b − a·μ / σ (the same line "
              "as a, b on the standardised x).",
}
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)


class StepTableModel(QAbstractTableModel):
    """Rows of a ``core.StepTable``; only the rows announced via ``extend_to`` are shown.

    ``textWidened(column)`` is emitted (queued) when a cell's text is longer
    than any shown before in its column, so a view can widen the column;
    ``tableReplaced()`` when another table with the same columns took the
    shown one's place without a model reset (see `set_table`).
    """

    textWidened = Signal(int)
    tableReplaced = Signal()

    def __init__(self, table: StepTable | None = None, parent=None) -> None:
        super().__init__(parent)
        self._table = table
        self._columns: list[str] = []  # shown order (see display_order)
        self._integer: list[bool] = []
        self._rows = len(table) if table is not None else 0
        self._views: list = []  # column views, refreshed whenever rows are announced
        # shown text by (row, column): rows never change once written, so the
        # cache lives until the next table; repaints (hover, selection,
        # scrolling back) then format nothing
        self._text: dict[tuple[int, int], str] = {}
        # the longest text shown so far per column, plain and scientific apart
        # (the same length in the other form can be wider)
        self._longest: list[dict[bool, str]] = []
        # True while rows a new run lacks are being removed: the selection they take
        # with them is the program's doing, not a choice of the user's
        self.removing_rows = False
        self._set_columns()
        self._refresh_views()

    def _set_columns(self) -> None:
        table = self._table
        names = list(table.columns) if table is not None else []
        self._columns = [names[i] for i in display_order(names)]
        self._integer = [name in INTEGER_COLUMNS for name in self._columns]
        self._longest = [{} for _ in self._columns]

    def _refresh_views(self) -> None:
        # views into the table's current buffer: growing may reallocate it, and
        # rows only reach Qt through set_table/extend_to, which refresh these
        table = self._table
        # (a row of the table's 2-D view each: one read for a network's 216 columns)
        if table is None:
            self._views = []
            return
        every = table.columns_view()
        self._views = [every[table.position(name)] for name in self._columns]

    @property
    def table(self) -> StepTable | None:
        return self._table

    def set_table(self, table: StepTable | None) -> None:
        """Show another table (a new run).

        With the same columns as the table shown (a knob moved, the run made
        again) the rows are swapped in place: rows inserted or removed, every
        cell changed, then ``tableReplaced``. A model reset instead would make
        Qt lay out a network's 216 header sections again and the view rebuild
        its scroll bars, a third of a dragged slider's frame. Other columns (a
        new problem): a model reset, and views forget their selection.
        """
        old = self._table
        if table is not None and old is not None and table.columns == old.columns:
            self._replace_rows(table)
            return
        self.beginResetModel()
        self._table = table
        self._set_columns()
        self._rows = len(table) if table is not None else 0
        self._text = {}
        self._refresh_views()
        self.endResetModel()

    def _replace_rows(self, table: StepTable) -> None:
        self._table = table
        self._text = {}
        self._longest = [{} for _ in self._columns]
        self.extend_to(len(table))
        if self._rows:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self._rows - 1, len(self._columns) - 1))
        self.tableReplaced.emit()

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
            self.removing_rows = True
            try:
                self.beginRemoveRows(QModelIndex(), n, self._rows - 1)
                self._rows = n
                self.endRemoveRows()
            finally:
                self.removing_rows = False

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
                c = key[1]
                text = self._text[key] = format_compact(value, DIGITS, integer=self._integer[c])
                if self._note_text(c, text):
                    self.textWidened.emit(c)
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

    # ------------------------------------------------------------ widths
    @property
    def column_names(self) -> list[str]:
        """The columns in the order shown."""
        return list(self._columns)

    def text(self, row: int, column: int) -> str | None:
        """What ``data()`` shows in a cell (None outside the announced rows)."""
        value = self._value(row, column)
        if value is None:
            return None
        return format_compact(value, DIGITS, integer=self._integer[column])

    def longest_texts(self, column: int) -> list[str]:
        """The longest texts of ``column`` seen so far (shown or sampled), one per form."""
        return list(self._longest[column].values()) if 0 <= column < len(self._longest) else []

    def _note_text(self, column: int, text: str) -> bool:
        """Remember ``text`` if it is the longest of its form in ``column``; True if so."""
        longest = self._longest[column]
        form = "e" in text
        if len(text) > len(longest.get(form, "")):
            longest[form] = text
            return True
        return False

    def sample_widths(self, first: int = 0, last: int | None = None,
                      rows: int = _SAMPLE_ROWS) -> None:
        """Read a sample of rows ``first..last`` (its ends and evenly between) into
        `longest_texts`: ``rows`` formats per column, however long the table is.

        Called when a table arrives or grows, before the new rows are painted.
        """
        last = self._rows - 1 if last is None else min(last, self._rows - 1)
        if last < first:
            return
        rows = max(4, min(rows, _SAMPLE_CELLS // max(1, len(self._columns))))
        ends = min(4, rows // 3)
        # a set, not np.unique: np.unique imports numpy.ma on its first call, a cost
        # the window's first paint would pay
        picks = sorted({*range(first, min(last + 1, first + ends)),
                        *range(max(last - ends + 1, first), last + 1),
                        *np.linspace(first, last, max(rows - 2 * ends, 2)).round().astype(int)
                        .tolist()})
        for c in range(len(self._columns)):
            for r in picks:
                text = self.text(r, c)
                if text is not None:
                    self._note_text(c, text)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == _TOOLTIP and horizontal and 0 <= section < len(self._columns):
            name = self._columns[section]
            return ARTICLE_DESCRIPTION if name == ARTICLE_COLUMN else HEADER_TIPS.get(name)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if horizontal:
            return self._columns[section] if 0 <= section < len(self._columns) else None
        return str(section)
