"""The traced loss and gradient: the problem's own math on floats, to the last bit.

`core.problems.traced` runs a problem's `loss_grad_c` once on symbols and
writes the operations down as straight-line code. These tests hold that code
to the written code run on floats (the path a run took before), bit for bit,
at many points and batches of every built-in problem without a network, and
check that what cannot be traced keeps the written code.
"""

from __future__ import annotations

import dataclasses
import math
import pickle
from typing import Any

import numpy as np
import pytest

import core
from core.problems import base, traced
from core.problems.base import TRACE_AFTER, Dataset, Problem
from core.problems.dataset import Example
from core.xp import FLOATS

SMALL = [name for name in core.list_problems()
         if name not in ("circle", "xor", "gaussians", "spiral")]


def written(problem: Problem):
    """The code as written, on floats: what a run used before traces."""
    if problem.data is None:
        return lambda p, rows: problem.loss_grad_c(FLOATS, p, None)
    return problem._per_example


def flat(result: tuple[Any, Any]) -> str:
    loss, grad = result
    return repr([loss, *grad])  # repr tells -0.0 from 0.0 and shows nan


@pytest.mark.parametrize("name", SMALL)
def test_every_small_built_in_problem_traces_to_its_written_numbers(name):
    problem = core.get_problem(name)
    code = written(problem)
    fast = traced.trace_loss_grad(problem, code)
    assert fast is not None and fast is not code
    rng = np.random.default_rng(7)
    n = problem.n_samples
    batches = [None] if n == 0 else [[0], [n - 1], list(range(n)), [n - 1, 0]]
    if n > 2:
        batches += [rng.permutation(n)[:3].tolist(), rng.integers(0, n, 5).tolist()]
    points = [tuple(float(v) for v in problem.start), (0.0,) * problem.n_params,
              *(tuple(rng.normal(0.0, 3.0, problem.n_params).tolist()) for _ in range(20))]
    for p in points:
        for rows in batches:
            assert flat(fast(p, rows)) == flat(code(p, rows)), (p, rows)


class Logged(Problem):
    def loss_grad_c(self, xp, p, data):
        (a,) = p
        return xp.log(a) + xp.exp(a), (1.0 / a + xp.exp(a),)


def test_a_trace_raises_where_the_written_code_raises():
    # the written code's exceptions on floats send the run to numpy: the trace's must too
    problem = Logged(name="l", title="l", param_names=("a",), start=(1.0,), description="")
    code = written(problem)
    fast = traced.trace_loss_grad(problem, code)
    assert fast is not None
    for a, error in ((0.0, ValueError), (-1.0, ValueError), (1000.0, OverflowError)):
        with pytest.raises(error):
            code((a,), None)
        with pytest.raises(error):
            fast((a,), None)
    run = core.train(problem, lr=0.5, steps=2 * TRACE_AFTER, start=[0.4])
    assert problem.__dict__["_traced_loss_grad"]
    assert run.status == "diverged"  # log of a value below zero: numpy's nan, as before


class Branching(Problem):
    """Decides on a value: cannot be traced."""

    def loss_grad_c(self, xp, p, data):
        (a,) = p
        if a > 0.0:
            return a * a, (2.0 * a,)
        return -a, (-1.0,)


class TypeTesting(Problem):
    """Takes another way for floats than for anything else: its trace would differ."""

    def loss_grad_c(self, xp, p, data):
        (a,) = p
        if isinstance(a, float):
            return a * a, (2.0 * a,)
        return a * a * 3.0, (6.0 * a,)


class NumpyInside(Problem):
    """Calls numpy on a value: cannot be traced."""

    def loss_grad_c(self, xp, p, data):
        (a,) = p
        return float(np.square(a)), (2.0 * a,)


@pytest.mark.parametrize("kind", [Branching, TypeTesting, NumpyInside])
def test_what_cannot_be_traced_keeps_the_written_code(kind):
    problem = kind(name="x", title="x", param_names=("a",), start=(1.5,), description="")
    code = written(problem)
    assert traced.trace_loss_grad(problem, code) is None
    fast = problem.float_loss_grad(evaluations=10 * TRACE_AFTER)
    assert flat(fast((1.5,), None)) == flat(code((1.5,), None))
    assert flat(fast((-2.0,), None)) == flat(code((-2.0,), None))
    run = core.train(problem, lr=0.1, steps=3 * TRACE_AFTER)  # runs on the written code
    assert run.status in ("finished", "converged", "diverged")
    a = 1.5  # the written rule, step by step, is what the run took
    for k in range(5):
        assert run.table["a"][k] == a
        _, (g,) = code((a,), None)
        a = a - 0.1 * g


