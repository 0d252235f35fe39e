"""RMSprop, optionally centered and with momentum (torch.optim.RMSprop)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from core.optim.adam import lerp
from core.optim.base import Optimizer, check_flag, check_number

if TYPE_CHECKING:
    from core._types import FloatArray


class RMSpropState(NamedTuple):
    step: int  # not used by the rule; torch keeps it, and the inspector shows it
    square_avg: FloatArray  # v
    grad_avg: FloatArray | None  # ḡ; only when centered
    momentum_buffer: FloatArray | None  # b; only when momentum > 0


class RMSprop(Optimizer):
    """RMSprop, the same rule as ``torch.optim.RMSprop`` (single-tensor code path).

    g ← ∇L + weight_decay·θ;  v ← α·v + (1 − α)·g²;
    centered: ḡ ← lerp(ḡ, g, 1 − α), ṽ = v − ḡ²; otherwise ṽ = v;
    with momentum μ > 0: b ← μ·b + g / (√ṽ + eps), θ ← θ − lr·b;
    otherwise θ ← θ − lr·g / (√ṽ + eps).

    v, ḡ and b start at zero; eps sits outside the square root (unlike Keras).
    A centered ṽ can round to just below zero after many identical gradients;
    its square root is then NaN, in torch as here.
    """

    name = "rmsprop"
    torch_class = "RMSprop"
    defaults: dict[str, Any] = {  # noqa: RUF012
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": False,
    }

    def validate(self, h: dict[str, Any]) -> dict[str, Any]:
        n = self.name
        return {
            # torch accepts any alpha >= 0; alpha >= 1 would freeze v at zero
            # (every step divides by eps), which is never what a learner means
            "alpha": check_number("alpha", h["alpha"], high=1.0, high_open=True, optimizer=n),
            "eps": check_number("eps", h["eps"], optimizer=n),
            "weight_decay": check_number("weight_decay", h["weight_decay"], optimizer=n),
            "momentum": check_number("momentum", h["momentum"], optimizer=n),
            "centered": check_flag("centered", h["centered"], optimizer=n),
        }

    def init(self, params: FloatArray) -> RMSpropState:
        zeros = np.zeros_like(params, dtype=np.float64)
        h = self.hyper
        return RMSpropState(
            0,
            zeros,
            zeros if h["centered"] else None,
            zeros if h["momentum"] > 0 else None,
        )

    def step(
        self, params: FloatArray, grad: FloatArray, state: RMSpropState, lr: Any
    ) -> tuple[FloatArray, RMSpropState]:
        h = self.hyper
        alpha = h["alpha"]
        g = grad + h["weight_decay"] * params if h["weight_decay"] else grad
        v = state.square_avg * alpha + (1.0 - alpha) * g * g
        g_avg = None
        if h["centered"]:
            assert state.grad_avg is not None
            g_avg = lerp(state.grad_avg, g, 1.0 - alpha)
            avg = np.sqrt(v - g_avg * g_avg) + h["eps"]
        else:
            avg = np.sqrt(v) + h["eps"]
        if h["momentum"] > 0:
            assert state.momentum_buffer is not None
            buf = state.momentum_buffer * h["momentum"] + g / avg
            return params - lr * buf, RMSpropState(state.step + 1, v, g_avg, buf)
        return params - lr * g / avg, RMSpropState(state.step + 1, v, g_avg, None)

    def state_columns(self, state: RMSpropState | None) -> dict[str, FloatArray]:
        # torch creates RMSprop's state on the first step
        if state is None or state.step == 0:
            return {}
        cols = {"square_avg": state.square_avg}
        if state.grad_avg is not None:
            cols["grad_avg"] = state.grad_avg
        if state.momentum_buffer is not None:
            cols["momentum_buffer"] = state.momentum_buffer
        cols["step"] = np.full(np.shape(state.square_avg), float(state.step))
        return cols
