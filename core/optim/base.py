"""What every optimizer is: validated hyper-parameters and a pure update.

An optimizer object holds only hyper-parameters. Its state is a NamedTuple
made by `init` and returned anew by `step`, never mutated in place, so a run
can be replayed from any saved state. Everything is vectorised over leading
axes of ``params`` ``(..., p)``; ``lr`` may be a float or an array that
broadcasts against ``params`` (a learning rate per run, shape ``(R, 1)``),
which is what gives `core.sweep` its speed.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, ClassVar

from core.errors import ConfigError

if TYPE_CHECKING:
    from core._types import FloatArray


class Optimizer:
    """Base class: subclasses set `name` and `defaults` and write `init`/`step`."""

    name: ClassVar[str] = ""
    defaults: ClassVar[dict[str, Any]] = {}
    torch_class: ClassVar[str] = ""  # the torch.optim class it mirrors

    def __init__(self, **hyper: Any) -> None:
        unknown = sorted(set(hyper) - set(self.defaults))
        if unknown:
            raise ConfigError(
                f"optimizer {self.name!r} has no hyper-parameter {unknown[0]!r} "
                f"(its hyper-parameters: {', '.join(self.defaults)})"
            )
        merged = {**self.defaults, **hyper}
        self.hyper: dict[str, Any] = self.validate(merged)

    def validate(self, h: dict[str, Any]) -> dict[str, Any]:
        """Check and normalise hyper-parameters; raise ConfigError."""
        return h

    def init(self, params: FloatArray) -> Any:
        raise NotImplementedError

    def step(
        self, params: FloatArray, grad: FloatArray, state: Any, lr: Any
    ) -> tuple[FloatArray, Any]:
        """One update: return ``(new_params, new_state)``."""
        raise NotImplementedError

    def state_columns(self, state: Any) -> dict[str, FloatArray]:
        """The optimizer state named for display, each array shaped like params.

        Names are torch's ``optimizer.state`` keys where torch has one. A state
        that does not exist yet (None, or before the first step where torch
        creates it lazily) gives an empty dict.
        """
        return {}

    def describe(self) -> str:
        """The update rule in words and symbols (for the step inspector)."""
        return self.__doc__ or self.name

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyper.items())
        return f"{type(self).__name__}({args})"


# ---------------------------------------------------------------- validators
def check_number(
    name: str,
    value: Any,
    *,
    low: float = 0.0,
    high: float | None = None,
    high_open: bool = False,
    optimizer: str = "",
) -> float:
    """A finite float in [low, high] (or [low, high) with ``high_open``)."""
    where = f" for {optimizer}" if optimizer else ""
    if isinstance(value, bool):
        raise ConfigError(f"{name}{where} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name}{where} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ConfigError(f"{name}{where} must be a finite number, got {value!r}")
    if high is None:
        if v < low:
            raise ConfigError(f"{name}{where} must be a number >= {low:g}, got {v!r}")
    else:
        ok = low <= v < high if high_open else low <= v <= high
        if not ok:
            bracket = ")" if high_open else "]"
            raise ConfigError(f"{name}{where} must be in [{low:g}, {high:g}{bracket}, got {v!r}")
    return v


def check_flag(name: str, value: Any, optimizer: str = "") -> bool:
    if not isinstance(value, bool):
        where = f" for {optimizer}" if optimizer else ""
        raise ConfigError(f"{name}{where} must be true or false, got {value!r}")
    return value


def check_lr(lr: Any) -> float:
    """The learning rate: a finite number >= 0."""
    return check_number("lr", lr, low=0.0)
