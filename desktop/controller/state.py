"""The knobs as plain data (for the settings file), and back to a validated config."""

from __future__ import annotations

import logging
from typing import Any

import core
from core import ConfigError, Problem, RunConfig

log = logging.getLogger(__name__)

DEFAULT_PROBLEM = "line-one-point"
DEFAULT_SPEED = 30.0  # steps per second: slow enough to follow each step
MIN_SPEED, MAX_SPEED = 1.0, 100_000.0


def tolerance_of(problem: Problem) -> float | None:
    """Stop at the tolerance only where the problem has a known minimum loss."""
    return None if problem.min_loss is None else float(problem.tolerance)


def default_config(problem: Problem, name: str, options: dict[str, Any],
                   keep: RunConfig | None = None) -> RunConfig:
    """The problem's own defaults, keeping the optimizer and seed of ``keep``."""
    batch = problem.default_batch
    return RunConfig(
        problem=name,
        optimizer=keep.optimizer if keep else "sgd",
        hyper=dict(keep.hyper) if keep else {},
        lr=problem.default_lr,
        steps=problem.default_steps,
        start=tuple(problem.start),
        batch=batch,
        seed=keep.seed if keep else 0,
        backend=keep.backend if keep else "numpy",
        device=keep.device if keep else "auto",
        schedule=keep.schedule if keep else None,
        options=dict(options),
        tol=tolerance_of(problem),
    )


def knobs_of(config: RunConfig, speed: float, axes: tuple[int, int]) -> dict[str, Any]:
    """Everything the user set, as JSON-ready data."""
    hyper = {k: list(v) if isinstance(v, tuple) else v for k, v in config.hyper.items()}
    return {
        "problem": config.problem if isinstance(config.problem, str) else config.problem.name,
        "options": dict(config.options),
        "optimizer": config.optimizer,
        "hyper": hyper,
        "lr": float(config.lr),
        "steps": int(config.steps),
        "start": list(config.start) if config.start is not None else None,
        "batch": config.batch,
        "seed": int(config.seed),
        "backend": config.backend,
        "device": config.device,
        "schedule": config.schedule,
        "speed": float(speed),
        "axes": list(axes),
    }


def config_from_knobs(knobs: dict[str, Any], problem: Problem | None = None
                      ) -> tuple[Problem, RunConfig, float, tuple[int, int]]:
    """Rebuild (problem, config, speed, axes) from saved knobs; ConfigError if invalid.

    ``problem``: the already rebuilt custom problem (a formula or data set), if any.
    """
    name = knobs.get("problem") or DEFAULT_PROBLEM
    options = knobs.get("options") or {}
    if not isinstance(options, dict):
        raise ConfigError("saved problem options are not a mapping")
    if problem is None:
        problem = core.get_problem(name, **options)
    else:
        name, options = problem.name, {}
    base = default_config(problem, name, options)
    fields = {k: knobs[k] for k in ("optimizer", "hyper", "lr", "steps", "batch", "seed",
                                    "device", "schedule") if knobs.get(k) is not None}
    start = knobs.get("start")
    if start is not None:
        fields["start"] = problem.check_start(start)
    cfg = base.with_(**fields)
    check_trainable(problem, cfg)
    speed = clamp_speed(knobs.get("speed", DEFAULT_SPEED))
    axes = _axes(knobs.get("axes"), problem)
    return problem, cfg, speed, axes


def check_trainable(problem: Problem, cfg: RunConfig) -> None:
    """Validate what only a trainer checks (batch against the data, the start)."""
    core.Trainer(problem, cfg.with_(backend="numpy", steps=0))


def clamp_speed(value: Any) -> float:
    try:
        speed = float(value)
    except (TypeError, ValueError):
        return DEFAULT_SPEED
    if speed != speed:
        return DEFAULT_SPEED
    return min(MAX_SPEED, max(MIN_SPEED, speed))


def _axes(value: Any, problem: Problem) -> tuple[int, int]:
    n = problem.n_params
    try:
        i, j = (int(v) for v in value)
    except (TypeError, ValueError):
        return (0, 1) if n > 1 else (0, 0)
    if n > 1 and 0 <= i < n and 0 <= j < n and i != j:
        return (i, j)
    return (0, 1) if n > 1 else (0, 0)
