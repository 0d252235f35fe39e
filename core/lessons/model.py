"""Lessons: a seed article's set-up, what to try, and what the article gets wrong.

The words live in ``resources/lessons/<name>.json``; every statement with a
number in it is computed by a check in `core.lessons.checks` when it is shown,
so the text can never drift from what the program really does.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from importlib.resources import files
from typing import Any

import numpy as np

from core.errors import ConfigError
from core.problems.catalogue import get_problem
from core.run.config import RunConfig
from core.run.dispatch import train
from core.run.table import format_rounded
from core.run.trainer import Run

LESSON_FOLDER = "lessons"


@dataclass(frozen=True)
class ClaimResult:
    """What happens here: ``holds`` is True when ``text``'s statement was verified."""

    holds: bool
    text: str
    values: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Claim:
    """One "what the article says / what happens here" item.

    ``article_says`` quotes or closely paraphrases the article; ``check()``
    recomputes what really happens (with `core.train`) and returns the text
    with the numbers filled in.
    """

    key: str
    article_says: str
    check: Callable[[], ClaimResult]


# ------------------------------------------------------------- behaviours
def _flips(run: Run) -> int:
    """How often the first gradient component changes sign between rows."""
    g = run.table[f"grad_{run.problem.param_names[0]}"]
    s = np.sign(g)
    return int(np.count_nonzero(s[1:] != s[:-1]))


def _reached(run: Run) -> bool:
    low = run.problem.min_loss or 0.0
    return bool(run.final_loss - low <= run.problem.tolerance)


BEHAVIOURS: dict[str, tuple[str, Callable[[Run], bool]]] = {
    "reaches": ("reaches the tolerance", _reached),
    "falls": (
        "ends lower than it started but short of the tolerance",
        lambda r: r.final_loss < r.table["loss"][0] and not _reached(r),
    ),
    "lands": ("stops with a zero gradient (an exact fit)", lambda r: r.status == "converged"),
    "bounces": (
        "overshoots (the gradient changes sign at most steps) yet ends lower",
        lambda r: _flips(r) * 2 >= len(r.table) - 1 and r.final_loss < r.table["loss"][0],
    ),
    "cycles": (
        "returns to its starting loss again and again",
        lambda r: (
            _flips(r) * 2 >= len(r.table) - 1
            and math.isclose(r.final_loss, r.table["loss"][0], rel_tol=1e-9)
        ),
    ),
    "rises": ("ends above where it started", lambda r: r.final_loss > r.table["loss"][0]),
    "diverges": ("diverges (the run stops)", lambda r: r.status == "diverged"),
}


@dataclass(frozen=True)
class TrialResult:
    """A suggested learning rate, run: does it show what the lesson promises?"""

    trial: Trial
    run: Run
    status_holds: bool
    behaviour_holds: bool
    text: str

    @property
    def holds(self) -> bool:
        return self.status_holds and self.behaviour_holds


@dataclass(frozen=True)
class Trial:
    """A learning rate to try, the status and behaviour it should show, and why."""

    lr: float
    expect: str  # a key of BEHAVIOURS
    status: str  # the Run.status it ends with
    text: str
    steps: int | None = None  # None: the lesson's steps

    def run(self, lesson: Lesson) -> TrialResult:
        run = lesson.run(lr=self.lr, steps=self.steps)
        words, predicate = BEHAVIOURS[self.expect]
        table = run.table
        first, last = float(table["loss"][0]), run.final_loss
        status_ok = run.status == self.status
        behaves = bool(predicate(run))
        text = (
            f"lr {self.lr:g}: loss {format_rounded(first)} at step 0, "
            f"{_short(last)} at step {len(table) - 1} ({run.status}); "
            f"it {words}: {'yes' if behaves else 'no'}"
        )
        return TrialResult(self, run, status_ok, behaves, text)


@dataclass(frozen=True)
class Lesson:
    """A seed scenario as a lesson: the article's set-up, what to try, its claims."""

    name: str
    title: str
    seed: str
    article: str
    problem: str
    optimizer: str
    lr: float
    steps: int
    batch: str | int
    hyper: Mapping[str, Any]
    summary: str
    trials: tuple[Trial, ...]
    claims: tuple[Claim, ...]
    order: int = 0

    def config(self, lr: float | None = None, steps: int | None = None) -> RunConfig:
        """The article's run (optionally at another learning rate or length)."""
        return RunConfig(
            problem=self.problem,
            optimizer=self.optimizer,
            lr=self.lr if lr is None else lr,
            steps=self.steps if steps is None else steps,
            batch=self.batch,
            hyper=dict(self.hyper),
        )

    def run(self, lr: float | None = None, steps: int | None = None) -> Run:
        cfg = self.config(lr, steps)
        return train(
            cfg.problem,
            optimizer=cfg.optimizer,
            lr=cfg.lr,
            steps=cfg.steps,
            batch=cfg.batch,
            **cfg.hyper,
        )

    @property
    def learning_rates(self) -> tuple[float, ...]:
        return tuple(t.lr for t in self.trials)


def _short(value: float) -> str:
    """4 decimals, or 3 significant digits when that would show 0.0000 or a long number."""
    if value != 0 and math.isfinite(value) and not 5e-5 <= abs(value) < 1e6:
        return f"{value:.3g}"
    return format_rounded(value)


# ---------------------------------------------------------------- loading
def _lesson_from(
    data: Mapping[str, Any], checks: Mapping[str, Callable[..., ClaimResult]]
) -> Lesson:
    name = data["name"]
    get_problem(data["problem"])  # a lesson must name a built-in problem
    claims = []
    for item in data.get("claims", []):
        key = item["id"]
        if key not in checks:
            raise ConfigError(f"lesson {name!r}: claim {key!r} has no check")
        quotes = dict(item.get("quotes", {}))
        claims.append(Claim(key, item["article_says"], partial(checks[key], quotes)))
    trials = tuple(
        Trial(float(t["lr"]), t["expect"], t["status"], t["text"], t.get("steps"))
        for t in data.get("try", [])
    )
    for t in trials:
        if t.expect not in BEHAVIOURS:
            raise ConfigError(f"lesson {name!r}: unknown behaviour {t.expect!r}")
    return Lesson(
        name=name,
        title=data["title"],
        seed=data["seed"],
        article=data["article"],
        problem=data["problem"],
        optimizer=data.get("optimizer", "sgd"),
        lr=float(data["lr"]),
        steps=int(data["steps"]),
        batch=data.get("batch", "full"),
        hyper=dict(data.get("hyper", {})),
        summary=data["summary"],
        trials=trials,
        claims=tuple(claims),
        order=int(data.get("order", 0)),
    )


def load_lessons(checks: Mapping[str, Callable[..., ClaimResult]]) -> list[Lesson]:
    """Every lesson in ``resources/lessons``, in their ``order``."""
    folder = files("resources").joinpath(LESSON_FOLDER)
    lessons = []
    for entry in folder.iterdir():
        if entry.name.endswith(".json"):
            lessons.append(_lesson_from(json.loads(entry.read_text(encoding="utf-8")), checks))
    return sorted(lessons, key=lambda lesson: (lesson.order, lesson.name))
