"""The `Problem` base class: a loss, its hand-derived gradient, and its metadata.

Every problem writes its math once, in *component style*: ``loss_c(xp, p, data)``
receives the parameters as a tuple of components ``p = (a, b, ...)``. Each
component may be a Python float (the fast single-run path), a numpy array of any
leading shape (a surface grid, a batch of runs) or a torch tensor (the autograd
backend, with ``xp`` the torch namespace). The vectorised public methods
(`loss`, `grad`, `hessian`) split a ``(..., p)`` array into components and
stack the results again.

Data problems hold a `Dataset`; their per-example terms broadcast a parameter
against a data column with ``xp.col(a) * data.x[:, 0]`` and reduce with
``xp.mean``. Mini-batches pass a subset of the data through the same code.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import add
from typing import TYPE_CHECKING, Any

import numpy as np

from core.checks import check_point
from core.errors import ConfigError
from core.problems.dataset import Dataset, Example
from core.problems.traced import LossGrad, trace_loss_grad
from core.xp import FLOATS, NUMPY

if TYPE_CHECKING:
    from core._types import Comps, FloatArray, Num, Rows


# up to this many examples a step's gradient is worked out example by example
# on floats; beyond it one numpy call over the batch is cheaper
FLOAT_EXAMPLES = 16
EXAMPLES_KEPT = 4096  # a data set up to this size keeps its rows as examples
# a trace costs about what the written code takes for this many examples (20-40 µs)
# and saves half of each: a run that works out fewer keeps the written code
TRACE_AFTER = 200
_TRACED = "_traced_loss_grad"  # where a problem keeps its trace (None: it does not trace)
_WORKED = "_examples_worked"  # examples its runs have worked out before it traced


@dataclass
class Problem:
    """A loss over named parameters, with everything the program shows about it.

    Subclasses override `loss_c` and `grad_c` (and optionally `loss_grad_c`,
    `extras_c`, `hessian_c`). All other methods are generic.
    """

    # True where `full_loss_grad_c` has its own full-data path (sufficient
    # statistics, its own blocking over the data): its cost does not grow with
    # the grid's points x examples, so a surface is one call
    full_data_path = False  # a class attribute, not a field
    # what `predict` gives at an input: "value" (a regression's y), "probability"
    # (P(y = 1), or a prediction clipped to [0, 1]); None: the problem has no model of
    # data to predict with (a class attribute, not a field)
    output_kind = None  # type: str | None

    name: str
    title: str
    param_names: tuple[str, ...]
    start: tuple[float, ...]
    description: str
    default_lr: float = 0.1
    default_steps: int = 100
    default_batch: str | int = "full"
    # plot window of the first two parameters: ((xmin, xmax), (ymin, ymax));
    # a one-parameter problem uses only the first range
    window: tuple[tuple[float, float], ...] = ((-5.0, 5.0), (-5.0, 5.0))
    minima: tuple[tuple[float, ...], ...] = ()
    min_loss: float | None = 0.0  # None: unknown, or unbounded below (see `unbounded`)
    unbounded: bool = False  # the loss falls without bound (a saddle)
    tolerance: float = 1e-6  # "reached" means loss - min_loss <= tolerance
    seed: str | None = None  # the seed article it comes from, e.g. "003"
    extra_columns: tuple[str, ...] = ()
    data: Dataset | None = None
    options: dict[str, Any] = field(default_factory=dict)
    # a seed article's per-sample loop prints a running epoch total of its own loss;
    # this factor turns our per-sample loss into what it adds up (`core.run.article`)
    article_loss_factor: float | None = None

    def __post_init__(self) -> None:
        """Subclasses precompute from their data here (the base does nothing)."""

    def __getstate__(self) -> dict[str, Any]:
        # a trace is generated code, which cannot be pickled (a problem goes to the
        # worker processes that work out presets and sweeps): made again there if needed
        state = dict(self.__dict__)
        state.pop(_TRACED, None)
        return state

    # ------------------------------------------------------------------ math
    def loss_c(self, xp: Any, p: Comps, data: Dataset | None) -> Num:
        """Loss at the parameter components ``p`` (any backend)."""
        raise NotImplementedError

    def grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        """Hand-derived gradient, one component per parameter."""
        raise NotImplementedError

    def loss_grad_c(self, xp: Any, p: Comps, data: Dataset | None) -> tuple[Num, Comps]:
        """Loss and gradient together; override to share work between them."""
        return self.loss_c(xp, p, data), self.grad_c(xp, p, data)

    def full_loss_grad_c(self, p: Comps) -> tuple[Num, Comps]:
        """Full-data loss and gradient in numpy; regression overrides it with
        sufficient statistics so the cost does not grow with the data."""
        return self.loss_grad_c(NUMPY, p, self.data)

    def full_loss_c(self, p: Comps) -> Num:
        """Full-data loss alone: `loss_c` on the data, unless the problem has its
        own full-data path (`full_data_path`), which is used instead. Half the
        cost of `full_loss_grad_c` where only the loss is wanted (surfaces)."""
        if self.full_data_path:
            return self.full_loss_grad_c(p)[0]
        return self.loss_c(NUMPY, p, self.data)

    def extras_c(self, xp: Any, p: Comps, data: Dataset | None) -> Comps:
        """Values of `extra_columns` at ``p`` (e.g. ``y_pred``, ``error``)."""
        return ()

    def float_loss_grad(self, evaluations: int = 0) -> LossGrad:
        """``f(p, rows) -> (loss, gradient)`` at one point of Python floats: the single run.

        ``rows`` are the examples of a mini-batch or sample (None: all of them).
        The math is the problem's own `loss_grad_c`, run with the float
        namespace on one `Example` at a time and averaged (the losses are
        means over examples), or with numpy over a batch too big for that.
        Once the problem's runs have worked out `TRACE_AFTER` examples (this
        run's ``evaluations`` and the earlier runs'), that same math runs
        traced into straight-line code (`core.problems.traced`), kept on the
        problem for its later runs.
        Made once per run: the choices are taken here, not at every step.
        Float math raises where it has no real answer (an overflow, a log of
        zero); the caller then asks `numpy_loss_grad`.
        """
        lg = self.loss_grad_c
        if self.data is None:
            return self._traced(lambda p, rows: lg(FLOATS, p, None), evaluations)
        full = self.full_loss_grad_c if self.full_data_path else None
        everyone = list(range(self.n_samples))
        numpy_loss_grad = self.numpy_loss_grad
        examples = self._traced(self._per_example, evaluations)

        def loss_grad(p: tuple[float, ...], rows: Sequence[int] | None) -> tuple[float, Comps]:
            if rows is None:
                if full is not None:
                    return full(p)
                rows = everyone
            if len(rows) > FLOAT_EXAMPLES:
                return numpy_loss_grad(p, rows)
            return examples(p, rows)

        return loss_grad

    def _traced(self, written: LossGrad, evaluations: int) -> LossGrad:
        """``written`` as straight-line code (`core.problems.traced`) where it traces,
        made once per problem; else ``written`` itself."""
        if self.n_samples > EXAMPLES_KEPT:  # the trace keeps every row as floats
            return written
        traced = self.__dict__.get(_TRACED, False)
        if traced is False:
            # the runs of a problem add up (a problem is shared by its runs): the
            # window's tenth re-run of a 20-step run traces, a single one never
            worked = self.__dict__[_WORKED] = self.__dict__.get(_WORKED, 0) + evaluations
            if worked < TRACE_AFTER:
                return written
            traced = self.__dict__[_TRACED] = trace_loss_grad(self, written)
        return written if traced is None else traced

    def _per_example(self, p: tuple[float, ...], rows: Sequence[int]) -> tuple[float, Comps]:
        """Loss and gradient over ``rows``, one `Example` at a time on floats."""
        lg, example = self.loss_grad_c, self.example
        count = len(rows)
        if count == 1:
            return lg(FLOATS, p, example(rows[0]))
        # running sums in row order, as the seeds' loops add (and numpy's mean
        # of a few values); map(add) is a third cheaper than a zip per example
        total, gsum = 0.0, (0.0,) * len(p)
        for i in rows:
            loss, g = lg(FLOATS, p, example(i))
            total += loss
            gsum = tuple(map(add, gsum, g))
        return total / count, tuple([s / count for s in gsum])

    def numpy_loss_grad(self, p: tuple[float, ...],
                        rows: Sequence[int] | None) -> tuple[float, Comps]:
        """`float_loss_grad`'s numbers through numpy: inf and nan where floats raise."""
        data = self.data if rows is None or self.data is None else self.data.take(rows)
        with np.errstate(all="ignore"):
            loss, g = self.loss_grad_c(NUMPY, tuple(np.float64(v) for v in p), data)
        return float(loss), tuple(float(v) for v in g)

    def example(self, i: int) -> Example:
        """Row ``i`` of the data as an `Example`; a small data set's are made once."""
        assert self.data is not None
        cached = self.__dict__.get("_examples")
        if cached is None and self.n_samples <= EXAMPLES_KEPT:
            cached = [Example(tuple(x), y) for x, y in zip(self.data.x.tolist(),
                                                          self.data.y.tolist(), strict=True)]
            self.__dict__["_examples"] = cached
        if cached is not None:
            return cached[i]  # type: ignore[no-any-return]
        return Example(tuple(self.data.x[i].tolist()), float(self.data.y[i]))

    def hessian_c(self, xp: Any, p: Comps, data: Dataset | None) -> Rows | None:
        """Analytic Hessian rows, or None to use central differences of `grad`."""
        return None

    def predict_c(self, xp: Any, p: Comps, x: FloatArray) -> Num:
        """The model's output at the inputs ``x`` ``(m, d)`` as the model sees them
        (standardised when the data is): shape ``(..., m)``. Data problems only."""
        raise NotImplementedError(f"problem {self.name!r} has no model of data")

    # ------------------------------------------------------------ metadata
    @property
    def n_params(self) -> int:
        return len(self.param_names)

    @property
    def n_samples(self) -> int:
        """Number of examples; 0 for a pure function of the parameters."""
        return 0 if self.data is None else len(self.data)

    @property
    def start_array(self) -> FloatArray:
        return np.asarray(self.start, dtype=np.float64)

    def check_start(self, start: Sequence[float] | None) -> tuple[float, ...]:
        """Validate a user start point; return it as floats (default: own start)."""
        if start is None:
            return tuple(map(float, self.start))
        return check_point(start, self.param_names, self.name)

    # ------------------------------------------------- vectorised (numpy)
    def split(self, theta: Any) -> tuple[FloatArray, ...]:
        arr = np.asarray(theta, dtype=np.float64)
        if arr.shape[-1:] != (self.n_params,):
            raise ConfigError(
                f"parameter array must end in an axis of {self.n_params} "
                f"({', '.join(self.param_names)}), got shape {arr.shape}"
            )
        return tuple(arr[..., i] for i in range(self.n_params))

    def loss(self, theta: Any) -> FloatArray:
        """Full-data loss, vectorised: ``(..., p) -> (...)``."""
        p = self.split(theta)
        with np.errstate(all="ignore"):
            value = self.full_loss_c(p)
        return np.broadcast_to(np.asarray(value, dtype=np.float64), p[0].shape).copy()

    def grad(self, theta: Any) -> FloatArray:
        """Full-data hand-derived gradient, vectorised: ``(..., p) -> (..., p)``."""
        p = self.split(theta)
        with np.errstate(all="ignore"):
            _, g = self.full_loss_grad_c(p)
        return stack_components(g, p[0].shape)

    def loss_and_grad(self, theta: Any) -> tuple[FloatArray, FloatArray]:
        p = self.split(theta)
        with np.errstate(all="ignore"):
            value, g = self.full_loss_grad_c(p)
        loss = np.broadcast_to(np.asarray(value, dtype=np.float64), p[0].shape).copy()
        return loss, stack_components(g, p[0].shape)

    def batch_loss_and_grad(self, theta: Any, idx: Any) -> tuple[FloatArray, FloatArray]:
        """Loss and gradient on the examples ``idx`` only (mini-batches)."""
        if self.data is None:
            return self.loss_and_grad(theta)
        p = self.split(theta)
        with np.errstate(all="ignore"):
            value, g = self.loss_grad_c(NUMPY, p, self.data.take(idx))
        loss = np.broadcast_to(np.asarray(value, dtype=np.float64), p[0].shape).copy()
        return loss, stack_components(g, p[0].shape)

    def extras(self, theta: Any) -> dict[str, FloatArray]:
        """The problem's extra step-table columns at ``theta``."""
        shape = np.shape(theta)[:-1]
        with np.errstate(all="ignore"):
            values = self.extra_values(theta)
        return {
            name: np.broadcast_to(np.asarray(v, dtype=np.float64), shape).copy()
            for name, v in zip(self.extra_columns, values, strict=True)
        }

    def extra_values(self, theta: Any) -> Comps:
        """`extras` as `extras_c` gives them: a value may be one number for every row
        (the step table broadcasts it into its column without a copy first).

        Under the caller's ``np.errstate``: a run's trainer has one around each
        chunk already, and one more here cost a microsecond a chunk."""
        if not self.extra_columns:
            return ()
        return self.extras_c(NUMPY, self.split(theta), self.data)

    def model_inputs(self, x: Any) -> FloatArray:
        """Inputs in the data's own units ``(m,)`` or ``(m, d)`` -> as the model sees them
        ``(m, d)``: standardised when the problem normalised its data (see `units`)."""
        arr = np.asarray(x, dtype=np.float64)
        arr = arr[:, None] if arr.ndim == 1 else arr
        mean, std = self.options.get("x_mean"), self.options.get("x_std")
        if mean is not None and std is not None:  # one mean and deviation per input column
            arr = (arr - np.asarray(mean, dtype=np.float64)) / np.asarray(std, dtype=np.float64)
        return arr

    def original_inputs(self) -> FloatArray:
        """The data's inputs ``(n, d)`` in the data's own units (before any normalising)."""
        if self.data is None:
            return np.empty((0, 0))
        x = np.asarray(self.data.x, dtype=np.float64)
        mean, std = self.options.get("x_mean"), self.options.get("x_std")
        if mean is not None and std is not None:
            x = x * np.asarray(std, dtype=np.float64) + np.asarray(mean, dtype=np.float64)
        return x

    def input_means(self) -> FloatArray:
        """The mean of each input ``(d,)`` in the data's own units (made once): where a
        picture varies one input, it holds the others here."""
        cached = self.__dict__.get("_input_means")
        if cached is None:
            x = self.original_inputs()
            cached = np.array([np.mean(x[:, j]) for j in range(x.shape[1])])
            self.__dict__["_input_means"] = cached
        return cached  # type: ignore[no-any-return]

    def predict(self, theta: Any, x: Any) -> FloatArray:
        """The model's output at inputs ``x`` in the data's own units, vectorised:
        ``theta (..., p)``, ``x (m,)`` or ``(m, d)`` -> ``(..., m)``.

        A regression's prediction of y, or P(y = 1) for a classifier
        (`output_kind` says which). Raises NotImplementedError for a problem
        without data.
        """
        if self.output_kind is None:
            raise NotImplementedError(f"problem {self.name!r} has no model of data")
        p = self.split(theta)
        xs = self.model_inputs(x)
        with np.errstate(all="ignore"):
            out = self.predict_c(NUMPY, p, xs)
        return np.broadcast_to(np.asarray(out, dtype=np.float64),
                               (*p[0].shape, xs.shape[0])).copy()

    @property
    def has_analytic_hessian(self) -> bool:
        """Whether `hessian_c` gives the Hessian itself (else `hessian` differences the
        gradient)."""
        cached = self.__dict__.get("_analytic_hessian")
        if cached is None:
            probe = tuple(float(v) for v in self.start)
            with np.errstate(all="ignore"):
                try:
                    cached = self.hessian_c(NUMPY, probe, self.data) is not None
                except (ArithmeticError, ValueError):
                    cached = False
            self.__dict__["_analytic_hessian"] = cached
        return bool(cached)

    def hessian(self, theta: Any, h: float = 1e-5) -> FloatArray:
        """Hessian ``(..., p) -> (..., p, p)``: analytic if given, else central
        differences of the analytic gradient (symmetrised)."""
        arr = np.asarray(theta, dtype=np.float64)
        p = self.split(arr)
        with np.errstate(all="ignore"):
            rows = self.hessian_c(NUMPY, p, self.data)
        if rows is not None:
            return np.stack([stack_components(r, p[0].shape) for r in rows], axis=-2)
        n = self.n_params
        out = np.empty((*arr.shape, n))
        for j in range(n):
            step = np.zeros(n)
            step[j] = h
            out[..., j, :] = (self.grad(arr + step) - self.grad(arr - step)) / (2 * h)
        return 0.5 * (out + np.swapaxes(out, -1, -2))

    def info(self) -> dict[str, Any]:
        """Plain-data description (for the command line and the window)."""
        return {
            "name": self.name,
            "title": self.title,
            "params": list(self.param_names),
            "start": list(self.start),
            "default_lr": self.default_lr,
            "default_steps": self.default_steps,
            "default_batch": self.default_batch,
            "n_samples": self.n_samples,
            "seed": self.seed,
            "description": self.description,
        }


def stack_components(g: Sequence[Num], shape: tuple[int, ...]) -> FloatArray:
    """Stack gradient components (floats or arrays) into ``shape + (p,)``."""
    out = np.empty((*shape, len(g)), dtype=np.float64)
    for i, gi in enumerate(g):
        out[..., i] = gi
    return out
