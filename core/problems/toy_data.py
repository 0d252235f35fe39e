"""Two-dimensional classification sets, generated in code from a seed.

The four shapes of TensorFlow Playground, with its recipes (coordinates in
its units, −6..6, divided by 5 so the inputs sit near [−1.2, 1.2] where a
tanh unit is neither flat nor linear):

``circle``
    label 1 inside radius 2.5, label 0 on a ring from 3.5 to 5.
``xor``
    uniform points in the square, pushed 0.3 away from the axes; label 1
    where x·y ≥ 0 (first and third quadrants).
``gaussians``
    two Gaussian blobs at (2, 2) (label 1) and (−2, −2) (label 0) whose
    spread grows with the noise.
``spiral``
    two interleaved spiral arms, label 1 and label 0.

``noise`` (0 to 0.5, as the playground's 0-50 %) moves each point by a
uniform offset after its label is drawn for circle and xor (so noisy points
may cross the boundary, as in the playground), widens the blobs and jitters
the spiral arms. Every point comes from ``numpy.random.default_rng(seed)``,
so the same options always give the same set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.errors import ConfigError

if TYPE_CHECKING:
    from core._types import FloatArray

SHAPES = ("circle", "xor", "gaussians", "spiral")
SCALE = 5.0  # playground units per input unit
MAX_POINTS = 100_000
MAX_NOISE = 0.5


@dataclass(frozen=True)
class Split:
    """Inputs ``x`` (n, 2) and labels ``y`` (n,) of the training and validation points."""

    x_train: FloatArray
    y_train: FloatArray
    x_val: FloatArray
    y_val: FloatArray


def _circle(rng: np.random.Generator, n: int, noise: float) -> tuple[FloatArray, FloatArray]:
    radius = 5.0
    half = n // 2
    r = np.concatenate([rng.uniform(0.0, radius * 0.5, half),
                        rng.uniform(radius * 0.7, radius, n - half)])
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    x = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    x += rng.uniform(-radius, radius, (n, 2)) * noise
    y = (np.hypot(x[:, 0], x[:, 1]) < radius * 0.5).astype(np.float64)
    return x, y


def _xor(rng: np.random.Generator, n: int, noise: float) -> tuple[FloatArray, FloatArray]:
    padding = 0.3
    x = rng.uniform(-5.0, 5.0, (n, 2))
    x += np.where(x > 0, padding, -padding)
    x += rng.uniform(-5.0, 5.0, (n, 2)) * noise
    y = (x[:, 0] * x[:, 1] >= 0).astype(np.float64)
    return x, y


def _gaussians(rng: np.random.Generator, n: int, noise: float) -> tuple[FloatArray, FloatArray]:
    # the playground maps noise 0..0.5 linearly onto a variance of 0.5..4
    variance = 0.5 + (4.0 - 0.5) * noise / 0.5
    half = n // 2
    centres = np.concatenate([np.full((half, 2), 2.0), np.full((n - half, 2), -2.0)])
    x = centres + rng.normal(0.0, np.sqrt(variance), (n, 2))
    y = np.concatenate([np.ones(half), np.zeros(n - half)])
    return x, y


def _spiral(rng: np.random.Generator, n: int, noise: float) -> tuple[FloatArray, FloatArray]:
    half = n // 2
    parts = []
    for count, delta in ((half, 0.0), (n - half, np.pi)):
        i = np.arange(count)
        r = i / count * 5.0
        t = 1.75 * i / count * 2.0 * np.pi + delta
        arm = np.column_stack([r * np.sin(t), r * np.cos(t)])
        parts.append(arm + rng.uniform(-1.0, 1.0, (count, 2)) * noise)
    x = np.concatenate(parts)
    y = np.concatenate([np.ones(half), np.zeros(n - half)])
    return x, y


_MAKERS = {"circle": _circle, "xor": _xor, "gaussians": _gaussians, "spiral": _spiral}


def check_data_options(points: int, noise: float, train_fraction: float) -> None:
    """Refuse options that make no usable set, saying what is allowed."""
    if not 4 <= points <= MAX_POINTS:
        raise ConfigError(f"points must be a whole number from 4 to {MAX_POINTS:,}, got {points}")
    if not 0.0 <= noise <= MAX_NOISE:
        raise ConfigError(f"noise must be a number from 0 to {MAX_NOISE:g}, got {noise!r}")
    if not 0.0 < train_fraction <= 1.0:
        raise ConfigError(
            f"train_fraction must be a number in (0, 1], got {train_fraction!r}")
    n_train = round(points * train_fraction)
    if n_train < 2:
        raise ConfigError(
            f"train_fraction {train_fraction:g} of {points} points leaves {n_train} to train "
            "on; at least 2 are needed")
    if train_fraction < 1.0 and points - n_train < 1:
        raise ConfigError(
            f"train_fraction {train_fraction:g} of {points} points leaves no validation point; "
            "use 1 for no validation set, or a smaller fraction")


def make_split(shape: str, points: int, noise: float, train_fraction: float,
               seed: int) -> Split:
    """The points of ``shape``, shuffled from ``seed`` and split into train and validation.

    Coordinates are in input units (the playground's divided by `SCALE`).
    """
    if shape not in _MAKERS:
        raise ConfigError(f"unknown data shape {shape!r}; choose one of: {', '.join(SHAPES)}")
    check_data_options(points, noise, train_fraction)
    rng = np.random.default_rng(seed)
    x, y = _MAKERS[shape](rng, points, noise)
    order = rng.permutation(points)
    x, y = x[order] / SCALE, y[order]
    n_train = round(points * train_fraction)
    return Split(x[:n_train].copy(), y[:n_train].copy(), x[n_train:].copy(), y[n_train:].copy())
