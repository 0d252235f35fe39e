"""``lr-playground``: start the window."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Open the LR Playground window; returns the exit status."""
    argv = list(sys.argv if argv is None else argv)
    from PySide6.QtWidgets import QApplication, QLabel  # noqa: PLC0415

    app = QApplication.instance() or QApplication(argv)
    label = QLabel("LR Playground — the window is under construction; use lr-playground-cli.")
    label.setWindowTitle("LR Playground")
    label.resize(640, 120)
    label.show()
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
