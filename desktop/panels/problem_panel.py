"""The problem: which loss to descend, its options, the start point, the pair shown.

Bound to ``model.knobs`` both ways: an edit calls its setter (a refused value
shows its message next to the field and changes nothing), and a change of
the knobs, wherever it came from, shows here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from core import ConfigError
from desktop.model.slicing import many_params
from desktop.panels.plane_panel import PlanePanel
from desktop.panels.widgets import (
    FieldWithError,
    chain_tab_order,
    format_number,
    parse_numbers,
    row,
)

if TYPE_CHECKING:
    from desktop.model import WindowModel
    from desktop.model.knobs import KnobsChange

OPTION_TIPS = {
    "condition": "How many times steeper the bowl is along its steep axis than its flat one.",
    "angle": "How many degrees the bowl's axes are turned away from the weights' axes.",
}


class ProblemPanel(QWidget):
    """"Problem", its options, "start" and the pair shown, bound to ``model.knobs``."""

    def __init__(self, model: WindowModel, problems: list[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.m = model
        self.combo = QComboBox()
        self.combo.setAccessibleName("Problem")
        # long titles must not widen the knobs panel: the list shows them in full
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(16)
        for name, title in problems:
            self.combo.addItem(title, name)
        self._builtin = {name for name, _title in problems}
        self.combo.setToolTip("The loss to descend: the seeds' worked examples "
                              "and classic test surfaces.")
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setToolTip("What this problem is and what to watch for.")
        self.options_box = QWidget()
        self.options_form = QFormLayout(self.options_box)
        self.options_form.setContentsMargins(0, 0, 0, 0)
        self.option_fields: dict[str, FieldWithError] = {}
        self.start = FieldWithError(
            "The weights and bias the descent starts from, one number per parameter; "
            "you can also drag the start point on the plot.", "3, 4", name="start")
        self.axis_x = QComboBox()
        self.axis_x.setAccessibleName("show")
        self.axis_y = QComboBox()
        self.axis_y.setAccessibleName("against")
        for combo in (self.axis_x, self.axis_y):
            combo.setToolTip("The two parameters the contour plot shows; the others are "
                             "held at the current step's values.")
        self.axes_row = row(QLabel("show"), self.axis_x, QLabel("against"), self.axis_y)
        self.start_label = QLabel("start")
        self.plane = PlanePanel(model, self)
        # a box layout, not a form: QFormLayout mis-sizes word-wrapped labels that span
        # the whole row (the description overlapped the fields below it)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.description)
        layout.addWidget(self.options_box)
        start_row = QHBoxLayout()
        start_row.addWidget(self.start_label)
        start_row.addWidget(self.start, 1)
        layout.addLayout(start_row)
        layout.addWidget(self.plane)
        layout.addWidget(self.axes_row)
        self.combo.currentIndexChanged.connect(self._on_combo_index_changed)
        self.start.edited.connect(self._on_start_edited)
        self.axis_x.currentIndexChanged.connect(self._on_axis_changed)
        self.axis_y.currentIndexChanged.connect(self._on_axis_changed)
        model.knobs.changed.connect(self._on_knobs_changed)
        self._show_problem()

    # ------------------------------------------------------------ model -> view
    def _on_knobs_changed(self, change: KnobsChange) -> None:
        k = self.m.knobs
        if change.new_problem:
            self._show_problem()
            return
        if "start" in change:
            self.show_start(k.start)
        if "axes" in change:
            self.show_axes(k.axes)
        if "plane" in change:
            self._show_axes_row()

    def _show_problem(self) -> None:
        k = self.m.knobs
        self.show_problem(k.problem, dict(k.config.options), k.start, k.axes)

    def show_problem(self, problem: Any, options: dict[str, Any], start: tuple[float, ...],
                     axes: tuple[int, int]) -> None:
        with QSignalBlocker(self.combo):
            self._show_in_combo(problem)
        self.description.setText(problem.description)
        self._build_options(problem.name, options)
        seeded = many_params(problem)
        if seeded:  # a hundred weights are no line to type: the seed option sets them
            seed = options.get("seed", dict(getattr(problem, "options", {}) or {}).get("seed", 0))
            self.start_label.setText(f"start: seeded initialisation (seed {seed})")
        else:
            self.start_label.setText("start (" + ", ".join(problem.param_names) + ")")
        self.start.setVisible(not seeded)
        self.start.field.setAccessibleName(self.start_label.text())
        self.show_start(start)
        names = list(problem.param_names)
        for combo in (self.axis_x, self.axis_y):
            with QSignalBlocker(combo):
                combo.clear()
                combo.addItems(names)
        self.show_axes(axes)
        self._show_axes_row()

    def _show_axes_row(self) -> None:
        k = self.m.knobs
        self.axes_row.setVisible(k.problem.n_params > 2 and k.plane.kind == "axes")

    def _show_in_combo(self, problem: Any) -> None:
        # a typed formula or a data set gets one extra entry, removed again when a
        # built-in is shown: picking a built-in is how the user leaves it
        last = self.combo.count() - 1
        if self.combo.itemData(last) not in self._builtin:
            self.combo.removeItem(last)
        if problem.name not in self._builtin:
            title = problem.title if len(problem.title) <= 40 else problem.title[:39] + "…"
            self.combo.addItem(f"Yours: {title}", problem.name)  # short: the dock keeps its width
            self.combo.setItemData(self.combo.count() - 1, problem.title,
                                   Qt.ItemDataRole.ToolTipRole)
        self.combo.setCurrentIndex(max(0, self.combo.findData(problem.name)))

    def show_start(self, start: tuple[float, ...]) -> None:
        self.start.show_text(", ".join(format_number(v) for v in start))
        self.start.clear_error()

    def show_axes(self, axes: tuple[int, int]) -> None:
        for combo, i in ((self.axis_x, axes[0]), (self.axis_y, axes[1])):
            with QSignalBlocker(combo):
                combo.setCurrentIndex(i)

    def show_start_error(self, message: str) -> None:
        self.start.show_error(message)

    def show_option_error(self, name: str, message: str) -> None:
        field = self.option_fields.get(name)
        if field is not None:
            field.show_error(message)
        elif self.option_fields:
            next(iter(self.option_fields.values())).show_error(message)

    def _build_options(self, name: str, options: dict[str, Any]) -> None:
        import core

        defaults = core.problem_options(name) if name in self._builtin else {}
        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        self.option_fields = {}
        for key, default in defaults.items():
            tip = OPTION_TIPS.get(key, f"The problem's option {key!r}.")
            field = FieldWithError(tip, str(default), name=key)
            value = options.get(key, default)
            field.show_text(format_number(value) if isinstance(value, float) else str(value))
            field.edited.connect(lambda _t, k=key: self._on_option_edited(k))
            self.option_fields[key] = field
            self.options_form.addRow(key, field)
        self.options_box.setVisible(bool(defaults))
        chain_tab_order([self.combo, *self.option_fields.values(), self.start, self.axis_x,
                         self.axis_y])

    # ------------------------------------------------------------ view -> model
    def _on_combo_index_changed(self, index: int) -> None:
        name = self.combo.itemData(index)
        if name not in self._builtin:  # the "Yours" entry is already the problem in force
            return
        try:
            self.m.knobs.set_problem(name)
        except ConfigError as exc:
            self._show_problem()  # back to the problem in force
            self.start.show_error(str(exc))

    def _on_start_edited(self, text: str) -> None:
        try:
            values = parse_numbers(text)
            self.m.knobs.set_start(values)
        except (ValueError, ConfigError) as exc:
            self.start.show_error(str(exc))
            return
        self.start.clear_error()

    def _on_option_edited(self, key: str) -> None:
        import core

        defaults = core.problem_options(self.m.knobs.problem.name)
        options: dict[str, Any] = {}
        for name, field in self.option_fields.items():
            text = field.text().strip()
            try:
                options[name] = _parse_option(defaults.get(name), text)
            except ValueError:
                kind = "a whole number" if isinstance(defaults.get(name), int) else "a number"
                self.option_fields[key].show_error(f"{name} must be {kind}, got {text!r}")
                return
        try:
            self.m.knobs.set_problem(self.m.knobs.problem.name, **options)
        except ConfigError as exc:
            message = str(exc)
            self.show_option_error(next((k for k in options if k in message), key), message)

    def _on_axis_changed(self, _index: int) -> None:
        try:
            self.m.knobs.set_axes(self.axis_x.currentIndex(), self.axis_y.currentIndex())
        except ConfigError as exc:
            self.show_axes(self.m.knobs.axes)  # back to the pair in force
            self.start.show_error(str(exc))
            return
        self.start.clear_error()


def _parse_option(default: Any, text: str) -> Any:
    """An option's text as the type of its default (a network's layers and activation
    are words, its seed and points whole numbers, the rest numbers)."""
    if isinstance(default, str):
        return text
    if isinstance(default, int) and not isinstance(default, bool):
        return int(text)
    return float(text)
