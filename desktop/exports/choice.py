"""What an export is asked to write (`ExportChoice`): kept apart from the dialog that
asks for it, so the window can remember a choice without loading the dialog."""

from __future__ import annotations

from dataclasses import dataclass

TABLE = "table"
DEFAULT_SCALE = 2.0


@dataclass(frozen=True)
class ExportChoice:
    """What the user asked for."""

    target: str  # a plot key ("path", "loss", "sweep"), "area" or "table"
    fmt: str  # png, svg, pdf, csv, tsv, md, json
    scale: float = DEFAULT_SCALE  # PNG only: times the size on screen
    width: int | None = None  # PNG only: pixels wide (wins over scale)
    selected_only: bool = False  # table only
