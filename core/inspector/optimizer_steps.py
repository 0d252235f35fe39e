"""Which describer explains an optimizer's update, by the optimizer's name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from core.inspector.adaptive_text import (
    describe_adadelta,
    describe_adamax,
    describe_nadam,
    describe_radam,
)
from core.inspector.optimizer_text import (
    OptimizerStep,
    StepContext,
    describe_adagrad,
    describe_adam,
    describe_generic,
    describe_rmsprop,
    describe_sgd,
)

if TYPE_CHECKING:
    from core._types import FloatArray

DESCRIBERS: dict[str, Callable[[StepContext], OptimizerStep]] = {
    "sgd": describe_sgd,
    "adam": describe_adam,
    "adamw": describe_adam,
    "rmsprop": describe_rmsprop,
    "adagrad": describe_adagrad,
    "nadam": describe_nadam,
    "radam": describe_radam,
    "adamax": describe_adamax,
    "adadelta": describe_adadelta,
}


def describe_optimizer(ctx: StepContext, new: FloatArray) -> OptimizerStep:
    """The optimizer's lines and direction for this update."""
    describer = DESCRIBERS.get(ctx.optimizer.name)
    if describer is None:
        return describe_generic(ctx, new)
    return describer(ctx)
