"""Write files and folders all-or-nothing: built under a temporary name beside
the target and renamed into place only when complete, so a failed or
interrupted write never leaves a partial file nor destroys an existing one.

`atomic_path` is the one mechanism: it hands out a temporary path in the
target's folder and renames it on success. `atomic_open` opens that path for
Python code; writers that want a file name (Qt's image, SVG and PDF writers)
use `atomic_path` directly; `atomic_folder` does the same for a folder
(an export bundle). OS errors become a `ConfigError` naming the target. The
temporary file or folder is removed on any way out of the block: an
exception, Ctrl+C, or a signal the program turns into an exception (the
command line does so for SIGTERM and SIGHUP).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from core.checks import shown_path
from core.errors import ConfigError


def describe_os_error(exc: OSError) -> str:
    """An OS error in a few words ("Permission denied", "No space left on device")."""
    return exc.strerror or type(exc).__name__


def check_target(path: str | os.PathLike[str]) -> Path:
    """Refuse a folder or a missing parent folder before any work is done."""
    target = Path(path)
    if os.path.isdir(target):  # os.path's answer: False, not an error, for a name too long
        raise ConfigError(f"cannot write {shown_path(target)}: it is a folder")
    folder = target.parent if str(target.parent) else Path(".")
    if not os.path.isdir(folder):
        raise ConfigError(f"cannot write {shown_path(target)}: folder {shown_path(folder)} "
                          "does not exist")
    return target


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, require_data: bool = False) -> Iterator[str]:
    """Yield a temporary file name beside ``path``; rename it to ``path`` on success.

    The real extension stays last (some writers pick the format from it).
    With ``require_data`` an empty result is an error (a writer that failed
    without saying so). Any exception removes the temporary file and leaves
    ``path`` as it was.
    """
    target = check_target(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}",
                                   dir=target.parent if str(target.parent) else ".")
    except OSError as exc:
        raise ConfigError(f"cannot write {shown_path(target)}: {describe_os_error(exc)}") from None
    # from here on any ending removes the temporary file: an error, Ctrl+C (KeyboardInterrupt),
    # or SIGTERM, which the command line turns into SystemExit
    with _cleaned_up(target, lambda: _remove_quietly(tmp)):
        os.close(fd)
        # mkstemp makes the file private (0600); give it the usual permissions
        os.chmod(tmp, 0o666 & ~current_umask())
        yield tmp
        if require_data and os.path.getsize(tmp) == 0:
            raise ConfigError(f"cannot write {shown_path(target)}: the writer produced no data")
        os.replace(tmp, target)


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; it replaces ``path`` when the block ends."""
    with atomic_path(path) as tmp, open(tmp, mode, **kwargs) as handle:
        yield handle
        handle.flush()
        os.fsync(handle.fileno())


def write_to(target: str | os.PathLike[str] | IO[str], write: Callable[[IO[str]], None]) -> None:
    """``write(handle)`` to an open text file, or all-or-nothing to a path (UTF-8)."""
    if hasattr(target, "write"):
        write(target)  # type: ignore[arg-type]
        return
    with atomic_open(target, "w", encoding="utf-8", newline="") as handle:  # type: ignore[arg-type]
        write(handle)


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; rename it to ``path`` on success."""
    target = Path(path)
    try:
        work = tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise ConfigError(f"cannot write {shown_path(target)}: {describe_os_error(exc)}") from None
    with _cleaned_up(target, lambda: shutil.rmtree(work, ignore_errors=True)):
        os.chmod(work, 0o777 & ~current_umask())  # mkdtemp's folder is private (0700)
        yield Path(work)
        os.rename(work, target)


@contextlib.contextmanager
def _cleaned_up(target: Path, remove: Callable[[], None]) -> Iterator[None]:
    """On any exception run ``remove``; an OS error becomes a ConfigError naming ``target``."""
    try:
        yield
    except OSError as exc:
        remove()
        raise ConfigError(f"cannot write {shown_path(target)}: {describe_os_error(exc)}") from None
    except BaseException:
        remove()
        raise


def current_umask() -> int:
    """The process's umask (reading it means setting it: set it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
