"""RAdam, Adam with a rectified warm-up: ``torch.optim.RAdam``.

t ← t + 1;  g ← ∇L + weight_decay·θ, or with decoupled_weight_decay
θ ← θ·(1 − lr·weight_decay) (as AdamW);
m ← lerp(m, g, 1 − β1);  v ← β2·v + (1 − β2)·g²;  m̂ = m / (1 − β1^t);
ρ∞ = 2/(1 − β2) − 1;  ρ_t = ρ∞ − 2·t·β2^t / (1 − β2^t);
if ρ_t > 5: r = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t)),
θ ← θ − m̂·lr·(√(1 − β2^t) / (√v + eps))·r;
otherwise θ ← θ − m̂·lr (momentum alone: too few gradients yet to trust v).

ρ_t measures how many gradients v has really averaged; with the default
β2 = 0.999 the first five updates are plain bias-corrected momentum, and
the division by √v comes in from the sixth, scaled by r < 1 that grows
towards 1. eps sits outside the square root, as in Adam.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from core.checks import check_flag, check_number
from core.optim.adam import check_betas
from core.optim.base import Rule, weight_decays, with_weight_decay

if TYPE_CHECKING:
    from core._types import FloatArray

RHO_THRESHOLD = 5.0  # torch divides by √v only once ρ_t is above this


class RAdamState(NamedTuple):
    step: int  # one count for a whole vectorised batch
    exp_avg: Any  # m
    exp_avg_sq: Any  # v


DEFAULTS: dict[str, Any] = {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0,
                            "decoupled_weight_decay": False}


def check(h: dict[str, Any]) -> dict[str, Any]:
    return {
        "betas": check_betas(h["betas"], "radam"),
        "eps": check_number("eps for radam", h["eps"], low=0.0),
        "weight_decay": check_number("weight_decay for radam", h["weight_decay"], low=0.0),
        "decoupled_weight_decay": check_flag("decoupled_weight_decay for radam",
                                             h["decoupled_weight_decay"]),
    }


def init(params: Any, hyper: Mapping[str, Any], xp: Any) -> RAdamState:
    zeros = xp.zeros_like(params)
    return RAdamState(0, zeros, zeros)


def rectification(beta2: float, t: int) -> tuple[float, float | None]:
    """ρ_t and the rectification r (None where ρ_t <= 5: no division by √v yet)."""
    bias_correction2 = 1.0 - beta2**t
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    rho_t = rho_inf - 2.0 * t * (beta2**t) / bias_correction2
    if not rho_t > RHO_THRESHOLD:
        return rho_t, None
    rect = ((rho_t - 4.0) * (rho_t - 2.0) * rho_inf
            / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)) ** 0.5
    return rho_t, float(rect)


def begin(state: RAdamState, hyper: Mapping[str, Any], lr: Any) -> tuple[Any, ...]:
    beta1, beta2 = hyper["betas"]
    t = state[0] + 1  # the step count: the first field (a plain tuple in the float loop)
    _, rect = rectification(beta2, t)
    return (t, *weight_decays(hyper["weight_decay"], hyper["decoupled_weight_decay"], lr),
            1.0 - beta1, beta2, 1.0 - beta2,
            1.0 - beta1**t, lr, None if rect is None else (1.0 - beta2**t) ** 0.5, rect,
            hyper["eps"])


def apply(grad: Any, state: tuple[Any, ...], params: Any, shared: tuple[Any, ...],
          xp: Any) -> tuple[Any, tuple[Any, ...]]:
    t, decay, coupled, w1, beta2, w2, bias_correction1, lr, bc2_sqrt, rect, eps = shared
    _, m, v = state
    grad, params = with_weight_decay(grad, params, decay, coupled)
    m = xp.lerp(m, grad, w1)
    v = v * beta2 + w2 * grad * grad
    bias_corrected = m / bias_correction1
    if rect is None:  # too few gradients averaged yet: momentum alone
        return params - bias_corrected * lr, (t, m, v)
    adaptive = bc2_sqrt / (xp.sqrt(v) + eps)
    return params - bias_corrected * lr * adaptive * rect, (t, m, v)


def update(grad: Any, state: RAdamState, params: Any, hyper: Mapping[str, Any], lr: Any,
           xp: Any) -> tuple[Any, RAdamState]:
    new, fields = apply(grad, state, params, begin(state, hyper, lr), xp)
    return new, RAdamState(*fields)


def columns(state: RAdamState, hyper: Mapping[str, Any]) -> dict[str, FloatArray]:
    # torch creates RAdam's state on the first step
    if state.step == 0:
        return {}
    return {"exp_avg": state.exp_avg, "exp_avg_sq": state.exp_avg_sq,
            "step": np.full(np.shape(state.exp_avg), float(state.step))}


RULE = Rule("radam", "RAdam", DEFAULTS, check, init, update, columns, __doc__ or "",
            begin=begin, apply=apply)
