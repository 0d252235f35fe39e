"""`StepTable`: the run's record, one row per step, columnar and growable.

All columns live in one float64 array of shape (n_columns, capacity) that
grows by doubling, so appends are amortised O(1) and ``table["loss"]`` is a
contiguous read-only view that plots and exports share without copying.
"""

from __future__ import annotations

import io
import json
import math
import os
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from core.checks import shown_path
from core.errors import ConfigError
from core.io.atomic import write_to
from core.io.reading import open_regular

if TYPE_CHECKING:
    from core._types import FloatArray

# columns whose values are whole numbers: written without a decimal point
INTEGER_COLUMNS = frozenset({"step", "epoch"})


def _special(value: float, integer: bool) -> str | None:
    """inf and nan spelled so, and a whole number without a decimal point (None: neither)."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return str(int(value)) if integer and value == int(value) else None


def format_exact(value: float, integer: bool = False) -> str:
    """Lossless text for a float: ``repr`` (round-trips), ``inf``/``nan`` spelled so."""
    special = _special(value, integer)
    return repr(float(value)) if special is None else special


def format_rounded(value: float, decimals: int = 4, integer: bool = False) -> str:
    """Text rounded to ``decimals`` places (Markdown, the table view)."""
    special = _special(value, integer)
    if special is not None:
        return special
    text = f"{value:.{decimals}f}"
    # "-0.0000" reads as a sign error; a tiny negative rounds to plain zero
    return text[1:] if text.startswith("-") and float(text) == 0.0 else text


# each set of columns' positions, worked out once rather than once a table: every run
# makes a table, and a short run's whole call is a few dozen microseconds
_INDEXES: dict[tuple[str, ...], dict[str, int]] = {}
_INDEXES_KEPT = 256


def _index_of(columns: list[str]) -> dict[str, int]:
    """Each column's position (shared between tables: it is only read)."""
    key = tuple(columns)
    index = _INDEXES.get(key)
    if index is None:
        index = {name: i for i, name in enumerate(columns)}
        if len(index) != len(columns):
            raise ValueError(f"duplicate column names in {columns}")
        if len(_INDEXES) >= _INDEXES_KEPT:
            _INDEXES.clear()
        _INDEXES[key] = index
    return index


