"""SGD with momentum, dampening, Nesterov and weight decay: ``torch.optim.SGD``.

g ← ∇L + weight_decay·θ;  with momentum μ: b ← g on the first step, else
b ← μ·b + (1 − dampening)·g;  d ← g + μ·b (Nesterov) or b;  θ ← θ − lr·d.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from core.checks import check_flag, check_number
from core.errors import ConfigError
from core.optim.base import Rule

if TYPE_CHECKING:
    from core._types import FloatArray


class SGDState(NamedTuple):
    momentum_buffer: Any  # None until the first step, as in torch


DEFAULTS: dict[str, Any] = {"momentum": 0.0, "dampening": 0.0, "nesterov": False,
                            "weight_decay": 0.0}


def check(h: dict[str, Any]) -> dict[str, Any]:
    out = {
        "momentum": check_number("momentum for sgd", h["momentum"], low=0.0),
        "dampening": check_number("dampening for sgd", h["dampening"], low=0.0),
        "nesterov": check_flag("nesterov for sgd", h["nesterov"]),
        "weight_decay": check_number("weight_decay for sgd", h["weight_decay"], low=0.0),
    }
    if out["nesterov"] and (out["momentum"] <= 0 or out["dampening"] != 0):
        raise ConfigError(
            "nesterov for sgd needs momentum > 0 and dampening = 0, "
            f"got momentum={out['momentum']!r}, dampening={out['dampening']!r}"
        )
    return out


def init(params: Any, hyper: Mapping[str, Any], xp: Any) -> SGDState:
    return SGDState(None)


def begin(state: SGDState, hyper: Mapping[str, Any], lr: Any) -> tuple[Any, ...]:
    return (lr, hyper["weight_decay"], hyper["momentum"], 1.0 - hyper["dampening"],
            hyper["nesterov"])


def apply(grad: Any, state: tuple[Any, ...], params: Any, shared: tuple[Any, ...],
          xp: Any) -> tuple[Any, tuple[Any, ...]]:
    lr, wd, mu, undamped, nesterov = shared
    (buf,) = state
    g = grad + wd * params if wd else grad
    if not mu:
        return params - lr * g, state
    # torch starts the buffer at the gradient itself, so step 1 skips dampening
    buf = g if buf is None else mu * buf + undamped * g
    d = g + mu * buf if nesterov else buf
    return params - lr * d, (buf,)


def update(grad: Any, state: SGDState, params: Any, hyper: Mapping[str, Any], lr: Any,
           xp: Any) -> tuple[Any, SGDState]:
    new, fields = apply(grad, state, params, begin(state, hyper, lr), xp)
    return new, SGDState(*fields)


def columns(state: SGDState, hyper: Mapping[str, Any]) -> dict[str, FloatArray]:
    return {} if state.momentum_buffer is None else {"momentum_buffer": state.momentum_buffer}


def plain(hyper: Mapping[str, Any]) -> bool:
    return hyper["momentum"] == 0 and hyper["weight_decay"] == 0


RULE = Rule("sgd", "SGD", DEFAULTS, check, init, update, columns, __doc__ or "", plain,
            begin, apply)
