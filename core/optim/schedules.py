"""Learning-rate schedules as closed-form functions of the update index.

A schedule maps ``(lr0, k)`` to the learning rate of update ``k`` (``k = 0`` is
the first update), vectorised over an integer array ``k``. Being closed-form,
the schedule panel can draw ``lr(lr0, np.arange(steps))`` before anything
trains, and a live change of ``lr0`` mid-run needs no state: the engine calls
the same schedule with the new ``lr0``.

Each schedule equals the torch.optim.lr_scheduler class it is named after:
``lr(lr0, k)`` is ``scheduler.get_last_lr()`` after ``k`` calls of
``scheduler.step()`` (up to rounding: torch updates recursively).

=============  ================  ===========================================
name           torch class       lr of update k
=============  ================  ===========================================
constant       (none)            lr0
step           StepLR            lr0 · gamma^⌊k / step_size⌋
exponential    ExponentialLR     lr0 · gamma^k
cosine         CosineAnnealingLR eta_min + (lr0 − eta_min)·(1 + cos(π·min(k, T_max)/T_max))/2
warmup         LinearLR          lr0 · (s + (e − s)·min(k, total_iters)/total_iters)
onecycle       OneCycleLR        up from lr0/div_factor to lr0 over pct_start of
                                 total_steps, then down to lr0/div_factor/final_div_factor
cyclic         CyclicLR          triangles between lr0/div_factor and lr0, up in
                                 step_size_up updates, down in step_size_down
=============  ================  ===========================================

Allowed ranges, and why they differ from torch where they do:

* step ``gamma`` in (0, 1]: a step schedule is a decay; gamma = 1 is constant.
* exponential ``gamma`` in (0, ∞): gamma > 1 grows the rate, as an LR range
  test does; past float range the rate is inf (and the run diverges).
* cosine holds at ``eta_min`` for k > T_max. torch's closed form keeps going
  and rises again (a period of 2·T_max), which surprises learners who set
  T_max to the run length and then run a little longer.
* warmup ``start_factor`` in (0, 1] and ``end_factor`` in [0, 1], as torch.
* onecycle and cyclic take the knob's lr0 as their peak (torch's ``max_lr``),
  so the learning-rate slider moves the whole cycle; their low ends are
  fractions of it (``div_factor``). They match torch with
  ``cycle_momentum=False``: the playground cycles the learning rate only.
  onecycle holds its final rate after ``total_steps`` (torch raises there).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from core.checks import check_number, check_whole, shown
from core.errors import ConfigError


# ---------------------------------------------------------------- validators
@dataclass(frozen=True)
class _Range:
    """A parameter's allowed values; ``rule`` says them in words."""

    low: float
    high: float = math.inf
    low_open: bool = False
    high_open: bool = True
    whole: bool = False  # an integer (an integral float is taken as that integer)

    @property
    def rule(self) -> str:
        if self.whole:
            return f"an integer >= {self.low:g}"
        hi = "∞" if math.isinf(self.high) else f"{self.high:g}"
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"a number in {left}{self.low:g}, {hi}{right}"

    def __call__(self, schedule: str, name: str, value: Any) -> Any:
        label = f"{name} for the {schedule} schedule"
        if self.whole:
            return check_whole(label, value, low=int(self.low), rule=self.rule)
        high = None if math.isinf(self.high) else self.high
        return check_number(label, value, low=self.low, high=high, low_open=self.low_open,
                            high_open=self.high_open, rule=self.rule)


@dataclass(frozen=True)
class _Choice:
    """One of a few words (or, for a flag, true or false)."""

    options: tuple[str, ...]

    @property
    def rule(self) -> str:
        if self.options == ("true", "false"):
            return "true or false"
        return "one of " + ", ".join(self.options)

    def __call__(self, schedule: str, name: str, value: Any) -> Any:
        if self.options == ("true", "false") and isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in self.options:
            word = value.lower()
            return word == "true" if self.options == ("true", "false") else word
        raise ConfigError(f"{name} for the {schedule} schedule must be {self.rule}, "
                          f"got {value!r}")


