"""Gradient noise: Gaussian noise of a chosen scale added to each step's gradient.

It shows on a surface without data what mini-batches do to a data problem:
each step follows the gradient plus a random error, so the path jitters and a
learning rate that is fine for the exact gradient may no longer settle. The
noise of update k is a function of (seed, k) only, drawn in blocks of
`BLOCK` updates from ``default_rng([seed, STREAM, block])``: the same seed
gives the same noise however the run is cut into chunks, and every run of a
sweep sees the same noise as its own `core.train`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from core._types import FloatArray

BLOCK = 1024
STREAM = 0x6E6F6973  # keeps these draws apart from the mini-batch shuffles of the same seed


@lru_cache(maxsize=16)
def _block(seed: int, block: int, n: int) -> FloatArray:
    draws = np.random.default_rng([seed, STREAM, block]).standard_normal((BLOCK, n))
    draws.flags.writeable = False
    return draws


def standard_noise(seed: int, k0: int, m: int, n: int) -> FloatArray:
    """Standard normal draws for updates k0 .. k0 + m − 1, one per parameter: (m, n)."""
    out = np.empty((m, n))
    k = k0
    while k < k0 + m:
        block, at = divmod(k, BLOCK)
        take = min(BLOCK - at, k0 + m - k)
        out[k - k0 : k - k0 + take] = _block(seed, block, n)[at : at + take]
        k += take
    return out
