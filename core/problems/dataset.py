"""The data a problem is fitted to: a `Dataset` and its rows one by one as `Example`s.

A `Dataset` holds the inputs ``x`` (rows × columns) and the targets ``y`` as
numpy arrays; mini-batches are `Dataset.take` of some rows. An `Example`
is one row on Python floats, for the per-example loss that a small step
works out without numpy (see `Problem.float_loss_grad`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core._types import FloatArray


@dataclass(frozen=True)
class Dataset:
    """Inputs ``x`` (n, d) and targets ``y`` (n,) of a data problem."""

    x: FloatArray
    y: FloatArray

    def __len__(self) -> int:
        return int(self.y.shape[0])

    def take(self, idx: Any) -> Dataset:
        """The examples at ``idx`` (an int array or a slice), as a new Dataset."""
        return Dataset(self.x[idx], self.y[idx])


class _Columns:
    """An example's inputs, indexed as a data set's are (``x[:, j]``, ``x[0, j]``)."""

    __slots__ = ("values",)

    def __init__(self, values: tuple[float, ...]) -> None:
        self.values = values

    def __getitem__(self, key: Any) -> float:
        return self.values[key[1]]


class Example:
    """One example of a data set as Python floats, for the single-run path.

    A problem's component-style code runs on it unchanged with the float
    namespace: ``data.x[:, 0]`` is the example's first input, ``data.y`` its
    target, and ``xp.col``/``xp.mean`` leave a float as it is. A numpy call
    per scalar would cost more than the arithmetic of a whole step.
    """

    __slots__ = ("x", "y")

    def __init__(self, x: tuple[float, ...], y: float) -> None:
        self.x = _Columns(x)
        self.y = y

    def __len__(self) -> int:
        return 1
