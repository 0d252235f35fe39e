"""Array type aliases shared by the engine."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
# A scalar or an array of any leading shape; problems are written so that one
# code path serves Python floats (the fast single-run path), numpy arrays (a
# surface grid or a batch of runs) and torch tensors (the autograd backend).
Num = Any
# A problem's parameters as components (one entry per parameter), its gradient
# likewise, and its Hessian as rows of components.
Comps = tuple[Num, ...]
Rows = tuple[tuple[Num, ...], ...]
