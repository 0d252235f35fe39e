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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.analysis.curvature import (
    condition_sentence,
    curvature,
    curvature_report,
    gauge_sentence,
    sgd_lam_max,
    sgd_theory,
    valley_condition,
)
from core.analysis.preset_finder import PRESET_NAMES, STALLED, PresetFinder
from core.analysis.preset_reasons import DIVIDES, OPTIMIZER_WORDS, PresetReasons
from core.analysis.preset_table import known_presets
from core.checks import check_lr
from core.optim import make_optimizer
from core.optim.schedules import make_schedule
from core.problems.catalogue import get_problem

if TYPE_CHECKING:
    from core.analysis.sweep_result import SweepResult
    from core.problems.base import Problem
    from core.run.trainer import Run

__all__ = ["PRESET_NAMES", "STALLED", "PresetReport", "describe_lr", "preset_report", "presets",
           "sgd_theory"]

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
    schedule: dict[str, Any] | None = None  # the schedule every run used (None: constant)
    # the curvature at the start: lam_max, lam_min, condition (κ) and what κ means
    curvature: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """The presets as plain text (what ``lr-playground-cli presets`` prints)."""
        hyper = "".join(f", {k}={v}" for k, v in self.hyper.items())
        sched = ""
        if self.schedule is not None:
            sched = "; schedule " + make_schedule(self.schedule).describe() + \
                ", lr below is its lr0"
        lines = [f"presets for {self.problem} ({self.optimizer}{hyper}; {self.budget} steps, "
                 f"batch {self.batch}{sched}):"]
        for name in PRESET_NAMES:
            lines.append(f"  {name:<10}  lr = {self.lrs[name]:<10.4g}  {self.reasons[name]}")
        if self.curvature:
            c = self.curvature
            kappa = c["condition"]
            kappa_text = ("∞" if math.isinf(kappa) else "–" if math.isnan(kappa)
                          else f"{kappa:.4g}")
            lines.append(f"curvature at the start: λmax = {c['lam_max']:.4g}, "
                         f"λmin = {c['lam_min']:.4g}, κ = {kappa_text}. {c['text']}")
        if self.theory is not None:
            at = ", at lr0" if self.schedule is not None else ""
            lines.append(f"theory (plain gradient descent{at}): {self.theory['summary']}")
        return "\n".join(lines)


def presets(problem: str | Problem, optimizer: str = "sgd",
            start: Sequence[float] | None = None, schedule: Any = None,
            **hyper: Any) -> dict[str, float]:
    """``{"too-small": lr, "just-right": lr, "too-big": lr}`` for a problem.

    The ``lrs`` of `preset_report`, which takes the same arguments; the rules
    are in the module docstring. A built-in problem at its defaults answers
    at once from the shipped table (`core.analysis.preset_table`).
    """
    known = known_presets(problem, optimizer, start, schedule, **hyper)
    if known is not None:
        return known
    return preset_report(problem, optimizer, start=start, schedule=schedule, **hyper).lrs


