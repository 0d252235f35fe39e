"""`PictureBinder`: feeds the data view, the 3-D view and the arrows from the window model.

Like `RunRenderer` for the other plots, it answers the model's ``framed``
event, the selection and the knobs, and draws the step shown: the row
selected in the step table, else the newest drawable row. Every number
comes from core: predictions from `Problem.predict`, the fit in the data's
own units from `core.problems.units`, the arrows from `core.run.vectors`
(the step inspector's numbers). A view that is hidden (its tab not in
front, the arrows switched off) costs nothing: it is marked stale and drawn
when it shows again. Predictions are cached per run and row, so a frame
that shows the same row again recomputes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from core.numfmt import format_compact
from core.problems.units import fit_sentence, units_note
from core.run.vectors import step_vectors
from desktop.model.events import connect_named

if TYPE_CHECKING:
    from desktop.model import Frame, WindowModel
    from desktop.plot_area import PlotArea
    from desktop.views.data_view import DataScene

GRID = 96  # the two-input model's output is shaded on a GRID × GRID grid
CURVE_POINTS = 240  # the one-input model's curve
# the seed problems' inputs and targets, in their articles' words
AXIS_NAMES: dict[str, tuple[str, str]] = {
    "line-one-point": ("x", "y"),
    "single-weight": ("x (input)", "target"),
    "house-prices": ("size (1000 sq ft)", "price (1000 $)"),
    "and-gate": ("x₁", "x₂"),
    "glasses-vs-ring": ("price", "weight"),
}
NO_DATA = "This problem is a function of its parameters only: it has no data to show."
ONE_PARAMETER = "A one-parameter problem has no surface to show in 3-D: see the Surface tab."


def _number(v: float) -> str:
    return format_compact(float(v), 4).replace("-", "−")


def _span(lo: float, hi: float, pad: float) -> tuple[float, float]:
    width = hi - lo
    if not width > 0:
        width = max(abs(lo), 1.0)
        return lo - width, hi + width
    return lo - pad * width, hi + pad * width


def _with_zero(lo: float, hi: float) -> tuple[float, float]:
    """Include 0 when it is within one span of the data (the intercept reads off the plot)."""
    width = hi - lo
    if lo > 0 and (width == 0 or lo <= width * 1.5):
        return 0.0, hi
    if hi < 0 and (width == 0 or -hi <= width * 1.5):
        return lo, 0.0
    return lo, hi


def scene_for(problem: Any) -> DataScene | None:
    """What the data view shows of ``problem`` (None: it has no data).

    A classifier on two inputs is drawn in their plane; any other model on
    several inputs (a regression on two or more, a classifier on three or more)
    as a slice along its first input, the others held at their means.
    """
    if problem.data is None or problem.output_kind is None:
        return None
    from desktop.views.data_view import DataScene  # with the data tab, after the first paint

    x = problem.original_inputs()
    y = np.asarray(problem.data.y, dtype=np.float64)
    kind = problem.output_kind
    names = AXIS_NAMES.get(problem.name)
    inputs = _input_names(problem)
    if names is None:
        opts = problem.options
        names = (inputs[0] if x.shape[1] > 1 else str(opts.get("x_column") or "x"),
                 str(opts.get("y_column") or "y"))
    if x.shape[1] == 2 and not _sliced(problem):
        if problem.name == "data":
            names = (inputs[0], inputs[1])
        window = (_span(*_range(x[:, 0]), 0.25), _span(*_range(x[:, 1]), 0.25))
        return DataScene(x, y, kind, names, window)
    x = x[:, :1]  # one input, or the slice along the first of several
    xr = _span(*_with_zero(*_range(x[:, 0])), 0.08)
    yr = (-0.1, 1.1) if kind == "probability" else _span(*_with_zero(*_range(y)), 0.12)
    return DataScene(x, y, kind, names, (xr, yr))


def _sliced(problem: Any) -> bool:
    """Whether the data view shows a slice along the first of several inputs: every
    model on several inputs but a two-input classifier (and the seeds' neurons),
    which are drawn in the plane of their inputs."""
    d = problem.data.x.shape[1]
    plane = d == 2 and (problem.output_kind == "probability" or problem.name != "data")
    return d > 1 and not plane


def _input_names(problem: Any) -> tuple[str, ...]:
    """A data problem's input columns by name (x1, x2, ... where it has none)."""
    names = problem.options.get("x_columns")
    if names:
        return tuple(str(n) for n in names)
    return tuple(f"x{j + 1}" for j in range(problem.data.x.shape[1]))


def slice_inputs(problem: Any, xs: np.ndarray) -> np.ndarray:
    """Points ``(m, d)`` along the first input at ``xs``, the other inputs at their means
    (one input: ``xs`` as it is)."""
    d = problem.data.x.shape[1]
    if d == 1:
        return xs
    points = np.repeat(problem.input_means()[None, :], xs.size, axis=0)
    points[:, 0] = xs
    return points


def _range(v: np.ndarray) -> tuple[float, float]:
    return float(np.min(v)), float(np.max(v))


def grid_points(scene: DataScene) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The GRID × GRID grid over a two-input scene's window: xs, ys and the (x₁, x₂) rows."""
    gx = np.linspace(*scene.window[0], GRID)
    gy = np.linspace(*scene.window[1], GRID)
    xx, yy = np.meshgrid(gx, gy)
    return gx, gy, np.column_stack([xx.ravel(), yy.ravel()])


CAPTION_PARAMS = 4  # parameters the caption names one by one


def caption(problem: Any, theta: np.ndarray, k: int, batched: int, which: str) -> str:
    """The data view's line: the step, its parameters, and the fit in the data's own units."""
    if len(theta) > CAPTION_PARAMS:  # a network's hundred weights would not fit a line
        params = f"{len(theta)} weights and biases (the step table has each)"
    else:
        params = ", ".join(f"{n} = {_number(v)}"
                           for n, v in zip(problem.param_names, theta, strict=True))
    lines = [f"Step {k}{f' ({which})' if which else ''}: {params}"]
    if batched:
        what = "the example" if batched == 1 else f"the {batched} examples"
        lines.append(f"ringed: {what} update {k} uses")
    if problem.data is not None and _sliced(problem):
        lines.append(f"the line: {_input_names(problem)[0]} varies, the other inputs are "
                     "held at their means")
    note = units_note(problem, detail=False)
    if note is not None:
        lines += [note, fit_sentence(problem, theta)]
    return "\n".join(lines)


def draw_data_row(view: Any, problem: Any, table: Any, plan: Any, k: int, *,
                  which: str = "", grid: Any = None) -> None:
    """Draw row ``k`` of a run into a data view whose scene is set: the model's output,
    the batch of update ``k`` (``plan``: a `BatchPlan`, or None) and the caption."""
    scene = view.scene_data
    theta = np.array([table[n][k] for n in problem.param_names], dtype=np.float64)
    if scene.inputs == 1:
        xs = np.linspace(*scene.window[0], CURVE_POINTS)
        view.set_curve(xs, problem.predict(theta, slice_inputs(problem, xs)))
    else:
        gx, gy, points = grid if grid is not None else grid_points(scene)
        view.set_field(gx, gy, problem.predict(theta, points).reshape(GRID, GRID))
    batch = np.arange(plan.n)[plan.indices(k)] if plan is not None and plan.uses_batches \
        else None
    view.set_batch(batch)
    view.set_caption(caption(problem, theta, k, 0 if batch is None else len(batch), which))


class PictureBinder:
    """The data view, the 3-D view and the arrows, bound to the model."""

    def __init__(self, model: WindowModel, plots: PlotArea) -> None:
        self.m = model
        self.v = plots
        self.arrows_on = True
        self.draws = {"data": 0, "surface3d": 0, "arrows": 0}  # tests count the work done
        self._shown: dict[str, Any] = {}  # what each view last drew: (run, row) keys
        self._surface_for: Any = None  # the surface the 3-D view holds
        self._grid: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        connect_named(self, model, "model", "selection", "knobs", "insight")
        plots.on_tab_shown(self._on_plots_tab_shown)
        plots.on_built("data", self._on_view_built)
        plots.on_built("surface3d", self._on_view_built)
        self._problem_tabs()

    # ------------------------------------------------------------ state
    def row(self) -> int | None:
        """The row shown: the one selected in the table, else the newest drawable row."""
        n = self.m.playback.drawable_rows()
        if n == 0:
            return None
        k = self.m.selection.step
        return k if 0 <= k < n else n - 1

    def set_arrows(self, on: bool) -> None:
        """Show the arrows on the contour (and the 1-D view) or not."""
        self.arrows_on = bool(on)
        if not self.v.built:
            return
        if not on:
            for name in ("contour", "line"):
                if self.v.has(name):
                    getattr(self.v, name).arrows.set_arrows(None, {})
            self._shown.pop("arrows", None)
        self.refresh()

    def refresh(self) -> None:
        """Draw what is visible for the step shown (nothing that is hidden)."""
        if not self.v.built or self.m.trainer is None:
            return
        tab = self.v.tab_shown()
        if tab == "data" and self.v.has("data"):
            self._draw_data()
        if tab == "surface3d" and self.v.has("surface3d"):
            self._draw_3d()
        if tab == "surface" and self.arrows_on:
            self._draw_arrows()

    # ------------------------------------------------------------ slots
    def _on_model_framed(self, frame: Frame) -> None:
        if frame.replaced or frame.added:
            self.refresh()

    def _on_selection_changed(self, _step: int) -> None:
        self.refresh()

    def _on_knobs_changed(self, change: Any) -> None:
        if change.new_problem:
            self._shown.clear()
            self._surface_for = None
            self._grid = None
            self._problem_tabs()
            if self.v.has("data"):
                self.v.data.set_scene(scene_for(self.m.knobs.problem))
        elif "axes" in change or "plane" in change:
            self._shown.pop("arrows", None)
            self._shown.pop("surface3d", None)

    def _on_insight_surface_changed(self, _surface: Any) -> None:
        self._surface_for = None
        self._shown.pop("surface3d", None)
        if self.v.built and self.v.tab_shown() == "surface3d":
            self.refresh()

    def _on_plots_tab_shown(self, _key: str) -> None:
        self.refresh()

    def _on_view_built(self, view: Any) -> None:
        if hasattr(view, "set_scene"):
            view.set_scene(scene_for(self.m.knobs.problem))
        self.refresh()

    def _problem_tabs(self) -> None:
        problem = self.m.knobs.problem
        has_data = problem.data is not None and problem.output_kind is not None
        self.v.set_tab_enabled("data", has_data, NO_DATA)
        self.v.set_tab_enabled("surface3d", problem.n_params >= 2, ONE_PARAMETER)

    # ------------------------------------------------------------ the data view
    def _draw_data(self) -> None:
        view = self.v.data
        k = self.row()
        trainer = self.m.trainer
        if view.scene_data is None or k is None:
            return
        key = (trainer, k)
        if self._shown.get("data") == key:
            return
        self._shown["data"] = key
        self.draws["data"] += 1
        if view.scene_data.inputs == 2 and self._grid is None:
            self._grid = grid_points(view.scene_data)
        which = "selected" if self.m.selection.step >= 0 else "newest"
        draw_data_row(view, trainer.problem, trainer.table, trainer.plan, k, which=which,
                      grid=self._grid)

    # ------------------------------------------------------------ 3-D
    def _draw_3d(self) -> None:
        view = self.v.surface3d
        surface = self.m.insight.surface
        if not view.available or surface is None or surface.ys is None:
            return
        if self._surface_for is not surface:
            floor = self.m.knobs.problem.min_loss
            view.set_surface(surface.xs, surface.ys, surface.Z, surface.param_names,
                             floor if floor is not None and surface.Z.size else None)
            self._surface_for = surface
        n = self.m.playback.drawable_rows()
        k = self.row()
        key = (self.m.trainer, n, k, self.m.surfaces.view_key())
        if self._shown.get("surface3d") == key:
            return
        self._shown["surface3d"] = key
        self.draws["surface3d"] += 1
        x, y = self.m.surfaces.path_xy(n)
        view.set_path(x, y, self.m.table["loss"][:n], k)

    # ------------------------------------------------------------ arrows
    def _draw_arrows(self) -> None:
        one_d = self.m.knobs.problem.n_params == 1
        view = self.v.path_view(one_d)
        k = self.row()
        trainer = self.m.trainer
        key = (trainer, k, len(trainer.table), self.m.surfaces.view_key(), one_d)
        if k is None or self._shown.get("arrows") == key:
            return
        self._shown["arrows"] = key
        self.draws["arrows"] += 1
        v = step_vectors(trainer, k)
        update = None if v.plain else v.update
        if one_d:
            origin = (float(v.point[0]), float(trainer.table["loss"][k]))
            vectors = {"gradient": np.array([-v.gradient[0], 0.0]),
                       "update": None if update is None else np.array([update[0], 0.0])}
        else:
            origin, vectors = self.m.surfaces.point_and_vectors(
                np.asarray(v.point), {"gradient": -np.asarray(v.gradient), "update": update})
        view.arrows.set_arrows(origin, vectors)
