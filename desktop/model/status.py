"""`StatusModel`: the sentence at the bottom of the window, about the run on screen.

It is recomputed (`update`) after every frame and every change of the run or
the knobs, from the run alone: its table, its status and the curvature of
its own problem and start (`core.analysis.verdict`, the sentence the command
line gives a diverged run too). A note about the last
action (saved, exported, a refused value) goes in front until the next
action; while the first run plays, a hint says what to try.
"""

from __future__ import annotations

from typing import Any

from core import Theory, Verdict
from core.analysis.verdict import safe_theory, verdict_of
from desktop.model.events import Event

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
        self._theory: tuple[Any, Theory | None] = (None, None)

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
        return verdict_of(t, playing=playing, theory=self._theory_for(t))

    def _theory_for(self, trainer: Any) -> Theory | None:
        """The curvature numbers of the run's own problem, start and optimizer (kept
        while they stay the same: they do not depend on the learning rate)."""
        cfg = trainer.config
        start = tuple(float(v) for v in trainer.start)
        key = (id(trainer.problem), start, cfg.optimizer, repr(sorted(cfg.hyper.items())))
        if self._theory[0] != key:
            self._theory = (key, safe_theory(trainer))
        return self._theory[1]