def preset_report(problem: str | Problem, optimizer: str = "sgd",
                  start: Sequence[float] | None = None, schedule: Any = None,
                  **hyper: Any) -> PresetReport:
    """The presets, why each was chosen, the theory (plain SGD) and the sweep.

    Parameters
    ----------
    problem, start
        A `Problem` or a built-in name; the start point (default: its own).
    optimizer, **hyper
        ``sgd``, ``adam``, ``adamw``, ``rmsprop``, ``adagrad``, ``nadam``,
        ``radam``, ``adamax`` or ``adadelta``, and its
        hyper-parameters (torch.optim's names).
    schedule
        A learning-rate schedule every run follows (as for `core.train`); the
        presets are then its base rate lr0.

    Returns
    -------
    PresetReport
        ``.lrs``, ``.reasons``, ``.theory``, ``.sweep``, ``.budget``, ``.outcomes``.
    """
    finder = PresetFinder(get_problem(problem), optimizer, start, hyper, schedule)
    lrs = finder.find()
    theory = None
    if finder.optimizer == "sgd" and finder.opt.hyper["momentum"] == 0:
        theory = sgd_theory(finder.prob, finder.start, lrs, finder.res.divergence_edge(),
                            weight_decay=finder.opt.hyper["weight_decay"])
    words = PresetReasons(finder, lrs, theory)
    at_start = curvature(finder.prob, finder.start)
    return PresetReport(
        lrs=lrs, reasons={name: words.why(name) for name in PRESET_NAMES}, theory=theory,
        sweep=finder.res, budget=finder.budget, outcomes=dict(finder.outcomes),
        runs={name: finder.run(lr) for name, lr in lrs.items() if not math.isnan(lr)},
        problem=finder.prob.name, optimizer=finder.optimizer, hyper=finder.hyper,
        batch=finder.batch, schedule=finder.schedule,
        curvature={"lam_max": at_start.lam_max, "lam_min": at_start.lam_min,
                   "condition": valley_condition(at_start), "text": condition_sentence(at_start)},
    )


def describe_lr(problem: str | Problem, lr: float, optimizer: str = "sgd",
                start: Sequence[float] | None = None, *,
                report: dict[str, Any] | None = None, **hyper: Any) -> str:
    """The stability gauge in words: ``lr`` against plain gradient descent's 2/λmax.

    Parameters
    ----------
    problem, start
        A `Problem` or a built-in name; the start point (default: its own).
    lr
        The learning rate to describe.
    optimizer, **hyper
        For anything but plain SGD the text says how far the 2/λmax rule
        carries; momentum, dampening, Nesterov and weight decay move SGD's limit.
    report
        The problem's `curvature_report` at ``start`` when the caller already
        has it: it does not depend on ``lr``, and a network's Hessian costs far
        more than the sentence (a slider asks for every learning rate it passes).

    Returns
    -------
    str
        E.g. "λmax = 10 (at the start); lr·λmax = 2.4 > 2: each step overshoots
        the valley by more than it corrects, ...".
    """
    prob = get_problem(problem)
    opt = make_optimizer(optimizer, **hyper)
    name = optimizer.lower()
    lam, where = sgd_lam_max(report if report is not None else curvature_report(prob, start))
    if name == "sgd":
        lam += float(opt.hyper["weight_decay"])
    lr = check_lr(lr)
    plain = gauge_sentence(lam, where, lr)
    if name != "sgd":
        how = DIVIDES.get(name, "divides each step by a running size of the gradient")
        return (f"{OPTIMIZER_WORDS.get(name, name)} {how}, so the 2/λmax rule of plain "
                f"gradient descent does not apply to it. For plain gradient descent: {plain}")
    mu = float(opt.hyper["momentum"])
    if mu == 0 or not (math.isfinite(lam) and lam > 0):
        return plain
    return f"{plain} {_momentum_limit(opt.hyper, lam, lr)}"


def _momentum_limit(hyper: dict[str, Any], lam: float, lr: float) -> str:
    """Where momentum moves SGD's stability limit on a quadratic, and where lr stands."""
    mu, damp = float(hyper["momentum"]), float(hyper["dampening"])
    # heavy-ball momentum on a quadratic is stable while lr·(1 − dampening)·λ < 2(1 + μ);
    # Nesterov's look-ahead lowers the bound to 2(1 + μ)/(1 + 2μ)
    bound = 2.0 * (1.0 + mu) / ((1.0 + 2.0 * mu) if hyper["nesterov"] else 1.0)
    eff = (1.0 - damp) * lam
    limit = bound / eff if eff > 0 else math.inf
    state = "stable" if lr * eff < bound else "unstable"
    return (f"With momentum {mu:g} the limit on a quadratic moves to "
            f"lr < {limit:.4g} (lr·λmax < {bound:.3g}), so this lr is {state} there.")
