"""Schedule, batches and backend: how the learning rate changes, which examples each
step sees, and where the gradient is computed. Three controls, each bound to
``model.knobs`` both ways."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QSpinBox, QWidget

from core import ConfigError
from core.optim.schedules import SCHEDULES, schedule_params
from desktop.panels.widgets import (
    ErrorLabel,
    FieldWithError,
    KnobsView,
    chain_tab_order,
    format_number,
    row,
)

if TYPE_CHECKING:
    from desktop.model import WindowModel

TORCH_HINT = 'PyTorch is not installed: pip install "lr-playground[torch]"'
SCHEDULE_TIPS = {
    "constant": "The same learning rate for every step.",
    "step": "Multiply the learning rate by gamma every step_size steps.",
    "exponential": "Multiply the learning rate by gamma after every step.",
    "cosine": "Ease the learning rate down to eta_min along half a cosine over T_max steps.",
    "warmup": "Start at a fraction of the learning rate and ramp up over total_iters steps.",
    "onecycle": "One cycle: rise from lr/div_factor to the learning rate, then anneal far "
                "below it by the end of total_steps (torch's OneCycleLR).",
    "cyclic": "Triangles between lr/div_factor and the learning rate, step_size_up steps up "
              "and step_size_down down (torch's CyclicLR).",
}
PARAM_TIPS = {
    "step_size": "How many steps between two cuts of the learning rate.",
    "gamma": "The factor the learning rate is multiplied by at each cut.",
    "T_max": "How many steps the cosine takes to reach eta_min.",
    "eta_min": "The smallest learning rate the cosine reaches.",
    "start_factor": "The fraction of the learning rate the first step uses.",
    "end_factor": "The fraction of the learning rate reached after the warm-up.",
    "total_iters": "How many steps the warm-up lasts.",
    "total_steps": "How many steps the one cycle lasts; after it the last rate holds.",
    "pct_start": "The share of the cycle spent rising to the learning rate.",
    "anneal_strategy": "How the rate moves in each phase: cos or linear.",
    "div_factor": "The low end of the cycle is the learning rate divided by this.",
    "final_div_factor": "The end of the one cycle is the low end divided by this.",
    "three_phase": "true: rise, fall back to the low end, then anneal (three phases).",
    "step_size_up": "How many steps each rise of the triangle takes.",
    "step_size_down": "How many steps each fall takes (0: as many as the rise).",
    "mode": "triangular, triangular2 (each cycle half as high) or exp_range.",
}
BATCHES = (("full", "full data"), ("sample", "one sample"), ("mini", "mini-batch"))


def _required_default(name: str, param: str, steps: int) -> float:
    """A starting value for a parameter the schedule needs (the user edits it)."""
    if param in ("T_max", "total_steps"):
        return max(1, steps)
    if param == "step_size":
        return max(1, steps // 4)
    if param == "step_size_up":
        return max(1, steps // 8)
    return 0.99 if name == "exponential" else 0.5


def _shown(value: Any) -> str:
    """A parameter's value as its field shows it: numbers compactly, words as words."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(float(value))
    return str(value)


def _typed(text: str) -> Any:
    """A field's text as the schedule takes it: a number where it reads as one, else the
    word itself (the schedule checks which words it allows)."""
    try:
        return float(text)
    except ValueError:
        return text.strip()


def _form(widget: QWidget) -> QFormLayout:
    form = QFormLayout(widget)
    form.setContentsMargins(4, 0, 4, 0)
    return form


