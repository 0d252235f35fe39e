"""The sequential part of a run: the updates, one after the other.

Only what must be sequential happens here: the gradient each update uses
and the update itself. Everything a row records that the next update does
not need — the full-data loss when the update follows a batch, the extra
columns, the gradient norm — is computed afterwards for a whole chunk of
rows in one vectorised call (`core.run.trainer`), because for a handful of
parameters the cost of a step is the number of calls, not the arithmetic.

Two steppers share that contract:

`FloatStepper`
    one Python float per parameter: the problem's math with the float
    namespace (`core.problems.base.Problem.float_loss_grad`) and the
    optimizer's rule for each parameter, both traced into straight-line code
    (`core.problems.traced`, `core.run.traced_rule`) where a run is long
    enough to pay for the trace. A numpy call per scalar would cost more than
    the whole step.
`VectorStepper`
    one numpy vector for all parameters (a network's hundred weights): one
    vectorised gradient and one rule call per step.

Each returns a `Chunk` of rows and, when the loop itself saw the run end (a
row that is not finite; with the full data, a row over the divergence limit
or within the tolerance; a zero gradient that leaves the parameters where
they are), a `Stop`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from core.optim.base import stack_states
from core.run.noise import standard_noise
from core.run.stopping import divergence_limit, reached, within_limits
from core.run.traced_rule import Step, known_trace, trace_step, worth_tracing, written_step
from core.tracing import Diverted
from core.xp import FLOATS, NUMPY

if TYPE_CHECKING:
    from collections.abc import Sequence

    from core._types import FloatArray
    from core.optim.base import Optimizer
    from core.problems.base import Problem
    from core.run.batches import BatchPlan

# more parameters than this take the vector stepper: its per-step calls cost
# about as much as two dozen float rule calls
FLOAT_PARAMS = 24
# a run traces the rule at most a few times (SGD's momentum buffer is absent at its
# first step, there at its second)
RULE_TRACES = 3


def _trace_first(*_args: Any) -> Any:
    raise Diverted  # the first step traces (or finds a trace) with its own values


class Stop(NamedTuple):
    status: str  # "diverged" or "converged"
    row: int


@dataclass
class Chunk:
    """Rows k0 .. k0 + m − 1 as the loop made them.

    ``loss`` is the full-data loss where the loop had it (None: the update
    followed a batch, and the full-data loss is filled in afterwards);
    ``batch_loss`` the loss of the batch the update used.
    """

    params: FloatArray  # (m, n)
    grads: FloatArray  # (m, n): the gradient each update used
    loss: FloatArray | None
    batch_loss: FloatArray | None
    stop: Stop | None = None
    # the loop applied the stopping rules to every row as it made it (``stop`` is
    # their verdict): nothing is left to check afterwards
    checked: bool = False

    def __len__(self) -> int:
        return int(self.params.shape[0])


@dataclass
class Limits:
    """The stopping rules' numbers, carried from chunk to chunk."""

    limit: float = float("inf")  # from the first row's full-data loss
    tol: float | None = None
    min_loss: float = 0.0

    def first_row(self, loss0: float) -> None:
        self.limit = divergence_limit(loss0)


def make_stepper(problem: Problem, plan: BatchPlan, optimizer: Optimizer,
                 start: Sequence[float], noise: float, seed: int, steps: int = 0) -> Any:
    """The stepper for this problem's size (``steps``: the updates the run will make)."""
    if problem.n_params > FLOAT_PARAMS:
        return VectorStepper(problem, plan, optimizer, start, noise, seed)
    return FloatStepper(problem, plan, optimizer, start, noise, seed, steps=steps)


class _Stepper:
    def __init__(self, problem: Problem, plan: BatchPlan, optimizer: Optimizer,
                 noise: float, seed: int) -> None:
        self.problem, self.plan, self.optimizer = problem, plan, optimizer
        self.noise, self.seed = noise, seed
        # a zero gradient of the whole data that the update leaves in place ends the run
        self.whole = not plan.uses_batches or plan.n <= 1

    def noise_rows(self, k0: int, m: int) -> FloatArray | None:
        if not self.noise:
            return None
        return self.noise * standard_noise(self.seed, k0, m, self.problem.n_params)


