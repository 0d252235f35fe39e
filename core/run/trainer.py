"""The run loop: `Trainer` advances a run in chunks; `train` runs it to the end.

Row k of the step table holds the parameters before update k, the full-data
loss there, the gradient update k uses and update k's learning rate; a run of
N steps has rows 0..N. A row whose loss, parameters or gradient are not
finite, or whose loss exceeds ``max(1e12·loss₀, 1e12)``, ends the run as
``diverged`` and is kept. A full-batch row with a zero gradient that the update
leaves unchanged ends it as ``converged`` (nothing further can happen), and so
does reaching ``tol`` when one is given.

Plain SGD on the full data runs on Python floats (no numpy call per step
beyond the problem's own), which keeps 1,000 steps inside one 60 Hz frame.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from core.optim import make_optimizer
from core.optim.base import check_lr
from core.problems.base import Problem
from core.run.batches import BatchPlan
from core.run.config import RunConfig
from core.run.table import StepTable
from core.xp import NUMPY

if TYPE_CHECKING:
    from core._types import FloatArray

DIVERGENCE_FACTOR = 1e12


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


def table_columns(problem: Problem, uses_batches: bool) -> list[str]:
    names = problem.param_names
    cols = ["step", "epoch", "lr", *names, "loss", *(f"grad_{n}" for n in names), "grad_norm"]
    cols += list(problem.extra_columns)
    if uses_batches:
        cols.append("batch_loss")
    return cols


class Trainer:
    """An incremental run: ``advance(n)`` appends up to n rows to ``table``.

    The window drives it from a timer (advance by as many steps as the speed
    asks, change the learning rate between chunks); `train` drives it to the end.
    """

    def __init__(self, problem: Problem, cfg: RunConfig) -> None:
        self.problem = problem
        self.config = cfg
        self.start = problem.check_start(cfg.start)
        self.optimizer = make_optimizer(cfg.optimizer, **cfg.hyper)
        self.plan = BatchPlan.make(cfg.batch, problem.n_samples, cfg.seed, problem.name)
        self.schedule = _schedule_of(cfg)
        self.lr0 = cfg.lr
        self.steps = cfg.steps
        self.table = StepTable(
            table_columns(problem, self.plan.uses_batches), capacity=min(cfg.steps + 1, 4096)
        )
        self.status = "running"
        self.diverged_at: int | None = None
        self.converged_at: int | None = None
        self._k = 0  # index of the next row
        self._limit = float("inf")
        self._theta = np.asarray(self.start, dtype=np.float64)
        self._state = self.optimizer.init(self._theta)
        self._min_loss = problem.min_loss if problem.min_loss is not None else 0.0
        self._fast = (
            cfg.optimizer == "sgd"
            and getattr(self.optimizer, "is_plain", False)
            and not self.plan.uses_batches
        )

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
        return self._theta.copy()

    @property
    def optimizer_state(self) -> Any:
        return self._state

    def set_lr(self, lr: float) -> None:
        """Change the base learning rate for the updates still to come."""
        self.lr0 = check_lr(lr)

    def set_steps(self, steps: int) -> None:
        """Change the step budget; a run that finished on its budget may go on."""
        from core.run.config import check_steps

        steps = check_steps(steps)
        self.steps = steps
        if self.status == "finished" and self._k <= steps:
            self.status = "running"
        elif self.status == "running" and self._k > steps:
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
            records = self._run_fast(k0, lrs) if self._fast else self._run_general(k0, lrs)
        self._append(k0, lrs, records)
        if self.status == "running" and self._k > self.steps:
            self.status = "finished"
        if self.finished:
            self.table.shrink_to_fit()
        return len(records)

    def run(self, chunk: int = 100_000) -> Run:
        """Advance to the end and return the `Run`."""
        while not self.finished:
            self.advance(chunk)
        return self.result()

    def result(self) -> Run:
        return Run(
            self.table,
            self.status,
            self.diverged_at,
            self.problem,
            self.config,
            converged_at=self.converged_at,
            device=self.device,
        )

    @property
    def device(self) -> str:
        return "cpu"

    # ------------------------------------------------------------ loops
    def _check_row(self, k: int, loss: float, total: float) -> bool:
        """Record divergence at row ``k``; return True if the run must stop.

        ``total`` is the sum of the loss, parameters and gradient: it is not
        finite exactly when one of them is not (``t - t`` is nan for inf/nan).
        """
        if k == 0 and loss == loss and abs(loss) != float("inf"):
            self._limit = max(DIVERGENCE_FACTOR * loss, DIVERGENCE_FACTOR)
        if not (loss <= self._limit and total - total == 0.0):
            self.status = "diverged"
            self.diverged_at = k
            return True
        return False

    def _check_tol(self, k: int, loss: float) -> bool:
        tol = self.config.tol
        if tol is not None and loss - self._min_loss <= tol:
            self.status = "converged"
            self.converged_at = k
            return True
        return False

    def _run_fast(self, k0: int, lrs: Sequence[float]) -> list[tuple[float, ...]]:
        """Plain full-batch SGD on Python floats: θ ← θ − lr·∇L.

        The same arithmetic as `_run_general` with `_check_row`/`_check_tol`
        inlined, and the problem's ``loss_c``/``grad_c`` called directly when
        it does not override how they are combined: a slider drag re-runs
        1,000 steps per frame, and each Python call saved is ~5 % of a step.
        """
        problem = self.problem
        cls = type(problem)
        direct = (
            cls.full_loss_grad_c is Problem.full_loss_grad_c
            and cls.loss_grad_c is Problem.loss_grad_c
        )
        full = problem.full_loss_grad_c
        loss_c, grad_c, data = problem.loss_c, problem.grad_c, problem.data
        extras = problem.extras_c if problem.extra_columns else None
        p = tuple(self._theta.tolist())
        two = len(p) == 2
        steps = self.steps
        tol = self.config.tol
        min_loss = self._min_loss
        inf = float("inf")
        records: list[tuple[float, ...]] = []
        append = records.append
        k = k0 - 1
        for lr in lrs:
            k += 1
            if direct:
                loss = loss_c(NUMPY, p, data)
                g = grad_c(NUMPY, p, data)
            else:
                loss, g = full(p)
            ex = extras(NUMPY, p, data) if extras else ()
            append((*p, loss, *g, *ex))
            # _check_row, inlined
            if k == 0 and loss == loss and abs(loss) != inf:
                self._limit = max(DIVERGENCE_FACTOR * loss, DIVERGENCE_FACTOR)
            # finite exactly when loss, gradient and parameters are (as in _check_row)
            total = loss + (g[0] + g[1]) + (p[0] + p[1]) if two else loss + sum(g) + sum(p)
            if not (loss <= self._limit and total - total == 0.0):
                self.status = "diverged"
                self.diverged_at = k
                break
            # _check_tol, inlined
            if tol is not None and loss - min_loss <= tol:
                self.status = "converged"
                self.converged_at = k
                break
            if not any(g):
                self.status = "converged"
                self.converged_at = k
                break
            # update even after the budget's last row, so a longer budget continues
            if two:
                p = (p[0] - lr * g[0], p[1] - lr * g[1])
            else:
                p = tuple([pi - lr * gi for pi, gi in zip(p, g, strict=True)])
            if k == steps:
                break
        self._theta = np.asarray(p, dtype=np.float64)
        return records

    def _run_general(self, k0: int, lrs: Sequence[float]) -> list[tuple[float, ...]]:
        problem, plan, opt = self.problem, self.plan, self.optimizer
        full = problem.full_loss_grad_c
        extras = problem.extras_c if problem.extra_columns else None
        batches = plan.uses_batches
        whole = not batches or plan.n <= 1
        theta, state = self._theta, self._state
        records: list[tuple[float, ...]] = []
        for i, lr in enumerate(lrs):
            k = k0 + i
            p = tuple(theta.tolist())
            loss, g = full(p)
            ex = extras(NUMPY, p, problem.data) if extras else ()
            if batches:
                assert problem.data is not None
                bl, g = problem.loss_grad_c(NUMPY, p, problem.data.take(plan.indices(k)))
                records.append((*p, loss, *g, *ex, bl))
            else:
                records.append((*p, loss, *g, *ex))
            if self._check_row(k, loss, loss + sum(g) + sum(p)) or self._check_tol(k, loss):
                break
            grad = np.array([float(v) for v in g])
            new_theta, state = opt.step(theta, grad, state, lr)
            if whole and not grad.any() and np.array_equal(new_theta, theta):
                self.status = "converged"
                self.converged_at = k
                break
            # update even after the budget's last row, so a longer budget continues
            theta = new_theta
            if k == self.steps:
                break
        self._theta, self._state = theta, state
        return records

    def _append(self, k0: int, lrs: Sequence[float], records: list[tuple[float, ...]]) -> None:
        m = len(records)
        if m == 0:
            return
        problem = self.problem
        n = problem.n_params
        rec = np.array(records, dtype=np.float64).reshape(m, -1)
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
        self.table.append_columns(cols, m)
        self._k = k0 + m


def _schedule_of(cfg: RunConfig) -> Any:
    if cfg.schedule is None:
        return None
    from core.optim.schedules import make_schedule

    return make_schedule(cfg.schedule)
