"""`torch_sweep`: many learning rates as one batch of torch tensors.

It is `core.sweep` with a torch backend for the one sweep loop
(`core.analysis.sweep_loop`): the same validation, the same divergence rule
(a diverged run is dropped from the working tensors at once, keeping its
last row), the same optimizer rules (`core.optim`, run with torch as the
array namespace), the same loss-history reductions and statuses, and the
same `SweepResult`, so the two agree to rounding in float64 (a test holds
them equal).

The runs' parameters are one tensor of shape (R,) per parameter, exactly
the components ``loss_c`` takes, and the optimizer's rule steps each on its
own: one (p, R) block would put every intermediate above the allocator's
mmap threshold at 10,000 runs (a fresh mapping, and its page faults, for
each tensor op), where an (R,) tensor stays on the heap.

The gradient comes either from the problem's hand-derived ``loss_grad_c``
evaluated in torch ops (no graph is recorded or replayed), or from one
backward pass with a gradient of ones (the same as summing the runs'
losses), which gives each run its own gradient because no run's loss
depends on another's parameters.

Cost on the cpu: each step is a few dozen small tensor ops, and torch spends
more per op than numpy, so at 10,000 runs the cpu sweep is slower than the
numpy one (see benchmarks/bench_torch.py); its purpose is a GPU, where the
same code runs unchanged.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import torch  # noqa: TID253  (this module is itself imported only when torch is chosen)

from core.analysis.sweep import prepare_sweep
from core.analysis.sweep_loop import SweepLoop
from core.errors import ConfigError
from core.torch_backend.device import resolve_device, to_tensor, to_torch_data, torch_dtype
from core.torch_backend.namespace import torch_namespace

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from core._types import FloatArray, IntArray
    from core.analysis.sweep_result import SweepResult
    from core.optim.base import Rule
    from core.problems.base import Dataset, Problem
    from core.run.batches import BatchPlan

GRADIENTS = ("autograd", "hand")
Params = tuple[torch.Tensor, ...]  # one (R,) tensor per parameter: run r's θ is column r


def _kept(value: Any, keep: torch.Tensor) -> Any:
    return value[keep] if isinstance(value, torch.Tensor) else value


def torch_sweep(problem: str | Problem, lrs: Sequence[float] | FloatArray, *, steps: int,
                optimizer: str = "sgd", device: str = "auto", dtype: str = "float64",
                start: Sequence[float] | None = None, batch: str | int = "full", seed: int = 0,
                tol: float | None = None, keep_history: bool = False, gradient: str = "hand",
                noise: float = 0.0, schedule: Any = None, **hyper: Any) -> SweepResult:
    """`core.sweep` computed in torch; see `core.torch_backend.torch_sweep`."""
    name = optimizer.lower() if isinstance(optimizer, str) else optimizer
    setup = prepare_sweep(problem, lrs, steps, name, start, batch, seed, tol, keep_history,
                          hyper, noise, schedule)
    if gradient not in GRADIENTS:
        raise ConfigError(f"gradient must be one of {', '.join(GRADIENTS)}, got {gradient!r}")
    backend = TorchBackend(setup.prob, setup.plan, resolve_device(device, dtype),
                           torch_dtype(dtype), by_hand=gradient == "hand")
    return SweepLoop(setup, backend, keep_history).run(name)


class TorchBackend:
    """The sweep's arrays as torch tensors on one device.

    The losses are written on the device into a block buffer that the loop
    reduces in numpy a block at a time; on the cpu in float64 the two buffers
    share memory, so nothing is copied.
    """

    def __init__(self, prob: Problem, plan: BatchPlan, device: torch.device,
                 dtype: torch.dtype, by_hand: bool) -> None:
        self.prob, self.plan, self.device, self.dtype = prob, plan, device, dtype
        self.by_hand = by_hand
        self.xp = torch_namespace()
        self.data = to_torch_data(prob.data, device, dtype)
        self.shared = device.type == "cpu" and dtype == torch.float64
        self.buf = np.empty((0, 0))
        self.dev_buf = torch.empty(0)
        self._idx: tuple[IntArray | None, torch.Tensor | None] = (None, None)
        self._ones = torch.empty(0)  # the backward pass's gradient of ones, per run

    def start(self, theta0: FloatArray, lrs: FloatArray) -> tuple[Params, torch.Tensor]:
        """The parameters (p tensors of shape (R,)) and the learning rates (R,)."""
        n, dev, dt = lrs.size, self.device, self.dtype
        theta = tuple(torch.full((n,), v, dtype=dt, device=dev) for v in theta0.tolist())
        return theta, to_tensor(lrs, dev, dt)

    def rates(self, lrs: FloatArray) -> torch.Tensor:
        """One update's learning rates (a (1, R) numpy array) as a tensor (R,)."""
        return to_tensor(lrs[0], self.device, self.dtype)

    def init(self, rule: Rule, hyper: Mapping[str, Any], theta: Params) -> tuple[Any, ...]:
        return tuple(rule.init(row, hyper, self.xp) for row in theta)

    def update(self, rule: Rule, grad: Params, state: tuple[Any, ...], theta: Params,
               hyper: Mapping[str, Any], lr: torch.Tensor) -> tuple[Params, tuple[Any, ...]]:
        out = [rule.update(g, s, t, hyper, lr, self.xp)
               for g, s, t in zip(grad, state, theta, strict=True)]
        return tuple([o[0] for o in out]), tuple([o[1] for o in out])

    def take(self, arrays: tuple[Any, ...], keep: torch.Tensor) -> tuple[Any, ...]:
        theta, grad, lr, loss, state = arrays
        rows = [tuple(row[keep] for row in a) for a in (theta, grad)]
        kept_state = tuple(type(s)(*(_kept(v, keep) for v in s)) for s in state)
        return (*rows, lr[keep], loss[keep], kept_state)

    def params(self, theta: Params) -> np.ndarray:
        return torch.stack(theta, 1).cpu().numpy()

    def shaken(self, grad: Params, noise: Any) -> Params:
        """Every run's gradient plus the same noise (one value per parameter)."""
        return tuple(g + float(z) for g, z in zip(grad, noise, strict=True))

    def loss_grad(self, theta: Params, k: int) -> tuple[torch.Tensor, Params]:
        """Full-data losses (R,) and the gradients the update uses, one (R,) per parameter."""
        if self.by_hand:
            return self._hand(theta, k)
        prob, xp, data = self.prob, self.xp, self.data
        leaves = tuple(row.detach().requires_grad_(True) for row in theta)
        if self.plan.uses_batches:
            with torch.no_grad():
                loss = prob.loss_c(xp, theta, data)
            target = prob.loss_c(xp, leaves, self._batch(k))
        else:
            loss = target = prob.loss_c(xp, leaves, data)
        # a gradient of ones is the gradient of the sum: each run's own gradient
        n = theta[0].shape[0]
        if self._ones.shape[0] != n:
            self._ones = torch.ones(n, dtype=self.dtype, device=self.device)
        grads = torch.autograd.grad(target, leaves, self._ones, allow_unused=True)
        return loss.detach(), tuple(torch.zeros_like(c) if g is None else g
                                    for c, g in zip(theta, grads, strict=True))

    def _hand(self, theta: Params, k: int) -> tuple[torch.Tensor, Params]:
        prob, xp = self.prob, self.xp
        with torch.no_grad():
            loss, g = prob.loss_grad_c(xp, theta, self.data)
            if self.plan.uses_batches:
                g = prob.loss_grad_c(xp, theta, self._batch(k))[1]
        n = theta[0].shape[0]
        # a term that does not depend on the parameters comes back as a number
        loss = torch.as_tensor(loss, dtype=self.dtype, device=self.device).expand(n)
        return loss, tuple(torch.as_tensor(gi, dtype=self.dtype, device=self.device).expand(n)
                           for gi in g)

    def _batch(self, k: int) -> Dataset:
        assert self.data is not None
        idx = self.plan.indices(k)
        if not isinstance(idx, slice):
            idx = torch.tensor(idx, device=self.device)  # a copy: the plan's arrays are read-only
        return self.data.take(idx)

    def attach(self, buf: FloatArray) -> None:
        self.buf = buf
        if self.shared:
            self.dev_buf = torch.from_numpy(buf)
        else:
            self.dev_buf = torch.full(buf.shape, math.nan, dtype=self.dtype, device=self.device)

    def record(self, j: int, loss: torch.Tensor, idx: IntArray | None) -> None:
        if idx is None:
            self.dev_buf[j].copy_(loss)
            return
        if self._idx[0] is not idx:  # the working runs changed: move their indices once
            self._idx = (idx, torch.from_numpy(idx).to(self.device))
        self.dev_buf[j].index_copy_(0, self._idx[1], loss)

    def scalars(self, *values: torch.Tensor) -> list[float]:
        # one transfer for all of them: on a GPU each one is a synchronisation
        return torch.stack(values).tolist()  # type: ignore[no-any-return]

    def numpy(self, a: torch.Tensor) -> np.ndarray:
        return a.cpu().numpy()

    def flush(self, rows: int) -> None:
        if not self.shared:
            self.buf[:rows] = self.dev_buf[:rows].cpu().numpy()

    def clear(self) -> None:
        self.buf.fill(np.nan)
        if not self.shared:
            self.dev_buf.fill_(math.nan)
