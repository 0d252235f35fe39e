"""`OwnProblemBinder`: a typed formula or a data file becomes the model's problem.

core builds and checks the problem (`core.formula_problem`, `core.data_problem`);
a `ConfigError` (a `FormulaError` with its column, a `DataError` with its
line) is shown next to the field, or in a message box for a file just opened,
and nothing changes: the knobs take a problem only once it is built. A good
load clears the error a failed one left.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QWidget

import core
from core import ConfigError
from core.io.datatable import column_names
from core.session import ProblemRef

if TYPE_CHECKING:
    from desktop.model import Gauge, WindowModel
    from desktop.model.knobs import KnobsChange
    from desktop.panels.data_panel import DataPanel
    from desktop.panels.formula_panel import FormulaPanel

log = logging.getLogger(__name__)

FILE_FILTER = "Data files (*.csv *.tsv *.txt *.dat);;All files (*)"


class OwnProblemBinder(QObject):
    """Connects the formula and data panels (and File → Open data…) to the model."""

    def __init__(self, model: WindowModel, formula: FormulaPanel, data: DataPanel,
                 dialog_parent: QWidget, show_error: Callable[..., Any]) -> None:
        super().__init__(dialog_parent)
        self.m = model
        self.formula = formula
        self.data = data
        self._parent = dialog_parent
        self._show_error = show_error
        self.data_path: str | None = None
        self._columns: list[str] = []
        self._loading = False  # load_data shows the data itself once it is in force
        self.formula.formulaApplied.connect(self._on_formula_applied)
        self.data.openClicked.connect(self.open_data)
        self.data.dataEdited.connect(self._on_data_edited)
        model.knobs.changed.connect(self._on_knobs_changed)
        model.insight.gauge_changed.connect(self._on_insight_gauge_changed)
        # made after the window's first paint: a formula or data problem restored from
        # the settings or a session is already in force
        self._show_problem()
        self._on_insight_gauge_changed(model.insight.gauge)

    # ------------------------------------------------------------ formula
    def _on_formula_applied(self, text: str, start: Any) -> None:
        try:
            problem = core.formula_problem(text, start=start)
            ref = ProblemRef(formula=problem.formula, params=tuple(problem.param_names))
            self.m.knobs.set_custom_problem(problem, ref)
        except ConfigError as exc:
            self.formula.show_apply_error(str(exc), getattr(exc, "column", None))

    # ------------------------------------------------------------ data
    def open_data(self) -> None:
        """Ask for a file (File → Open data…) and load it with the panel's choices."""
        folder = os.path.dirname(self.data_path) if self.data_path else ""
        path, _ = QFileDialog.getOpenFileName(self._parent, "Open data", folder, FILE_FILTER)
        if not path:
            return
        choice = self.data.choices()
        choice.update(x_column=None, y_column=None)  # a new file: its first and last column
        message = self.load_data(path, choice)
        if message:
            self._show_error(self._parent, "Open data", message)

    def load_data(self, path: str, choice: dict[str, Any]) -> str:
        """Build and install the data problem; the error message, or "" if it worked."""
        if choice["x_column"] == []:  # every input deselected: nothing to fit
            message = "Choose at least one x column: the input the model fits y with."
            self.data.show_error(message)
            return message
        try:
            problem = core.data_problem(path, model=choice["model"],
                                        normalize=bool(choice["normalize"]),
                                        x_column=choice["x_column"], y_column=choice["y_column"])
            columns = column_names(path)
            last = len(columns) - 1
            x = choice["x_column"] if choice["x_column"] is not None else 0
            y = choice["y_column"] if choice["y_column"] is not None else last
            ref = ProblemRef(data=path, model=choice["model"],
                             normalize=bool(choice["normalize"]),
                             x_column=tuple(x) if isinstance(x, list | tuple) else x,
                             y_column=y)
            self._loading = True
            self.m.knobs.set_custom_problem(problem, ref)
        except (ConfigError, OSError) as exc:
            self.data.show_error(str(exc))
            return str(exc)
        finally:
            self._loading = False
        self.data_path, self._columns = path, columns
        self._show_data(ref, problem)
        self.data.show_error("")  # a good load clears what a failed one said
        return ""

    def _on_data_edited(self, choice: dict[str, Any]) -> None:
        if self.data_path is None:
            return
        if self.load_data(self.data_path, choice):
            k = self.m.knobs
            ref = k.problem_ref if k.is_custom else None
            if ref is not None and ref.data is not None:  # back to the choices in force
                self._show_data(ref, k.problem, keep_error=True)

    def _show_data(self, ref: ProblemRef, problem: Any, keep_error: bool = False) -> None:
        message = self.data.error.text() if keep_error else ""
        options = problem.options
        specs = ref.x_column if isinstance(ref.x_column, tuple) else (ref.x_column,)
        names = options.get("x_columns") or [options.get("x_column")]
        x = [_index(spec, name, self._columns) for spec, name in zip(specs, names, strict=False)]
        y = _index(ref.y_column, options.get("y_column"), self._columns)
        self.data.show_data(os.path.basename(ref.data or ""), self._columns, ref.model,
                            x[0] if len(x) == 1 else x, y, ref.normalize, problem.n_samples,
                            problem.param_names)
        if message:
            self.data.show_error(message)

    # ------------------------------------------------------------ model -> view
    def _on_knobs_changed(self, change: KnobsChange) -> None:
        if change.new_problem:
            self._show_problem()

    def _show_problem(self) -> None:
        k = self.m.knobs
        if not k.is_custom:
            self.data.show_curvature(None, None)
            return
        ref = k.problem_ref
        if ref.formula is not None and self.formula.field.text() != ref.formula:
            self.formula.show_formula(ref.formula, k.start)
        if ref.data is not None and not self._loading and ref.data != self.data_path:
            # restored from the settings or a session: read its columns
            try:
                self._columns = column_names(ref.data)
            except (ConfigError, OSError) as exc:  # gone, or no longer a regular file
                log.warning("cannot read the columns of %s: %s", ref.data, exc)
                return
            self.data_path = ref.data
            self._show_data(ref, k.problem)

    def _on_insight_gauge_changed(self, gauge: Gauge) -> None:
        k = self.m.knobs
        if k.is_custom and k.problem_ref.data is not None:
            self.data.show_curvature(gauge.lam_max, gauge.limit)
        else:
            self.data.show_curvature(None, None)

    def stop(self) -> None:
        self.formula.stop()


def _index(spec: Any, name: Any, columns: list[str]) -> int:
    """The list position of a column the problem was built on: ``spec`` as the
    reference gives it (an index, or a name from a session), ``name`` as core read it."""
    if isinstance(spec, int) and not isinstance(spec, bool) and -len(columns) <= spec < len(
            columns):
        return spec % len(columns)
    return columns.index(name) if name in columns else 0
