"""The run loop: `Trainer` advances a run in chunks and records its step table.

Row k of the step table holds the parameters before update k, the full-data
loss there, the gradient update k uses and update k's learning rate; a run of
N steps has rows 0..N. The run stops early by the rules of
`core.run.stopping` (diverged, or converged within ``tol``), and also as
``converged`` at a full-batch row with a zero gradient that the update leaves
unchanged (nothing further can happen).

The updates themselves run in a stepper (`core.run.steppers`): only the
gradient each update uses is computed inside the sequential loop. The
columns the next update does not need (the full-data loss when updates
follow batches, the extras, the gradient norm) are filled in here for a
whole chunk of rows at once, and the stopping rules are checked on the
chunk, so a run costs about what the seed articles' own loops cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from core.checks import check_lr
from core.optim.schedules import make_schedule
from core.problems.base import Problem
from core.run.article import ARTICLE_COLUMN, article_factor, article_losses
from core.run.batches import BatchPlan
from core.run.config import RunConfig, check_steps
from core.run.sharpness import sharpness_along
from core.run.steppers import Chunk, Limits, Stop, make_stepper
from core.run.stopping import reached, within_limits
from core.run.table import StepTable

if TYPE_CHECKING:
    from core._types import FloatArray


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


def table_columns(problem: Problem, uses_batches: bool, article: bool = False,
                  sharpness: bool = False) -> list[str]:
    names = problem.param_names
    cols = ["step", "epoch", "lr", *names, "loss", *(f"grad_{n}" for n in names), "grad_norm"]
    cols += list(problem.extra_columns)
    if uses_batches:
        cols.append("batch_loss")
    if article:
        cols.append(ARTICLE_COLUMN)
    if sharpness:
        cols.append("sharpness")
    return cols


def gradient_norm(columns: FloatArray) -> FloatArray:
    """‖g‖ of each row from the gradient's columns (p, m): np.hypot added up column by
    column, which neither overflows nor underflows where the squares would."""
    norm = np.abs(columns[0])
    for i in range(1, len(columns)):  # by index: iterating an array costs a view a row
        norm = np.hypot(norm, columns[i])
    return norm


class Trainer:
    """An incremental run: ``advance(n)`` appends up to n rows to ``table``.

    The window drives it from a timer (advance by as many steps as the speed
    asks, change the learning rate between chunks); `run` drives it to the end.
    """

    def __init__(self, problem: Problem, cfg: RunConfig) -> None:
        self.problem = problem
        self.config = cfg
        self.start = problem.check_start(cfg.start)
        self.optimizer = cfg.make_optimizer()
        self.plan = BatchPlan.make(cfg.batch, problem.n_samples, cfg.seed, problem.name)
        self.schedule = None if cfg.schedule is None else make_schedule(cfg.schedule)
        self.lr0 = cfg.lr
        self.steps = cfg.steps
        self._article = article_factor(problem, self.plan)
        columns = table_columns(problem, self.plan.uses_batches, self._article is not None,
                                cfg.sharpness_every > 0)
        self.table = StepTable(columns, capacity=min(cfg.steps + 1, 4096))
        self.status = "running"
        self.diverged_at: int | None = None
        self.converged_at: int | None = None
        self._k = 0  # index of the next row
        min_loss = problem.min_loss if problem.min_loss is not None else 0.0
        self._limits = Limits(tol=cfg.tol, min_loss=min_loss)
        self._stepper = self._make_stepper()

    def _make_stepper(self) -> Any:
        """What makes the updates; the torch trainer makes its own."""
        cfg = self.config
        return make_stepper(self.problem, self.plan, self.optimizer, self.start, cfg.noise,
                            cfg.seed, cfg.steps)

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
        return self._stepper.theta  # type: ignore[no-any-return]

    @property
    def optimizer_state(self) -> Any:
        """The optimizer's state as arrays shaped like the parameters."""
        return self._stepper.state

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
        if self.schedule is None:
            return [self.lr0] * m
        ks = np.arange(k0, k0 + m)
        return [float(v) for v in np.broadcast_to(self.schedule.lr(self.lr0, ks), ks.shape)]

    def advance(self, max_rows: int) -> int:
        """Append up to ``max_rows`` rows; return how many were added."""
        if self.finished or max_rows <= 0:
            return 0
        m = min(max_rows, self.steps + 1 - self._k)
        k0 = self._k
        lrs = self.lrs(k0, m)
        with np.errstate(all="ignore"):
            chunk = self._stepper.rows(k0, lrs, self.steps, self._limits)
            added = self._finish(k0, chunk)
            self._append(k0, lrs, chunk, added)
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

    # ------------------------------------------------------------ a chunk's rows
    def _finish(self, k0: int, chunk: Chunk) -> int:
        """Apply the stopping rules to every row of the chunk (the loop's own verdict
        where it checked the rows itself) and return how many rows the run keeps."""
        stop = chunk.stop if chunk.checked else self._check(k0, chunk)
        if stop is None:
            return len(chunk)
        if stop.status == "diverged":
            self.status, self.diverged_at = "diverged", stop.row
        else:
            self.status, self.converged_at = "converged", stop.row
        return stop.row - k0 + 1

    def _check(self, k0: int, chunk: Chunk) -> Stop | None:
        """The stopping rules on every row of a chunk the loop did not check itself,
        its full-data loss filled in first where the loop followed batches."""
        if chunk.loss is None:
            chunk.loss = self.problem.loss(chunk.params) if len(chunk) else np.empty(0)
        if k0 == 0 and len(chunk):
            self._limits.first_row(float(chunk.loss[0]))
        lim = self._limits
        total = chunk.loss + chunk.grads.sum(axis=1) + chunk.params.sum(axis=1)
        bad = ~within_limits(chunk.loss, total, lim.limit)
        if lim.tol is not None:
            bad |= reached(chunk.loss, lim.min_loss, lim.tol)
        stop = chunk.stop
        if bad.any():
            i = int(np.argmax(bad))
            diverged = not within_limits(chunk.loss[i], total[i], lim.limit)
            found = Stop("diverged" if diverged else "converged", k0 + i)
            stop = found if stop is None or found.row <= stop.row else stop
        return stop

    def _append(self, k0: int, lrs: Sequence[float], chunk: Chunk, m: int) -> None:
        # the parts in the order of `table_columns`: the parameters and the gradients
        # go in as blocks, a few writes however many parameters there are
        if m == 0:
            return
        problem = self.problem
        params, grads = chunk.params[:m], chunk.grads[:m]
        ks = np.arange(k0, k0 + m)
        assert chunk.loss is not None
        norm = gradient_norm(grads.T)
        # one learning rate for the chunk without a schedule: a scalar fills its column
        lr = lrs[0] if self.schedule is None else lrs[:m]
        parts: list[Any] = [ks, self.plan.epoch_of(ks), lr, params.T, chunk.loss[:m],
                            grads.T, norm, *problem.extra_values(params)]
        if self.plan.uses_batches:
            assert chunk.batch_loss is not None
            parts.append(chunk.batch_loss[:m])
        if self._article is not None:  # from the chunk's parameters, after the loop
            carry = float(self.table[ARTICLE_COLUMN][-1]) if k0 % self.plan.n else 0.0
            parts.append(article_losses(problem, self._article, params, ks, carry))
        if self.config.sharpness_every:  # λmax at every k-th row, nan between
            every = self.config.sharpness_every
            lam = np.full(m, np.nan)
            at, values = sharpness_along(problem, params, ks, every)
            lam[(at - k0).astype(int)] = values
            parts.append(lam)
        self.table.append_parts(parts, m)
        self._k = k0 + m
