"""A data file read as a stream: text in blocks of whole lines, the chosen columns kept.

The file is read a few MiB at a time (never past `MAX_DATA_BYTES`, whatever
its size claims), decoded (UTF-8, or UTF-16 with its byte-order mark) and cut
into blocks of whole lines with ``\\n`` line ends. Each block is parsed on its
own: numpy's C reader when the block is well formed, else line by line (which
names the exact line of a problem, or reads what numpy cannot: quotes around
cells beside a text column, decimal commas). Only the chosen columns are
kept (the input columns and the target), in float arrays that grow in place;
the row -> line map that messages need is kept only for blocks with blank or
comment lines. So a file is held about once, as its chosen columns of float64,
and never as text or as a list of Python floats.
"""

from __future__ import annotations

import bisect
import codecs
import io
import warnings
from collections.abc import Callable, Iterator
from typing import BinaryIO

import numpy as np

from core.errors import ConfigError
from core.io.reading import too_large
from core.limits import MAX_DATA_BYTES, MAX_DATA_LINE

BLOCK_BYTES = 1 << 20  # a block of lines: ~25,000 rows; its text and parse stay a few MiB
_DELIMITER_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma", None: "spaces"}


class TextBlocks:
    """The text of an open data file in blocks of whole lines.

    Iterating yields ``(i, text)``: the 0-based index of the block's first
    line and the block's lines joined by ``\\n`` (no newline at the end).
    ``error`` builds the exception for a bad file (a message and its line).
    """

    def __init__(self, handle: BinaryIO, label: str,
                 error: Callable[[str, int | None], ConfigError]) -> None:
        self.handle = handle
        self.label = label
        self.error = error
        self.bytes_read = 0
        self.saw_text = False  # anything but white space
        self._utf16: bool | None = None
        self._decoder: codecs.IncrementalDecoder | None = None

    def __iter__(self) -> Iterator[tuple[int, str]]:
        carry = ""  # the start of a line whose end is in the next block
        held = ""  # a final "\r" held back: its "\n" may start the next block
        line = 0  # index of the first line of `carry`
        while True:
            raw = self._read()
            text = held + self._decode(raw, line, final=not raw)
            held = ""
            if text.endswith("\r") and raw:
                text, held = text[:-1], "\r"
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            if not self.saw_text and text.strip():
                self.saw_text = True
            self._check_nul(text, carry, line)
            cut = text.rfind("\n")
            if cut < 0:
                carry += text
            else:
                block = carry + text[:cut]
                carry = text[cut + 1:]
                yield line, block
                line += block.count("\n") + 1
            if len(carry) > MAX_DATA_LINE:
                raise self.error(f"data file {self.label}, line {line + 1}: the line is longer "
                                 f"than {MAX_DATA_LINE // 2**20} MiB; a data file holds short "
                                 "rows of numbers", line + 1)
            if not raw:
                break
        if carry:
            yield line, carry

    # ------------------------------------------------------------ bytes -> text
    def _read(self) -> bytes:
        try:
            raw = self.handle.read(BLOCK_BYTES)
        except OSError as exc:
            raise self.error(f"cannot read data file {self.label}: "
                             f"{exc.strerror or type(exc).__name__}", None) from None
        self.bytes_read += len(raw)
        if self.bytes_read > MAX_DATA_BYTES:
            raise self.error(too_large(f"data file {self.label}", None, MAX_DATA_BYTES), None)
        return raw

    def _decode(self, raw: bytes, line: int, final: bool) -> str:
        if self._decoder is None:
            self._utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))  # Excel's "Unicode text"
            self._decoder = codecs.getincrementaldecoder(
                "utf-16" if self._utf16 else "utf-8-sig")()
        if not self._utf16:
            nul = raw.find(b"\0")
            if nul >= 0:  # before decoding: a binary file is "not text", not "not UTF-8"
                at = line + raw.count(b"\n", 0, nul) + 1
                raise self.error(f"data file {self.label}, line {at}: this is not a text file "
                                 "(it contains binary data); give a CSV file of numbers", at)
        try:
            return self._decoder.decode(raw, final)
        except UnicodeDecodeError as exc:
            if self._utf16:
                raise self.error(f"data file {self.label} is not readable text (bad UTF-16)",
                                 None) from None
            at = line + exc.object[: exc.start].count(b"\n") + 1
            raise self.error(
                f"data file {self.label}, line {at}: this is not UTF-8 text (byte "
                f"0x{exc.object[exc.start]:02x}); save the file as UTF-8 CSV", at) from None

    def _check_nul(self, text: str, carry: str, line: int) -> None:
        if self._utf16 and "\0" in text:
            at = line + (carry + text[: text.find("\0")]).count("\n") + 1
            raise self.error(f"data file {self.label}, line {at}: this is not a text file "
                             "(it contains binary data); give a CSV file of numbers", at)


# ------------------------------------------------------------------ lines
def is_content(line: str) -> bool:
    s = line.strip()
    return bool(s) and not s.startswith("#")


def split_cells(line: str, delimiter: str | None) -> list[str]:
    parts = line.split(delimiter) if delimiter is not None else line.split()
    return [p.strip().strip('"').strip() for p in parts]


def number(cell: str, delimiter: str | None) -> float | None:
    if delimiter not in (",", None) and "," in cell and "." not in cell:
        cell = cell.replace(",", ".")  # decimal comma, as in "1,5;2,3"
    try:
        return float(cell)
    except ValueError:
        return None


