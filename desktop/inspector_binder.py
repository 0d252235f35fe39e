"""`InspectorBinder`: which step the inspector shows, and when it asks core again.

It follows the row selected in the step table, or else the newest row. While
a run plays it refreshes at most ten times a second (the clock adds rows up
to 60 times a second, thousands of steps each); otherwise once per event
loop pass, coalesced. One `core.inspector.StepInspector` is kept per run, so
the optimizer state of a deep row is replayed once, then read from its
checkpoints. Nothing is computed while the panel is hidden.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

PLAYING_INTERVAL_MS = 100  # ≤ 10 Hz while running


class InspectorBinder(QObject):
    def __init__(self, controller: Any, panel: Any, table_view: Any,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.c = controller
        self.panel = panel
        self.table_view = table_view
        self.renders = 0  # how many inspections were built (tests check the throttle)
        self.now = time.perf_counter  # the clock the throttle reads; tests drive their own
        self._inspector: Any = None
        self._source: Any = None
        self._shown: tuple[Any, ...] | None = None
        self._last_render = 0.0
        self._stepped = False  # the next step shown was asked for by → or Step: animate it
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        c = controller
        c.runReset.connect(self._on_controller_run_reset)
        c.rowsAdded.connect(self._on_controller_rows_added)
        c.selectionChanged.connect(self._on_controller_selection_changed)
        c.problemChanged.connect(self._on_controller_problem_changed)
        panel.stepClicked.connect(self.step)
        self.panel.show_message("Step inspector", "The four steps of a step appear here once "
                                                  "the run has started.")

    # ------------------------------------------------------------ actions
    def step(self) -> None:
        """One step, shown here: the inspector goes back to following the newest row."""
        self.c.step_once()
        self.follow_newest()

    def follow_newest(self) -> None:
        """Drop the table's selection (the → key and the Step button follow the newest row)."""
        self._stepped = True
        if self.c.selected_row >= 0:
            self.table_view.clearSelection()  # emits rowSelected(-1): the controller hears it
            if self.c.selected_row >= 0:
                self.c.select_row(-1)
        self.request()

    def request(self) -> None:
        """Refresh soon: at once when paused, at most every 100 ms while playing."""
        if self._timer.isActive():
            return  # already due: it will read the newest state
        wait = 0
        if self.c.playing:
            since = (self.now() - self._last_render) * 1000.0
            wait = max(0, int(PLAYING_INTERVAL_MS - since))
        self._timer.start(wait)

    def stop(self) -> None:
        self._timer.stop()
        self.panel.stop()

    def refresh_now(self) -> None:
        self._timer.stop()
        self._render()

    # ------------------------------------------------------------ slots
    def _on_controller_run_reset(self) -> None:
        self.request()

    def _on_controller_rows_added(self) -> None:
        if self.c.selected_row < 0 or self.c.playing:
            self.request()

    def _on_controller_selection_changed(self, _row: int) -> None:
        self.request()

    def _on_controller_problem_changed(self) -> None:
        self._inspector = self._source = self._shown = None

    def _on_timer_timeout(self) -> None:
        self._render()

    # ------------------------------------------------------------ rendering
    def _target(self) -> tuple[Any, int] | None:
        t = self.c.trainer
        if t is None or len(t.table) == 0:
            return None
        n = len(t.table)
        k = self.c.selected_row
        return t, (k if 0 <= k < n else n - 1)

    def _render(self) -> None:
        if not self.panel.isVisible():
            self._shown = None  # the dock's visibilityChanged asks again once it shows
            return
        target = self._target()
        if target is None:
            return
        trainer, k = target
        n = len(trainer.table)
        key = (id(trainer), k, n == k + 1, trainer.status)
        if key == self._shown:
            return
        previous = self._shown
        self._last_render = self.now()
        try:
            inspection = self._inspector_for(trainer).inspect(k)
        except Exception as exc:  # the inspector is a view: a failure must not stop the run
            log.exception("step inspector failed at step %s", k)
            self.panel.show_message("Step inspector", f"Step {k} cannot be shown: {exc}")
            self._shown = key
            return
        self.renders += 1
        self._shown = key
        following = self.c.selected_row < 0
        where = f"of {n - 1}, the newest" if following else f"of {n - 1}, selected in the table"
        stepped = self._stepped or (previous is not None and previous[0] == key[0]
                                    and previous[1] != k)
        self._stepped = False
        self.panel.show_inspection(inspection, where, animate=stepped and not self.c.playing)

    def _inspector_for(self, trainer: Any) -> Any:
        if self._source is not trainer:
            from core.inspector import StepInspector  # ~25 ms of imports: after the first paint

            self._inspector = StepInspector(trainer)
            self._source = trainer
        return self._inspector
