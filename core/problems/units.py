"""The data's own units: a data problem's predictions, and its fit without normalising.

With "normalise x" a data problem fits ``z = a·x̃ + b`` on the standardised
input ``x̃ = (x − μ) / σ``, so ``a`` is per standard deviation of x, not per
unit of x. Because z is linear in x, the same line in the data's own units is

    z = (a/σ)·x + (b − a·μ/σ),

for linear regression (z = y) and logistic regression (z = logit P(y = 1))
alike. With several inputs each is standardised on its own,
``x̃ᵢ = (xᵢ − μᵢ) / σᵢ``, and the fit ``z = Σ wᵢ·x̃ᵢ + b`` is, in the data's
units,

    z = Σ (wᵢ/σᵢ)·xᵢ + (b − Σ wᵢ·μᵢ/σᵢ).

`original_units` makes that conversion (vectorised over leading axes),
`fit_sentence` says it in words, and the step table carries it as extra
columns: `ORIGINAL_COLUMNS` (``a_orig``, ``b_orig``) for one input,
``w1_orig .. wk_orig, b_orig`` for several (`original_columns`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.numfmt import format_compact

if TYPE_CHECKING:
    from core._types import Comps, FloatArray

# the step table's columns of the fit in the data's own units (normalised data only)
ORIGINAL_COLUMNS = ("a_orig", "b_orig")
NOTE_INPUTS = 4  # inputs the units note spells out one by one


def original_columns(param_names: Sequence[str]) -> tuple[str, ...]:
    """The extra columns of a normalised fit: ``<parameter>_orig`` for each parameter
    (``a_orig, b_orig`` for one input; ``w1_orig .. wk_orig, b_orig`` for several)."""
    return tuple(f"{name}_orig" for name in param_names)


@dataclass(frozen=True)
class XScale:
    """How x was standardised: ``x̃ = (x − mean) / std``; ``name`` is the input column."""

    mean: float
    std: float
    name: str = "x"

    @property
    def means(self) -> tuple[float, ...]:
        return (self.mean,)

    @property
    def stds(self) -> tuple[float, ...]:
        return (self.std,)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name,)


@dataclass(frozen=True)
class InputScales:
    """How several inputs were standardised, each on its own:
    ``x̃ᵢ = (xᵢ − means[i]) / stds[i]``; ``names`` are the input columns."""

    means: tuple[float, ...]
    stds: tuple[float, ...]
    names: tuple[str, ...]


Scale = XScale | InputScales


def x_scale(problem: Any) -> Scale | None:
    """The standardisation a data problem applied to its inputs, or None (used as they
    are): an `XScale` for one input, `InputScales` for several."""
    options = getattr(problem, "options", None) or {}
    mean, std = options.get("x_mean"), options.get("x_std")
    if mean is None or std is None:
        return None
    if isinstance(mean, list | tuple | np.ndarray):
        names = options.get("x_columns") or [f"x{j + 1}" for j in range(len(mean))]
        return InputScales(tuple(float(v) for v in mean), tuple(float(v) for v in std),
                           tuple(str(n) for n in names))
    return XScale(float(mean), float(std), str(options.get("x_column") or "x"))


def original_c(a: float, b: float, mean: float, std: float) -> tuple[float, float]:
    """``(a/σ, b − a·μ/σ)`` for one point (the step table's extra columns)."""
    slope = a / std
    return slope, b - slope * mean


def original_cs(p: Comps, means: Sequence[float], stds: Sequence[float]) -> Comps:
    """``(w1/σ1, .., wk/σk, b − Σ wᵢ·μᵢ/σᵢ)`` from components ``p = (w1, .., wk, b)``
    (floats or arrays); for one input the same numbers as `original_c`."""
    *weights, intercept = p
    slopes = tuple(w / s for w, s in zip(weights, stds, strict=True))
    for slope, mean in zip(slopes, means, strict=True):
        intercept = intercept - slope * mean
    return (*slopes, intercept)


def original_units(theta: Any, scale: Scale | None) -> FloatArray:
    """``(..., k + 1)`` fits per standard deviation of the inputs -> the same fits per
    unit of each input (``(..., 2)`` for one input).

    Returns ``theta`` unchanged (as float64) when ``scale`` is None.
    """
    arr = np.asarray(theta, dtype=np.float64)
    if scale is None:
        return arr.copy()
    k = len(scale.means)
    out = np.empty_like(arr)
    out[..., k] = arr[..., k]
    for i in range(k):
        out[..., i] = arr[..., i] / scale.stds[i]
        out[..., k] = out[..., k] - out[..., i] * scale.means[i]
    return out


def _number(v: float) -> str:
    return format_compact(float(v), 4).replace("-", "−")


def _affine(slope: float, intercept: float) -> str:
    sign = "−" if intercept < 0 else "+"
    return f"{_number(slope)}·x {sign} {_number(abs(intercept))}"


def _linear_form(slopes: Sequence[float], names: Sequence[str], intercept: float) -> str:
    """``3·size + 0.5·rooms − 2.04``: each input by its column's name."""
    terms = [f"{_number(slopes[0])}·{names[0]}"]
    for slope, name in zip(slopes[1:], names[1:], strict=True):
        terms.append(f"{'−' if slope < 0 else '+'} {_number(abs(slope))}·{name}")
    terms.append(f"{'−' if intercept < 0 else '+'} {_number(abs(intercept))}")
    return " ".join(terms)


def fit_sentence(problem: Any, theta: Any) -> str | None:
    """"y ≈ 3·x + 2.04 in your units" for a normalised data problem at ``theta``
    ("y ≈ 3·size + 0.5·rooms + 2.04 in your units" with several inputs; logistic:
    "P(y = 1) ≈ sigmoid(…)"); None when x is not normalised."""
    scale = x_scale(problem)
    k = 0 if scale is None else len(scale.means)
    if scale is None or getattr(problem, "n_params", 0) != k + 1:
        return None
    fit = [float(v) for v in original_units(np.asarray(theta, dtype=np.float64)[:k + 1],
                                            scale)]
    form = (_affine(fit[0], fit[1]) if isinstance(scale, XScale)
            else _linear_form(fit[:k], scale.names, fit[k]))
    if getattr(problem, "output_kind", None) == "probability":
        return f"P(y = 1) ≈ sigmoid({form}) in your units"
    return f"y ≈ {form} in your units"


def units_note(problem: Any, detail: bool = True) -> str | None:
    """What the weights mean when x is normalised (None when it is not); with several
    inputs and ``detail`` False, without each input's mean and deviation (a caption)."""
    scale = x_scale(problem)
    if scale is None:
        return None
    if isinstance(scale, XScale):
        return (f"a, b are per standard deviation of x: x̃ = (x − {_number(scale.mean)}) / "
                f"{_number(scale.std)}")
    k = len(scale.means)
    weights = ", ".join(f"w{i + 1}" for i in range(k)) if k <= NOTE_INPUTS else f"w1..w{k}"
    if not detail:
        return f"{weights} are per standard deviation of their inputs (normalise x)"
    if k > NOTE_INPUTS:
        return (f"{weights} are per standard deviation of their inputs: each input is "
                "standardised, x̃ᵢ = (xᵢ − μᵢ) / σᵢ")
    each = ", ".join(f"x̃{i + 1} = ({name} {'+' if m < 0 else '−'} {_number(abs(m))}) / "
                     f"{_number(s)}"
                     for i, (name, m, s) in enumerate(zip(scale.names, scale.means,
                                                          scale.stds, strict=True)))
    return f"{weights} are per standard deviation of their inputs: {each}"
