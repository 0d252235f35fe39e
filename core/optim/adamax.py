"""Adamax, Adam with an infinity norm: ``torch.optim.Adamax``.

t ← t + 1;  g ← ∇L + weight_decay·θ;
m ← lerp(m, g, 1 − β1);  u ← max(β2·u, |g| + eps);
θ ← θ − (lr / (1 − β1^t))·m / u.

u (``exp_inf``) is a decaying running maximum of |g| instead of Adam's
running mean of g², so one large gradient keeps the steps short for a
while. eps is added to |g| inside the maximum (torch's ``norm_buf``), not
to the divisor; u starts at zero, and only m needs a bias correction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from core.checks import check_number
from core.optim.adam import check_betas
from core.optim.base import Rule

if TYPE_CHECKING:
    from core._types import FloatArray


class AdamaxState(NamedTuple):
    step: int  # one count for a whole vectorised batch
    exp_avg: Any  # m
    exp_inf: Any  # u, the decaying maximum of |g|


DEFAULTS: dict[str, Any] = {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}


def check(h: dict[str, Any]) -> dict[str, Any]:
    return {
        "betas": check_betas(h["betas"], "adamax"),
        "eps": check_number("eps for adamax", h["eps"], low=0.0),
        "weight_decay": check_number("weight_decay for adamax", h["weight_decay"], low=0.0),
    }


def init(params: Any, hyper: Mapping[str, Any], xp: Any) -> AdamaxState:
    zeros = xp.zeros_like(params)
    return AdamaxState(0, zeros, zeros)


def begin(state: AdamaxState, hyper: Mapping[str, Any], lr: Any) -> tuple[Any, ...]:
    beta1, beta2 = hyper["betas"]
    t = state[0] + 1  # the step count: the first field (a plain tuple in the float loop)
    return t, hyper["weight_decay"], 1.0 - beta1, beta2, hyper["eps"], lr / (1.0 - beta1**t)


def apply(grad: Any, state: tuple[Any, ...], params: Any, shared: tuple[Any, ...],
          xp: Any) -> tuple[Any, tuple[Any, ...]]:
    t, wd, w1, beta2, eps, clr = shared
    _, m, u = state
    if wd:
        grad = grad + wd * params
    m = xp.lerp(m, grad, w1)
    u = xp.maximum(u * beta2, xp.abs(grad) + eps)
    return params - clr * m / u, (t, m, u)


def update(grad: Any, state: AdamaxState, params: Any, hyper: Mapping[str, Any], lr: Any,
           xp: Any) -> tuple[Any, AdamaxState]:
    new, fields = apply(grad, state, params, begin(state, hyper, lr), xp)
    return new, AdamaxState(*fields)


def columns(state: AdamaxState, hyper: Mapping[str, Any]) -> dict[str, FloatArray]:
    # torch creates Adamax's state on the first step
    if state.step == 0:
        return {}
    return {"exp_avg": state.exp_avg, "exp_inf": state.exp_inf,
            "step": np.full(np.shape(state.exp_avg), float(state.step))}


RULE = Rule("adamax", "Adamax", DEFAULTS, check, init, update, columns, __doc__ or "",
            begin=begin, apply=apply)
