"""RMSprop, optionally centered and with momentum: ``torch.optim.RMSprop``.

g ← ∇L + weight_decay·θ;  v ← α·v + (1 − α)·g²;
centered: ḡ ← lerp(ḡ, g, 1 − α), ṽ = v − ḡ²; otherwise ṽ = v;
with momentum μ > 0: b ← μ·b + g / (√ṽ + eps), θ ← θ − lr·b;
otherwise θ ← θ − lr·g / (√ṽ + eps).

v, ḡ and b start at zero; eps sits outside the square root (unlike Keras).
A centered ṽ can round to just below zero after many identical gradients;
its square root is then NaN, in torch as here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from core.checks import check_flag, check_number
from core.optim.base import Rule

if TYPE_CHECKING:
    from core._types import FloatArray


class RMSpropState(NamedTuple):
    step: int  # not used by the rule; torch keeps it, and the inspector shows it
    square_avg: Any  # v
    grad_avg: Any  # ḡ; only when centered
    momentum_buffer: Any  # b; only when momentum > 0


DEFAULTS: dict[str, Any] = {"alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0,
                            "centered": False}


def check(h: dict[str, Any]) -> dict[str, Any]:
    return {
        # torch accepts any alpha >= 0; alpha >= 1 would freeze v at zero
        # (every step divides by eps), which is never what a learner means
        "alpha": check_number("alpha for rmsprop", h["alpha"], low=0.0, high=1.0,
                              high_open=True),
        "eps": check_number("eps for rmsprop", h["eps"], low=0.0),
        "weight_decay": check_number("weight_decay for rmsprop", h["weight_decay"], low=0.0),
        "momentum": check_number("momentum for rmsprop", h["momentum"], low=0.0),
        "centered": check_flag("centered for rmsprop", h["centered"]),
    }


def init(params: Any, hyper: Mapping[str, Any], xp: Any) -> RMSpropState:
    zeros = xp.zeros_like(params)
    return RMSpropState(0, zeros, zeros if hyper["centered"] else None,
                        zeros if hyper["momentum"] > 0 else None)


def begin(state: RMSpropState, hyper: Mapping[str, Any], lr: Any) -> tuple[Any, ...]:
    alpha = hyper["alpha"]
    return (lr, hyper["weight_decay"], alpha, 1.0 - alpha, hyper["eps"], hyper["momentum"],
            state[0] + 1)  # the step count: the first field (a plain tuple in the float loop)


def apply(grad: Any, state: tuple[Any, ...], params: Any, shared: tuple[Any, ...],
          xp: Any) -> tuple[Any, tuple[Any, ...]]:
    lr, wd, alpha, w, eps, mu, t = shared
    _, v, g_avg, buf = state
    g = grad + wd * params if wd else grad
    v = v * alpha + w * g * g
    if g_avg is not None:
        g_avg = xp.lerp(g_avg, g, w)
        avg = xp.sqrt(v - g_avg * g_avg) + eps
    else:
        avg = xp.sqrt(v) + eps
    if buf is not None:
        buf = buf * mu + g / avg
        return params - lr * buf, (t, v, g_avg, buf)
    return params - lr * g / avg, (t, v, g_avg, None)


def update(grad: Any, state: RMSpropState, params: Any, hyper: Mapping[str, Any], lr: Any,
           xp: Any) -> tuple[Any, RMSpropState]:
    new, fields = apply(grad, state, params, begin(state, hyper, lr), xp)
    return new, RMSpropState(*fields)


def columns(state: RMSpropState, hyper: Mapping[str, Any]) -> dict[str, FloatArray]:
    # torch creates RMSprop's state on the first step
    if state.step == 0:
        return {}
    cols = {"square_avg": state.square_avg}
    if state.grad_avg is not None:
        cols["grad_avg"] = state.grad_avg
    if state.momentum_buffer is not None:
        cols["momentum_buffer"] = state.momentum_buffer
    cols["step"] = np.full(np.shape(state.square_avg), float(state.step))
    return cols


RULE = Rule("rmsprop", "RMSprop", DEFAULTS, check, init, update, columns, __doc__ or "",
            begin=begin, apply=apply)
