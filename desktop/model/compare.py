"""`CompareModel`: runs shown beside the current one: the three presets, and pinned runs.

Compared runs (Compare presets) belong to the knobs that made them: they
leave as soon as a knob changes, so they never hide the path of a run they
were not compared with. Pinned runs are the user's own choice and stay until
cleared (at most six; the oldest goes first).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from desktop.model import analysis
from desktop.model.events import Event

PRESET_LABELS = {"too-small": "too small", "just-right": "just right", "too-big": "too big"}
MAX_PINNED = 6


@dataclass(frozen=True)
class ComparedRun:
    """One run drawn beside the current one; ``key`` picks its colour."""

    label: str
    key: str  # "too-small", "just-right", "too-big" or "pin-<slot>"
    run: Any  # a core `Run`

    @property
    def pinned(self) -> bool:
        return self.key.startswith("pin-")

    def __iter__(self):  # (label, key, run), as the sessions and exports unpack it
        return iter((self.label, self.key, self.run))


class CompareModel:
    """``runs`` (compared first, then pinned); ``changed`` after every change."""

    def __init__(self, jobs: Any = None) -> None:
        self.jobs = jobs
        self.changed: Event[None] = Event("compare.changed")
        self.failed: Event[str] = Event("compare.failed")
        self._compared: list[ComparedRun] = []
        self._pinned: list[ComparedRun] = []
        self._pins = 0  # slots handed out: each pin gets the next colour

    @property
    def runs(self) -> list[ComparedRun]:
        return [*self._compared, *self._pinned]

    @property
    def pinned(self) -> list[ComparedRun]:
        return list(self._pinned)

    @property
    def compared(self) -> list[ComparedRun]:
        return list(self._compared)

    def set_compared(self, runs: list[tuple[str, Any]]) -> None:
        """The preset runs (``[(key, run), ...]``), replacing any compared before."""
        self._compared = [ComparedRun(f"{PRESET_LABELS[k]} (lr={r.config.lr:.3g})", k, r)
                          for k, r in runs]
        self.changed.emit(None)

    def request(self, problem: Any, cfg: Any, lrs: dict[str, float]) -> None:
        """Run the three presets with every other knob as in ``cfg`` (in the background)."""
        ref = analysis.problem_ref(problem, dict(cfg.options))
        self.jobs.submit("compare", analysis.preset_runs, self.set_compared, self._on_failed,
                         args=(ref, cfg, lrs), in_process=True)

    def _on_failed(self, exc: BaseException) -> None:
        self.failed.emit(f"Could not run the presets for comparison: {exc}")

    def drop_compared(self) -> None:
        """The knobs moved: the compared runs (and those on their way) no longer compare
        with the run on screen."""
        if self.jobs is not None:
            self.jobs.cancel("compare")
        if self._compared:
            self._compared = []
            self.changed.emit(None)

    def pin(self, trainer: Any) -> None:
        """Keep a copy of ``trainer``'s run on the plots."""
        if trainer is None or len(trainer.table) == 0:
            return
        run = dataclasses.replace(trainer.result(), table=trainer.table.select(slice(None)))
        label = f"pinned: {trainer.config.optimizer} lr={trainer.config.lr:.3g}"
        self._add_pin(label, run)
        self.changed.emit(None)

    def set_pinned(self, runs: list[tuple[str, Any]]) -> None:
        """Pinned runs from a session file (``[(label, run), ...]``), replacing all."""
        self._compared, self._pinned, self._pins = [], [], 0
        for label, run in runs[-MAX_PINNED:]:
            self._add_pin(label, run)
        self.changed.emit(None)

    def clear(self) -> None:
        if self.jobs is not None:
            self.jobs.cancel("compare")
        if self._compared or self._pinned:
            self._compared, self._pinned = [], []
            self.changed.emit(None)

    def forget(self) -> None:
        """A new problem: nothing compares with it (pinned runs included)."""
        self._pins = 0
        self.clear()

    def _add_pin(self, label: str, run: Any) -> None:
        if len(self._pinned) >= MAX_PINNED:
            self._pinned.pop(0)
        self._pinned.append(ComparedRun(label, f"pin-{self._pins % MAX_PINNED}", run))
        self._pins += 1
