"""The run loop's steppers: chunks change nothing, gradient noise, many parameters, overflow.

Oracles: the same run in one chunk, the problem's own vectorised gradient
plus the seeded noise drawn independently, the float stepper itself for the
vector stepper (and torch.optim for both, in test_torch_backend), and the
divergence rule as DESIGN states it.
"""

from __future__ import annotations

import numpy as np
import pytest

import core
from core.errors import ConfigError
from core.problems.base import Dataset, Problem
from core.run import steppers
from core.run.noise import STREAM

OPTIMIZERS = [("sgd", {}), ("sgd", {"momentum": 0.9, "nesterov": True}), ("adam", {}),
              ("adamw", {"amsgrad": True}), ("rmsprop", {"centered": True, "momentum": 0.5}),
              ("adagrad", {"lr_decay": 0.01})]


def table_of(trainer, chunk):
    while not trainer.finished:
        trainer.advance(chunk)
    return trainer.table.block()


@pytest.mark.parametrize(("problem", "batch"), [("rosenbrock", "full"), ("and-gate", "sample"),
                                                ("house-prices", 2), ("glasses-vs-ring", "full")])
@pytest.mark.parametrize(("optimizer", "hyper"), OPTIMIZERS[:3])
def test_a_run_is_the_same_however_it_is_cut_into_chunks(problem, batch, optimizer, hyper):
    def trainer():
        return core.make_trainer(problem, optimizer=optimizer, lr=1e-3, steps=300,
                                 batch=batch, noise=0.5, seed=4, hyper=hyper)

    whole = table_of(trainer(), 10_000)
    np.testing.assert_array_equal(table_of(trainer(), 7), whole)
    np.testing.assert_array_equal(table_of(trainer(), 1), whole)


def test_noise_is_the_gradient_plus_seeded_gaussian_draws():
    run = core.train("rosenbrock", lr=1e-4, steps=50, noise=2.0, seed=9)
    t = run.table
    theta = np.column_stack([t["a"], t["b"]])
    # the draws, made independently: blocks of 1,024 updates from (seed, stream, block)
    draws = np.random.default_rng([9, STREAM, 0]).standard_normal((1024, 2))[:51]
    used = np.column_stack([t["grad_a"], t["grad_b"]])
    np.testing.assert_allclose(used, run.problem.grad(theta) + 2.0 * draws, rtol=1e-12)
    # the loss column is still the loss at the row's parameters, without noise
    np.testing.assert_array_equal(t["loss"], run.problem.loss(theta))
    # the update followed the noisy gradient
    np.testing.assert_allclose(theta[1:], theta[:-1] - 1e-4 * used[:-1], rtol=1e-13)


def test_noise_zero_changes_nothing_and_other_seeds_differ():
    plain = core.train("himmelblau", lr=0.01, steps=60).table.block()
    np.testing.assert_array_equal(core.train("himmelblau", lr=0.01, steps=60,
                                             noise=0.0).table.block(), plain)
    a = core.train("himmelblau", lr=0.01, steps=60, noise=1.0, seed=1).table.block()
    b = core.train("himmelblau", lr=0.01, steps=60, noise=1.0, seed=2).table.block()
    assert not np.array_equal(a, b) and not np.array_equal(a, plain)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "loud", True, 1e7])
def test_a_bad_noise_is_refused_with_what_is_allowed(bad):
    with pytest.raises(ConfigError, match=r"noise must be a number from 0 to 1e\+06"):
        core.train("rosenbrock", noise=bad)


@pytest.mark.parametrize(("optimizer", "hyper"), OPTIMIZERS)
def test_the_sweep_gets_the_noise_each_run_gets(optimizer, hyper):
    lrs = [1e-4, 5e-4, 2e-3]
    result = core.sweep("rosenbrock", lrs, steps=80, optimizer=optimizer, noise=3.0, seed=5,
                        keep_history=True, **hyper)
    for i, lr in enumerate(lrs):
        run = core.train("rosenbrock", lr=lr, steps=80, optimizer=optimizer, noise=3.0,
                         seed=5, **hyper)
        np.testing.assert_allclose(result.history[: len(run.table), i], run.table["loss"],
                                   rtol=1e-12)


class Bowl(Problem):
    """Σ cᵢ·θᵢ² over many parameters, with data so batches can be asked for."""

    def loss_c(self, xp, p, data):
        return sum(c * v * v for c, v in zip(self.options["c"], p, strict=True))

    def grad_c(self, xp, p, data):
        return tuple(2.0 * c * v for c, v in zip(self.options["c"], p, strict=True))


