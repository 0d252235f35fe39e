"""NAdam, Adam with Nesterov momentum: ``torch.optim.NAdam``.

t ← t + 1;  g ← ∇L + weight_decay·θ, or with decoupled_weight_decay
θ ← θ·(1 − lr·weight_decay) (as AdamW: the decay never enters m or v);
μ_t = β1·(1 − ½·0.96^(t·momentum_decay)),  μ_{t+1} the same at t + 1;
Π ← Π·μ_t (``mu_product``, the product of every μ so far, from 1);
m ← lerp(m, g, 1 − β1);  v ← β2·v + (1 − β2)·g²;  denom = √(v / (1 − β2^t)) + eps;
θ ← θ − (lr·(1 − μ_t) / (1 − Π))·g / denom − (lr·μ_{t+1} / (1 − Π·μ_{t+1}))·m / denom.

The first term is this step's gradient, the second the momentum one step
ahead (Nesterov's look-ahead); μ warms up from β1/2 towards β1 as
0.96^(t·momentum_decay) decays. eps sits outside the square root. torch keeps
``mu_product`` in a tensor of its default dtype, float32 unless a program
changes it, so it is rounded to float32 here after every product, as torch
does: its rounding moves the step by about 1e-8 of itself, far more than
the last-bit agreement the other optimizers keep with torch.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from core.checks import check_flag, check_number
from core.optim.adam import check_betas
from core.optim.base import Rule, weight_decays, with_weight_decay

if TYPE_CHECKING:
    from core._types import FloatArray

_FLOAT32 = struct.Struct("f")


def to_float32(x: float) -> float:
    """``x`` rounded to the nearest float32 (as a Python float)."""
    return float(_FLOAT32.unpack(_FLOAT32.pack(x))[0])


class NAdamState(NamedTuple):
    step: int  # one count for a whole vectorised batch
    mu_product: float  # Π, shared by every entry (it depends on t alone); float32 values
    exp_avg: Any  # m
    exp_avg_sq: Any  # v


DEFAULTS: dict[str, Any] = {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0,
                            "momentum_decay": 4e-3, "decoupled_weight_decay": False}


def check(h: dict[str, Any]) -> dict[str, Any]:
    return {
        "betas": check_betas(h["betas"], "nadam"),
        "eps": check_number("eps for nadam", h["eps"], low=0.0),
        "weight_decay": check_number("weight_decay for nadam", h["weight_decay"], low=0.0),
        "momentum_decay": check_number("momentum_decay for nadam", h["momentum_decay"],
                                       low=0.0),
        "decoupled_weight_decay": check_flag("decoupled_weight_decay for nadam",
                                             h["decoupled_weight_decay"]),
    }


def init(params: Any, hyper: Mapping[str, Any], xp: Any) -> NAdamState:
    zeros = xp.zeros_like(params)
    return NAdamState(0, 1.0, zeros, zeros)


def momentum_at(hyper: Mapping[str, Any], t: int) -> float:
    """μ_t = β1·(1 − ½·0.96^(t·momentum_decay)), in torch's order."""
    return float(hyper["betas"][0] * (1.0 - 0.5 * (0.96 ** (t * hyper["momentum_decay"]))))


def begin(state: NAdamState, hyper: Mapping[str, Any], lr: Any) -> tuple[Any, ...]:
    beta1, beta2 = hyper["betas"]
    t = state[0] + 1  # the step count and Π: the first fields (plain tuples in the float loop)
    # μ_t and μ_{t+1}, as `momentum_at` (written out: this runs once a step)
    decay = hyper["momentum_decay"]
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * decay)))
    # a float32 product of two float32 numbers: exact in float64, then rounded once
    pack, unpack = _FLOAT32.pack, _FLOAT32.unpack
    mu_product = unpack(pack(state[1] * unpack(pack(mu))[0]))[0]
    mu_product_next = mu_product * mu_next
    return (t, mu_product,
            *weight_decays(hyper["weight_decay"], hyper["decoupled_weight_decay"], lr),
            1.0 - beta1, beta2, 1.0 - beta2,
            1.0 - beta2**t, hyper["eps"], -lr * (1.0 - mu) / (1.0 - mu_product),
            (-lr * mu_next) / (1.0 - mu_product_next))


def apply(grad: Any, state: tuple[Any, ...], params: Any, shared: tuple[Any, ...],
          xp: Any) -> tuple[Any, tuple[Any, ...]]:
    t, mu_product, decay, coupled, w1, beta2, w2, bias_correction2, eps, step_g, step_m = shared
    _, _, m, v = state
    grad, params = with_weight_decay(grad, params, decay, coupled)
    m = xp.lerp(m, grad, w1)
    v = v * beta2 + w2 * grad * grad
    denom = xp.sqrt(v / bias_correction2) + eps
    params = params + step_g * grad / denom
    params = params + step_m * m / denom
    return params, (t, mu_product, m, v)


def update(grad: Any, state: NAdamState, params: Any, hyper: Mapping[str, Any], lr: Any,
           xp: Any) -> tuple[Any, NAdamState]:
    new, fields = apply(grad, state, params, begin(state, hyper, lr), xp)
    return new, NAdamState(*fields)


def columns(state: NAdamState, hyper: Mapping[str, Any]) -> dict[str, FloatArray]:
    # torch creates NAdam's state on the first step
    if state.step == 0:
        return {}
    shape = np.shape(state.exp_avg)
    return {
        "exp_avg": state.exp_avg,
        "exp_avg_sq": state.exp_avg_sq,
        "mu_product": np.broadcast_to(np.asarray(state.mu_product, dtype=np.float64),
                                      shape).copy(),
        "step": np.full(shape, float(state.step)),
    }


RULE = Rule("nadam", "NAdam", DEFAULTS, check, init, update, columns, __doc__ or "",
            begin=begin, apply=apply)
