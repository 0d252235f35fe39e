"""The plots' own "Export…" entry in their right-click menu.

pyqtgraph's scene puts "Export..." into every plot's right-click menu; it
opens pyqtgraph's export dialog, whose Matplotlib exporter needs matplotlib
(not installed: "No module named 'matplotlib'"), whose HDF5 exporter needs
h5py, and whose SVG exporter fails on Qt 6.11 and later. The views drop that
entry; once the window hands them a handler (`set_export_handler`), the menu
offers "Export…" again, opening the app's own export dialog, which writes
PNG, SVG and PDF that work, with the run's title.

The view box's own menu (view all, the axes' ranges, the mouse mode) stays,
built at the first right-click (`LazyMenuViewBox`).
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtGui import QAction

EXPORT_TEXT = "Export…"


class ExportEntry:
    """Mixed into the plot views (``pg.PlotWidget`` subclasses)."""

    def _init_export_entry(self) -> None:
        self._export_handler: Callable[[], None] | None = None
        self.export_action = QAction(EXPORT_TEXT, self)  # type: ignore[arg-type]
        self.export_action.setToolTip("Export this plot as PNG, SVG or PDF, with the run's title")
        self.export_action.triggered.connect(self._on_export_action_triggered)
        self.scene().contextMenu = []  # type: ignore[attr-defined]  # pyqtgraph's entry: gone

    def set_export_handler(self, handler: Callable[[], None] | None) -> None:
        """What the right-click "Export…" does (None: the menu has no export entry)."""
        self._export_handler = handler
        self.scene().contextMenu = [self.export_action] if handler else []  # type: ignore[attr-defined]

    def _on_export_action_triggered(self, _checked: bool = False) -> None:
        if self._export_handler is not None:
            self._export_handler()


class LazyMenuViewBox(pg.ViewBox):
    """A view box whose right-click menu is built when first asked for: made with the
    plot, its widgets are a sixth of what a plot costs before the window's first
    paint, for a menu most sessions never open."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["enableMenu"] = False
        super().__init__(*args, **kwargs)
        self.state["enableMenu"] = True  # on; pyqtgraph would have built it by now

    def setMenuEnabled(self, enableMenu: bool = True) -> None:  # pyqtgraph override
        if enableMenu and self.menu is None:
            self.state["enableMenu"] = True
            self.sigStateChanged.emit(self)
            return
        super().setMenuEnabled(enableMenu)

    def getMenu(self, ev):  # pyqtgraph override
        self._build_menu()
        return super().getMenu(ev)

    def getContextMenus(self, event):  # pyqtgraph override
        self._build_menu()
        return super().getContextMenus(event)

    def _build_menu(self) -> None:
        if self.menu is None and self.menuEnabled():
            super().setMenuEnabled(True)
