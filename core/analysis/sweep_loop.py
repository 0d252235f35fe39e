"""The sweep's loop: every run of a sweep stepped together, on numpy or torch.

The runs' parameters are p rows of R entries, one column per run (a (p, R)
array in numpy, p tensors of shape (R,) in torch), exactly the components
the problem's component-style methods take. Each step asks the backend for
every working run's loss and gradient, applies the divergence rule of
`core.run.stopping` to all runs at once, and steps the optimizer's rule
(`core.optim`) in the backend's array namespace. A run that diverges is
dropped from the working arrays at once, so it stops changing and costs
nothing afterwards.

The losses go into a block buffer of rows that is reduced (`SweepStats`)
every few thousand rows, so memory does not grow with steps x runs. A
backend (`NumpyBackend` here, `core.torch_backend.sweep.TorchBackend`)
supplies only what differs between the array libraries: the layout of the
arrays, evaluating the problem, writing a row of losses, and reading values
back into numpy.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from core.analysis.sweep_result import SweepResult
from core.run.noise import standard_noise
from core.run.stopping import divergence_limit, reached, within_limits
from core.xp import NUMPY

if TYPE_CHECKING:
    from collections.abc import Mapping

    from core._types import FloatArray, IntArray
    from core.optim.base import Optimizer, Rule
    from core.optim.schedules import Schedule
    from core.problems.base import Problem
    from core.run.batches import BatchPlan

# the loss history is reduced in blocks of about this many floats (32 MB), so a
# long sweep's memory does not grow with steps x runs
BLOCK_ELEMENTS = 1 << 22
NOISE_ROWS = 1024  # rows of gradient noise drawn at once


class SweepSetup(NamedTuple):
    """A sweep's validated inputs."""

    prob: Problem
    opt: Optimizer
    plan: BatchPlan
    theta0: FloatArray
    lr: FloatArray
    steps: int
    tol: float
    schedule: Schedule | None = None  # None: every update at the run's own rate
    noise: float = 0.0
    seed: int = 0


