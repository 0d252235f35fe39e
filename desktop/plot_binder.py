"""`PlotBinder`: hands the controller's numbers to the views, at most once per frame.

The controller emits ``rowsAdded`` once per clock tick and ``runReset`` at
most once per frame, so every redraw here is already rate-limited; the
binder only slices the table's columns (views, not copies) and calls the
views' setters from ``window_interfaces.md``. Rows from a divergence on are
never drawn (they hold inf/nan or absurd values).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QTimer

from desktop.controller import analysis

SWEEP_TRAIL_MS = 120
# the step table follows new rows and re-runs at most 10 times a second: a
# repaint of its visible cells costs ~3 ms (a fifth of a frame), and numbers
# changing 60 times a second cannot be read anyway
TABLE_MS = 100

def compare_colour(key: str) -> str | int:
    """A palette key: the preset's own colour, or a compare slot for pinned runs."""
    if key.startswith("pin-"):
        return 3 + int(key.split("-", 1)[1])
    return key


class PlotBinder(QObject):
    """Connects a `Controller` to the contour/line, loss and sweep views and the table."""

    def __init__(self, controller: Any, views: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.c = controller
        self.v = views
        c = controller
        c.problemChanged.connect(self._on_controller_problem_changed)
        c.surfaceChanged.connect(self._on_controller_surface_changed)
        c.runReset.connect(self._on_controller_run_reset)
        c.rowsAdded.connect(self._on_controller_rows_added)
        c.selectionChanged.connect(self._on_controller_selection_changed)
        c.presetsChanged.connect(self._on_controller_sweep_changed)
        c.sweepChanged.connect(self._on_controller_sweep_changed)
        c.compareChanged.connect(self._on_controller_compare_changed)
        c.playingChanged.connect(self._on_controller_playing_changed)
        c.knobsChanged.connect(self._on_controller_knobs_changed)
        self._sweep_lr: float | None = None
        # the sweep's "lr" marker waits for a slider drag to rest: even moving just the
        # marker repaints the whole sweep plot (~9 ms), too much for a frame of a drag
        self._sweep_timer = QTimer(self)
        self._sweep_timer.setSingleShot(True)
        self._sweep_timer.setInterval(SWEEP_TRAIL_MS)
        self._sweep_timer.timeout.connect(self._on_sweep_timer_timeout)
        self._table_timer = QTimer(self)
        self._table_timer.setSingleShot(True)
        self._table_timer.timeout.connect(self._sync_table)
        self._table_synced = -1.0  # perf_counter() of the last table update
        self._table_reset_at = -1.0  # ... and of the last one that showed a new run
        self._table_reset = False  # a new run's table waits for the next update

    @property
    def one_d(self) -> bool:
        return self.c.problem.n_params == 1

    # ------------------------------------------------------------ slots
    def _on_controller_problem_changed(self) -> None:
        if not self.v.built:
            return  # the views are built after the first paint; the window re-emits then
        self.v.show_one_d(self.one_d)
        # a loss unbounded below (the saddle) goes negative: a log axis would hide it
        self.v.set_loss_log(self.c.problem.min_loss is not None)
        self._clear_compare()
        if self.v.has("sweep"):
            self.v.sweep.set_sweep(np.empty(0), np.empty(0), np.empty(0, dtype=str), {}, None,
                                   self.c.config.lr)
        self._table_timer.stop()
        self._table_reset = False
        self.v.model.set_table(None)

    def _on_controller_surface_changed(self) -> None:
        s = self.c.surface
        if s is None:
            return
        if self.one_d:
            self.v.line.set_curve(s.xs, s.Z, s.param_names[0])
        else:
            self.v.contour.set_surface(s.xs, s.ys, s.Z, s.levels, s.param_names, s.minima)

    def _on_controller_run_reset(self) -> None:
        self._table_reset = True
        if (time.perf_counter() - self._table_reset_at) * 1000.0 >= TABLE_MS:
            self._sync_table()  # a click, or the first move of a drag: the new run at once
        else:
            self._schedule_table()
        self._draw_run()
        self._on_controller_selection_changed(self.c.selected_row)

    def _on_controller_rows_added(self) -> None:
        table = self.c.table
        if table is None:
            return
        self._schedule_table()
        self._draw_run()

    def _on_controller_selection_changed(self, row: int) -> None:
        if not self.c.started:
            return
        k = row if row >= 0 else None
        self.v.path_view(self.one_d).set_highlight(k)
        self.v.loss.set_highlight(k)

    def _on_controller_playing_changed(self, playing: bool) -> None:
        if not playing and self._table_timer.isActive():
            self._sync_table()  # paused: the table shows exactly where the run stopped
        self.v.table.set_follow(playing)

    def _schedule_table(self) -> None:
        """Update the table now, or once TABLE_MS have passed since the last update."""
        if self._table_timer.isActive():
            return  # the pending update will read the newest table
        wait_ms = TABLE_MS - (time.perf_counter() - self._table_synced) * 1000.0
        if wait_ms <= 0:
            self._sync_table()
        else:
            self._table_timer.start(max(1, int(wait_ms + 0.5)))

    def _sync_table(self) -> None:
        self._table_timer.stop()
        self._table_synced = time.perf_counter()
        table = self.c.table
        model = self.v.model
        if self._table_reset or model.table is not table:
            self._table_reset = False
            self._table_reset_at = self._table_synced
            model.set_table(table)
        elif table is not None:
            model.extend_to(len(table))
        self._restore_selection()

    def _restore_selection(self) -> None:
        """Show the controller's selected step in the table again: a model reset
        (a new run) forgets the view's selection, never the user's choice."""
        k = self.c.selected_row
        view = self.v.table
        if 0 <= k < self.v.model.rowCount() and not view.selected_rows():
            view.show_row(k)

    def _on_controller_knobs_changed(self) -> None:
        if self.c.config.lr != self._sweep_lr:
            self._sweep_timer.start()  # restarted: the marker moves once a drag rests

    def _on_sweep_timer_timeout(self) -> None:
        if not self.c.started:
            return
        lr = self.c.config.lr
        move = getattr(self.v.sweep, "set_current_lr", None)
        if move is None:
            self._on_controller_sweep_changed()
            return
        self._sweep_lr = lr
        move(lr)

    def stop(self) -> None:
        self._sweep_timer.stop()
        self._table_timer.stop()

    def _on_controller_sweep_changed(self) -> None:
        self._sweep_timer.stop()
        c = self.c
        if not c.started:
            return  # the sweep view is built after the first paint
        sweep = c.sweep
        self._sweep_lr = c.config.lr
        presets = analysis.preset_lrs(c.presets) if c.presets is not None else {}
        limit = c.gauge.limit if c.config.optimizer == "sgd" else None
        if sweep is None:
            self.v.sweep.set_sweep(np.empty(0), np.empty(0), np.empty(0, dtype=str), presets,
                                   limit, c.config.lr)
            return
        self.v.sweep.set_sweep(np.asarray(sweep.lrs), np.asarray(sweep.final_loss),
                               np.asarray(sweep.status), presets, limit, c.config.lr)

    def _on_controller_compare_changed(self) -> None:
        runs = self.c.compare_runs
        if not runs:
            self._clear_compare()
            return
        paths, curves = [], []
        ax = self.c.display_axes
        for label, key, run in runs:
            table = run.table
            n = run.diverged_at if run.diverged_at is not None else len(table)
            names = run.problem.param_names
            steps, loss = table["step"][:n], table["loss"][:n]
            colour = compare_colour(key)
            if self.one_d:
                paths.append((label, colour, table[names[0]][:n], loss))
            else:
                paths.append((label, colour, table[names[ax[0]]][:n], table[names[ax[1]]][:n]))
            curves.append((label, colour, steps, loss))
        self.v.path_view(self.one_d).set_compare(paths)
        self.v.loss.set_compare(curves)

    # ------------------------------------------------------------ drawing
    def _clear_compare(self) -> None:
        self.v.contour.clear_compare()
        if self.v.has("line"):
            self.v.line.clear_compare()
        if self.v.has("loss"):
            self.v.loss.set_compare([])

    def _draw_run(self) -> None:
        c = self.c
        table = c.table
        if table is None:
            return
        n = c.drawable_rows()
        names = c.problem.param_names
        loss = table["loss"][:n]
        if self.one_d:
            self.v.line.set_path(table[names[0]][:n], loss)
            self.v.line.set_current(n - 1)
        else:
            i, j = c.display_axes
            self.v.contour.set_path(table[names[i]][:n], table[names[j]][:n])
            self.v.contour.set_current(n - 1)
        tol = c.config.tol
        level = None if tol is None or c.problem.min_loss is None else c.problem.min_loss + tol
        self.v.loss.set_loss(table["step"][:n], loss, level, self.v.loss_log())
        self.v.loss.set_current(n - 1)
