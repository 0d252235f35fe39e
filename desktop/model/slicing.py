"""The plane a problem of many parameters is drawn on, and its path projected onto it.

A problem with more than two parameters is drawn as the loss on a plane
through a centre (the start, the current step or the end of the run)
spanned by two directions, chosen by the user (`PlaneChoice`): two named
parameters (what the window always did), two filter-normalised random
directions, or the top two principal directions of the path so far. A
network starts on its principal directions, the seed neurons on two named
parameters.

The plane is built with the surface, in the background (`compute_slice`:
core's `random_plane` / `pca_plane` and `surface(directions=...)`), from a
copy of the rows it needs (`SliceSpec`, made on the GUI thread). The run's
path is drawn in the plane's coordinates; `PathProjection` projects only the
rows that are new since the last frame, so a frame costs O(new rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

import core
from core import ConfigError

if TYPE_CHECKING:
    from core import Plane, Problem

KINDS = ("axes", "random", "pca")
KIND_WORDS = {"axes": "two parameters", "random": "random directions",
              "pca": "principal directions"}
CENTRES = ("start", "current", "end")
CENTRE_WORDS = {"start": "start", "current": "current step", "end": "end"}
# more parameters than this: a network (or a wide regression), drawn on its principal
# directions, its start not typed, its step table led by the loss
MANY_PARAMS = 8
# the principal directions are read from at most this many rows of the path (evenly
# spaced, the first and the last included): the variance of a long path is the
# variance of these rows, and a million rows of a hundred weights stay where they are
PCA_ROWS = 4096
MIN_PCA_ROWS = 3  # fewer rows have no two principal directions: random ones stand in
GRID_MANY = 64  # samples per axis of a slice along directions: ~65 ms for a network
# a slice shows at least this share of its wider axis along the narrower one
MIN_ASPECT = 0.25
MARGIN = 0.12
PROJECT_CHUNK = 65_536  # rows projected per call when a whole long path is projected


@dataclass(frozen=True)
class PlaneChoice:
    """What the user chose: the kind of plane, its centre, the random directions' seed."""

    kind: str = "axes"
    centre: str = "end"
    seed: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(f"plane must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.centre not in CENTRES:
            raise ConfigError(f"centre must be one of {', '.join(CENTRES)}, "
                              f"got {self.centre!r}")
        if not isinstance(self.seed, int) or isinstance(self.seed, bool) or \
                not 0 <= self.seed < 2**31:
            raise ConfigError(f"seed must be a whole number from 0 to {2**31 - 1}, "
                              f"got {self.seed!r}")


def many_params(problem: Problem) -> bool:
    return problem.n_params > MANY_PARAMS


def default_plane(problem: Problem) -> PlaneChoice:
    """A network's principal directions through the end of its run; else two parameters."""
    return PlaneChoice("pca" if many_params(problem) else "axes", "end", 0)


def uses_directions(problem: Problem, choice: PlaneChoice) -> bool:
    """Whether the contour shows a plane along directions (not two named parameters)."""
    return problem.n_params > 2 and choice.kind != "axes"


def sample_rows(n: int, limit: int) -> np.ndarray:
    """At most ``limit`` row indices of ``n``, evenly spaced, the first and the last kept."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.int64))


def param_rows(table: Any, names: tuple[str, ...], rows: Any) -> np.ndarray:
    """The parameters of ``rows`` (a slice or index array) of a step table: (m, P)."""
    every = table.columns_view()  # one read for a network's 105 columns
    at = [table.position(name) for name in names]
    if isinstance(rows, slice):
        return np.ascontiguousarray(every[at, rows].T)
    return np.ascontiguousarray(every[np.ix_(at, np.atleast_1d(rows))].T)


@dataclass(frozen=True)
class SliceSpec:
    """What the background job needs to build the plane and its surface (copies only)."""

    choice: PlaneChoice
    centre: np.ndarray  # θ of the centre row
    centre_step: int
    path: np.ndarray  # rows of the path so far (sampled), (m, P)
    path_steps: np.ndarray  # their step numbers
    filters: Any = None  # a network's units (for filter-normalised directions)


def slice_spec(problem: Problem, choice: PlaneChoice, table: Any, rows: int,
               centre_row: int) -> SliceSpec:
    """The spec for the first ``rows`` drawable rows of ``table`` (None: no run yet)."""
    names = tuple(problem.param_names)
    if table is None or rows <= 0:
        start = np.asarray(problem.start, dtype=np.float64)
        return SliceSpec(choice, start, 0, start[None, :], np.zeros(1, dtype=np.int64),
                         _filters(problem))
    picked = sample_rows(rows, PCA_ROWS)
    centre_row = min(max(centre_row, 0), rows - 1)
    return SliceSpec(choice, param_rows(table, names, centre_row).reshape(-1), centre_row,
                     param_rows(table, names, picked), picked, _filters(problem))


def _filters(problem: Problem) -> Any:
    filters = getattr(problem, "filters", None)
    return filters() if callable(filters) else None


@dataclass(frozen=True)
class PlaneInfo:
    """The plane built, and what to say about it."""

    plane: Plane
    labels: tuple[str, str]  # the axis titles
    short: tuple[str, str]  # short names (the exit marker's words)
    caption: str  # one sentence on what the slice is
    fallback: str = ""  # why another kind stands in for the chosen one ("" if none)


def build_plane(spec: SliceSpec) -> PlaneInfo:
    """The plane of ``spec``: principal directions need 3 rows that moved, else random."""
    choice = spec.choice
    fallback = ""
    centre_words = f"step {spec.centre_step} ({CENTRE_WORDS[choice.centre]})"
    if choice.kind == "pca":
        finite = np.all(np.isfinite(spec.path), axis=1)
        try:
            plane = core.pca_plane(spec.path[finite], spec.centre)
        except ConfigError as exc:
            fallback = f"random directions stand in: {exc}"
        else:
            share = plane.explained or (0.0, 0.0)
            first, last = int(spec.path_steps[0]), int(spec.path_steps[-1])
            sampled = "" if len(spec.path) == last - first + 1 else \
                f", {len(spec.path)} of them evenly spaced"
            labels = (f"principal direction 1 ({share[0]:.0%} of the path's variance)",
                      f"principal direction 2 ({share[1]:.0%} of the path's variance)")
            caption = (f"The loss on the plane through {centre_words} along the top two "
                       f"principal directions of the path (steps {first}–{last}{sampled}): "
                       f"together {share[0] + share[1]:.0%} of its variance, so the path "
                       "drawn lies close to the plane.")
            return PlaneInfo(plane, labels, ("PC 1", "PC 2"), caption)
    plane = core.random_plane(spec.centre, spec.filters, choice.seed)
    norm = "filter-normalised" if spec.filters is not None else "scaled to the weights"
    labels = (f"random direction 1 ({norm}, seed {choice.seed})",
              f"random direction 2 ({norm}, seed {choice.seed})")
    caption = (f"The loss on the plane through {centre_words} along two random directions "
               f"({norm}, seed {choice.seed}): α = ±1 moves each unit's weights by their own "
               "size. The path is drawn projected; it mostly runs across these directions, "
               "so it looks short.")
    if fallback:
        caption = f"Principal directions need a path that moved: {caption}"
    return PlaneInfo(plane, labels, ("dir 1", "dir 2"), caption, fallback)


def plane_window(plane: Plane, spec: SliceSpec) -> tuple[tuple[float, float], ...]:
    """The (α, β) window: the projected path and the centre, padded; random directions
    also show ±1 (each unit's weights moved by their own size, as Li et al. plot)."""
    coords = plane.project(spec.path)
    coords = coords[np.all(np.isfinite(coords), axis=1)]
    pts = np.vstack([coords, np.zeros((1, 2))])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    if plane.kind == "random":
        lo, hi = np.minimum(lo, -1.0), np.maximum(hi, 1.0)
    span = hi - lo
    wide = float(span.max())
    if wide <= 0.0:
        wide = 0.1 * (1.0 + float(np.linalg.norm(spec.centre)))
    need = np.maximum(span, MIN_ASPECT * wide)
    mid = (lo + hi) / 2
    half = need / 2 * (1.0 + 2 * MARGIN)
    return ((float(mid[0] - half[0]), float(mid[0] + half[0])),
            (float(mid[1] - half[1]), float(mid[1] + half[1])))


class PathProjection:
    """The path's coordinates on the plane shown, projected only for rows new since the
    last call (a new run, a new plane or fewer rows start over)."""

    def __init__(self) -> None:
        self._trainer: Any = None
        self._plane: Any = None
        self._xy = np.empty((0, 2))
        self._n = 0
        self.projected = 0  # rows projected in all (tests count the work)

    def coords(self, trainer: Any, plane: Plane, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(α, β) of the first ``n`` rows of ``trainer``'s table on ``plane``."""
        if trainer is not self._trainer or plane is not self._plane or n < self._n:
            self._trainer, self._plane, self._n = trainer, plane, 0
        if n > self._n:
            if n > len(self._xy):
                grown = np.empty((max(n, 2 * len(self._xy), 1024), 2))
                grown[: self._n] = self._xy[: self._n]
                self._xy = grown
            names = tuple(trainer.problem.param_names)
            for a in range(self._n, n, PROJECT_CHUNK):
                b = min(n, a + PROJECT_CHUNK)
                self._xy[a:b] = plane.project(param_rows(trainer.table, names, slice(a, b)))
            self.projected += n - self._n
            self._n = n
        return self._xy[:n, 0], self._xy[:n, 1]