class FloatStepper(_Stepper):
    """One Python float per parameter, the rule called once per parameter."""

    def __init__(self, problem: Problem, plan: BatchPlan, optimizer: Optimizer,
                 start: Sequence[float], noise: float, seed: int, steps: int = 0) -> None:
        super().__init__(problem, plan, optimizer, noise, seed)
        self.p = tuple(map(float, start))
        # the full data through a problem's own full-data path works out no example
        per_update = 0 if problem.full_data_path and not plan.uses_batches \
            else plan.examples_per_update
        # a trace into straight-line code pays in a run that works out enough examples
        self.source = problem.float_loss_grad(steps * per_update)
        rule, hyper = optimizer.rule, optimizer.hyper
        self.states = tuple([rule.init(v, hyper, FLOATS) for v in self.p])
        # the loop keeps each parameter's state as a plain tuple of its fields
        self.state_kind = type(self.states[0]) if self.states else tuple
        # the rule's update of every parameter: traced at the first step (or an earlier
        # run's trace), else None: the rule called per parameter in the loop
        self.step: Step | None = _trace_first
        worth = worth_tracing(optimizer.settings, len(self.p), steps)
        self._traces_left = RULE_TRACES if worth else 0

    @property
    def theta(self) -> FloatArray:
        return np.asarray(self.p, dtype=np.float64)

    @property
    def state(self) -> Any:
        return stack_states(self.states, self.state_kind)

    def rows(self, k0: int, lrs: Sequence[float], last: int, lim: Limits) -> Chunk:
        """Rows k0, k0 + 1, ... with the learning rates ``lrs``, until a stop or row ``last``.

        One long loop on purpose: a step of a two-parameter problem costs a few
        microseconds, and each call or attribute lookup per step adds a tenth
        of a microsecond (a helper for the optimizer's update measured 10 %
        slower), so what each step needs is bound to local names first.
        """
        problem, plan, n = self.problem, self.plan, self.problem.n_params
        source, batches, whole = self.source, plan.uses_batches, self.whole
        # each update's examples, listed for the chunk at once
        batch_rows = iter(plan.rows_between(k0, len(lrs))) if batches else None
        rule, hyper = self.optimizer.rule, self.optimizer.hyper
        plain, update = self.optimizer.plain, rule.update
        begin, apply, step = rule.begin, rule.apply, self.step
        noise = self.noise_rows(k0, len(lrs))
        shake = None if noise is None else noise.tolist()
        fine, limit, tol, min_loss = within_limits, lim.limit, lim.tol, lim.min_loss
        p, states = self.p, self.states
        out: list[float] = []
        add = out.extend
        stop = None
        k = k0 - 1
        for lr in lrs:
            k += 1
            rows = next(batch_rows) if batch_rows is not None else None
            try:
                loss, g = source(p, rows)
            except (ArithmeticError, ValueError):  # no real answer on floats: numpy's inf, nan
                loss, g = problem.numpy_loss_grad(p, rows)
            if shake is not None:
                g = tuple([gi + zi for gi, zi in zip(g, shake[k - k0], strict=True)])
            add((*p, loss, *g))
            total = loss + sum(g) + sum(p)
            if batches:  # the full-data loss comes after the loop; here only finiteness
                if total - total != 0.0:
                    stop = Stop("diverged", k)
                    break
            else:
                if k == 0:
                    limit = divergence_limit(loss)
                if not fine(loss, total, limit):
                    stop = Stop("diverged", k)
                    break
                if tol is not None and reached(loss, min_loss, tol):
                    stop = Stop("converged", k)
                    break
            # zip without strict= below: a problem's gradient has one entry per
            # parameter by construction, and the length test cost a sixth of a step
            if plain:  # the rule's own θ − lr·g inline: calling it costs a third of a step
                new, new_states = tuple([pi - lr * gi for pi, gi in zip(p, g)]), states  # noqa: B905
            else:
                try:
                    if apply is not None:  # the step's shared numbers once, then each entry
                        c = begin(states[0], hyper, lr)
                        if step is not None:
                            try:
                                new, new_states = step(g, states, p, c)
                            except Diverted:  # not traced yet, or it decided otherwise then
                                step, (new, new_states) = self._retraced(g, states, p, c)
                        else:  # `traced_rule.written_step` inline: as its call, 8 % slower
                            new, new_states = [], []  # a loop, not zip(*[...]): 1 µs less
                            for gi, si, pi in zip(g, states, p):  # noqa: B905
                                pi, si = apply(gi, si, pi, c, FLOATS)
                                new.append(pi)
                                new_states.append(si)
                            new = tuple(new)
                    else:
                        new, new_states = zip(*[update(gi, si, pi, hyper, lr, FLOATS) for
                                                gi, si, pi in zip(g, states, p, strict=True)],
                                              strict=True)
                except (ArithmeticError, ValueError):
                    new, new_states = self._numpy_update(update, hyper, p, g, states, lr)
            if whole and not any(g) and new == p:
                stop = Stop("converged", k)
                break
            # update even after the budget's last row, so a longer budget continues
            p, states = new, new_states
            if k == last:
                break
        self.p, self.states, self.step = p, states, step
        if not batches and k0 == 0 and out:
            lim.first_row(out[n])
        chunk = _chunk(out, n, batches, stop)
        chunk.checked = not batches  # the full data's rows: divergence and tolerance above
        return chunk

    def _retraced(self, g: Sequence[float], states: Sequence[Any], p: Sequence[float],
                  shared: tuple[Any, ...]) -> tuple[Step | None, tuple[Any, Any]]:
        """The step from now on (None: the rule per parameter) and this step's update."""
        rule, settings = self.optimizer.rule, self.optimizer.settings
        step = known_trace(settings, states, shared)  # an earlier run's: free
        if step is None and self._traces_left > 0:
            self._traces_left -= 1
            step = trace_step(rule, settings, g, states, p, shared)
        if step is not None:
            # not contextlib.suppress: its object costs half a microsecond, every run
            try:
                return step, step(g, states, p, shared)
            except Diverted:  # this step decides otherwise than the trace: as written
                pass
        return None, written_step(rule.apply)(g, states, p, shared)

    @staticmethod
    def _numpy_update(update: Any, hyper: Any, p: tuple[float, ...], g: Sequence[float],
                      states: tuple[Any, ...], lr: float) -> tuple[tuple[float, ...], Any]:
        """The update where float math has no real answer (a division by zero with
        ``eps = 0``): redone in numpy, whose inf and nan the table then records, as
        a numpy run would."""
        with np.errstate(all="ignore"):
            out = [update(np.float64(gi), si, np.float64(pi), hyper, lr, NUMPY)
                   for gi, si, pi in zip(g, states, p, strict=True)]
        return tuple(float(o[0]) for o in out), tuple(o[1] for o in out)


