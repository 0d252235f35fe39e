"""`RunConfig`: everything that defines a run, validated on construction.

`RunConfig.to_dict` and `RunConfig.from_dict` are the one way a config
becomes plain data and back: session files, the window's saved settings and
the command line's flags all go through them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from core.checks import (
    check_choice,
    check_lr,
    check_mapping,
    check_number,
    check_point,
    check_whole,
    shown,
)
from core.errors import ConfigError
from core.limits import MAX_STEPS
from core.optim import Optimizer, make_optimizer
from core.optim.schedules import make_schedule
from core.problems.base import Problem
from core.run.batches import parse_batch

BACKENDS = ("numpy", "torch")
DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("float64", "float32")
# the fields a person sets, in the order `to_dict` writes them
RUN_FIELDS = ("optimizer", "hyper", "lr", "steps", "start", "batch", "seed", "noise",
              "backend", "device", "dtype", "schedule", "sharpness_every")
MAX_NOISE = 1e6  # a gradient noise scale far past any gradient on screen
_NOISE_RULE = f"a number from 0 to {MAX_NOISE:g} (the noise's standard deviation)"


def normalise_schedule(spec: Any) -> dict[str, Any] | None:
    """None for a constant learning rate, else the schedule as a plain dict."""
    if spec is None:
        return None
    schedule = make_schedule(spec)
    return None if schedule.name == "constant" else schedule.to_dict()


def check_steps(steps: Any) -> int:
    """The step budget: a whole number from 0 to `MAX_STEPS`."""
    return check_whole("steps", steps, low=0, high=MAX_STEPS)


def plain_hyper(hyper: Mapping[str, Any]) -> dict[str, Any]:
    """Hyper-parameters as JSON-ready data (``betas`` as a list)."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in hyper.items()}


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
    noise: float = 0.0  # scale of the Gaussian noise added to each gradient (0: none)
    sharpness_every: int = 0  # λmax of the Hessian every this many steps, a column (0: none)
    backend: str = "numpy"
    device: str = "auto"
    dtype: str = "float64"
    schedule: dict[str, Any] | None = None
    hyper: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    tol: float | None = None

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalise values in place once
        if not isinstance(self.problem, str | Problem):
            raise ConfigError(f"problem must be a problem name or a Problem, got "
                              f"{shown(self.problem)}")
        set_(self, "hyper", check_mapping("hyper", self.hyper, "hyper-parameters"))
        set_(self, "options", check_mapping("options", self.options, "problem options"))
        set_(self, "lr", check_lr(self.lr))
        set_(self, "steps", check_steps(self.steps))
        set_(self, "batch", parse_batch(self.batch))
        set_(self, "sharpness_every", check_whole("sharpness_every", self.sharpness_every,
                                                  low=0, high=MAX_STEPS))
        set_(self, "noise", check_number("noise", self.noise, low=0.0, high=MAX_NOISE,
                                         rule=_NOISE_RULE))
        if not isinstance(self.optimizer, str):
            raise ConfigError(f"optimizer must be a name, got {shown(self.optimizer)}")
        set_(self, "optimizer", self.optimizer.lower())
        # building it checks the hyper-parameters
        set_(self, "_checked_optimizer", make_optimizer(self.optimizer, **self.hyper))
        check_choice("backend", self.backend, BACKENDS)
        check_choice("device", self.device, DEVICES)
        check_choice("dtype", self.dtype, DTYPES)
        set_(self, "schedule", normalise_schedule(self.schedule))
        if self.tol is not None:
            set_(self, "tol", check_number("tol", self.tol, low=0.0,
                                           rule="a finite number >= 0"))
        if self.start is not None:
            set_(self, "start", _start_values(self.start))

    def make_optimizer(self) -> Optimizer:
        """A new optimizer of these settings (its checks were done on construction)."""
        return self._checked_optimizer.copy()  # type: ignore[attr-defined, no-any-return]

    def with_(self, **changes: Any) -> RunConfig:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The fields a person sets (`RUN_FIELDS`) as JSON-ready plain data."""
        return {
            "optimizer": self.optimizer,
            "hyper": plain_hyper(self.hyper),
            "lr": self.lr,
            "steps": self.steps,
            "start": list(self.start) if self.start is not None else None,
            "batch": self.batch,
            "seed": self.seed,
            "noise": self.noise,
            "backend": self.backend,
            "device": self.device,
            "dtype": self.dtype,
            "schedule": self.schedule,
            "sharpness_every": self.sharpness_every,
        }

    @classmethod
    def from_dict(cls, fields: Mapping[str, Any], **context: Any) -> RunConfig:
        """The config `to_dict` wrote; ConfigError naming the first bad field.

        Fields not given take their defaults; ``context`` gives the others
        (``problem``, ``options``, ``tol``). Plain data from a file is held to
        its JSON types: ``true`` is not a number and text is not a list, where
        the constructor alone would coerce them.
        """
        run = {name: fields[name] for name in RUN_FIELDS if name in fields}
        _check_types(run)
        if isinstance(run.get("steps"), float) and run["steps"].is_integer():
            run["steps"] = int(run["steps"])
        if run.get("start") is not None:
            run["start"] = tuple(run["start"])
        hyper = dict(run.get("hyper") or {})
        if isinstance(hyper.get("betas"), list):
            hyper["betas"] = tuple(hyper["betas"])
        run["hyper"] = hyper
        return cls(**run, **context)


def _start_values(start: Any) -> tuple[float, ...]:
    """A start point as finite floats (its length is checked against the problem later)."""
    return check_point(start, None)


def _check_types(run: Mapping[str, Any]) -> None:
    """Refuse JSON types that RunConfig would coerce silently (e.g. true as 1)."""
    for name in ("lr", "steps", "seed", "noise", "sharpness_every"):
        if name in run and (isinstance(run[name], bool) or not isinstance(run[name], int | float)):
            raise ConfigError(f"{name} must be a number, got {shown(run[name])}")
    if "hyper" in run and not isinstance(run["hyper"], Mapping):
        raise ConfigError(f"hyper must be a mapping of hyper-parameters, got {shown(run['hyper'])}")
    start = run.get("start")
    if start is not None and not isinstance(start, list | tuple):
        raise ConfigError(f"start must be a list of numbers or null, got {shown(start)}")
    for name in ("optimizer", "backend", "device", "dtype"):
        if name in run and not isinstance(run[name], str):
            raise ConfigError(f"{name} must be text, got {shown(run[name])}")
