""""too small", "just right" and "too big": learning rates measured, not typed in.

The presets come from a quick log-spaced sweep (`core.sweep`, 8 learning
rates per decade from 1e-7 to 1e4, widened when needed) over the problem's own
budget: its default steps, default batch and start. Each pick is then checked
by an actual `core.train` run with that learning rate (the run the window
makes when the button is pressed); a pick whose run does not behave as named
is replaced by the next candidate.

Rules, in this order:

just-right (``outcomes``: "converged", "lowest-final" or "lowest-in-window")
    The measured optimum: of the runs that end within the tolerance, the one
    that reached it first, preferring runs whose loss never went above its
    start (ties: the middle learning rate of the tied ones). If no run
    reaches it in the budget, the run with the lowest final loss.
    A problem without a known lowest loss (``min_loss`` None: the saddle,
    unbounded below, or a typed formula) has nothing to reach and maybe no
    floor to "lowest", so there just-right is the run whose loss falls lowest
    while every step goes downhill and whose last point stays inside the
    problem's window: the fastest descent that stays on the map.
too-big ("diverged", "ended-above-start" or "stalled")
    The smallest learning rate above just-right whose run diverges (the
    engine's rule) or ends above the loss it started from, searched up to
    1e12. Adaptive optimizers recover from overshooting a bowl, so theirs can
    lie far above just-right (the reason says which rates recover). When no
    rate up to 1e12 does either, which happens where big steps pin a bounded
    loss on a flat plateau (a saturated sigmoid: the and-gate with momentum,
    Adam or RMSprop), too-big is the smallest rate above just-right that
    stalls: it keeps less than a tenth of the possible improvement,
    ``final − min_loss >= 0.9·(loss₀ − min_loss)``.
too-small ("slow")
    A learning rate well below just-right that is visibly slow: it never
    reaches the tolerance in the budget and ends above just-right's final
    loss. Preferred, in order: the largest one at least 10x below just-right
    whose loss never rises and that ends at least 10x the tolerance short;
    then relaxing "10x short", then "10x below", and last "never rises" (plain
    SGD always finds one that never rises: a small enough step only goes
    downhill).

For plain SGD the report also gives the theory beside the measurement: λmax
(the larger of the start's and the nearest minimum's), the stability limit
2/λmax, lr·λmax for each preset, and the sweep's first diverging learning rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from core.analysis.curvature import curvature_report, gauge_sentence, sgd_lam_max, sgd_theory
from core.analysis.sweep import SweepResult, sweep
from core.checks import check_lr
from core.optim import make_optimizer
from core.problems.catalogue import get_problem
from core.run.batches import BatchPlan
from core.run.dispatch import train

if TYPE_CHECKING:
    from core.problems.base import Problem
    from core.run.trainer import Run

__all__ = ["PresetReport", "describe_lr", "preset_report", "presets", "sgd_theory"]

PRESET_NAMES = ("too-small", "just-right", "too-big")
PER_DECADE = 8
FIRST_DECADES = (-7.0, 4.0)  # the first sweep: 1e-7 .. 1e4
LOWEST_DECADE = -300.0  # too-small may widen down to 1e-300 (a step that changes nothing)
HIGHEST_DECADE = 12.0  # too-big widens up to 1e12
UP_PER_DECADE = 4
STALLED = 0.9  # "stalled": kept less than 1 − STALLED of the possible improvement
MAX_CHECKS = 8  # check runs per preset before settling for the first candidate
_WORDS = {"adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad"}


@dataclass(frozen=True, eq=False)
class PresetReport:
    """The three presets with the evidence behind them.

    Attributes
    ----------
    lrs
        ``{"too-small": lr, "just-right": lr, "too-big": lr}``.
    reasons
        One or two sentences per preset, in words a learner understands.
    theory
        For plain SGD: ``lam_max``, ``stability_limit`` (2/λmax), ``where``,
        ``lam_max_start``, ``lam_max_minimum``, ``lr_lam_max`` per preset,
        ``measured_divergence_edge`` and ``summary``; None otherwise.
    sweep
        The `SweepResult` the presets were read from.
    budget
        The steps of each run (the problem's ``default_steps``).
    outcomes
        Which rule each preset met (see the module docstring).
    runs
        The `core.train` run of each preset on the problem's defaults (the
        check runs; the window can show them without running them again).
    """

    lrs: dict[str, float]
    reasons: dict[str, str]
    theory: dict[str, Any] | None
    sweep: SweepResult
    budget: int
    outcomes: dict[str, str] = field(default_factory=dict)
    runs: dict[str, Run] = field(default_factory=dict)
    problem: str = ""
    optimizer: str = "sgd"
    hyper: dict[str, Any] = field(default_factory=dict)
    batch: str | int = "full"

    def describe(self) -> str:
        """The presets as plain text (what ``lr-playground-cli presets`` prints)."""
        hyper = "".join(f", {k}={v}" for k, v in self.hyper.items())
        lines = [f"presets for {self.problem} ({self.optimizer}{hyper}; {self.budget} steps, "
                 f"batch {self.batch}):"]
        for name in PRESET_NAMES:
            lines.append(f"  {name:<10}  lr = {self.lrs[name]:<10.4g}  {self.reasons[name]}")
        if self.theory is not None:
            lines.append(f"theory (plain gradient descent): {self.theory['summary']}")
        return "\n".join(lines)


def presets(problem: str | Problem, optimizer: str = "sgd",
            start: Sequence[float] | None = None, **hyper: Any) -> dict[str, float]:
    """``{"too-small": lr, "just-right": lr, "too-big": lr}`` for a problem.

    Parameters
    ----------
    problem
        A `Problem` or a built-in name.
    optimizer
        ``sgd``, ``adam``, ``adamw``, ``rmsprop`` or ``adagrad``.
    start
        The start point (default: the problem's own).
    **hyper
        The optimizer's hyper-parameters (torch.optim's names).

    Returns
    -------
    dict
        The three learning rates (the rules are in the module docstring).
    """
    return preset_report(problem, optimizer, start=start, **hyper).lrs


def preset_report(problem: str | Problem, optimizer: str = "sgd",
                  start: Sequence[float] | None = None, **hyper: Any) -> PresetReport:
    """The presets, why each was chosen, the theory (plain SGD) and the sweep.

    Parameters
    ----------
    problem
        A `Problem` or a built-in name.
    optimizer
        ``sgd``, ``adam``, ``adamw``, ``rmsprop`` or ``adagrad``.
    start
        The start point (default: the problem's own).
    **hyper
        The optimizer's hyper-parameters (torch.optim's names).

    Returns
    -------
    PresetReport
        ``.lrs``, ``.reasons``, ``.theory``, ``.sweep``, ``.budget``, ``.outcomes``.
    """
    return _Finder(get_problem(problem), optimizer, start, hyper).report()


def describe_lr(problem: str | Problem, lr: float, optimizer: str = "sgd",
                start: Sequence[float] | None = None, **hyper: Any) -> str:
    """The stability gauge in words: ``lr`` against plain gradient descent's 2/λmax.

    Parameters
    ----------
    problem
        A `Problem` or a built-in name.
    lr
        The learning rate to describe.
    optimizer
        For anything but plain SGD the text says how far the 2/λmax rule carries.
    start
        The start point (default: the problem's own).
    **hyper
        The optimizer's hyper-parameters (momentum, dampening, Nesterov and
        weight decay move SGD's limit).

    Returns
    -------
    str
        E.g. "λmax = 10 (at the start); lr·λmax = 2.4 > 2: each step overshoots
        the valley by more than it corrects, ...".
    """
    prob = get_problem(problem)
    opt = make_optimizer(optimizer, **hyper)
    name = optimizer.lower()
    lam, where = sgd_lam_max(curvature_report(prob, start))
    if name == "sgd":
        lam += float(opt.hyper["weight_decay"])
    lr = check_lr(lr)
    plain = gauge_sentence(lam, where, lr)
    if name != "sgd":
        return (f"{_WORDS.get(name, name)} divides each step by a running size of the "
                "gradient, so the 2/λmax rule of plain gradient descent does not apply to it. "
                f"For plain gradient descent: {plain}")
    mu = float(opt.hyper["momentum"])
    if mu == 0 or not (math.isfinite(lam) and lam > 0):
        return plain
    # heavy-ball momentum on a quadratic is stable while lr·(1 − dampening)·λ < 2(1 + μ);
    # Nesterov's look-ahead lowers the bound to 2(1 + μ)/(1 + 2μ)
    damp = float(opt.hyper["dampening"])
    bound = 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) if opt.hyper["nesterov"] else 1.0)
    eff = (1.0 - damp) * lam
    x = lr * eff
    limit = bound / eff if eff > 0 else math.inf
    state = "stable" if x < bound else "unstable"
    return (f"{plain} With momentum {mu:g} the limit on a quadratic moves to "
            f"lr < {limit:.4g} (lr·λmax < {bound:.3g}), so this lr is {state} there.")


# ------------------------------------------------------------------- finding
def _grid(lo: float, hi: float, per_decade: float = PER_DECADE) -> np.ndarray:
    """Powers of ten from 10^lo to 10^hi, ``per_decade`` to a decade."""
    count = round((hi - lo) * per_decade) + 1
    return 10.0 ** np.linspace(lo, hi, count)


class _Finder:
    """One preset computation: the sweep, the picks, and their check runs."""

    def __init__(self, prob: Problem, optimizer: str, start: Sequence[float] | None,
                 hyper: dict[str, Any]) -> None:
        self.prob = prob
        self.opt = make_optimizer(optimizer, **hyper)  # validates before any work
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
        return sweep(self.prob, lrs, steps=self.budget, optimizer=self.optimizer,
                     start=self.start, batch=self.batch, **self.hyper)

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

    def _run(self, lr: float) -> Run:
        if lr not in self._runs:
            self._runs[lr] = train(self.prob, optimizer=self.optimizer, lr=lr,
                                   steps=self.budget, start=self.start, batch=self.batch,
                                   **self.hyper)
        return self._runs[lr]

    def _pick(self, candidates: Sequence[int], check: Callable[[Run, int], bool]) -> float:
        """The first candidate whose real run passes ``check`` (else the first)."""
        if not len(candidates):
            return math.nan
        for i in list(candidates)[:MAX_CHECKS]:
            if check(self._run(float(self.res.lrs[i])), i):
                return float(self.res.lrs[i])
        return float(self.res.lrs[candidates[0]])

    def _at(self, lr: float) -> int:
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
            run = self._run(lr)
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
        final_just = float(r.final_loss[self._at(lr_just)])
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
        just_run = self._run(lr_just)

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
    def report(self) -> PresetReport:
        lr_just = self._just_right()
        while math.isnan(lr_just) and self._widen(down=True):
            lr_just = self._just_right()
        if math.isnan(lr_just):
            raise RuntimeError(f"every learning rate diverges on {self.prob.name!r}")
        lr_big = self._too_big(lr_just)
        lr_small = self._too_small(lr_just)
        lrs = {"too-small": lr_small, "just-right": lr_just, "too-big": lr_big}
        theory = None
        if self.optimizer == "sgd" and self.opt.hyper["momentum"] == 0:
            theory = sgd_theory(self.prob, self.start, lrs, self.res.divergence_edge(),
                                weight_decay=self.opt.hyper["weight_decay"])
        words = _Reasons(self, lrs, theory)
        return PresetReport(
            lrs=lrs, reasons={name: words.why(name) for name in PRESET_NAMES}, theory=theory,
            sweep=self.res, budget=self.budget, outcomes=dict(self.outcomes),
            runs={name: self._run(lr) for name, lr in lrs.items() if not math.isnan(lr)},
            problem=self.prob.name, optimizer=self.optimizer, hyper=self.hyper,
            batch=self.batch,
        )


class _Reasons:
    """The sentence behind each preset, from the sweep and the check runs."""

    def __init__(self, finder: _Finder, lrs: dict[str, float],
                 theory: dict[str, Any] | None) -> None:
        self.f, self.lrs, self.theory = finder, lrs, theory
        self.lam = None if theory is None else float(theory["lam_max"])

    def why(self, name: str) -> str:
        lr = self.lrs[name]
        if math.isnan(lr):
            return "no learning rate in the sweep behaves this way on this problem."
        return {"too-small": self._small, "just-right": self._just,
                "too-big": self._big}[name](lr)

    def _just(self, lr: float) -> str:
        f, r = self.f, self.f.res
        i = f._at(lr)
        final = float(r.final_loss[i])
        outcome = f.outcomes["just-right"]
        if outcome == "converged":
            text = (f"the fastest in the sweep: it brings the loss within {r.tol:g} of its "
                    f"minimum {f.min_loss:g} at step {int(r.reached_at[i])} of {f.budget}.")
        elif outcome == "lowest-final":
            text = (f"no learning rate reaches the tolerance ({r.tol:g}) in {f.budget} steps; "
                    f"this one takes the loss lowest, from {r.loss0:.4g} to {final:.4g}.")
        else:
            why = ("the loss has no lowest point (it falls without bound)"
                   if f.prob.unbounded else "the lowest possible loss is not known")
            text = (f"{why}, so this is the "
                    f"learning rate that takes it lowest, from {r.loss0:.4g} to {final:.4g}, "
                    "while every step goes downhill and the run stays inside the window.")
        if self.lam is not None and self.theory is not None:
            x = lr * self.lam
            if x <= 2:
                text += " " + gauge_sentence(self.lam, self.theory["where"], lr, short=True)
            else:  # measured best, yet beyond the limit where the curvature peaks
                lam_min = self.theory.get("lam_max_minimum")
                there = "" if lam_min is None else f" (lr·λmax = {lr * lam_min:.3g} at the minimum)"
                text += (f" lr·λmax = {x:.3g} is above 2 at the {self.theory['where']}, so the "
                         "first steps zig-zag outward there, but the run soon reaches flatter "
                         f"ground where this step is stable{there}.")
        return text

    def _small(self, lr: float) -> str:
        f = self.f
        lr_just = self.lrs["just-right"]
        run, just_run = f._run(lr), f._run(lr_just)
        downhill = "every step goes downhill, but " if f.res.monotone[f._at(lr)] else ""
        text = (f"{lr_just / lr:.3g}x smaller than just-right: {downhill}the steps are so "
                f"short that after {f.budget} steps the loss is still {run.final_loss:.4g} "
                f"(just-right gets to {just_run.final_loss:.4g}).")
        if self.lam is not None and 0 < lr * self.lam < 1:
            text += (f" lr·λmax = {lr * self.lam:.2g}: each step removes only "
                     f"{100 * lr * self.lam:.2g}% of the error along the steepest direction, "
                     "and less along the flatter ones.")
        return text

    def _big(self, lr: float) -> str:
        f = self.f
        run = f._run(lr)
        loss0 = float(run.table["loss"][0])
        kind = f.outcomes["too-big"]
        if kind == "stalled":
            return (f"steps this long throw the run onto a flat plateau far from the minimum, "
                    f"where the gradient vanishes: after {f.budget} steps the loss is still "
                    f"{run.final_loss:.4g}, hardly below its start {loss0:.4g} (just-right "
                    f"gets to {f._run(self.lrs['just-right']).final_loss:.4g}).")
        if kind == "diverged":
            outcome = f"the loss blew up (diverged) at step {run.diverged_at}"
        else:
            outcome = (f"after {f.budget} steps the loss is {run.final_loss:.4g}, above its "
                       f"start {loss0:.4g}")
        r = f.res
        recover = ((r.lrs > self.lrs["just-right"]) & (r.lrs < lr) & (r.peak_loss > r.loss0)
                   & (r.diverged_at < 0))
        note = ""
        if recover.any():
            note = (f" (Every lr from {r.lrs[recover].min():.3g} to {r.lrs[recover].max():.3g} "
                    "also pushes the loss above its start at first, but recovers within the "
                    "budget.)")
        if self.lam is not None and self.theory is not None:
            x = lr * self.lam
            if x > 2:
                return (f"lr·λmax = {x:.3g} > 2: each step overshoots the valley by more "
                        f"than it corrects, so {outcome}.{note}")
            return (f"lr·λmax = {x:.3g} is not above 2 at the {self.theory['where']}, but "
                    "steps this long leave the region where that curvature holds (the slope "
                    f"changes under them), and {outcome}.{note}")
        if f.optimizer == "sgd":
            return (f"with momentum {f.opt.hyper['momentum']:g} the steps build up speed and "
                    f"overshoot the valley, so {outcome}.{note}")
        return (f"{_WORDS.get(f.optimizer, f.optimizer)} takes steps of about lr whatever the "
                f"slope, so steps of {lr:.3g} jump right across the valley, and {outcome}.{note}")