class SchedulePanel(KnobsView, QWidget):
    """"schedule" and its parameters, bound to ``knobs.config.schedule``."""

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.m = model
        self.schedule = QComboBox()
        self.schedule.addItems(list(SCHEDULES))
        self.schedule.setAccessibleName("schedule")
        self.schedule.setToolTip("How the learning rate changes from step to step.")
        self.schedule_error = ErrorLabel()
        self.params_box = QWidget()
        self.params_form = QFormLayout(self.params_box)
        self.params_form.setContentsMargins(0, 0, 0, 0)
        self.param_fields: dict[str, FieldWithError] = {}
        form = _form(self)
        form.addRow("schedule", self.schedule)
        form.addRow(self.params_box)
        form.addRow(self.schedule_error)
        self.schedule.currentIndexChanged.connect(self._on_schedule_index_changed)
        self.watch_knobs(model, "schedule")

    def _show(self) -> None:
        spec = self.m.knobs.config.schedule or {"name": "constant"}
        with QSignalBlocker(self.schedule):
            self.schedule.setCurrentText(spec["name"])
        self._build_params(spec["name"], spec)
        self.schedule_error.clear_error()

    def _build_params(self, name: str, spec: dict[str, Any]) -> None:
        while self.params_form.rowCount():
            self.params_form.removeRow(0)
        self.param_fields = {}
        for param, default in schedule_params(name).items():
            value = spec.get(param, default)
            if value is None:
                value = _required_default(name, param, self.m.knobs.steps)
            field = FieldWithError(PARAM_TIPS.get(param, param), name=param)
            field.show_text(_shown(value))
            field.edited.connect(self._on_param_edited)
            self.param_fields[param] = field
            self.params_form.addRow(param, field)
        self.params_box.setVisible(bool(self.param_fields))
        self.schedule.setToolTip(SCHEDULE_TIPS.get(name, name))
        chain_tab_order([self.schedule, *self.param_fields.values()])

    def _spec(self) -> dict[str, Any] | None:
        spec: dict[str, Any] = {"name": self.schedule.currentText()}
        for param, field in self.param_fields.items():
            spec[param] = _typed(field.text())
        return spec

    def _on_schedule_index_changed(self, _index: int) -> None:
        name = self.schedule.currentText()
        self._build_params(name, {"name": name})
        self._on_param_edited()

    def _on_param_edited(self, *_args: Any) -> None:
        spec = self._spec()
        if spec is None:
            return
        try:
            self.m.knobs.set_schedule(None if spec["name"] == "constant" else spec)
        except ConfigError as exc:
            self.schedule_error.show_error(str(exc))
            return
        self.schedule_error.clear_error()


class BatchPanel(KnobsView, QWidget):
    """"batch", its size and "seed", bound to the knobs (a problem without data runs
    full-batch, so they are greyed out there)."""

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.m = model
        self.batch = QComboBox()
        for key, text in BATCHES:
            self.batch.addItem(text, key)
        self.batch.setAccessibleName("batch")
        self.batch.setToolTip("Which examples each step's gradient uses: all of them, one "
                              "at a time in order, or a shuffled mini-batch.")
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, 1_000_000)
        self.batch_size.setKeyboardTracking(False)
        self.batch_size.setAccessibleName("batch size")
        self.batch_size.setToolTip("How many examples each mini-batch holds.")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setKeyboardTracking(False)
        self.seed.setAccessibleName("seed")
        self.seed.setToolTip("The seed that shuffles the examples into mini-batches each epoch.")
        self.noise = FieldWithError(
            "Gaussian noise added to every gradient: its standard deviation (0: the exact "
            "gradient). It shows on a surface without data what mini-batches do to a data "
            "problem; the table's gradient columns hold the gradient actually used.",
            name="gradient noise")
        self.batch_error = ErrorLabel()
        form = _form(self)
        form.addRow("batch", row(self.batch, self.batch_size, stretch_last=True))
        form.addRow("seed", self.seed)
        form.addRow("gradient noise", self.noise)
        form.addRow(self.batch_error)
        self.noise.edited.connect(self._on_noise_edited)
        self.batch.currentIndexChanged.connect(self._on_batch_changed)
        self.batch_size.valueChanged.connect(self._on_batch_changed)
        self.seed.valueChanged.connect(self._on_seed_changed)
        self.watch_knobs(model, "batch", "seed", "noise")

    def _show(self) -> None:
        cfg, problem = self.m.knobs.config, self.m.knobs.problem
        batch = cfg.batch
        key = batch if batch in ("full", "sample") else "mini"
        for w in (self.batch, self.batch_size, self.seed):
            w.blockSignals(True)
        self.batch.setCurrentIndex(self.batch.findData(key))
        self.batch_size.setMaximum(max(1, problem.n_samples))
        if isinstance(batch, int):
            self.batch_size.setValue(batch)
        self.seed.setValue(cfg.seed)
        for w in (self.batch, self.batch_size, self.seed):
            w.blockSignals(False)
        self.noise.show_text(format_number(cfg.noise))
        has_data = problem.n_samples > 0
        self.batch.setEnabled(has_data)
        self.batch_size.setEnabled(has_data and key == "mini")
        # the seed draws the mini-batches and the gradient noise
        self.seed.setEnabled((has_data and key == "mini") or cfg.noise > 0)
        self.batch_error.clear_error()

    def _on_batch_changed(self, *_args: Any) -> None:
        key = self.batch.currentData()
        self.batch_size.setEnabled(key == "mini")
        self.seed.setEnabled(key == "mini")
        try:
            self.m.knobs.set_batch(self.batch_size.value() if key == "mini" else key)
        except ConfigError as exc:
            self._show()  # back to the batches in force
            self.batch_error.show_error(str(exc))

    def _on_noise_edited(self, text: str) -> None:
        try:
            self.m.knobs.set_noise(text)  # the config checks the text, as it checks a file
        except ConfigError as exc:
            self.noise.show_error(str(exc))
        else:
            self.noise.clear_error()

    def _on_seed_changed(self, seed: int) -> None:
        try:
            self.m.knobs.set_seed(seed)
        except ConfigError as exc:
            self.batch_error.show_error(str(exc))


