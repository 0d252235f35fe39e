"""LR Playground's engine: problems, optimizers, runs and their step tables.

numpy only; torch is imported lazily when its backend is chosen; never Qt.
The names below are the public surface, each imported on first use (so a
program that needs the trainer does not load the formula parser or the CSV
reader); the README's "Architecture" section
says where each lives and which way the imports run.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# each module with the public names it provides, under their own names
_MODULES: dict[str, str] = {
    "core.analysis.curvature": "Curvature curvature curvature_report",
    "core.analysis.directions": "Plane axes_plane pca_plane random_plane",
    "core.analysis.gradcheck": "GradCheck gradient_check",
    "core.analysis.lr_range": "RangeTest lr_range_test",
    "core.analysis.presets": "PresetReport describe_lr preset_report presets",
    "core.analysis.surface": "contour_levels surface view_window",
    "core.analysis.sweep": "SweepResult sweep",
    "core.analysis.theory": "Theory theory_of",
    "core.analysis.verdict": "Verdict verdict_of",
    "core.checks": "check_number check_whole",
    "core.errors": "ConfigError",
    "core.formula": "FormulaError formula_problem",
    "core.io.atomic": "atomic_folder atomic_open atomic_path",
    "core.io.datatable": "DataError DataTable column_names read_table",
    "core.optim": "OPTIMIZERS make_optimizer optimizer_defaults",
    "core.problems": "Dataset Problem get_problem list_problems problem_options problem_title",
    "core.problems.data": "data_problem",
    "core.run.config": "RunConfig",
    "core.run.dispatch": "make_trainer train",
    "core.run.sharpness": "Sharpness sharpness stability_limit",
    "core.run.table": "StepTable",
    "core.run.trainer": "Run Trainer",
    "core.session": "ProblemRef Session load_session",
    "core.torch_backend": "torch_sweep",
}
_RENAMED = {
    "TORCH_INSTALL_HINT": ("core.torch_backend", "INSTALL_HINT"),
    "torch_available": ("core.torch_backend", "available"),
}
_WHERE: dict[str, tuple[str, str]] = {
    **{name: (module, name) for module, names in _MODULES.items() for name in names.split()},
    **_RENAMED,
}

if TYPE_CHECKING:  # the same names for type checkers and editors
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


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module 'core' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # the next use is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
