"""The run loop: `Trainer` advances a run in chunks and records its step table.

Row k of the step table holds the parameters before update k, the full-data
loss there, the gradient update k uses and update k's learning rate; a run of
N steps has rows 0..N. The run stops early by the rules of
`core.run.stopping` (diverged, or converged within ``tol``), and also as
``converged`` at a full-batch row with a zero gradient that the update leaves
unchanged (nothing further can happen).

The numpy engine keeps one Python float per parameter and calls the
optimizer's rule once per parameter with the float namespace (`core.xp`): a
numpy call per scalar would cost more than the whole step, and a slider drag
re-runs 1,000 steps per frame.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from core.checks import check_lr
from core.optim import make_optimizer
from core.optim.base import stack_states
from core.optim.schedules import make_schedule
from core.problems.base import Problem
from core.run.article import ARTICLE_COLUMN, article_factor, article_losses
from core.run.batches import BatchPlan
from core.run.config import RunConfig, check_steps
from core.run.stopping import divergence_limit, reached, within_limits
from core.run.table import StepTable
from core.xp import FLOATS, NUMPY

if TYPE_CHECKING:
    from core._types import FloatArray

Record = tuple[float, ...]
# the rows' values, row after row in one flat list (cheaper to build and to
# turn into an array than a list of tuples): θ, loss, gradient, extras, batch loss
RowValues = list[float]


@dataclass
class Run:
    """A finished (or stopped) run: its table, status and settings."""

    table: StepTable
    status: str  # "finished", "converged", "diverged" (or "running" if stopped early)
    diverged_at: int | None
    problem: Problem
    config: RunConfig
    converged_at: int | None = None
    device: str = "cpu"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def final_loss(self) -> float:
        return float(self.table["loss"][-1]) if len(self.table) else float("nan")

    @property
    def params(self) -> FloatArray:
        """Parameter values of every row, shape (rows, p)."""
        return np.stack([self.table[n] for n in self.problem.param_names], axis=-1)


def table_columns(problem: Problem, uses_batches: bool, article: bool = False) -> list[str]:
    names = problem.param_names
    cols = ["step", "epoch", "lr", *names, "loss", *(f"grad_{n}" for n in names), "grad_norm"]
    cols += list(problem.extra_columns)
    if uses_batches:
        cols.append("batch_loss")
    if article:
        cols.append(ARTICLE_COLUMN)
    return cols


class Trainer:
    """An incremental run: ``advance(n)`` appends up to n rows to ``table``.

    The window drives it from a timer (advance by as many steps as the speed
    asks, change the learning rate between chunks); `run` drives it to the end.
    """

    def __init__(self, problem: Problem, cfg: RunConfig) -> None:
        self.problem = problem
        self.config = cfg
        self.start = problem.check_start(cfg.start)
        self.optimizer = make_optimizer(cfg.optimizer, **cfg.hyper)
        self.plan = BatchPlan.make(cfg.batch, problem.n_samples, cfg.seed, problem.name)
        self.schedule = None if cfg.schedule is None else make_schedule(cfg.schedule)
        self.lr0 = cfg.lr
        self.steps = cfg.steps
        self._article = article_factor(problem, self.plan)
        columns = table_columns(problem, self.plan.uses_batches, self._article is not None)
        self.table = StepTable(columns, capacity=min(cfg.steps + 1, 4096))
        # a row's values but step, epoch, lr, grad_norm and the article's loss
        self._width = len(columns) - 4 - (self._article is not None)
        self.status = "running"
        self.diverged_at: int | None = None
        self.converged_at: int | None = None
        self._k = 0  # index of the next row
        self._limit = float("inf")
        self._min_loss = problem.min_loss if problem.min_loss is not None else 0.0
        self._p = self.start  # the parameters the next row records, one float each
        rule, hyper = self.optimizer.rule, self.optimizer.hyper
        self._states = tuple(rule.init(v, hyper, FLOATS) for v in self._p)

    # ------------------------------------------------------------ control
    @property
    def finished(self) -> bool:
        return self.status != "running"

    @property
    def rows(self) -> int:
        return self._k

    @property
    def theta(self) -> FloatArray:
        """The parameters the next row will record."""
        return np.asarray(self._p, dtype=np.float64)

    @property
    def optimizer_state(self) -> Any:
        """The optimizer's state as arrays shaped like the parameters."""
        return stack_states(self._states)

    @property
    def device(self) -> str:
        return "cpu"

    def set_lr(self, lr: float) -> None:
        """Change the base learning rate for the updates still to come."""
        self.lr0 = check_lr(lr)

    def set_steps(self, steps: int) -> None:
        """Change the step budget; a run that finished on its budget may go on."""
        self.steps = check_steps(steps)
        if self.status == "finished" and self._k <= self.steps:
            self.status = "running"
        elif self.status == "running" and self._k > self.steps:
            self.status = "finished"

    def lrs(self, k0: int, m: int) -> list[float]:
        ks = np.arange(k0, k0 + m)
        if self.schedule is None:
            return [self.lr0] * m
        return [float(v) for v in np.broadcast_to(self.schedule.lr(self.lr0, ks), ks.shape)]

    def advance(self, max_rows: int) -> int:
        """Append up to ``max_rows`` rows; return how many were added."""
        if self.finished or max_rows <= 0:
            return 0
        m = min(max_rows, self.steps + 1 - self._k)
        k0 = self._k
        lrs = self.lrs(k0, m)
        with np.errstate(all="ignore"):
            rows = self._rows(k0, lrs)
        added = len(rows) // self._width
        self._append(k0, lrs, rows, added)
        if self.status == "running" and self._k > self.steps:
            self.status = "finished"
        if self.finished:
            self.table.shrink_to_fit()
        return added

    def run(self, chunk: int = 100_000) -> Run:
        """Advance to the end and return the `Run`."""
        while not self.finished:
            self.advance(chunk)
        return self.result()

    def result(self) -> Run:
        return Run(self.table, self.status, self.diverged_at, self.problem, self.config,
                   converged_at=self.converged_at, device=self.device)

    # ------------------------------------------------------------ stopping
    def _stops(self, k: int, loss: float, total: float) -> bool:
        """Apply `core.run.stopping` to row ``k``; True (status set) if the run ends.

        ``total`` is ``loss + Σ grad + Σ params`` of the row.
        """
        if k == 0:
            self._limit = divergence_limit(loss)
        if not within_limits(loss, total, self._limit):
            self.status, self.diverged_at = "diverged", k
            return True
        tol = self.config.tol
        if tol is not None and reached(loss, self._min_loss, tol):
            self.status, self.converged_at = "converged", k
            return True
        return False

    # ------------------------------------------------------------ the loop
    def _rows(self, k0: int, lrs: Sequence[float]) -> RowValues:
        """Rows k0, k0 + 1, ... with the given learning rates, until a stop.

        The stopping rules are `_stops`' (the functions of `core.run.stopping`),
        called here without the method around them: at about 1 µs a step,
        each call layer saved is a few percent of a slider drag.
        """
        problem, plan = self.problem, self.plan
        loss_grad, data = problem.full_loss_grad_c, problem.data
        batch_loss_grad = problem.loss_grad_c if plan.uses_batches else None
        extras = problem.extras_c if problem.extra_columns else None
        whole = not plan.uses_batches or plan.n <= 1
        plain, two = self.optimizer.plain, problem.n_params == 2
        fine, tol, min_loss, limit = within_limits, self.config.tol, self._min_loss, self._limit
        steps, p, states = self.steps, self._p, self._states
        rows: RowValues = []
        add = rows.extend
        k = k0 - 1
        for lr in lrs:
            k += 1
            loss, g = loss_grad(p)
            if batch_loss_grad is not None:
                assert data is not None
                ex = extras(NUMPY, p, data) if extras else ()
                batch_loss, g = batch_loss_grad(NUMPY, p, data.take(plan.indices(k)))
                add((*p, loss, *g, *ex, batch_loss))
            elif extras:
                add((*p, loss, *g, *extras(NUMPY, p, data)))
            else:
                add((*p, loss, *g))
            if k == 0:
                limit = divergence_limit(loss)
            total = loss + (g[0] + g[1]) + (p[0] + p[1]) if two else loss + sum(g) + sum(p)
            if not fine(loss, total, limit):
                self.status, self.diverged_at = "diverged", k
                break
            if tol is not None and reached(loss, min_loss, tol):
                self.status, self.converged_at = "converged", k
                break
            if plain and two:  # the rule's own θ − lr·g inline: calling it costs a third
                new, new_states = (p[0] - lr * g[0], p[1] - lr * g[1]), states
            elif plain:
                new = tuple([pi - lr * gi for pi, gi in zip(p, g, strict=True)])
                new_states = states
            else:
                new, new_states = self._update(p, g, states, lr)
            if whole and not any(g) and new == p:
                self.status, self.converged_at = "converged", k
                break
            # update even after the budget's last row, so a longer budget continues
            p, states = new, new_states
            if k == steps:
                break
        self._p, self._states, self._limit = p, states, limit
        return rows

    def _update(self, p: Record, g: Sequence[float], states: tuple[Any, ...],
                lr: float) -> tuple[Record, tuple[Any, ...]]:
        """One update of every parameter by the optimizer's rule, on floats.

        Where the float math has no real answer (a division by zero with
        ``eps = 0``) the update is redone in numpy, whose inf and nan the
        table then records, as a numpy run would.
        """
        update, hyper = self.optimizer.rule.update, self.optimizer.hyper
        try:
            out = [update(gi, si, pi, hyper, lr, FLOATS)
                   for gi, si, pi in zip(g, states, p, strict=True)]
        except ArithmeticError:
            out = [update(np.float64(gi), si, np.float64(pi), hyper, lr, NUMPY)
                   for gi, si, pi in zip(g, states, p, strict=True)]
        return tuple([o[0] for o in out]), tuple([o[1] for o in out])

    def _append(self, k0: int, lrs: Sequence[float], rows: RowValues, m: int) -> None:
        if m == 0:
            return
        problem = self.problem
        n = problem.n_params
        rec = np.fromiter(rows, np.float64, count=len(rows)).reshape(m, self._width)
        ks = np.arange(k0, k0 + m)
        cols: dict[str, Any] = {
            "step": ks,
            "epoch": self.plan.epoch_of(ks),
            "lr": np.asarray(lrs[:m], dtype=np.float64),
        }
        for j, name in enumerate(problem.param_names):
            cols[name] = rec[:, j]
        cols["loss"] = rec[:, n]
        grads = rec[:, n + 1 : 2 * n + 1]
        for j, name in enumerate(problem.param_names):
            cols[f"grad_{name}"] = grads[:, j]
        cols["grad_norm"] = functools.reduce(np.hypot, grads.T) if n > 1 else np.abs(grads[:, 0])
        for j, name in enumerate(problem.extra_columns):
            cols[name] = rec[:, 2 * n + 1 + j]
        if self.plan.uses_batches:
            cols["batch_loss"] = rec[:, -1]
        if self._article is not None:  # from the chunk's parameters, after the loop
            carry = float(self.table[ARTICLE_COLUMN][-1]) if k0 % self.plan.n else 0.0
            cols[ARTICLE_COLUMN] = article_losses(problem, self._article, rec[:, :n], ks, carry)
        self.table.append_columns(cols, m)
        self._k = k0 + m
