"""`TorchTrainer`: the engine's run loop with autograd gradients and the real torch.optim.

It is the independent check of the numpy engine, so it deliberately does not
use the optimizer rules of `core.optim`: the update is made by the
``torch.optim`` class itself (``foreach=False``, torch's single-tensor loop,
the code those rules mirror), and the gradient by ``backward()`` rather than
the hand-derived one. Tests hold the two backends equal on every problem.

Same rows, columns, divergence and convergence rules as the numpy `Trainer`
(it is one, with its own stepper); only where the numbers come from
differs. Each row evaluates the problem's own ``loss_c`` in torch on one leaf
tensor ``θ`` of shape ``(p,)``, and the row's learning rate is written into
``param_groups[0]["lr"]`` before the step (a live lr change or a schedule
reaches torch the way a torch user would apply it).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy as np
import torch  # noqa: TID253  (this module is itself imported only when torch is chosen)

from core.optim import get_rule
from core.run.noise import standard_noise
from core.run.steppers import Chunk, Limits, Stop
from core.run.trainer import Run, Trainer
from core.torch_backend.device import (
    device_name,
    resolve_device,
    to_tensor,
    to_torch_data,
    torch_dtype,
    torch_loss,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from core._types import FloatArray
    from core.problems.base import Dataset, Problem
    from core.run.config import RunConfig


def make_torch_optimizer(
    name: str, hyper: dict[str, Any], param: torch.Tensor, lr: float
) -> torch.optim.Optimizer:
    """The torch.optim class that ``name`` mirrors, with the same hyper-parameters.

    ``foreach=False`` selects torch's single-tensor loop on every device: it is
    the code the numpy optimizers mirror (the default foreach path on CUDA may
    round differently in the last bit), and with one small parameter tensor
    foreach would gain nothing.
    """
    cls = getattr(torch.optim, get_rule(name).torch_class)
    kw = dict(hyper)
    if "betas" in kw:
        kw["betas"] = tuple(float(b) for b in kw["betas"])
    return cls([param], lr=lr, foreach=False, **kw)  # type: ignore[no-any-return]


class TorchTrainer(Trainer):
    """A `Trainer` whose gradients come from autograd and updates from torch.optim.

    ``cfg.device`` (``auto``, ``cpu``, ``cuda``, ``mps``) and ``cfg.dtype``
    (``float64``, ``float32``) choose where and how precisely it computes; the
    step table is float64 whatever the dtype, so float32 drift shows up in it.
    """

    def __init__(self, problem: Problem, cfg: RunConfig) -> None:
        super().__init__(problem, cfg)
        self._torch_device = resolve_device(cfg.device, cfg.dtype)
        self._dtype = torch_dtype(cfg.dtype)
        self._param = to_tensor(self.start, self._torch_device, self._dtype).requires_grad_(True)
        self._data = to_torch_data(problem.data, self._torch_device, self._dtype)
        self._torch_opt = make_torch_optimizer(
            cfg.optimizer, self.optimizer.hyper, self._param, cfg.lr
        )
        self._stepper = self

    def _make_stepper(self) -> Any:
        return None  # this trainer is its own stepper, made once torch is set up

    # ------------------------------------------------------------ state
    @property
    def device(self) -> str:
        """The device the run computes on, with its index: ``cpu``, ``cuda:0``, ``mps:0``."""
        return str(self._param.device)

    @property
    def theta(self) -> FloatArray:
        return self._param.detach().cpu().numpy().astype(np.float64)

    @property
    def state(self) -> Any:  # the stepper's name for it
        return self.optimizer_state

    @property
    def optimizer_state(self) -> Any:
        """torch.optim's state as the numpy optimizer's state tuple.

        The numpy state tuples use torch's ``optimizer.state`` keys as field
        names, so ``self.optimizer.state_columns`` shows either backend.
        """
        empty = self.optimizer.init(self.theta)
        state = self._torch_opt.state.get(self._param)
        if not state:  # torch creates most state lazily on the first step
            return empty

        def value(key: str) -> Any:
            v = state.get(key)
            if v is None:
                return None
            if key == "step":
                return int(v.item()) if isinstance(v, torch.Tensor) else int(v)
            return v.detach().cpu().numpy().astype(np.float64)

        return type(empty)._make(value(f) for f in type(empty)._fields)

    @property
    def torch_optimizer(self) -> torch.optim.Optimizer:
        """The live torch.optim object (its state and param groups)."""
        return self._torch_opt

    def result(self) -> Run:
        run = super().result()
        run.extra.update(
            backend="torch", dtype=self.config.dtype, torch=torch.__version__,
            device_name=device_name(self._param.device),
        )
        return run

    # ------------------------------------------------------------ loop
    def _batch(self, k: int) -> Dataset:
        assert self._data is not None
        idx = self.plan.indices(k)
        if not isinstance(idx, slice):
            # a copy: BatchPlan's cached permutations are read-only numpy arrays
            idx = torch.tensor(idx, device=self._torch_device)
        return self._data.take(idx)

    def _row(self, k: int, batches: bool, noise: torch.Tensor | None) -> list[float]:
        """θ, the full loss, the gradient the update uses (and the batch loss), as floats.

        With gradient noise, the noise is added to ``param.grad`` before the
        step, as a torch user would perturb a gradient by hand.
        """
        param, problem = self._param, self.problem
        param.grad = None
        if batches:
            with torch.no_grad():
                loss = torch_loss(problem, param, self._data)
            batch_loss = torch_loss(problem, param, self._batch(k))
            batch_loss.backward()
        else:
            loss = torch_loss(problem, param, self._data)
            loss.backward()
        if noise is not None:
            assert param.grad is not None
            param.grad.add_(noise)
        parts = [param.detach(), loss.detach().reshape(1), param.grad]
        if batches:
            parts.append(batch_loss.detach().reshape(1))
        # one device-to-host transfer per row: the checks below need the values
        return torch.cat(parts).tolist()  # type: ignore[no-any-return]

    def rows(self, k0: int, lrs: Sequence[float], last: int, lim: Limits) -> Chunk:
        """The stepper's contract (`core.run.steppers`): rows k0, k0 + 1, ... until a
        stop or row ``last``, each with the full loss and the gradient torch used."""
        problem, plan, opt = self.problem, self.plan, self._torch_opt
        group = opt.param_groups[0]
        n = problem.n_params
        batches = plan.uses_batches
        whole = not batches or plan.n <= 1
        noise = None
        if self.config.noise:
            noise = torch.as_tensor(
                self.config.noise * standard_noise(self.config.seed, k0, len(lrs), n),
                dtype=self._dtype, device=self._torch_device)
        values: list[float] = []
        stop = None
        for i, lr in enumerate(lrs):
            k = k0 + i
            vals = self._row(k, batches, None if noise is None else noise[i])
            values.extend(vals)
            p, loss, g = vals[:n], vals[n], vals[n + 1 : 2 * n + 1]
            if k == 0:
                lim.first_row(loss)
            total = loss + sum(g) + sum(p)
            if total - total != 0.0:
                stop = Stop("diverged", k)
                break
            group["lr"] = lr
            if whole and not any(g):
                if self._step_changes_nothing():
                    stop = Stop("converged", k)
                    break
            else:
                opt.step()
            # update even after the budget's last row, so a longer budget continues
            if k == last:
                break
        width = 2 * n + 1 + (1 if batches else 0)
        rec = np.asarray(values, dtype=np.float64).reshape(-1, width)
        return Chunk(rec[:, :n], rec[:, n + 1 : 2 * n + 1], rec[:, n],
                     rec[:, -1] if batches else None, stop)

    def _step_changes_nothing(self) -> bool:
        """Step; if θ did not move, undo the step's effect on the state and return True.

        The numpy Trainer's rule: a zero full-batch gradient that the update
        leaves unchanged (no weight decay, no momentum left) is converged.
        """
        opt = self._torch_opt
        before = self._param.detach().clone()
        saved = copy.deepcopy(opt.state_dict())
        opt.step()
        if torch.equal(self._param.detach(), before):
            opt.load_state_dict(saved)  # the numpy Trainer keeps the pre-step state too
            return True
        return False