class BackendPanel(KnobsView, QWidget):
    """"backend" and "device", bound to the knobs; torch loads in the background."""

    def __init__(self, model: WindowModel, torch_available: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.m = model
        self.backend = QComboBox()
        self.backend.addItem("numpy", "numpy")
        self.backend.addItem("torch", "torch")
        self.backend.setAccessibleName("backend")
        self.backend.setToolTip("Where the gradient comes from: derived by hand (numpy) or "
                                "by autograd and torch.optim (torch).")
        self.device = QComboBox()
        self.device.addItems(["auto", "cpu", "cuda", "mps"])
        self.device.setAccessibleName("device")
        self.device.setToolTip("The device torch computes on (auto picks a GPU if there is one).")
        self.hint = QLabel(TORCH_HINT)
        self.hint.setWordWrap(True)
        self.hint.setVisible(not torch_available)
        if not torch_available:
            self.backend.model().item(1).setEnabled(False)  # greyed out, with the hint
            self.backend.setItemData(1, TORCH_HINT, 3)  # Qt.ToolTipRole
        self.backend_error = ErrorLabel()
        form = _form(self)
        form.addRow("backend", row(self.backend, self.device, stretch_last=True))
        form.addRow(self.hint)
        form.addRow(self.backend_error)
        self.backend.currentIndexChanged.connect(self._on_backend_changed)
        self.device.currentIndexChanged.connect(self._on_backend_changed)
        self.watch_knobs(model, "backend")

    def _show(self) -> None:
        cfg = self.m.knobs.config
        for w in (self.backend, self.device):
            w.blockSignals(True)
        self.backend.setCurrentIndex(self.backend.findData(cfg.backend))
        self.device.setCurrentText(cfg.device)
        for w in (self.backend, self.device):
            w.blockSignals(False)
        self.device.setEnabled(cfg.backend == "torch")
        self.backend_error.clear_error()

    def _on_backend_changed(self, *_args: Any) -> None:
        backend = self.backend.currentData()
        self.device.setEnabled(backend == "torch")
        try:
            self.m.request_backend(backend, self.device.currentText())
        except ConfigError as exc:
            self._show()
            self.backend_error.show_error(str(exc))
