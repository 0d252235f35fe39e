"""torch.optim's update rules as batched tensor functions, for sweeps.

torch.optim with one param group per learning rate does not scale to
thousands of runs (PITFALLS §7), so the sweep writes each rule once in tensor
ops over a whole batch of runs at once: ``params`` and ``grad`` hold one
entry per run along their last axis and ``lr`` (one per run) broadcasts
against them. The formulas, and the order
of their operations, are the numpy optimizers' (core/optimizers/*.py), which
mirror torch's single-tensor loops; see those modules for the math.
"""

from __future__ import annotations

from typing import Any

import torch  # noqa: TID253  (this module is itself imported only when torch is chosen)


class BatchedRule:
    """One optimizer's update over a batch of runs; holds the state tensors.

    ``step(params, grad, lr)`` returns the new parameters (a new tensor, so a
    tensor autograd saved is never changed in place) and keeps the state for
    the next call. Runs lie along the last axis of ``params`` (the sweep passes
    one parameter at a time, shape (R,)); ``lr`` has shape (R,).
    """

    def __init__(self, hyper: dict[str, Any], params: torch.Tensor) -> None:
        self.h = hyper
        self.t = 0  # one step count for the whole batch: every run steps together

    def step(self, params: torch.Tensor, grad: torch.Tensor, lr: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def take(self, keep: torch.Tensor) -> None:
        """Keep only the runs where ``keep`` is True (runs lie along the last axis)."""
        for name, value in list(vars(self).items()):
            if isinstance(value, torch.Tensor) and value.ndim >= 1:
                setattr(self, name, value[..., keep])


class SGDRule(BatchedRule):
    def __init__(self, hyper: dict[str, Any], params: torch.Tensor) -> None:
        super().__init__(hyper, params)
        self.buf: torch.Tensor | None = None

    def step(self, params: torch.Tensor, grad: torch.Tensor, lr: torch.Tensor) -> torch.Tensor:
        h = self.h
        g = grad + h["weight_decay"] * params if h["weight_decay"] else grad
        mu = h["momentum"]
        if not mu:
            return params - lr * g
        # torch starts the buffer at the gradient itself, so step 1 skips dampening
        if self.buf is None:
            self.buf = g.clone()
        else:
            self.buf = mu * self.buf + (1.0 - h["dampening"]) * g
        d = g + mu * self.buf if h["nesterov"] else self.buf
        return params - lr * d


class AdamRule(BatchedRule):
    decoupled = False

    def __init__(self, hyper: dict[str, Any], params: torch.Tensor) -> None:
        super().__init__(hyper, params)
        self.m = torch.zeros_like(params)
        self.v = torch.zeros_like(params)
        self.v_max = torch.zeros_like(params) if hyper["amsgrad"] else None

    def step(self, params: torch.Tensor, grad: torch.Tensor, lr: torch.Tensor) -> torch.Tensor:
        h = self.h
        beta1, beta2 = h["betas"]
        self.t += 1
        t = self.t
        wd = h["weight_decay"]
        if wd:
            if self.decoupled:
                params = params * (1.0 - lr * wd)
            else:
                grad = grad + wd * params
        self.m = torch.lerp(self.m, grad, 1.0 - beta1)
        self.v = self.v * beta2 + (1.0 - beta2) * grad * grad
        v = self.v
        if self.v_max is not None:
            self.v_max = torch.maximum(self.v_max, self.v)
            v = self.v_max
        step_size = lr / (1.0 - beta1**t)
        bc2_sqrt = (1.0 - beta2**t) ** 0.5
        denom = torch.sqrt(v) / bc2_sqrt + h["eps"]
        return params - step_size * self.m / denom


class AdamWRule(AdamRule):
    decoupled = True


class RMSpropRule(BatchedRule):
    def __init__(self, hyper: dict[str, Any], params: torch.Tensor) -> None:
        super().__init__(hyper, params)
        self.v = torch.zeros_like(params)
        self.g_avg = torch.zeros_like(params) if hyper["centered"] else None
        self.buf = torch.zeros_like(params) if hyper["momentum"] > 0 else None

    def step(self, params: torch.Tensor, grad: torch.Tensor, lr: torch.Tensor) -> torch.Tensor:
        h = self.h
        alpha = h["alpha"]
        self.t += 1
        g = grad + h["weight_decay"] * params if h["weight_decay"] else grad
        self.v = self.v * alpha + (1.0 - alpha) * g * g
        if self.g_avg is not None:
            self.g_avg = torch.lerp(self.g_avg, g, 1.0 - alpha)
            avg = torch.sqrt(self.v - self.g_avg * self.g_avg) + h["eps"]
        else:
            avg = torch.sqrt(self.v) + h["eps"]
        if self.buf is not None:
            self.buf = self.buf * h["momentum"] + g / avg
            return params - lr * self.buf
        return params - lr * g / avg


class AdagradRule(BatchedRule):
    def __init__(self, hyper: dict[str, Any], params: torch.Tensor) -> None:
        super().__init__(hyper, params)
        self.sum = torch.full_like(params, hyper["initial_accumulator_value"])

    def step(self, params: torch.Tensor, grad: torch.Tensor, lr: torch.Tensor) -> torch.Tensor:
        h = self.h
        self.t += 1
        g = grad + h["weight_decay"] * params if h["weight_decay"] else grad
        clr = lr / (1 + (self.t - 1) * h["lr_decay"])
        self.sum = self.sum + g * g
        return params - clr * g / (torch.sqrt(self.sum) + h["eps"])


RULES: dict[str, type[BatchedRule]] = {
    "sgd": SGDRule,
    "adam": AdamRule,
    "adamw": AdamWRule,
    "rmsprop": RMSpropRule,
    "adagrad": AdagradRule,
}


def make_rule(name: str, hyper: dict[str, Any], params: torch.Tensor) -> BatchedRule:
    """The batched rule for an optimizer name, with validated hyper-parameters."""
    return RULES[name](hyper, params)
