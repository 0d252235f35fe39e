"""One folder holding the whole experiment: plots (PNG + SVG), the step table, the session.

The folder is named after the problem and the time, built under a temporary
name beside where it will live, and renamed into place only when every file
is in it: a failed bundle leaves nothing behind.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import ConfigError
from core.io.atomic import atomic_folder
from desktop.exports.plot_export import export_plot

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from core.run.table import StepTable
    from core.session import Session

PNG_SCALE = 2.0  # slides and notes: twice the size on screen
TABLE_NAME = "steps.csv"
SESSION_NAME = "session.json"


def folder_name(problem: str, when: _dt.datetime | None = None) -> str:
    """``<problem>-<YYYYmmdd-HHMMSS>``, safe as a file name on every system."""
    when = when or _dt.datetime.now()
    slug = re.sub(r"[^a-z0-9]+", "-", problem.lower()).strip("-") or "problem"
    return f"{slug[:40]}-{when:%Y%m%d-%H%M%S}"


def write_bundle(parent: str | os.PathLike[str], problem: str, plots: dict[str, QWidget],
                 table: StepTable | None, session: Session,
                 when: _dt.datetime | None = None, *, title: str = "") -> Path:
    """Write the bundle folder inside ``parent``; return its path.

    ``title`` is the figures' heading line (the run; see `plot_export`).
    """
    base = Path(parent)
    if not base.is_dir():
        raise ConfigError(f"cannot write a bundle into {str(base)!r}: it is not a folder")
    if table is None or len(table) == 0:
        raise ConfigError("there is no run to bundle yet")
    final = _free_name(base, folder_name(problem, when))
    with atomic_folder(final) as work:
        _fill(work, plots, table, session, title)
    return final


def _fill(folder: Path, plots: dict[str, Any], table: StepTable, session: Session,
          title: str = "") -> None:
    for name, widget in plots.items():
        export_plot(widget, folder / f"{name}.png", scale=PNG_SCALE, title=title)
        export_plot(widget, folder / f"{name}.svg", title=title)
    table.to_csv(folder / TABLE_NAME)
    session.save(folder / SESSION_NAME)


def _free_name(base: Path, name: str) -> Path:
    """``name``, or ``name-2``, ``name-3``… when a bundle of the same second exists."""
    candidate = base / name
    n = 2
    while candidate.exists():
        candidate = base / f"{name}-{n}"
        n += 1
    return candidate

