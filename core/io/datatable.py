"""Reading a data table: the input and target columns of a CSV file or an array.

The file may have a header row or not (a first row with any cell that is not a
number is a header); its delimiter is sniffed from the first row (tab, then
semicolon, then comma, then runs of spaces); blank lines and lines starting
with ``#`` are skipped; cells may be quoted; with a semicolon or tab delimiter
a decimal comma (``1,5``) is read as ``1.5``. One input column x and one
target column y are chosen (default: the first and the last). Other columns
may hold anything, but every row must have the same number of cells.

Reading is all or nothing: any problem raises a `DataError` (a `ConfigError`)
that names the line and what is wrong, and nothing is kept. A well-formed
file goes through numpy's C reader; if that fails, a line-by-line reader
finds the exact line (or reads what numpy cannot: quotes around cells with a
text column beside them, decimal commas, whitespace-only lines).
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from core.errors import ConfigError

MAX_FILE_BYTES = 512 * 1024 * 1024
HEADER_BYTES = 1 << 20  # `column_names` reads no further: the header is on the first lines
_DELIMITER_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma", None: "spaces"}


class DataError(ConfigError):
    """A data file or array that cannot be used; ``line`` (1-based) where known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class DataTable:
    """The chosen columns of a data source, checked: finite, two rows or more."""

    x: np.ndarray
    y: np.ndarray
    x_name: str
    y_name: str
    source: str  # the file name, or "array"
    path: str | None  # the file as given (None for an array)
    label: str  # how messages name it: "data file 'path/x.csv'" or "the data array"
    # where row i came from, for messages: "line 7" (file) or "row 6" (array)
    where: Callable[[int], str]

    def line_of(self, i: int) -> int | None:
        """The file line of row ``i`` (None for an array)."""
        place = self.where(i)
        return int(place.split()[1]) if place.startswith("line") else None


class Header(NamedTuple):
    """The first line with content: its delimiter, and the column names it gives."""

    line: int  # 0-based index of that line
    delimiter: str | None  # None: runs of spaces
    names: list[str]  # "column j" where the file has no header
    has_header: bool


def read_table(path: str | os.PathLike[str], x_column: int | str | None = None,
               y_column: int | str | None = None) -> DataTable:
    """Read the input and target columns of a CSV file.

    ``x_column`` and ``y_column`` are a 0-based column index (negative counts
    from the end) or a header name; default: the first and the last column.
    Raises `DataError` naming the line when the file is missing, a folder,
    empty, not text, has non-numeric or non-finite cells in the chosen
    columns, ragged rows, fewer than two rows, or no such column.
    """
    name = os.fspath(path)
    label = repr(name)
    lines = _read_text(name).split("\n")
    head = _header(lines, label)
    names = head.names
    xi = _column_index(x_column, names, head.has_header, label, "x_column", default=0)
    yi = _column_index(y_column, names, head.has_header, label, "y_column",
                       default=len(names) - 1)
    if xi == yi:
        raise DataError(f"data file {label}: the input and the target are the same column "
                        f"({names[xi]!r}); choose two different columns")
    data_start = head.line + 1 if head.has_header else head.line
    arr = _fast_read(lines, data_start, head.delimiter, len(names))
    if arr is None:
        x, y, numbers = _slow_read(lines, data_start, head.line + 1, head.delimiter, names,
                                   xi, yi, label)
    else:
        x, y, numbers = arr[:, xi].copy(), arr[:, yi].copy(), None
    del arr

    def where(i: int) -> str:
        nonlocal numbers
        if numbers is None:  # computed only for a message
            numbers = [k + 1 for k in range(data_start, len(lines)) if _is_content(lines[k])]
        return f"line {numbers[i]}"

    table = DataTable(x, y, names[xi], names[yi], os.path.basename(name) or name, name,
                      f"data file {label}", where)
    _check_rows(table, header_line=head.line + 1 if head.has_header else None)
    return table


def column_names(path: str | os.PathLike[str]) -> list[str]:
    """The names of a data file's columns, as `read_table` and its messages give them.

    "column j" where the file has no header. Only the start of the file is
    read, so a big file costs nothing here.
    """
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        head = handle.read(HEADER_BYTES)
    lines = head.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((line for line in lines if _is_content(line)), "")
    return _names(first)[1]


