"""`KnobsModel`: everything the user set: the problem, the run config, the pair or plane
shown, speed.

Each setter validates first (a `ConfigError` reaches the caller and nothing
changes), then stores the value and emits ``changed`` with the names of the
fields that really changed, once. Nothing here runs or draws: the window
model hears ``changed`` and re-runs, the controls hear it and show the value.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import core
from core import ConfigError, Problem, RunConfig
from core.run.config import RUN_FIELDS as RUN_CONFIG_FIELDS
from core.session import ProblemRef
from desktop.model.events import Event
from desktop.model.slicing import PlaneChoice, default_plane

log = logging.getLogger(__name__)

DEFAULT_PROBLEM = "line-one-point"
DEFAULT_SPEED = 30.0  # steps per second: slow enough to follow each step
MIN_SPEED, MAX_SPEED = 1.0, 100_000.0
REF_KEY = "problem_ref"  # the saved knobs carry a formula's or data set's recipe here
TORCH_INSTALL_HINT = 'the torch backend needs PyTorch: pip install "lr-playground[torch]"'

# the fields a change names; "problem" means a new problem and config altogether
FIELDS = frozenset({"problem", "options", "lr", "optimizer", "start", "schedule", "batch",
                    "seed", "noise", "steps", "backend", "speed", "axes", "plane"})
# the fields that make a different run (speed and the pair or plane shown do not)
RUN_FIELDS = FIELDS - {"speed", "axes", "plane"}


@dataclass(frozen=True)
class KnobsChange:
    """Which knobs changed in one edit (``"lr" in change``)."""

    fields: frozenset[str]

    def __contains__(self, name: object) -> bool:
        return name in self.fields

    @property
    def new_problem(self) -> bool:
        return "problem" in self.fields

    @property
    def changes_run(self) -> bool:
        return bool(self.fields & RUN_FIELDS)


def tolerance_of(problem: Problem) -> float | None:
    """Stop at the tolerance only where the problem has a known minimum loss."""
    return None if problem.min_loss is None else float(problem.tolerance)


def default_config(problem: Problem, name: str, options: Mapping[str, Any],
                   keep: RunConfig | None = None) -> RunConfig:
    """The problem's own defaults, keeping the optimizer, schedule, seed and backend of
    ``keep``; a problem without data runs full-batch."""
    cfg = RunConfig(
        problem=name,
        optimizer=keep.optimizer if keep else "sgd",
        hyper=dict(keep.hyper) if keep else {},
        lr=problem.default_lr,
        steps=problem.default_steps,
        start=tuple(problem.start),
        batch=problem.default_batch,
        seed=keep.seed if keep else 0,
        noise=keep.noise if keep else 0.0,
        backend=keep.backend if keep else "numpy",
        device=keep.device if keep else "auto",
        schedule=keep.schedule if keep else None,
        options=dict(options),
        tol=tolerance_of(problem),
    )
    if cfg.batch != "full" and problem.n_samples == 0:
        cfg = cfg.with_(batch="full")
    return cfg


def check_trainable(problem: Problem, cfg: RunConfig) -> None:
    """Validate what only a trainer checks (batch against the data, the start)."""
    core.make_trainer(problem, cfg.with_(backend="numpy", steps=0))


def clamp_speed(value: Any) -> float:
    try:
        speed = float(value)
    except (TypeError, ValueError):
        return DEFAULT_SPEED
    if math.isnan(speed):
        return DEFAULT_SPEED
    return min(MAX_SPEED, max(MIN_SPEED, speed))


def default_axes(problem: Problem) -> tuple[int, int]:
    return (0, 1) if problem.n_params > 1 else (0, 0)


def parse_axes(value: Any, problem: Problem) -> tuple[int, int]:
    n = problem.n_params
    try:
        i, j = (int(v) for v in value)
    except (TypeError, ValueError):
        return default_axes(problem)
    if n > 1 and 0 <= i < n and 0 <= j < n and i != j:
        return (i, j)
    return default_axes(problem)


def ref_from_dict(data: Mapping[str, Any]) -> ProblemRef:
    """A `ProblemRef` back from `ProblemRef.to_dict` (knobs this program saved)."""
    params = data.get("params")
    return ProblemRef(
        name=data.get("name"),
        options=dict(data.get("options") or {}),
        formula=data.get("formula"),
        params=tuple(params) if params is not None else None,
        data=data.get("data"),
        model=data.get("model") or "linear",
        normalize=bool(data.get("normalize", False)),
        x_column=data.get("x_column"),
        y_column=data.get("y_column"),
    )


def build_ref(ref: ProblemRef, start: Any = None) -> Problem:
    """``ref.build()``, except that a formula starts where it was left (a formula that
    is not finite at its default start still builds at the start the run used)."""
    if ref.formula is not None and start is not None:
        return core.formula_problem(ref.formula, ref.params, start=start)
    return ref.build()


@dataclass
class Restored:
    """Saved knobs, rebuilt and validated: install them as they are."""

    problem: Problem
    config: RunConfig
    speed: float | None  # None: keep the speed in force
    axes: tuple[int, int]
    ref: ProblemRef | None
    torch_device: str | None  # torch was chosen: load it in the background, then switch


def parse_knobs(knobs: Mapping[str, Any]) -> Restored:
    """Rebuild saved knobs (see `KnobsModel.to_dict`); ConfigError if anything is invalid."""
    data = knobs.get(REF_KEY)
    ref = ref_from_dict(data) if isinstance(data, Mapping) else None
    if ref is not None:
        problem = build_ref(ref, knobs.get("start"))
        name, options = problem.name, {}
    else:
        name = knobs.get("problem") or DEFAULT_PROBLEM
        options = knobs.get("options") or {}
        if not isinstance(options, Mapping):
            raise ConfigError("saved problem options are not a mapping")
        problem = core.get_problem(name, **options)
    base = default_config(problem, name, options)
    saved = {k: v for k, v in knobs.items() if k in RUN_CONFIG_FIELDS and v is not None
             and k != "backend"}
    cfg = RunConfig.from_dict({**base.to_dict(), **saved}, problem=name, options=dict(options),
                              tol=base.tol)
    if knobs.get("start") is not None:
        cfg = cfg.with_(start=problem.check_start(knobs["start"]))
    check_trainable(problem, cfg)
    torch_device = cfg.device if (knobs.get("backend") == "torch"
                                  and core.torch_available()) else None
    return Restored(problem, cfg.with_(backend="numpy"), clamp_speed(knobs.get("speed",
                    DEFAULT_SPEED)), parse_axes(knobs.get("axes"), problem), ref, torch_device)


class KnobsModel:
    """The knobs, validated; ``changed`` says which ones moved."""

    def __init__(self) -> None:
        self.changed: Event[KnobsChange] = Event("knobs.changed")
        self.problem: Problem = core.get_problem(DEFAULT_PROBLEM)
        self.config: RunConfig = default_config(self.problem, DEFAULT_PROBLEM, {})
        self.axes: tuple[int, int] = default_axes(self.problem)
        self.plane: PlaneChoice = default_plane(self.problem)  # many parameters: the plane
        self.speed: float = DEFAULT_SPEED
        # the preset whose learning rate is in force (None once the lr is set by hand)
        self.preset: str | None = None
        self._ref: tuple[Problem, ProblemRef] | None = None  # a formula's or data set's recipe

    # ------------------------------------------------------------------ reading
    @property
    def lr(self) -> float:
        return float(self.config.lr)

    @property
    def steps(self) -> int:
        return int(self.config.steps)

    @property
    def start(self) -> tuple[float, ...]:
        return tuple(self.config.start or self.problem.start)

    @property
    def is_custom(self) -> bool:
        return self._ref is not None and self._ref[0] is self.problem

    @property
    def problem_ref(self) -> ProblemRef:
        """How to rebuild the current problem (a session file stores this)."""
        if self._ref is not None and self._ref[0] is self.problem:
            return self._ref[1]
        return ProblemRef(name=self.problem.name, options=dict(self.config.options))

    def to_dict(self) -> dict[str, Any]:
        """Everything the user set, as JSON-ready data (the settings file keeps it)."""
        cfg = self.config
        # the run's own fields as every file writes them, then the window's
        out: dict[str, Any] = {"problem": self.problem.name, "options": dict(cfg.options),
                               **cfg.to_dict()}
        out["start"] = list(self.start)
        out["speed"] = float(self.speed)
        out["axes"] = list(self.axes)
        if self.is_custom:
            out[REF_KEY] = self.problem_ref.to_dict()
        return out

    # ------------------------------------------------------------------ one knob
    def set_lr(self, lr: float, *, preset: str | None = None) -> None:
        cfg = self.config.with_(lr=lr)  # validates: finite and >= 0
        moved = cfg.lr != self.config.lr or preset != self.preset
        self.preset = preset
        if moved:
            self._commit(cfg, {"lr"})

    def set_steps(self, steps: int) -> None:
        self._change({"steps"}, steps=steps)

    def set_optimizer(self, name: str, **hyper: Any) -> None:
        self._change({"optimizer"}, optimizer=name, hyper=hyper)

    def set_start(self, values: Any) -> None:
        start = tuple(float(v) for v in self.problem.check_start(values))
        self._change({"start"}, start=start)

    def set_schedule(self, spec: Any) -> None:
        self._change({"schedule"}, schedule=spec)

    def set_batch(self, batch: Any) -> None:
        self._change({"batch"}, batch=batch)

    def set_seed(self, seed: int) -> None:
        self._change({"seed"}, seed=seed)

    def set_noise(self, noise: float) -> None:
        """The scale of the Gaussian noise added to every gradient (0: none)."""
        self._change({"noise"}, noise=noise)

    def set_backend(self, backend: str, device: str = "auto") -> None:
        if backend == "torch" and not core.torch_available():
            raise ConfigError(TORCH_INSTALL_HINT)
        self._change({"backend"}, backend=backend, device=device)

    def set_speed(self, steps_per_s: float) -> None:
        speed = clamp_speed(steps_per_s)
        if speed != self.speed:
            self.speed = speed
            self.changed.emit(KnobsChange(frozenset({"speed"})))

    def set_axes(self, i: int, j: int) -> None:
        n = self.problem.n_params
        if not (0 <= i < n and 0 <= j < n and i != j):
            names = ", ".join(self.problem.param_names)
            raise ConfigError(f"pick two different parameters to show (of {names})")
        if (i, j) != self.axes:
            self.axes = (i, j)
            self.changed.emit(KnobsChange(frozenset({"axes"})))

    def set_plane(self, kind: str | None = None, centre: str | None = None,
                  seed: int | None = None) -> None:
        """The plane a problem of more than two parameters is drawn on (`PlaneChoice`)."""
        old = self.plane
        plane = PlaneChoice(old.kind if kind is None else kind,
                            old.centre if centre is None else centre,
                            old.seed if seed is None else seed)
        if self.problem.n_params <= 2:
            raise ConfigError("a problem of one or two parameters is drawn over them: "
                              "it has no plane to choose")
        if plane != old:
            self.plane = plane
            self.changed.emit(KnobsChange(frozenset({"plane"})))

    def _change(self, fields: set[str], **values: Any) -> None:
        cfg = self.config.with_(**values)
        if fields & {"batch", "seed", "start"}:
            check_trainable(self.problem, cfg)
        if cfg != self.config:
            self._commit(cfg, fields)

    def _commit(self, cfg: RunConfig, fields: set[str]) -> None:
        self.config = cfg
        if "lr" not in fields:
            self.preset = None  # the presets are worked out again for the new knobs
        self.changed.emit(KnobsChange(frozenset(fields)))

    # ------------------------------------------------------------------ a new problem
    def set_problem(self, name: str, **options: Any) -> None:
        """A built-in problem with its defaults, keeping the optimizer, schedule and seed."""
        problem = core.get_problem(name, **options)
        cfg = default_config(problem, name, options, keep=self.config)
        check_trainable(problem, cfg)
        fields = {"options"} if name == self.problem.name and not self.is_custom else set()
        self.install(problem, cfg, default_axes(problem), extra=fields)

    def set_custom_problem(self, problem: Problem, ref: ProblemRef,
                           config: RunConfig | None = None) -> None:
        """A formula or a data set (``ref`` rebuilds it), with its defaults or ``config``."""
        cfg = config if config is not None else default_config(problem, problem.name, {},
                                                               keep=self.config)
        check_trainable(problem, cfg)
        self.install(problem, cfg, default_axes(problem), ref=ref)

    def load_setup(self, problem_name: str, *, optimizer: str, lr: float, steps: int,
                   batch: Any, hyper: Mapping[str, Any]) -> None:
        """A whole set-up at once (a lesson's): one change, and none if any part is bad."""
        problem = core.get_problem(problem_name)
        cfg = default_config(problem, problem_name, {}, keep=self.config).with_(
            optimizer=optimizer, hyper=dict(hyper), lr=lr, steps=steps, batch=batch,
            schedule=None)
        check_trainable(problem, cfg)
        self.install(problem, cfg, default_axes(problem))

    def install(self, problem: Problem, cfg: RunConfig, axes: tuple[int, int] | None = None,
                ref: ProblemRef | None = None, speed: float | None = None,
                extra: set[str] | None = None) -> None:
        """Put a validated problem and config in force at once (one ``changed``)."""
        self.problem, self.config = problem, cfg
        self.axes = axes if axes is not None else default_axes(problem)
        self.plane = default_plane(problem)
        self._ref = (problem, ref) if ref is not None else None
        self.preset = None
        if speed is not None:
            self.speed = clamp_speed(speed)
        self.changed.emit(KnobsChange(frozenset({"problem", *(extra or set())})))

    def restore(self, restored: Restored) -> None:
        self.install(restored.problem, restored.config, restored.axes, restored.ref,
                     speed=restored.speed)
