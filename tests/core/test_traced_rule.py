"""The traced optimizer step: the rule's own update of every parameter, to the last bit.

`core.run.traced_rule` runs a rule's ``apply`` once per parameter on symbols
carrying the first step's values and compiles the record. These tests hold
whole runs on the traced step to runs on the rule called per parameter (the
path before traces), bit for bit, over every hyper-parameter that makes a
rule decide something, and check that a decision going the other way later
leaves the trace (`Diverted`) instead of taking the wrong branch.
"""

from __future__ import annotations

import numpy as np
import pytest

import core
from core.run import steppers, traced_rule
from core.tracing import Diverted

CASES = [
    ("sgd", {"momentum": 0.9}),
    ("sgd", {"momentum": 0.9, "nesterov": True}),
    ("sgd", {"momentum": 0.5, "dampening": 0.3, "weight_decay": 0.01}),
    ("sgd", {"weight_decay": 0.1}),
    ("adam", {}),
    ("adam", {"amsgrad": True, "weight_decay": 0.05}),
    ("adam", {"eps": 0.0}),
    ("adamw", {}),
    ("rmsprop", {}),
    ("rmsprop", {"centered": True, "momentum": 0.8, "weight_decay": 0.02}),
    ("rmsprop", {"momentum": 0.9}),
    ("adagrad", {}),
    ("adagrad", {"lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5}),
    ("adagrad", {"eps": 0.0}),
    ("nadam", {}),
    ("nadam", {"weight_decay": 0.05, "decoupled_weight_decay": True}),
    ("radam", {}),
    ("radam", {"weight_decay": 0.05}),
    ("adamax", {"weight_decay": 0.02}),
    ("adadelta", {}),
    ("adadelta", {"rho": 0.5, "weight_decay": 0.01}),
]


def written_only(monkeypatch) -> None:
    """Runs from now on call the rule per parameter, as before traces."""
    monkeypatch.setattr(steppers, "known_trace", lambda *args: None)
    monkeypatch.setattr(steppers, "trace_step", lambda *args: None)


@pytest.mark.parametrize("optimizer, hyper", CASES)
@pytest.mark.parametrize("problem, lr, batch", [("rosenbrock", 1e-3, "full"),
                                                ("and-gate", 0.5, "sample"),
                                                ("beale", 0.05, "full")])
def test_a_run_on_the_traced_step_is_the_run_on_the_written_rule(monkeypatch, optimizer, hyper,
                                                                 problem, lr, batch):
    traced = core.train(problem, optimizer=optimizer, lr=lr, steps=400, batch=batch, **hyper)
    written_only(monkeypatch)
    written = core.train(problem, optimizer=optimizer, lr=lr, steps=400, batch=batch, **hyper)
    assert (traced.status, traced.diverged_at, traced.converged_at) == \
        (written.status, written.diverged_at, written.converged_at)
    np.testing.assert_array_equal(traced.table.block(), written.table.block())


def test_a_run_traces_its_rule_and_a_later_run_finds_the_trace(monkeypatch):
    made: list[object] = []
    trace = traced_rule.trace_step

    def counting(*args):
        made.append(trace(*args))
        return made[-1]

    monkeypatch.setattr(steppers, "trace_step", counting)
    traced_rule._traces.clear()
    core.train("rosenbrock", optimizer="sgd", lr=1e-3, steps=300, momentum=0.9)
    # SGD's momentum buffer is absent at the first step and there from the second:
    # one trace for each, and the second is used from then on
    assert len(made) == 2 and all(callable(m) for m in made)
    short = core.train("quadratic", optimizer="sgd", lr=0.1, steps=20, momentum=0.9)
    assert len(made) == 2  # a short run of the same rule and size uses the traces kept
    written_only(monkeypatch)
    again = core.train("quadratic", optimizer="sgd", lr=0.1, steps=20, momentum=0.9)
    np.testing.assert_array_equal(short.table.block(), again.table.block())


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw", "rmsprop", "adagrad", "nadam",
                                       "radam", "adamax", "adadelta"])
def test_every_optimizer_traces(monkeypatch, optimizer):
    made: list[object] = []
    trace = traced_rule.trace_step
    monkeypatch.setattr(steppers, "trace_step", lambda *a: made.append(trace(*a)) or made[-1])
    traced_rule._traces.clear()
    hyper = {"momentum": 0.9} if optimizer == "sgd" else {}  # plain SGD needs no update code
    core.train("beale", optimizer=optimizer, lr=1e-3, steps=300, **hyper)
    assert made and callable(made[-1])


def test_short_runs_add_up_to_a_trace_and_a_single_one_never_traces(monkeypatch):
    made: list[object] = []
    trace = traced_rule.trace_step
    monkeypatch.setattr(steppers, "trace_step", lambda *a: made.append(trace(*a)) or made[-1])
    traced_rule._traces.clear()
    hyper = {"momentum": 0.37}  # settings no other test runs: a count of their own
    runs = [core.train("quadratic", optimizer="sgd", lr=0.1, steps=60, **hyper)
            for _ in range(3)]
    assert made == []  # 180 updates so far: the written rule
    runs.append(core.train("quadratic", optimizer="sgd", lr=0.1, steps=60, **hyper))
    assert len(made) == 2 and all(callable(m) for m in made)  # 240: traced
    for run in runs[1:]:  # the same numbers, traced or not
        np.testing.assert_array_equal(run.table.block(), runs[0].table.block())


class Deciding:
    """A rule that decides on a number of the step (its learning rate) and on its state."""

    name = "deciding"

    @staticmethod
    def apply(grad, state, params, shared, xp):
        (lr,) = shared
        (count,) = state
        step = lr * grad if lr > 0.05 else 0.5 * lr * xp.sqrt(grad * grad)
        return params - step, (count + 1,)


def test_a_decision_going_the_other_way_leaves_the_trace():
    g, states, p = (0.5, -2.0), ((0,), (0,)), (1.0, 2.0)
    step = traced_rule.trace_step(Deciding, ("deciding",), g, states, p, (0.1,))
    assert step is not None
    written = traced_rule.written_step(Deciding.apply)
    for lr in (0.1, 0.2, 0.0500001):  # decided as at the trace
        new, new_states = step(g, states, p, (lr,))
        ref, ref_states = written(g, states, p, (lr,))
        assert repr(new) == repr(ref) and [tuple(s) for s in new_states] == ref_states
    for lr in (0.05, 0.01, 0.0):
        with pytest.raises(Diverted):
            step(g, states, p, (lr,))


def test_a_field_absent_at_the_trace_must_be_absent_to_use_it():
    opt = core.make_optimizer("sgd", momentum=0.9)
    shared = opt.rule.begin((None,), opt.hyper, 0.1)
    step = traced_rule.trace_step(opt.rule, opt.settings, (1.0,), ((None,),), (0.0,), shared)
    assert step is not None
    assert step((2.0,), ((None,),), (0.5,), shared)[1] == ((2.0,),)  # buffer = the gradient
    with pytest.raises(Diverted):
        step((2.0,), ((3.0,),), (0.5,), shared)  # a buffer now: the trace took the other way


def test_what_the_symbols_cannot_follow_is_not_traced():
    class Converting:
        name = "converting"

        @staticmethod
        def apply(grad, state, params, shared, xp):
            return params - float(grad) * shared[0], state

    assert traced_rule.trace_step(Converting, ("converting",), (1.0,), ((),), (0.0,), (0.1,)) is None
