"""Your own data: a CSV file (or an array) as a linear or logistic regression.

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
import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.errors import ConfigError
from core.problems.base import Dataset, Problem
from core.problems.logistic import LogisticRegression
from core.problems.regression import LinearRegression

MODELS = ("linear", "logistic")
MAX_FILE_BYTES = 512 * 1024 * 1024
DEFAULT_STEPS = 500
_DELIMITER_NAMES = {"\t": "tab", ";": "semicolon", ",": "comma", None: "spaces"}


class DataError(ConfigError):
    """A data file or array that cannot be used; ``line`` (1-based) where known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Table:
    """The chosen columns of a data source, checked: finite, two rows or more."""

    x: np.ndarray
    y: np.ndarray
    x_name: str
    y_name: str
    source: str  # the file name, or "array"
    path: str | None  # the file as given (None for an array)
    label: str  # how messages name it: "data file 'path/x.csv'" or "the data array"
    # where row i came from, for messages: "line 7" (file) or "row 6" (array)
    where: Any


# ======================================================================= file
def read_table(path: str | os.PathLike[str], x_column: int | str | None = None,
               y_column: int | str | None = None) -> Table:
    """Read the input and target columns of a CSV file.

    Parameters
    ----------
    path
        The file.
    x_column, y_column
        A 0-based column index (negative counts from the end) or a header
        name. Default: the first and the last column.

    Returns
    -------
    Table

    Raises
    ------
    DataError
        The file is missing, a folder, empty, not text, has non-numeric or
        non-finite cells in the chosen columns, ragged rows, fewer than two
        rows, or no such column; the message names the line.
    """
    name = os.fspath(path)
    text = _read_text(name)
    label = repr(name)
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if _is_content(line)), None)
    if first is None:
        raise DataError(f"data file {label} is empty (no rows of numbers)")
    delimiter = _sniff(lines[first])
    cells = _split(lines[first], delimiter)
    has_header = not all(_number(c, delimiter) is not None for c in cells)
    ncols = len(cells)
    if ncols < 2:
        raise DataError(
            f"data file {label}, line {first + 1}: found one column only; the file needs an "
            "input column and a target column separated by commas, semicolons or tabs",
            first + 1,
        )
    names = ([c or f"column {j}" for j, c in enumerate(cells)] if has_header
             else [f"column {j}" for j in range(ncols)])
    xi = _column_index(x_column, names, has_header, label, "x_column", default=0)
    yi = _column_index(y_column, names, has_header, label, "y_column", default=ncols - 1)
    if xi == yi:
        raise DataError(f"data file {label}: the input and the target are the same column "
                        f"({names[xi]!r}); choose two different columns")
    data_start = first + 1 if has_header else first
    arr = _fast_read(lines, data_start, delimiter, ncols)
    if arr is None:
        x, y, numbers = _slow_read(lines, data_start, first + 1, delimiter, names, xi, yi,
                                   label)
    else:
        x, y = arr[:, xi].copy(), arr[:, yi].copy()
        numbers = None
    del arr

    def where(i: int) -> str:
        nonlocal numbers
        if numbers is None:  # computed only for a message
            numbers = [k + 1 for k in range(data_start, len(lines)) if _is_content(lines[k])]
        return f"line {numbers[i]}"

    table = Table(x, y, names[xi], names[yi], os.path.basename(name) or name, name,
                  f"data file {label}", where)
    _check_rows(table, header_line=first + 1 if has_header else None)
    return table


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


# ====================================================================== array
def table_from_array(obj: Any, x_column: int | None = None,
                     y_column: int | None = None) -> Table:
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
    table = Table(x, y, names[xi], names[yi], "array", None, "the data array",
                  lambda i: f"row {i}")
    _check_rows(table, header_line=None)
    return table


