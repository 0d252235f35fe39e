import numpy as np
import pytest

import core
from core.run.config import RunConfig
from core.run.trainer import Trainer


def test_rows_hold_params_before_each_update():
    run = core.train("line-one-point", lr=0.1, steps=5)
    t = run.table
    assert len(t) == 6 and run.status == "finished" and run.diverged_at is None
    assert t.columns == [
        "step",
        "epoch",
        "lr",
        "a",
        "b",
        "loss",
        "grad_a",
        "grad_b",
        "grad_norm",
        "y_pred",
        "error",
    ]
    np.testing.assert_array_equal(t["step"], np.arange(6))
    np.testing.assert_array_equal(t["lr"], 0.1)
    # the next row's parameters are this row's minus lr times this row's gradient
    np.testing.assert_array_equal(t["a"][1:], t["a"][:-1] - 0.1 * t["grad_a"][:-1])
    np.testing.assert_allclose(t["grad_norm"], np.hypot(t["grad_a"], t["grad_b"]))


def test_zero_steps_gives_the_start_row_only():
    run = core.train("rosenbrock", steps=0, lr=1e-3)
    assert len(run.table) == 1
    assert run.table["a"][0] == -1.2


def test_divergence_ends_the_run_quietly(capfd):
    run = core.train("line-one-point", lr=0.6, steps=500)
    assert run.status == "diverged"
    k = run.diverged_at
    assert k is not None and len(run.table) == k + 1
    loss = run.table["loss"]
    assert loss[k] > 1e12 * loss[0]
    assert np.all(loss[:k] <= 1e12 * loss[0])
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_overflow_to_inf_is_divergence_without_warnings():
    # lr 1e6 overflows float64 within a few steps: the non-finite row is kept
    run = core.train("rosenbrock", lr=10.0, steps=100)
    assert run.status == "diverged"
    last = run.table.row(-1)
    assert run.diverged_at == len(run.table) - 1
    assert (
        not all(np.isfinite([last["loss"], last["a"], last["grad_a"]]))
        or last["loss"] > 1e12 * run.table["loss"][0]
    )


def test_inline_plain_step_equals_the_sgd_rule_bit_for_bit():
    cfg = RunConfig(problem="rosenbrock", lr=1e-3, steps=300)
    fast = Trainer(core.get_problem("rosenbrock"), cfg)
    slow = Trainer(core.get_problem("rosenbrock"), cfg)
    rule = slow.optimizer.rule
    slow.optimizer.rule = rule._replace(plain=lambda hyper: False)  # call sgd's update
    assert fast.optimizer.plain and not slow.optimizer.plain
    np.testing.assert_array_equal(fast.run().table.block(), slow.run().table.block())


def test_advancing_in_chunks_equals_one_go():
    whole = core.train("house-prices", lr=0.01, steps=100, momentum=0.9)
    trainer = core.make_trainer("house-prices", lr=0.01, steps=100, hyper={"momentum": 0.9})
    added = []
    while not trainer.finished:
        added.append(trainer.advance(7))
    assert sum(added) == 101 and trainer.status == "finished"
    np.testing.assert_array_equal(trainer.table.block(), whole.table.block())


def test_lr_change_between_chunks_applies_to_later_updates():
    trainer = core.make_trainer("line-one-point", lr=0.1, steps=10)
    trainer.advance(4)
    trainer.set_lr(0.05)
    run = trainer.run()
    lr = run.table["lr"]
    np.testing.assert_array_equal(lr, [0.1] * 4 + [0.05] * 7)
    a = run.table["a"]
    np.testing.assert_array_equal(a[5], a[4] - 0.05 * run.table["grad_a"][4])


def test_extending_the_budget_continues_a_finished_run():
    trainer = core.make_trainer("line-one-point", lr=0.1, steps=3)
    trainer.run()
    trainer.set_steps(6)
    run = trainer.run()
    np.testing.assert_array_equal(
        run.table.block(), core.train("line-one-point", steps=6).table.block()
    )


def test_converged_when_the_gradient_vanishes():
    run = core.train("line-one-point", lr=0.25, steps=100)
    # lr·λmax = 1 lands on the valley floor in one step: the gradient is exactly zero
    assert run.status == "converged"
    assert run.converged_at == len(run.table) - 1
    assert run.table["grad_norm"][-1] == 0.0


def test_tol_stops_the_run():
    run = core.train("line-one-point", lr=0.1, steps=100, tol=1e-4)
    assert run.status == "converged"
    loss = run.table["loss"]
    assert loss[-1] <= 1e-4 < loss[-2]


