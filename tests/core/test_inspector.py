"""The step inspector's numbers, held against independent loops and torch.optim.

Every expected number here comes from a plain loop written in the test or from
torch.optim's own state; none is copied from the inspector or the articles.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import core
from core.inspector import (
    PHASES,
    StepInspector,
    StepText,
    inspect_step,
    plain,
    register_step_text,
    step_text,
)
from core.numfmt import format_decimals
from core.problems.base import Dataset, Problem
from core.problems.regression import LinearRegression
from core.run.config import RunConfig
from core.run.table import format_rounded


# ------------------------------------------------------------- seed 003
def seed_003_rows(steps):
    """Seed 003's set-up as a plain loop: y = a·x + b on (1, 4), from (3, 4), lr 0.1."""
    x, y_true, a, b, lr = 1.0, 4.0, 3.0, 4.0, 0.1
    rows = []
    for _ in range(steps + 2):
        y_pred = a * x + b
        error = y_pred - y_true
        grad_a, grad_b = 2 * error * x, 2 * error
        rows.append(
            {
                "a": a,
                "b": b,
                "y_pred": y_pred,
                "error": error,
                "grad_a": grad_a,
                "grad_b": grad_b,
                "loss": error * error,
            }
        )
        a, b = a - lr * grad_a, b - lr * grad_b
    return rows


@pytest.mark.parametrize("source", ["run", "trainer", "pair"])
def test_line_one_point_steps_0_to_5_are_seed_003s_numbers(source):
    rows = seed_003_rows(5)
    if source == "run":
        src = core.train("line-one-point", lr=0.1, steps=5)
    elif source == "trainer":
        src = core.make_trainer("line-one-point", lr=0.1, steps=5)
        src.run()
    else:
        src = ("line-one-point", RunConfig(problem="line-one-point", lr=0.1, steps=5))
    inspector = StepInspector(src)
    for k in range(6):
        s = inspector.inspect(k)
        row, after = rows[k], rows[k + 1]
        # exactly, in the structured values
        assert s.step == k and s.lr == 0.1
        assert s.params == {"a": row["a"], "b": row["b"]}
        assert tuple(s.batch) == (0,)
        (ex,) = s.examples
        assert ex.prediction == row["y_pred"] and ex.error == row["error"]
        assert ex.inputs == (1.0,) and ex.target == 4.0
        assert s.loss == row["loss"] and s.batch_loss is None
        assert s.grad == {"a": row["grad_a"], "b": row["grad_b"]}
        assert s.direction == s.grad  # plain SGD steps along the gradient
        assert s.params_after == {"a": after["a"], "b": after["b"]}
        assert s.state == {} and s.state_before == {}
        # to 4 decimals, as displayed
        shown = {
            "predict.0.yhat": row["y_pred"],
            "predict.0.err": row["error"],
            "loss": row["loss"],
            "gradient.a": row["grad_a"],
            "gradient.b": row["grad_b"],
            "update.a": after["a"],
            "update.b": after["b"],
        }
        for key, value in shown.items():
            line = s.line(key)
            assert line.value == value, key
            assert line.value_text == format_rounded(value), key
        # the loss written out with its numbers, as the article writes (7 − 4)² = 9
        loss_line = s.line("loss")
        assert plain(loss_line.numbers) == (
            f"({format_rounded(row['y_pred'])} − {format_rounded(4.0)})²"
        )
        assert s.updates[0].old == row["a"] and s.updates[0].new == after["a"]


def test_step_0_reads_like_the_article():
    s = inspect_step(core.train("line-one-point", lr=0.1, steps=5), 0)
    text = s.text()
    assert "ŷ = a·x + b = 3.0000·1.0000 + 4.0000 = 7.0000" in text
    assert "(ŷ − y)² = (7.0000 − 4.0000)² = 9.0000" in text
    assert "∂L/∂a = 2·e·x = 2·3.0000·1.0000 = 6.0000" in text
    assert "a − lr·g_a = 3.0000 − 0.1 × 6.0000 = 2.4000" in text
    assert [p.key for p in s.phases] == list(PHASES)


