"""LR Playground's engine: problems, optimizers, runs and their step tables.

numpy only; torch is imported lazily when its backend is chosen; never Qt.
"""

from core.config import RunConfig
from core.datafile import DataError, data_problem
from core.engine import Run, Trainer, make_trainer, torch_available, train
from core.errors import ConfigError
from core.formula import FormulaError, formula_problem
from core.optimizers import OPTIMIZERS, make_optimizer, optimizer_defaults
from core.problems import Dataset, Problem, get_problem, list_problems, problem_options
from core.table import StepTable

__all__ = [
    "OPTIMIZERS",
    "ConfigError",
    "DataError",
    "FormulaError",
    "Dataset",
    "Problem",
    "Run",
    "RunConfig",
    "StepTable",
    "Trainer",
    "data_problem",
    "formula_problem",
    "get_problem",
    "list_problems",
    "make_optimizer",
    "make_trainer",
    "optimizer_defaults",
    "problem_options",
    "torch_available",
    "train",
]
