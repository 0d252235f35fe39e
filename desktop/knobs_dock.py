"""The Knobs dock's contents: every knob the strip does not hold, in collapsible sections.

`MainWindow` builds them after its first paint (`build_knobs`): they are
the larger part of the window's widgets and their modules, and nothing in
them is needed to see the first run.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from PySide6.QtWidgets import QVBoxLayout, QWidget

import core
from desktop.panels.data_panel import DataPanel
from desktop.panels.formula_panel import FormulaPanel
from desktop.panels.gradcheck_panel import GradCheckPanel
from desktop.panels.lr_panel import StabilityDetails
from desktop.panels.optimizer_panel import OptimizerPanel
from desktop.panels.problem_panel import ProblemPanel
from desktop.panels.run_panel import RunPanel
from desktop.panels.schedule_panel import BackendPanel, BatchPanel, SchedulePanel
from desktop.panels.widgets import Section


def _problem_titles() -> list[tuple[str, str]]:
    return [(name, core.problem_title(name)) for name in core.list_problems()]


def build_panels(model: Any, actions: dict[str, Any]) -> SimpleNamespace:
    """One panel per group of knobs, each bound to ``model`` both ways."""
    return SimpleNamespace(
        problem=ProblemPanel(model, _problem_titles()),
        stability=StabilityDetails(model),
        optimizer=OptimizerPanel(model),
        run=RunPanel(model, actions),
        schedule=SchedulePanel(model),
        batch=BatchPanel(model),
        backend=BackendPanel(model, core.torch_available()),
        gradcheck=GradCheckPanel(model),
        formula=FormulaPanel(),
        data=DataPanel(),
    )


def build_sections(panels: SimpleNamespace) -> tuple[dict[str, Section], QWidget]:
    """The panels as sections, by title (the rarer ones folded), in one column."""
    p = panels
    sections = [
        Section("Problem", p.problem),
        Section("Stability", p.stability),
        Section("Optimizer", p.optimizer),
        Section("Steps and speed", p.run),
        Section("Schedule", p.schedule, expanded=False),
        Section("Batches and noise", p.batch, expanded=False),
        Section("Backend", p.backend, expanded=False),
        Section("Gradient check", p.gradcheck, expanded=False),
        Section("Your formula", p.formula, expanded=False),
        Section("Your data", p.data, expanded=False),
    ]
    column = QWidget()
    column.setObjectName("knobs")
    layout = QVBoxLayout(column)
    layout.setContentsMargins(2, 2, 2, 2)
    layout.setSpacing(2)
    for section in sections:
        layout.addWidget(section)
    layout.addStretch(1)
    return {s.header.text(): s for s in sections}, column
