"""Selected step-table rows to the clipboard, with the header, as a spreadsheet expects.

Spreadsheets paste tab-separated plain text into cells, so ``text/plain`` is
TSV; ``text/csv`` rides along for programs that ask for it.
The numbers come from the table's own lossless writers, not from the rounded
cells on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

from desktop.exports.table_export import rows_of

if TYPE_CHECKING:
    from core.run.table import StepTable

CSV_MIME = "text/csv"
TSV_MIME = "text/tab-separated-values"


def rows_mime(table: StepTable, rows: Sequence[int] | None) -> QMimeData:
    """The rows (all when ``rows`` is None) as TSV text plus CSV and TSV data."""
    part = rows_of(table, rows)
    tsv = part.to_text("tsv")
    mime = QMimeData()
    mime.setText(tsv)
    mime.setData(TSV_MIME, tsv.encode("utf-8"))
    mime.setData(CSV_MIME, part.to_text("csv").encode("utf-8"))
    return mime


def copy_rows(table: StepTable, rows: Sequence[int] | None) -> int:
    """Put the rows on the clipboard; return how many rows were copied."""
    mime = rows_mime(table, rows)
    QGuiApplication.clipboard().setMimeData(mime)
    return len(table) if rows is None else len(set(rows))