class VectorStepper(_Stepper):
    """One numpy vector for all parameters: a vectorised gradient, one rule call a step."""

    def __init__(self, problem: Problem, plan: BatchPlan, optimizer: Optimizer,
                 start: Sequence[float], noise: float, seed: int) -> None:
        super().__init__(problem, plan, optimizer, noise, seed)
        self.p = np.asarray(start, dtype=np.float64)
        self.states = optimizer.rule.init(self.p, optimizer.hyper, NUMPY)

    @property
    def theta(self) -> FloatArray:
        return self.p.copy()

    @property
    def state(self) -> Any:
        return self.states

    def rows(self, k0: int, lrs: Sequence[float], last: int, lim: Limits) -> Chunk:
        problem, plan, m = self.problem, self.plan, len(lrs)
        n = problem.n_params
        update, hyper = self.optimizer.rule.update, self.optimizer.hyper
        batches = plan.uses_batches
        noise = self.noise_rows(k0, m)
        params, grads, losses = np.empty((m, n)), np.empty((m, n)), np.empty(m)
        p, states, stop = self.p, self.states, None
        if k0 <= last:  # the budget's last row ends the chunk, after its update
            lrs = lrs[:last - k0 + 1]
        i = -1
        for i, lr in enumerate(lrs):
            k = k0 + i
            if batches:
                loss, g = problem.batch_loss_and_grad(p, plan.indices(k))
            else:
                loss, g = problem.loss_and_grad(p)
            if noise is not None:
                g = g + noise[i]
            params[i], grads[i], losses[i] = p, g, loss
            if not np.isfinite(float(loss) + g.sum() + p.sum()):
                stop = Stop("diverged", k)
                break
            new, new_states = update(g, states, p, hyper, lr, NUMPY)
            if self.whole and not g.any() and np.array_equal(new, p):
                stop = Stop("converged", k)
                break
            p, states = new, new_states
        self.p, self.states = p, states
        rows = i + 1
        if not batches and k0 == 0 and rows:
            lim.first_row(float(losses[0]))
        return _as_chunk(params[:rows], losses[:rows], grads[:rows], batches, stop)


def _chunk(out: list[float], n: int, batches: bool, stop: Stop | None) -> Chunk:
    """The rows recorded flat (θ, loss, g per row) as a `Chunk`: the loss is the batch's
    when batches are used (the full-data loss is filled in afterwards)."""
    rec = np.fromiter(out, np.float64, count=len(out)).reshape(-1, 2 * n + 1)
    return _as_chunk(rec[:, :n], rec[:, n], rec[:, n + 1 :], batches, stop)


def _as_chunk(params: FloatArray, losses: FloatArray, grads: FloatArray, batches: bool,
              stop: Stop | None) -> Chunk:
    """With batches the losses are the batches' (the full-data loss comes afterwards)."""
    return Chunk(params, grads, None if batches else losses, losses if batches else None,
                 stop)
