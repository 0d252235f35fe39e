"""Many learning rates in one vectorised run.

`sweep` stacks one run per learning rate into one parameter array (R runs of
p parameters) and one learning-rate array, so each step is a handful of numpy
calls for all runs together: the problem's vectorised loss and gradient, the
optimizer's update with the array of learning rates, and the divergence
check. Each run takes exactly the steps `core.train` would take with its
learning rate (a test holds them equal, to rounding). The losses go into a
preallocated block that is reduced (best, first row within tolerance, rises)
every few thousand rows, so memory does not grow with steps x runs.

A run that diverges (the engine's rule: a row whose loss, parameters or
gradient are not finite, or whose loss exceeds ``max(1e12·loss₀, 1e12)``;
that row is kept) is dropped from the working arrays at once, so it stops
changing, costs nothing afterwards and raises no overflow warnings.

Status of a run, from its full-data losses L₀..L_N (N = steps) and its
tolerance gap ``L − min_loss``, checked in this order:

``diverged``
    it diverged (``diverged_at`` is the row).
``converged``
    it ended within the tolerance: ``L_N − min_loss <= tol``. (``reached_at``
    is the first row within it, where ``core.train(..., tol=tol)`` would stop.)
``oscillating``
    finite but not converged, and either it ended above its start
    (``L_N > L₀``) or it is bouncing: over the last quarter of the steps
    (the last ``max(1, ⌈N/4⌉)`` step-to-step changes) the loss rose in total
    by more than it fell net, ``Σ rises > L_{N−w} − L_N``, and by more than
    ``1e-12·|L₀|`` (rounding jitter on a plateau is not bouncing).
``slow``
    everything else: finite, still short of the tolerance, not bouncing
    (still creeping down, or stalled on a flat spot such as a local minimum).

A problem without a known lowest loss (``min_loss`` None: the saddle, which
is unbounded below, or a typed formula) has no tolerance to reach: no run
converges and ``reached_at`` is always -1.

``monotone`` says the loss never rose from one row to the next; with samples
or mini-batches, from one epoch's start to the next (a single update follows a
few examples and may raise the full-data loss at any step size).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, NamedTuple

import numpy as np

from core.errors import ConfigError
from core.io.atomic import atomic_open
from core.optim import make_optimizer
from core.optim.base import check_lr
from core.problems.base import Problem
from core.problems.catalogue import get_problem
from core.run.batches import BatchPlan
from core.run.config import check_steps
from core.run.table import format_exact
from core.run.trainer import DIVERGENCE_FACTOR
from core.xp import NUMPY

if TYPE_CHECKING:
    import os

    from core._types import FloatArray, IntArray
    from core.optim.base import Optimizer

STATUSES = ("diverged", "oscillating", "slow", "converged")
CSV_COLUMNS = ("lr", "final_loss", "best_loss", "reached_at", "diverged_at", "status")
MAX_LRS = 1_000_000
# the loss history is reduced in blocks of about this many floats (32 MB), so a
# long sweep's memory does not grow with steps x runs
_BLOCK_ELEMENTS = 1 << 22
MAX_HISTORY_ELEMENTS = 100_000_000  # keep_history: at most 800 MB of losses


@dataclass(eq=False)
class SweepResult:
    """Per-learning-rate outcome of a `sweep`; every array has one entry per lr.

    Attributes
    ----------
    lrs
        The learning rates, in the order given.
    final_loss
        Full-data loss of each run's last row (the diverged row for a run that
        diverged, as `Run.final_loss`).
    best_loss
        The lowest loss of each run's rows.
    peak_loss
        The highest loss of each run's rows (above ``loss0``: the run made
        things worse before it got better, or for good).
    reached_at
        First row with ``loss − min_loss <= tol``; -1 if never.
    diverged_at
        Row at which the run diverged; -1 if never.
    status
        ``diverged``, ``oscillating``, ``slow`` or ``converged`` (module docstring).
    loss0
        The loss at the start (the same for every run).
    history
        Losses, shape (steps + 1, R), when asked for (``keep_history``); rows
        after a run diverged are nan.
    """

    lrs: FloatArray
    final_loss: FloatArray
    best_loss: FloatArray
    reached_at: IntArray
    diverged_at: IntArray
    status: np.ndarray
    loss0: float
    history: FloatArray | None = None
    steps: int = 0
    tol: float | None = None
    min_loss: float | None = None
    peak_loss: FloatArray = field(default_factory=lambda: np.zeros(0))
    # the loss never rose from one row to the next (with batches: from one epoch's
    # start to the next); False for a diverged run
    monotone: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    final_params: FloatArray | None = None  # (R, p): each run's last parameters
    optimizer: str = "sgd"
    problem: str = ""

    def __len__(self) -> int:
        return int(self.lrs.size)

    # ------------------------------------------------------------ summaries
    def counts(self) -> dict[str, int]:
        """How many runs ended in each status."""
        return {s: int(np.count_nonzero(self.status == s)) for s in STATUSES}

    @property
    def best_index(self) -> int | None:
        """Index of the best learning rate (None if every run diverged).

        The converged run that reached the tolerance first, preferring runs
        whose loss never went above its start (ties: the middle learning rate
        of the tied ones); if none converged, the run with the lowest final
        loss among those that did not diverge.
        """
        return self.best_among(None)

    def best_among(self, eligible: np.ndarray | None) -> int | None:
        """`best_index` restricted to the runs where ``eligible`` is True."""
        ok = self.diverged_at < 0
        if eligible is not None:
            ok = ok & np.asarray(eligible, dtype=bool)
        conv = ok & (self.status == "converged")
        if conv.any():
            # a run that first blew up and then came back is not "just right"
            calm = conv & (self.peak_loss <= self.loss0)
            pool = calm if calm.any() else conv
            first = int(self.reached_at[pool].min())
            tied = np.flatnonzero(pool & (self.reached_at == first))
            tied = tied[np.argsort(self.lrs[tied], kind="stable")]
            return int(tied[(len(tied) - 1) // 2])
        finals = np.where(ok & ~np.isnan(self.final_loss), self.final_loss, np.inf)
        if not ok.any():
            return None
        return int(np.argmin(finals))

    def divergence_edge(self) -> float | None:
        """The smallest diverging learning rate above the best one (None if none).

        For plain gradient descent on a quadratic this approaches 2/λmax as the
        sweep gets finer and longer (a run just above the limit needs many
        steps to grow its loss 1e12-fold).
        """
        best = self.best_index
        above = self.diverged_at >= 0
        if best is not None:
            above &= self.lrs > self.lrs[best]
        if not above.any():
            return None
        return float(self.lrs[above].min())

    # ------------------------------------------------------------ export
    def write_csv(self, handle: IO[str]) -> None:
        """CSV rows ``lr, final_loss, best_loss, reached_at, diverged_at, status``;
        floats written losslessly (``repr``), ``inf``/``nan`` spelled so."""
        handle.write(",".join(CSV_COLUMNS) + "\n")
        for lr, fin, best, reached, div, status in zip(
            self.lrs.tolist(), self.final_loss.tolist(), self.best_loss.tolist(),
            self.reached_at.tolist(), self.diverged_at.tolist(), self.status.tolist(),
            strict=True,
        ):
            handle.write(f"{format_exact(lr)},{format_exact(fin)},{format_exact(best)},"
                         f"{reached},{div},{status}\n")

    def to_csv(self, path: str | os.PathLike[str] | IO[str]) -> None:
        """Write the CSV to a path (all-or-nothing: temporary file, renamed) or
        to an open text file."""
        if hasattr(path, "write"):
            self.write_csv(path)  # type: ignore[arg-type]
            return
        with atomic_open(path, "w", encoding="utf-8", newline="") as handle:
            self.write_csv(handle)

    # ------------------------------------------------------------ combine
    def concat(self, other: SweepResult) -> SweepResult:
        """Both sweeps' runs in one result, sorted by learning rate (same
        problem, start and steps)."""
        if other.steps != self.steps:
            raise ValueError("can only join sweeps of the same number of steps")
        order = np.argsort(np.concatenate([self.lrs, other.lrs]), kind="stable")

        def join(a: Any, b: Any, axis: int = 0) -> Any:
            if a is None or b is None:
                return None
            return np.concatenate([a, b], axis=axis).take(order, axis=axis)

        return SweepResult(
            lrs=join(self.lrs, other.lrs),
            final_loss=join(self.final_loss, other.final_loss),
            best_loss=join(self.best_loss, other.best_loss),
            reached_at=join(self.reached_at, other.reached_at),
            diverged_at=join(self.diverged_at, other.diverged_at),
            status=join(self.status, other.status),
            loss0=self.loss0,
            history=join(self.history, other.history, axis=1),
            steps=self.steps, tol=self.tol, min_loss=self.min_loss,
            peak_loss=join(self.peak_loss, other.peak_loss),
            monotone=join(self.monotone, other.monotone),
            final_params=join(self.final_params, other.final_params),
            optimizer=self.optimizer, problem=self.problem,
        )


# ---------------------------------------------------------------- the sweep
def check_lrs(lrs: Any) -> FloatArray:
    """A non-empty 1-D array of finite learning rates >= 0."""
    try:
        arr = np.asarray(lrs, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError(f"lrs must be a list of numbers, got {lrs!r}") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ConfigError(f"lrs must be a non-empty list of numbers, got shape {arr.shape}")
    if arr.size > MAX_LRS:
        raise ConfigError(f"a sweep takes at most {MAX_LRS:,} learning rates, got {arr.size:,}")
    bad = ~(np.isfinite(arr) & (arr >= 0))
    if bad.any():
        check_lr(float(arr[np.flatnonzero(bad)[0]]))  # raises with the standard message
    return arr.copy()


def sweep(
    problem: str | Problem,
    lrs: Sequence[float] | FloatArray,
    *,
    steps: int,
    optimizer: str = "sgd",
    start: Sequence[float] | None = None,
    batch: str | int = "full",
    seed: int = 0,
    tol: float | None = None,
    keep_history: bool = False,
    **hyper: Any,
) -> SweepResult:
    """Run every learning rate in ``lrs`` for ``steps`` updates, all at once.

    Parameters
    ----------
    problem
        A `Problem` or a built-in name.
    lrs
        The learning rates (finite, >= 0), any order.
    steps
        Updates per run; each run has ``steps + 1`` rows, as in `core.train`.
    optimizer
        ``sgd``, ``adam``, ``adamw``, ``rmsprop`` or ``adagrad``.
    start
        One float per parameter (default: the problem's own start).
    batch
        ``"full"``, ``"sample"`` or a mini-batch size; every run sees the same
        batches (`core.batches.BatchPlan`), so each equals its own `core.train`.
    seed
        Seed of the mini-batch shuffle.
    tol
        ``reached`` means ``loss − min_loss <= tol`` (default: the problem's
        own tolerance).
    keep_history
        Also return every run's losses, shape (steps + 1, R).
    **hyper
        The optimizer's hyper-parameters (torch.optim's names).

    Returns
    -------
    SweepResult
        Final and best loss, when the tolerance was reached, when the run
        diverged, and a status per learning rate.
    """
    setup = prepare_sweep(problem, lrs, steps, optimizer, start, batch, seed, tol,
                          keep_history, hyper)
    loop = _Loop(*setup, keep_history)
    loop.run()
    return loop.result(optimizer.lower())


class SweepSetup(NamedTuple):
    """A sweep's validated inputs, in `_Loop`'s argument order."""

    prob: Problem
    opt: Optimizer
    plan: BatchPlan
    theta0: FloatArray
    lr: FloatArray
    steps: int
    tol: float


def prepare_sweep(problem: str | Problem, lrs: Any, steps: Any, optimizer: str,
                  start: Sequence[float] | None, batch: str | int, seed: int,
                  tol: float | None, keep_history: bool,
                  hyper: dict[str, Any]) -> SweepSetup:
    """Check a sweep's inputs (shared by the numpy and torch sweeps); ConfigError."""
    prob = get_problem(problem)
    lr = check_lrs(lrs)
    steps = check_steps(steps)
    theta0 = np.asarray(prob.check_start(start), dtype=np.float64)
    opt = make_optimizer(optimizer, **hyper)
    plan = BatchPlan.make(batch, prob.n_samples, seed, prob.name)
    if tol is None:
        tol = prob.tolerance
    try:
        tol = float(tol)
    except (TypeError, ValueError):
        raise ConfigError(f"tol must be a finite number >= 0, got {tol!r}") from None
    if not (math.isfinite(tol) and tol >= 0):
        raise ConfigError(f"tol must be a finite number >= 0, got {tol!r}")
    if keep_history and (steps + 1) * lr.size > MAX_HISTORY_ELEMENTS:
        raise ConfigError(
            f"keep_history would hold {(steps + 1) * lr.size:,} losses "
            f"(at most {MAX_HISTORY_ELEMENTS:,}); sweep fewer steps or learning rates"
        )
    return SweepSetup(prob, opt, plan, theta0, lr, steps, tol)


