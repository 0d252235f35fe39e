"""The sentence behind each preset, from the sweep and the check runs."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from core.analysis.curvature import gauge_sentence
from core.optim.schedules import make_schedule

if TYPE_CHECKING:
    from core.analysis.preset_finder import PresetFinder

OPTIMIZER_WORDS = {"adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "adagrad": "Adagrad",
                   "nadam": "NAdam", "radam": "RAdam", "adamax": "Adamax",
                   "adadelta": "Adadelta"}
# how each adaptive optimizer sizes its steps, for the sentences about them
STEP_WORDS = {
    "radam": "takes its first steps with momentum alone and later ones of about lr whatever "
             "the slope",
    "adadelta": "multiplies lr by the running size of its past steps over that of the gradient",
}
DIVIDES = {
    "radam": "takes its first few steps with momentum alone and then divides each step by a "
             "running size of the gradient",
    "adadelta": "scales each step by the running size of its past steps over that of the "
                "gradient",
}


class PresetReasons:
    """The sentence behind each preset, from the sweep and the check runs."""

    def __init__(self, finder: PresetFinder, lrs: dict[str, float],
                 theory: dict[str, Any] | None) -> None:
        self.f, self.lrs, self.theory = finder, lrs, theory
        self.lam = None if theory is None else float(theory["lam_max"])
        self.schedule = None if finder.schedule is None else make_schedule(finder.schedule)

    def _rates(self, lr: float, updates: int | None = None) -> tuple[float, float, int]:
        """The smallest and the largest rate the schedule gives updates 0..updates-1
        (all of the budget by default) from base rate ``lr``, and where the largest is."""
        if self.schedule is None:
            return lr, lr, 0
        n = max(1, self.f.budget if updates is None else updates)
        rates = np.broadcast_to(self.schedule.lr(lr, np.arange(n)), (n,))
        k = int(np.argmax(rates))
        return float(np.min(rates)), float(rates[k]), k

    def why(self, name: str) -> str:
        lr = self.lrs[name]
        if math.isnan(lr):
            return "no learning rate in the sweep behaves this way on this problem."
        return {"too-small": self._small, "just-right": self._just,
                "too-big": self._big}[name](lr)

    def _just(self, lr: float) -> str:
        f, r = self.f, self.f.res
        i = f.index_of(lr)
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
        if self.lam is not None and self.theory is not None and self.schedule is not None:
            text += self._scheduled_just(lr)
        elif self.lam is not None and self.theory is not None:
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

    def _scheduled_just(self, lr: float) -> str:
        assert self.lam is not None and self.theory is not None
        lo, hi, k = self._rates(lr)
        head = f" With the schedule the rate runs from {lo:.4g} to {hi:.4g}"
        if hi * self.lam <= 2:
            return (f"{head}; at its largest, "
                    + gauge_sentence(self.lam, self.theory["where"], hi, short=True))
        return (f"{head}: lr·λmax = {hi * self.lam:.3g} at its largest (update {k}) is above 2 "
                f"at the {self.theory['where']}, and {lo * self.lam:.3g} at its smallest.")

    def _small(self, lr: float) -> str:
        f = self.f
        lr_just = self.lrs["just-right"]
        run, just_run = f.run(lr), f.run(lr_just)
        downhill = "every step goes downhill, but " if f.res.monotone[f.index_of(lr)] else ""
        text = (f"{lr_just / lr:.3g}x smaller than just-right: {downhill}the steps are so "
                f"short that after {f.budget} steps the loss is still {run.final_loss:.4g} "
                f"(just-right gets to {just_run.final_loss:.4g}).")
        hi = self._rates(lr)[1]
        if self.lam is not None and 0 < hi * self.lam < 1 and self.schedule is not None:
            text += (f" lr·λmax is at most {hi * self.lam:.2g} (the schedule's largest rate): "
                     f"each step removes at most {100 * hi * self.lam:.2g}% of the error along "
                     "the steepest direction, and less along the flatter ones.")
        elif self.lam is not None and 0 < lr * self.lam < 1:
            text += (f" lr·λmax = {lr * self.lam:.2g}: each step removes only "
                     f"{100 * lr * self.lam:.2g}% of the error along the steepest direction, "
                     "and less along the flatter ones.")
        return text

    def _big(self, lr: float) -> str:
        f = self.f
        run = f.run(lr)
        loss0 = float(run.table["loss"][0])
        kind = f.outcomes["too-big"]
        if kind == "stalled":
            return (f"steps this long throw the run onto a flat plateau far from the minimum, "
                    f"where the gradient vanishes: after {f.budget} steps the loss is still "
                    f"{run.final_loss:.4g}, hardly below its start {loss0:.4g} (just-right "
                    f"gets to {f.run(self.lrs['just-right']).final_loss:.4g}).")
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
        if self.lam is not None and self.theory is not None and self.schedule is not None:
            _, hi, k = self._rates(lr, run.diverged_at)
            x = hi * self.lam
            if x > 2:
                return (f"lr·λmax reaches {x:.3g} > 2 (the schedule's rate of update {k}): "
                        "steps that long overshoot the valley by more than they correct, so "
                        f"{outcome}.{note}")
            return (f"lr·λmax is at most {x:.3g}, not above 2 at the {self.theory['where']}, "
                    "but steps this long leave the region where that curvature holds (the "
                    f"slope changes under them), and {outcome}.{note}")
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
        who = OPTIMIZER_WORDS.get(f.optimizer, f.optimizer)
        how = STEP_WORDS.get(f.optimizer, "takes steps of about lr whatever the slope")
        return (f"{who} {how}, so steps at lr {lr:.3g} jump right across the valley, and "
                f"{outcome}.{note}")
