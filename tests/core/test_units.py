"""Predictions at inputs, and the fit in the data's own units when x is normalised.

Checked against independent computations: numpy.polyfit on the raw data for
linear regression, the logistic model's own predictions for logistic regression.
"""

from __future__ import annotations

import numpy as np
import pytest

import core
from core.problems.units import (
    ORIGINAL_COLUMNS,
    XScale,
    fit_sentence,
    original_units,
    units_note,
    x_scale,
)
from tests.core.cli_run import run_cli

X = np.array([1.0, 2.0, 3.5, 4.0, 6.0])
Y = 3.0 * X + 2.0 + np.array([0.1, -0.2, 0.05, 0.1, -0.05])
LABELS = np.array([0.0, 0.0, 1.0, 0.0, 1.0])


def test_normalised_linear_fit_in_original_units_matches_polyfit():
    problem = core.data_problem((X, Y), normalize=True)
    run = core.train(problem, lr=0.5, steps=200)
    assert run.table.columns[-2:] == list(ORIGINAL_COLUMNS)
    slope, intercept = np.polyfit(X, Y, 1)
    np.testing.assert_allclose(run.table["a_orig"][-1], slope, rtol=1e-6)
    np.testing.assert_allclose(run.table["b_orig"][-1], intercept, rtol=1e-6)
    # the per-standard-deviation slope is σ times bigger
    np.testing.assert_allclose(run.table["a"][-1], slope * np.std(X), rtol=1e-6)


def test_columns_follow_every_row_and_agree_with_original_units():
    problem = core.data_problem((X, Y), normalize=True)
    table = core.train(problem, lr=0.1, steps=20).table
    theta = np.stack([table["a"], table["b"]], axis=-1)
    converted = original_units(theta, x_scale(problem))
    np.testing.assert_allclose(table["a_orig"], converted[:, 0], rtol=1e-15)
    np.testing.assert_allclose(table["b_orig"], converted[:, 1], rtol=1e-15, atol=1e-15)


def test_without_normalising_no_extra_columns_and_no_sentence():
    problem = core.data_problem((X, Y))
    assert "a_orig" not in core.train(problem, lr=0.01, steps=3).table.columns
    assert x_scale(problem) is None
    assert fit_sentence(problem, (1.0, 2.0)) is None
    assert units_note(problem) is None


def test_logistic_predictions_equal_before_and_after_conversion():
    problem = core.data_problem((X, LABELS), model="logistic", normalize=True)
    theta = np.array([[1.3, -0.4], [-2.0, 0.7]])
    grid = np.linspace(0.0, 7.0, 11)
    a_o, b_o = original_units(theta, x_scale(problem)).T
    by_hand = 1.0 / (1.0 + np.exp(-(a_o[:, None] * grid + b_o[:, None])))
    np.testing.assert_allclose(problem.predict(theta, grid), by_hand, rtol=1e-12)
    run = core.train(problem, lr=0.5, steps=5)
    assert run.table.columns[-2:] == list(ORIGINAL_COLUMNS)


def test_fit_sentence_states_units():
    problem = core.data_problem((X, Y), normalize=True)
    scale = x_scale(problem)
    assert scale == XScale(float(np.mean(X)), float(np.std(X)), problem.options["x_column"])
    # a per-σ fit that is y = 3x − 2 in the data's units
    a = 3.0 * scale.std
    b = -2.0 + 3.0 * scale.mean
    assert fit_sentence(problem, (a, b)) == "y ≈ 3·x − 2 in your units"
    logistic = core.data_problem((X, LABELS), model="logistic", normalize=True)
    assert fit_sentence(logistic, (a, b)).startswith("P(y = 1) ≈ sigmoid(3·x − 2)")
    assert "per standard deviation of x" in units_note(problem)


@pytest.mark.parametrize("name", ["line-one-point", "single-weight", "and-gate",
                                  "glasses-vs-ring", "house-prices"])
def test_predict_is_vectorised_and_matches_the_model(name):
    problem = core.get_problem(name)
    x = problem.original_inputs()
    rng = np.random.default_rng(0)
    theta = rng.normal(size=(3, 4, problem.n_params))
    out = problem.predict(theta, x)
    assert out.shape == (3, 4, len(x))
    t = theta[1, 2]
    if name in ("line-one-point", "house-prices"):
        expected = t[0] * x[:, 0] + t[1]
    elif name == "single-weight":
        expected = t[0] * x[:, 0]
    else:
        z = t[0] * x[:, 0] + t[1] * x[:, 1] + t[2]
        expected = 1 / (1 + np.exp(-z)) if name == "and-gate" else np.clip(z, 0.0, 1.0)
    np.testing.assert_allclose(out[1, 2], expected, rtol=1e-12, atol=1e-15)


def test_original_inputs_undo_the_normalising():
    problem = core.data_problem((X, Y), normalize=True)
    np.testing.assert_allclose(problem.original_inputs()[:, 0], X, rtol=1e-14)
    np.testing.assert_allclose(problem.model_inputs(X), problem.data.x, rtol=1e-14, atol=1e-15)


def test_a_pure_function_cannot_predict():
    problem = core.get_problem("rosenbrock")
    assert problem.output_kind is None
    with pytest.raises(NotImplementedError):
        problem.predict(np.zeros(2), np.zeros(3))


def test_cli_run_says_the_units_when_normalised(tmp_path, capsys):
    data = tmp_path / "d.csv"
    data.write_text("size,price\n" + "".join(f"{x},{y}\n" for x, y in zip(X, Y, strict=True)))
    out = tmp_path / "fit.csv"
    code, stdout, err = run_cli(capsys, "run", "--data", str(data), "--normalize", "--lr",
                                "0.5", "--steps", "200", "--out", str(out))
    assert code == 0, err
    assert err == ""
    slope, intercept = np.polyfit(X, Y, 1)
    line = stdout.splitlines()[-1]
    assert "per standard deviation of x" in line
    assert f"y ≈ {slope:.4g}·x + {intercept:.4g} in your units" in line
    _, plain, _ = run_cli(capsys, "run", "--data", str(data), "--lr", "0.01", "--steps", "3",
                          "--out", str(out))
    assert "your units" not in plain
