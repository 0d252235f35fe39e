"""The step table to CSV, TSV, Markdown or JSON: all rows or the selected ones.

The text comes from `StepTable`'s own writers (never from the widget, whose
cells are rounded for display), and the file is written atomically by them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.errors import ConfigError

if TYPE_CHECKING:
    from core.run.table import StepTable

# format -> (extension, StepTable method)
TABLE_FORMATS = {"csv": (".csv", "to_csv"), "tsv": (".tsv", "to_tsv"),
                 "md": (".md", "to_markdown"), "json": (".json", "to_json")}
_BY_EXTENSION = {".csv": "csv", ".tsv": "tsv", ".md": "md", ".markdown": "md", ".json": "json"}


def table_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """The format named by ``fmt`` or by the file's extension."""
    if fmt is not None:
        if fmt not in TABLE_FORMATS:
            raise ConfigError(f"unknown table format {fmt!r}; choose csv, tsv, md or json")
        return fmt
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext not in _BY_EXTENSION:
        raise ConfigError(f"cannot tell the format of {os.fspath(path)!r}: the file name must "
                          "end in .csv, .tsv, .md or .json")
    return _BY_EXTENSION[ext]


def rows_of(table: StepTable, rows: Sequence[int] | None) -> StepTable:
    """The whole table (``rows`` None) or a new table of just ``rows``, in table order."""
    if rows is None:
        return table
    picked = sorted({int(r) for r in rows})
    if not picked:
        raise ConfigError("no rows are selected in the step table; select some, or export all")
    if picked[0] < 0 or picked[-1] >= len(table):
        raise ConfigError(f"row {picked[-1]} is not in the table (it has {len(table)} rows)")
    return table.select(picked)


def export_table(table: StepTable | None, path: str | os.PathLike[str],
                 rows: Sequence[int] | None = None, fmt: str | None = None) -> None:
    """Write ``table`` (or its ``rows``) to ``path``; the format is ``fmt`` or the extension."""
    if table is None or len(table) == 0:
        raise ConfigError("there is no step table to export yet")
    kind = table_format(path, fmt)
    part = rows_of(table, rows)
    getattr(part, TABLE_FORMATS[kind][1])(path)


def table_text(table: StepTable, rows: Sequence[int] | None, fmt: str) -> str:
    """The same text `export_table` writes, as a string."""
    return rows_of(table, rows).to_text(table_format("", fmt))
