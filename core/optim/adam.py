"""Adam and AdamW: ``torch.optim.Adam`` and ``torch.optim.AdamW``.

t ← t + 1;  g ← ∇L + weight_decay·θ (Adam) or θ ← θ·(1 − lr·weight_decay) (AdamW:
decoupled, the decay never enters m or v, and it uses this step's lr);
m ← lerp(m, g, 1 − β1) = m + (1 − β1)·(g − m);  v ← β2·v + (1 − β2)·g²;
with amsgrad: v_max ← max(v_max, v) and v_max replaces v below;
θ ← θ − (lr / (1 − β1^t))·m / (√v / √(1 − β2^t) + eps).

eps sits outside the square root, and m, v start at zero with t = 1 on the
first step, exactly as in torch. AdamW's defaults are Adam's except
weight_decay = 0.01.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from core.checks import check_flag, check_number, shown
from core.errors import ConfigError
from core.optim.base import Rule, weight_decays, with_weight_decay

if TYPE_CHECKING:
    from core._types import FloatArray


class AdamState(NamedTuple):
    # One count for a whole vectorised batch: every run steps together, so the
    # bias corrections stay Python floats.
    step: int
    exp_avg: Any  # m, the first moment
    exp_avg_sq: Any  # v, the second moment
    max_exp_avg_sq: Any  # running max of v; only with amsgrad


ADAM_DEFAULTS: dict[str, Any] = {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0,
                                 "amsgrad": False}
ADAMW_DEFAULTS: dict[str, Any] = {**ADAM_DEFAULTS, "weight_decay": 1e-2}


def check_betas(value: Any, optimizer: str) -> tuple[float, float]:
    """A pair of coefficients, each in [0, 1)."""
    pair_like = (isinstance(value, Sequence) and not isinstance(value, str | bytes)) or (
        isinstance(value, np.ndarray) and value.ndim == 1
    )
    if not pair_like or len(value) != 2:
        raise ConfigError(
            f"betas for {optimizer} must be a pair of numbers (beta1, beta2), "
            f"each in [0, 1), got {shown(value)}"
        )
    b1, b2 = (
        check_number(f"betas[{i}] for {optimizer}", b, low=0.0, high=1.0, high_open=True)
        for i, b in enumerate(value)
    )
    return b1, b2


def check(h: dict[str, Any], name: str = "adam") -> dict[str, Any]:
    return {
        "betas": check_betas(h["betas"], name),
        "eps": check_number(f"eps for {name}", h["eps"], low=0.0),
        "weight_decay": check_number(f"weight_decay for {name}", h["weight_decay"], low=0.0),
        "amsgrad": check_flag(f"amsgrad for {name}", h["amsgrad"]),
    }


def init(params: Any, hyper: Mapping[str, Any], xp: Any) -> AdamState:
    zeros = xp.zeros_like(params)
    return AdamState(0, zeros, zeros, zeros if hyper["amsgrad"] else None)


def begin(state: AdamState, hyper: Mapping[str, Any], lr: Any,
          decoupled: bool = False) -> tuple[Any, ...]:
    beta1, beta2 = hyper["betas"]
    t = state[0] + 1  # the step count: the first field (a plain tuple in the float loop)
    # AdamW decays with the lr of this step, so a live lr change applies at once
    decay, coupled = weight_decays(hyper["weight_decay"], decoupled, lr)
    # torch writes bc2**0.5, not a square root function; the two may differ in the last bit
    return (t, decay, coupled, 1.0 - beta1, beta2, 1.0 - beta2, lr / (1.0 - beta1**t),
            (1.0 - beta2**t) ** 0.5, hyper["eps"])


def apply(grad: Any, state: tuple[Any, ...], params: Any, shared: tuple[Any, ...],
          xp: Any) -> tuple[Any, tuple[Any, ...]]:
    t, decay, coupled, w1, beta2, w2, step_size, bc2_sqrt, eps = shared
    _, m, v, v_max = state
    grad, params = with_weight_decay(grad, params, decay, coupled)
    m = xp.lerp(m, grad, w1)
    # torch's addcmul evaluates value·g·g left to right
    v = v * beta2 + w2 * grad * grad
    v_max = None if v_max is None else xp.maximum(v_max, v)
    denom = xp.sqrt(v if v_max is None else v_max) / bc2_sqrt + eps
    return params - step_size * m / denom, (t, m, v, v_max)


def update(grad: Any, state: AdamState, params: Any, hyper: Mapping[str, Any], lr: Any,
           xp: Any, decoupled: bool = False) -> tuple[Any, AdamState]:
    new, fields = apply(grad, state, params, begin(state, hyper, lr, decoupled), xp)
    return new, AdamState(*fields)


def columns(state: AdamState, hyper: Mapping[str, Any]) -> dict[str, FloatArray]:
    # torch creates Adam's state on the first step; before it there is nothing to show
    if state.step == 0:
        return {}
    beta1, beta2 = hyper["betas"]
    shape = np.shape(state.exp_avg)
    cols = {"exp_avg": state.exp_avg, "exp_avg_sq": state.exp_avg_sq}
    if state.max_exp_avg_sq is not None:
        cols["max_exp_avg_sq"] = state.max_exp_avg_sq
    cols["bias_correction1"] = np.full(shape, 1.0 - beta1**state.step)
    cols["bias_correction2"] = np.full(shape, 1.0 - beta2**state.step)
    cols["step"] = np.full(shape, float(state.step))
    return cols


ADAM = Rule("adam", "Adam", ADAM_DEFAULTS, check, init, update, columns, __doc__ or "",
            begin=begin, apply=apply)
ADAMW = Rule("adamw", "AdamW", ADAMW_DEFAULTS, partial(check, name="adamw"), init,
             partial(update, decoupled=True), columns, __doc__ or "",
             begin=partial(begin, decoupled=True), apply=apply)
