"""Problems that are not a built-in name: a typed formula, a data file, a lesson's set-up.

The controller otherwise installs problems by name. Here it takes a built
`Problem` together with the `core.session.ProblemRef` that rebuilds it, so a
session file or the settings can bring it back. Everything is validated
before anything changes: a `ConfigError` reaches the caller and the old
problem and run stay as they were.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import core
from core.session import ProblemRef
from desktop.controller import state

log = logging.getLogger(__name__)

KNOBS_KEY = "problem_ref"  # the settings' knobs carry a custom problem's recipe here


def ref_from_dict(data: Mapping[str, Any]) -> ProblemRef:
    """A `ProblemRef` back from `ProblemRef.to_dict` (settings written by this program)."""
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


def build_ref(ref: ProblemRef, start: Any = None) -> Any:
    """``ref.build()``, except that a formula starts where it was left.

    A `ProblemRef` holds no start; a formula that is not finite at the
    default start points still builds at the start the run used.
    """
    if ref.formula is not None and start is not None:
        return core.formula_problem(ref.formula, ref.params, start=start)
    return ref.build()


def _axes_for(problem: Any) -> tuple[int, int]:
    return (0, 1) if problem.n_params > 1 else (0, 0)


class CustomProblemMixin:
    """Custom problems and lesson set-ups. Mixed into `Controller` (which owns the state)."""

    _custom: tuple[Any, ProblemRef] | None = None

    @property
    def problem_ref(self) -> ProblemRef:
        """How to rebuild the current problem (a session file stores this)."""
        custom = self._custom
        if custom is not None and custom[0] is self.problem:
            return custom[1]
        return ProblemRef(name=self.problem.name, options=dict(self.config.options))

    @property
    def is_custom(self) -> bool:
        custom = self._custom
        return custom is not None and custom[0] is self.problem

    def set_custom_problem(self, problem: Any, ref: ProblemRef, config: Any = None) -> None:
        """Install a built problem (a formula, a data set) and run it.

        Without ``config`` it runs with the problem's defaults, keeping the
        optimizer, its hyper-parameters, the schedule and the seed; with one
        (a `RunConfig`, e.g. from a session file) exactly that config.
        """
        if config is None:
            cfg = state.default_config(problem, problem.name, {}, keep=self.config)
            if cfg.batch != "full" and problem.n_samples == 0:
                cfg = cfg.with_(batch="full")
        else:
            cfg = config
        state.check_trainable(problem, cfg)
        self._custom = (problem, ref)
        self._install(problem, cfg, _axes_for(problem))

    def load_setup(self, problem_name: str, *, optimizer: str, lr: float, steps: int,
                   batch: Any, hyper: Mapping[str, Any]) -> None:
        """A whole set-up at once (a lesson's): one re-run, and nothing if any part is bad."""
        problem = core.get_problem(problem_name)
        cfg = state.default_config(problem, problem_name, {}, keep=self.config).with_(
            optimizer=optimizer, hyper=dict(hyper), lr=lr, steps=steps, batch=batch,
            schedule=None)
        state.check_trainable(problem, cfg)
        self._install(problem, cfg, _axes_for(problem))

    def run_with(self, lr: float, steps: int | None = None) -> None:
        """Set the learning rate (and budget) and run the whole budget from the start."""
        fields: dict[str, Any] = {"lr": lr}
        if steps is not None:
            fields["steps"] = steps
        cfg = self.config.with_(**fields)
        self.pause()
        self.config = cfg
        self._applied_preset = None
        self._request_rerun(full=True)
        self._refresh_gauge()
        self.knobsChanged.emit()

    # ------------------------------------------------------------ settings
    def _knobs_with_ref(self, knobs: dict[str, Any]) -> dict[str, Any]:
        if self.is_custom:
            knobs[KNOBS_KEY] = self.problem_ref.to_dict()
        return knobs

    def _custom_from_knobs(self, knobs: Mapping[str, Any]) -> Any:
        """The saved custom problem, rebuilt (None for a built-in); may raise."""
        data = knobs.get(KNOBS_KEY)
        if not isinstance(data, Mapping):
            return None
        ref = ref_from_dict(data)
        problem = build_ref(ref, knobs.get("start"))
        self._custom = (problem, ref)
        return problem