# ------------------------------------------------------- torch.optim state
def torch_states(optimizer, steps, **hyper):
    """house-prices in float64 torch: the parameters and optimizer.state after each step."""
    torch = pytest.importorskip("torch")
    x = torch.tensor([1.5, 2.0, 2.5], dtype=torch.float64)
    y = torch.tensor([300.0, 400.0, 500.0], dtype=torch.float64)
    theta = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    cls = {
        "sgd": torch.optim.SGD,
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
        "rmsprop": torch.optim.RMSprop,
        "adagrad": torch.optim.Adagrad,
        "nadam": torch.optim.NAdam,
        "radam": torch.optim.RAdam,
        "adamax": torch.optim.Adamax,
        "adadelta": torch.optim.Adadelta,
    }[optimizer]
    opt = cls([theta], lr=hyper.pop("lr"), foreach=False, **hyper)
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((theta[0] * x + theta[1] - y) ** 2).mean()
        loss.backward()
        opt.step()
        state = {
            k: (v.detach().numpy().copy() if v.dim() else float(v))
            for k, v in opt.state[theta].items()
        }
        out.append((theta.detach().numpy().copy(), state))
    return out


def assert_state_matches(ours, theirs, rtol=1e-12):
    for key, value in theirs.items():
        assert key in ours, f"inspector does not show torch's state {key!r}"
        shown = np.array([ours[key]["w"], ours[key]["b"]])
        np.testing.assert_allclose(
            shown, np.broadcast_to(value, (2,)), rtol=rtol, atol=1e-300, err_msg=key
        )


def test_house_prices_momentum_buffer_and_update_equal_torch_sgd():
    steps = 30
    theirs = torch_states("sgd", steps, lr=0.01, momentum=0.9)
    run = core.train("house-prices", lr=0.01, steps=steps, momentum=0.9)
    inspector = StepInspector(run)
    for k in range(steps):
        s = inspector.inspect(k)
        params, state = theirs[k]
        assert set(state) == {"momentum_buffer"}
        assert_state_matches(s.state, state)
        np.testing.assert_allclose([s.params_after["w"], s.params_after["b"]], params, rtol=1e-12)
        buf = [s.line("state.momentum_buffer.w").value, s.line("state.momentum_buffer.b").value]
        np.testing.assert_allclose(buf, state["momentum_buffer"], rtol=1e-12)
        assert s.direction == {n: s.state["momentum_buffer"][n] for n in ("w", "b")}
        if k:
            prev = theirs[k - 1][1]["momentum_buffer"]
            np.testing.assert_allclose(
                [s.state_before["momentum_buffer"][n] for n in ("w", "b")], prev, rtol=1e-12
            )


