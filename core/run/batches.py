"""Which examples each update uses: the full data, one sample, or mini-batches.

Mini-batch order is a pure function of (seed, epoch), so any update's batch
can be found without replaying the ones before it (scrubbing, replay, the
sweep and the torch backend all see the same batches). The epochs' shuffles
are drawn a block at a time: epoch e is row ``e mod B`` of
``default_rng([seed, e // B]).permuted(B copies of 0..n−1, axis=1)``, with
``B = max(1, 65536 // n)`` epochs to a block. A tiny data set (three houses
in batches of two) starts a new epoch every other update, and one generator
per epoch would cost more than the update itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from core.checks import check_whole, shown
from core.errors import ConfigError

if TYPE_CHECKING:
    from core._types import IntArray


def parse_batch(batch: Any) -> str | int:
    """Normalise ``"full"``, ``"sample"`` or a positive int (also as text)."""
    if type(batch) is str and (batch == "full" or batch == "sample"):  # given as it is kept
        return batch
    if isinstance(batch, str) and batch.strip().lower() in ("full", "sample"):
        return batch.strip().lower()
    return check_whole("batch", batch, low=1, rule="'full', 'sample' or a whole number >= 1")


@dataclass(frozen=True)
class BatchPlan:
    """The batches of a run over ``n`` examples."""

    mode: str | int  # "full", "sample" or a batch size
    n: int  # number of examples (0 for a pure function)
    seed: int = 0

    @classmethod
    def make(cls, batch: Any, n_samples: int, seed: int, problem_name: str) -> BatchPlan:
        mode = parse_batch(batch)
        if mode != "full" and n_samples == 0:
            raise ConfigError(
                f"batch {shown(mode)} needs a data problem; {problem_name!r} is a function "
                "of its parameters only, so use batch 'full'"
            )
        return cls(mode, n_samples, check_whole("seed", seed, low=0))

    @property
    def uses_batches(self) -> bool:
        return self.mode != "full"

    @property
    def examples_per_update(self) -> int:
        """How many examples one update's gradient is worked out on (1 without data)."""
        if self.mode == "full":
            return max(1, self.n)
        return 1 if self.mode == "sample" else min(int(self.mode), self.n)

    @property
    def updates_per_epoch(self) -> int:
        if self.mode == "full":
            return 1
        if self.mode == "sample":
            return self.n
        return -(-self.n // int(self.mode))

    def epoch_of(self, k: IntArray | int) -> Any:
        """Completed passes over the data before update ``k``."""
        if self.mode == "full":  # an epoch an update
            return np.asarray(k)
        return np.asarray(k) // self.updates_per_epoch

    def permutation(self, epoch: int) -> IntArray:
        return _permutation(self.seed, epoch, self.n)

    def rows(self, k: int) -> list[int] | None:
        """The example indices update ``k`` uses as Python ints (None: all of them)."""
        return None if self.mode == "full" else self.rows_between(k, 1)[0]

    def rows_between(self, k0: int, m: int) -> list[list[int]]:
        """``rows(k)`` for the updates k0 .. k0 + m − 1 at once (mini-batches or samples):
        one epoch's order looked up once, not once per update."""
        if self.mode == "full":
            raise ValueError("the full data has no rows to list")
        n = self.n
        if self.mode == "sample":
            return [[k % n] for k in range(k0, k0 + m)]
        size, per = int(self.mode), self.updates_per_epoch
        out: list[list[int]] = []
        k, end = k0, k0 + m
        while k < end:
            epoch, j = divmod(k, per)
            order = _permutation_list(self.seed, epoch, n)
            stop = min(end, (epoch + 1) * per)
            out.extend(order[i * size : (i + 1) * size] for i in range(j, j + stop - k))
            k = stop
        return out

    def indices(self, k: int) -> Any:
        """The example indices update ``k`` uses (a slice for contiguous runs)."""
        if self.mode == "full":
            return slice(None)
        if self.mode == "sample":
            i = k % self.n
            return slice(i, i + 1)
        size = int(self.mode)
        per = self.updates_per_epoch
        epoch, j = divmod(k, per)
        return self.permutation(epoch)[j * size : (j + 1) * size]


BLOCK_ENTRIES = 65536  # epochs x examples drawn at once


def epochs_per_block(n: int) -> int:
    return max(1, BLOCK_ENTRIES // max(n, 1))


@lru_cache(maxsize=4)
def _block(seed: int, block: int, n: int) -> IntArray:
    count = epochs_per_block(n)
    perms = np.random.default_rng([seed, block]).permuted(
        np.tile(np.arange(n), (count, 1)), axis=1)
    perms.flags.writeable = False
    return perms


@lru_cache(maxsize=8)
def _permutation_list(seed: int, epoch: int, n: int) -> list[int]:
    return _permutation(seed, epoch, n).tolist()  # type: ignore[no-any-return]


def _permutation(seed: int, epoch: int, n: int) -> IntArray:
    block, row = divmod(epoch, epochs_per_block(n))
    return _block(seed, block, n)[row]
