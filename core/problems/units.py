"""The data's own units: a data problem's predictions, and its fit without normalising.

With "normalise x" a data problem fits ``z = a·x̃ + b`` on the standardised
input ``x̃ = (x − μ) / σ``, so ``a`` is per standard deviation of x, not per
unit of x. Because z is linear in x, the same line in the data's own units is

    z = (a/σ)·x + (b − a·μ/σ),

for linear regression (z = y) and logistic regression (z = logit P(y = 1))
alike. `original_units` makes that conversion (vectorised over leading axes),
`fit_sentence` says it in words, and the step table carries it as the extra
columns `ORIGINAL_COLUMNS` (``a_orig``, ``b_orig``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.numfmt import format_compact

if TYPE_CHECKING:
    from core._types import FloatArray

# the step table's columns of the fit in the data's own units (normalised data only)
ORIGINAL_COLUMNS = ("a_orig", "b_orig")


@dataclass(frozen=True)
class XScale:
    """How x was standardised: ``x̃ = (x − mean) / std``; ``name`` is the input column."""

    mean: float
    std: float
    name: str = "x"


def x_scale(problem: Any) -> XScale | None:
    """The standardisation a data problem applied to x, or None (x used as it is)."""
    options = getattr(problem, "options", None) or {}
    mean, std = options.get("x_mean"), options.get("x_std")
    if mean is None or std is None:
        return None
    return XScale(float(mean), float(std), str(options.get("x_column") or "x"))


def original_c(a: float, b: float, mean: float, std: float) -> tuple[float, float]:
    """``(a/σ, b − a·μ/σ)`` for one point (the step table's extra columns)."""
    slope = a / std
    return slope, b - slope * mean


def original_units(theta: Any, scale: XScale | None) -> FloatArray:
    """``(..., 2)`` fits per standard deviation of x -> the same fits per unit of x.

    Returns ``theta`` unchanged (as float64) when ``scale`` is None.
    """
    arr = np.asarray(theta, dtype=np.float64)
    if scale is None:
        return arr.copy()
    out = np.empty_like(arr)
    out[..., 0] = arr[..., 0] / scale.std
    out[..., 1] = arr[..., 1] - out[..., 0] * scale.mean
    return out


def _number(v: float) -> str:
    return format_compact(float(v), 4).replace("-", "−")


def _affine(slope: float, intercept: float) -> str:
    sign = "−" if intercept < 0 else "+"
    return f"{_number(slope)}·x {sign} {_number(abs(intercept))}"


def fit_sentence(problem: Any, theta: Any) -> str | None:
    """"y ≈ 3·x + 2.04 in your units" for a normalised data problem at ``theta``
    (logistic: "P(y = 1) ≈ sigmoid(…)"); None when x is not normalised."""
    scale = x_scale(problem)
    if scale is None or getattr(problem, "n_params", 0) != 2:
        return None
    a, b = (float(v) for v in original_units(np.asarray(theta, dtype=np.float64)[:2], scale))
    if getattr(problem, "output_kind", None) == "probability":
        return f"P(y = 1) ≈ sigmoid({_affine(a, b)}) in your units"
    return f"y ≈ {_affine(a, b)} in your units"


def units_note(problem: Any) -> str | None:
    """What a and b mean when x is normalised (None when it is not)."""
    scale = x_scale(problem)
    if scale is None:
        return None
    return (f"a, b are per standard deviation of x: x̃ = (x − {_number(scale.mean)}) / "
            f"{_number(scale.std)}")
