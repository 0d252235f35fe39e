"""SGD with momentum, dampening, Nesterov and weight decay (torch.optim.SGD)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from core.errors import ConfigError
from core.optim.base import Optimizer, check_flag, check_number

if TYPE_CHECKING:
    from core._types import FloatArray


class SGDState(NamedTuple):
    momentum_buffer: FloatArray | None  # None until the first step, as in torch


class SGD(Optimizer):
    """Stochastic gradient descent, the same rule as ``torch.optim.SGD``.

    g ← ∇L + weight_decay·θ;  with momentum μ: b ← g on the first step, else
    b ← μ·b + (1 − dampening)·g;  d ← g + μ·b (Nesterov) or b;  θ ← θ − lr·d.
    """

    name = "sgd"
    torch_class = "SGD"
    defaults: dict[str, Any] = {  # noqa: RUF012
        "momentum": 0.0,
        "dampening": 0.0,
        "nesterov": False,
        "weight_decay": 0.0,
    }

    def validate(self, h: dict[str, Any]) -> dict[str, Any]:
        out = {
            "momentum": check_number("momentum", h["momentum"], optimizer="sgd"),
            "dampening": check_number("dampening", h["dampening"], optimizer="sgd"),
            "nesterov": check_flag("nesterov", h["nesterov"], optimizer="sgd"),
            "weight_decay": check_number("weight_decay", h["weight_decay"], optimizer="sgd"),
        }
        if out["nesterov"] and (out["momentum"] <= 0 or out["dampening"] != 0):
            raise ConfigError(
                "nesterov for sgd needs momentum > 0 and dampening = 0, "
                f"got momentum={out['momentum']!r}, dampening={out['dampening']!r}"
            )
        return out

    @property
    def is_plain(self) -> bool:
        """True when the update is just θ − lr·∇L (the engine's float fast path)."""
        return self.hyper["momentum"] == 0 and self.hyper["weight_decay"] == 0

    def init(self, params: FloatArray) -> SGDState:
        return SGDState(None)

    def state_columns(self, state: SGDState | None) -> dict[str, FloatArray]:
        if state is None or state.momentum_buffer is None:
            return {}
        return {"momentum_buffer": state.momentum_buffer}

    def step(
        self, params: FloatArray, grad: FloatArray, state: SGDState, lr: Any
    ) -> tuple[FloatArray, SGDState]:
        h = self.hyper
        g = grad + h["weight_decay"] * params if h["weight_decay"] else grad
        mu = h["momentum"]
        if not mu:
            return params - lr * g, state
        # torch starts the buffer at the gradient itself, so step 1 skips dampening
        if state.momentum_buffer is None:
            buf = g.copy()
        else:
            buf = mu * state.momentum_buffer + (1.0 - h["dampening"]) * g
        d = g + mu * buf if h["nesterov"] else buf
        return params - lr * d, SGDState(buf)
