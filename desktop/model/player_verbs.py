"""The player's verbs of the window model: play, step, reset, presets, compare, pin.

`WindowModel` takes these from `PlayerVerbs`; they act on its sub-models
(``playback``, ``selection``, ``knobs``, ``insight``) and ask for a frame,
in which the views draw the new state. No Qt.
"""

from __future__ import annotations

from typing import Any

from core import ConfigError

PRESETS = ("too-small", "just-right", "too-big")


class PlayerVerbs:
    """What the buttons, keys and menu items of the run do (mixed into `WindowModel`)."""

    playback: Any
    selection: Any
    knobs: Any
    insight: Any
    compare: Any
    started: bool
    _rerun: str | None

    def play(self) -> None:
        if not self.started:
            self.start(play=False)
            self.settle_rerun()
        self._action()
        if self.playback.trainer is None:
            return
        if self.playback.finished:  # like a player at its end: again from the start
            self.playback.build(self.knobs.problem, self.knobs.config, 1)
        self.playback.play()
        self._update_status()
        self._request_frame()

    def settle_rerun(self) -> None:
        if self._rerun is not None:
            self._do_rerun()

    def pause(self) -> None:
        self.playback.pause()
        self._request_frame()

    def toggle_play(self) -> None:
        if self.playback.playing:
            self.pause()
        else:
            self.play()

    def step(self) -> None:
        """One step, paused. At the end of a run it says so.

        With an earlier row selected (after Step back), the next row of the run
        already computed is selected instead: no new step is taken until the
        selection reaches the newest row.
        """
        self._action()
        self.settle_rerun()
        k = self.selection.step
        if 0 <= k < self.playback.drawable_rows() - 1:
            self.playback.pause()
            self.select_step(k + 1)
            self._request_frame()
            return
        if k >= 0:
            self.selection.clear()  # a new step: follow the newest row again
        if self.playback.finished:
            self.playback.pause()
            self.show_message("The run has ended: Reset (R) to step through it again.")
            return
        self.playback.step()
        self._update_status()
        self._request_frame()

    def can_step_back(self) -> bool:
        """A row before the one shown exists (the selected row, else the newest)."""
        k = self.selection.step
        return k > 0 if k >= 0 else self.playback.drawable_rows() >= 2

    def step_back(self) -> None:
        """Select the row before the one shown, through the run already computed (paused).

        At the newest row the first Step back selects the row before it; at
        row 0 it does nothing.
        """
        if not self.can_step_back():
            return
        self._action()
        self.playback.pause()
        k = self.selection.step
        if k < 0:
            k = self.playback.drawable_rows() - 1
        self.select_step(k - 1)
        self._update_status()
        self._request_frame()

    def reset(self) -> None:
        """Back to the start point, paused."""
        self._action()
        self._rerun = None
        self.playback.pause()
        self.playback.build(self.knobs.problem, self.knobs.config, 1)
        self._update_status()
        self._request_frame()

    def apply_preset(self, key: str) -> None:
        if key not in PRESETS:
            raise ConfigError(f"unknown preset {key!r}; choose one of: {', '.join(PRESETS)}")
        lr = self.insight.preset_lrs().get(key)
        if lr is None:
            self.show_message("The presets are still being worked out…")
            return
        self.knobs.set_lr(lr, preset=key)

    def pin(self) -> None:
        self.compare.pin(self.playback.trainer)

    def clear_compare(self) -> None:
        self.compare.clear()

    def compare_presets(self) -> None:
        lrs = self.insight.preset_lrs()
        if not lrs:
            self.show_message("The presets are still being worked out…")
            return
        self.show_message("Running the three presets…")
        self.compare.request(self.knobs.problem, self.knobs.config, lrs)

    def halve_lr(self) -> None:
        self.knobs.set_lr(self.knobs.lr / 2)

    def run_with(self, lr: float, steps: int | None = None) -> None:
        """A learning rate (and budget) run in full from the start (a lesson's trial)."""
        self.playback.pause()
        if steps is not None:
            self.knobs.set_steps(steps)
        self.knobs.set_lr(lr)
        self._rerun = "full"
        self._request_frame()
