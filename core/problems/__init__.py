"""Built-in problems and the `Problem` base class."""

from core.problems.base import Dataset, Problem
from core.problems.catalogue import get_problem, list_problems, problem_options, problem_title

__all__ = ["Dataset", "Problem", "get_problem", "list_problems", "problem_options",
           "problem_title"]
