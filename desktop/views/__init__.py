"""The plots and the step table. They only draw what they are given; no training here."""

from __future__ import annotations

from desktop.views.contour_view import ContourView
from desktop.views.line_view import LineView
from desktop.views.loss_view import LossView
from desktop.views.palette import apply_plot_theme
from desktop.views.step_table import StepTableModel, StepTableView
from desktop.views.sweep_view import SweepView

__all__ = [
    "ContourView",
    "LineView",
    "LossView",
    "StepTableModel",
    "StepTableView",
    "SweepView",
    "apply_plot_theme",
]