_POSITIVE_INT = _Range(1.0, whole=True)
_NON_NEGATIVE_INT = _Range(0.0, whole=True)
_OPEN_UNIT = _Range(0.0, 1.0, low_open=True, high_open=True)  # (0, 1)
_AT_LEAST_ONE = _Range(1.0)  # [1, ∞)
_FLAG = _Choice(("true", "false"))
_UNIT_OPEN_LOW = _Range(0.0, 1.0, low_open=True, high_open=False)  # (0, 1]
_UNIT = _Range(0.0, 1.0, high_open=False)  # [0, 1]
_POSITIVE = _Range(0.0, low_open=True)  # (0, ∞)
_NON_NEGATIVE = _Range(0.0)  # [0, ∞)


# ---------------------------------------------------------------- formulas
# Each takes lr0 and k as numpy arrays (broadcast against each other) and
# writes its arithmetic in the order of torch's _get_closed_form_lr.
def _constant(lr0: Any, k: Any) -> Any:
    return lr0 * np.ones(np.shape(k))


def _step(lr0: Any, k: Any, step_size: int, gamma: float) -> Any:
    return lr0 * gamma ** (k // step_size)


def _exponential(lr0: Any, k: Any, gamma: float) -> Any:
    # gamma > 1 overflows to inf for large k; 0·inf must stay 0, not NaN
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(lr0 == 0, 0.0, lr0 * np.power(gamma, k, dtype=np.float64))


def _cosine(lr0: Any, k: Any, T_max: int, eta_min: float) -> Any:
    held = np.minimum(k, T_max)  # hold at eta_min after T_max instead of rising again
    return eta_min + (lr0 - eta_min) * (1 + np.cos(np.pi * held / T_max)) / 2


def _warmup(lr0: Any, k: Any, start_factor: float, end_factor: float, total_iters: int) -> Any:
    ramp = np.minimum(total_iters, k)
    return lr0 * (start_factor + (end_factor - start_factor) * ramp / total_iters)


def _onecycle(lr0: Any, k: Any, total_steps: int, pct_start: float, anneal_strategy: str,
              div_factor: float, final_div_factor: float, three_phase: bool) -> Any:
    initial = lr0 / div_factor
    final = initial / final_div_factor
    # (last update of the phase, where it starts, where it ends), as torch lays them out
    if three_phase:
        phases = [(float(pct_start * total_steps) - 1, initial, lr0),
                  (float(2 * pct_start * total_steps) - 2, lr0, initial),
                  (total_steps - 1, initial, final)]
    else:
        phases = [(float(pct_start * total_steps) - 1, initial, lr0),
                  (total_steps - 1, lr0, final)]
    kk = np.minimum(np.asarray(k, dtype=np.float64), total_steps - 1)
    out = np.zeros(np.broadcast(np.asarray(lr0), kk).shape)
    done = np.zeros(kk.shape, dtype=bool)
    start = 0.0
    for i, (end, lo, hi) in enumerate(phases):
        here = ~done & ((kk <= end) | (i == len(phases) - 1))
        with np.errstate(invalid="ignore", divide="ignore"):
            pct = (kk - start) / (end - start)
        if anneal_strategy == "cos":
            value = hi + (lo - hi) / 2.0 * (np.cos(np.pi * pct) + 1)
        else:
            value = (hi - lo) * pct + lo
        out = np.where(here, value, out)
        done |= here
        start = end
    return out


def _cyclic(lr0: Any, k: Any, step_size_up: int, step_size_down: int,
            div_factor: float, mode: str, gamma: float) -> Any:
    base = lr0 / div_factor
    down = step_size_down or step_size_up  # 0: as long as the way up, like torch's None
    total = float(step_size_up + down)
    ratio = step_size_up / total
    kk = np.asarray(k, dtype=np.float64)
    cycle = np.floor(1 + kk / total)
    x = 1.0 + kk / total - cycle
    scale = np.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1))
    if mode == "triangular":
        amplitude: Any = 1.0
    elif mode == "triangular2":
        amplitude = 1 / (2.0 ** (cycle - 1))
    else:  # exp_range scales by the update index, as torch does
        amplitude = gamma**kk
    return base + (lr0 - base) * scale * amplitude


@dataclass(frozen=True)
class _Kind:
    formula: Callable[..., Any]
    params: dict[str, tuple[Any, _Range | _Choice]]  # name -> (default or None if required, check)
    torch_class: str
    rule: str  # the formula for describe()


