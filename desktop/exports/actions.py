"""What File → Export…, File → Export bundle… and Edit → Copy rows do in the window.

The window only wires menu entries to these methods. Each interactive method
asks (the export dialog, a file dialog) and then calls a plain method that
tests can call directly with a path; failures become one message box that
names the path and the reason, and the window carries on.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QWidget

from core.errors import ConfigError
from desktop.exports import clipboard
from desktop.exports.bundle import write_bundle
from desktop.exports.export_dialog import TABLE, ExportChoice, ExportDialog
from desktop.exports.plot_export import export_plot, regions_of
from desktop.exports.table_export import TABLE_FORMATS, export_table

if TYPE_CHECKING:
    from desktop.session_io import SessionIO

log = logging.getLogger(__name__)

FOLDER_KEY = "exports/folder"
FILTERS = {"png": "PNG image (*.png)", "svg": "SVG image (*.svg)", "pdf": "PDF document (*.pdf)",
           "csv": "CSV table (*.csv)", "tsv": "TSV table (*.tsv)", "md": "Markdown (*.md)",
           "json": "JSON (*.json)"}
EXTENSIONS = {"png": ".png", "svg": ".svg", "pdf": ".pdf",
              **{k: ext for k, (ext, _m) in TABLE_FORMATS.items()}}


class ExportActions(QObject):
    """Exports of the window's plots and step table, and the bundle folder."""

    def __init__(self, window: Any, sessions: SessionIO) -> None:
        super().__init__(window)
        self.w = window
        self.sessions = sessions

    # ------------------------------------------------------------ what there is
    def plot_widgets(self) -> dict[str, QWidget]:
        """The plots that exist now, by key; "area" is all of them as laid out."""
        plots = self.w.plots
        if not plots.built:
            return {}
        one_d = self.w.controller.problem.n_params == 1
        out: dict[str, QWidget] = {}
        if not one_d or plots.has("line"):
            out["path"] = plots.path_view(one_d)
        out["loss"] = plots.loss
        out["sweep"] = plots.sweep
        out["area"] = plots
        return out

    def targets(self) -> list[tuple[str, str]]:
        one_d = self.w.controller.problem.n_params == 1
        labels = {"path": "Loss over the weight" if one_d else "Contour and path",
                  "loss": "Loss curve", "sweep": "Learning-rate sweep",
                  "area": "Whole plot area"}
        out = [(key, labels[key]) for key in self.plot_widgets()]
        return [*out, (TABLE, "Step table")]

    def selected_rows(self) -> list[int]:
        return self.w.plots.table.selected_rows()

    def attach_copy_action(self, action: QAction) -> None:
        """Ctrl+C copies rows while the step table has focus (docked or floating); in a
        text field it still copies text. The Edit menu entry works from anywhere."""
        self.w.removeAction(action)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.w.plots.table.addAction(action)

    # ------------------------------------------------------------ interactive
    def export_interactive(self) -> None:
        sizes = {key: regions_of(widget)[1] for key, widget in self.plot_widgets().items()}
        choice = ExportDialog.ask(self.w, self.targets(), sizes, len(self.selected_rows()))
        if choice is None:
            return
        path = self._ask_path(choice)
        if path:
            self.export(choice, path)

    def bundle_interactive(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.w, "Export bundle into folder",
                                                  self._folder())
        if folder:
            self.bundle(folder)

    def _ask_path(self, choice: ExportChoice) -> str | None:
        ext = EXTENSIONS[choice.fmt]
        name = f"{self._stem()}-{self._file_name(choice.target)}{ext}"
        path, _filter = QFileDialog.getSaveFileName(
            self.w, "Export", os.path.join(self._folder(), name), FILTERS[choice.fmt])
        if not path:
            return None
        if not path.lower().endswith(ext):
            path += ext  # the format was chosen in the dialog; the name follows it
        return path

    # ------------------------------------------------------------ doing
    def export(self, choice: ExportChoice, path: str | os.PathLike[str]) -> bool:
        """Write ``choice`` to ``path``; a failure is shown, never raised."""
        try:
            if choice.target == TABLE:
                rows = self.selected_rows() if choice.selected_only else None
                export_table(self.w.controller.table, path, rows, choice.fmt)
            else:
                widget = self.plot_widgets().get(choice.target)
                if widget is None:
                    raise ConfigError("that plot is not shown yet")
                export_plot(widget, path, choice.fmt, scale=choice.scale, width=choice.width,
                            title=self.w.controller.problem.title)
        except ConfigError as exc:
            self._fail("Export failed", str(exc))
            return False
        self._remember_folder(Path(path).parent)
        self.w.controller.show_message(f"Exported to {os.fspath(path)}.")
        return True

    def bundle(self, folder: str | os.PathLike[str]) -> Path | None:
        """Write the bundle folder inside ``folder``; its path, or None (shown) on failure."""
        try:
            session = self.sessions.current_session()
            plots = {self._file_name(k): v for k, v in self.plot_widgets().items()}
            if not plots:
                raise ConfigError("nothing to export yet: the plots are shown once the window "
                                  "is open")
            where = write_bundle(folder, self.w.controller.problem.name, plots,
                                 self.w.controller.table, session)
        except ConfigError as exc:
            self._fail("Export bundle failed", str(exc))
            return None
        self._remember_folder(Path(folder))
        self.w.controller.show_message(f"Wrote the bundle {os.fspath(where)}.")
        return where

    def copy_rows(self) -> int:
        """Edit → Copy rows: the selected rows, with the header, as TSV (and CSV)."""
        table = self.w.controller.table
        rows = self.selected_rows()
        if table is None or not rows:
            self.w.controller.show_message("Select rows in the step table to copy them.")
            return 0
        try:
            n = clipboard.copy_rows(table, rows)
        except ConfigError as exc:  # a re-run shrank the table under the selection
            self.w.controller.show_message(str(exc))
            return 0
        self.w.controller.show_message(
            f"Copied {n} row{'s' if n != 1 else ''} with the header: paste them into a "
            "spreadsheet.")
        return n

    # ------------------------------------------------------------ helpers
    def _fail(self, title: str, message: str) -> None:
        log.warning("%s: %s", title, message)
        self.w.show_error(self.w, title, message)

    def _stem(self) -> str:
        return self.w.controller.problem.name

    def _file_name(self, target: str) -> str:
        one_d = self.w.controller.problem.n_params == 1
        return {"path": "line" if one_d else "contour", "loss": "loss-curve",
                "sweep": "lr-sweep", "area": "all-plots", TABLE: "steps"}[target]

    def _folder(self) -> str:
        folder = self.w.settings.get_str(FOLDER_KEY, "")
        return folder if folder and os.path.isdir(folder) else os.path.expanduser("~")

    def _remember_folder(self, folder: Path) -> None:
        self.w.settings.set_str(FOLDER_KEY, str(folder))
