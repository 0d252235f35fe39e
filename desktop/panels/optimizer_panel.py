"""The optimizer: the nine optimizers, each with only its own hyper-parameters, bound to
``model.knobs`` both ways (torch.optim's keyword names)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QWidget

import core
from core import ConfigError
from desktop.panels.widgets import (
    ErrorLabel,
    FieldWithError,
    KnobsView,
    chain_tab_order,
    format_number,
    parse_numbers,
)

if TYPE_CHECKING:
    from desktop.model import WindowModel

OPTIMIZER_TIPS = {
    "sgd": "Plain gradient descent: each step moves the weights by learning rate × gradient.",
    "adam": "Adam: steps along a running average of the gradient, scaled per weight "
            "by its running size.",
    "adamw": "AdamW: Adam with the weight decay applied to the weights directly.",
    "rmsprop": "RMSprop: divides each weight's step by the running size of its gradient.",
    "adagrad": "Adagrad: each weight's step shrinks as its squared gradients add up.",
    "nadam": "NAdam: Adam whose momentum looks one step ahead (Nesterov).",
    "radam": "RAdam: Adam that takes its first steps with momentum alone, until the "
             "running size of the gradient can be trusted.",
    "adamax": "Adamax: Adam that divides by the largest recent gradient size instead of "
              "its running average.",
    "adadelta": "Adadelta: each step is scaled by the running size of the past steps over "
                "that of the gradients (torch's own lr is 1.0).",
}
HYPER_TIPS = {
    "momentum": "How much of the previous step each step keeps (0 is plain gradient descent).",
    "dampening": "How much of the new gradient momentum leaves out (0 keeps all of it).",
    "nesterov": "Look ahead: take the gradient where momentum is about to carry the weights.",
    "weight_decay": "Pull every weight a little towards zero at each step.",
    "betas": "How slowly the running averages of the gradient and its square forget "
             "(two numbers, each below 1).",
    "eps": "A tiny number added to the divisor so a step never divides by zero.",
    "amsgrad": "Use the largest running gradient size seen so far, so steps never grow back.",
    "alpha": "How slowly the running average of the squared gradient forgets (below 1).",
    "centered": "Divide by the gradient's running spread instead of its running size.",
    "lr_decay": "Shrink the learning rate a little after every step.",
    "initial_accumulator_value": "The sum of squared gradients Adagrad starts from.",
    "momentum_decay": "How fast NAdam's momentum warms up towards beta1.",
    "decoupled_weight_decay": "Apply the weight decay to the weights directly, as AdamW "
                              "does, instead of adding it to the gradient.",
    "rho": "How slowly Adadelta's running averages forget (at most 1).",
}


class OptimizerPanel(KnobsView, QWidget):
    """"Optimizer" and its hyper-parameters, bound to ``model.knobs``."""

    def __init__(self, model: WindowModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.m = model
        self.combo = QComboBox()
        self.combo.setAccessibleName("Optimizer")
        for name in core.OPTIMIZERS:
            self.combo.addItem(name, name)
            self.combo.setItemData(self.combo.count() - 1, OPTIMIZER_TIPS.get(name, name),
                                   3)  # Qt.ToolTipRole
        self.combo.setToolTip("The rule that turns the gradient into a step on the weights.")
        self.error = ErrorLabel()
        self.inputs: dict[str, QCheckBox | FieldWithError] = {}
        self._form = QFormLayout(self)
        self._form.setContentsMargins(4, 0, 4, 0)
        self._form.addRow(self.combo)
        self._form.addRow(self.error)
        self.combo.currentIndexChanged.connect(self._on_combo_index_changed)
        self._name = ""
        self.watch_knobs(model, "optimizer")

    def _show(self) -> None:
        cfg = self.m.knobs.config
        self.show_optimizer(cfg.optimizer, dict(cfg.hyper))

    # ------------------------------------------------------------ model -> view
    def show_optimizer(self, name: str, hyper: dict[str, Any]) -> None:
        if name != self._name:
            with QSignalBlocker(self.combo):
                self.combo.setCurrentIndex(max(0, self.combo.findData(name)))
            self._build(name)
        values = {**core.optimizer_defaults(name), **hyper}
        for key, widget in self.inputs.items():
            value = values.get(key)
            if isinstance(widget, QCheckBox):
                with QSignalBlocker(widget):
                    widget.setChecked(bool(value))
            else:
                widget.show_text(_text(value))
                widget.clear_error()
        self.error.clear_error()

    def show_error(self, message: str) -> None:
        self.error.show_error(message)

    def _build(self, name: str) -> None:
        while self._form.rowCount() > 2:
            self._form.removeRow(2)
        self.inputs = {}
        self._name = name
        for key, default in core.optimizer_defaults(name).items():
            tip = HYPER_TIPS.get(key, key)
            if isinstance(default, bool):
                box = QCheckBox(key)
                box.setAccessibleName(key)
                box.setToolTip(tip)
                box.toggled.connect(self._on_input_edited)
                self.inputs[key] = box
                self._form.addRow(box)
            else:
                field = FieldWithError(tip, _text(default), name=key)
                field.edited.connect(self._on_input_edited)
                self.inputs[key] = field
                self._form.addRow(key, field)
                label = self._form.labelForField(field)
                if isinstance(label, QLabel):
                    label.setBuddy(field.field)
        chain_tab_order([self.combo, *self.inputs.values()])

    # ------------------------------------------------------------ view -> model
    def _on_combo_index_changed(self, index: int) -> None:
        name = self.combo.itemData(index)
        self._build(name)
        self.show_optimizer(name, {})
        self._apply(name, {})

    def _on_input_edited(self, *_args: Any) -> None:
        defaults = core.optimizer_defaults(self._name)
        hyper: dict[str, Any] = {}
        for key, widget in self.inputs.items():
            if isinstance(widget, QCheckBox):
                hyper[key] = widget.isChecked()
                continue
            try:
                values = parse_numbers(widget.text())
            except ValueError as exc:
                widget.show_error(f"{key}: {exc}")
                return
            hyper[key] = values if isinstance(defaults[key], tuple) else (
                values[0] if len(values) == 1 else values)
        changed = {k: v for k, v in hyper.items() if v != defaults.get(k)}
        self._apply(self._name, changed)

    def _apply(self, name: str, hyper: dict[str, Any]) -> None:
        try:
            self.m.knobs.set_optimizer(name, **hyper)
        except ConfigError as exc:
            self.show_error(str(exc))
            return
        self.error.clear_error()


def _text(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return ", ".join(format_number(float(v)) for v in value)
    if isinstance(value, float):
        return format_number(value)
    return str(value)
