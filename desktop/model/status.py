"""`StatusModel`: the sentence at the bottom of the window, about the run on screen.

It is recomputed (`update`) after every frame and every change of the run or
the knobs, from the run alone: its table, its status and the curvature of
its own problem and start (`desktop.model.explain`). A note about the last
action (saved, exported, a refused value) goes in front until the next
action; while the first run plays, a hint says what to try.
"""

from __future__ import annotations

import logging
from typing import Any

from desktop.model import analysis
from desktop.model.events import Event
from desktop.model.explain import Verdict, explain, facts_of

log = logging.getLogger(__name__)

INTRO = (" Drag the learning rate in the strip above, or try Too small (1), Just right (2) "
         "and Too big (3).")


class StatusModel:
    """``text`` (what the line says), ``verdict`` (what the run did); ``changed(text)``."""

    def __init__(self) -> None:
        self.changed: Event[str] = Event("status.changed")
        self.text = "Preparing the run…"
        self.verdict: Verdict | None = None
        self.note = ""  # about the last action, until the next one
        self.intro = False  # the first run plays: say what to try
        self._key: Any = None
        self._theory: tuple[Any, analysis.Theory | None] = (None, None)

    def update(self, playback: Any, started: bool) -> None:
        """Say what the run of ``playback`` did (call after any change of it)."""
        text = self._sentence(playback, started)
        if self.note:
            text = f"{self.note} {text}" if text else self.note
        if text != self.text:
            self.text = text
            self.changed.emit(text)

    def _sentence(self, playback: Any, started: bool) -> str:
        t = playback.trainer
        if not started or t is None:
            self.verdict = None
            return "Preparing the run…"
        if not playback.caught_up and not playback.playing:
            self.verdict = None  # half a run is not judged
            done, goal = len(t.table) - 1, playback.target - 1
            return f"Working out the run: {done:,} of {goal:,} steps so far…"
        key = (id(t), len(t.table), t.status, playback.playing)
        if self.verdict is None or key != self._key:
            self._key = key
            self.verdict = self._explain(t, playback.playing)
        return self.verdict.text + (INTRO if self.intro else "")

    def _explain(self, t: Any, playing: bool) -> Verdict:
        facts = facts_of(t)
        start = tuple(float(v) for v in t.start)
        cfg, problem = t.config, t.problem

        def lr_sentence(lr: float) -> str:
            return analysis.describe_lr(problem, lr, cfg.optimizer, start, dict(cfg.hyper))

        def curvature_at(row: int) -> tuple[float, float] | None:
            point = [t.table[name][row] for name in problem.param_names]
            lam = analysis.lam_max_at(problem, point)
            low = analysis.lam_min_at(problem, point)
            return None if lam is None else (lam, low if low is not None else float("nan"))

        return explain(facts, playing=playing, theory=self._theory_for(t),
                       lr_sentence=lr_sentence, curvature_at=curvature_at)

    def _theory_for(self, trainer: Any) -> analysis.Theory | None:
        """The curvature numbers of the run's own problem, start and optimizer."""
        cfg = trainer.config
        start = tuple(float(v) for v in trainer.start)
        key = (id(trainer.problem), start, cfg.optimizer, repr(sorted(cfg.hyper.items())))
        if self._theory[0] != key:
            try:
                theory = analysis.theory_of(trainer.problem, start, cfg.optimizer,
                                            dict(cfg.hyper))
            except Exception as exc:  # advice only: the run goes on without it
                log.warning("curvature failed: %s", exc)
                theory = None
            self._theory = (key, theory)
        return self._theory[1]
