"""`InspectorBinder`: which step the inspector shows, and when it asks core again.

It follows the step selected in the table, or else the newest row. It
refreshes at once when the last refresh is a tenth of a second ago, else a
tenth of a second after it, through the window's one `Throttle`: a single
step or a click on a row shows at once, while a playing run (up to 60 frames
a second, thousands of steps each) costs at most ten refreshes a second, and
a refresh at most a fifth of the time (`MAX_SHARE`). A run that a moved knob
replaces (not one that plays) is inspected once the knobs rest (the model's
`rest.rested`) and the run is whole: a slider drag replaces the run every
frame, and each inspection would cost one of them. One `core.inspector.StepInspector`
is kept per run, so the optimizer state of a deep row is replayed once, then
read from its checkpoints. Nothing is computed while the panel is hidden.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from desktop.throttle import Throttle

if TYPE_CHECKING:
    from desktop.model import Frame, WindowModel
    from desktop.model.knobs import KnobsChange

log = logging.getLogger(__name__)

PLAYING_INTERVAL_MS = 100  # ≤ 10 refreshes a second
# a refresh may take at most this share of the time: a network's step (105 parameters,
# each with its gradient and update written out) takes ~60 ms to build and lay out, so
# it refreshes less often than a two-parameter problem's, and a slider drag stays smooth
MAX_SHARE = 0.2


class InspectorBinder(QObject):
    def __init__(self, model: WindowModel, panel: Any, table_view: Any,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.m = model
        self.panel = panel
        self.table_view = table_view
        self.renders = 0  # how many inspections were built (tests check the throttle)
        self._inspector: Any = None
        self._source: Any = None
        self._shown: tuple[Any, ...] | None = None
        self._stepped = False  # the next step shown was asked for by → or Step: animate it
        self._settling = False  # a knob replaced the run: wait for the knobs to rest
        self._throttle = Throttle(self._render, PLAYING_INTERVAL_MS, parent=self)
        model.framed.connect(self._on_model_framed)
        model.selection.changed.connect(self._on_selection_changed)
        model.knobs.changed.connect(self._on_knobs_changed)
        model.playback.playing_changed.connect(self._on_playing_changed)
        model.rest.rested.connect(self._on_rest_rested)
        panel.stepClicked.connect(self.step)
        self.panel.show_message("Step inspector", "The four steps of a step appear here once "
                                                  "the run has started.")

    @property
    def now(self) -> Any:
        return self._throttle.now

    @now.setter
    def now(self, clock: Any) -> None:
        """The clock the throttle reads (tests drive their own)."""
        self._throttle.now = clock

    @property
    def pending(self) -> bool:
        """A refresh waits: for its throttle, or for the knobs to rest."""
        return self._throttle.pending or self._settling

    # ------------------------------------------------------------ actions
    def step(self) -> None:
        """One step, shown here: the inspector goes back to following the newest row."""
        self.m.step()
        self.follow_newest()

    def follow_newest(self) -> None:
        """Drop the table's selection (the → key and the Step button follow the newest row)."""
        self._stepped = True
        if self.m.selection.step >= 0:
            self.table_view.clearSelection()  # emits rowSelected(-1): the model hears it
            self.m.select_step(-1)
        self.request()

    def request(self) -> None:
        """Refresh now, or once 100 ms have passed since the last refresh."""
        self._throttle()

    def hold(self) -> None:
        """The first run is starting: the first inspection (25 ms of imports, then the
        text) waits a tenth of a second, behind the plots."""
        self._throttle.hold()

    def stop(self) -> None:
        self._throttle.cancel()
        self.panel.stop()

    def refresh_now(self) -> None:
        self._throttle.flush()

    # ------------------------------------------------------------ slots
    def _on_model_framed(self, frame: Frame) -> None:
        if frame.replaced and not self.m.playing and self.m.rest.waiting:
            # a knob replaced the run, and a drag does so every frame: the panel waits
            # until the knobs rest, then shows the new run once
            if not self._settling:
                self.panel.mark_outdated()
            self._settling = True
            self._throttle.cancel()
        elif self._settling:
            return  # the frames that finish building the new run: the wait stands
        elif frame.replaced or (frame.added and (self.m.selection.step < 0 or self.m.playing)):
            self.request()

    def _on_rest_rested(self, _none: None) -> None:
        if self._settling:
            self._settling = False
            self.request()

    def _on_selection_changed(self, _step: int) -> None:
        self.request()

    def _on_playing_changed(self, _playing: bool) -> None:
        self.request()  # the caption says whether the run moves on

    def _on_knobs_changed(self, change: KnobsChange) -> None:
        if change.new_problem:
            self._inspector = self._source = self._shown = None

    # ------------------------------------------------------------ rendering
    def _target(self) -> tuple[Any, int] | None:
        t = self.m.trainer
        if t is None or len(t.table) == 0:
            return None
        n = len(t.table)
        k = self.m.selection.step
        return t, (k if 0 <= k < n else n - 1)

    def _render(self) -> None:
        self._settling = False
        if not self.panel.isVisible():
            self._shown = None  # the dock's visibilityChanged asks again once it shows
            return
        if self._rebuilding():
            return  # the frame that makes the run whole asks again
        target = self._target()
        if target is None:
            return
        trainer, k = target
        n = len(trainer.table)
        key = (id(trainer), k, n == k + 1, trainer.status, self.m.playing)
        if key == self._shown:
            return
        previous = self._shown
        started = self._throttle.now()
        try:
            inspection = self._inspector_for(trainer).inspect(k)
        except Exception as exc:  # the inspector is a view: a failure must not stop the run
            log.exception("step inspector failed at step %s", k)
            self.panel.show_message("Step inspector", f"Step {k} cannot be shown: {exc}")
            self._shown = key
            return
        self.renders += 1
        self._shown = key
        following = self.m.selection.step < 0
        if following and self.m.playing:  # the run moves on between two refreshes
            where = "while the run plays"
        elif following:
            where = f"of {n - 1}, the newest"
        else:
            where = f"of {n - 1}, selected in the table"
        stepped = self._stepped or (previous is not None and previous[0] == key[0]
                                    and previous[1] != k)
        self._stepped = False
        self.panel.show_inspection(inspection, where, animate=stepped and not self.m.playing)
        self._pace(started)

    def _rebuilding(self) -> bool:
        """A moved knob's run is still being built (not played): the step the panel would
        show is a row that the next frames push down, and replaying the optimizer up to it
        would cost a frame of the drag. The whole run is shown once it is there."""
        m = self.m
        return not m.playing and (m.rerun_pending or not m.playback.caught_up)

    def _pace(self, started: float) -> None:
        """The refresh interval from what this refresh cost (on the throttle's clock, so a
        test's clock decides it)."""
        cost_ms = (self._throttle.now() - started) * 1000.0
        self._throttle.interval_ms = max(PLAYING_INTERVAL_MS, round(cost_ms / MAX_SHARE))

    def _inspector_for(self, trainer: Any) -> Any:
        if self._source is not trainer:
            from core.inspector import StepInspector  # ~25 ms of imports: after the first paint

            self._inspector = StepInspector(trainer)
            self._source = trainer
        return self._inspector
