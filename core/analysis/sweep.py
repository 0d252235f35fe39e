"""Many learning rates in one vectorised run.

`sweep` checks its inputs and runs the one sweep loop
(`core.analysis.sweep_loop`) on numpy: one run per learning rate, all stepped
together, so each step is a handful of numpy calls for all runs: the
problem's vectorised loss and gradient, the optimizer's rule with the array
of learning rates, and the divergence rule. Each run takes exactly the steps
`core.train` would take with its learning rate (a test holds them equal).

A run that diverges (`core.run.stopping`: a row whose loss, parameters or
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

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from core.analysis.sweep_loop import NumpyBackend, SweepLoop, SweepSetup
from core.analysis.sweep_result import SweepResult
from core.checks import check_flag, check_lr, check_number, shown
from core.errors import ConfigError
from core.limits import MAX_SWEEP_HISTORY, MAX_SWEEP_LRS, MAX_SWEEP_WORK
from core.optim import make_optimizer
from core.optim.schedules import make_schedule
from core.problems.catalogue import get_problem
from core.run.batches import BatchPlan
from core.run.config import MAX_NOISE, check_steps

if TYPE_CHECKING:
    from core._types import FloatArray
    from core.problems.base import Problem

__all__ = ["SweepResult", "SweepSetup", "check_lrs", "check_work", "prepare_sweep", "sweep"]

MAX_LRS = MAX_SWEEP_LRS
MAX_HISTORY_ELEMENTS = MAX_SWEEP_HISTORY  # keep_history: at most 800 MB of losses


def check_lrs(lrs: Any) -> FloatArray:
    """A non-empty 1-D array of at most `MAX_LRS` finite learning rates >= 0."""
    if isinstance(lrs, str | bytes | Mapping | bool | np.bool_) or (
            isinstance(lrs, np.ndarray) and lrs.dtype.kind not in "iuf"):
        raise ConfigError(f"lrs must be a list of numbers, got {shown(lrs)}")
    if not isinstance(lrs, np.ndarray) and hasattr(lrs, "__len__") and len(lrs) > MAX_LRS:
        raise ConfigError(f"a sweep takes at most {MAX_LRS:,} learning rates, got {len(lrs):,}")
    if isinstance(lrs, list | tuple) and any(isinstance(v, bool | np.bool_) for v in lrs):
        raise ConfigError(f"lrs must be numbers (true is not 1), got {shown(lrs)}")
    try:
        arr = np.asarray(lrs, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"lrs must be a list of finite numbers >= 0, got {shown(lrs)}") \
            from None
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


def check_work(count: int, steps: int, count_name: str = "learning rates",
               steps_name: str = "steps") -> None:
    """Refuse a sweep of more than `MAX_SWEEP_WORK` rate-steps before it starts."""
    if count * steps > MAX_SWEEP_WORK:
        raise ConfigError(
            f"a sweep may take at most {MAX_SWEEP_WORK:,} steps in all ({count_name} × "
            f"{steps_name}), got {count:,} × {steps:,} = {count * steps:,}; sweep fewer "
            f"learning rates or fewer steps"
        )


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
    noise: float = 0.0,
    schedule: Any = None,
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
    optimizer, **hyper
        ``sgd``, ``adam``, ``adamw``, ``rmsprop``, ``adagrad``, ``nadam``,
        ``radam``, ``adamax`` or ``adadelta``, and its
        hyper-parameters (torch.optim's names).
    start, batch, seed
        As for `core.train`; every run sees the same batches, so each equals
        its own `core.train` run.
    tol
        ``reached`` means ``loss − min_loss <= tol`` (default: the problem's
        own tolerance).
    keep_history
        Also return every run's losses, shape (steps + 1, R).
    noise
        Scale of the Gaussian noise added to each gradient, as in `core.train`
        (every run gets the same noise, the noise its own run would get).
    schedule
        A learning-rate schedule (name, dict or `Schedule`, as for `core.train`)
        applied to every run, each from its own rate in ``lrs``.

    Returns
    -------
    SweepResult
        Final and best loss, when the tolerance was reached, when the run
        diverged, and a status per learning rate.
    """
    setup = prepare_sweep(problem, lrs, steps, optimizer, start, batch, seed, tol,
                          keep_history, hyper, noise, schedule)
    backend = NumpyBackend(setup.prob, setup.plan)
    return SweepLoop(setup, backend, keep_history).run(optimizer.lower())


def prepare_sweep(problem: str | Problem, lrs: Any, steps: Any, optimizer: str,
                  start: Sequence[float] | None, batch: str | int, seed: int,
                  tol: float | None, keep_history: bool,
                  hyper: dict[str, Any], noise: float = 0.0,
                  schedule: Any = None) -> SweepSetup:
    """Check a sweep's inputs (the numpy and the torch sweep both); ConfigError."""
    prob = get_problem(problem)
    lr = check_lrs(lrs)
    steps = check_steps(steps)
    theta0 = np.asarray(prob.check_start(start), dtype=np.float64)
    opt = make_optimizer(optimizer, **hyper)
    plan = BatchPlan.make(batch, prob.n_samples, seed, prob.name)
    tol = check_number("tol", prob.tolerance if tol is None else tol, low=0.0,
                       rule="a finite number >= 0")
    keep_history = check_flag("keep_history", keep_history)
    check_work(lr.size, steps)
    if keep_history and (steps + 1) * lr.size > MAX_HISTORY_ELEMENTS:
        raise ConfigError(
            f"keep_history would hold {(steps + 1) * lr.size:,} losses "
            f"(at most {MAX_HISTORY_ELEMENTS:,}); sweep fewer steps or learning rates"
        )
    noise = check_number("noise", noise, low=0.0, high=MAX_NOISE,
                         rule=f"a number from 0 to {MAX_NOISE:g} (the noise's standard "
                              "deviation)")
    sched = make_schedule(schedule)
    return SweepSetup(prob, opt, plan, theta0, lr, steps, tol,
                      None if sched.name == "constant" else sched, noise, plan.seed)
