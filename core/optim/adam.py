"""Adam and AdamW (torch.optim.Adam, torch.optim.AdamW)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from core.errors import ConfigError
from core.optim.base import Optimizer, check_flag, check_number

if TYPE_CHECKING:
    from core._types import FloatArray


class AdamState(NamedTuple):
    # One count for a whole vectorised batch: every run steps together, so the
    # bias corrections stay Python floats.
    step: int
    exp_avg: FloatArray  # m, the first moment
    exp_avg_sq: FloatArray  # v, the second moment
    max_exp_avg_sq: FloatArray | None  # running max of v; only with amsgrad


def lerp(start: Any, end: Any, weight: float) -> Any:
    """``start + weight·(end − start)``, in the form torch's ``lerp`` uses.

    torch switches to ``end − (end − start)·(1 − weight)`` for weight >= 0.5,
    so weight = 1 lands on ``end`` exactly; mirroring both branches keeps us
    within rounding of torch for any beta.
    """
    if abs(weight) < 0.5:
        return start + weight * (end - start)
    return end - (end - start) * (1.0 - weight)


def check_betas(value: Any, optimizer: str) -> tuple[float, float]:
    """A pair of coefficients, each in [0, 1)."""
    pair_like = (isinstance(value, Sequence) and not isinstance(value, str | bytes)) or (
        isinstance(value, np.ndarray) and value.ndim == 1
    )
    if not pair_like or len(value) != 2:
        raise ConfigError(
            f"betas for {optimizer} must be a pair of numbers (beta1, beta2), "
            f"each in [0, 1), got {value!r}"
        )
    b1, b2 = (
        check_number(f"betas[{i}]", b, low=0.0, high=1.0, high_open=True, optimizer=optimizer)
        for i, b in enumerate(value)
    )
    return b1, b2


class Adam(Optimizer):
    """Adam, the same rule as ``torch.optim.Adam`` (single-tensor code path).

    t ← t + 1;  g ← ∇L + weight_decay·θ;
    m ← lerp(m, g, 1 − β1) = m + (1 − β1)·(g − m);  v ← β2·v + (1 − β2)·g²;
    with amsgrad: v_max ← max(v_max, v) and v_max replaces v below;
    bc1 = 1 − β1^t, bc2 = 1 − β2^t;
    θ ← θ − (lr / bc1)·m / (√v / √bc2 + eps).

    eps sits outside the square root, and m, v start at zero with t = 1 on the
    first step, exactly as in torch.
    """

    name = "adam"
    torch_class = "Adam"
    decoupled_weight_decay = False
    defaults: dict[str, Any] = {  # noqa: RUF012
        "betas": (0.9, 0.999),
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": False,
    }

    def validate(self, h: dict[str, Any]) -> dict[str, Any]:
        n = self.name
        return {
            "betas": check_betas(h["betas"], n),
            "eps": check_number("eps", h["eps"], optimizer=n),
            "weight_decay": check_number("weight_decay", h["weight_decay"], optimizer=n),
            "amsgrad": check_flag("amsgrad", h["amsgrad"], optimizer=n),
        }

    def init(self, params: FloatArray) -> AdamState:
        zeros = np.zeros_like(params, dtype=np.float64)
        return AdamState(0, zeros, zeros, zeros if self.hyper["amsgrad"] else None)

    def step(
        self, params: FloatArray, grad: FloatArray, state: AdamState, lr: Any
    ) -> tuple[FloatArray, AdamState]:
        h = self.hyper
        beta1, beta2 = h["betas"]
        t = state.step + 1
        wd = h["weight_decay"]
        if wd:
            if self.decoupled_weight_decay:
                # AdamW decays with the lr of this step, so a live lr change applies at once
                params = params * (1.0 - lr * wd)
            else:
                grad = grad + wd * params
        m = lerp(state.exp_avg, grad, 1.0 - beta1)
        # torch's addcmul evaluates value·g·g left to right
        v = state.exp_avg_sq * beta2 + (1.0 - beta2) * grad * grad
        v_max = None
        if h["amsgrad"]:
            assert state.max_exp_avg_sq is not None
            v_max = np.maximum(state.max_exp_avg_sq, v)
        step_size = lr / (1.0 - beta1**t)
        # torch writes bc2**0.5, not math.sqrt; the two may differ in the last bit
        bc2_sqrt = (1.0 - beta2**t) ** 0.5
        denom = np.sqrt(v if v_max is None else v_max) / bc2_sqrt + h["eps"]
        return params - step_size * m / denom, AdamState(t, m, v, v_max)

    def state_columns(self, state: AdamState | None) -> dict[str, FloatArray]:
        # torch creates Adam's state on the first step; before it there is nothing to show
        if state is None or state.step == 0:
            return {}
        beta1, beta2 = self.hyper["betas"]
        shape = np.shape(state.exp_avg)
        cols = {"exp_avg": state.exp_avg, "exp_avg_sq": state.exp_avg_sq}
        if state.max_exp_avg_sq is not None:
            cols["max_exp_avg_sq"] = state.max_exp_avg_sq
        cols["bias_correction1"] = np.full(shape, 1.0 - beta1**state.step)
        cols["bias_correction2"] = np.full(shape, 1.0 - beta2**state.step)
        cols["step"] = np.full(shape, float(state.step))
        return cols


class AdamW(Adam):
    """AdamW, the same rule as ``torch.optim.AdamW`` (Adam with decoupled decay).

    t ← t + 1;  θ ← θ·(1 − lr·weight_decay)  (decoupled: the decay never enters
    m or v, and it uses this step's lr);  g ← ∇L;
    m ← lerp(m, g, 1 − β1);  v ← β2·v + (1 − β2)·g²;  (amsgrad: v_max ← max(v_max, v));
    θ ← θ − (lr / (1 − β1^t))·m / (√v / √(1 − β2^t) + eps).

    Same defaults as Adam except weight_decay = 0.01.
    """

    name = "adamw"
    torch_class = "AdamW"
    decoupled_weight_decay = True
    defaults: dict[str, Any] = {**Adam.defaults, "weight_decay": 1e-2}  # noqa: RUF012
