"""`torch_sweep`: many learning rates as one batch of torch tensors.

The runs' parameters are held as one tensor of shape (R,) per parameter (the
columns of the (R, p) parameter array), exactly the components ``loss_c``
takes. Each step evaluates the problem's ``loss_c`` for all runs at once,
giving R per-run losses; one backward pass with a gradient of ones (the same
as summing them) gives each run its own gradient, because no run's loss
depends on another's parameters. The update is the optimizer's rule written
in tensor ops (`core.torch_backend.optim`); torch.optim with a param group per
lr would not scale.

Cost on the cpu: each step is a few dozen small tensor ops, and torch spends
more per op than numpy (autograd records the forward and replays it
backwards), so at 10,000 runs the cpu sweep is slower than the numpy one (see
benchmarks/bench_torch.py); its purpose is a GPU, where the same code runs
unchanged.

Everything else is `core.sweep`'s: the same validation, the same divergence
rule (a diverged run is dropped from the working tensors at once, keeping its
last row), the same loss-history reductions and statuses, and the same
`SweepResult`, so the two agree to rounding (float64) and a test holds them
equal.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import torch  # noqa: TID253  (this module is itself imported only when torch is chosen)

from core.analysis.sweep import SweepResult, _Loop, prepare_sweep
from core.errors import ConfigError
from core.run.batches import BatchPlan
from core.run.trainer import DIVERGENCE_FACTOR
from core.torch_backend.device import resolve_device, to_tensor, to_torch_data, torch_dtype
from core.torch_backend.optim import make_rule
from core.xp import torch_namespace

if TYPE_CHECKING:
    from collections.abc import Sequence

    from core._types import FloatArray
    from core.optim.base import Optimizer
    from core.problems.base import Dataset, Problem


def torch_sweep(
    problem: str | Problem,
    lrs: Sequence[float] | FloatArray,
    *,
    steps: int,
    optimizer: str = "sgd",
    device: str = "auto",
    dtype: str = "float64",
    start: Sequence[float] | None = None,
    batch: str | int = "full",
    seed: int = 0,
    tol: float | None = None,
    keep_history: bool = False,
    gradient: str = "hand",
    **hyper: Any,
) -> SweepResult:
    """`core.sweep.sweep` computed in torch, on the cpu or a GPU.

    Parameters
    ----------
    problem, lrs, steps, optimizer, start, batch, seed, tol, keep_history, **hyper
        As for `core.sweep.sweep`.
    device
        ``auto`` (cuda, then mps, then cpu), ``cpu``, ``cuda`` or ``mps``.
    dtype
        ``float64`` (default: agrees with the numpy sweep to rounding) or
        ``float32`` (faster on most GPUs, ~7 significant digits).
    gradient
        ``hand`` (default): the problem's hand-derived gradient
        (``loss_grad_c``) evaluated in torch ops, about three times cheaper
        per step than a backward pass (no graph is recorded or replayed); it
        keeps a CPU sweep within 2x of the numpy sweep.
        ``autograd``: one backward pass through the problem's loss.

    Returns
    -------
    SweepResult
        The same type, fields and statuses as the numpy sweep.
    """
    name = optimizer.lower() if isinstance(optimizer, str) else optimizer
    setup = prepare_sweep(problem, lrs, steps, name, start, batch, seed, tol, keep_history,
                          hyper)
    if gradient not in GRADIENTS:
        raise ConfigError(f"gradient must be one of {', '.join(GRADIENTS)}, got {gradient!r}")
    loop = _TorchLoop(*setup, keep_history, resolve_device(device, dtype), torch_dtype(dtype),
                      gradient)
    loop.run()
    return loop.result(name)


Params = list[torch.Tensor]  # one (R,) tensor per parameter: run r's θ is column r
GRADIENTS = ("autograd", "hand")


class _TorchLoop(_Loop):
    """`core.sweep`'s loop with the per-step arithmetic done in torch.

    The loss history is written on the device into a block buffer and handed
    to the numpy reductions (``self.stats``) a block at a time; on the cpu in
    float64 the two buffers share memory, so nothing is copied.
    """

    def __init__(self, prob: Problem, opt: Optimizer, plan: BatchPlan, theta0: FloatArray,
                 lrs: FloatArray, steps: int, tol: float, keep_history: bool,
                 device: torch.device, dtype: torch.dtype, gradient: str = "autograd") -> None:
        super().__init__(prob, opt, plan, theta0, lrs, steps, tol, keep_history)
        self.device, self.dtype = device, dtype
        self.by_hand = gradient == "hand"
        self.shared = device.type == "cpu" and dtype == torch.float64
        if self.shared:
            self.dev_buf = torch.from_numpy(self.buf)
        else:
            self.dev_buf = torch.full(self.buf.shape, math.nan, dtype=dtype, device=device)

    def _flush(self, rows: int, k0: int) -> None:
        """Hand rows 0..rows-1 of the block (history rows k0...) to the reductions."""
        if not self.shared:
            self.buf[:rows] = self.dev_buf[:rows].cpu().numpy()
        self.stats.update(self.buf[:rows], k0)
        if not self.keep_history:
            self.buf.fill(np.nan)
            if not self.shared:
                self.dev_buf.fill_(math.nan)

    def _batch(self, data: Dataset, k: int) -> Dataset:
        idx = self.plan.indices(k)
        if not isinstance(idx, slice):
            idx = torch.tensor(idx, device=self.device)  # a copy: the plan's arrays are read-only
        return data.take(idx)

    def _loss_grad(self, theta: Params, data: Dataset | None, k: int,
                   ones: torch.Tensor) -> tuple[torch.Tensor, Params]:
        """Full-data losses (R,) and the gradients the update uses (one (R,) per parameter)."""
        prob, xp = self.prob, torch_namespace()
        if self.by_hand:
            return self._hand_loss_grad(theta, data, k)
        leaves = [c.detach().requires_grad_(True) for c in theta]
        if self.plan.uses_batches:
            assert data is not None
            with torch.no_grad():
                loss = prob.loss_c(xp, tuple(theta), data)
            target = prob.loss_c(xp, tuple(leaves), self._batch(data, k))
        else:
            loss = target = prob.loss_c(xp, tuple(leaves), data)
        # a gradient of ones is the gradient of the sum: each run's own gradient
        grads = torch.autograd.grad(target, leaves, ones, allow_unused=True)
        return loss.detach(), [torch.zeros_like(c) if g is None else g
                               for c, g in zip(theta, grads, strict=True)]

    def _hand_loss_grad(self, theta: Params, data: Dataset | None,
                        k: int) -> tuple[torch.Tensor, Params]:
        prob, xp, comps = self.prob, torch_namespace(), tuple(theta)
        with torch.no_grad():
            loss, g = prob.loss_grad_c(xp, comps, data)
            if self.plan.uses_batches:
                assert data is not None
                g = prob.loss_grad_c(xp, comps, self._batch(data, k))[1]
        n = theta[0].shape[0]
        # a term that does not depend on the parameters comes back as a number
        loss = torch.as_tensor(loss, dtype=self.dtype, device=self.device).expand(n)
        return loss, [torch.as_tensor(gi, dtype=self.dtype, device=self.device).expand(n)
                      for gi in g]

    def run(self) -> None:
        prob, steps = self.prob, self.steps
        dev, dt = self.device, self.dtype
        n = self.lrs.size
        data = to_torch_data(prob.data, dev, dt)
        # one tensor per parameter rather than one (p, R) block: autograd then
        # needs no unbind/stack, and each tensor stays small enough (80 kB for
        # 10,000 runs) for the heap instead of a fresh mmap on every allocation
        theta = [torch.full((n,), v, dtype=dt, device=dev) for v in self.theta0.tolist()]
        lr = to_tensor(self.lrs, dev, dt)
        ones = torch.ones(n, dtype=dt, device=dev)
        rules = [make_rule(self.opt.name, self.opt.hyper, c) for c in theta]
        idx: np.ndarray | None = None  # original runs of the working tensors (None: all)
        idx_t: torch.Tensor | None = None
        limit = math.inf
        k0 = 0  # first history row held in the block buffer
        loss = torch.empty(0, dtype=dt, device=dev)
        for k in range(steps + 1):
            loss, grad = self._loss_grad(theta, data, k, ones)
            j = k - k0
            if idx_t is None:
                self.dev_buf[j].copy_(loss)
            else:
                self.dev_buf[j].index_copy_(0, idx_t, loss)
            if k == 0:
                self.loss0 = float(loss[0])
                if math.isfinite(self.loss0):
                    limit = max(DIVERGENCE_FACTOR * self.loss0, DIVERGENCE_FACTOR)
            if not _all_ok(loss, grad, theta, limit):  # rare: some runs diverged at row k
                ok = _ok_rows(loss, grad, theta, limit)
                bad = ~ok
                keep = ok.cpu().numpy()
                gone = np.flatnonzero(~keep) if idx is None else idx[~keep]
                self.diverged_at[gone] = k
                self.final_loss[gone] = loss[bad].cpu().numpy()
                self.final_params[gone] = torch.stack([c[bad] for c in theta], 1).cpu().numpy()
                idx = np.flatnonzero(keep) if idx is None else idx[keep]
                idx_t = torch.from_numpy(idx).to(dev)
                theta, grad = [c[ok] for c in theta], [g[ok] for g in grad]
                lr, loss, ones = lr[ok], loss[ok], ones[: idx.size]
                for rule in rules:
                    rule.take(ok)
            last = k == steps or (idx is not None and idx.size == 0)
            if last or j == self.block_rows - 1:
                self._flush(j + 1, k0)
                if not self.keep_history:
                    k0 = k + 1
            if last:
                break
            theta = [r.step(c, g, lr) for r, c, g in zip(rules, theta, grad, strict=True)]
        alive = slice(None) if idx is None else idx
        self.final_loss[alive] = loss.cpu().numpy()
        self.final_params[alive] = torch.stack(theta, 1).cpu().numpy()


def _total(loss: torch.Tensor, grad: Params, theta: Params) -> torch.Tensor:
    """Per run ``loss + Σg + Σθ``, summed in numpy's order (so an overflow to inf
    counts as divergence exactly when it does there)."""
    gs, *g_rest = grad
    ts, *t_rest = theta
    for g in g_rest:
        gs = gs + g
    for t in t_rest:
        ts = ts + t
    return loss + gs + ts


def _all_ok(loss: torch.Tensor, grad: Params, theta: Params, limit: float) -> bool:
    """True if no run diverges at this row; False means "look row by row".

    The engine's rule is that ``loss + Σg + Σθ`` is finite and the loss is at
    most ``limit``. If the sum of that total over all runs is finite, every
    run's total is (an inf or nan anywhere would make it inf or nan), so two
    reductions answer for all runs; an overflow of the sum merely sends us to
    the exact row-by-row check.
    """
    # one transfer for both numbers: on a GPU each one is a synchronisation
    total, peak = torch.stack((_total(loss, grad, theta).sum(), loss.max())).tolist()
    return math.isfinite(total) and peak <= limit


def _ok_rows(loss: torch.Tensor, grad: Params, theta: Params, limit: float) -> torch.Tensor:
    """Per run: the row is not diverged (the engine's rule; ``t − t`` is nan for inf/nan)."""
    total = _total(loss, grad, theta)
    return (loss <= limit) & (total - total == 0.0)
