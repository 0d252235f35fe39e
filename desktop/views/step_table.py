"""The step table: a Qt model over the run's columns, and a view that follows the run.

Nothing is copied per cell: ``data()`` reads one float from the table's
column view when Qt asks for a visible cell, so a 1,000,000-row table costs
the same as a 10-row one until it is scrolled. Rows reach Qt in batches
(``extend_to`` once per frame), never one signal per step.

Numbers are shown in `core.numfmt.format_compact` (6 significant figures,
scientific beyond 1e-4 .. 1e6, never more than 12 characters); the tooltip
holds the exact value. Columns are shown in the table's order with ``loss``
right after the parameters (`display_order`), and each is as wide as its
widest number: a sample of rows when a table arrives, then any wider text
Qt asks for widens its column, so numbers are never elided and a
two-parameter run's ``step`` .. ``grad_norm`` fit in about 700 pixels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView

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
# a new run's table may make a column narrower only by more than this many
# digit widths: a slider drag re-runs ten times a second, and columns that
# twitch by one character are hard to read
_SHRINK_SLACK_DIGITS = 3


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
    than any shown before in its column, so a view can widen the column.
    """

    textWidened = Signal(int)

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
        self._views = [table[name] for name in self._columns] if table is not None else []

    @property
    def table(self) -> StepTable | None:
        return self._table

    def set_table(self, table: StepTable | None) -> None:
        """Show another table (a new run): a model reset, views forget their selection."""
        self.beginResetModel()
        self._table = table
        self._set_columns()
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
        picks = np.unique(np.concatenate([
            np.arange(first, min(last + 1, first + ends)),
            np.arange(max(last - ends + 1, first), last + 1),
            np.linspace(first, last, max(rows - 2 * ends, 2)).round().astype(int)]))
        for c in range(len(self._columns)):
            for r in picks.tolist():
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


class StepTableView(QTableView):
    """Table view with fixed-height rows that can follow the newest row.

    ``rowSelected(row)`` is emitted when the user changes the selection: the
    current row if it is selected, else the last selected row, or -1 when
    nothing is selected. A model reset (new run) clears the selection without
    a signal; the model already knows the run changed.
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
        hheader.setDefaultSectionSize(self.fontMetrics().horizontalAdvance("-0.00000e+00") + 12)
        hheader.setStretchLastSection(False)
        hheader.setMinimumSectionSize(8)
        # a number cut short reads as another number: widen instead (see _fit_columns)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self._fitting = False  # our own resizeSection calls, not the user's
        self._user_sized: set[str] = set()  # columns the user resized: left alone
        self._fitted_names: list[str] = []  # the columns the widths were fitted for
        self._widths: dict[tuple[str, tuple[str, ...]], int] = {}  # measured, by texts
        hheader.sectionResized.connect(self._on_header_section_resized)
        # widen at most once per event-loop pass however many cells asked
        self._widen = QTimer(self)
        self._widen.setSingleShot(True)
        self._widen.setInterval(0)
        self._widen.timeout.connect(self._on_widen_timeout)

    def setModel(self, model) -> None:  # Qt override: hook the new model's signals
        old = self.model()
        if old is not None:
            old.rowsInserted.disconnect(self._on_model_rows_inserted)
            old.modelReset.disconnect(self._on_model_reset)
            if isinstance(old, StepTableModel):
                old.textWidened.disconnect(self._on_model_text_widened)
        super().setModel(model)
        if model is not None:
            model.rowsInserted.connect(self._on_model_rows_inserted)
            # a new run's table can arrive already grown (updates are batched)
            model.modelReset.connect(self._on_model_reset)
            if isinstance(model, StepTableModel):
                # data() runs while painting: widen once the paint is over
                model.textWidened.connect(self._on_model_text_widened)
            # selectionChanged, not currentChanged: Qt moves the current index by
            # itself (focus, model resets), which is not the user picking a row
            self.selectionModel().selectionChanged.connect(self._on_selection_changed)
            self._on_model_reset()

    # ------------------------------------------------------------ column widths
    def column_width_needed(self, column: int) -> int:
        """Pixels ``column`` needs for its header and its longest number seen so far."""
        model = self.model()
        fm = self.fontMetrics()
        # the item view's text margin on each side (QCommonStyle: focus frame + 1)
        margin = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin,
                                               None, self) + 1) + 2
        texts = model.longest_texts(column) if isinstance(model, StepTableModel) else []
        # an exponent's "+" is wider than its "-" in most fonts: measure the wider
        width = max((fm.horizontalAdvance(t.replace("e-", "e+")) for t in texts), default=0)
        header = self.horizontalHeader()
        name = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        head = max(header.sectionSizeFromContents(column).width(),
                   header.fontMetrics().horizontalAdvance(name) + margin)
        return max(head, width + margin)

    def _fit_columns(self, shrink: bool) -> None:
        """Set each column to the width its texts need; narrower only if ``shrink``."""
        model = self.model()
        if not isinstance(model, StepTableModel):
            return
        names = model.column_names
        fresh = names != self._fitted_names
        if fresh:
            self._user_sized.clear()
            self._widths.clear()
        self._fitted_names = names
        header = self.horizontalHeader()
        slack = _SHRINK_SLACK_DIGITS * self.fontMetrics().horizontalAdvance("0")
        self._fitting = True
        try:
            for c, name in enumerate(names):
                if name in self._user_sized:
                    continue
                # measuring text is the cost (a network has 216 columns, refitted every
                # frame of a run): a column whose longest texts did not change needs
                # the width it needed before
                key = (name, tuple(model.longest_texts(c)))
                need = self._widths.get(key)
                if need is None:
                    need = self._widths[key] = self.column_width_needed(c)
                have = header.sectionSize(c)
                if need > have or fresh or (shrink and have - need > slack):
                    header.resizeSection(c, need)
        finally:
            self._fitting = False

    def _on_model_text_widened(self, _column: int) -> None:
        self._widen.start()

    def _on_widen_timeout(self) -> None:
        self._fit_columns(shrink=False)

    def _on_header_section_resized(self, column: int, _old: int, _new: int) -> None:
        model = self.model()
        if not self._fitting and isinstance(model, StepTableModel):
            names = model.column_names
            if 0 <= column < len(names):
                self._user_sized.add(names[column])

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

    def _on_model_rows_inserted(self, _parent, first: int, last: int) -> None:
        model = self.model()
        if isinstance(model, StepTableModel):
            model.sample_widths(first, last, rows=12)
            self._fit_columns(shrink=False)
        if self._follow:
            self.scrollToBottom()

    def _on_model_reset(self) -> None:
        model = self.model()
        if isinstance(model, StepTableModel):
            model.sample_widths()
            self._fit_columns(shrink=True)
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
