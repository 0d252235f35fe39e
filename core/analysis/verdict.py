"""The verdict on a run: what it did, and why, from that run alone.

The window's status sentence and the command line's word on a diverged run
are this one sentence. Pure functions of the run's table (its loss, learning
rates and parameters), its status and the curvature numbers of its own
problem and start (`core.analysis.theory`). Nothing here reads the window's
knobs, so the sentence can never describe another run: the learning rate it
names is the one in the run's ``lr`` column.

How a run that used its whole step budget is read (`tail_trend`): the last
quarter of the loss (at most 200 rows; once per epoch when batches make it
noisy) is *falling* when the means of its four blocks each come out lower,
a *bounce* when it goes up and down without falling (a learning rate too big
for the bottom of the valley: each step jumps across it), *flat* when it no
longer moves. The verdicts:

- diverged, or ended above its start: the learning rate is too big;
- a bounce: too big for the bottom of the valley, said so even where
  lr·λmax < 2 at the start (the steps overshoot where the run ended up);
- still falling at the budget: more steps would get further; the learning
  rate is called small only when lr·λmax is well below 2, and near the limit
  the slow part is named (the flattest direction);
- converged although lr·λmax > 2 at the start: the curvature fell along the
  path, with λmax where it converged.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.analysis.presets import describe_lr
from core.analysis.theory import Theory, lam_max_at, lam_min_at, theory_of

log = logging.getLogger(__name__)

TAIL_MAX = 200
SMALL_RATIO = 0.5  # lr·λmax below this: the learning rate itself is what is slow
NEAR_RATIO = 1.5  # lr·λmax from this to 2: a larger learning rate would not help
HALVE = "Halve the learning rate (H) or reset (R)."  # what to try, in the window's keys

# (lam_max, lam_min) of the loss at a row of the run; None where it cannot be said
CurvatureAt = Callable[[int], "tuple[float, float] | None"]
LrSentence = Callable[[float], str]


@dataclass(frozen=True)
class Verdict:
    """What the run did: ``kind`` for tests and styling, ``text`` for people."""

    kind: str
    text: str


def num(value: float) -> str:
    if math.isnan(value):
        return "not a number"
    if math.isinf(value):
        return "infinite"
    return f"{value:.4g}"


def _epoch_series(loss: np.ndarray, epoch: np.ndarray | None,
                  step: np.ndarray | None) -> np.ndarray:
    """The loss once per epoch where batches make it noisy within an epoch."""
    if epoch is None or step is None or len(epoch) < 2 or epoch[-1] >= step[-1]:
        return loss
    starts = np.flatnonzero(np.diff(epoch) != 0) + 1
    return loss[np.concatenate(([0], starts, [len(loss) - 1]))]


def tail_trend(loss: np.ndarray, epoch: np.ndarray | None = None,
               step: np.ndarray | None = None) -> str:
    """How the end of a run's loss moves: "falling", "bounce", "flat", "rising" or "short"."""
    series = _epoch_series(np.asarray(loss, dtype=np.float64), epoch, step)
    series = series[np.isfinite(series)]
    n = len(series)
    if n < 6:
        return "short"
    tail = series[-max(5, min(TAIL_MAX, n // 4)):]
    d = np.diff(tail)
    eps = 1e-9 * max(float(np.max(np.abs(tail))), 1e-300)
    ups = int(np.count_nonzero(d > eps))
    downs = int(np.count_nonzero(d < -eps))
    if ups == 0 and downs == 0:
        return "flat"
    blocks = [float(b.mean()) for b in np.array_split(tail, 4)]
    if all(b < a - eps for a, b in itertools.pairwise(blocks)):
        return "falling"
    if min(ups, downs) >= 0.25 * len(d):
        return "bounce"
    if abs(float(tail[-1] - tail[0])) <= eps * len(d):
        return "flat"
    return "rising" if tail[-1] > tail[0] else "falling"


def two_step_cycle(params: np.ndarray) -> bool:
    """The parameters alternate between two points (each step lands where it was
    two steps before)."""
    p = np.asarray(params, dtype=np.float64)[-TAIL_MAX:]
    if len(p) < 6 or not np.all(np.isfinite(p)):
        return False
    one = np.linalg.norm(np.diff(p, axis=0), axis=1)
    two = np.linalg.norm(p[2:] - p[:-2], axis=1)
    big = float(np.median(one))
    return big > 0 and float(np.median(two)) < 1e-3 * big


@dataclass(frozen=True)
class RunFacts:
    """The parts of a run a sentence is made of (views of its table, not copies)."""

    status: str  # "running", "finished", "converged", "diverged"
    budget: int
    loss: np.ndarray
    lr: np.ndarray
    params: np.ndarray  # the last rows' parameters, (at most TAIL_MAX, parameters)
    epoch: np.ndarray | None
    step: np.ndarray | None
    converged_at: int | None
    diverged_at: int | None
    tol: float | None
    unbounded: bool
    optimizer: str

    @property
    def rows(self) -> int:
        return len(self.loss)


def facts_of(trainer: Any) -> RunFacts:
    """The facts of a `Trainer` (the window's live run) or of a finished `Run`."""
    table = trainer.table
    names = trainer.problem.param_names
    first = max(0, len(table) - TAIL_MAX)
    params = (np.stack([table[n][first:] for n in names], axis=1) if len(table)
              else np.empty((0, len(names))))
    return RunFacts(
        status=str(trainer.status),
        budget=int(getattr(trainer, "steps", trainer.config.steps)),
        loss=table["loss"],
        lr=table["lr"],
        params=params,
        epoch=table["epoch"] if "epoch" in table.columns else None,
        step=table["step"] if "step" in table.columns else None,
        converged_at=trainer.converged_at,
        diverged_at=trainer.diverged_at,
        tol=trainer.config.tol,
        unbounded=bool(getattr(trainer.problem, "unbounded", False)),
        optimizer=str(trainer.config.optimizer),
    )


# ------------------------------------------------------------------ the sentence
def explain(facts: RunFacts, *, playing: bool, theory: Theory | None,
            lr_sentence: LrSentence, curvature_at: CurvatureAt, halve: str = HALVE) -> Verdict:
    """The status sentence of a run that has caught up (or that the user is stepping).

    ``halve`` is what a run that was too big should try (the window names its keys).
    """
    rows = facts.rows
    if rows == 0:
        return Verdict("ready", "Ready: press Play (Space) or One step (→).")
    loss = facts.loss
    first, last = float(loss[0]), float(loss[-1])
    if facts.status == "diverged":
        return _diverged(facts, first, theory, lr_sentence, curvature_at, halve)
    if facts.status == "converged":
        return _converged(facts, last, theory, curvature_at)
    if facts.status == "finished":
        return _finished(facts, first, last, theory, lr_sentence, curvature_at, halve)
    step = rows - 1
    if step == 0 and playing:
        return Verdict("running", f"Running: at the start point (loss {num(first)}), the "
                                  f"first of {facts.budget:,} steps comes next. Space pauses.")
    if step == 0:
        return Verdict("ready", f"Ready at the start point (loss {num(first)}): press Play "
                                "(Space) or One step (→).")
    if playing:
        return Verdict("running", f"Running: step {step:,} of {facts.budget:,}, the loss went "
                                  f"from {num(first)} to {num(last)}. Space pauses.")
    return Verdict("paused", f"Paused at step {step:,} of {facts.budget:,}: the loss went from "
                             f"{num(first)} to {num(last)}. Play (Space) goes on, One step (→) "
                             "takes one more.")


def _sgd(facts: RunFacts, theory: Theory | None) -> Theory | None:
    if theory is None or not theory.plain_sgd or facts.optimizer != "sgd":
        return None
    return theory if math.isfinite(theory.lam_max) and theory.lam_max > 0 else None


def _too_big_why(facts: RunFacts, lr: float, row: int, theory: Theory | None,
                 lr_sentence: LrSentence, curvature_at: CurvatureAt) -> str:
    """Why a run blew up or climbed: lr·λmax against 2 where it applies."""
    sgd = _sgd(facts, theory)
    if sgd is None:
        return ("The learning rate is too big for this surface: the steps jump across the "
                "valley instead of down it.")
    x = lr * sgd.lam_max
    if x > 2:
        return lr_sentence(lr) or (f"lr·λmax = {x:.3g} > 2: each step overshoots the valley "
                                   "by more than it corrects.")
    there = curvature_at(row)
    where = ""
    if there is not None and there[0] > 0:
        where = f" (λmax = {there[0]:.4g} there, lr·λmax = {lr * there[0]:.3g})"
    return (f"lr·λmax = {x:.3g} is below 2 at the {sgd.where}, but the run reached steeper "
            f"ground where steps this long overshoot{where}.")


def _diverged(facts: RunFacts, first: float, theory: Theory | None, lr_sentence: LrSentence,
              curvature_at: CurvatureAt, halve: str) -> Verdict:
    k = facts.diverged_at if facts.diverged_at is not None else facts.rows - 1
    blown = float(facts.loss[k]) if k < facts.rows else math.nan
    if math.isfinite(blown):
        what = f"the loss grew from {num(first)} to {num(blown)}, over 10¹² times its start"
    else:
        what = "the loss became infinite (the weights overflowed)"
    lr = float(facts.lr[max(0, k - 1)])  # the update that made row k
    why = _too_big_why(facts, lr, max(0, k - 1), theory, lr_sentence, curvature_at)
    return Verdict("diverged", f"Diverged at step {k:,}: {what}. {why} {halve}")


def _converged(facts: RunFacts, last: float, theory: Theory | None,
               curvature_at: CurvatureAt) -> Verdict:
    k = facts.converged_at if facts.converged_at is not None else facts.rows - 1
    if facts.tol is not None:
        reached = f"the loss {num(last)} is within the tolerance {facts.tol:g} of the minimum"
    else:
        reached = f"the gradient is zero (loss {num(last)})"
    text = f"Converged at step {k:,}: {reached}."
    sgd = _sgd(facts, theory)
    lr0 = float(facts.lr[0])
    if sgd is not None and lr0 * sgd.lam_start > 2:
        there = curvature_at(facts.rows - 1)
        end = "" if there is None else (f" to {there[0]:.4g} where it converged (lr·λmax = "
                                        f"{float(facts.lr[-1]) * there[0]:.3g} there)")
        text += (f" lr·λmax was {lr0 * sgd.lam_start:.3g} at the start, above 2, yet the run "
                 f"converged: the curvature fell along the path, from λmax "
                 f"{sgd.lam_start:.4g} at the start{end}, so the zig-zag of the first steps "
                 "died out.")
        return Verdict("converged-past-limit", text + " Reset (R) to watch it again.")
    return Verdict("converged", text + " Reset (R) to watch it again.")


def _finished(facts: RunFacts, first: float, last: float, theory: Theory | None,
              lr_sentence: LrSentence, curvature_at: CurvatureAt, halve: str) -> Verdict:
    n = facts.budget
    head = f"Finished {n:,} steps"
    lr = float(facts.lr[-1])
    end = facts.rows - 1
    if last > first:
        why = _too_big_why(facts, lr, end, theory, lr_sentence, curvature_at)
        return Verdict("above-start", f"{head}, but the loss ended above where it started "
                                      f"({num(last)} > {num(first)}): the learning rate is too "
                                      f"big. {why} {halve}")
    trend = tail_trend(facts.loss, facts.epoch, facts.step)
    goal = ("" if facts.tol is None
            else f", not within the tolerance {facts.tol:g} of the minimum")
    if trend == "bounce":
        return _bounce(facts, head, theory)
    if trend == "falling":
        text = f"{head} with the loss still falling, from {num(first)} to {num(last)}{goal}."
        return Verdict("still-falling", f"{text} {_more_steps(facts, lr, theory, curvature_at)}")
    if trend == "flat":
        return Verdict("stalled", f"{head} with the loss stuck at {num(last)} (from "
                                  f"{num(first)}){goal}: the run sits on flat ground where the "
                                  "gradient is almost zero. Try another start point or "
                                  "learning rate.")
    return Verdict("finished", f"{head}: the loss went from {num(first)} to {num(last)}{goal}.")


def _bounce(facts: RunFacts, head: str, theory: Theory | None) -> Verdict:
    tail = facts.loss[-max(5, min(TAIL_MAX, facts.rows // 4)):]
    tail = tail[np.isfinite(tail)]
    lo, hi = float(np.min(tail)), float(np.max(tail))
    cycle = two_step_cycle(facts.params)
    how = (" and lands back where it was two steps before" if cycle else "")
    text = (f"{head} bouncing: the loss keeps jumping between {num(lo)} and {num(hi)} instead "
            "of falling. The learning rate is too big for the bottom of this valley: each "
            f"step jumps across it{how}.")
    sgd = _sgd(facts, theory)
    if sgd is not None:
        x = float(facts.lr[-1]) * sgd.lam_start
        if x > 2:
            text += f" lr·λmax = {x:.3g} at the start (stable below 2)."
    return Verdict("bounce", f"{text} Halve it (H).")


def _more_steps(facts: RunFacts, lr: float, theory: Theory | None,
                curvature_at: CurvatureAt) -> str:
    if facts.unbounded:
        return "This loss has no lowest point, so it falls for as long as the run lasts."
    sgd = _sgd(facts, theory)
    if sgd is None:
        return "More steps, or a larger learning rate, would get further."
    x = lr * sgd.lam_max
    if x < SMALL_RATIO:
        return (f"The learning rate is small: lr·λmax = {x:.3g}, so each step covers only "
                f"{100 * x:.2g}% of the way along the steepest direction. A larger one (stable "
                f"below 2/λmax = {sgd.limit:.4g}) or more steps would get further.")
    there = curvature_at(facts.rows - 1)
    if x <= 2:
        flat = ""
        if there is not None and there[1] > 0:
            factor = abs(1.0 - lr * there[1])
            flat = (f" Along the flattest direction each step only shrinks the error to "
                    f"{factor:.3g} of itself (λmin = {there[1]:.3g}).")
        if x >= NEAR_RATIO:
            return (f"The learning rate is already near its limit (lr·λmax = {x:.3g}, stable "
                    f"below 2), so it is the step budget that runs short.{flat} More steps "
                    "would get further.")
        return (f"lr·λmax = {x:.3g} is well inside the limit 2, and the slow part is the "
                f"flattest direction.{flat} More steps, or a learning rate closer to 2/λmax "
                f"= {sgd.limit:.4g}, would get further.")
    end = "" if there is None else (f" (λmax = {there[0]:.4g} where the run is now, lr·λmax = "
                                    f"{lr * there[0]:.3g} there)")
    return (f"lr·λmax = {x:.3g} at the {sgd.where} is above 2, but the curvature fell along "
            f"the path{end}. More steps would get further.")


# ------------------------------------------------------------------ from a run
def start_of(source: Any) -> tuple[float, ...]:
    """The start point of a `Trainer` or a `Run`."""
    start = getattr(source, "start", None)
    if start is None:
        start = source.problem.check_start(source.config.start)
    return tuple(float(v) for v in start)


def safe_theory(source: Any) -> Theory | None:
    """`theory_of` the run's own problem, start and optimizer; None where the
    curvature cannot be worked out (the sentence is advice: the run stands)."""
    cfg = source.config
    try:
        return theory_of(source.problem, start_of(source), cfg.optimizer, dict(cfg.hyper))
    except Exception as exc:  # advice only: the run goes on without it
        log.warning("curvature failed: %s", exc)
        return None


def lr_sentence_of(source: Any) -> LrSentence:
    """core's sentence about a learning rate on the run's problem ("" if it cannot say)."""
    problem, cfg, start = source.problem, source.config, start_of(source)

    def sentence(lr: float) -> str:
        try:
            return str(describe_lr(problem, lr, optimizer=cfg.optimizer, start=start,
                                   **dict(cfg.hyper)))
        except Exception as exc:  # advice only: a problem core cannot analyse still runs
            log.warning("describe_lr failed: %s", exc)
            return ""

    return sentence


def curvature_along(source: Any) -> CurvatureAt:
    """(λmax, λmin) at a row of the run's table (None where it cannot be said)."""
    problem, table = source.problem, source.table

    def at(row: int) -> tuple[float, float] | None:
        point = [table[name][row] for name in problem.param_names]
        lam = lam_max_at(problem, point)
        low = lam_min_at(problem, point)
        return None if lam is None else (lam, low if low is not None else math.nan)

    return at


_ASK = object()


def verdict_of(source: Any, *, playing: bool = False, theory: Any = _ASK,
               halve: str = HALVE) -> Verdict:
    """What a `Run` or a `Trainer` did, and why: the window's status sentence.

    ``theory`` may be given when the caller keeps it (it depends on the problem,
    start and optimizer alone); ``halve`` is what a too-big run should try.
    """
    return explain(facts_of(source), playing=playing,
                   theory=safe_theory(source) if theory is _ASK else theory,
                   lr_sentence=lr_sentence_of(source), curvature_at=curvature_along(source),
                   halve=halve)
