"""Adadelta: ``torch.optim.Adadelta``.

g ← ∇L + weight_decay·θ;  v ← ρ·v + (1 − ρ)·g²;
d = (√(a + eps) / √(v + eps))·g;  a ← ρ·a + (1 − ρ)·d²;  θ ← θ − lr·d.

v (``square_avg``) is the running mean of g², a (``acc_delta``) that of
the steps d themselves, so a step carries the units of θ and needs no
learning rate of its own: torch's default lr is 1.0, which this program
does not take as its own default (the learning-rate knob does). eps sits
inside both square roots; with v and a starting at zero the first steps are
about √eps/|g|·g, tiny, and grow as a fills up.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from core.checks import check_number
from core.optim.base import Rule

if TYPE_CHECKING:
    from core._types import FloatArray


class AdadeltaState(NamedTuple):
    step: int  # not used by the rule; torch keeps it, and the inspector shows it
    square_avg: Any  # v
    acc_delta: Any  # a


DEFAULTS: dict[str, Any] = {"rho": 0.9, "eps": 1e-6, "weight_decay": 0.0}


def check(h: dict[str, Any]) -> dict[str, Any]:
    return {
        # as torch: rho = 1 freezes both averages at zero (every step is lr·g)
        "rho": check_number("rho for adadelta", h["rho"], low=0.0, high=1.0),
        "eps": check_number("eps for adadelta", h["eps"], low=0.0),
        "weight_decay": check_number("weight_decay for adadelta", h["weight_decay"], low=0.0),
    }


def init(params: Any, hyper: Mapping[str, Any], xp: Any) -> AdadeltaState:
    zeros = xp.zeros_like(params)
    return AdadeltaState(0, zeros, zeros)


def begin(state: AdadeltaState, hyper: Mapping[str, Any], lr: Any) -> tuple[Any, ...]:
    rho = hyper["rho"]
    # the step count: the first field (a plain tuple in the float loop)
    return state[0] + 1, hyper["weight_decay"], rho, 1.0 - rho, hyper["eps"], lr


def apply(grad: Any, state: tuple[Any, ...], params: Any, shared: tuple[Any, ...],
          xp: Any) -> tuple[Any, tuple[Any, ...]]:
    t, wd, rho, w, eps, lr = shared
    _, v, a = state
    if wd:
        grad = grad + wd * params
    v = v * rho + w * grad * grad
    delta = xp.sqrt(a + eps) / xp.sqrt(v + eps) * grad
    a = a * rho + w * delta * delta
    return params - lr * delta, (t, v, a)


def update(grad: Any, state: AdadeltaState, params: Any, hyper: Mapping[str, Any], lr: Any,
           xp: Any) -> tuple[Any, AdadeltaState]:
    new, fields = apply(grad, state, params, begin(state, hyper, lr), xp)
    return new, AdadeltaState(*fields)


def columns(state: AdadeltaState, hyper: Mapping[str, Any]) -> dict[str, FloatArray]:
    # torch creates Adadelta's state on the first step
    if state.step == 0:
        return {}
    return {"square_avg": state.square_avg, "acc_delta": state.acc_delta,
            "step": np.full(np.shape(state.square_avg), float(state.step))}


RULE = Rule("adadelta", "Adadelta", DEFAULTS, check, init, update, columns, __doc__ or "",
            begin=begin, apply=apply)
