"""Adagrad with learning-rate decay (torch.optim.Adagrad)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from core.optim.base import Optimizer, check_number

if TYPE_CHECKING:
    from core._types import FloatArray


class AdagradState(NamedTuple):
    step: int  # one count for a whole vectorised batch
    sum: FloatArray  # s, the running sum of squared gradients


class Adagrad(Optimizer):
    """Adagrad, the same rule as ``torch.optim.Adagrad`` (single-tensor code path).

    t ← t + 1;  g ← ∇L + weight_decay·θ;  clr = lr / (1 + (t − 1)·lr_decay);
    s ← s + g²;  θ ← θ − clr·g / (√s + eps).

    s starts at initial_accumulator_value; eps sits outside the square root.
    """

    name = "adagrad"
    torch_class = "Adagrad"
    defaults: dict[str, Any] = {  # noqa: RUF012
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    }

    def validate(self, h: dict[str, Any]) -> dict[str, Any]:
        return {k: check_number(k, h[k], optimizer=self.name) for k in self.defaults}

    def init(self, params: FloatArray) -> AdagradState:
        return AdagradState(0, np.full(np.shape(params), self.hyper["initial_accumulator_value"]))

    def step(
        self, params: FloatArray, grad: FloatArray, state: AdagradState, lr: Any
    ) -> tuple[FloatArray, AdagradState]:
        h = self.hyper
        t = state.step + 1
        g = grad + h["weight_decay"] * params if h["weight_decay"] else grad
        clr = lr / (1 + (t - 1) * h["lr_decay"])
        s = state.sum + g * g
        return params - clr * g / (np.sqrt(s) + h["eps"]), AdagradState(t, s)

    def state_columns(self, state: AdagradState | None) -> dict[str, FloatArray]:
        # unlike Adam, torch fills Adagrad's state when the optimizer is built
        if state is None:
            return {}
        return {"sum": state.sum, "step": np.full(np.shape(state.sum), float(state.step))}
