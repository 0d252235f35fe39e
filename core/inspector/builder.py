"""Assemble the four steps of one update from the run's table and the problem's text."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from core.inspector.model import Example, ParamUpdate, StepInspection, mark_changed
from core.inspector.optimizer_steps import describe_optimizer
from core.inspector.optimizer_text import OptimizerStep, StepContext
from core.inspector.phases import (
    StepData,
    gradient_phase,
    loss_phase,
    predict_phase,
    update_phase,
)
from core.inspector.problem_text import StepText
from core.inspector.replay import (
    RunView,
    batch_rows,
    replay_for,
    trainer_for,
    view_of_run,
    view_of_trainer,
)
from core.inspector.texts import step_text
from core.run.trainer import Run, Trainer
from core.xp import NUMPY

if TYPE_CHECKING:
    from collections.abc import Sequence

    from core._types import FloatArray

MAX_EXAMPLES = 5


class StepInspector:
    """The four steps of any update of one run, for the window's inspector panel.

    Parameters
    ----------
    source
        A finished `Run`, a live `Trainer` (rows appear as it advances), or a
        ``(problem, config)`` pair (a name or `Problem`, and a `RunConfig` or a
        dict of its fields), which is run as far as the rows asked for.
    decimals
        Places of the rounded text (the step table's 4 by default).
    max_examples
        How many examples of a batch the predict step lists before "…".
    """

    def __init__(self, source: Any, *, decimals: int = 4, max_examples: int = MAX_EXAMPLES) -> None:
        self._source = source
        self._trainer: Trainer | None = None
        if isinstance(source, tuple) and len(source) == 2:
            self._trainer = trainer_for(*source)
        elif not isinstance(source, (Run, Trainer)):
            raise TypeError(
                f"inspect a Run, a Trainer or a (problem, config) pair, got {type(source).__name__}"
            )
        self.decimals = decimals
        self.max_examples = max_examples

    def view(self, k: int = -1) -> RunView:
        """The run as it stands, extended to row ``k + 1`` when it runs on demand."""
        if self._trainer is not None:
            need = k + 2 - self._trainer.rows
            if need > 0:
                self._trainer.advance(need)
            return view_of_trainer(self._trainer)
        if isinstance(self._source, Run):
            return view_of_run(self._source)
        return view_of_trainer(self._source)

    def inspect(self, k: int) -> StepInspection:
        """The four steps of update ``k`` (row ``k`` to row ``k + 1``).

        Negative ``k`` counts from the table's last row. ``changed`` holds
        the keys of lines whose numbers differ from update ``k − 1``'s.
        """
        view = self.view(max(k, 0))
        n_rows = len(view.table)
        if not -n_rows <= k < n_rows:
            raise IndexError(f"step {k} is not in the run: it has rows 0 to {n_rows - 1}")
        k %= n_rows
        current = self._build(view, k)
        if k == 0:
            return current
        previous = {line.key: line.display for line in self._build(view, k - 1).lines}
        phases, changed = mark_changed(current.phases, previous)
        return replace(current, phases=phases, changed=changed)

    # ---------------------------------------------------------------- build
    def _build(self, view: RunView, k: int) -> StepInspection:
        problem, table, names = view.problem, view.table, view.names
        text = step_text(problem)
        theta, grad = view.params_at(k), view.grad_at(k)
        lr, loss = float(table["lr"][k]), float(table["loss"][k])
        batch_loss = float(table["batch_loss"][k]) if "batch_loss" in table else None
        params = dict(zip(names, theta.tolist(), strict=True))
        batch = batch_rows(view.plan, k)
        examples = self._examples(view, text, params, batch)
        update = self._update(view, k, theta, grad, lr)
        data = StepData(view, text, params, batch, examples, self.decimals)
        phases = (
            predict_phase(data),
            loss_phase(data, loss, batch_loss),
            gradient_phase(data, grad, update.step),
            update_phase(names, update.step, update.new, update.taken, self.decimals),
        )
        return StepInspection(
            step=k, epoch=int(table["epoch"][k]), problem=problem.name,
            optimizer=view.optimizer.name, hyper=dict(view.optimizer.hyper), lr=lr,
            params=params, params_after=dict(zip(names, update.new.tolist(), strict=True)),
            loss=loss, batch_loss=batch_loss, batch=batch, examples=examples,
            grad=dict(zip(names, grad.tolist(), strict=True)),
            state_before=_state_dict(view, update.before), state=_state_dict(view, update.after),
            direction=dict(zip(names, update.step.direction.tolist(), strict=True)),
            updates=_param_updates(names, theta, lr, update),
            update_taken=update.taken, update_recorded=update.recorded,
            notes=_notes(view, k, update.taken, update.recorded), phases=phases,
        )

    def _update(self, view: RunView, k: int, theta: FloatArray, grad: FloatArray,
                lr: float) -> _Update:
        """Update ``k`` replayed: the optimizer's state around it and the new parameters."""
        before = replay_for(view).before(view, k)
        with np.errstate(all="ignore"):
            computed, after = view.optimizer.step(theta.copy(), grad.copy(), before, lr)
        taken = k != view.diverged_at and k != view.converged_at
        recorded = taken and k + 1 < len(view.table)
        new = view.params_at(k + 1) if recorded else np.asarray(computed, dtype=np.float64)
        ctx = StepContext(view.optimizer, view.names, theta, grad, lr, before, after,
                          self.decimals)
        with np.errstate(all="ignore"):
            step = describe_optimizer(ctx, new)
        return _Update(before, after, new, step, taken, recorded)

    def _examples(
        self, view: RunView, text: StepText, params: dict[str, float], batch: Sequence[int] | None
    ) -> tuple[Example, ...]:
        data = view.problem.data
        if batch is None or data is None:
            return ()
        p = tuple(params.values())
        out = []
        for i in batch[: self.max_examples]:
            x = tuple(float(v) for v in data.x[i])
            y = float(data.y[i])
            with np.errstate(all="ignore"):
                loss_i, grad_i = view.problem.loss_grad_c(NUMPY, p, data.take(slice(i, i + 1)))
                values = {**params, **text.values(params, x, y)}
            out.append(
                Example(
                    index=i,
                    inputs=x,
                    target=y,
                    prediction=values.get("yhat"),
                    error=values.get("err"),
                    loss=float(loss_i),
                    grad=tuple(float(g) for g in grad_i),
                    values=values,
                )
            )
        return tuple(out)


@dataclass(frozen=True)
class _Update:
    """One replayed update: the state before and after, the new parameters, its text."""

    before: Any
    after: Any
    new: FloatArray
    step: OptimizerStep
    taken: bool  # False where the run stopped at this row
    recorded: bool  # the new parameters are the table's next row


def _param_updates(names: Sequence[str], theta: FloatArray, lr: float,
                   update: _Update) -> tuple[ParamUpdate, ...]:
    step = update.step
    return tuple(
        ParamUpdate(n, float(theta[i]), lr, float(step.direction[i]), float(update.new[i]),
                    None if step.decay is None else float(step.decay[i]))
        for i, n in enumerate(names)
    )


def _state_dict(view: RunView, state: Any) -> dict[str, dict[str, float]]:
    cols = view.optimizer.state_columns(state)
    return {
        name: {n: float(np.asarray(arr)[i]) for i, n in enumerate(view.names)}
        for name, arr in cols.items()
    }


def _notes(view: RunView, k: int, taken: bool, recorded: bool) -> tuple[str, ...]:
    if k == view.diverged_at:
        return (
            f"The run diverged at step {k}: its loss, a parameter or the gradient is not "
            "finite, or the loss grew past 10¹² times its start. No update was made.",
        )
    if k == view.converged_at:
        return (
            f"The run stopped at step {k} as converged; the update shown is the one it "
            "would make next.",
        )
    if taken and not recorded:
        return (
            f"Step {k} is the last row of the table; the update shown makes the "
            "parameters the next row would hold.",
        )
    return ()


def inspect_step(
    source: Any, k: int, *, decimals: int = 4, max_examples: int = MAX_EXAMPLES
) -> StepInspection:
    """The four steps of update ``k``: predict, loss, gradient, update.

    Parameters
    ----------
    source
        A `Run`, a `Trainer`, or a ``(problem, config)`` pair.
    k
        The row, i.e. the update from row ``k`` to row ``k + 1`` (negative
        counts from the end).
    decimals
        Places of the rounded text (4, like the step table).
    max_examples
        Examples of the batch listed before "…".

    Returns
    -------
    StepInspection
        Structured values and four `Phase` objects of rich-text `Line` s.
    """
    inspector = StepInspector(source, decimals=decimals, max_examples=max_examples)
    return inspector.inspect(k)