_KINDS: dict[str, _Kind] = {
    "constant": _Kind(_constant, {}, "", "lr = lr0"),
    "step": _Kind(
        _step,
        {"step_size": (None, _POSITIVE_INT), "gamma": (0.1, _UNIT_OPEN_LOW)},
        "StepLR",
        "lr = lr0·gamma^⌊k/step_size⌋",
    ),
    "exponential": _Kind(
        _exponential, {"gamma": (None, _POSITIVE)}, "ExponentialLR", "lr = lr0·gamma^k"
    ),
    "cosine": _Kind(
        _cosine,
        {"T_max": (None, _POSITIVE_INT), "eta_min": (0.0, _NON_NEGATIVE)},
        "CosineAnnealingLR",
        "lr = eta_min + (lr0 − eta_min)·(1 + cos(π·min(k, T_max)/T_max))/2, "
        "held at eta_min after T_max",
    ),
    "warmup": _Kind(
        _warmup,
        {
            "start_factor": (1.0 / 3.0, _UNIT_OPEN_LOW),
            "end_factor": (1.0, _UNIT),
            "total_iters": (5, _POSITIVE_INT),
        },
        "LinearLR",
        "lr = lr0·(start_factor + (end_factor − start_factor)·min(k, total_iters)/total_iters)",
    ),
    "onecycle": _Kind(
        _onecycle,
        {
            "total_steps": (None, _POSITIVE_INT),
            "pct_start": (0.3, _OPEN_UNIT),
            "anneal_strategy": ("cos", _Choice(("cos", "linear"))),
            "div_factor": (25.0, _AT_LEAST_ONE),
            "final_div_factor": (1e4, _AT_LEAST_ONE),
            "three_phase": (False, _FLAG),
        },
        "OneCycleLR",
        "lr rises from lr0/div_factor to lr0 over pct_start·total_steps, then anneals to "
        "lr0/(div_factor·final_div_factor); lr0 is max_lr",
    ),
    "cyclic": _Kind(
        _cyclic,
        {
            "step_size_up": (None, _POSITIVE_INT),
            "step_size_down": (0, _NON_NEGATIVE_INT),
            "div_factor": (4.0, _AT_LEAST_ONE),
            "mode": ("triangular", _Choice(("triangular", "triangular2", "exp_range"))),
            "gamma": (1.0, _UNIT_OPEN_LOW),
        },
        "CyclicLR",
        "lr runs in triangles between lr0/div_factor and lr0 (lr0 is max_lr)",
    ),
}

SCHEDULES: tuple[str, ...] = tuple(_KINDS)


def _kind(name: Any) -> tuple[str, _Kind]:
    if not isinstance(name, str) or name.lower() not in _KINDS:
        raise ConfigError(f"unknown schedule {shown(name)}; choose one of: "
                          f"{', '.join(SCHEDULES)}")
    return name.lower(), _KINDS[name.lower()]


def schedule_params(name: str) -> dict[str, Any]:
    """A schedule's parameters and their defaults; None marks a required one."""
    _, kind = _kind(name)
    return {p: default for p, (default, _) in kind.params.items()}


