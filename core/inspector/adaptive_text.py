"""The step inspector's text for NAdam, RAdam, Adamax and Adadelta.

Each describer repeats its rule's arithmetic (`core.optim.nadam`, ``radam``,
``adamax``, ``adadelta``) in the same order, with this step's numbers, and
shows the state torch keeps for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from core.inspector.model import constant
from core.inspector.optimizer_text import (
    OptimizerStep,
    StepContext,
    coupled_decay,
    decoupled_step,
    interleaved,
    moving_average,
    plain_step,
    step_count_line,
)
from core.optim.nadam import momentum_at
from core.optim.radam import RHO_THRESHOLD, rectification

if TYPE_CHECKING:
    from core._types import FloatArray
    from core.inspector.model import Line

B1, B2 = "β<sub>1</sub>", "β<sub>2</sub>"


def _gradient(ctx: StepContext, lines: list[Line]) -> tuple[FloatArray, str]:
    """The gradient the moments see: with coupled weight decay ``g′ = g + λ·θ``."""
    h = ctx.optimizer.hyper
    if h.get("decoupled_weight_decay"):
        return ctx.grad, "g"
    return coupled_decay(ctx, lines), "g′" if h["weight_decay"] else "g"


def _moments(ctx: StepContext, g: FloatArray, gs: str) -> list[Line]:
    """m and v (``exp_avg``, ``exp_avg_sq``), parameter by parameter."""
    beta1, beta2 = ctx.optimizer.hyper["betas"]
    m = moving_average(ctx, "exp_avg", "m", beta1, B1, gs, g)
    v = moving_average(ctx, "exp_avg_sq", "v", beta2, B2, gs, g, squared=True)
    return interleaved(m, v)


def _finish(ctx: StepContext, lines: list[Line], d: FloatArray) -> OptimizerStep:
    if ctx.optimizer.hyper.get("decoupled_weight_decay"):
        return decoupled_step(ctx, lines, d)
    return plain_step(ctx, lines, d, "d")


# ------------------------------------------------------------------ NAdam
def describe_nadam(ctx: StepContext) -> OptimizerStep:
    h = ctx.optimizer.hyper
    beta2, eps = h["betas"][1], h["eps"]
    lines: list[Line] = []
    g, gs = _gradient(ctx, lines)
    t = ctx.after.step
    lines.append(step_count_line(ctx, t))
    mu, mu_next = momentum_at(h, t), momentum_at(h, t + 1)
    psi = constant(h["momentum_decay"])
    for key, label, value, k, at in (("mu", "μ<sub>t</sub>", mu, t, "t"),
                                     ("mu_next", "μ<sub>t+1</sub>", mu_next, t + 1, "(t + 1)")):
        lines.append(ctx.line(
            f"optimizer.{key}", label, value, f"{B1}·(1 − ½·0.96<sup>({at}·ψ)</sup>)",
            f"{constant(h['betas'][0])} × (1 − 0.5 × 0.96<sup>({k} × {psi})</sup>)",
            note="ψ = momentum_decay: the momentum warms up towards β₁" if key == "mu" else ""))
    prod, prev = float(np.asarray(ctx.after.mu_product).flat[0]), ctx.before.mu_product
    lines.append(ctx.line("state.mu_product", "Π", prod, "Π<sub>prev</sub>·μ<sub>t</sub>",
                          f"{ctx.o(float(np.asarray(prev).flat[0]))} × {ctx.n(mu)}",
                          note="torch keeps Π in float32"))
    lines += _moments(ctx, g, gs)
    m, v = ctx.after.exp_avg, ctx.after.exp_avg_sq
    bc2 = 1.0 - beta2**t
    denom = np.sqrt(v / bc2) + eps
    c1, c2 = (1.0 - mu) / (1.0 - prod), mu_next / (1.0 - prod * mu_next)
    d = c1 * g / denom + c2 * m / denom
    lines += ctx.each(
        "direction", "d", d,
        f"((1 − μ<sub>t</sub>)/(1 − Π)·{gs} + μ<sub>t+1</sub>/(1 − Π·μ<sub>t+1</sub>)·m) / "
        "(√(v / bc<sub>2</sub>) + ε)",
        lambda i: f"({constant(c1)} × {ctx.n(g[i])} + {constant(c2)} × {ctx.n(m[i])}) / "
                  f"(√({ctx.n(v[i])} / {constant(bc2)}) + {constant(eps)})",
        note="this step's gradient plus the momentum one step ahead (Nesterov)")
    return _finish(ctx, lines, d)


# ------------------------------------------------------------------ RAdam
def describe_radam(ctx: StepContext) -> OptimizerStep:
    h = ctx.optimizer.hyper
    beta1, beta2 = h["betas"]
    lines: list[Line] = []
    g, gs = _gradient(ctx, lines)
    t = ctx.after.step
    lines.append(step_count_line(ctx, t))
    lines += _moments(ctx, g, gs)
    m, v = ctx.after.exp_avg, ctx.after.exp_avg_sq
    bc1, bc2 = 1.0 - beta1**t, 1.0 - beta2**t
    rho_t, rect = rectification(beta2, t)
    lines.append(ctx.line(
        "optimizer.rho_t", "ρ<sub>t</sub>", rho_t,
        f"ρ<sub>∞</sub> − 2t·{B2}<sup>t</sup>/(1 − {B2}<sup>t</sup>)",
        f"{constant(2.0 / (1.0 - beta2) - 1.0)} − 2 × {t} × {constant(beta2)}<sup>{t}</sup> / "
        f"{constant(bc2)}",
        note=(f"ρ_t > {RHO_THRESHOLD:g}: v has averaged enough gradients to divide by"
              if rect is not None else
              f"ρ_t ≤ {RHO_THRESHOLD:g}: too few gradients yet to trust v, so momentum alone")))
    if rect is None:
        d = m / bc1
        lines += ctx.each("direction", "d", d, "m / bc<sub>1</sub>",
                          lambda i: f"{ctx.o(m[i])} / {constant(bc1)}")
        return _finish(ctx, lines, d)
    lines.append(ctx.line("optimizer.rect", "r", rect,
                          "√((ρ<sub>t</sub> − 4)(ρ<sub>t</sub> − 2)ρ<sub>∞</sub> / "
                          "((ρ<sub>∞</sub> − 4)(ρ<sub>∞</sub> − 2)ρ<sub>t</sub>))"))
    d = m / bc1 * (bc2**0.5 / (np.sqrt(v) + h["eps"])) * rect
    lines += ctx.each(
        "direction", "d", d, "(m / bc<sub>1</sub>)·√bc<sub>2</sub> / (√v + ε)·r",
        lambda i: f"({ctx.o(m[i])} / {constant(bc1)}) × √{constant(bc2)} / "
                  f"(√{ctx.n(v[i])} + {constant(h['eps'])}) × {constant(rect)}")
    return _finish(ctx, lines, d)


# ------------------------------------------------------------------ Adamax
def describe_adamax(ctx: StepContext) -> OptimizerStep:
    h = ctx.optimizer.hyper
    beta1, beta2 = h["betas"]
    eps = constant(h["eps"])
    lines: list[Line] = []
    g, gs = _gradient(ctx, lines)
    t = ctx.after.step
    lines.append(step_count_line(ctx, t))
    m_lines = moving_average(ctx, "exp_avg", "m", beta1, B1, gs, g)
    prev, u = ctx.before.exp_inf, ctx.after.exp_inf
    u_lines = ctx.each("state.exp_inf", "u", u, f"max({B2}·u<sub>prev</sub>, |{gs}| + ε)",
                       lambda i: f"max({constant(beta2)} × {ctx.n(prev[i])}, "
                                 f"|{ctx.n(g[i])}| + {eps})",
                       note="a decaying running maximum of |g|, not a mean of g²")
    lines += interleaved(m_lines, u_lines)
    bc1 = 1.0 - beta1**t
    m = ctx.after.exp_avg
    d = m / u / bc1
    lines += ctx.each("direction", "d", d, "m / u / bc<sub>1</sub>",
                      lambda i: f"{ctx.o(m[i])} / {ctx.n(u[i])} / {constant(bc1)}")
    return plain_step(ctx, lines, d, "d")


# ------------------------------------------------------------------ Adadelta
def describe_adadelta(ctx: StepContext) -> OptimizerStep:
    h = ctx.optimizer.hyper
    rho, eps = h["rho"], constant(h["eps"])
    lines: list[Line] = []
    g, gs = _gradient(ctx, lines)
    lines.append(step_count_line(ctx, ctx.after.step))
    lines += moving_average(ctx, "square_avg", "v", rho, "ρ", gs, g, squared=True)
    a_prev, v = ctx.before.acc_delta, ctx.after.square_avg
    d = np.sqrt(a_prev + h["eps"]) / np.sqrt(v + h["eps"]) * g
    lines += ctx.each("direction", "d", d, f"√(a<sub>prev</sub> + ε) / √(v + ε)·{gs}",
                      lambda i: f"√({ctx.o(a_prev[i])} + {eps}) / √({ctx.n(v[i])} + {eps}) "
                                f"× {ctx.n(g[i])}",
                      note="the running size of past steps over that of the gradients")
    lines += ctx.each("state.acc_delta", "a", ctx.after.acc_delta,
                      "ρ·a<sub>prev</sub> + (1 − ρ)·d²",
                      lambda i: f"{constant(rho)} × {ctx.n(a_prev[i])} + "
                                f"{constant(1.0 - rho)} × {ctx.n(d[i])}²")
    return plain_step(ctx, lines, d, "d")
