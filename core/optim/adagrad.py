"""Adagrad with learning-rate decay: ``torch.optim.Adagrad``.

t ← t + 1;  g ← ∇L + weight_decay·θ;  clr = lr / (1 + (t − 1)·lr_decay);
s ← s + g²;  θ ← θ − clr·g / (√s + eps).

s starts at initial_accumulator_value; eps sits outside the square root.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from core.checks import check_number
from core.optim.base import Rule

if TYPE_CHECKING:
    from core._types import FloatArray


class AdagradState(NamedTuple):
    step: int  # one count for a whole vectorised batch
    sum: Any  # s, the running sum of squared gradients


DEFAULTS: dict[str, Any] = {"lr_decay": 0.0, "weight_decay": 0.0,
                            "initial_accumulator_value": 0.0, "eps": 1e-10}


def check(h: dict[str, Any]) -> dict[str, Any]:
    return {k: check_number(f"{k} for adagrad", h[k], low=0.0) for k in DEFAULTS}


def init(params: Any, hyper: Mapping[str, Any], xp: Any) -> AdagradState:
    return AdagradState(0, xp.full_like(params, hyper["initial_accumulator_value"]))


def begin(state: AdagradState, hyper: Mapping[str, Any], lr: Any) -> tuple[Any, ...]:
    t = state[0] + 1  # the step count: the first field (a plain tuple in the float loop)
    return t, hyper["weight_decay"], lr / (1 + (t - 1) * hyper["lr_decay"]), hyper["eps"]


def apply(grad: Any, state: tuple[Any, ...], params: Any, shared: tuple[Any, ...],
          xp: Any) -> tuple[Any, tuple[Any, ...]]:
    t, wd, clr, eps = shared
    _, s = state
    g = grad + wd * params if wd else grad
    s = s + g * g
    return params - clr * g / (xp.sqrt(s) + eps), (t, s)


def update(grad: Any, state: AdagradState, params: Any, hyper: Mapping[str, Any], lr: Any,
           xp: Any) -> tuple[Any, AdagradState]:
    new, fields = apply(grad, state, params, begin(state, hyper, lr), xp)
    return new, AdagradState(*fields)


def columns(state: AdagradState, hyper: Mapping[str, Any]) -> dict[str, FloatArray]:
    # unlike Adam, torch fills Adagrad's state when the optimizer is built
    return {"sum": state.sum, "step": np.full(np.shape(state.sum), float(state.step))}


RULE = Rule("adagrad", "Adagrad", DEFAULTS, check, init, update, columns, __doc__ or "",
            begin=begin, apply=apply)