class StepTable:
    """Named float64 columns of equal length, appended to in blocks."""

    def __init__(self, columns: Sequence[str], capacity: int = 256) -> None:
        self.columns: list[str] = list(columns)
        self._index = _index_of(self.columns)
        # np.empty: every append writes each column of its rows (nan where it has no
        # value), so no row is read before it is written; a nan fill of a network's
        # 216 columns cost more than a short run's steps
        self._data = np.empty((len(self.columns), max(1, capacity)))
        self._n = 0

    # ------------------------------------------------------------ reading
    def __len__(self) -> int:
        return self._n

    def __contains__(self, column: object) -> bool:
        return column in self._index

    def __getitem__(self, column: str) -> FloatArray:
        i = self._index.get(column)  # type: ignore[call-overload]
        if i is None:
            i = self.position(column)  # raises, naming the columns there are
        view = self._data[i, : self._n]
        view.flags.writeable = False  # consumers can look, not touch
        return view

    def position(self, column: str) -> int:
        """Where ``column`` is in `columns` (its row in `columns_view`)."""
        try:
            return self._index[column]
        except KeyError:
            raise KeyError(f"no column {column!r}; columns: {', '.join(self.columns)}") from None

    def columns_view(self) -> FloatArray:
        """Every column at once, read-only, shape (n_columns, rows): row `position(name)`
        is ``self[name]`` (a network's 216 columns read in one call, not 216)."""
        view = self._data[:, : self._n]
        view.flags.writeable = False
        return view

    def row(self, k: int) -> dict[str, float]:
        """Row ``k`` as a dict (negative indices count from the end)."""
        if not -self._n <= k < self._n:
            raise IndexError(f"row {k} out of range for a table of {self._n} rows")
        k %= self._n
        return {name: float(self._data[i, k]) for i, name in enumerate(self.columns)}

    def block(self, rows: Any = None) -> FloatArray:
        """A copy of the rows (all, a slice, or an index array) as (n_rows, n_columns)."""
        data = self._data[:, : self._n]
        picked = data if rows is None else data[:, rows]
        return np.ascontiguousarray(np.atleast_2d(picked.T))

    def select(self, rows: Any) -> StepTable:
        """A new table holding only ``rows`` (for exporting a selection)."""
        out = StepTable(self.columns, capacity=1)
        out.append_block(self.block(rows))
        return out

    @property
    def last_finite_row(self) -> int:
        """Index of the last row whose loss and parameters are all finite (-1 if none)."""
        if self._n == 0:
            return -1
        finite = np.all(np.isfinite(self._data[:, : self._n]), axis=0)
        idx = np.flatnonzero(finite)
        return int(idx[-1]) if idx.size else -1

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)

    # ------------------------------------------------------------ writing
    def append_block(self, block: FloatArray | Iterable[Sequence[float]]) -> None:
        """Append rows given as an array of shape (m, n_columns)."""
        arr = np.asarray(block, dtype=np.float64)
        if arr.size == 0:
            return
        if arr.ndim != 2 or arr.shape[1] != len(self.columns):
            raise ValueError(f"block must have shape (m, {len(self.columns)}), got {arr.shape}")
        m = arr.shape[0]
        self._reserve(m)
        self._data[:, self._n : self._n + m] = arr.T
        self._n += m

    def append_columns(self, columns: dict[str, FloatArray | float], m: int) -> None:
        """Append ``m`` rows given column by column (missing columns stay nan)."""
        if m <= 0:
            return
        self._reserve(m)
        for i, name in enumerate(self.columns):
            values = columns.get(name, np.nan)
            self._data[i, self._n : self._n + m] = values
        self._n += m

    def append_parts(self, parts: Sequence[FloatArray | float], m: int) -> None:
        """Append ``m`` rows given part by part in column order: a scalar or an array of
        ``m`` values fills one column, an array of shape (k, m) the next k columns.
        The parts must cover every column (a wide table written in a few calls)."""
        if m <= 0:
            return
        self._reserve(m)
        block = self._data[:, self._n : self._n + m]
        at = 0
        for part in parts:
            if getattr(part, "ndim", 0) == 2:
                block[at : at + len(part)] = part
                at += len(part)
            else:
                block[at] = part
                at += 1
        if at != len(self.columns):
            raise ValueError(f"parts cover {at} of the {len(self.columns)} columns")
        self._n += m

    def _reserve(self, extra: int) -> None:
        need = self._n + extra
        if need > self._data.shape[1]:
            # np.empty: only the copied part is touched now; appends write every
            # column of the new rows (a full nan fill took ~200 ms at 1M rows)
            grown = np.empty((self._data.shape[0], max(2 * self._data.shape[1], need)))
            grown[:, : self._n] = self._data[:, : self._n]
            self._data = grown

    def shrink_to_fit(self) -> None:
        """Release unused capacity (a finished run keeps only its rows)."""
        if self._data.shape[1] != self._n:
            self._data = np.ascontiguousarray(self._data[:, : max(1, self._n)])

    # ------------------------------------------------------------ export
    def _text_rows(self, exact: bool, decimals: int) -> Iterable[list[str]]:
        ints = [name in INTEGER_COLUMNS for name in self.columns]
        data = self._data[:, : self._n]
        for k in range(self._n):
            values = data[:, k].tolist()
            if exact:
                yield [format_exact(v, i) for v, i in zip(values, ints, strict=True)]
            else:
                yield [format_rounded(v, decimals, i) for v, i in zip(values, ints, strict=True)]

    def write_delimited(self, handle: IO[str], sep: str) -> None:
        handle.write(sep.join(self.columns) + "\n")
        for cells in self._text_rows(exact=True, decimals=0):
            handle.write(sep.join(cells) + "\n")

    def write_markdown(self, handle: IO[str], decimals: int = 4) -> None:
        handle.write("| " + " | ".join(self.columns) + " |\n")
        handle.write("|" + "|".join("---:" for _ in self.columns) + "|\n")
        for cells in self._text_rows(exact=False, decimals=decimals):
            handle.write("| " + " | ".join(cells) + " |\n")

    def write_json(self, handle: IO[str]) -> None:
        ints = [name in INTEGER_COLUMNS for name in self.columns]
        # finite floats as JSON numbers (repr round-trips), inf/nan as strings,
        # because strict JSON has no spelling for them
        handle.write('{"columns": ' + json.dumps(self.columns) + ', "rows": [')
        data = self._data[:, : self._n]
        for k in range(self._n):
            cells = []
            for v, is_int in zip(data[:, k].tolist(), ints, strict=True):
                text = format_exact(v, is_int)
                cells.append(text if math.isfinite(v) else f'"{text}"')
            handle.write(("" if k == 0 else ", ") + "[" + ", ".join(cells) + "]")
        handle.write("]}\n")

    def to_csv(self, target: str | os.PathLike[str] | IO[str]) -> None:
        """Comma-separated, header row, every float lossless."""
        write_to(target, lambda h: self.write_delimited(h, ","))

    def to_tsv(self, target: str | os.PathLike[str] | IO[str]) -> None:
        """Tab-separated (pastes into a spreadsheet as columns)."""
        write_to(target, lambda h: self.write_delimited(h, "\t"))

    def to_markdown(self, target: str | os.PathLike[str] | IO[str], decimals: int = 4) -> None:
        """A Markdown table, values rounded to ``decimals`` places."""
        write_to(target, lambda h: self.write_markdown(h, decimals))

    def to_json(self, target: str | os.PathLike[str] | IO[str]) -> None:
        """``{"columns": [...], "rows": [[...], ...]}``; inf/nan as strings."""
        write_to(target, self.write_json)

    def to_text(self, fmt: str, decimals: int = 4) -> str:
        """The table in ``fmt`` (csv, tsv, md, json) as a string."""
        buf = io.StringIO()
        writer = {
            "csv": lambda h: self.write_delimited(h, ","),
            "tsv": lambda h: self.write_delimited(h, "\t"),
            "md": lambda h: self.write_markdown(h, decimals),
            "json": self.write_json,
        }.get(fmt)
        if writer is None:
            raise ConfigError(f"unknown table format {fmt!r}; choose csv, tsv, md or json")
        writer(buf)
        return buf.getvalue()

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write by the file's extension: .csv, .tsv, .md, .json."""
        ext = os.path.splitext(os.fspath(path))[1].lower()
        writers = {
            ".csv": self.to_csv,
            ".tsv": self.to_tsv,
            ".md": self.to_markdown,
            ".markdown": self.to_markdown,
            ".json": self.to_json,
        }
        if ext not in writers:
            raise ConfigError(
                f"cannot tell the format of {os.fspath(path)!r}: "
                "the file name must end in .csv, .tsv, .md or .json"
            )
        writers[ext](path)

    @classmethod
    def read_csv(cls, source: str | os.PathLike[str] | IO[str], sep: str = ",") -> StepTable:
        """Read back a table written by `to_csv` / `to_tsv` (round-trip).

        A path must name a regular file (`core.io.reading`); anything that is
        not such a table raises a `ConfigError` naming the line.
        """
        if hasattr(source, "read"):
            text = source.read()
            label = "the step table"
        else:
            label = f"step table {shown_path(source)}"
            with open_regular(source, label) as handle:
                raw = handle.read()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ConfigError(f"{label} is not UTF-8 text") from None
        lines = [line for line in text.splitlines() if line]
        if not lines:
            raise ConfigError(f"{label} is empty")
        names = lines[0].split(sep)
        rows = []
        for k, line in enumerate(lines[1:], 2):
            try:
                row = [float(c) for c in line.split(sep)]
            except ValueError:
                row = []
            if len(row) != len(names):
                raise ConfigError(f"{label}, row {k}: expected {len(names)} numbers separated "
                                  f"by {sep!r} (a table written by to_csv or to_tsv)")
            rows.append(row)
        table = cls(names, capacity=len(lines))
        table.append_block(rows)
        return table
