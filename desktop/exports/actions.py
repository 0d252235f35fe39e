"""What File → Export…, File → Export bundle… and Edit → Copy rows do in the window.

The window only wires menu entries to these methods. Each interactive method
asks (the export dialog, a file dialog) and then calls a plain method that
tests can call directly with a path; failures become one message box that
names the path and the reason, and the window carries on.

Exported figures carry the run's title line (`figure_title`). The dialog
opens with the last choice made (format, target, size, rows), kept in the
window's settings so it survives a restart. Each plot's own right-click menu
offers "Export…" into the same dialog, with that plot chosen; pyqtgraph's
own export entry, whose Matplotlib, HDF5 and SVG exporters fail here, is
gone (the views replace it, see `desktop.views._menu`).
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
from desktop.exports.choice import TABLE, ExportChoice
from desktop.exports.table_export import TABLE_FORMATS, export_table
from desktop.exports.titles import run_title

if TYPE_CHECKING:
    from desktop.session_io import SessionIO

log = logging.getLogger(__name__)

FOLDER_KEY = "exports/folder"
CHOICE_KEY = "exports/last_choice"  # the export dialog's last choice, as JSON
# the plots whose right-click menu offers "Export…", and the dialog's target for each
VIEW_TARGETS = {"contour": "path", "line": "path", "loss": "loss", "sweep": "sweep"}
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
        self._last: ExportChoice | None = None  # this session's last choice
        plots = getattr(window, "plots", None)
        if plots is not None and hasattr(plots, "on_built"):
            for name, target in VIEW_TARGETS.items():
                plots.on_built(name, lambda view, t=target: self._offer_export(view, t))

    def _offer_export(self, view: Any, target: str) -> None:
        """The plot's right-click "Export…" opens the export dialog with this plot chosen."""
        set_handler = getattr(view, "set_export_handler", None)
        if set_handler is not None:
            set_handler(lambda: self.export_interactive(target=target))

    # ------------------------------------------------------------ what there is
    def plot_widgets(self) -> dict[str, QWidget]:
        """The plots that exist now, by key; "area" is all of them as laid out."""
        plots = self.w.plots
        if not plots.built:
            return {}
        one_d = self.w.model.knobs.problem.n_params == 1
        out: dict[str, QWidget] = {}
        if not one_d or plots.has("line"):
            out["path"] = plots.path_view(one_d)
        out["loss"] = plots.loss
        out["sweep"] = plots.sweep
        out["area"] = plots
        return out

    def targets(self) -> list[tuple[str, str]]:
        one_d = self.w.model.knobs.problem.n_params == 1
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

    # ------------------------------------------------------------ what the figure says
    def figure_title(self) -> str:
        """The title line of an exported figure: problem, optimizer with its non-default
        hyper-parameters, learning rate (and schedule), steps, and how the run ended."""
        model = self.w.model
        cfg = model.knobs.config
        schedule = getattr(cfg, "schedule", None)
        words = None
        if isinstance(schedule, dict) and schedule.get("name") not in (None, "constant"):
            params = ", ".join(f"{k} {v:g}" if isinstance(v, int | float) else f"{k} {v}"
                               for k, v in schedule.items() if k != "name")
            words = f"{schedule['name']} schedule" + (f": {params}" if params else "")
        trainer = model.trainer
        outcome = None
        if getattr(trainer, "status", None) == "diverged" and trainer.diverged_at is not None:
            outcome = f"diverged at step {int(trainer.diverged_at)}"
        return run_title(model.knobs.problem.title, cfg.optimizer, cfg.lr, cfg.steps,
                         hyper=getattr(cfg, "hyper", None), schedule=words, outcome=outcome)

    # ------------------------------------------------------------ the last choice
    def last_choice(self) -> ExportChoice | None:
        """The dialog's last choice: this session's, else the one saved in the settings."""
        if self._last is not None:
            return self._last
        saved = self.w.settings.get_json(CHOICE_KEY, None)
        if not isinstance(saved, dict):
            return None
        try:
            width = saved.get("width")
            return ExportChoice(target=str(saved["target"]), fmt=str(saved["fmt"]),
                                scale=float(saved.get("scale", 2.0)),
                                width=None if width is None else int(width),
                                selected_only=bool(saved.get("selected_only", False)))
        except (KeyError, TypeError, ValueError):
            return None  # an older or hand-edited settings file: start afresh

    def remember_choice(self, choice: ExportChoice) -> None:
        self._last = choice
        self.w.settings.set_json(CHOICE_KEY, {
            "target": choice.target, "fmt": choice.fmt, "scale": choice.scale,
            "width": choice.width, "selected_only": choice.selected_only})

    # ------------------------------------------------------------ interactive
    def export_interactive(self, *_args: Any, target: str | None = None) -> None:
        """Ask what and where (the dialog opens with ``target``, else the last choice)."""
        # the dialog and the figure code are not needed before the window's first paint
        from desktop.exports.export_dialog import ExportDialog
        from desktop.exports.plot_export import canvas_size

        title = self.figure_title()
        sizes = {key: canvas_size(widget, title) for key, widget in self.plot_widgets().items()}
        initial = self.last_choice()
        if target is not None:
            initial = (ExportChoice(target, "png") if initial is None
                       else ExportChoice(target, initial.fmt, initial.scale, initial.width,
                                         initial.selected_only))
        choice = ExportDialog.ask(self.w, self.targets(), sizes, len(self.selected_rows()),
                                  initial=initial)
        if choice is None:
            return
        self.remember_choice(choice)
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
        from desktop.exports.plot_export import export_plot  # not needed before the first paint

        try:
            if choice.target == TABLE:
                rows = self.selected_rows() if choice.selected_only else None
                export_table(self.w.model.table, path, rows, choice.fmt)
            else:
                widget = self.plot_widgets().get(choice.target)
                if widget is None:
                    raise ConfigError("that plot is not shown yet")
                export_plot(widget, path, choice.fmt, scale=choice.scale, width=choice.width,
                            title=self.figure_title())
        except ConfigError as exc:
            self._fail("Export failed", str(exc))
            return False
        self._remember_folder(Path(path).parent)
        self.w.model.show_message(f"Exported to {os.fspath(path)}.")
        return True

    def bundle(self, folder: str | os.PathLike[str]) -> Path | None:
        """Write the bundle folder inside ``folder``; its path, or None (shown) on failure."""
        from desktop.exports.bundle import write_bundle  # not needed before the first paint

        try:
            session = self.sessions.current_session()
            plots = {self._file_name(k): v for k, v in self.plot_widgets().items()}
            if not plots:
                raise ConfigError("nothing to export yet: the plots are shown once the window "
                                  "is open")
            where = write_bundle(folder, self.w.model.knobs.problem.name, plots,
                                 self.w.model.table, session, title=self.figure_title())
        except ConfigError as exc:
            self._fail("Export bundle failed", str(exc))
            return None
        self._remember_folder(Path(folder))
        self.w.model.show_message(f"Wrote the bundle {os.fspath(where)}.")
        return where

    def copy_rows(self) -> int:
        """Edit → Copy rows: the selected rows, with the header, as TSV (and CSV)."""
        table = self.w.model.table
        rows = self.selected_rows()
        if table is None or not rows:
            self.w.model.show_message("Select rows in the step table to copy them.")
            return 0
        try:
            n = clipboard.copy_rows(table, rows)
        except ConfigError as exc:  # a re-run shrank the table under the selection
            self.w.model.show_message(str(exc))
            return 0
        self.w.model.show_message(
            f"Copied {n} row{'s' if n != 1 else ''} with the header: paste them into a "
            "spreadsheet.")
        return n

    # ------------------------------------------------------------ helpers
    def _fail(self, title: str, message: str) -> None:
        log.warning("%s: %s", title, message)
        self.w.show_error(self.w, title, message)

    def _stem(self) -> str:
        return self.w.model.knobs.problem.name

    def _file_name(self, target: str) -> str:
        one_d = self.w.model.knobs.problem.n_params == 1
        return {"path": "line" if one_d else "contour", "loss": "loss-curve",
                "sweep": "lr-sweep", "area": "all-plots", TABLE: "steps"}[target]

    def _folder(self) -> str:
        folder = self.w.settings.get_str(FOLDER_KEY, "")
        return folder if folder and os.path.isdir(folder) else os.path.expanduser("~")

    def _remember_folder(self, folder: Path) -> None:
        self.w.settings.set_str(FOLDER_KEY, str(folder))
