"""`RunRenderer`: draws the model's run into the plots and the step table, once per frame.

It answers the model's ``framed`` event: the path, the loss curve and the
step table all show the same run in the same frame (the table never trails
the plots while the slider is dragged). While a run plays, the table takes
its new rows in the same frame as long as a frame adds a row or two; faster,
every few frames (its repaint costs a fifth of a frame, and numbers changing
60 times a second cannot be read anyway); paused, it is exact.
The sweep's current-lr marker moves once a slider drag rests: even moving
just the marker repaints the whole sweep plot. Rows from a divergence on
are never drawn (they hold inf/nan or absurd values).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from desktop.model.events import connect_named

if TYPE_CHECKING:
    from desktop.model import Frame, WindowModel
    from desktop.plot_area import PlotArea

TABLE_EVERY = 6  # frames between table updates while playing fast (10 a second)
TABLE_ROWS_PER_FRAME = 2  # up to this many new rows a frame, the table takes them at once
SWEEP_REST_S = 0.12  # the sweep marker waits this long after the last lr change


def compare_colour(key: str) -> str | int:
    """A palette key: the preset's own colour, or a compare slot for pinned runs."""
    if key.startswith("pin-"):
        return 3 + int(key.split("-", 1)[1])
    return key


class RunRenderer:
    """Feeds the contour (or line), loss and sweep views and the table from the model."""

    def __init__(self, model: WindowModel, plots: PlotArea, now: Any) -> None:
        self.m = model
        self.v = plots
        self.now = now  # the frame clock's clock: the sweep marker's rest is timed on it
        self._frames = 0
        self._table_behind = False  # the table has not taken the newest rows yet
        self._sweep_lr: float | None = None
        self._lr_moved_at = -np.inf
        self._widths_owed = False  # the table kept its widths through a drag
        connect_named(self, model, "model", "knobs", "insight", "compare", "selection",
                      "playback", "rest")

    @property
    def one_d(self) -> bool:
        return self.m.knobs.problem.n_params == 1

    def wants_frames(self) -> bool:
        """Something is still to draw once time passes (the sweep marker, the table)."""
        return self._sweep_waiting() or self._table_behind

    def show_all(self) -> None:
        """Draw everything the model holds (the views were just built)."""
        self._show_problem()
        self._on_insight_surface_changed(self.m.insight.surface)
        self._on_insight_presets_changed(self.m.insight.presets)
        self._on_compare_changed(None)
        self.show_run()

    def show_run(self) -> None:
        """Draw the run as it stands: its rows, its path and loss, the selected step."""
        self._sync_table(replaced=True)
        self._draw_run()
        self._on_selection_changed(self.m.selection.step)

    # ------------------------------------------------------------------ slots
    def _on_model_framed(self, frame: Frame) -> None:
        if not self.v.built:
            return
        self._frames += 1
        if frame.replaced or frame.added:
            if (frame.replaced or not self.m.playing or frame.added <= TABLE_ROWS_PER_FRAME
                    or self._frames % TABLE_EVERY == 0):
                self._sync_table(frame.replaced)
            else:
                self._table_behind = True
            self._draw_run()
            if frame.replaced:
                self._on_selection_changed(self.m.selection.step)
        elif self._table_behind and not self.m.playing:
            self._sync_table(False)
        if self._sweep_waiting() and self.now() - self._lr_moved_at >= SWEEP_REST_S:
            self._move_sweep_marker()

    def _on_knobs_changed(self, change: Any) -> None:
        if not self.v.built:
            return
        if change.new_problem:
            self._show_problem()
            return
        if "axes" in change or "plane" in change:
            self._on_compare_changed(None)
            self._draw_run()
        if "lr" in change:
            self._lr_moved_at = self.now()  # the marker moves once the drag rests

    def _on_rest_rested(self, _none: None) -> None:
        if self._widths_owed and self.v.built:
            self._widths_owed = False
            self.v.table.fit_widths()

    def _on_playback_playing_changed(self, playing: bool) -> None:
        if not self.v.built:
            return
        if not playing and self._table_behind:
            self._sync_table(False)  # paused: the table shows exactly where the run stopped
        self.v.table.set_follow(playing)

    def _on_insight_surface_changed(self, surface: Any) -> None:
        if not self.v.built or surface is None:
            return
        if self.one_d:
            self.v.line.set_curve(surface.xs, surface.Z, surface.param_names[0])
        else:
            self.v.contour.set_surface(surface.xs, surface.ys, surface.Z, surface.levels,
                                       surface.param_names, surface.minima)
            if surface.plane is not None:  # new coordinates: the paths follow
                self._on_compare_changed(None)
                self._draw_run()

    def _on_insight_presets_changed(self, report: Any) -> None:
        if not self.v.built or (report is None and not self.v.has("sweep")):
            return  # the sweep view is built once it has a sweep to show
        m = self.m
        sweep = m.insight.sweep
        lr = m.knobs.lr
        self._sweep_lr = lr
        presets = m.insight.preset_lrs()
        theory = m.insight.theory
        limit = theory.limit if theory is not None and theory.plain_sgd else None
        if sweep is None:
            self.v.sweep.set_sweep(np.empty(0), np.empty(0), np.empty(0, dtype=str), presets,
                                   limit, lr, note=m.insight.presets_failed)
            return
        self.v.sweep.set_sweep(np.asarray(sweep.lrs), np.asarray(sweep.final_loss),
                               np.asarray(sweep.status), presets, limit, lr)

    def _on_selection_changed(self, step: int) -> None:
        if not self.v.built or self.m.trainer is None:
            return
        k = step if step >= 0 else None
        self.v.path_view(self.one_d).set_highlight(k)
        self.v.loss.set_highlight(k)
        self._restore_table_selection()

    def _on_compare_changed(self, _none: None) -> None:
        if not self.v.built:
            return
        runs = self.m.compare.runs
        if not runs:
            self._clear_compare()
            return
        paths, curves = [], []
        for item in runs:
            run = item.run
            table = run.table
            n = run.diverged_at if run.diverged_at is not None else len(table)
            names = run.problem.param_names
            steps, loss = table["step"][:n], table["loss"][:n]
            colour = compare_colour(item.key)
            if self.one_d:
                paths.append((item.label, colour, table[names[0]][:n], loss))
            else:
                paths.append((item.label, colour, *self.m.surfaces.table_xy(table, names, n)))
            curves.append((item.label, colour, steps, loss))
        self.v.path_view(self.one_d).set_compare(paths)
        self.v.loss.set_compare(curves)

    # ------------------------------------------------------------------ drawing
    def _show_problem(self) -> None:
        self.v.show_one_d(self.one_d)
        # a loss unbounded below (the saddle) goes negative: a log axis would hide it
        self.v.set_loss_log(self.m.knobs.problem.min_loss is not None)
        self._clear_compare()
        if self.v.has("sweep"):
            self.v.sweep.set_sweep(np.empty(0), np.empty(0), np.empty(0, dtype=str), {}, None,
                                   self.m.knobs.lr)
        self._table_behind = False
        self.v.model.set_table(None)

    def _sync_table(self, replaced: bool) -> None:
        self._table_behind = False
        table = self.m.table
        model = self.v.model
        if replaced or model.table is not table:
            if self.m.rest.waiting:  # a knob is being moved
                self.v.table.hold_widths()
                self._widths_owed = True
            model.set_table(table)
            self.v.table.lay_out_now()
        elif table is not None:
            model.extend_to(len(table))
        self._restore_table_selection()

    def _restore_table_selection(self) -> None:
        """Show the selected step in the table again: a model reset (a new run) forgets the
        view's selection, never the user's choice."""
        k = self.m.selection.step
        view = self.v.table
        if 0 <= k < self.v.model.rowCount() and not view.selected_rows():
            view.show_row(k)

    def _sweep_waiting(self) -> bool:
        return (self.v.has("sweep") and self.m.started
                and self._sweep_lr != self.m.knobs.lr)

    def _move_sweep_marker(self) -> None:
        self._sweep_lr = self.m.knobs.lr
        self.v.sweep.set_current_lr(self._sweep_lr)

    def _clear_compare(self) -> None:
        self.v.contour.clear_compare()
        if self.v.has("line"):
            self.v.line.clear_compare()
        if self.v.has("loss"):
            self.v.loss.set_compare([])

    def show_start(self) -> None:
        """Put the start marker back on row 0 (a drag that was refused)."""
        if self.m.table is not None and not self.one_d and self.m.playback.drawable_rows():
            x, y = self.m.surfaces.path_xy(1)
            self.v.contour.set_start(float(x[0]), float(y[0]))

    def _draw_run(self) -> None:
        m = self.m
        table = m.table
        if table is None:
            return
        n = m.playback.drawable_rows()
        names = m.knobs.problem.param_names
        loss = table["loss"][:n]
        if "val_loss" in table.columns:
            self.v.loss.set_validation(table["step"][:n], table["val_loss"][:n])
        else:
            self.v.loss.set_validation(None, None)
        if self.one_d:
            self.v.line.set_path(table[names[0]][:n], loss)
            self.v.line.set_current(n - 1)
        else:
            self.v.contour.set_path(*m.surfaces.path_xy(n))
            self.v.contour.set_current(n - 1)
        problem = m.knobs.problem
        tol = m.knobs.config.tol
        level = None if tol is None or problem.min_loss is None else problem.min_loss + tol
        self.v.loss.set_loss(table["step"][:n], loss, level, self.v.loss_log())
        self.v.loss.set_current(n - 1)
