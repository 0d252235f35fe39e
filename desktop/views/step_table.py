"""The step table's view: it follows the run and sizes its columns (the model is in
`step_table_model`).

Numbers are shown in `core.numfmt.format_compact` (6 significant figures,
scientific beyond 1e-4 .. 1e6, never more than 12 characters); the tooltip
holds the exact value. Columns are shown in the table's order with ``loss``
right after the parameters (`display_order`), and each is as wide as its
widest number: a sample of rows when a table arrives, then any wider text
Qt asks for widens its column, so numbers are never elided and a
two-parameter run's ``step`` .. ``grad_norm`` fit in about 700 pixels.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyle, QTableView

from desktop.views.step_table_model import StepTableModel

__all__ = ["StepTableModel", "StepTableView"]


# a new run's table may make a column narrower only by more than this many
# digit widths: a slider drag re-runs ten times a second, and columns that
# twitch by one character are hard to read
_SHRINK_SLACK_DIGITS = 3


class StepTableView(QTableView):
    """Table view with fixed-height rows that can follow the newest row.

    ``rowSelected(row)`` is emitted when the user changes the selection: the
    current row if it is selected, else the last selected row, or -1 when
    nothing is selected. A model reset (a new problem's run) clears the
    selection, and a new run's removing the selected rows drops them, both
    without a signal: the model already knows the run changed.
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
        self._head_widths: dict[str, int] = {}  # each column's header, by name
        self._held = False  # new runs keep the widths until fit_widths (a drag goes on)
        hheader.sectionResized.connect(self._on_header_section_resized)
        # widen at most once per event-loop pass however many cells asked
        self._widen = QTimer(self)
        self._widen.setSingleShot(True)
        self._widen.setInterval(0)
        self._widen.timeout.connect(self._on_widen_timeout)
        self._widened: set[int] = set()  # columns painted wider than they are

    def setModel(self, model) -> None:  # Qt override: hook the new model's signals
        old = self.model()
        if old is not None:
            old.rowsInserted.disconnect(self._on_model_rows_inserted)
            old.modelReset.disconnect(self._on_model_reset)
            if isinstance(old, StepTableModel):
                old.textWidened.disconnect(self._on_model_text_widened)
                old.tableReplaced.disconnect(self._on_model_reset)
        super().setModel(model)
        if model is not None:
            model.rowsInserted.connect(self._on_model_rows_inserted)
            # a new run's table can arrive already grown (updates are batched)
            model.modelReset.connect(self._on_model_reset)
            if isinstance(model, StepTableModel):
                # data() runs while painting: widen once the paint is over
                model.textWidened.connect(self._on_model_text_widened)
                # a new run in the old one's columns: fitted and followed as a reset is
                model.tableReplaced.connect(self._on_model_reset)
            # selectionChanged, not currentChanged: Qt moves the current index by
            # itself (focus, model resets), which is not the user picking a row
            self.selectionModel().selectionChanged.connect(self._on_selection_changed)
            self._on_model_reset()

    # ------------------------------------------------------------ column widths
    def column_width_needed(self, column: int) -> int:
        """Pixels ``column`` needs for its header and its longest number seen so far."""
        model = self.model()
        fm = self.fontMetrics()
        margin = self._text_margin()
        texts = model.longest_texts(column) if isinstance(model, StepTableModel) else []
        # an exponent's "+" is wider than its "-" in most fonts: measure the wider
        width = max((fm.horizontalAdvance(t.replace("e-", "e+")) for t in texts), default=0)
        name = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
        # a column's header needs the same width for every run in these columns: a
        # dragged knob widens columns after each run, and Qt's measure of a header
        # section is the larger part of it
        head = self._head_widths.get(name)
        if head is None:
            header = self.horizontalHeader()
            head = self._head_widths[name] = max(
                header.sectionSizeFromContents(column).width(),
                header.fontMetrics().horizontalAdvance(name) + margin)
        return max(head, width + margin)

    def _text_margin(self) -> int:
        # the item view's text margin on each side (QCommonStyle: focus frame + 1)
        return 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin,
                                             None, self) + 1) + 2

    def _fit_columns(self, shrink: bool, only: set[int] | None = None) -> None:
        """Set each column (or those ``only``) to the width its texts need; narrower
        only if ``shrink``."""
        model = self.model()
        if not isinstance(model, StepTableModel):
            return
        names = model.column_names
        fresh = names != self._fitted_names
        if only is not None and not fresh:
            names = {c: names[c] for c in only if c < len(names)}
        else:
            names = dict(enumerate(names))
        if fresh:
            self._user_sized.clear()
            self._widths.clear()
            self._head_widths.clear()
        self._fitted_names = model.column_names
        header = self.horizontalHeader()
        slack = _SHRINK_SLACK_DIGITS * self.fontMetrics().horizontalAdvance("0")
        self._fitting = True
        try:
            for c, name in names.items():
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

    def hold_widths(self) -> None:
        """Keep the columns' widths through the next runs (a knob being dragged makes a
        run a frame, and sampling a network's hundred columns would cost a part of
        each): only a cell painted wider than its column widens it, until `fit_widths`."""
        self._held = True

    def fit_widths(self) -> None:
        """Fit the columns to a sample of the whole table now (and stop holding them)."""
        self._held = False
        model = self.model()
        if isinstance(model, StepTableModel):
            model.sample_widths()
            self._fit_columns(shrink=True)

    def _on_model_text_widened(self, column: int) -> None:
        self._widened.add(column)
        self._widen.start()

    def _on_widen_timeout(self) -> None:
        # only the columns that widened: measuring all of a network's hundred columns
        # after each run of a drag would cost more than the run
        widened, self._widened = self._widened, set()
        self._fit_columns(shrink=False, only=widened)

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

    def lay_out_now(self) -> None:
        """Lay out a new run's rows now, not on Qt's deferred pass after the paint: that
        pass would resize the scroll bars and repaint the table (and the dock around
        it) a second time every frame of a drag."""
        self.executeDelayedItemsLayout()

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
        if isinstance(model, StepTableModel) and not self._held:
            model.sample_widths(first, last, rows=12)
            self._fit_columns(shrink=False)
        if self._follow:
            self.scrollToBottom()

    def _on_model_reset(self) -> None:
        model = self.model()
        if isinstance(model, StepTableModel) and (
                not self._held or model.column_names != self._fitted_names):
            model.sample_widths()
            self._fit_columns(shrink=True)
        if self._follow:
            self.scrollToBottom()

    def _on_selection_changed(self, _selected, _deselected) -> None:
        model = self.model()
        if isinstance(model, StepTableModel) and model.removing_rows:
            # rows a new run no longer has take their selection with them: that is
            # not the user choosing nothing, so it is not passed on as a choice
            return
        selection = self.selectionModel()
        current = selection.currentIndex()
        if current.isValid() and selection.isRowSelected(current.row(), QModelIndex()):
            self.rowSelected.emit(current.row())
        else:
            rows = self.selected_rows()
            self.rowSelected.emit(rows[-1] if rows else -1)
