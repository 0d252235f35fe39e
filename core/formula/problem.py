"""A typed formula as a `Problem`, with exact symbolic derivatives."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from core.checks import check_point
from core.formula.codegen import CompiledFormula, compile_formula
from core.formula.language import FormulaError
from core.problems.base import Dataset, Problem
from core.xp import NUMPY

DEFAULT_LR = 0.01
DEFAULT_STEPS = 500
# default start points, tried in order; the first where the loss and its
# gradient are finite wins (1.5/0.5 rather than 0 or 1, which are often the
# minimum or a singularity of a typed formula)
DEFAULT_STARTS = (1.5, 0.5), (1.0, 1.0), (0.0, 0.0)
WINDOW_HALF_WIDTH = 5.0


class FormulaProblem(Problem):
    """A typed loss in named parameters, with exact symbolic derivatives.

    ``options`` holds ``formula`` and ``params``; the compiled code is looked
    up from them (so `dataclasses.replace` and pickling work).
    """

    def __post_init__(self) -> None:
        self._compiled = compile_formula(self.options["formula"], tuple(self.param_names))

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_compiled", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__post_init__()

    @property
    def formula(self) -> str:
        return str(self.options["formula"])

    def loss_c(self, xp: Any, p: tuple[Any, ...], data: Dataset | None) -> Any:
        c = self._compiled
        return c.evaluate(c.loss_fn, xp, p)[0]

    def grad_c(self, xp: Any, p: tuple[Any, ...], data: Dataset | None) -> tuple[Any, ...]:
        c = self._compiled
        return c.evaluate(c.grad_fn, xp, p)

    def loss_grad_c(
        self, xp: Any, p: tuple[Any, ...], data: Dataset | None
    ) -> tuple[Any, tuple[Any, ...]]:
        c = self._compiled
        out = c.evaluate(c.loss_grad_fn, xp, p)
        return out[0], out[1:]

    def full_loss_grad_c(self, p: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...]]:
        c = self._compiled
        try:  # one run's step on Python floats: the fast path, inline
            fast = c.float_loss_grad_fn(*p)
        except (ArithmeticError, ValueError):
            fast = None
        if fast is not None:
            return fast
        out = c.evaluate(c.loss_grad_fn, NUMPY, p)
        return out[0], out[1:]

    def hessian_c(
        self, xp: Any, p: tuple[Any, ...], data: Dataset | None
    ) -> tuple[tuple[Any, ...], ...]:
        c = self._compiled
        flat = c.evaluate(c.hessian_fn(), xp, p)
        n = self.n_params
        return tuple(tuple(flat[i * n : (i + 1) * n]) for i in range(n))

    def check_start(self, start: Sequence[float] | None) -> tuple[float, ...]:
        """As `Problem.check_start`, and the formula must be finite there."""
        values = super().check_start(start)
        problem = _finite_problem_at(self._compiled, values)
        if problem is not None:
            raise FormulaError(problem)
        return values


def _finite_problem_at(compiled: CompiledFormula, start: Sequence[float]) -> str | None:
    """Why the formula cannot start at ``start``, or None if it can."""
    loss, *grad = compiled.evaluate(compiled.loss_grad_fn, NUMPY, tuple(map(float, start)))
    at = ", ".join(f"{n}={v:g}" for n, v in zip(compiled.params, start, strict=True))
    if not np.isfinite(loss):
        return (f"the formula is not finite at the start point ({at}): its value there is "
                f"{float(loss)}; choose another start")
    if not all(np.isfinite(g) for g in grad):
        return (f"the formula's gradient is not finite at the start point ({at}); "
                "choose another start")
    return None


def formula_problem(
    expr: str,
    params: Sequence[str] | str | None = None,
    start: Sequence[float] | None = None,
) -> FormulaProblem:
    """A `Problem` from a typed formula, with exact gradient and Hessian.

    Parameters
    ----------
    expr
        The loss, e.g. ``"(1-a)**2 + 100*(b-a**2)**2"``: numbers, the
        parameters, ``+ - * / **``, parentheses, ``pi``, ``e`` and the
        functions of `core.formula.FUNCTIONS` (min and max take two).
    params
        Parameter names in order (a sequence or ``"a,b"``); default: the
        names the formula uses, in alphabetical order.
    start
        One number per parameter; default: the first of `DEFAULT_STARTS`
        where the loss and its gradient are finite.

    Returns
    -------
    FormulaProblem
        name ``"formula"``, the formula as title, a ±5 plot window around the
        start, lr 0.01 and 500 steps; its minimum is unknown (``min_loss``
        None). Raises `FormulaError` (a `ConfigError`, with the column) for a
        formula that is not allowed or not finite at the start.
    """
    compiled = compile_formula(expr, params)
    names = compiled.params
    n = len(names)
    if start is None:
        start_values = _default_start(compiled)
    else:
        start_values = check_point(start, names)
        problem = _finite_problem_at(compiled, start_values)
        if problem is not None:
            raise FormulaError(problem)
    text = compiled.parsed.text
    window = tuple((s - WINDOW_HALF_WIDTH, s + WINDOW_HALF_WIDTH) for s in start_values[:2])
    return FormulaProblem(
        name="formula", title=text, param_names=names, start=start_values,
        description=(
            f"Your formula {text} in the parameter{'s' if n > 1 else ''} {', '.join(names)}. "
            "Its gradient is exact (symbolic differentiation), and its minimum is not "
            "known in advance."
        ),
        default_lr=DEFAULT_LR, default_steps=DEFAULT_STEPS, window=window, min_loss=None,
        options={"formula": text, "params": names},
    )


def _default_start(compiled: CompiledFormula) -> tuple[float, ...]:
    """The first of `DEFAULT_STARTS` where the loss and its gradient are finite."""
    n = len(compiled.params)
    candidates = [tuple(pattern[i % 2] for i in range(n)) for pattern in DEFAULT_STARTS]
    for candidate in candidates:
        if _finite_problem_at(compiled, candidate) is None:
            return tuple(float(v) for v in candidate)
    tried = "; ".join(f"({', '.join(f'{v:g}' for v in c)})" for c in candidates)
    raise FormulaError(
        f"the formula or its gradient is not finite at any default start point "
        f"({tried}); give a start point where it is"
    )
