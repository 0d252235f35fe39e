"""`RunConfig`: everything that defines a run, validated on construction."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from core.checks import check_lr
from core.errors import ConfigError
from core.optim import make_optimizer
from core.problems.base import Problem
from core.run.batches import parse_batch

BACKENDS = ("numpy", "torch")
DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("float64", "float32")
MAX_STEPS = 10_000_000  # 10M rows is ~1 GB of table; beyond that, a sweep is the tool


def normalise_schedule(spec: Any) -> dict[str, Any] | None:
    """None for a constant learning rate, else the schedule as a plain dict."""
    if spec is None:
        return None
    from core.optim.schedules import make_schedule

    schedule = make_schedule(spec)
    return None if schedule.name == "constant" else schedule.to_dict()


def check_steps(steps: Any) -> int:
    if isinstance(steps, bool):
        raise ConfigError(f"steps must be a whole number >= 0, got {steps!r}")
    if isinstance(steps, float) and steps.is_integer():
        steps = int(steps)
    if isinstance(steps, str):
        try:
            steps = int(steps.strip())
        except ValueError:
            raise ConfigError(f"steps must be a whole number >= 0, got {steps!r}") from None
    if not isinstance(steps, int) or steps < 0:
        raise ConfigError(f"steps must be a whole number >= 0, got {steps!r}")
    if steps > MAX_STEPS:
        raise ConfigError(f"steps must be at most {MAX_STEPS:,}, got {steps:,}")
    return steps


@dataclass(frozen=True)
class RunConfig:
    """One run's settings. Construct it to validate; every error is a ConfigError."""

    problem: str | Problem
    optimizer: str = "sgd"
    lr: float = 0.1
    steps: int = 100
    start: tuple[float, ...] | None = None
    batch: str | int = "full"
    seed: int = 0
    backend: str = "numpy"
    device: str = "auto"
    dtype: str = "float64"
    schedule: dict[str, Any] | None = None
    hyper: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    tol: float | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise values in place once
        set_(self, "lr", check_lr(self.lr))
        set_(self, "steps", check_steps(self.steps))
        set_(self, "batch", parse_batch(self.batch))
        if not isinstance(self.optimizer, str):
            raise ConfigError(f"optimizer must be a name, got {self.optimizer!r}")
        set_(self, "optimizer", self.optimizer.lower())
        make_optimizer(self.optimizer, **self.hyper)  # validates the hyper-parameters
        if self.backend not in BACKENDS:
            raise ConfigError(f"backend must be one of {', '.join(BACKENDS)}, got {self.backend!r}")
        if self.device not in DEVICES:
            raise ConfigError(f"device must be one of {', '.join(DEVICES)}, got {self.device!r}")
        if self.dtype not in DTYPES:
            raise ConfigError(f"dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")
        set_(self, "schedule", normalise_schedule(self.schedule))
        if self.tol is not None:
            tol = float(self.tol)
            if not (math.isfinite(tol) and tol >= 0):
                raise ConfigError(f"tol must be a finite number >= 0, got {self.tol!r}")
            set_(self, "tol", tol)
        if self.start is not None:
            try:
                start = tuple(float(v) for v in self.start)
            except (TypeError, ValueError):
                raise ConfigError(f"start must be a list of numbers, got {self.start!r}") from None
            set_(self, "start", start)

    def with_(self, **changes: Any) -> RunConfig:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)
