"""The step inspector: the four steps of one update, with the real numbers.

``inspect_step(source, k)`` explains the update from row ``k`` to row ``k + 1``
of a run: 1. predict (each example of the batch, or the point a function is
evaluated at), 2. loss (its formula for this problem, written out with the
numbers), 3. gradient (each component's formula and value, and the optimizer
state that turns it into a step), 4. update (``old − lr × direction = new``).
Every number is both a float and text rounded like the step table; every
formula is rich text a Qt label renders (``<b> <i> <sub> <sup>``, unicode math).

Problems describe their own step through `StepText` (`core.inspector.texts`
says which one a problem gets); optimizers through
`core.inspector.optimizer_text` and `core.inspector.adaptive_text`
(`core.inspector.optimizer_steps` picks one by name).
"""

from __future__ import annotations

from core.inspector.builder import MAX_EXAMPLES, StepInspector, inspect_step
from core.inspector.model import (
    PHASES,
    Example,
    Line,
    ParamUpdate,
    Phase,
    StepInspection,
    plain,
)
from core.inspector.problem_text import Quantity, StepText, fill
from core.inspector.texts import register_step_text, step_text
from core.run.vectors import StepVectors, step_vectors

__all__ = [
    "MAX_EXAMPLES",
    "PHASES",
    "Example",
    "Line",
    "ParamUpdate",
    "Phase",
    "Quantity",
    "StepInspection",
    "StepInspector",
    "StepText",
    "StepVectors",
    "fill",
    "inspect_step",
    "plain",
    "register_step_text",
    "step_text",
    "step_vectors",
]
