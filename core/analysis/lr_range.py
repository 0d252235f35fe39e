"""The learning-rate range test (Smith 2017; fastai's ``lr_find``), as numbers.

One run whose learning rate grows exponentially from ``lr_min`` to ``lr_max``
over ``steps`` updates, ``lr_k = lr_min·(lr_max/lr_min)^(k/(steps−1))``. The
loss is smoothed with fastai's debiased moving average (β = 0.98) and the
test stops at the first step whose smoothed loss exceeds 4× the best so far
(or is not finite). Plotted against the learning rate on a log axis, the
curve falls, then rises steeply; two suggestions are read off it, as fastai
does (both on the smoothed curve without its first 10 % and last 5 points):

``steep``
    where the loss falls fastest per decade of learning rate (the most
    negative slope of loss against log lr);
``valley``
    fastai's "valley": inside the longest run of steps over which the loss
    keeps falling, a point 1/3 + 1/6 of the way along it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.checks import check_number, check_whole
from core.errors import ConfigError

if TYPE_CHECKING:
    from core._types import FloatArray

BETA = 0.98
STOP_FACTOR = 4.0
MAX_RANGE_STEPS = 100_000


@dataclass(frozen=True)
class RangeTest:
    """The range test's curve and suggestions.

    ``lrs`` and ``losses`` are the raw rows up to the stop (inclusive),
    ``smooth`` the smoothed losses; ``stopped_at`` the row where the smoothed
    loss passed 4× its best (None if it never did).
    """

    lrs: FloatArray
    losses: FloatArray
    smooth: FloatArray
    stopped_at: int | None
    steep: float | None
    valley: float | None

    def summary(self) -> str:
        """The suggestions and where the test stopped, in one line."""
        def lr(v: float | None) -> str:
            return "none (the loss never fell)" if v is None else f"{v:.3g}"

        end = (f"stopped at lr {self.lrs[-1]:.3g}: the smoothed loss passed {STOP_FACTOR:g}x "
               "its best" if self.stopped_at is not None else
               f"ran to lr {self.lrs[-1]:.3g} without the loss taking off")
        return f"suggested lr: valley {lr(self.valley)}, steepest {lr(self.steep)}; {end}"


def ramp(lr_min: float, lr_max: float, steps: int) -> FloatArray:
    """The learning rate of each update: exponential from ``lr_min`` to ``lr_max``."""
    if not (0 < lr_min < lr_max) or not np.isfinite(lr_max):
        raise ConfigError(
            f"the range test needs 0 < lr_min < lr_max (finite), got {lr_min!r} and {lr_max!r}")
    if steps < 2:
        raise ConfigError(f"the range test needs at least 2 steps, got {steps}")
    k = np.arange(steps, dtype=np.float64)
    return lr_min * (lr_max / lr_min) ** (k / (steps - 1))


def smooth_losses(losses: FloatArray) -> FloatArray:
    """fastai's debiased exponential moving average of the losses."""
    out = np.empty(len(losses))
    avg = 0.0
    for i, value in enumerate(np.asarray(losses, dtype=np.float64)):
        avg = BETA * avg + (1.0 - BETA) * value
        out[i] = avg / (1.0 - BETA ** (i + 1))
    return out


def stop_row(smooth: FloatArray) -> int | None:
    """The first row whose smoothed loss is above 4× the best before it, or not finite."""
    best = np.inf
    for i, value in enumerate(smooth):
        if not np.isfinite(value) or (i > 0 and value > STOP_FACTOR * best):
            return i
        best = min(best, value)
    return None


def steepest(lrs: FloatArray, losses: FloatArray) -> float | None:
    """The learning rate where the loss falls fastest against log lr."""
    if len(lrs) < 2:
        return None
    slope = np.gradient(losses, np.log(lrs))
    i = int(np.argmin(slope))
    return float(lrs[i]) if slope[i] < 0 else None


def valley(lrs: FloatArray, losses: FloatArray) -> float | None:
    """fastai's valley: within the longest falling stretch, 1/3 + 1/6 of the way along.

    ``longest[i]`` is the length of the longest strictly falling run of losses
    ending at row i. fastai updates the stretch's start the first time a row's
    run grows longer than the best so far, while its run is still growing;
    the prefix maximum below reproduces that moment exactly.
    """
    n = len(losses)
    if n < 2:
        return None
    losses = np.asarray(losses, dtype=np.float64)
    longest = np.ones(n, dtype=np.int64)
    max_start = max_end = 0
    for i in range(1, n):
        grown = np.maximum.accumulate(np.where(losses[:i] > losses[i], longest[:i] + 1, 1))
        longer = np.flatnonzero(grown > longest[max_end])
        if longer.size:
            max_end = i
            max_start = i - int(grown[longer[0]])
        longest[i] = grown[-1]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return float(lrs[idx])


def analyse(lrs: FloatArray, losses: FloatArray) -> RangeTest:
    """Smooth, stop and suggest, from the learning rates and losses of the run's rows."""
    lrs = np.asarray(lrs, dtype=np.float64)
    losses = np.asarray(losses, dtype=np.float64)
    smooth = smooth_losses(losses)
    stop = stop_row(smooth)
    end = len(losses) if stop is None else stop + 1
    lrs, losses, smooth = lrs[:end], losses[:end], smooth[:end]
    # fastai reads its suggestions off the curve without its first tenth and last 5
    lo, hi = len(smooth) // 10, len(smooth) - 5
    finite = np.isfinite(smooth[lo:hi])
    sl, ss = lrs[lo:hi][finite], smooth[lo:hi][finite]
    return RangeTest(lrs, losses, smooth, stop, steepest(sl, ss), valley(sl, ss))


DEFAULT_RANGE = (1e-6, 10.0)
DEFAULT_STEPS = 100


def lr_range_test(problem: Any, *, lr_min: float = DEFAULT_RANGE[0],
                  lr_max: float = DEFAULT_RANGE[1], steps: int = DEFAULT_STEPS,
                  optimizer: str = "sgd", start: Any = None, batch: Any = "full", seed: int = 0,
                  **hyper: Any) -> RangeTest:
    """One run whose learning rate grows from ``lr_min`` to ``lr_max`` over ``steps``.

    The run is `core.train` with the ``exponential`` schedule (lr0 = lr_min,
    gamma = (lr_max/lr_min)^(1/(steps−1))), so the window, the command line
    and this function take the very same steps; it ends at the divergence
    rule or at the last step, and `analyse` reads the curve off its losses
    (the batch's loss when the updates follow batches, as fastai's does).
    """
    from core.run.dispatch import train  # the range test is a run: built on the engine

    check_whole("steps", steps, low=2, high=MAX_RANGE_STEPS)
    lo = check_number("lr_min", lr_min, low=0.0, low_open=True)
    hi = check_number("lr_max", lr_max, low=lo, low_open=True,
                      rule=f"a finite number above lr_min ({lo:g})")
    gamma = (hi / lo) ** (1.0 / (steps - 1))
    run = train(problem, optimizer=optimizer, lr=lo, steps=steps - 1, start=start, batch=batch,
                seed=seed, schedule={"name": "exponential", "gamma": gamma}, **hyper)
    column = "batch_loss" if "batch_loss" in run.table.columns else "loss"
    return analyse(run.table["lr"], run.table[column])
