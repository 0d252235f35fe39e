"""Finding the presets: a log-spaced sweep, the picks by the rules, their check runs.

The rules themselves are written out in `core.analysis.presets`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ConfigError
from core.optim import make_optimizer
from core.run.batches import BatchPlan
from core.run.config import normalise_schedule
from core.run.dispatch import train

if TYPE_CHECKING:
    from core.analysis.sweep_result import SweepResult
    from core.problems.base import Problem
    from core.run.trainer import Run

PRESET_NAMES = ("too-small", "just-right", "too-big")
PER_DECADE = 8
FIRST_DECADES = (-7.0, 4.0)  # the first sweep: 1e-7 .. 1e4
LOWEST_DECADE = -300.0  # too-small may widen down to 1e-300 (a step that changes nothing)
HIGHEST_DECADE = 12.0  # too-big widens up to 1e12
UP_PER_DECADE = 4
STALLED = 0.9  # "stalled": kept less than 1 − STALLED of the possible improvement
MAX_CHECKS = 8  # check runs per preset before settling for the first candidate


def _grid(lo: float, hi: float, per_decade: float = PER_DECADE) -> np.ndarray:
    """Powers of ten from 10^lo to 10^hi, ``per_decade`` to a decade."""
    count = round((hi - lo) * per_decade) + 1
    return 10.0 ** np.linspace(lo, hi, count)


class PresetFinder:
    """One preset computation: the sweep, the picks, and their check runs."""

    def __init__(self, prob: Problem, optimizer: str, start: Sequence[float] | None,
                 hyper: dict[str, Any], schedule: Any = None) -> None:
        self.prob = prob
        self.opt = make_optimizer(optimizer, **hyper)  # validates before any work
        self.schedule = normalise_schedule(schedule)  # None, or the schedule as a dict
        self.optimizer = optimizer.lower()
        self.hyper = dict(hyper)
        self.start = prob.check_start(start)
        self.budget = prob.default_steps
        self.batch = prob.default_batch
        self.min_loss = prob.min_loss
        plan = BatchPlan.make(self.batch, prob.n_samples, 0, prob.name)
        # with batches "never rises" means from one epoch to the next (as in the sweep)
        self.stride = plan.updates_per_epoch if plan.uses_batches else 1
        self.decades = FIRST_DECADES
        self.res = self._sweep(_grid(*FIRST_DECADES))
        self.outcomes: dict[str, str] = {}
        self._runs: dict[float, Run] = {}

    # ------------------------------------------------------------ plumbing
    def _sweep(self, lrs: np.ndarray) -> SweepResult:
        # the sweep's modules load with the first preset worked out (in the worker), not
        # with the window, which starts from the shipped table
        from core.analysis.sweep import sweep

        return sweep(self.prob, lrs, steps=self.budget, optimizer=self.optimizer,
                     start=self.start, batch=self.batch, schedule=self.schedule, **self.hyper)

    def _widen(self, down: bool) -> bool:
        """Sweep the next stretch of decades below (or above) the swept range."""
        lo, hi = self.decades
        if down:
            if lo <= LOWEST_DECADE:
                return False
            # past 1e-40 a step changes nothing visible: one rate per decade will do
            per = PER_DECADE if lo > -40 else 1
            new = max(LOWEST_DECADE, lo - (8.0 if lo > -40 else 100.0))
            grid, self.decades = _grid(new, lo - 1.0 / per, per), (new, hi)
        else:
            if hi >= HIGHEST_DECADE:
                return False
            # only adaptive optimizers and flat losses get up here: 4 a decade will do
            new = min(HIGHEST_DECADE, hi + 8.0)
            grid, self.decades = _grid(hi + 1.0 / UP_PER_DECADE, new, UP_PER_DECADE), (lo, new)
        self.res = self.res.concat(self._sweep(grid))
        return True

    def run(self, lr: float) -> Run:
        if lr not in self._runs:
            self._runs[lr] = train(self.prob, optimizer=self.optimizer, lr=lr,
                                   steps=self.budget, start=self.start, batch=self.batch,
                                   schedule=self.schedule, **self.hyper)
        return self._runs[lr]

    def _pick(self, candidates: Sequence[int], check: Callable[[Run, int], bool]) -> float:
        """The first candidate whose real run passes ``check`` (else the first)."""
        if not len(candidates):
            return math.nan
        for i in list(candidates)[:MAX_CHECKS]:
            if check(self.run(float(self.res.lrs[i])), i):
                return float(self.res.lrs[i])
        return float(self.res.lrs[candidates[0]])

    def index_of(self, lr: float) -> int:
        return int(np.flatnonzero(self.res.lrs == lr)[0])

    def _ordered(self, mask: np.ndarray, *keys: np.ndarray) -> list[int]:
        """Indices where ``mask`` holds, sorted by ``keys`` (last key first)."""
        idx = np.flatnonzero(mask)
        return [int(i) for i in idx[np.lexsort(tuple(k[idx] for k in keys))]]

    # ------------------------------------------------------------ just right
    def _just_right(self) -> float:
        r = self.res
        alive = r.diverged_at < 0
        if self.min_loss is None:
            assert r.final_params is not None
            inside = np.ones(len(r), dtype=bool)
            for axis, (a, b) in enumerate(self.prob.window[: self.prob.n_params]):
                inside &= (r.final_params[:, axis] >= a) & (r.final_params[:, axis] <= b)
            for pool in (alive & inside & r.monotone, alive & r.monotone, alive):
                if pool.any():
                    self.outcomes["just-right"] = "lowest-in-window"
                    return self._pick(self._ordered(pool, r.final_loss), self._same_final)
            return math.nan
        best = r.best_index
        if best is None:
            return math.nan
        conv = r.status == "converged"
        if conv.any():
            self.outcomes["just-right"] = "converged"
            calm = conv & (r.peak_loss <= r.loss0)
            rest = (self._ordered(calm, r.final_loss, r.reached_at)
                    + self._ordered(conv & ~calm, r.final_loss, r.reached_at))
        else:
            self.outcomes["just-right"] = "lowest-final"
            rest = self._ordered(alive, r.final_loss)
        return self._pick([best, *(i for i in rest if i != best)], self._check_just_right)

    def _check_just_right(self, run: Run, i: int) -> bool:
        if self.min_loss is not None and self.res.status[i] == "converged":
            return run.status != "diverged" and run.final_loss - self.min_loss <= self.res.tol
        return self._same_final(run, i)

    def _same_final(self, run: Run, i: int) -> bool:
        """The real run ends where the sweep said (it is the measured optimum)."""
        return run.status != "diverged" and math.isclose(
            run.final_loss, float(self.res.final_loss[i]), rel_tol=1e-9, abs_tol=1e-300)

    # ------------------------------------------------------------ too big
    def _fails(self) -> np.ndarray:
        r = self.res
        return (r.diverged_at >= 0) | (r.final_loss > r.loss0)

    def _stalls(self) -> np.ndarray:
        r = self.res
        if self.min_loss is None:
            return np.zeros(len(r), dtype=bool)
        gap0 = r.loss0 - self.min_loss
        return (r.diverged_at < 0) & (r.final_loss - self.min_loss >= STALLED * gap0)

    def _too_big(self, lr_just: float) -> float:
        while not (self._fails() & (self.res.lrs > lr_just)).any() and self._widen(down=False):
            pass
        above = self.res.lrs > lr_just
        fails = self._fails() & above
        if fails.any():
            lr = self._pick(self._ordered(fails, self.res.lrs), self._check_too_big)
            run = self.run(lr)
            self.outcomes["too-big"] = (
                "diverged" if run.status == "diverged"
                else "ended-above-start" if self._check_too_big(run, 0)
                else "unverified"  # every check run disagreed with the sweep
            )
            return lr
        self.outcomes["too-big"] = "stalled"
        return self._pick(self._ordered(self._stalls() & above, self.res.lrs), self._check_stall)

    def _check_too_big(self, run: Run, i: int) -> bool:
        return run.status == "diverged" or run.final_loss > float(run.table["loss"][0])

    def _check_stall(self, run: Run, i: int) -> bool:
        assert self.min_loss is not None
        gap0 = float(run.table["loss"][0]) - self.min_loss
        return run.status != "diverged" and run.final_loss - self.min_loss >= STALLED * gap0

    # ------------------------------------------------------------ too small
    def _too_small_tiers(self, lr_just: float, promised_only: bool = False) -> list[int]:
        """Too-small candidates, best first; ``promised_only``: only those that
        keep SGD's promise (the loss never rises)."""
        r = self.res
        final_just = float(r.final_loss[self.index_of(lr_just)])
        base = (r.diverged_at < 0) & (r.lrs < lr_just) & (r.final_loss > final_just)
        clear = np.ones(len(r), dtype=bool)
        if self.min_loss is not None:
            base &= r.reached_at < 0
            clear = r.final_loss - self.min_loss >= 10.0 * r.tol
        below = r.lrs <= lr_just / 10.0
        # plain and momentum SGD promise a too-small rate that never raises the loss;
        # adaptive optimizers (and sampled batches) wobble, so for them it is no tier
        tiers = [below & clear, below, base]
        if self.optimizer == "sgd":
            mono = r.monotone
            tiers = [mono & below & clear, mono & below, mono]
            if not promised_only:
                tiers += [below & clear, below, base]
        order: list[int] = []
        for tier in tiers:
            order += [i for i in self._ordered(base & tier, -r.lrs) if i not in order]
        return order

    def _too_small(self, lr_just: float) -> float:
        # smaller steps go downhill more surely: widen down until SGD's promise holds
        while not self._too_small_tiers(lr_just, promised_only=True) and self._widen(down=True):
            pass
        just_run = self.run(lr_just)

        def check(run: Run, i: int) -> bool:
            loss = run.table["loss"]
            if run.status == "diverged" or not run.final_loss > just_run.final_loss:
                return False
            if self.min_loss is not None and np.min(loss - self.min_loss) <= self.res.tol:
                return False
            return not (self.res.monotone[i] and np.any(np.diff(loss[:: self.stride]) > 0))

        self.outcomes["too-small"] = "slow"
        return self._pick(self._too_small_tiers(lr_just), check)

    # ------------------------------------------------------------ report
    def find(self) -> dict[str, float]:
        """The three learning rates by name (nan where no rate behaves so)."""
        self._check_start()
        lr_just = self._just_right()
        while math.isnan(lr_just) and self._widen(down=True):
            lr_just = self._just_right()
        if math.isnan(lr_just):
            self._refuse_all_diverged()
        lr_big = self._too_big(lr_just)
        lr_small = self._too_small(lr_just)
        return {"too-small": lr_small, "just-right": lr_just, "too-big": lr_big}

    # ------------------------------------------------------------ no presets
    def _check_start(self) -> None:
        """A start where the loss or its gradient is not finite diverges at step 0
        at every learning rate: say so at once instead of sweeping further."""
        r = self.res
        if len(r) and bool(np.all(r.diverged_at == 0)):
            point = ", ".join(f"{v:g}" for v in self.start)
            raise ConfigError(
                f"no presets for {self.prob.name!r} from the start ({point}): the loss there "
                f"is {r.loss0:g} or its gradient is not finite, so every learning rate "
                "diverges at step 0; choose a start where the loss is finite")

    def _refuse_all_diverged(self) -> None:
        r = self.res
        hyper = "".join(f", {k}={v}" for k, v in self.hyper.items())
        raise ConfigError(
            f"no presets for {self.prob.name!r} with {self.optimizer}{hyper}: every learning "
            f"rate diverged, all {len(r):,} from {float(r.lrs.min()):.3g} to "
            f"{float(r.lrs.max()):.3g} (the first at step {int(r.diverged_at.min())}, the last "
            f"at step {int(r.diverged_at.max())}); check the hyper-parameters and the start")
