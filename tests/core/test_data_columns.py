"""Regression on several input columns: parameters w1..wk, b.

Every number is held to an independent computation: the per-example formula
written out here in numpy, numpy.linalg.lstsq for the least-squares minimum,
central differences and torch autograd for gradients and Hessians, a fit on
the raw data for the conversion to the data's own units.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from cli_run import run_cli

import core
from core.errors import ConfigError
from core.io.datatable import DataError, read_table
from core.limits import MAX_DATA_INPUTS
from core.problems.data import data_problem
from core.problems.units import fit_sentence, original_units, units_note, x_scale
from core.run.table import StepTable
from core.session import ProblemRef, load_session, session_for
from core.xp import NUMPY

RNG = np.random.default_rng(20)
N = 40
SIZE = RNG.uniform(0.8, 3.5, N)
ROOMS = RNG.integers(1, 7, N).astype(float)
AGE = RNG.uniform(0.0, 60.0, N)
X3 = np.column_stack([SIZE, ROOMS, AGE])
PRICE = 3.0 * SIZE + 0.5 * ROOMS - 0.02 * AGE + 2.0 + RNG.normal(0.0, 0.2, N)
LABEL = (PRICE + RNG.normal(0.0, 0.8, N) > np.median(PRICE)).astype(float)


def houses_csv(tmp_path, name="houses.csv"):
    path = tmp_path / name
    rows = zip(SIZE.tolist(), ROOMS.tolist(), AGE.tolist(), PRICE.tolist(), strict=True)
    path.write_text("size,rooms,age,price\n" + "".join(f"{a!r},{b!r},{c!r},{d!r}\n"
                                                        for a, b, c, d in rows))
    return path


def direct_linear(theta, x, y):
    """mean((w·x + b − y)²) and its gradient, per example, for every row of theta."""
    r = theta[..., :-1] @ x.T + theta[..., -1:] - y
    loss = np.mean(r * r, axis=-1)
    grad = np.concatenate([2.0 * (r @ x) / len(y), 2.0 * np.mean(r, -1, keepdims=True)], -1)
    return loss, grad


def direct_logistic(theta, x, y):
    z = theta[..., :-1] @ x.T + theta[..., -1:]
    p = 1.0 / (1.0 + np.exp(-z))
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p), axis=-1)
    r = p - y
    grad = np.concatenate([(r @ x) / len(y), np.mean(r, -1, keepdims=True)], -1)
    return loss, grad


def central(problem, theta, h=1e-6):
    return np.stack([(problem.loss(theta + h * e) - problem.loss(theta - h * e)) / (2 * h)
                     for e in np.eye(problem.n_params)], axis=-1)


# ------------------------------------------------------------- the math
def test_parameters_are_named_w1_to_wk_and_b_and_one_column_stays_a_b():
    problem = data_problem((X3, PRICE))
    assert problem.param_names == ("w1", "w2", "w3", "b") and problem.start == (0.0,) * 4
    assert "y ≈ w1·x1 + w2·x2 + w3·x3 + b" in problem.description
    one = data_problem(np.column_stack([SIZE, PRICE]), x_column=[0])
    assert one.param_names == ("a", "b")
    theta = RNG.normal(size=(5, 2))
    np.testing.assert_array_equal(one.loss(theta), data_problem((SIZE, PRICE)).loss(theta))


def test_linear_loss_gradient_and_hessian_equal_the_per_example_formula():
    problem = data_problem((X3, PRICE))
    theta = RNG.normal(size=(3, 4, 4))  # leading axes: a grid of points at once
    loss, grad = problem.loss_and_grad(theta)
    ref_loss, ref_grad = direct_linear(theta, X3, PRICE)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(problem.loss(theta), ref_loss, rtol=1e-12)
    per_example = problem.loss_c(NUMPY, tuple(np.moveaxis(theta, -1, 0)), problem.data)
    np.testing.assert_allclose(per_example, ref_loss, rtol=1e-12)
    np.testing.assert_allclose(grad, central(problem, theta), rtol=1e-6, atol=1e-5)
    a = np.column_stack([X3, np.ones(N)])
    hessian = 2.0 * a.T @ a / N  # 2·[[E[xxᵀ], E[x]], [E[x]ᵀ, 1]]
    np.testing.assert_allclose(problem.hessian(theta), np.broadcast_to(hessian, (3, 4, 4, 4)),
                               rtol=1e-12)


def test_the_minimum_is_numpy_lstsq_and_the_loss_keeps_its_digits_near_it():
    y = PRICE + 1e6  # a large offset: a raw Σ(ŷ − y)² would lose every digit near the minimum
    problem = data_problem((X3, y))
    a = np.column_stack([X3, np.ones(N)])
    best, *_ = np.linalg.lstsq(a, y, rcond=None)
    (minimum,) = problem.minima
    np.testing.assert_allclose(minimum, best, rtol=1e-9)
    residual = np.mean((a @ best - y) ** 2)
    assert problem.min_loss == pytest.approx(residual, rel=1e-9)
    np.testing.assert_allclose(problem.grad(np.array(minimum)), 0.0, atol=1e-7)
    for scale in (1e-3, 1e-6):
        step = scale * RNG.normal(size=4)
        rise = problem.loss(np.array(minimum) + step) - problem.min_loss
        exact = step @ (a.T @ a / N) @ step  # the loss is quadratic: the rise is exact
        assert rise == pytest.approx(exact, rel=1e-6)


def test_dependent_inputs_are_accepted_and_the_minimum_is_not_unique():
    x = np.column_stack([SIZE, 2.0 * SIZE])  # the second input says nothing new
    problem = data_problem((x, PRICE))
    assert problem.minima == () and "not unique" in problem.description
    best, *_ = np.linalg.lstsq(np.column_stack([x, np.ones(N)]), PRICE, rcond=None)
    assert problem.min_loss == pytest.approx(np.mean((np.column_stack(
        [x, np.ones(N)]) @ best - PRICE) ** 2), rel=1e-9)
    run = core.train(problem, lr=problem.default_lr, steps=3000)
    assert run.final_loss - problem.min_loss < 1e-3


def test_logistic_loss_gradient_and_hessian_equal_the_formula_and_central_differences():
    x = np.round(X3[:, :2], 1)  # repeated rows: the full-data sums go over distinct rows
    x = np.vstack([x, x[:10]])
    y = np.concatenate([LABEL, LABEL[:10]])
    problem = data_problem((x, y), model="logistic", normalize=True)
    assert problem.distinct_pairs < len(y)
    theta = RNG.uniform(-2.0, 2.0, size=(2, 5, 3))
    loss, grad = problem.loss_and_grad(theta)
    ref_loss, ref_grad = direct_logistic(theta, problem.data.x, y)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-12)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(grad, central(problem, theta), rtol=1e-6, atol=1e-8)
    h = 1e-5
    fd = np.stack([(problem.grad(theta + h * e) - problem.grad(theta - h * e)) / (2 * h)
                   for e in np.eye(3)], axis=-2)
    np.testing.assert_allclose(problem.hessian(theta), fd, rtol=1e-6, atol=1e-8)
    (minimum,) = problem.minima
    np.testing.assert_allclose(problem.grad(np.array(minimum)), 0.0, atol=1e-12)


def test_gradients_and_hessians_equal_torch_autograd():
    torch = pytest.importorskip("torch", reason="torch is the autograd oracle")
    from core.problems.base import Dataset
    from core.torch_backend.namespace import torch_namespace

    tx = torch_namespace()
    for model, y in (("linear", PRICE), ("logistic", LABEL)):
        problem = data_problem((X3, y), model=model, normalize=True)
        data = Dataset(torch.tensor(problem.data.x), torch.tensor(problem.data.y))
        for theta in RNG.uniform(-1.5, 1.5, size=(3, 4)):
            t = torch.tensor(theta, requires_grad=True)
            z = data.x @ t[:3] + t[3]  # the textbook model, as torch writes it
            if model == "linear":
                loss = torch.mean((z - data.y) ** 2)
            else:
                loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(z), data.y)
            loss.backward()
            np.testing.assert_allclose(problem.loss(theta), loss.item(), rtol=1e-10)
            np.testing.assert_allclose(problem.grad(theta), t.grad.numpy(), rtol=1e-9,
                                       atol=1e-12)
            auto = torch.autograd.functional.hessian(
                lambda v, p=problem, d=data: p.loss_c(tx, tuple(v), d), torch.tensor(theta))
            np.testing.assert_allclose(problem.hessian(theta), auto.numpy(), rtol=1e-9,
                                       atol=1e-12)


@pytest.mark.parametrize("model", ["linear", "logistic"])
def test_the_float_path_equals_numpy(model):
    y = PRICE if model == "linear" else LABEL
    problem = data_problem((X3, y), model=model, normalize=True)
    f = problem.float_loss_grad()
    p = (0.7, -0.3, 0.2, 0.4)
    for rows in (None, [5], [1, 7, 8], list(range(20))):
        loss, grad = f(p, rows)
        data = problem.data if rows is None else problem.data.take(rows)
        ref_loss, ref_grad = problem.loss_grad_c(NUMPY, tuple(np.float64(v) for v in p), data)
        assert isinstance(loss, float) and all(isinstance(g, float) for g in grad)
        assert loss == pytest.approx(float(ref_loss), rel=1e-13)
        np.testing.assert_allclose(grad, np.array(ref_grad, dtype=float), rtol=1e-11,
                                   atol=1e-14)


@pytest.mark.parametrize("batch", ["full", 8, "sample"])
def test_a_run_on_the_torch_backend_equals_the_numpy_run(batch):
    pytest.importorskip("torch")
    problem = data_problem((X3, PRICE), normalize=True)
    ours = core.train(problem, lr=0.1, steps=40, batch=batch, seed=3, optimizer="adam")
    theirs = core.train(problem, lr=0.1, steps=40, batch=batch, seed=3, optimizer="adam",
                        backend="torch")
    for name in (*problem.param_names, "loss", "grad_w2", "w3_orig", "b_orig"):
        np.testing.assert_allclose(theirs.table[name], ours.table[name], rtol=1e-10,
                                   atol=1e-10)


def test_a_mini_batch_run_follows_the_per_example_formula():
    problem = data_problem((X3, PRICE), normalize=True)
    from core.run.batches import BatchPlan

    run = core.train(problem, lr=0.05, steps=12, batch=8, seed=1)
    plan = BatchPlan(8, N, seed=1)  # which rows each update takes
    theta = np.array(problem.start)
    x, y = problem.data.x, problem.data.y
    for k in range(12):
        idx = plan.indices(k)
        _, grad = direct_linear(theta, x[idx], y[idx])
        theta = theta - 0.05 * grad
        row = np.array([run.table[n][k + 1] for n in problem.param_names])
        np.testing.assert_allclose(row, theta, rtol=1e-10, atol=1e-12)
    full = direct_linear(np.stack([run.table[n] for n in problem.param_names], -1), x, y)[0]
    np.testing.assert_allclose(run.table["loss"], full, rtol=1e-10)


# ------------------------------------------------------------- your units
def test_normalised_fit_in_your_units_equals_a_fit_on_the_raw_data():
    problem = data_problem((X3, PRICE), normalize=True)
    scale = x_scale(problem)
    np.testing.assert_allclose(scale.means, X3.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(scale.stds, X3.std(axis=0), rtol=1e-13)
    run = core.train(problem, lr=problem.default_lr, steps=400)
    assert run.table.columns[-4:] == ["w1_orig", "w2_orig", "w3_orig", "b_orig"]
    best, *_ = np.linalg.lstsq(np.column_stack([X3, np.ones(N)]), PRICE, rcond=None)
    last = [run.table[c][-1] for c in ("w1_orig", "w2_orig", "w3_orig", "b_orig")]
    np.testing.assert_allclose(last, best, rtol=1e-6)
    theta = np.stack([run.table[n] for n in problem.param_names], axis=-1)
    converted = original_units(theta, scale)
    for i, column in enumerate(("w1_orig", "w2_orig", "w3_orig", "b_orig")):
        np.testing.assert_allclose(run.table[column], converted[:, i], rtol=1e-14, atol=1e-14)
    # the same predictions in either form
    raw = RNG.uniform(0.0, 5.0, size=(6, 3))
    np.testing.assert_allclose(problem.predict(theta[-1], raw),
                               raw @ converted[-1, :3] + converted[-1, 3], rtol=1e-12)
    sentence = fit_sentence(problem, (3.0 * scale.stds[0], -0.5 * scale.stds[1], 0.0,
                                      2.0 + 3.0 * scale.means[0] - 0.5 * scale.means[1]))
    assert sentence == "y ≈ 3·x1 − 0.5·x2 + 0·x3 + 2 in your units"
    assert units_note(problem).startswith("w1, w2, w3 are per standard deviation")


def test_logistic_predictions_equal_before_and_after_conversion():
    problem = data_problem((X3, LABEL), model="logistic", normalize=True)
    theta = RNG.normal(size=(2, 4))
    fit = original_units(theta, x_scale(problem))
    raw = RNG.uniform(0.0, 5.0, size=(7, 3))
    by_hand = 1.0 / (1.0 + np.exp(-(fit[:, :3] @ raw.T + fit[:, 3:])))
    np.testing.assert_allclose(problem.predict(theta, raw), by_hand, rtol=1e-12)
    assert fit_sentence(problem, theta[0]).startswith("P(y = 1) ≈ sigmoid(")


# ------------------------------------------------------- presets, surface
def test_presets_sweep_and_a_surface_along_any_pair():
    problem = data_problem((X3, PRICE), normalize=True)
    lrs = core.presets(problem)
    assert lrs["too-small"] < lrs["just-right"] < lrs["too-big"]
    assert len(core.sweep(problem, [0.01, 0.1, 0.5], steps=30)) == 3
    xs, ys = np.linspace(-1.0, 1.0, 4), np.linspace(-2.0, 2.0, 3)
    through = np.array([0.5, 0.2, -0.3, 1.0])
    z = core.surface(problem, xs, ys, through=through, axes=(1, 3))
    points = np.repeat(np.repeat(through[None, None], 3, 0), 4, 1)
    points[..., 1], points[..., 3] = np.meshgrid(xs, ys)
    np.testing.assert_allclose(z, direct_linear(points, problem.data.x, PRICE)[0], rtol=1e-12)


def test_the_inspector_writes_every_input_out():
    from core.inspector import inspect_step, plain

    problem = data_problem((X3[:5], PRICE[:5]))
    s = inspect_step(core.train(problem, lr=0.01, steps=2), 1)
    assert plain(s.line("gradient.w3").formula) == "(1/5)·Σ 2·e·x_3"
    ex = s.examples[0]
    w = [s.params[n] for n in problem.param_names]
    assert ex.prediction == pytest.approx(np.dot(w[:3], ex.inputs) + w[3], rel=1e-12)


# --------------------------------------------------------- files and CLI
def test_read_table_keeps_the_chosen_columns_in_their_order(tmp_path):
    path = houses_csv(tmp_path)
    table = read_table(path, x_column=["age", 0])
    assert table.x_names == ("age", "size") and table.y_name == "price"
    np.testing.assert_array_equal(table.inputs, np.column_stack([AGE, SIZE]))
    slow = tmp_path / "slow.csv"  # decimal commas: the line-by-line reader
    slow.write_text("a;b;c;y\n1,5;2;7;1\n2,5;3;8;0\n3;1,25;9;1\n")
    np.testing.assert_array_equal(read_table(slow, x_column=[2, "a"]).inputs,
                                  [[7, 1.5], [8, 2.5], [9, 3.0]])


def test_cli_runs_several_columns_and_says_the_fit_in_your_units(capsys, tmp_path):
    path = houses_csv(tmp_path)
    out = tmp_path / "fit.csv"
    code, stdout, err = run_cli(capsys, "run", "--data", str(path), "--x-column", "size,rooms",
                                "--normalize", "--lr", "0.5", "--steps", "300", "--out",
                                str(out))
    assert (code, err) == (0, "")
    table = StepTable.read_csv(out)
    assert table.columns[3:6] == ["w1", "w2", "b"]
    assert table.columns[-3:] == ["w1_orig", "w2_orig", "b_orig"]
    best, *_ = np.linalg.lstsq(np.column_stack([SIZE, ROOMS, np.ones(N)]), PRICE, rcond=None)
    line = stdout.splitlines()[-1]
    assert "w1, w2 are per standard deviation of their inputs" in line
    sign = "+" if best[2] >= 0 else "−"
    assert (f"y ≈ {best[0]:.4g}·size + {best[1]:.4g}·rooms {sign} {abs(best[2]):.4g} in your "
            "units (columns w1_orig, w2_orig, b_orig)") in line
    code, _, err = run_cli(capsys, "run", "--data", str(path), "--x-column", "size",
                           "--x-column", "rooms", "--normalize", "--lr", "0.5", "--steps",
                           "300", "--out", str(tmp_path / "again.csv"))
    assert code == 0, err
    again = StepTable.read_csv(tmp_path / "again.csv")
    np.testing.assert_array_equal(again["w2_orig"], table["w2_orig"])


@pytest.mark.parametrize(("flags", "needle"), [
    (["--x-column", "size,size"], "names column 'size' twice"),
    (["--x-column", "size", "--x-column", "0"], "twice (as 'size' and '0')"),
    (["--x-column", "size,price"], "'price' is both an input (x_column) and the target"),
    (["--x-column", "size,area"], "no column named 'area' (x_column)"),
    (["--x-column", "size,,rooms"], "empty column name"),
    (["--x-column", "size,rooms", "--model", "logistic"], "is not 0 or 1"),
])
def test_cli_refuses_bad_columns_in_one_line(capsys, tmp_path, flags, needle):
    out = tmp_path / "t.csv"
    code, _, err = run_cli(capsys, "run", "--data", str(houses_csv(tmp_path)), *flags,
                           "--out", str(out))
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, err
    assert needle in err, err
    assert not out.exists()


@pytest.mark.parametrize(("data", "kwargs", "needle"), [
    (np.column_stack([X3[:3], PRICE[:3]]), {"x_column": [0, 1, 2]},
     "has 3 rows for 3 input columns: fitting w1..w3 and b needs at least 4 rows"),
    (np.column_stack([SIZE, np.full(N, 2.0), PRICE]), {"x_column": [0, 1], "normalize": True},
     "every value of column 'column 1'"),
    (np.column_stack([X3, PRICE]), {"x_column": [0, 1, 3]}, "is both an input"),
    (np.column_stack([X3, PRICE]), {"x_column": [2, 3]}, "the last column by default"),
    (np.column_stack([X3, PRICE]), {"x_column": []}, "at least one input column"),
    (np.column_stack([X3, PRICE]), {"x_column": [0, [1]]}, "a list of column indices"),
    (np.column_stack([X3, PRICE]), {"x_column": [0, 9]}, "no column 9 (x_column)"),
    (np.zeros((50, MAX_DATA_INPUTS + 2)), {"x_column": list(range(MAX_DATA_INPUTS + 1))},
     f"more than {MAX_DATA_INPUTS} input columns"),
])
def test_bad_choices_of_several_columns_are_refused(data, kwargs, needle):
    with pytest.raises(DataError) as info:
        data_problem(data, **kwargs)
    message = str(info.value)
    assert needle in message and "\n" not in message, message


def test_as_many_inputs_as_the_limit_are_fitted():
    x = RNG.normal(size=(MAX_DATA_INPUTS + 5, MAX_DATA_INPUTS))
    y = x @ np.arange(MAX_DATA_INPUTS) + 1.0
    problem = data_problem((x, y), normalize=True)
    assert problem.n_params == MAX_DATA_INPUTS + 1
    np.testing.assert_allclose(problem.grad(np.array(problem.minima[0])), 0.0, atol=1e-8)
    assert core.train(problem, lr=0.05, steps=3).status == "finished"


# ------------------------------------------------------------ sessions
def test_a_session_keeps_the_list_of_columns_and_old_sessions_still_open(tmp_path):
    path = houses_csv(tmp_path)
    ref = ProblemRef(data=str(path), x_column=["size", 2], normalize=True)
    assert ref.x_column == ("size", 2)  # kept hashable
    cfg = core.RunConfig(problem="custom", lr=0.3, steps=20, start=(0.1, 0.2, 0.3))
    saved = tmp_path / "s.json"
    session_for(ref, cfg).save(saved)
    assert json.loads(saved.read_text())["problem"]["x_column"] == ["size", 2]
    back = load_session(saved)
    assert back.problem == ref and back.build_problem().param_names == ("w1", "w2", "b")
    ours = core.make_trainer(back.build_problem(), back.config).run().table
    theirs = core.train(data_problem(path, x_column=["size", "age"], normalize=True),
                        lr=0.3, steps=20, start=(0.1, 0.2, 0.3)).table
    np.testing.assert_array_equal(ours.block(), theirs.block())
    old = json.loads(saved.read_text())
    old["problem"]["x_column"], old["start"] = "rooms", [0.0, 0.0]
    saved.write_text(json.dumps(old))
    assert load_session(saved).build_problem().param_names == ("a", "b")
    old["problem"]["x_column"] = ["size", True]
    saved.write_text(json.dumps(old))
    with pytest.raises(ConfigError, match=r"problem\.x_column\[1\]"):
        load_session(saved)