# optimizers whose update treats every parameter entry on its own (no norm or
# sum over the parameter axis), so the runs may lie along either axis
_ELEMENTWISE = frozenset({"sgd", "adam", "adamw", "rmsprop", "adagrad"})


class _Loop:
    """The vectorised run and the reductions over its loss history.

    The built-in optimizers on a problem that keeps the base class's
    vectorised methods use a (p, R) layout: each parameter is then one
    contiguous row, handed straight to the problem's component-style
    ``full_loss_grad_c`` / ``loss_grad_c`` (no split, no re-stacking), and the
    learning rates form a (1, R) row. Anything else (an optimizer or problem
    we cannot vouch for) uses the public (R, p) methods with an (R, 1)
    learning-rate column. Both take the same arithmetic steps.
    """

    def __init__(self, prob: Problem, opt: Optimizer, plan: BatchPlan, theta0: FloatArray,
                 lrs: FloatArray, steps: int, tol: float, keep_history: bool) -> None:
        self.prob, self.opt, self.plan = prob, opt, plan
        self.theta0, self.lrs, self.steps, self.tol = theta0, lrs, steps, tol
        n = lrs.size
        rows = steps + 1
        self.block_rows = rows if keep_history else max(2, min(rows, _BLOCK_ELEMENTS // n))
        self.buf = np.full((self.block_rows, n), np.nan)
        self.keep_history = keep_history
        self.diverged_at = np.full(n, -1, dtype=np.int64)
        self.final_loss = np.full(n, np.nan)
        self.final_params = np.full((n, prob.n_params), np.nan)
        self.loss0 = math.nan
        # with batches one update follows a few examples and may raise the full
        # loss at any step size: "never rises" is judged from epoch to epoch
        self.stride = plan.updates_per_epoch if plan.uses_batches else 1
        self.stats = _Stats(n, steps, prob.min_loss, tol, self.stride)
        kind = type(prob)
        self.runs_last = (
            opt.name in _ELEMENTWISE
            and type(opt).__module__.startswith("core.optim.")
            and kind.loss_and_grad is Problem.loss_and_grad
            and kind.loss is Problem.loss
            and kind.batch_loss_and_grad is Problem.batch_loss_and_grad
        )

    def _evaluate(self, theta: FloatArray, k: int) -> tuple[FloatArray, FloatArray]:
        """Loss and gradient of every working run, in the loop's layout."""
        prob = self.prob
        if not self.runs_last:
            if self.plan.uses_batches:
                loss = prob.loss(theta)
                return loss, prob.batch_loss_and_grad(theta, self.plan.indices(k))[1]
            return prob.loss_and_grad(theta)
        n = theta.shape[1]
        comps = tuple(theta)
        value, g = prob.full_loss_grad_c(comps)
        if self.plan.uses_batches and prob.data is not None:
            # the step follows the batch's gradient; the row records the full loss
            g = prob.loss_grad_c(NUMPY, comps, prob.data.take(self.plan.indices(k)))[1]
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

    def run(self) -> None:
        opt, buf = self.opt, self.buf
        n = self.lrs.size
        ra = 1 if self.runs_last else 0  # the runs' axis
        if self.runs_last:
            theta = np.repeat(self.theta0[:, None], n, axis=1)
            lr_arr = self.lrs[None, :].copy()
        else:
            theta = np.repeat(self.theta0[None, :], n, axis=0)
            lr_arr = self.lrs[:, None].copy()
        state = opt.init(theta)
        idx: IntArray | None = None  # original runs of the working arrays (None: all)
        limit = math.inf
        k0 = 0  # first row held in buf
        loss = np.empty(0)
        with np.errstate(all="ignore"):
            for k in range(self.steps + 1):
                loss, grad = self._evaluate(theta, k)
                j = k - k0
                if idx is None:
                    buf[j] = loss
                else:
                    buf[j, idx] = loss
                if k == 0:
                    self.loss0 = float(loss[0])
                    if math.isfinite(self.loss0):
                        limit = max(DIVERGENCE_FACTOR * self.loss0, DIVERGENCE_FACTOR)
                if not _all_fine(loss, grad, theta, limit) and not (
                    ok := _rows_fine(loss, grad, theta, limit, 1 - ra)
                ).all():
                    bad = ~ok
                    gone = np.flatnonzero(bad) if idx is None else idx[bad]
                    self.diverged_at[gone] = k
                    self.final_loss[gone] = loss[bad]
                    at_gone = _take(theta, bad, ra)
                    self.final_params[gone] = at_gone.T if ra else at_gone
                    idx = np.flatnonzero(ok) if idx is None else idx[ok]
                    state = _take_state(state, ok, ok.size, ra)
                    theta, grad, lr_arr = (_take(a, ok, ra) for a in (theta, grad, lr_arr))
                    loss = loss[ok]
                last = k == self.steps or (idx is not None and idx.size == 0)
                if last or j == self.block_rows - 1:
                    self.stats.update(buf[: j + 1], k0)
                    if not self.keep_history:
                        buf.fill(np.nan)
                        k0 = k + 1
                if last:
                    break
                theta, state = opt.step(theta, grad, state, lr_arr)
        alive = slice(None) if idx is None else idx
        self.final_loss[alive] = loss
        self.final_params[alive] = theta.T if ra else theta

    def result(self, optimizer: str) -> SweepResult:
        st = self.stats
        diverged = self.diverged_at >= 0
        final = self.final_loss
        min_loss = self.prob.min_loss
        if min_loss is None:
            converged = np.zeros(final.shape, dtype=bool)
        else:
            converged = ~diverged & (final - min_loss <= self.tol)
        above = final > self.loss0
        # "bouncing": rises over the last quarter outweigh the net fall there
        bouncing = (st.up > st.down - st.up) & (st.up > 1e-12 * abs(self.loss0))
        oscillating = ~diverged & ~converged & (above | bouncing)
        status = np.full(final.shape, "slow", dtype="<U11")
        status[converged] = "converged"
        status[oscillating] = "oscillating"
        status[diverged] = "diverged"
        return SweepResult(
            lrs=self.lrs, final_loss=final, best_loss=st.best,
            reached_at=st.reached, diverged_at=self.diverged_at, status=status,
            loss0=self.loss0, history=self.buf if self.keep_history else None,
            steps=self.steps, tol=self.tol, min_loss=min_loss, peak_loss=st.peak,
            monotone=~st.rose & ~diverged, final_params=self.final_params,
            optimizer=optimizer, problem=self.prob.name,
        )


class _Stats:
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
        m = block.shape[0]
        self.best = np.fmin(self.best, np.fmin.reduce(block, axis=0))
        self.peak = np.fmax(self.peak, np.fmax.reduce(block, axis=0))
        if self.min_loss is not None:
            # loss − 0.0 is the loss itself: skip a pass over the block
            gap = block if self.min_loss == 0.0 else block - self.min_loss
            hit = gap <= self.tol
            first = hit.argmax(axis=0)
            new = hit[first, self._cols] & (self.reached < 0)
            self.reached[new] = k0 + first[new]
        # nan (a missing row) compares False, so it is neither a rise nor a fall
        starts = block[(-k0) % self.stride :: self.stride]
        if starts.shape[0]:
            self.rose |= starts[0] > self.prev_start
            if starts.shape[0] > 1:
                self.rose |= (starts[1:] > starts[:-1]).any(axis=0)
            self.prev_start = starts[-1].copy()
        lo = max(0, self.q0 + 1 - k0)  # first row of this block in the last quarter
        if lo < m:
            before = self.prev[None, :] if lo == 0 else block[lo - 1 : lo]
            tail = np.diff(np.concatenate([before, block[lo:]]), axis=0)
            self.up += np.fmax(tail, 0.0).sum(axis=0)
            self.down -= np.fmin(tail, 0.0).sum(axis=0)
        self.prev = block[-1].copy()


def _all_fine(loss: FloatArray, grad: FloatArray, theta: FloatArray, limit: float) -> bool:
    """True when no run diverges at this row; False means "check run by run".

    A sum is finite only when every entry is finite; when it overflows the
    caller falls back to the exact per-run test. Three plain
    reductions instead of a per-run sum over the short parameter axis (numpy's
    slowest reduction); not ``np.dot``, whose BLAS threads stall under load.
    """
    if not loss.max() <= limit:
        return False
    # the loss is in the sum too: a loss of -inf (a saddle, a log) passes the
    # limit test above but is not finite
    s = float(loss.sum()) + float(np.abs(grad).sum()) + float(np.abs(theta).sum())
    return s - s == 0.0


def _rows_fine(loss: FloatArray, grad: FloatArray, theta: FloatArray, limit: float,
               param_axis: int) -> np.ndarray:
    """The engine's divergence test per run: the loss is at most ``limit`` and
    ``loss + Σg + Σθ`` is finite (``t − t`` is nan for inf and nan)."""
    total = loss + grad.sum(axis=param_axis) + theta.sum(axis=param_axis)
    return (loss <= limit) & (total - total == 0.0)


def _take(a: np.ndarray, keep: np.ndarray, axis: int) -> np.ndarray:
    return a[keep] if axis == 0 else a[:, keep]


def _take_state(state: Any, keep: np.ndarray, n: int, axis: int) -> Any:
    """The optimizer state of the runs in ``keep`` (a NamedTuple of arrays laid
    out like the parameters, scalars or None)."""
    if isinstance(state, tuple):
        values = [_take_state(v, keep, n, axis) for v in state]
        return type(state)(*values) if hasattr(state, "_fields") else tuple(values)
    if isinstance(state, np.ndarray) and state.ndim == 2 and state.shape[axis] == n:
        return _take(state, keep, axis)
    return state
