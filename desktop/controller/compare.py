"""Compare runs: the three presets at once, or runs the user pins, each in its colour."""

from __future__ import annotations

import dataclasses
from typing import Any

from desktop.controller import analysis

PRESET_LABELS = {"too-small": "too small", "just-right": "just right", "too-big": "too big"}
MAX_PINNED = 6


def _run_with(problem: Any, cfg: Any, lr: float) -> Any:
    import core  # keeps this module import-light

    return core.make_trainer(problem, cfg.with_(lr=lr, backend="numpy")).run()


def preset_runs(ref: Any, cfg: Any, lrs: dict[str, float]) -> list[tuple[str, str, Any]]:
    """The run of each preset learning rate with every other knob unchanged.

    Runs in a worker process, so it takes a `analysis.problem_ref`.
    """
    problem = analysis.resolve_problem(ref)
    runs = []
    for key in ("too-small", "just-right", "too-big"):
        if key in lrs:
            run = _run_with(problem, cfg, lrs[key])
            runs.append((f"{PRESET_LABELS[key]} (lr={lrs[key]:.3g})", key, run))
    return runs


class CompareMixin:
    """Pinned and preset runs for the compare overlay. Mixed into `Controller`."""

    def pin_current_run(self) -> None:
        t = self.trainer
        if t is None or len(t.table) == 0:
            return
        run = dataclasses.replace(t.result(), table=t.table.select(slice(None)))
        pinned = [r for r in self.compare_runs if r[1].startswith("pin-")]
        if len(pinned) >= MAX_PINNED:
            self.compare_runs.remove(pinned[0])
        key = f"pin-{self._pin_count % MAX_PINNED}"
        self._pin_count += 1
        label = f"pinned: {t.config.optimizer} lr={t.config.lr:.3g}"
        self.compare_runs.append((label, key, run))
        self.compareChanged.emit()

    def compare_presets(self) -> None:
        if self.presets is None:
            self._update_status(note=" The presets are still being worked out…")
            return
        problem, cfg = self.problem, self.config
        lrs = analysis.preset_lrs(self.presets)
        self.show_message("Running the three presets…")
        ref = analysis.problem_ref(problem, dict(cfg.options))
        self.jobs.submit("compare", preset_runs, self._on_compare_done, self._on_compare_failed,
                         args=(ref, cfg, lrs), in_process=True)

    def clear_compare(self) -> None:
        self.jobs.cancel("compare")
        self.compare_runs = []
        self.compareChanged.emit()

    def _on_compare_done(self, runs: list[tuple[str, str, Any]]) -> None:
        kept = [r for r in self.compare_runs if r[1].startswith("pin-")]
        self.compare_runs = runs + kept
        self.compareChanged.emit()
        self._update_status()

    def _on_compare_failed(self, exc: BaseException) -> None:
        self.error.emit(f"Could not run the presets for comparison: {exc}")
