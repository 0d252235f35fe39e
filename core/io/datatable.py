"""Reading a data table: the input and target columns of a CSV file or an array.

The file may have a header row or not (a first row with any cell that is not a
number is a header); its delimiter is sniffed from the first row (tab, then
semicolon, then comma, then runs of spaces); blank lines and lines starting
with ``#`` are skipped; cells may be quoted; with a semicolon or tab delimiter
a decimal comma (``1,5``) is read as ``1.5``. One input column x, or several,
and one target column y are chosen (default: the first and the last). Other
columns may hold anything, but every row must have the same number of cells.

Reading is all or nothing: any problem raises a `DataError` (a `ConfigError`)
that names the line and what is wrong, and nothing is kept. Only a regular
file is read (`core.io.reading`), as a stream (`core.io.csvstream`): each
block of lines goes through numpy's C reader when it is well formed, else a
line-by-line reader finds the exact line (or reads what numpy cannot: quotes
around cells with a text column beside them, decimal commas, whitespace-only
lines), and only the chosen columns are kept.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeAlias

import numpy as np

from core.checks import check_path, shown, shown_path
from core.errors import ConfigError
from core.io.csvstream import Columns, TextBlocks, is_content, number, split_cells
from core.io.reading import open_regular
from core.limits import MAX_DATA_BYTES, MAX_DATA_INPUTS

MAX_FILE_BYTES = MAX_DATA_BYTES
# one column (a 0-based index, negative from the end, or a header name); several
# input columns are a list of them
Column: TypeAlias = int | str
XColumns: TypeAlias = "Column | Sequence[Column] | None"
HEADER_BYTES = 1 << 20  # `column_names` reads no further: the header is on the first lines


class DataError(ConfigError):
    """A data file or array that cannot be used; ``line`` (1-based) where known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class DataTable:
    """The chosen columns of a data source, checked: finite, two rows or more.

    ``inputs`` has one column per input column chosen, in the order chosen
    (``x_names``); ``x`` and ``x_name`` are the one-input view of it.
    """

    inputs: np.ndarray  # (n, k)
    y: np.ndarray
    x_names: tuple[str, ...]
    y_name: str
    source: str  # the file name, or "array"
    path: str | None  # the file as given (None for an array)
    label: str  # how messages name it: "data file 'path/x.csv'" or "the data array"
    # where row i came from, for messages: "line 7" (file) or "row 6" (array)
    where: Callable[[int], str]

    @property
    def n_inputs(self) -> int:
        return len(self.x_names)

    @property
    def x(self) -> np.ndarray:
        """The input column ``(n,)`` with one input; the inputs ``(n, k)`` with several."""
        return self.inputs[:, 0] if self.n_inputs == 1 else self.inputs

    @property
    def x_name(self) -> str:
        """The input column's name (several: their names, comma-separated)."""
        return ", ".join(self.x_names)

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


def read_table(path: str | os.PathLike[str], x_column: XColumns = None,
               y_column: Column | None = None) -> DataTable:
    """Read the input and target columns of a CSV file.

    ``x_column`` and ``y_column`` are a 0-based column index (negative counts
    from the end) or a header name; default: the first and the last column.
    ``x_column`` may also be a list of them: several input columns (at most
    `MAX_DATA_INPUTS`, each once, the target not among them).
    Raises `DataError` naming the line when the file is missing, not a
    regular file (a folder, a device, a pipe), larger than `MAX_FILE_BYTES`,
    empty, not text, has non-numeric or non-finite cells in the chosen
    columns, ragged rows, fewer than two rows, or no such column.

    The file is read as a stream (`core.io.csvstream`): only the chosen
    columns are kept, so memory stays about one float64 per chosen cell.
    """
    name = check_path("data file", path)
    label = shown_path(name)
    with open_regular(name, f"data file {label}", error=DataError) as handle:
        size = os.fstat(handle.fileno()).st_size
        source = TextBlocks(handle, label, DataError)
        blocks = iter(source)
        head, first, rest = _header(blocks, source, label)
        names = head.names
        where = f"data file {label}"
        xis, yi = _chosen(x_column, y_column, names, head.has_header, where)
        columns = Columns(label, names, head.delimiter, xis, yi, head.line + 1, size, DataError)
        columns.add(first, rest)
        for first, text in blocks:
            columns.add(first, text)
    x, y = columns.finish()
    table = DataTable(x, y, tuple(names[j] for j in xis), names[yi],
                      os.path.basename(name) or name, name, f"data file {label}",
                      lambda i: f"line {columns.line_of(i)}")
    _check_rows(table, header_line=head.line + 1 if head.has_header else None)
    return table


