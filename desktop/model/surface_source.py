"""`SurfaceSource`: which surface the contour shows, and the run's path in its coordinates.

No Qt. A problem of one or two parameters is drawn over its parameters. A
problem of more than two is drawn on a plane (`desktop.model.slicing`): two
of its parameters through a centre row (the others held there), or two
directions (random, principal) through it. The centre is the start, the
current step (the row selected in the table, else the newest) or the end of
the run so far. The views ask here for the path's 2-D coordinates and for
vectors (the arrows) in the same coordinates, so the contour, the path, the
arrows and the 3-D view always agree on the plane shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from desktop.model import analysis, slicing

if TYPE_CHECKING:
    from desktop.model.insight import InsightModel
    from desktop.model.knobs import KnobsModel
    from desktop.model.playback import PlaybackModel
    from desktop.model.selection import SelectionModel


class SurfaceSource:
    """Asks ``insight`` for the surface the knobs choose; maps rows onto it."""

    def __init__(self, knobs: KnobsModel, playback: PlaybackModel, insight: InsightModel,
                 selection: SelectionModel) -> None:
        self.knobs = knobs
        self.playback = playback
        self.insight = insight
        self.selection = selection
        self.projection = slicing.PathProjection()
        self._path: list[list[float]] | None = None  # extra points the window must show

    # ------------------------------------------------------------------ reading
    @property
    def plane(self) -> Any:
        """The plane of the surface shown when it runs along directions (else None)."""
        s = self.insight.surface
        return None if s is None else s.plane

    def uses_directions(self) -> bool:
        return slicing.uses_directions(self.knobs.problem, self.knobs.plane)

    def centre_row(self) -> int:
        """The row the plane passes through (-1: no run yet, the start in force)."""
        n = self.playback.drawable_rows()
        if n == 0:
            return -1
        centre = self.knobs.plane.centre
        if centre == "start":
            return 0
        k = self.selection.step
        if centre == "current" and 0 <= k < n:
            return k
        return n - 1

    def through(self) -> tuple[float, ...] | None:
        """The point a slice over two named parameters passes through."""
        k = self.knobs
        if k.problem.n_params <= 2:
            return None
        row = self.centre_row()
        if row < 0:
            return k.start
        values = self.playback.table.row(row)
        return tuple(values[name] for name in k.problem.param_names)

    def path_xy(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The first ``n`` rows of the run on screen in the surface's coordinates."""
        t = self.playback.trainer
        plane = self.plane
        if plane is not None:
            return self.projection.coords(t, plane, n)
        return self.table_xy(self.playback.table, t.problem.param_names, n)

    def table_xy(self, table: Any, names: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The first ``n`` rows of any run's ``table`` in the surface's coordinates."""
        plane = self.plane
        if plane is not None:
            xy = plane.project(slicing.param_rows(table, tuple(names), slice(0, n)))
            return xy[:, 0], xy[:, 1]
        i, j = self.knobs.axes
        return table[names[i]][:n], table[names[j]][:n]

    def point_and_vectors(self, point: np.ndarray, vectors: dict[str, Any]
                          ) -> tuple[tuple[float, float], dict[str, Any]]:
        """A point and displacement vectors (the arrows) in the surface's coordinates."""
        plane = self.plane
        if plane is None:
            i, j = self.knobs.axes
            return ((float(point[i]), float(point[j])),
                    {key: None if v is None else np.asarray(v)[[i, j]]
                     for key, v in vectors.items()})
        origin = plane.project(np.asarray(point, dtype=np.float64))
        out = {key: None if v is None else plane.project(point + np.asarray(v)) - origin
               for key, v in vectors.items()}
        return (float(origin[0]), float(origin[1])), out

    def view_key(self) -> tuple[Any, ...]:
        """Changes whenever the coordinates of the surface shown change."""
        return (self.knobs.axes, id(self.plane))

    # ------------------------------------------------------------------ asking
    def refresh(self, *, sync: bool) -> None:
        """The surface for the knobs in force: at once, or in the background."""
        k = self.knobs
        if self.uses_directions():
            spec = slicing.slice_spec(k.problem, k.plane, self.playback.table,
                                      self.playback.drawable_rows(), self.centre_row())
            self.insight.refresh_slice(k.problem, spec, sync=sync)
            return
        self.insight.refresh_surface(k.problem, k.axes, self.through(), self._path, sync=sync)

    def new_problem(self) -> None:
        self._path = None
        self.projection = slicing.PathProjection()

    def widen(self, start: tuple[float, ...]) -> None:
        """A start outside the window shown: a window that shows it."""
        s = self.insight.surface
        if s is not None and s.plane is None and not analysis.inside(s, start):
            self._path = [list(start)]
            self.refresh(sync=True)

    def settled(self) -> None:
        """The run stopped moving: a slice follows it."""
        if self.knobs.problem.n_params > 2:
            self.refresh(sync=False)

    def selected(self) -> None:
        """A row was selected: a plane through the current step moves with it."""
        if self.knobs.problem.n_params > 2 and self.knobs.plane.centre == "current":
            self.refresh(sync=False)