# ------------------------------------------------------------------ columns
class Columns:
    """The chosen columns, read block by block into arrays that grow in place.

    ``xis`` are the input columns (one or several, kept side by side as the
    rows of ``x``, shape ``(n, k)``), ``yi`` the target column.
    """

    def __init__(self, label: str, names: list[str], delimiter: str | None,
                 xis: tuple[int, ...], yi: int, shape_line: int, size_hint: int,
                 error: Callable[[str, int | None], ConfigError]) -> None:
        self.label, self.names, self.delimiter = label, names, delimiter
        self.xis, self.yi, self.shape_line = tuple(xis), yi, shape_line
        self.size_hint = size_hint  # the file's size in bytes, to size the arrays once
        self.error = error
        self.n = 0
        self.x = np.empty((0, len(self.xis)))
        self.y = np.empty(0)
        # row -> line: segment i starts at row seg_rows[i]; its rows lie on the lines
        # seg_first[i], seg_first[i] + 1, ... or, where the block had blank or comment
        # lines, on the lines seg_lines[i]
        self.seg_rows: list[int] = []
        self.seg_first: list[int] = []
        self.seg_lines: list[np.ndarray | None] = []

    def add(self, first: int, text: str) -> None:
        """Parse the lines ``text`` (the first is line index ``first``) and keep their rows."""
        arr = self._fast(text)
        lines = text.count("\n") + 1
        xis = list(self.xis)
        if arr is not None and arr.shape[0] == lines:
            self._append(arr[:, xis], arr[:, self.yi], first, None, len(text))
            return
        numbers = None
        if arr is not None:  # blank or comment lines in the block: find the rows' lines
            found = [first + k for k, line in enumerate(text.split("\n")) if is_content(line)]
            if len(found) == arr.shape[0]:
                numbers = np.asarray(found, dtype=np.int64)
        if numbers is None or arr is None:
            xs, ys, numbers = self._slow(first, text)
            self._append(xs, ys, first, numbers, len(text))
        else:
            self._append(arr[:, xis], arr[:, self.yi], first, numbers, len(text))

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        """The inputs ``(n, k)`` and the target ``(n,)``, trimmed to their rows (in place:
        no second copy; rows are contiguous, so trimming keeps each row whole)."""
        self.x.resize((self.n, len(self.xis)), refcheck=False)
        self.y.resize(self.n, refcheck=False)
        return self.x, self.y

    def line_of(self, row: int) -> int:
        """The 1-based file line of ``row``."""
        s = bisect.bisect_right(self.seg_rows, row) - 1
        lines = self.seg_lines[s]
        k = row - self.seg_rows[s]
        return int(lines[k]) + 1 if lines is not None else self.seg_first[s] + k + 1

    # ------------------------------------------------------------ parsing
    def _fast(self, text: str) -> np.ndarray | None:
        """numpy's C reader on a well-formed block; None if anything is unusual."""
        if not text.strip():
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "input contained no data": we say so ourselves
                arr = np.loadtxt(io.StringIO(text), delimiter=self.delimiter, comments="#",
                                 ndmin=2, quotechar='"', dtype=np.float64)
        except ValueError:
            return None
        if arr.shape[1] != len(self.names):  # e.g. a header with more names than data cells
            return None
        return arr

    def _slow(self, first: int, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Line by line: the exact line of the first problem, or the columns."""
        ncols = len(self.names)
        wanted = (*self.xis, self.yi)
        rows: list[list[float]] = []
        numbers: list[int] = []
        for k, line in enumerate(text.split("\n")):
            if not is_content(line):
                continue
            at = first + k + 1
            cells = split_cells(line.split("#", 1)[0], self.delimiter)
            if len(cells) != ncols:
                raise self.error(
                    f"data file {self.label}, line {at}: {len(cells)} cells where line "
                    f"{self.shape_line} has {ncols} (every row needs the same number of "
                    f"{_DELIMITER_NAMES[self.delimiter]}-separated cells)", at)
            row = []
            for j in wanted:
                value = number(cells[j], self.delimiter)
                if value is None:
                    what = "an empty cell" if cells[j] == "" else f"{cells[j][:40]!r}"
                    raise self.error(f"data file {self.label}, line {at}: {what} in column {j} "
                                     f"({self.names[j]!r}) is not a number", at)
                row.append(value)
            rows.append(row)
            numbers.append(at - 1)
        arr = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(wanted))
        return arr[:, :-1], arr[:, -1], np.asarray(numbers, dtype=np.int64)

    # ------------------------------------------------------------ storage
    def _append(self, xs: np.ndarray, ys: np.ndarray, first: int, numbers: np.ndarray | None,
                chars: int) -> None:
        m = xs.shape[0]
        if m == 0:
            return
        if self.n + m > self.x.shape[0]:
            self._grow(m, chars)
        self.x[self.n : self.n + m] = xs
        self.y[self.n : self.n + m] = ys
        self.seg_rows.append(self.n)
        self.seg_first.append(first)
        self.seg_lines.append(numbers)
        self.n += m

    def _grow(self, m: int, chars: int) -> None:
        """Room for ``m`` more rows: first the whole file's rows as this block's density
        says (one allocation for a uniform file), later a quarter more each time."""
        if self.x.shape[0] == 0:
            estimate = int(m / max(chars, 1) * self.size_hint * 1.02) + 1024
        else:
            estimate = int(self.x.shape[0] * 1.25)
        capacity = max(self.n + m, estimate)
        # row-major: growing the first axis in place keeps every row where it was
        self.x.resize((capacity, len(self.xis)), refcheck=False)
        self.y.resize(capacity, refcheck=False)
