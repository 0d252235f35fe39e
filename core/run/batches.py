"""Which examples each update uses: the full data, one sample, or mini-batches.

Mini-batch order is a pure function of (seed, epoch): each epoch's shuffle
comes from its own generator ``default_rng([seed, epoch])``, so any update's
batch can be found without replaying the ones before it (scrubbing, replay,
and the torch backend all see the same batches).
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
    def updates_per_epoch(self) -> int:
        if self.mode == "full":
            return 1
        if self.mode == "sample":
            return self.n
        return -(-self.n // int(self.mode))

    def epoch_of(self, k: IntArray | int) -> Any:
        """Completed passes over the data before update ``k``."""
        return np.asarray(k) // self.updates_per_epoch

    def permutation(self, epoch: int) -> IntArray:
        return _permutation(self.seed, epoch, self.n)

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


@lru_cache(maxsize=8)
def _permutation(seed: int, epoch: int, n: int) -> IntArray:
    perm = np.random.default_rng([seed, epoch]).permutation(n)
    perm.flags.writeable = False
    return perm
