"""Planes through parameter space, for drawing the loss of many parameters in 2-D.

A slice is the loss on ``θ = c + α·d₁ + β·d₂`` over a grid of (α, β), for a
centre ``c`` and two directions chosen three ways:

``axes``
    two named parameters: d₁, d₂ are unit vectors, α, β the parameters' own
    values minus the centre's (what two-parameter problems always show).
``random``
    two random Gaussian directions, *filter-normalised* (Li et al., 2018,
    "Visualizing the Loss Landscape of Neural Nets"): each filter of the
    direction (for a network, the weights into one unit) is scaled to the norm
    of the same filter of θ, so the slice's scale follows the weights' own and
    two networks' slices can be compared; bias entries are set to zero, as in
    the paper. A problem without filters counts as one filter.
``pca``
    the top two principal directions of the path so far (its points minus
    their mean), with the share of the path's variance each explains; the path
    then lies close to the plane, so its projection is faithful.

Points are projected onto the plane by least squares (exact when the two
directions are orthogonal, as for ``axes`` and ``pca``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.errors import ConfigError

if TYPE_CHECKING:
    from core._types import FloatArray

KINDS = ("axes", "random", "pca")


@dataclass(frozen=True)
class Plane:
    """A centre and two directions; ``explained`` is the PCA variance share (else None)."""

    kind: str
    center: FloatArray
    d1: FloatArray
    d2: FloatArray
    labels: tuple[str, str]
    explained: tuple[float, float] | None = None

    def points(self, alpha: FloatArray, beta: FloatArray) -> FloatArray:
        """θ at the coordinates (α, β), broadcast: shape ``alpha.shape + (P,)``."""
        a = np.asarray(alpha, dtype=np.float64)[..., None]
        b = np.asarray(beta, dtype=np.float64)[..., None]
        return self.center + a * self.d1 + b * self.d2

    def project(self, theta: FloatArray) -> FloatArray:
        """Coordinates (α, β) of points ``theta`` (..., P) on the plane: (..., 2)."""
        basis = np.stack([self.d1, self.d2], axis=1)  # (P, 2)
        offsets = np.asarray(theta, dtype=np.float64) - self.center
        flat = offsets.reshape(-1, offsets.shape[-1])
        coords, *_ = np.linalg.lstsq(basis, flat.T, rcond=None)
        return coords.T.reshape(*offsets.shape[:-1], 2)


def axes_plane(center: FloatArray, names: Sequence[str], i: int, j: int) -> Plane:
    """The plane of parameters ``i`` and ``j`` through ``center``."""
    n = len(center)
    if not (0 <= i < n and 0 <= j < n) or i == j:
        raise ConfigError(f"choose two different parameters out of {n}, got {i} and {j}")
    d1, d2 = np.zeros(n), np.zeros(n)
    d1[i] = d2[j] = 1.0
    return Plane("axes", np.asarray(center, dtype=np.float64), d1, d2, (names[i], names[j]))


def random_plane(center: FloatArray, filters: Sequence[FloatArray] | None = None,
                 seed: int = 0) -> Plane:
    """Two filter-normalised random directions through ``center``.

    ``filters`` lists index arrays, one per filter (a network's units); the
    entries in none of them (biases) get zero. None: the whole vector is one filter.
    """
    c = np.asarray(center, dtype=np.float64)
    groups = [np.arange(c.size)] if filters is None else [np.asarray(f) for f in filters]
    rng = np.random.default_rng(seed)
    dirs = []
    for _ in range(2):
        raw = rng.normal(size=c.size)
        d = np.zeros(c.size)
        for idx in groups:
            norm = float(np.linalg.norm(raw[idx]))
            if norm > 0:
                d[idx] = raw[idx] / norm * float(np.linalg.norm(c[idx]))
        if not np.any(d):  # θ is zero on every filter: fall back to unit scale
            d = raw / np.linalg.norm(raw)
        dirs.append(d)
    return Plane("random", c, dirs[0], dirs[1], ("random direction 1", "random direction 2"))


def pca_plane(path: FloatArray, center: FloatArray) -> Plane:
    """The top two principal directions of the points of ``path`` (rows, P)."""
    pts = np.asarray(path, dtype=np.float64)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    if pts.shape[0] < 3:
        raise ConfigError("the principal directions need a path of at least 3 steps")
    centred = pts - pts.mean(axis=0)
    # the eigenvectors of the P x P scatter matrix: a few times cheaper than the SVD of
    # the rows x P path, and the top two directions are all that is drawn
    scatter = centred.T @ centred
    values, vectors = np.linalg.eigh(scatter)
    total = float(np.trace(scatter))
    if total == 0.0 or values.size < 2:
        raise ConfigError("the path has not moved: its principal directions are not defined")
    share = np.clip(values[::-1], 0.0, None) / total
    d1, d2 = vectors[:, -1], vectors[:, -2]
    # a sign that points the first direction along the path's progress
    if float((pts[-1] - pts[0]) @ d1) < 0:
        d1 = -d1
    return Plane("pca", np.asarray(center, dtype=np.float64), d1, d2,
                 ("principal direction 1", "principal direction 2"),
                 (float(share[0]), float(share[1])))