def _header(lines: list[str], label: str) -> Header:
    first = next((i for i, line in enumerate(lines) if _is_content(line)), None)
    if first is None:
        raise DataError(f"data file {label} is empty (no rows of numbers)")
    delimiter, names, has_header = _names(lines[first])
    if len(names) < 2:
        raise DataError(
            f"data file {label}, line {first + 1}: found one column only; the file needs an "
            "input column and a target column separated by commas, semicolons or tabs",
            first + 1,
        )
    return Header(first, delimiter, names, has_header)


def _names(line: str) -> tuple[str | None, list[str], bool]:
    """The delimiter, the column names and whether ``line`` is a header."""
    delimiter = _sniff(line)
    cells = _split(line, delimiter)
    has_header = not all(_number(c, delimiter) is not None for c in cells)
    if has_header:
        return delimiter, [c or f"column {j}" for j, c in enumerate(cells)], True
    return delimiter, [f"column {j}" for j in range(len(cells))], False


def _read_text(name: str) -> str:
    label = repr(name)
    if not os.path.exists(name):
        raise DataError(f"data file {label} does not exist")
    if os.path.isdir(name):
        raise DataError(f"{label} is a folder, not a data file")
    try:
        size = os.path.getsize(name)
        if size > MAX_FILE_BYTES:
            raise DataError(f"data file {label} is {size / 2**20:,.0f} MiB; at most "
                            f"{MAX_FILE_BYTES // 2**20} MiB can be read")
        with open(name, "rb") as handle:
            raw = handle.read()
    except PermissionError:
        raise DataError(f"cannot read data file {label}: permission denied") from None
    except OSError as exc:
        raise DataError(f"cannot read data file {label}: {exc.strerror or exc}") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            raw = raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise DataError(f"data file {label} is not readable text (bad UTF-16)") from None
    if not raw.strip():
        raise DataError(f"data file {label} is empty")
    nul = raw.find(b"\0")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        raise DataError(f"data file {label}, line {line}: this is not a text file (it contains "
                        "binary data); give a CSV file of numbers", line)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"data file {label}, line {line}: this is not UTF-8 text (byte "
            f"0x{raw[exc.start]:02x}); save the file as UTF-8 CSV", line
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_content(line: str) -> bool:
    s = line.strip()
    return bool(s) and not s.startswith("#")


def _sniff(line: str) -> str | None:
    for delimiter in ("\t", ";", ","):
        if delimiter in line:
            return delimiter
    return None  # runs of whitespace


def _split(line: str, delimiter: str | None) -> list[str]:
    parts = line.split(delimiter) if delimiter is not None else line.split()
    return [p.strip().strip('"').strip() for p in parts]


def _number(cell: str, delimiter: str | None) -> float | None:
    if delimiter not in (",", None) and "," in cell and "." not in cell:
        cell = cell.replace(",", ".")  # decimal comma, as in "1,5;2,3"
    try:
        return float(cell)
    except ValueError:
        return None


def _column_index(spec: int | str | None, names: list[str], has_header: bool, label: str,
                  what: str, default: int) -> int:
    ncols = len(names)
    listing = ", ".join(f"{j}: {n!r}" for j, n in enumerate(names)) if has_header \
        else f"0 to {ncols - 1}"
    if spec is None:
        return default
    if isinstance(spec, str):
        text = spec.strip()
        if has_header:
            exact = [j for j, n in enumerate(names) if n == text]
            loose = [j for j, n in enumerate(names) if n.lower() == text.lower()]
            if exact or loose:
                return (exact or loose)[0]
        try:
            spec = int(text)
        except ValueError:
            raise DataError(f"data file {label} has no column named {text!r} ({what}); "
                            f"its columns are {listing}") from None
    if isinstance(spec, bool) or not isinstance(spec, int | np.integer):
        raise DataError(f"{what} must be a column index or a header name, got {spec!r}")
    index = int(spec)
    if not -ncols <= index < ncols:
        raise DataError(f"data file {label} has no column {index} ({what}); it has {ncols} "
                        f"columns: {listing}")
    return index % ncols