def _chosen(x_column: XColumns, y_column: Column | None, names: list[str], has_header: bool,
            where: str) -> tuple[tuple[int, ...], int]:
    """The input columns' and the target column's 0-based indices, checked."""
    xis = _input_indices(x_column, names, has_header, where)
    yi = _column_index(y_column, names, has_header, where, "y_column",
                       default=len(names) - 1)
    if len(xis) == 1 and xis[0] == yi:
        raise DataError(f"{where}: the input and the target are the same column "
                        f"({names[yi]!r}); choose two different columns")
    if yi in xis:
        default = ", the last column by default" if y_column is None else ""
        raise DataError(f"{where}: column {names[yi]!r} is both an input (x_column) and the "
                        f"target (y_column{default}); the target cannot be an input")
    return xis, yi


def _input_indices(spec: XColumns, names: list[str], has_header: bool,
                   where: str) -> tuple[int, ...]:
    """The input columns ``spec`` names: one column, or a list of distinct columns."""
    if not isinstance(spec, list | tuple | np.ndarray):
        return (_column_index(spec, names, has_header, where, "x_column", default=0),)
    # a long list is refused without reading it all
    specs = list(itertools.islice(iter(spec), MAX_DATA_INPUTS + 1))
    if not specs:
        raise DataError("x_column must name at least one input column, got an empty list")
    if len(specs) > MAX_DATA_INPUTS:
        raise DataError(f"x_column names more than {MAX_DATA_INPUTS} input columns; at most "
                        f"{MAX_DATA_INPUTS} can be fitted")
    out: list[int] = []
    for item in specs:
        if isinstance(item, list | tuple | np.ndarray):
            raise DataError(f"x_column must be a list of column indices or header names, "
                            f"got {shown(spec)}")
        index = _column_index(item, names, has_header, where, "x_column", default=0)
        if index in out:
            before = specs[out.index(index)]
            also = f" (as {shown(before)} and {shown(item)})" if before != item else ""
            raise DataError(f"x_column names column {names[index]!r} twice{also}; give each "
                            "input column once")
        out.append(index)
    return tuple(out)


def column_names(path: str | os.PathLike[str]) -> list[str]:
    """The names of a data file's columns, as `read_table` and its messages give them.

    "column j" where the file has no header. Only the start of the file is
    read, so a big file costs nothing here; a path that is not a regular file
    raises `DataError` as `read_table` does.
    """
    name = check_path("data file", path)
    with open_regular(name, f"data file {shown_path(name)}", error=DataError) as handle:
        raw = handle.read(HEADER_BYTES)
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
    head = raw.decode("utf-16" if utf16 else "utf-8-sig", errors="replace")
    lines = head.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((line for line in lines if is_content(line)), "")
    return _names(first)[1]


def _header(blocks: Iterator[tuple[int, str]], source: TextBlocks,
            label: str) -> tuple[Header, int, str]:
    """The first line with content, and the data lines of its block after it
    (the header line itself where it holds numbers): ``(header, index of the
    first of those lines, their text)``."""
    for first, text in blocks:
        pos = 0
        while pos <= len(text):
            end = text.find("\n", pos)
            end = len(text) if end < 0 else end
            line = text[pos:end]
            if is_content(line):
                index = first + text.count("\n", 0, pos)
                delimiter, names, has_header = _names(line)
                if len(names) < 2:
                    raise DataError(
                        f"data file {label}, line {index + 1}: found one column only; the file "
                        "needs an input column and a target column separated by commas, "
                        "semicolons or tabs", index + 1)
                head = Header(index, delimiter, names, has_header)
                if has_header:
                    return head, index + 1, text[end + 1:]
                return head, index, text[pos:]
            pos = end + 1
    # nothing but white space, or only comments
    raise DataError(f"data file {label} is empty" + (" (no rows of numbers)" if source.saw_text
                                                      else ""))


def _names(line: str) -> tuple[str | None, list[str], bool]:
    """The delimiter, the column names and whether ``line`` is a header."""
    delimiter = _sniff(line)
    cells = split_cells(line, delimiter)
    has_header = not all(number(c, delimiter) is not None for c in cells)
    if has_header:
        return delimiter, [c or f"column {j}" for j, c in enumerate(cells)], True
    return delimiter, [f"column {j}" for j in range(len(cells))], False


