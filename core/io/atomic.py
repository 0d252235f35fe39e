"""Write files all-or-nothing: a temporary file in the same folder, renamed
into place, so a failed or interrupted write never leaves a partial file or
destroys an existing one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from core.errors import ConfigError


def describe_os_error(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; rename it over ``path`` on success.

    Any exception inside the block removes the temporary file and leaves
    ``path`` untouched. OS errors become `ConfigError` naming the path.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise ConfigError(f"cannot write {str(target)!r}: it is a folder")
    if not folder.is_dir():
        raise ConfigError(f"cannot write {str(target)!r}: folder {str(folder)!r} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ConfigError(f"cannot write {str(target)!r}: {describe_os_error(exc)}") from None
    try:
        # mkstemp makes the file private (0600); give it the usual permissions
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        _remove_quietly(tmp)
        raise ConfigError(f"cannot write {str(target)!r}: {describe_os_error(exc)}") from None
    except BaseException:
        _remove_quietly(tmp)
        raise


def atomic_write(
    path: str | os.PathLike[str], write: Callable[[IO[Any]], None], mode: str = "w", **kwargs: Any
) -> None:
    """Call ``write(handle)`` on a temporary file and move it to ``path``."""
    with atomic_open(path, mode, **kwargs) as handle:
        write(handle)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove_quietly(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)