def _check_rows(table: Table, header_line: int | None) -> None:
    n = table.x.size
    if n < 2:
        if n == 0 and header_line is not None:
            raise DataError(f"{table.label} has a header (line {header_line}) but no data "
                            "rows; at least two are needed", header_line)
        if n == 0:
            raise DataError(f"{table.label} has no rows; at least two are needed")
        raise DataError(f"{table.label} has one row only ({table.where(0)}); at least two "
                        "are needed", _line(table, 0))
    for values, name in ((table.x, table.x_name), (table.y, table.y_name)):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            i = int(bad[0])
            raise DataError(f"{table.label}, {table.where(i)}: {values[i]} in column "
                            f"{name!r} is not a finite number", _line(table, i))


def _line(table: Table, i: int) -> int | None:
    where = table.where(i)
    return int(where.split()[1]) if where.startswith("line") else None


# ==================================================================== problem
class DataLinearRegression(LinearRegression):
    """Linear regression whose full-data Hessian is computed once (it is constant)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        assert self.data is not None
        x = self.data.x[:, 0]
        self._hessian = ((2.0 * float(np.mean(x * x)), 2.0 * self._xbar),
                         (2.0 * self._xbar, 2.0))

    def hessian_c(self, xp: Any, p: tuple[Any, ...], data: Dataset | None) -> Any:
        if data is self.data:
            return self._hessian
        return super().hessian_c(xp, p, data)


def data_problem(
    path_or_array: Any,
    model: str = "linear",
    normalize: bool = False,
    x_column: int | str | None = None,
    y_column: int | str | None = None,
) -> Problem:
    """A regression problem on your own data.

    Parameters
    ----------
    path_or_array
        A CSV file (path), an ``(n, k)`` array of rows, or an ``(x, y)`` tuple.
    model
        ``"linear"``: y ≈ a·x + b with mean squared error (sufficient
        statistics: a surface costs the same for 10 rows or 10 million).
        ``"logistic"``: P(y = 1) = sigmoid(a·x + b) with mean cross-entropy;
        the targets must be 0 or 1.
    normalize
        Standardise x to mean 0 and standard deviation 1 (the description
        gives the mean and deviation used). For linear regression the
        Hessian becomes 2·I, so λmax = 2 and the stable learning rates are
        those below 1.
    x_column, y_column
        Column index (0-based) or header name; default first and last.

    Returns
    -------
    Problem
        Named ``"data"`` with parameters ``a`` (slope) and ``b`` (intercept),
        starting at (0, 0), default learning rate 1/λmax.

    Raises
    ------
    DataError
        (a `ConfigError`) naming the line and the problem.
    """
    if model not in MODELS:
        raise ConfigError(f"model must be one of {', '.join(MODELS)}, got {model!r}")
    if isinstance(path_or_array, str | os.PathLike):
        table = read_table(path_or_array, x_column, y_column)
    else:
        table = table_from_array(path_or_array, x_column, y_column)  # type: ignore[arg-type]
    label = table.label
    x, y = table.x, table.y
    mean = std = None
    if normalize:
        mean, std = float(np.mean(x)), float(np.std(x))
        if not (std > 0.0 and math.isfinite(std)):
            raise DataError(f"cannot normalise x: every value of column {table.x_name!r} in "
                            f"{label} is {x[0]:g}, so its standard deviation is 0")
        x = (x - mean) / std
    if model == "logistic":
        bad = np.flatnonzero((y != 0.0) & (y != 1.0))
        if bad.size:
            i = int(bad[0])
            raise DataError(f"{label}, {table.where(i)}: target {y[i]:g} in column "
                            f"{table.y_name!r} is not 0 or 1 (logistic regression needs 0/1 "
                            "labels)", _line(table, i))
    data = Dataset(x[:, None], y)
    kind = "Linear" if model == "linear" else "Logistic"
    what = ("y ≈ a·x + b with mean squared error" if model == "linear"
            else "P(y = 1) = sigmoid(a·x + b) with mean cross-entropy")
    scaled = (f" x is standardised: x = ({table.x_name} − {mean:.6g}) / {std:.6g}."
              if normalize else " x is used as it is (not normalised).")
    description = (
        f"{kind} regression {what} on {table.source}: input column {table.x_name!r} (x), "
        f"target column {table.y_name!r} (y), {x.size:,} rows.{scaled}"
    )
    options = {"source": table.source, "path": table.path, "model": model,
               "normalize": bool(normalize),
               "x_column": table.x_name, "y_column": table.y_name,
               "x_mean": mean, "x_std": std}
    common: dict[str, Any] = {
        "name": "data", "title": f"{kind} regression on {table.source}",
        "param_names": ("a", "b"), "start": (0.0, 0.0), "description": description,
        "default_steps": DEFAULT_STEPS, "data": data, "options": options,
    }
    if model == "linear":
        return _linear(common, x, y)
    return _logistic(common, x, y)


def _lr_from(hessian: np.ndarray) -> float:
    """1/λmax, to two significant digits: stable (below 2/λmax) and quick."""
    lam = float(np.linalg.eigvalsh(hessian)[-1])
    if not (lam > 0.0 and math.isfinite(lam)):
        return 0.01
    return float(f"{1.0 / lam:.2g}")


def _window(points: Sequence[Sequence[float]]) -> tuple[tuple[float, float], ...]:
    """A view holding the start and the minimum, with one scale for both axes
    so the contours keep their true shape."""
    arr = np.asarray(points, dtype=np.float64)
    lo, hi = arr.min(axis=0), arr.max(axis=0)
    pad = 0.5 * max(float(np.max(hi - lo)), 1.0)
    return tuple((_round(lo[j] - pad), _round(hi[j] + pad)) for j in range(2))


def _round(v: float) -> float:
    return float(f"{v:.4g}")


def _linear(common: dict[str, Any], x: np.ndarray, y: np.ndarray) -> Problem:
    problem = DataLinearRegression(**common)
    vxx, vyy = problem._vxx, float(np.var(y))
    minima: tuple[tuple[float, ...], ...] = ()
    if vxx > 0.0:
        b_star = problem._ybar - problem._astar * problem._xbar
        minima = ((problem._astar, b_star),)
    problem.minima = minima
    problem.min_loss = problem._rmin
    problem.tolerance = 1e-6 * (vyy if vyy > 0.0 else 1.0)
    problem.default_lr = _lr_from(np.asarray(problem._hessian))
    problem.window = _window([problem.start, *minima])
    return problem


def _logistic(common: dict[str, Any], x: np.ndarray, y: np.ndarray) -> Problem:
    problem = LogisticRegression(**common)
    h0 = np.asarray(problem.hessian(np.zeros(2)))
    # w = σ(z)σ(−z) is largest (¼) at z = 0, so the Hessian at the start (0, 0)
    # bounds it everywhere: lr = 1/λmax there is stable on the whole surface
    problem.default_lr = _lr_from(h0)
    minimum = _logistic_minimum(problem)
    if minimum is not None:
        problem.minima = (minimum,)
        problem.min_loss = float(problem.loss(np.asarray(minimum)))
        problem.tolerance = 1e-6
    else:  # separable classes (or one class): the loss keeps falling towards 0
        problem.minima = ()
        problem.min_loss = None
    problem.window = _window([problem.start, *(problem.minima or [(2.0, 2.0)])])
    return problem


def _logistic_minimum(problem: LogisticRegression,
                      iterations: int = 30) -> tuple[float, float] | None:
    """Newton's method from (0, 0); None if it does not settle (no finite minimum)."""
    theta = np.zeros(2)
    for _ in range(iterations):
        grad = problem.grad(theta)
        hess = problem.hessian(theta)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(step)):
            return None
        theta = theta - step
        if np.max(np.abs(theta)) > 1e6:
            return None
        if np.max(np.abs(step)) <= 1e-12 * (1.0 + np.max(np.abs(theta))):
            return float(theta[0]), float(theta[1])
    return None