@pytest.mark.parametrize(
    ("optimizer", "hyper"),
    [
        ("adam", {}),
        ("adam", {"amsgrad": True, "weight_decay": 0.1}),
        ("adamw", {"weight_decay": 0.1}),
        ("rmsprop", {"centered": True, "momentum": 0.5}),
        ("adagrad", {"lr_decay": 0.01}),
        ("sgd", {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
        ("nadam", {}),
        ("nadam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
        ("radam", {"weight_decay": 0.1}),
        ("adamax", {"weight_decay": 0.1}),
        ("adadelta", {"rho": 0.8}),
    ],
)
def test_shown_state_equals_torch_optim_state(optimizer, hyper):
    steps, lr = 25, 0.01 if optimizer == "sgd" else 0.5
    theirs = torch_states(optimizer, steps, lr=lr, **dict(hyper))
    run = core.train("house-prices", optimizer=optimizer, lr=lr, steps=steps, **hyper)
    inspector = StepInspector(run)
    for k in range(steps):
        s = inspector.inspect(k)
        params, state = theirs[k]
        assert_state_matches(s.state, state, rtol=1e-10)
        np.testing.assert_allclose([s.params_after["w"], s.params_after["b"]], params, rtol=1e-10)
    if optimizer in ("adam", "adamw"):
        s = inspector.inspect(3)
        assert s.line("state.step").value_text == "4"
        assert s.line("state.bias_correction1").value == pytest.approx(1 - 0.9**4, rel=1e-15)


# --------------------------------------------- the update's arithmetic
OPTIMIZERS = [
    ("sgd", {}),
    ("sgd", {"momentum": 0.9}),
    ("sgd", {"momentum": 0.9, "dampening": 0.5, "weight_decay": 0.1}),
    ("sgd", {"momentum": 0.8, "nesterov": True}),
    ("adam", {}),
    ("adam", {"amsgrad": True, "weight_decay": 0.05}),
    ("adamw", {}),
    ("adamw", {"weight_decay": 0.5, "amsgrad": True}),
    ("rmsprop", {}),
    ("rmsprop", {"centered": True, "momentum": 0.9, "weight_decay": 0.01}),
    ("adagrad", {}),
    ("adagrad", {"lr_decay": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.5}),
    ("nadam", {}),
    ("nadam", {"weight_decay": 0.1, "decoupled_weight_decay": True, "momentum_decay": 0.01}),
    ("radam", {}),
    ("radam", {"betas": (0.5, 0.9), "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("adamax", {}),
    ("adamax", {"weight_decay": 0.1, "eps": 1e-3}),
    ("adadelta", {}),
    ("adadelta", {"rho": 0.5, "weight_decay": 0.1}),
]
RUNS = [
    ("house-prices", {"lr": 0.01, "steps": 12}),
    ("rosenbrock", {"lr": 1e-3, "steps": 12}),
    ("and-gate", {"lr": 0.5, "steps": 12, "batch": "sample"}),
    ("glasses-vs-ring", {"lr": 0.1, "steps": 12, "batch": 3, "seed": 4}),
]


@pytest.mark.parametrize(("optimizer", "hyper"), OPTIMIZERS)
@pytest.mark.parametrize(("problem", "settings"), RUNS)
def test_old_minus_lr_times_direction_is_new(problem, settings, optimizer, hyper):
    run = core.train(problem, optimizer=optimizer, **settings, **hyper)
    names = run.problem.param_names
    inspector = StepInspector(run)
    for k in range(len(run.table)):
        s = inspector.inspect(k)
        for u, name in zip(s.updates, names, strict=True):
            assert u.name == name and u.lr == run.table["lr"][k]
            assert math.isclose(u.old - u.lr * u.direction, u.new, rel_tol=1e-12, abs_tol=1e-12)
            if k + 1 < len(run.table):
                assert u.new == run.table[name][k + 1]  # the table's own next row
            line = s.line(f"update.{name}")
            assert line.value == u.new and line.value_text == format_decimals(u.new)
        if optimizer == "adamw" and run.config.hyper.get("weight_decay", 0.01):
            wd = run.config.hyper.get("weight_decay", 0.01)
            assert all(u.decay == pytest.approx(wd * u.old, rel=1e-15) for u in s.updates)
            assert "λ·" in s.line(f"update.{names[0]}").formula


def test_the_last_row_shows_the_update_the_next_row_would_hold():
    run = core.train("house-prices", optimizer="adam", lr=0.1, steps=6)
    s = inspect_step(run, 6)
    assert s.update_taken and not s.update_recorded
    longer = core.train("house-prices", optimizer="adam", lr=0.1, steps=7).table
    assert s.params_after == {"w": longer["w"][7], "b": longer["b"][7]}
    assert any("last row" in note for note in s.notes)


def test_a_diverged_row_says_no_update_was_made():
    run = core.train("house-prices", lr=0.3, steps=100)
    assert run.status == "diverged"
    s = inspect_step(run, run.diverged_at)
    assert not s.update_taken and not s.update_recorded
    assert "diverged" in s.notes[0]
    assert "no update" in s.phase("update").summary


def test_a_converged_run_stops_at_an_exact_fit():
    run = core.train("line-one-point", lr=0.25, steps=10)
    s = inspect_step(run, -1)
    assert s.step == run.converged_at == 1
    assert s.grad == {"a": 0.0, "b": 0.0} and not s.update_taken
    assert s.params_after == s.params


# ------------------------------------------------------------ batches
def twelve_points():
    x = np.linspace(-1.0, 2.0, 12)
    return LinearRegression(
        name="twelve",
        title="Twelve points",
        param_names=("a", "b"),
        start=(0.5, -0.5),
        description="a test line",
        data=Dataset(x[:, None], 3 * x - 1 + np.sin(7 * x)),
    )


def expected_rows(batch, n, seed, k):
    """The examples update k uses, from the batch rule written out independently."""
    if batch == "full":
        return tuple(range(n))
    if batch == "sample":
        return (k % n,)
    per = -(-n // batch)
    epoch, j = divmod(k, per)
    # the epochs' shuffles come a block at a time from one generator
    per_block = max(1, 65536 // n)
    block, row = divmod(epoch, per_block)
    perms = np.random.default_rng([seed, block]).permuted(
        np.tile(np.arange(n), (per_block, 1)), axis=1)
    perm = perms[row]
    return tuple(int(i) for i in perm[j * batch : (j + 1) * batch])


@pytest.mark.parametrize("batch", ["full", "sample", 5, 7])
def test_predict_lists_exactly_the_examples_of_the_batch(batch):
    problem = twelve_points()
    run = core.train(problem, lr=0.05, steps=9, batch=batch, seed=3)
    data = problem.data
    inspector = StepInspector(run)
    for k in range(10):
        s = inspector.inspect(k)
        rows = expected_rows(batch, 12, 3, k)
        assert tuple(s.batch) == rows
        shown = rows[:5]
        assert tuple(ex.index for ex in s.examples) == shown
        for j, ex in enumerate(s.examples):
            assert ex.inputs == (data.x[ex.index, 0],) and ex.target == data.y[ex.index]
            assert ex.prediction == s.params["a"] * data.x[ex.index, 0] + s.params["b"]
            assert s.line(f"predict.{j}.example").label == f"example {ex.index + 1}"
        example_lines = [ln for ln in s.phase("predict").lines if ln.key.endswith(".example")]
        assert len(example_lines) == len(shown)
        more = [ln for ln in s.phase("predict").lines if ln.key == "predict.more"]
        assert len(more) == (len(rows) > 5)
        if more:
            assert more[0].numbers.startswith(f"{len(rows) - 5} more")
        # the gradient the update uses is the mean over exactly these rows
        idx = list(rows)
        r = s.params["a"] * data.x[idx, 0] + s.params["b"] - data.y[idx]
        assert s.grad["a"] == pytest.approx(2 * np.mean(r * data.x[idx, 0]), rel=1e-12)
        if batch == "full":
            assert s.batch_loss is None and s.loss == pytest.approx(np.mean(r * r), rel=1e-12)
        else:
            assert s.batch_loss == pytest.approx(np.mean(r * r), rel=1e-12)
            assert s.line("loss.batch").value == s.batch_loss and s.line("loss").value == s.loss


def test_small_batches_write_the_mean_out_and_large_ones_do_not():
    small = inspect_step(core.train("house-prices", lr=0.01, steps=2), 0)
    numbers = plain(small.line("loss").numbers)
    assert numbers.count("²") == 3 and numbers.endswith("/3")
    big = inspect_step(core.train(twelve_points(), lr=0.05, steps=2), 0)
    assert big.line("loss").numbers == "" and "(1/12)·Σ" in plain(big.line("loss").formula)


def test_glasses_vs_ring_per_sample_shows_the_article_quantities():
    run = core.train("glasses-vs-ring", lr=0.1, steps=8, batch="sample")
    s = inspect_step(run, 6)
    (ex,) = s.examples
    assert ex.index == 2 and tuple(s.batch) == (2,)
    z = s.params["w1"] * 0.35 + s.params["w2"] * 0.03 + s.params["b"]
    assert ex.values["z"] == z and ex.prediction == min(max(z, 0.0), 1.0)
    assert s.grad["w1"] == pytest.approx(ex.values["delta"] * 0.35, rel=1e-12)
    assert s.batch_loss == pytest.approx(0.5 * ex.error**2, rel=1e-12)


# ------------------------------------------------------------- changed
def test_changed_flags_follow_the_displayed_numbers():
    run = core.train("saddle", lr=0.1, steps=5, start=(-4.0, 0.0))
    inspector = StepInspector(run)
    assert inspector.inspect(0).changed == frozenset()
    s = inspector.inspect(2)
    assert {"loss", "gradient.a", "update.a", "predict.at"} <= s.changed
    # b stays 0 on the saddle's ridge: nothing written about it changes
    assert "gradient.b" not in s.changed and "update.b" not in s.changed
    assert s.line("gradient.a").changed and not s.line("gradient.b").changed


def test_the_example_line_changes_when_the_sample_changes():
    run = core.train("and-gate", lr=0.5, steps=5, batch="sample")
    s = inspect_step(run, 1)
    assert "predict.0.example" in s.changed


# ---------------------------------------------------------- the text
ALLOWED_TAGS = {"b", "/b", "i", "/i", "sub", "/sub", "sup", "/sup", "br"}


@pytest.mark.parametrize("name", core.list_problems())
@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_every_problem_renders_in_a_label_subset(name, optimizer):
    problem = core.get_problem(name)
    hyper = {"momentum": 0.5} if optimizer in ("sgd", "rmsprop") else {}
    run = core.train(
        name, optimizer=optimizer, lr=1e-3, steps=3, batch=problem.default_batch, **hyper
    )
    s = inspect_step(run, 2)
    markup = s.html()
    assert set(re.findall(r"<(/?\w+)", markup)) <= ALLOWED_TAGS
    assert "<" not in s.text()
    assert len(s.phases) == 4
    for line in s.lines:
        if line.value is not None and math.isfinite(line.value):
            # 4 decimals, or scientific where 4 decimals would hide the number
            assert line.value_text == format_decimals(line.value, integer=line.value_text.isdigit())
    # every parameter has a gradient line whose formula is known for the built-ins
    for n in problem.param_names:
        assert s.line(f"gradient.{n}").formula


def test_decimals_are_a_choice():
    s = inspect_step(core.train("line-one-point", lr=0.1, steps=5), 5, decimals=6)
    assert s.line("predict.0.yhat").value_text == "4.233280"


# ----------------------------------------------- unknown and typed problems
class Bumpy(Problem):
    def loss_c(self, xp, p, data):
        a, b = p
        return a**4 + b * b

    def grad_c(self, xp, p, data):
        a, b = p
        return 4 * a**3, 2 * b


class Typed(Bumpy):
    expression = "a**4 + b**2"
    gradient_text = ("4*a**3", "2*b")


def test_an_unknown_function_problem_gets_the_generic_text():
    problem = Bumpy(
        name="bumpy",
        title="a quartic bowl",
        param_names=("a", "b"),
        start=(1.0, 2.0),
        description="",
    )
    s = inspect_step(core.train(problem, lr=0.1, steps=2), 1)
    assert "a quartic bowl" in s.line("loss").formula
    assert s.line("gradient.a").value == 4 * s.params["a"] ** 3
    assert s.line("gradient.a").formula == ""
    assert s.examples == () and s.batch is None


def test_a_typed_formula_shows_its_own_text_with_the_numbers():
    problem = Typed(
        name="typed", title="typed", param_names=("a", "b"), start=(1.0, -2.0), description=""
    )
    s = inspect_step(core.train(problem, lr=0.1, steps=2), 0)
    assert plain(s.line("loss").formula) == "a^4 + b²"
    assert plain(s.line("loss").numbers) == "1.0000^4 + (−2.0000)²"
    assert plain(s.line("gradient.a").formula) == "4·a³"


class MeanAbs(Problem):
    def loss_c(self, xp, p, data):
        (c,) = p
        return xp.mean((xp.col(c) - data.y) ** 2)

    def grad_c(self, xp, p, data):
        (c,) = p
        return (2.0 * xp.mean(xp.col(c) - data.y),)


def test_an_unknown_data_problem_lists_its_examples_and_their_losses():
    data = Dataset(np.zeros((3, 1)), np.array([1.0, 2.0, 4.0]))
    problem = MeanAbs(
        name="centre", title="centre", param_names=("c",), start=(0.0,), description="", data=data
    )
    s = inspect_step(core.train(problem, lr=0.1, steps=2), 0)
    assert [ex.loss for ex in s.examples] == [1.0, 4.0, 16.0]
    assert plain(s.line("loss").numbers) == "(1.0000 + 4.0000 + 16.0000)/3"
    assert plain(s.line("gradient.c").numbers) == "(−2.0000 − 4.0000 − 8.0000)/3"


def test_problems_can_register_their_own_text():
    problem = Bumpy(
        name="registered-bumpy", title="t", param_names=("a", "b"), start=(1.0, 2.0), description=""
    )
    register_step_text(
        "registered-bumpy",
        lambda p: StepText(
            kind="function",
            values=lambda q, x, y: {},
            loss_term="{a}⁴ + {b}²",
            grad_terms={"a": "4·{a}³", "b": "2·{b}"},
        ),
    )
    assert step_text(problem).loss_term == "{a}⁴ + {b}²"
    s = inspect_step(core.train(problem, lr=0.1, steps=1), 0)
    assert plain(s.line("loss").numbers) == "1.0000⁴ + 2.0000²"


# --------------------------------------------------------- live and errors
def test_a_live_trainer_is_inspected_as_it_grows():
    trainer = core.make_trainer("house-prices", lr=0.01, steps=50, hyper={"momentum": 0.9})
    trainer.advance(3)
    inspector = StepInspector(trainer)
    first = inspector.inspect(2)
    assert not first.update_recorded
    trainer.advance(10)
    again = inspector.inspect(2)
    assert again.update_recorded and again.params_after == first.params_after
    assert inspector.inspect(-1).step == 12
    full = core.train("house-prices", lr=0.01, steps=50, momentum=0.9)
    assert inspect_step(full, 12).state == inspector.inspect(12).state


def test_scrubbing_back_and_forth_gives_the_same_state():
    run = core.train("rosenbrock", optimizer="adam", lr=1e-2, steps=700)
    fresh = inspect_step(run, 650).state
    inspector = StepInspector(run)
    for k in (600, 10, 699, 300, 650):
        inspector.inspect(k)
    assert inspector.inspect(650).state == fresh


def test_bad_rows_and_sources_are_refused():
    run = core.train("line-one-point", lr=0.1, steps=5)
    with pytest.raises(IndexError, match="rows 0 to 5"):
        inspect_step(run, 6)
    with pytest.raises(TypeError, match="Run, a Trainer"):
        inspect_step("line-one-point", 0)


def test_the_torch_backend_run_is_inspected_like_the_numpy_one():
    pytest.importorskip("torch")
    ours = inspect_step(core.train("house-prices", optimizer="adam", lr=0.1, steps=4), 3)
    theirs = inspect_step(
        core.train("house-prices", optimizer="adam", lr=0.1, steps=4, backend="torch"), 3
    )
    assert theirs.line("update.w").value_text == ours.line("update.w").value_text
    assert theirs.state["exp_avg"]["w"] == pytest.approx(ours.state["exp_avg"]["w"], rel=1e-12)


# ------------------------------------------- your own data and formulas
def test_logistic_regression_on_data_shows_cross_entropy_per_example():
    datafile = pytest.importorskip("core.problems.data")
    problem = datafile.data_problem(
        (np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.0, 0.0, 1.0, 1.0])), model="logistic"
    )
    s = inspect_step(core.train(problem, lr=0.5, steps=3), 1)
    for ex in s.examples:
        p = 1 / (1 + math.exp(-(s.params["a"] * ex.inputs[0] + s.params["b"])))
        assert ex.prediction == pytest.approx(p, rel=1e-12)
        y = ex.target
        assert ex.loss == pytest.approx(-(y * math.log(p) + (1 - y) * math.log(1 - p)), rel=1e-12)
    assert "log" in plain(s.line("loss").formula)
    assert plain(s.line("gradient.a").formula) == "(1/4)·Σ e·x"


def test_a_linear_data_problem_uses_the_regression_text():
    datafile = pytest.importorskip("core.problems.data")
    problem = datafile.data_problem((np.array([1.0, 2.0, 3.0]), np.array([1.0, 3.0, 2.0])))
    s = inspect_step(core.train(problem, lr=0.05, steps=2), 0)
    assert plain(s.line("gradient.a").formula) == "(1/3)·Σ 2·e·x"


def test_a_typed_formula_problem_shows_the_typed_text():
    formula = pytest.importorskip("core.formula")
    problem = formula.formula_problem("(1-a)**2 + 100*(b-a**2)**2")
    s = inspect_step(core.train(problem, lr=1e-3, steps=2), 0)
    assert plain(s.line("loss").formula) == "(1−a)² + 100·(b−a²)²"
    assert s.line("loss").value == pytest.approx(
        (1 - s.params["a"]) ** 2 + 100 * (s.params["b"] - s.params["a"] ** 2) ** 2, rel=1e-12
    )


def test_every_optimizer_has_its_own_step_text():
    from core.inspector.optimizer_steps import DESCRIBERS

    assert set(DESCRIBERS) == set(core.OPTIMIZERS)


@pytest.mark.parametrize("optimizer", ["nadam", "radam", "adamax", "adadelta"])
def test_the_newer_optimizers_name_their_own_quantities(optimizer):
    run = core.train("rosenbrock", optimizer=optimizer, lr=1e-3, steps=8)
    text = inspect_step(run, 6).text()
    expected = {"nadam": ["μ_t+1", "Π", "Nesterov"], "radam": ["ρ_t", "r ="],
                "adamax": ["u_a", "max("], "adadelta": ["a_a", "√(v + ε)"]}[optimizer]
    for piece in expected:
        assert piece in text, piece


def test_radam_says_when_it_starts_to_divide():
    run = core.train("rosenbrock", optimizer="radam", lr=1e-3, steps=8)
    assert "momentum alone" in inspect_step(run, 0).text()
    assert "enough gradients to divide" in inspect_step(run, 6).text()


# ------------------------------------------------------------ arrows (step_vectors)
@pytest.mark.parametrize("optimizer, hyper", [("sgd", {}), ("sgd", {"momentum": 0.9}),
                                              ("adam", {})])
def test_step_vectors_are_the_inspectors_numbers(optimizer, hyper):
    from core.inspector import StepInspector, step_vectors

    cfg = core.RunConfig(problem="rosenbrock", optimizer=optimizer, lr=1e-3, steps=40,
                         hyper=hyper)
    trainer = core.make_trainer("rosenbrock", cfg)
    trainer.advance(12)  # paused mid-run: the newest row's update is not recorded yet
    inspector = StepInspector(trainer)
    for k in (0, 5, 11):
        v = step_vectors(trainer, k)
        seen = inspector.inspect(k)
        names = ("a", "b")
        np.testing.assert_allclose(v.gradient, [seen.grad[n] for n in names], rtol=1e-15)
        taken = [seen.params_after[n] - seen.params[n] for n in names]
        np.testing.assert_allclose(v.update, taken, rtol=1e-12, atol=1e-300)
        assert v.plain == (optimizer == "sgd" and not hyper)
    assert len(trainer.table) == 12  # the vectors needed no extra row


def test_step_vectors_no_update_where_the_run_diverged():
    from core.inspector import step_vectors

    run = core.train("quadratic", lr=5.0, steps=50)
    assert run.diverged_at is not None
    assert step_vectors(run, run.diverged_at).update is None
    assert step_vectors(run, 0).update is not None