def _fast_read(lines: list[str], start: int, delimiter: str | None,
               ncols: int) -> np.ndarray | None:
    """numpy's C reader on a well-formed file; None if anything is unusual."""
    body = io.StringIO("\n".join(lines[start:]))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "input contained no data": we say so ourselves
            arr = np.loadtxt(body, delimiter=delimiter, comments="#", ndmin=2, quotechar='"',
                             dtype=np.float64)
    except ValueError:
        return None
    if arr.shape[1] != ncols:  # e.g. a header with more names than data cells
        return None
    return arr


def _slow_read(lines: list[str], start: int, shape_line: int, delimiter: str | None,
               names: list[str], xi: int, yi: int,
               label: str) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Line by line: the exact line of the first problem, or the columns.

    ``shape_line`` is the line whose cell count every row must have.
    """
    ncols = len(names)
    xs: list[float] = []
    ys: list[float] = []
    numbers: list[int] = []
    for k in range(start, len(lines)):
        line = lines[k]
        if not _is_content(line):
            continue
        cells = _split(line.split("#", 1)[0], delimiter)
        if len(cells) != ncols:
            raise DataError(
                f"data file {label}, line {k + 1}: {len(cells)} cells where line {shape_line} "
                f"has {ncols} (every row needs the same number of "
                f"{_DELIMITER_NAMES[delimiter]}-separated cells)", k + 1)
        pair = []
        for j in (xi, yi):
            value = _number(cells[j], delimiter)
            if value is None:
                what = "an empty cell" if cells[j] == "" else f"{cells[j]!r}"
                raise DataError(f"data file {label}, line {k + 1}: {what} in column {j} "
                                f"({names[j]!r}) is not a number", k + 1)
            pair.append(value)
        xs.append(pair[0])
        ys.append(pair[1])
        numbers.append(k + 1)
    return np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64), numbers


def table_from_array(obj: Any, x_column: int | None = None,
                     y_column: int | None = None) -> DataTable:
    """The columns of an ``(n, k)`` array (rows of examples) or an ``(x, y)`` tuple."""
    try:
        if isinstance(obj, tuple) and len(obj) == 2:
            x = np.asarray(obj[0], dtype=np.float64)
            y = np.asarray(obj[1], dtype=np.float64)
            if x.ndim != 1 or y.ndim != 1 or x.shape != y.shape:
                raise DataError(f"an (x, y) pair needs two 1-D sequences of equal length, got "
                                f"shapes {x.shape} and {y.shape}")
            names = ["x", "y"]
            xi, yi = 0, 1
            if x_column is not None or y_column is not None:
                raise DataError("x_column and y_column apply to files and (n, k) arrays, "
                                "not to an (x, y) pair")
        else:
            arr = np.asarray(obj, dtype=np.float64)
            if arr.ndim != 2 or arr.shape[1] < 2:
                raise DataError(f"a data array must have shape (n, 2) or (n, k) with k >= 2 "
                                f"(one row per example), got shape {arr.shape}")
            names = [f"column {j}" for j in range(arr.shape[1])]
            xi = _column_index(x_column, names, False, "array", "x_column", 0)
            yi = _column_index(y_column, names, False, "array", "y_column", arr.shape[1] - 1)
            if xi == yi:
                raise DataError("the input and the target are the same column")
            x, y = arr[:, xi].copy(), arr[:, yi].copy()
            names = [names[xi], names[yi]]
            xi, yi = 0, 1
    except (TypeError, ValueError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError(f"data must be numbers: {exc}") from None
    table = DataTable(x, y, names[xi], names[yi], "array", None, "the data array",
                      lambda i: f"row {i}")
    _check_rows(table, header_line=None)
    return table


def _check_rows(table: DataTable, header_line: int | None) -> None:
    n = table.x.size
    if n < 2:
        if n == 0 and header_line is not None:
            raise DataError(f"{table.label} has a header (line {header_line}) but no data "
                            "rows; at least two are needed", header_line)
        if n == 0:
            raise DataError(f"{table.label} has no rows; at least two are needed")
        raise DataError(f"{table.label} has one row only ({table.where(0)}); at least two "
                        "are needed", table.line_of(0))
    for values, name in ((table.x, table.x_name), (table.y, table.y_name)):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            i = int(bad[0])
            raise DataError(f"{table.label}, {table.where(i)}: {values[i]} in column "
                            f"{name!r} is not a finite number", table.line_of(i))