def bowl(n):
    c = tuple(np.linspace(0.5, 3.0, n).tolist())
    return Bowl(name="bowl", title="bowl", param_names=tuple(f"t{i}" for i in range(n)),
                start=tuple(np.linspace(-1, 1, n).tolist()), description="many parameters",
                options={"c": c})


@pytest.mark.parametrize(("optimizer", "hyper"), OPTIMIZERS)
def test_the_vector_stepper_takes_the_float_steppers_steps(monkeypatch, optimizer, hyper):
    problem = bowl(30)
    assert problem.n_params > steppers.FLOAT_PARAMS
    vector = core.train(problem, optimizer=optimizer, lr=0.05, steps=120, noise=0.1, **hyper)
    monkeypatch.setattr(steppers, "FLOAT_PARAMS", 1000)
    floats = core.train(problem, optimizer=optimizer, lr=0.05, steps=120, noise=0.1, **hyper)
    assert type(floats) is type(vector)
    np.testing.assert_allclose(vector.table.block(), floats.table.block(), rtol=1e-12,
                               atol=1e-300)
    assert vector.status == floats.status


@pytest.mark.parametrize("start", [(1e155, 1.0), (-1.2, 1.0)])
def test_overflow_on_floats_is_a_divergence_not_a_crash(start):
    lr = 1e300 if start[0] < 1e100 else 1e-3
    run = core.train("rosenbrock", lr=lr, steps=5, start=start)
    assert run.status == "diverged" and run.diverged_at is not None
    last = run.table.row(len(run.table) - 1)
    assert not all(np.isfinite([last["loss"], last["a"], last["b"], last["grad_a"]])) or \
        last["loss"] > 1e12 * run.table["loss"][0]


class RootedBowl(Problem):
    """sqrt(a) + (a − 2)²: no real value below a = 0."""

    def loss_c(self, xp, p, data):
        (a,) = p
        return xp.sqrt(a) + (a - 2.0) * (a - 2.0)

    def grad_c(self, xp, p, data):
        (a,) = p
        return (0.5 / xp.sqrt(a) + 2.0 * (a - 2.0),)


@pytest.mark.parametrize("problem", [
    core.formula_problem("sqrt(a) + (a - 2)**2", start=(0.5,)),
    RootedBowl(name="rooted", title="rooted", param_names=("a",), start=(0.5,),
               description=""),
])
@pytest.mark.parametrize("steps", [5, 500])  # 500: long enough for the traced math
def test_a_square_root_below_zero_on_floats_records_numpys_nan(problem, steps):
    # math.sqrt raises below zero; the step is then redone in numpy, whose nan the row
    # records, as a run on numpy arrays would
    run = core.train(problem, lr=1.5, steps=steps)  # a: 0.5 -> 3.94 -> -2.26
    a = run.table["a"]
    negative = int(np.argmax(a < 0))
    assert a[negative] < 0 and run.status == "diverged" and run.diverged_at == negative
    assert np.isnan(run.table["loss"][negative])
    np.testing.assert_array_equal(run.table["loss"][:negative],
                                  problem.loss(a[:negative, None]))


def test_batches_of_many_examples_equal_the_mean_of_each_example():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 3, 40)
    data = Dataset(x[:, None], 2 * x + 1 + rng.normal(0, 0.1, 40))
    problem = core.data_problem((x, data.y))
    run = core.train(problem, lr=0.05, steps=30, batch=20, seed=2)  # above the float batch
    t = run.table
    for k in range(10):
        rows = run_rows = core.make_trainer(problem, lr=0.05, steps=30, batch=20,
                                            seed=2).plan.rows(k)
        theta = (t["a"][k], t["b"][k])
        each = [problem.loss_grad_c(core.xp.NUMPY, theta, data.take([i]))[1] for i in rows]
        np.testing.assert_allclose((t["grad_a"][k], t["grad_b"][k]), np.mean(each, axis=0),
                                   rtol=1e-12)
        assert run_rows == rows