def test_constants_without_a_literal_and_comparisons_trace():
    class Odd(Problem):
        def loss_grad_c(self, xp, p, data):
            (a,) = p
            inside = xp.indicator((a >= -math.inf) & (a <= 1.0))
            big = xp.minimum(a, math.inf)
            return big * inside + xp.clip(a, 0.0, 1.0), (inside + 0.0 * a,)

    problem = Odd(name="odd", title="odd", param_names=("a",), start=(0.5,), description="")
    fast = traced.trace_loss_grad(problem, written(problem))
    assert fast is not None
    for a in (-3.0, 0.0, 0.5, 1.0, 2.5, math.inf, -math.inf):
        assert flat(fast((a,), None)) == flat(written(problem)((a,), None))


def fresh(name):
    """A problem of its own: `core.get_problem` shares one per name, with what earlier
    tests' runs left on it (its trace, or none where a test turned tracing off)."""
    return dataclasses.replace(core.get_problem(name))


def test_a_short_run_keeps_the_written_code_and_a_long_one_keeps_its_trace():
    problem = fresh("and-gate")
    core.train(problem, lr=0.5, steps=5, batch="sample")  # 5 examples: not worth a trace
    assert "_traced_loss_grad" not in problem.__dict__
    long_run = core.train(problem, lr=0.5, steps=TRACE_AFTER, batch="sample")
    fast = problem.__dict__["_traced_loss_grad"]
    assert callable(fast)
    again = core.train(problem, lr=0.5, steps=5, batch="sample")  # traced once, used since
    assert problem.__dict__["_traced_loss_grad"] is fast
    np.testing.assert_array_equal(again.table["loss"], long_run.table["loss"][:6])


def test_short_runs_of_a_problem_add_up_to_its_trace():
    problem = fresh("and-gate")
    runs = [core.train(problem, lr=0.5, steps=40, batch="sample") for _ in range(4)]
    assert "_traced_loss_grad" not in problem.__dict__  # 160 examples worked out
    runs.append(core.train(problem, lr=0.5, steps=40, batch="sample"))
    assert callable(problem.__dict__["_traced_loss_grad"])  # 200: traced
    for run in runs[1:]:
        np.testing.assert_array_equal(run.table.block(), runs[0].table.block())


def test_a_long_run_on_a_trace_equals_a_run_on_the_written_code(monkeypatch):
    problem = fresh("glasses-vs-ring")
    fast = core.train(problem, lr=0.1, steps=400, batch=2, optimizer="adam")
    assert problem.__dict__.get("_traced_loss_grad")
    monkeypatch.setattr(base, "trace_loss_grad", lambda problem, code: None)
    written_problem = fresh("glasses-vs-ring")
    slow = core.train(written_problem, lr=0.1, steps=400, batch=2, optimizer="adam")
    assert written_problem.__dict__["_traced_loss_grad"] is None  # it ran as written
    for column in fast.table.columns:
        np.testing.assert_array_equal(fast.table[column], slow.table[column], err_msg=column)


def test_examples_are_unpacked_as_the_data_holds_them():
    data = Dataset(np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]]), np.array([4.0, -1.0]))

    class Three(Problem):
        def loss_grad_c(self, xp, p, d):
            a, b = p
            r = xp.col(a) * d.x[:, 2] - d.x[:, 1] / xp.col(b) - d.y
            return xp.mean(r * r), (xp.mean(2.0 * r * d.x[:, 2]),
                                    xp.mean(2.0 * r * d.x[:, 1] / (xp.col(b) * xp.col(b))))

    problem = Three(name="t", title="t", param_names=("a", "b"), start=(0.5, 2.0),
                    description="", data=data)
    fast = traced.trace_loss_grad(problem, problem._per_example)
    assert fast is not None
    for rows in ([0], [1], [0, 1], [1, 0]):
        assert flat(fast((0.3, -1.5), rows)) == flat(problem._per_example((0.3, -1.5), rows))
    one = problem.loss_grad_c(FLOATS, (0.3, -1.5), Example((3.0, 0.25, -1.0), -1.0))
    assert flat(fast((0.3, -1.5), [1])) == flat(one)


def test_a_traced_problem_pickles_for_the_worker_processes_and_traces_again_there():
    problem = fresh("and-gate")
    first = core.train(problem, lr=0.5, steps=4000, batch="sample")
    assert problem.__dict__["_traced_loss_grad"]
    copy = pickle.loads(pickle.dumps(problem))
    assert "_traced_loss_grad" not in copy.__dict__
    again = core.train(copy, lr=0.5, steps=4000, batch="sample")
    assert copy.__dict__["_traced_loss_grad"]
    np.testing.assert_array_equal(again.table["loss"], first.table["loss"])