class NumpyBackend:
    """The sweep's arrays in numpy, evaluated with the problem's numpy methods."""


    def __init__(self, prob: Problem, plan: BatchPlan) -> None:
        self.prob, self.plan = prob, plan
        self.buf = np.empty((0, 0))

    def start(self, theta0: FloatArray, lrs: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The parameters (p, R) and the learning rates (1, R)."""
        return np.repeat(theta0[:, None], lrs.size, axis=1), lrs[None, :].copy()

    def init(self, rule: Rule, hyper: Mapping[str, Any], theta: FloatArray) -> Any:
        return rule.init(theta, hyper, NUMPY)

    def rates(self, lrs: FloatArray) -> FloatArray:
        """The learning rates of one update, shape (1, R) in numpy, in the backend's form."""
        return lrs

    def update(self, rule: Rule, grad: FloatArray, state: Any, theta: FloatArray,
               hyper: Mapping[str, Any], lr: FloatArray) -> tuple[FloatArray, Any]:
        """One call for the whole block: numpy's cost is per call, not per entry."""
        return rule.update(grad, state, theta, hyper, lr, NUMPY)  # type: ignore[no-any-return]

    def shaken(self, grad: FloatArray, noise: FloatArray) -> FloatArray:
        """Every run's gradient plus the same noise (one value per parameter)."""
        return grad + noise[:, None]

    def take(self, arrays: tuple[Any, ...], keep: np.ndarray) -> tuple[Any, ...]:
        """The kept runs of each array (runs on the last axis) and of the state."""
        *values, state = arrays
        return (*(_take(a, keep) for a in values), _take_state(state, keep))

    def params(self, theta: FloatArray) -> np.ndarray:
        """The parameters as (R, p)."""
        return theta.T

    def loss_grad(self, theta: FloatArray, k: int) -> tuple[FloatArray, FloatArray]:
        """Full-data losses (R,) and the gradients the update uses (p, R)."""
        prob, n = self.prob, theta.shape[1]
        comps = tuple(theta)
        if self.plan.uses_batches and prob.data is not None:
            # the step follows the batch's gradient; the row records the full loss
            value = prob.full_loss_c(comps)
            g = prob.loss_grad_c(NUMPY, comps, prob.data.take(self.plan.indices(k)))[1]
        else:
            value, g = prob.full_loss_grad_c(comps)
        if type(value) is np.ndarray and value.shape == (n,):
            loss = value
        else:  # a loss that does not depend on the parameters comes back as a scalar
            loss = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()
        try:
            grad = np.array(g, dtype=np.float64)
        except ValueError:  # a component that does not depend on the parameters is a scalar
            grad = None
        if grad is None or grad.shape != theta.shape:
            grad = np.empty_like(theta)
            for i, gi in enumerate(g):
                grad[i] = gi
        return loss, grad

    def attach(self, buf: FloatArray) -> None:
        self.buf = buf

    def record(self, j: int, loss: FloatArray, idx: IntArray | None) -> None:
        if idx is None:
            self.buf[j] = loss
        else:
            self.buf[j, idx] = loss

    def scalars(self, *values: Any) -> tuple[Any, ...]:
        return values

    def numpy(self, a: Any) -> np.ndarray:
        return np.asarray(a)

    def flush(self, rows: int) -> None:
        """The buffer's first ``rows`` rows already hold the losses."""

    def clear(self) -> None:
        self.buf.fill(np.nan)


_ROWS_ADDED_IN_TURN = 16


def _sum_rows(a: Any) -> Any:
    """Σ of the p rows (a (p, R) array, or p tensors), added in order: cheaper
    than a reduction over the short axis, in numpy and in torch, for the few
    parameters of most problems; a network's hundred rows are summed at once."""
    if len(a) > _ROWS_ADDED_IN_TURN and isinstance(a, np.ndarray):
        return a.sum(axis=0)
    total = a[0]
    for i in range(1, len(a)):
        total = total + a[i]
    return total


def _take(a: Any, keep: Any) -> Any:
    """The runs (last axis) where ``keep`` is True; anything else as it is.

    Contiguous, as the arrays were: numpy's ``a[..., mask]`` of a (p, R)
    array comes out column-major, and strided rows are slower to step.
    """
    if getattr(a, "ndim", 0) >= 1:
        kept = a[..., keep]
        return np.ascontiguousarray(kept) if isinstance(kept, np.ndarray) else kept
    return a


def _take_state(state: Any, keep: Any) -> Any:
    """The optimizer state (a NamedTuple of arrays, counts and None) of the kept runs."""
    return type(state)(*(_take(v, keep) for v in state))


class SweepLoop:
    """One sweep: the stepping, the dropping of diverged runs, and the reductions."""

    def __init__(self, setup: SweepSetup, backend: Any, keep_history: bool) -> None:
        self.s, self.backend, self.keep_history = setup, backend, keep_history
        n, rows = setup.lr.size, setup.steps + 1
        self.block_rows = rows if keep_history else max(2, min(rows, BLOCK_ELEMENTS // n))
        self.buf = np.full((self.block_rows, n), np.nan)
        backend.attach(self.buf)
        self.diverged_at = np.full(n, -1, dtype=np.int64)
        self.final_loss = np.full(n, np.nan)
        self.final_params = np.full((n, setup.prob.n_params), np.nan)
        self.loss0 = math.nan
        self.idx: IntArray | None = None  # original runs of the working arrays (None: all)
        # with batches one update follows a few examples and may raise the full
        # loss at any step size: "never rises" is judged from epoch to epoch
        plan = setup.plan
        stride = plan.updates_per_epoch if plan.uses_batches else 1
        self.stats = SweepStats(n, setup.steps, setup.prob.min_loss, setup.tol, stride)

    def run(self, optimizer: str) -> SweepResult:
        with np.errstate(all="ignore"):  # diverging runs overflow before they are dropped
            self._steps()
        return self.result(optimizer)

    def _steps(self) -> None:
        s, be = self.s, self.backend
        rule, hyper = s.opt.rule, s.opt.hyper
        loss_grad, record, scalars, update = be.loss_grad, be.record, be.scalars, be.update
        theta, lr = be.start(s.theta0, s.lr)
        # with a schedule, each update's rates come from the base rates of the working
        # runs, computed as the trainer computes its own (`Schedule.lr`)
        schedule, base = s.schedule, s.lr[None, :]
        state = be.init(rule, hyper, theta)
        limit, k0 = math.inf, 0  # k0: the first row held in the buffer
        idx, block_rows, steps = self.idx, self.block_rows, s.steps
        n = s.prob.n_params
        shake: FloatArray | None = None
        for k in range(steps + 1):
            loss, grad = loss_grad(theta, k)
            if s.noise:  # the noise its own run would get, drawn a block of rows at a time
                if k % NOISE_ROWS == 0:
                    shake = s.noise * standard_noise(s.seed, k, NOISE_ROWS, n)
                assert shake is not None
                grad = be.shaken(grad, shake[k % NOISE_ROWS])
            record(k - k0, loss, idx)
            if k == 0:
                self.loss0 = float(loss[0])
                limit = divergence_limit(self.loss0)
            total = loss + _sum_rows(grad) + _sum_rows(theta)
            # one test for all runs (one transfer on a GPU): an inf or nan in any
            # run's total makes the sum of the totals inf or nan
            peak, summed = scalars(loss.max(), total.sum())
            if not (peak <= limit and summed - summed == 0.0):
                keep = self._drop_diverged(k, within_limits(loss, total, limit), loss, theta)
                if keep is not None:
                    theta, grad, lr, loss, state = be.take((theta, grad, lr, loss, state), keep)
                    base = base[:, be.numpy(keep)]
                    idx = self.idx
            last = k == steps or (idx is not None and idx.size == 0)
            if last or k - k0 == block_rows - 1:
                self._flush(k - k0 + 1, k0)
                k0 = k0 if self.keep_history else k + 1
            if last:
                break
            rates = lr if schedule is None else be.rates(schedule.lr(base, k))
            theta, state = update(rule, grad, state, theta, hyper, rates)
        alive = slice(None) if self.idx is None else self.idx
        self.final_loss[alive] = be.numpy(loss)
        self.final_params[alive] = be.params(theta)

    def _drop_diverged(self, k: int, ok: Any, loss: Any, theta: Any) -> Any:
        """Record the runs that diverge at row ``k`` (``ok`` False); return ``ok``,
        or None if every run is fine after all (the sum of totals overflowed)."""
        be = self.backend
        keep = be.numpy(ok)
        if keep.all():
            return None
        bad = ~keep
        gone = np.flatnonzero(bad) if self.idx is None else self.idx[bad]
        self.diverged_at[gone] = k
        self.final_loss[gone] = be.numpy(loss)[bad]
        self.final_params[gone] = be.params(theta)[bad]
        self.idx = np.flatnonzero(keep) if self.idx is None else self.idx[keep]
        return ok

    def _flush(self, rows: int, k0: int) -> None:
        """Reduce the buffer's first ``rows`` rows (history rows k0...)."""
        self.backend.flush(rows)
        self.stats.update(self.buf[:rows], k0)
        if not self.keep_history:
            self.backend.clear()

    def result(self, optimizer: str) -> SweepResult:
        st, s = self.stats, self.s
        diverged = self.diverged_at >= 0
        final = self.final_loss
        min_loss = s.prob.min_loss
        if min_loss is None:
            converged = np.zeros(final.shape, dtype=bool)
        else:
            converged = ~diverged & reached(final, min_loss, s.tol)
        above = final > self.loss0
        # "bouncing": rises over the last quarter outweigh the net fall there
        bouncing = (st.up > st.down - st.up) & (st.up > 1e-12 * abs(self.loss0))
        oscillating = ~diverged & ~converged & (above | bouncing)
        status = np.full(final.shape, "slow", dtype="<U11")
        status[converged] = "converged"
        status[oscillating] = "oscillating"
        status[diverged] = "diverged"
        return SweepResult(
            lrs=s.lr, final_loss=final, best_loss=st.best,
            reached_at=st.reached, diverged_at=self.diverged_at, status=status,
            loss0=self.loss0, history=self.buf if self.keep_history else None,
            steps=s.steps, tol=s.tol, min_loss=min_loss, peak_loss=st.peak,
            monotone=~st.rose & ~diverged, final_params=self.final_params,
            optimizer=optimizer, problem=s.prob.name,
        )


class SweepStats:
    """Running reductions over blocks of the loss history (rows k0, k0+1, ...)."""

    def __init__(self, n: int, steps: int, min_loss: float | None, tol: float,
                 stride: int = 1) -> None:
        self.stride = stride
        self.prev_start = np.full(n, np.nan)  # loss at the last epoch start seen
        self.best = np.full(n, np.nan)
        self.peak = np.full(n, np.nan)
        self.reached = np.full(n, -1, dtype=np.int64)
        self.rose = np.zeros(n, dtype=bool)
        self.up = np.zeros(n)  # Σ of rises over the last quarter
        self.down = np.zeros(n)  # Σ of falls over the last quarter
        self.prev = np.full(n, np.nan)
        self.min_loss, self.tol = min_loss, tol
        # changes into rows q0+1..steps make up the last quarter
        self.q0 = steps - max(1, math.ceil(steps / 4))
        self._cols = np.arange(n)

    def update(self, block: FloatArray, k0: int) -> None:
        self.best = np.fmin(self.best, np.fmin.reduce(block, axis=0))
        self.peak = np.fmax(self.peak, np.fmax.reduce(block, axis=0))
        if self.min_loss is not None:
            hit = reached(block, self.min_loss, self.tol)
            first = hit.argmax(axis=0)
            new = hit[first, self._cols] & (self.reached < 0)
            self.reached[new] = k0 + first[new]
        self._rises(block, k0)
        lo = max(0, self.q0 + 1 - k0)  # first row of this block in the last quarter
        if lo < block.shape[0]:
            before = self.prev[None, :] if lo == 0 else block[lo - 1 : lo]
            tail = np.diff(np.concatenate([before, block[lo:]]), axis=0)
            self.up += np.fmax(tail, 0.0).sum(axis=0)
            self.down -= np.fmin(tail, 0.0).sum(axis=0)
        self.prev = block[-1].copy()

    def _rises(self, block: FloatArray, k0: int) -> None:
        # nan (a missing row) compares False, so it is neither a rise nor a fall
        starts = block[(-k0) % self.stride :: self.stride]
        if starts.shape[0]:
            self.rose |= starts[0] > self.prev_start
            if starts.shape[0] > 1:
                self.rose |= (starts[1:] > starts[:-1]).any(axis=0)
            self.prev_start = starts[-1].copy()