@pytest.mark.parametrize(("optimizer", "hyper"), [("sgd", {"momentum": 0.9}), ("adam", {})])
def test_torch_adds_the_same_noise_to_its_gradient(optimizer, hyper):
    pytest.importorskip("torch")
    kw = {"lr": 5e-4, "steps": 100, "noise": 1.5, "seed": 3, "optimizer": optimizer, **hyper}
    ours = core.train("rosenbrock", **kw).table
    theirs = core.train("rosenbrock", backend="torch", device="cpu", **kw).table
    for column in ("a", "b", "loss", "grad_a", "grad_b"):
        np.testing.assert_allclose(theirs[column], ours[column], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("optimizer", "hyper"), OPTIMIZERS)
def test_the_float_steppers_state_is_the_rules_state_of_arrays(monkeypatch, optimizer, hyper):
    # the float loop keeps each parameter's state as a plain tuple; what it shows is the
    # rule's named state, equal to the one the vector stepper keeps
    def state_after(float_params):
        monkeypatch.setattr(steppers, "FLOAT_PARAMS", float_params)
        trainer = core.make_trainer("rosenbrock", optimizer=optimizer, lr=1e-3, steps=40,
                                    hyper=hyper)
        trainer.run()
        return trainer.optimizer_state

    floats, vector = state_after(1000), state_after(0)
    assert type(floats) is type(vector) and type(floats).__name__.endswith("State")
    for name, a, b in zip(floats._fields, floats, vector, strict=True):
        if a is None or isinstance(a, int):
            assert a == b, name
        else:
            np.testing.assert_array_equal(a, b, err_msg=name)


def test_each_trainer_of_a_config_has_its_own_optimizer():
    cfg = core.RunConfig(problem="rosenbrock", optimizer="adam", hyper={"eps": 1e-6})
    one, two = core.make_trainer("rosenbrock", cfg), core.make_trainer("rosenbrock", cfg)
    assert one.optimizer is not two.optimizer and one.optimizer.hyper == two.optimizer.hyper
    one.optimizer.hyper["eps"] = 1.0
    assert two.optimizer.hyper["eps"] == 1e-6 and cfg.make_optimizer().hyper["eps"] == 1e-6
    with pytest.raises(ConfigError, match="eps for adam"):
        core.RunConfig(problem="rosenbrock", optimizer="adam", hyper={"eps": -1.0})


@pytest.mark.parametrize(("mode", "n"), [("sample", 3), (2, 3), (4, 10), (1, 7), (3, 100_000)])
def test_a_chunks_batches_listed_at_once_are_each_updates_own(mode, n):
    from core.run.batches import BatchPlan, epochs_per_block

    plan = BatchPlan.make(mode, n, 5, "p")
    per = plan.updates_per_epoch
    # chunks that start mid-epoch, cross epochs and cross a block of shuffled epochs
    block = epochs_per_block(n) * per
    for k0, m in [(0, 1), (0, 7), (per - 1, 3), (5, 2 * per + 1), (block - 2, 5)]:
        listed = plan.rows_between(k0, m)
        # against the numpy path's own indices (the vector stepper, the inspector)
        assert listed == [np.arange(n)[plan.indices(k)].tolist() for k in range(k0, k0 + m)]
        assert listed[0] == plan.rows(k0)
        assert all(len(rows) == len(set(rows)) for rows in listed)  # no example twice


@pytest.mark.parametrize("name, tol", [("rosenbrock", None), ("rosenbrock", 1e-3),
                                       ("quadratic", 1e-6), ("himmelblau", None),
                                       ("line-one-point", 1e-6), ("saddle", None)])
def test_the_float_loops_own_stopping_checks_are_the_trainers(monkeypatch, name, tol):
    # a full-batch float run checks divergence and tolerance row by row in its loop, and
    # the trainer trusts it; checking its chunks again afterwards finds the same stops
    problem = core.get_problem(name)
    lrs = problem.default_lr * np.geomspace(0.1, 300.0, 9)
    trusted = [core.train(name, lr=lr, steps=300, tol=tol) for lr in lrs]
    monkeypatch.setattr(steppers.Chunk, "checked", property(lambda self: False,
                                                            lambda self, value: None))
    rechecked = [core.train(name, lr=lr, steps=300, tol=tol) for lr in lrs]
    assert {run.status for run in trusted} >= {"diverged"}  # the grid reaches a stop
    for a, b in zip(trusted, rechecked, strict=True):
        assert (a.status, a.diverged_at, a.converged_at) == \
            (b.status, b.diverged_at, b.converged_at)
        np.testing.assert_array_equal(a.table.block(), b.table.block())