def test_sample_batches_use_examples_in_order():
    problem = core.get_problem("house-prices")
    run = core.train(problem, lr=0.01, steps=7, batch="sample")
    t = run.table
    assert "batch_loss" in t.columns
    np.testing.assert_array_equal(t["epoch"], np.arange(8) // 3)
    for k in range(7):
        theta = [t["w"][k], t["b"][k]]
        i = k % 3
        bl, bg = problem.batch_loss_and_grad(theta, slice(i, i + 1))
        assert t["batch_loss"][k] == pytest.approx(float(bl), rel=1e-14)
        np.testing.assert_allclose([t["grad_w"][k], t["grad_b"][k]], bg, rtol=1e-14)
        # the full-data loss is always the loss column
        assert t["loss"][k] == pytest.approx(float(problem.loss(theta)), rel=1e-12)


def test_minibatches_cover_each_epoch_once_and_follow_the_seed():
    x = np.linspace(0, 1, 10)
    data = core.Dataset(x[:, None], 2 * x + 1)
    from core.problems.regression import LinearRegression

    prob = LinearRegression(
        name="d", title="d", param_names=("a", "b"), start=(0.0, 0.0), description="d", data=data
    )
    trainer = core.make_trainer(prob, lr=0.1, steps=8, batch=4, seed=3)
    seen = [trainer.plan.indices(k) for k in range(6)]
    assert [len(s) for s in seen[:3]] == [4, 4, 2]  # 10 examples: 4 + 4 + 2
    assert sorted(np.concatenate(seen[:3]).tolist()) == list(range(10))
    assert sorted(np.concatenate(seen[3:6]).tolist()) == list(range(10))
    a = core.train(prob, lr=0.1, steps=20, batch=4, seed=3).table.block()
    b = core.train(prob, lr=0.1, steps=20, batch=4, seed=3).table.block()
    c = core.train(prob, lr=0.1, steps=20, batch=4, seed=4).table.block()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lr": -0.1}, "lr"),
        ({"lr": float("nan")}, "lr"),
        ({"lr": float("inf")}, "lr"),
        ({"lr": "fast"}, "lr"),
        ({"steps": -1}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"steps": True}, "steps"),
        ({"start": [1.0]}, "start"),
        ({"start": [1.0, "x"]}, "start"),
        ({"start": [1.0, float("nan")]}, "start"),
        ({"batch": 0}, "batch"),
        ({"batch": "some"}, "batch"),
        ({"optimizer": "sgdd"}, "optimizer"),
        ({"momentum": -1}, "momentum"),
        ({"betas": (0.9, 1.5), "optimizer": "adam"}, "betas"),
        ({"bogus": 1}, "bogus"),
        ({"backend": "jax"}, "backend"),
        ({"seed": -1, "batch": "sample"}, "seed"),
    ],
)
def test_bad_settings_raise_a_config_error_naming_the_value(kwargs, match):
    with pytest.raises(core.ConfigError, match=match):
        core.train("line-one-point", **{"steps": 3, **kwargs})


def test_batches_need_a_data_problem():
    with pytest.raises(core.ConfigError, match="needs a data problem"):
        core.train("rosenbrock", batch="sample", steps=3)


def test_torch_backend_without_torch_names_the_install_command(monkeypatch):
    monkeypatch.setattr(core.torch_backend, "available", lambda: False)
    with pytest.raises(core.ConfigError, match=r'pip install "lr-playground\[torch\]"'):
        core.train("line-one-point", backend="torch", steps=2)


@pytest.mark.parametrize(("optimizer", "start"), [("adam", (0.0, 0.0)), ("adagrad", (0.0, 1.0)),
                                                  ("rmsprop", (0.0, 1.0))])
def test_a_division_by_zero_in_the_float_update_records_numpys_nan(optimizer, start):
    # eps = 0 and a zero gradient component: 0/0, which Python floats refuse
    run = core.train("quadratic", optimizer=optimizer, eps=0.0, lr=0.1, steps=3, start=start)
    opt = core.make_optimizer(optimizer, eps=0.0)
    theta = np.array(start)
    with np.errstate(all="ignore"):
        expected, _ = opt.step(theta, core.get_problem("quadratic").grad(theta), opt.init(theta),
                               0.1)
    np.testing.assert_array_equal(run.params[1], expected)
    assert run.status == "diverged" and run.diverged_at == 1