def _sniff(line: str) -> str | None:
    for delimiter in ("\t", ";", ","):
        if delimiter in line:
            return delimiter
    return None  # runs of whitespace


def _column_index(spec: Column | None, names: list[str], has_header: bool, label: str,
                  what: str, default: int) -> int:
    """The 0-based index ``spec`` names; ``label`` names the source ("data file 'x.csv'")."""
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
            raise DataError(f"{label} has no column named {shown(text)} ({what}); "
                            f"its columns are {listing}") from None
    if isinstance(spec, bool) or not isinstance(spec, int | np.integer):
        raise DataError(f"{what} must be a column index or a header name, got {shown(spec)}")
    index = int(spec)
    if not -ncols <= index < ncols:
        raise DataError(f"{label} has no column {shown(index)} ({what}); it has {ncols} "
                        f"columns: {listing}")
    return index % ncols


def table_from_array(obj: Any, x_column: XColumns = None,
                     y_column: Column | None = None) -> DataTable:
    """The columns of an ``(n, k)`` array (rows of examples) or an ``(x, y)`` tuple
    (``x`` one input ``(n,)``, or several ``(n, k)``, named x1..xk)."""
    try:
        if isinstance(obj, tuple) and len(obj) == 2:
            x, names = _pair_inputs(obj)
            y = np.asarray(obj[1], dtype=np.float64)
            if y.ndim != 1 or x.shape[0] != y.shape[0]:
                raise DataError(f"an (x, y) pair needs two sequences of equal length (x of "
                                f"shape (n,) or (n, k), y of shape (n,)), got shapes "
                                f"{np.shape(obj[0])} and {y.shape}")
            if x_column is not None or y_column is not None:
                raise DataError("x_column and y_column apply to files and (n, k) arrays, "
                                "not to an (x, y) pair")
            y_name = "y"
        else:
            arr = np.asarray(obj, dtype=np.float64)
            if arr.ndim != 2 or arr.shape[1] < 2:
                raise DataError(f"a data array must have shape (n, 2) or (n, k) with k >= 2 "
                                f"(one row per example), got shape {arr.shape}")
            columns = [f"column {j}" for j in range(arr.shape[1])]
            xis, yi = _chosen(x_column, y_column, columns, False, "the data array")
            x, y = arr[:, list(xis)].copy(), arr[:, yi].copy()
            names, y_name = tuple(columns[j] for j in xis), columns[yi]
    except (TypeError, ValueError, OverflowError) as exc:
        if isinstance(exc, DataError):
            raise
        raise DataError("data must be numbers: an (n, k) array (one row per example) or an "
                        f"(x, y) pair, got {shown(obj)}") from None
    table = DataTable(x, y, names, y_name, "array", None, "the data array",
                      lambda i: f"row {i}")
    _check_rows(table, header_line=None)
    return table


def _pair_inputs(pair: tuple[Any, Any]) -> tuple[np.ndarray, tuple[str, ...]]:
    """The inputs of an ``(x, y)`` pair as ``(n, k)``, and their names."""
    x = np.asarray(pair[0], dtype=np.float64)
    if x.ndim == 1:
        return x[:, None].copy(), ("x",)
    if x.ndim != 2 or not 1 <= x.shape[1] <= MAX_DATA_INPUTS:
        raise DataError(f"an (x, y) pair needs x of shape (n,) or (n, k) with k from 1 to "
                        f"{MAX_DATA_INPUTS}, got shape {x.shape}")
    if x.shape[1] == 1:
        return np.ascontiguousarray(x), ("x",)
    return np.ascontiguousarray(x), tuple(f"x{j + 1}" for j in range(x.shape[1]))


def _check_rows(table: DataTable, header_line: int | None) -> None:
    n = table.y.size
    if n < 2:
        if n == 0 and header_line is not None:
            raise DataError(f"{table.label} has a header (line {header_line}) but no data "
                            "rows; at least two are needed", header_line)
        if n == 0:
            raise DataError(f"{table.label} has no rows; at least two are needed")
        raise DataError(f"{table.label} has one row only ({table.where(0)}); at least two "
                        "are needed", table.line_of(0))
    columns = [(table.inputs[:, j], name) for j, name in enumerate(table.x_names)]
    for values, name in (*columns, (table.y, table.y_name)):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            i = int(bad[0])
            raise DataError(f"{table.label}, {table.where(i)}: {values[i]} in column "
                            f"{name!r} is not a finite number", table.line_of(i))
