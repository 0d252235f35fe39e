"""Reading a file a user named: a regular file only, never past a byte limit, never blocking.

Every file read from a path a person typed or a session file named (a data
file, a session file, a step table read back) is opened here.
`open_regular` opens it without blocking (``O_NONBLOCK``: a pipe with no
writer would otherwise hang the program for ever) and looks at what was
opened (``fstat``, so a link is judged by what it points at): anything but a
regular file (a folder, a device such as /dev/zero, a pipe, a socket) is
refused by its kind before a byte is read. `read_limited` then reads at most
``limit`` bytes whatever the file claims its size is, so a file that grows
while it is read cannot exhaust memory either.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from typing import BinaryIO

from core.checks import check_path
from core.errors import ConfigError

# flags that make opening anything safe: no blocking on a FIFO, no controlling
# terminal taken from a tty, nothing inherited by child processes
_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
          | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
CHUNK = 1 << 20


def kind_of(mode: int) -> str:
    """What a file system entry is, in words, from its ``st_mode``."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


@contextlib.contextmanager
def open_regular(path: str | os.PathLike[str], label: str, *,
                 error: type[ConfigError] = ConfigError,
                 missing: str | None = None) -> Iterator[BinaryIO]:
    """``path`` opened for binary reading, if it is a regular file.

    ``label`` names the file in messages ("data file 'x.csv'"). Anything
    else raises ``error``: "<label> does not exist" (or ``missing``), "<label>
    is a folder, not a file", "... is a device ...", "... a pipe (FIFO) ...",
    "... a socket ...", "cannot read <label>: permission denied".
    """
    name = check_path(label, path)
    try:
        fd = os.open(name, _FLAGS)
    except OSError as exc:
        raise _open_error(name, label, exc, error, missing) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise error(f"{label} is {kind_of(mode)}, not a file; give a regular file")
        _blocking(fd)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


def read_limited(handle: BinaryIO, limit: int, label: str, *,
                 error: type[ConfigError] = ConfigError) -> bytes:
    """All of ``handle`` if it holds at most ``limit`` bytes, else ``error``.

    The count is of the bytes really read, not of the size the file reports.
    """
    try:
        claimed = os.fstat(handle.fileno()).st_size
        if claimed > limit:
            raise error(too_large(label, claimed, limit))
        parts = []
        total = 0
        while True:
            part = handle.read(min(CHUNK, limit + 1 - total))
            if not part:
                break
            total += len(part)
            if total > limit:
                raise error(too_large(label, None, limit))
            parts.append(part)
    except OSError as exc:
        raise error(f"cannot read {label}: {exc.strerror or type(exc).__name__}") from None
    return b"".join(parts)


def too_large(label: str, size: int | None, limit: int) -> str:
    """"<label> is 600 MiB; at most 512 MiB can be read" (size None: "more than")."""
    what = f"{size / 2**20:,.0f} MiB" if size is not None else f"more than {_amount(limit)}"
    return f"{label} is {what}; at most {_amount(limit)} can be read"


def _amount(n: int) -> str:
    return f"{n // 2**20:,} MiB" if n >= 2**20 else f"{n:,} bytes"


def _blocking(fd: int) -> None:
    """Reads of a regular file never block anyway; clear the flag all the same."""
    if hasattr(os, "set_blocking"):
        with contextlib.suppress(OSError):
            os.set_blocking(fd, True)


def _open_error(name: str, label: str, exc: OSError, error: type[ConfigError],
                missing: str | None) -> ConfigError:
    if isinstance(exc, FileNotFoundError):
        return error(missing or f"{label} does not exist")
    if isinstance(exc, IsADirectoryError):
        return error(f"{label} is a folder, not a file; give a regular file")
    if isinstance(exc, PermissionError):
        if os.path.isdir(name):  # Windows refuses to open a folder as a file
            return error(f"{label} is a folder, not a file; give a regular file")
        return error(f"cannot read {label}: permission denied")
    if exc.errno == errno.ENXIO:  # a socket (or a device without its driver)
        try:
            mode = os.stat(name).st_mode
        except OSError:
            mode = 0
        return error(f"{label} is {kind_of(mode)}, not a file; give a regular file")
    if exc.errno == errno.ENAMETOOLONG:
        return error(f"cannot read {label}: the file name is too long")
    return error(f"cannot read {label}: {exc.strerror or type(exc).__name__}")
