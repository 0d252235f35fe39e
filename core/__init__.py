"""LR Playground's engine: problems, optimizers, runs and their step tables.

numpy only; torch is imported lazily when its backend is chosen; never Qt.
The names below are the public surface; the README's "Architecture" section
says where each lives and which way the imports run.
"""

from core.analysis.curvature import Curvature, curvature, curvature_report
from core.analysis.directions import Plane, axes_plane, pca_plane, random_plane
from core.analysis.gradcheck import GradCheck, gradient_check
from core.analysis.lr_range import RangeTest, lr_range_test
from core.analysis.presets import PresetReport, describe_lr, preset_report, presets
from core.analysis.surface import contour_levels, surface, view_window
from core.analysis.sweep import SweepResult, sweep
from core.analysis.theory import Theory, theory_of
from core.analysis.verdict import Verdict, verdict_of
from core.checks import check_number, check_whole
from core.errors import ConfigError
from core.formula import FormulaError, formula_problem
from core.io.atomic import atomic_folder, atomic_open, atomic_path
from core.io.datatable import DataError, DataTable, column_names, read_table
from core.optim import OPTIMIZERS, make_optimizer, optimizer_defaults
from core.problems import (
    Dataset,
    Problem,
    get_problem,
    list_problems,
    problem_options,
    problem_title,
)
from core.problems.data import data_problem
from core.run.config import RunConfig
from core.run.dispatch import make_trainer, train
from core.run.sharpness import Sharpness, sharpness, stability_limit
from core.run.table import StepTable
from core.run.trainer import Run, Trainer
from core.session import ProblemRef, Session, load_session
from core.torch_backend import INSTALL_HINT as TORCH_INSTALL_HINT
from core.torch_backend import available as torch_available
from core.torch_backend import torch_sweep

__all__ = [
    "OPTIMIZERS",
    "TORCH_INSTALL_HINT",
    "ConfigError",
    "Curvature",
    "DataError",
    "DataTable",
    "Dataset",
    "FormulaError",
    "GradCheck",
    "Plane",
    "PresetReport",
    "Problem",
    "ProblemRef",
    "RangeTest",
    "Run",
    "RunConfig",
    "Session",
    "Sharpness",
    "StepTable",
    "SweepResult",
    "Theory",
    "Trainer",
    "Verdict",
    "atomic_folder",
    "atomic_open",
    "atomic_path",
    "axes_plane",
    "check_number",
    "check_whole",
    "column_names",
    "contour_levels",
    "curvature",
    "curvature_report",
    "data_problem",
    "describe_lr",
    "formula_problem",
    "get_problem",
    "gradient_check",
    "list_problems",
    "load_session",
    "lr_range_test",
    "make_optimizer",
    "make_trainer",
    "optimizer_defaults",
    "pca_plane",
    "preset_report",
    "presets",
    "problem_options",
    "problem_title",
    "random_plane",
    "read_table",
    "sharpness",
    "stability_limit",
    "surface",
    "sweep",
    "theory_of",
    "torch_available",
    "torch_sweep",
    "train",
    "verdict_of",
    "view_window",
]
