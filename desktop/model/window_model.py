"""`WindowModel`: the one source of truth for what the window shows. No Qt.

It is made of small sub-models, each with its own typed events:

- ``knobs`` (`KnobsModel`): the problem, the run config, the pair shown, speed;
- ``playback`` (`PlaybackModel`): the run on screen, playing, catching up;
- ``insight`` (`InsightModel`): curvature, gauge, presets, sweep, surface;
- ``compare`` (`CompareModel`): preset runs compared, pinned runs;
- ``selection`` (`SelectionModel`): the step picked in the table;
- ``gradcheck`` (`GradCheckModel`): the gradient check, at the point on screen;
- ``surfaces`` (`SurfaceSource`): the pair or plane the contour shows, the path on it;
- ``analyses`` (`RunAnalyses`): λmax along the run, the learning-rate range test.

This class wires them: a knob that changes the run asks for a re-run, which
happens in the next ``frame()`` (the window's frame clock calls it at once
when idle, else at the next frame, so a slider drag re-runs at most once per
frame and the newest value wins). ``framed`` then tells the views to draw the
run, the table and the status sentence, all from the same state. The status
sentence is derived from the run on screen alone (`core.analysis.verdict`),
and recomputed in every frame and after every change, so it never describes
another run; while a long re-run catches up it says so instead of judging a
partial run.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core import ConfigError
from desktop.model.backend import BackendModel
from desktop.model.budget import DRAG_RERUN_BUDGET_S, RERUN_BUDGET_S
from desktop.model.compare import CompareModel
from desktop.model.events import Event, connect_named
from desktop.model.gradcheck import GradCheckModel
from desktop.model.insight import InsightModel
from desktop.model.jobs import JobRunner, QueuedJobs
from desktop.model.knobs import KnobsChange, KnobsModel, Restored, parse_knobs
from desktop.model.passed_on import passed_on
from desktop.model.playback import PlaybackModel
from desktop.model.player_verbs import PlayerVerbs
from desktop.model.rest import KnobRest
from desktop.model.run_analyses import RunAnalyses
from desktop.model.selection import SelectionModel
from desktop.model.status import StatusModel
from desktop.model.surface_source import SurfaceSource

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Frame:
    """What changed since the last frame: a new run, and how many rows were added."""

    replaced: bool
    added: int


class WindowModel(PlayerVerbs):
    """The knobs, the run, what core says about them, and the sentence on screen."""

    def __init__(self, jobs: JobRunner | None = None,
                 now: Callable[[], float] = time.perf_counter) -> None:
        self.jobs: JobRunner = jobs if jobs is not None else QueuedJobs()
        self.knobs = KnobsModel()
        self.playback = PlaybackModel(now)
        self.insight = InsightModel(self.jobs)
        self.compare = CompareModel(self.jobs)
        self.selection = SelectionModel()
        self.status_model = StatusModel()
        self.backend = BackendModel(self.knobs, self.jobs)
        self.gradcheck = GradCheckModel(self.jobs)
        self.surfaces = SurfaceSource(self.knobs, self.playback, self.insight, self.selection)
        self.analyses = RunAnalyses(self.jobs, self.knobs, self.playback, self.selection,
                                    self.insight)
        self.sharpness = self.analyses.sharpness
        self.range_test = self.analyses.range_test
        self.framed: Event[Frame] = Event("model.framed")  # draw the run now
        self.error: Event[str] = Event("model.error")  # worth a message box
        self.frame_requested: Event[None] = Event("model.frame_requested")
        self.started = False
        self._rerun: str | None = None  # "full" or "scrub": a re-run waits for the frame
        self._replaced = False
        self._added = 0
        self._moved = False  # the run moved since it last settled
        self.rest = KnobRest()
        self._follow_waiting = False  # a slice and λmax wait for the knobs to rest
        self._yielding = False  # this frame skips catching up (see frame)
        # a knob moved the gauge: it follows in the frame, once, with the new run
        self._gauge_due = False
        self._torch_device: str | None = None  # torch was restored: load it after start
        self._play_at_start = True  # a session opened before the start shows its whole run
        # at start the presets are asked for in the first frame that follows another one
        # (dt > 0): starting the worker process takes ~30 ms, better spent once the first
        # run is on screen
        self._presets_waiting = False
        connect_named(self, self, "knobs", "playback", "insight", "compare", "selection",
                      "rest")
        self.insight.message.connect(self.show_message)
        self.backend.message.connect(self.show_message)
        self.backend.error.connect(self.error.emit)
        self.compare.failed.connect(self.error.emit)

    # ------------------------------------------------------------------ reading
    status = passed_on("status_model", "text", "The sentence at the bottom of the window.")
    status_changed = passed_on("status_model", "changed")
    verdict = passed_on("status_model", "verdict")
    torch_ready = passed_on("backend", "torch_ready")
    trainer = passed_on("playback", "trainer")
    table = passed_on("playback", "table")
    playing = passed_on("playback", "playing")

    @property
    def rerun_pending(self) -> bool:
        return self._rerun is not None

    def wants_frames(self) -> bool:
        """A re-run waits, the run plays or catches up: keep the frames coming."""
        return self.started and (self._rerun is not None or self.playback.wants_frames
                                 or self._presets_waiting or self.rest.waiting)

    def idle(self) -> bool:
        """Nothing moves and nothing waits (tests and benchmarks wait for this)."""
        return self.started and not self.wants_frames()

    # ------------------------------------------------------------------ lifecycle
    def start(self, *, play: bool = True) -> None:
        """Build the first run and its analysis; ``play``: play it, so something moves."""
        if self.started:
            return
        self.started = True
        self._load_analysis(presets=False)
        self._presets_waiting = True
        if play and self._play_at_start:
            self.status_model.intro = True
            if self.playback.build(self.knobs.problem, self.knobs.config, 1):
                self.playback.play()
        else:
            self._rerun = "full"
        if self._torch_device is not None:
            device, self._torch_device = self._torch_device, None
            self.backend.load_torch(device)
        self._update_status()  # true of the run from now, before any frame has played
        self._request_frame()

    def shutdown(self) -> None:
        self.playback.pause()
        self.jobs.shutdown()

    def restore(self, knobs: dict[str, Any]) -> bool:
        """Apply saved knobs (before start); anything invalid leaves the defaults."""
        if not knobs:
            return False
        try:
            restored = parse_knobs(knobs)
        except Exception as exc:  # a stale settings file must never stop the program
            log.warning("ignoring saved knobs: %s", exc)
            return False
        self.knobs.restore(restored)
        self._torch_device = restored.torch_device
        return True

    def install(self, restored: Restored, pinned: list[tuple[str, Any]] | None = None,
                note: str = "") -> None:
        """A whole validated set-up (a session file): problem, knobs and pinned runs,
        and its whole run (not played step by step)."""
        self._play_at_start = False
        self.knobs.restore(restored)
        self.compare.set_pinned(list(pinned or []))
        if restored.torch_device is not None:
            try:
                self.request_backend("torch", restored.torch_device)
            except ConfigError as exc:
                note += f" {exc}"
        if note:
            self.show_message(note.strip())

    # ------------------------------------------------------------------ the frame
    def frame(self, dt: float = 0.0) -> Frame:
        """One frame: a waiting re-run, then catch-up or play; the views draw after it."""
        if self.started and self._rerun is not None:
            self._do_rerun()
            self._yielding = self.rest.dragging and not (self.playback.playing
                                                          or self.playback.caught_up)
        elif self.started:
            if self._yielding:
                # the frame after a knob's re-run leaves its turn to the input: a drag's
                # next move is likely on its way, and catching up on the run it will
                # replace would make it wait a frame and a repaint
                self._yielding = False
            else:
                self.playback.frame(dt, self.knobs.speed)
            self.analyses.tick(dt)
        if self.started and not self.playback.wants_frames and self._moved:
            self._settled()
        if self._gauge_due:
            self.analyses.update_gauge()
        self._gauge_due = False
        self.rest.tick(dt)
        frame = Frame(self._replaced, self._added)
        self._replaced, self._added = False, 0
        self._update_status()
        self.framed.emit(frame)
        if self._presets_waiting and dt > 0:
            self._presets_waiting = False
            k = self.knobs
            self.insight.request_presets(k.problem, k.config, k.start)
        return frame

    def settle(self, max_frames: int = 100_000) -> None:
        """Frames (and queued jobs) until nothing moves: for tests and scripts."""
        drain = getattr(self.jobs, "drain", None)
        for _ in range(max_frames):
            if drain is not None:
                drain()
            if not self.wants_frames():
                break
            self.frame(1 / 60)
        if drain is not None:
            drain()
        self.frame(0.0)

    def _request_frame(self) -> None:
        self.frame_requested.emit(None)

    def _do_rerun(self) -> None:
        kind, self._rerun = self._rerun, None
        t = self.playback.trainer
        rows = self.knobs.steps + 1
        if kind == "scrub" and t is not None and not t.finished:
            rows = max(len(t.table), self.playback.target)  # paused mid-run: same step count
        budget = DRAG_RERUN_BUDGET_S if self.rest.dragging else RERUN_BUDGET_S
        self.playback.build(self.knobs.problem, self.knobs.config, rows, budget)

    def _settled(self) -> None:
        """The run stopped moving: a step beyond it is let go; a slice follows the run."""
        self._moved = False
        self.selection.fit(self.playback.rows)
        # a drag replaces the run every frame: what the background works out for a
        # settled run (a slice through its end, its λmax) waits for the knobs to rest,
        # or each answer would land in, and lengthen, a frame of the drag
        self._follow_waiting = not self.rest.resting
        if not self._follow_waiting:
            self._follow()
        self._gauge_due = True

    def _on_rest_rested(self, _none: None) -> None:
        if self._follow_waiting and not self._moved:
            self._follow()

    def _follow(self) -> None:
        self._follow_waiting = False
        self.surfaces.settled()
        self.analyses.request_sharpness()

    def select_step(self, step: int) -> None:
        self.selection.select(step, self.playback.rows)

    def check_gradient(self) -> None:
        """Check the gradient at the selected step, else at the newest row, else the start."""
        n = self.playback.drawable_rows()
        step = self.selection.step if 0 <= self.selection.step < n else n - 1
        t, k = self.playback.trainer, self.knobs
        if step < 0 or t is None:
            self.gradcheck.request(k.problem, k.start, None)
            return
        row = t.table.row(step)
        self.gradcheck.request(t.problem, tuple(row[p] for p in t.problem.param_names), step)

    def request_backend(self, backend: str, device: str = "auto") -> None:
        """Switch the backend; torch is imported in the background first (2-3 s)."""
        self.backend.request(backend, device)

    def show_message(self, text: str) -> None:
        """Say something about the last action (saved, exported, copied) before the run's
        own sentence; the next action or knob replaces it."""
        self.status_model.note = text
        self._update_status()

    def knobs_dict(self) -> dict[str, Any]:
        return self.knobs.to_dict()

    # ------------------------------------------------------------------ slots
    def _action(self) -> None:
        self.status_model.note = ""
        self.status_model.intro = False

    def _on_knobs_changed(self, change: KnobsChange) -> None:
        k = self.knobs
        self.status_model.note = ""
        if change.fields != {"speed"}:
            self.status_model.intro = False
        if change.new_problem:
            self._new_problem()
            return
        if change.changes_run:
            self.compare.drop_compared()
            self.rest.moved()
        if change.fields & {"axes", "plane"}:
            self.surfaces.refresh(sync=True)
        if change.fields & {"lr", "optimizer", "start"}:
            # in the frame, not now: drawn in the same pass as the new run, not in one
            # more repaint of the strip before it
            self._gauge_due = True
            self._request_frame()
        if change.fields & {"optimizer", "start"} and self.started:
            self.insight.request_presets(k.problem, k.config, k.start)
        if "start" in change and self.started:
            self.surfaces.widen(k.start)
        if not change.changes_run:
            self._update_status()
            return
        t = self.playback.trainer
        live = self.playback.playing and t is not None and not t.finished
        if live and change.fields == {"lr"}:
            self.playback.set_lr_live(k.lr)  # the updates still to come use it
        elif live and change.fields == {"steps"}:
            self.playback.set_steps_live(k.steps)
        else:
            full = self._rerun == "full" or k.preset is not None
            self._rerun = "full" if full else "scrub"
        self._update_status()
        self._request_frame()

    def _new_problem(self) -> None:
        self.playback.pause()
        self.compare.forget()
        self.selection.clear()
        self.gradcheck.clear()
        self.insight.forget()
        self.analyses.forget()
        self.surfaces.new_problem()
        self.playback.clear()
        if self.started:
            self._load_analysis()
            self._rerun = "full"
            self._request_frame()
        else:
            self.analyses.update_gauge()
        self._update_status()

    def _load_analysis(self, presets: bool = True) -> None:
        k = self.knobs
        self.surfaces.refresh(sync=True)
        self.analyses.update_gauge()
        if presets:
            self._presets_waiting = False
            self.insight.request_presets(k.problem, k.config, k.start)

    def _on_playback_replaced(self, trainer: Any) -> None:
        self._replaced = True
        self._moved = True
        self.gradcheck.clear()  # its step belonged to the run that was replaced
        if trainer is not None and self.selection.step >= self.playback.target:
            self.selection.clear()  # the new run will not reach the selected step

    def _on_playback_rows_added(self, added: int) -> None:
        self._added += added
        self._moved = True

    def _on_playback_playing_changed(self, playing: bool) -> None:
        self._moved = True
        self._update_status()
        self._request_frame()

    def _on_playback_failed(self, message: str) -> None:
        self.status_model.note = message
        self._update_status()
        self.error.emit(message)

    def _on_compare_changed(self, _none: None) -> None:
        if self.status_model.note == "Running the three presets…" and self.compare.compared:
            self.show_message("")

    def _on_insight_presets_changed(self, report: Any) -> None:
        if report is not None:
            self.analyses.update_gauge()

    def _on_selection_changed(self, _step: int) -> None:
        self.surfaces.selected()
        if self.analyses.follows():
            self.analyses.request_sharpness()
            self.analyses.update_gauge()

    # ------------------------------------------------------------------ the sentence
    def _update_status(self) -> None:
        self.status_model.update(self.playback, self.started)