# ---------------------------------------------------------------- the schedule
@dataclass(frozen=True)
class Schedule:
    """A named learning-rate schedule with validated parameters.

    Construction validates ``params``, fills in defaults and lower-cases the
    name, so every Schedule that exists is usable. Equal schedules compare
    and hash equal.
    """

    name: str = "constant"
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        key, kind = _kind(self.name)
        given = dict(self.params)
        unknown = sorted(set(given) - set(kind.params))
        if unknown:
            allowed = ", ".join(kind.params) or "none"
            raise ConfigError(
                f"the {key} schedule has no parameter {unknown[0]!r} (its parameters: {allowed})"
            )
        clean: dict[str, Any] = {}
        for p, (default, check) in kind.params.items():
            if given.get(p) is None:
                if default is None:
                    raise ConfigError(_missing_message(key, p))
                clean[p] = default
            else:
                clean[p] = check(key, p, given[p])
        object.__setattr__(self, "name", key)
        object.__setattr__(self, "params", clean)

    def __hash__(self) -> int:
        return hash((self.name, tuple(sorted(self.params.items()))))

    @property
    def torch_class(self) -> str:
        """The torch.optim.lr_scheduler class it matches ("" for constant)."""
        return _KINDS[self.name].torch_class

    def lr(self, lr0: Any, k: Any) -> Any:
        """The learning rate of update ``k`` (0 = first) when the base rate is ``lr0``.

        ``k`` is an int or an integer array, ``lr0`` a float or an array that
        broadcasts against ``k`` (one base rate per run, shape ``(R, 1)``).
        Returns a float when both are scalars, else a float64 array.
        """
        kk = np.asarray(k)
        if kk.dtype.kind not in "iu":
            raise TypeError(f"update index k must be an integer or integer array, got {k!r}")
        if kk.size and kk.min() < 0:
            raise ValueError(f"update index k must be >= 0, got {k!r}")
        out = _KINDS[self.name].formula(np.asarray(lr0, dtype=np.float64), kk, **self.params)
        return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=np.float64)

    def describe(self) -> str:
        """The rule in symbols with its parameter values, for the schedule panel."""
        kind = _KINDS[self.name]
        values = ", ".join(f"{p}={v:g}" if isinstance(v, int | float) and not isinstance(v, bool)
                           else f"{p}={v}" for p, v in self.params.items())
        head = f"{self.name} ({values})" if values else self.name
        like = f"; as torch.optim.lr_scheduler.{kind.torch_class}" if kind.torch_class else ""
        return f"{head}: {kind.rule}, k = update index from 0{like}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict that `make_schedule` turns back into this schedule."""
        return {"name": self.name, **self.params}


def _missing_message(name: str, param: str) -> str:
    kind = _KINDS[name]
    required = [p for p, (d, _) in kind.params.items() if d is None]
    example = ", ".join(f'"{p}": ...' for p in required)
    return (f"the {name} schedule needs {param} ({kind.params[param][1].rule}); "
            f'give it as {{"name": "{name}", {example}}}')


def check_rates(schedule: Schedule, lr0: float, steps: int) -> None:
    """Refuse a schedule whose learning rate of some update 0..steps is not a finite
    number >= 0 when the base rate is ``lr0`` (a ConfigError saying where and why).

    The engine itself runs such a schedule (an infinite rate diverges the run);
    the command line refuses it up front, as it refuses such a ``--lr``.
    """
    ks = np.arange(steps + 1)
    with np.errstate(all="ignore"):
        lrs = np.broadcast_to(np.asarray(schedule.lr(lr0, ks), dtype=np.float64), ks.shape)
    bad = ~(np.isfinite(lrs) & (lrs >= 0))
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        what = "negative" if lrs[k] < 0 else "not finite"
        values = ", ".join(f"{p}={v:g}" for p, v in schedule.params.items())
        raise ConfigError(
            f"the {schedule.name} schedule ({values}) with base learning rate {lr0:g} gives "
            f"update {k} a learning rate of {float(lrs[k])!r} ({what}); a learning rate must be a "
            "finite number >= 0: change the schedule's numbers or take fewer steps"
        )


def make_schedule(spec: Any) -> Schedule:
    """Build a Schedule from None, a name, a dict with a ``name`` key, or a Schedule.

    None means constant. A bare name works only for schedules whose
    parameters all have defaults (constant, warmup); the others raise a
    ConfigError saying which parameter is missing.
    """
    if spec is None:
        return Schedule("constant")
    if isinstance(spec, Schedule):
        return spec
    if isinstance(spec, str):
        return Schedule(spec)
    if isinstance(spec, Mapping):
        if "name" not in spec:
            names = ", ".join(SCHEDULES)
            raise ConfigError(
                f"a schedule dict needs a 'name' (one of: {names}), got {shown(dict(spec))}"
            )
        rest = {k: v for k, v in spec.items() if k != "name"}
        return Schedule(spec["name"], rest)
    raise ConfigError(
        f"a schedule must be None, a name, a dict with a 'name' or a Schedule, got {shown(spec)}"
    )


__all__ = ["SCHEDULES", "Schedule", "check_rates", "make_schedule", "schedule_params"]
