"""All-or-nothing writes for Qt's writers (QImage.save, QSvgGenerator, QPdfWriter).

Qt's writers want a file name, not an open handle, so `core.atomic.atomic_open`
does not fit them: they get a temporary *path* beside the target instead, and
the file is renamed over the target only once the writer has finished.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from core.errors import ConfigError
from core.io.atomic import describe_os_error


def check_target(path: str | os.PathLike[str]) -> Path:
    """Refuse a folder or a missing parent folder before any work is done."""
    target = Path(path)
    if target.is_dir():
        raise ConfigError(f"cannot write {str(target)!r}: it is a folder")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ConfigError(f"cannot write {str(target)!r}: folder {str(folder)!r} does not exist")
    return target


@contextlib.contextmanager
def temp_path_beside(path: str | os.PathLike[str]) -> Iterator[str]:
    """Yield a temporary file name in ``path``'s folder; rename it to ``path`` on success.

    The suffix keeps the real extension last, because some writers (QImage.save
    without a format) pick the format from it. Any exception removes the
    temporary file and leaves ``path`` as it was.
    """
    target = check_target(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{target.suffix}",
                                   dir=target.parent if str(target.parent) else ".")
        os.close(fd)
        # mkstemp makes the file private (0600); an export gets the usual permissions
        os.chmod(tmp, 0o666 & ~current_umask())
    except OSError as exc:
        raise ConfigError(f"cannot write {str(target)!r}: {describe_os_error(exc)}") from None
    try:
        yield tmp
        if os.path.getsize(tmp) == 0:
            raise ConfigError(f"cannot write {str(target)!r}: the writer produced no data")
        os.replace(tmp, target)
    except OSError as exc:
        remove_quietly(tmp)
        raise ConfigError(f"cannot write {str(target)!r}: {describe_os_error(exc)}") from None
    except BaseException:
        remove_quietly(tmp)
        raise


def remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def remove_tree_quietly(path: str | os.PathLike[str]) -> None:
    shutil.rmtree(path, ignore_errors=True)


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
