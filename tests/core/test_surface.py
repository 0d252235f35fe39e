
import numpy as np
import pytest

import core
from core.analysis import surface as surface_module
from core.analysis.surface import contour_levels, surface, view_window
from core.problems.regression import LinearRegression
from core.xp import NUMPY


def naive(problem, xs, ys, through, axes):
    """A double loop over the grid, one point at a time, through the problem's
    direct per-example loss (not the vectorised or sufficient-statistics path)."""
    out = np.empty((len(ys), len(xs)))
    for r, y in enumerate(ys):
        for c, x in enumerate(xs):
            theta = [float(v) for v in through]
            theta[axes[0]] = float(x)
            if problem.n_params > 1:
                theta[axes[1]] = float(y)
            with np.errstate(all="ignore"):
                out[r, c] = float(problem.loss_c(NUMPY, tuple(theta), problem.data))
    return out


def grid_for(problem, axes=(0, 1)):
    (x0, x1), (y0, y1) = view_window(problem, axes=axes)
    return np.linspace(x0, x1, 9), np.linspace(y0, y1, 7)


@pytest.mark.parametrize("name", core.list_problems())
def test_surface_equals_a_naive_double_loop(name):
    problem = core.get_problem(name)
    xs, ys = grid_for(problem)
    z = surface(problem, xs, ys)
    assert z.shape == (len(ys), len(xs))
    np.testing.assert_allclose(z, naive(problem, xs, ys, problem.start, (0, 1)), rtol=1e-10,
                               atol=1e-12)


@pytest.mark.parametrize("name", ["and-gate", "glasses-vs-ring"])
@pytest.mark.parametrize("axes", [(0, 2), (2, 1), (1, 0)])
def test_slices_of_three_parameter_problems(name, axes):
    problem = core.get_problem(name)
    through = (0.7, -1.3, 0.4)
    xs, ys = grid_for(problem, axes)
    z = surface(problem, xs, ys, through=through, axes=axes)
    np.testing.assert_allclose(z, naive(problem, xs, ys, through, axes), rtol=1e-12)
    # the default slice passes through the start
    np.testing.assert_allclose(surface(problem, xs, ys, axes=axes),
                               naive(problem, xs, ys, problem.start, axes), rtol=1e-12)


def test_one_parameter_problem_repeats_its_loss_curve():
    problem = core.get_problem("single-weight")
    xs = np.linspace(-1, 2, 11)
    z = surface(problem, xs, [0.0, 5.0, 7.0])
    assert z.shape == (3, 11)
    curve = (xs * 1.5 - 1.0) ** 2
    for row in z:
        np.testing.assert_allclose(row, curve, rtol=1e-12)


def test_non_finite_values_are_kept():
    z = surface("saddle", [1e200, 1.0], [1e200, 0.0])
    assert np.isnan(z[0, 0])  # inf − inf
    assert z[1, 0] == np.inf
    assert z[0, 1] == -np.inf
    assert z[1, 1] == 1.0
    assert np.isinf(surface("rosenbrock", [1e200], [0.0])).all()


def test_bad_input():
    with pytest.raises(core.ConfigError):
        surface("quadratic", [], [0.0])
    with pytest.raises(core.ConfigError):
        surface("quadratic", [[0.0, 1.0]], [0.0])
    with pytest.raises(core.ConfigError):
        surface("quadratic", [np.nan], [0.0])
    with pytest.raises(core.ConfigError):
        surface("quadratic", [0.0], [0.0], axes=(0, 0))
    with pytest.raises(core.ConfigError):
        surface("quadratic", [0.0], [0.0], axes=(0, 2))
    with pytest.raises(core.ConfigError):
        surface("and-gate", [0.0], [0.0], through=(1.0, 2.0))


# ------------------------------------------------------------------ regression
def big_regression(n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 3.0, n)
    y = 2.0 * x + 1.0 + rng.normal(0.0, 0.3, n)
    return LinearRegression(name=f"reg{n}", title="r", param_names=("a", "b"),
                            start=(0.0, 0.0), description="r", data=core.Dataset(x[:, None], y))


def test_sufficient_statistics_equal_the_direct_path_on_100000_points():
    problem = big_regression(100_000)
    xs = np.linspace(-1.0, 5.0, 8)
    ys = np.linspace(-3.0, 4.0, 6)
    z = surface(problem, xs, ys)
    aa, bb = np.meshgrid(xs, ys)
    # direct: every example for every grid point, (6, 8, 100000) terms
    r = aa[..., None] * problem.data.x[:, 0] + bb[..., None] - problem.data.y
    direct = np.mean(r * r, axis=-1)
    np.testing.assert_allclose(z, direct, rtol=1e-11)
    grad = problem.grad(np.stack([aa, bb], axis=-1))
    ga = 2.0 * np.mean(r * problem.data.x[:, 0], axis=-1)
    gb = 2.0 * np.mean(r, axis=-1)
    np.testing.assert_allclose(grad[..., 0], ga, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(grad[..., 1], gb, rtol=1e-9, atol=1e-9)


def test_regression_surface_is_one_call_whatever_the_data(monkeypatch):
    for n in (3, 100_000):
        problem = big_regression(n)
        calls = []
        original = problem.loss
        monkeypatch.setattr(problem, "loss",
                            lambda t, o=original, c=calls: c.append(t.shape) or o(t))
        z = surface(problem, np.linspace(-1, 5, 256), np.linspace(-3, 4, 256))
        assert calls == [(256, 256, 2)]
        assert np.all(np.isfinite(z))


def test_per_example_problems_are_evaluated_in_row_blocks(monkeypatch):
    problem = core.get_problem("and-gate")
    xs, ys = np.linspace(-2, 8, 33), np.linspace(-2, 8, 17)
    whole = surface(problem, xs, ys)
    monkeypatch.setattr(surface_module, "MAX_TERMS_PER_CALL", 33 * 4 * 3)
    calls = []
    original = problem.loss_c
    monkeypatch.setattr(problem, "loss_c",
                        lambda xp, p, d, o=original: calls.append(p[0].shape) or o(xp, p, d))
    blocked = surface(problem, xs, ys)
    assert len(calls) == 6 and calls[0] == (3, 33)
    np.testing.assert_array_equal(blocked, whole)
    # the same loss as problem.loss, without the gradient it computes alongside
    aa, bb = np.meshgrid(xs, ys)
    grid = np.stack([aa, bb, np.full_like(aa, problem.start[2])], axis=-1)
    np.testing.assert_allclose(whole, problem.loss(grid), rtol=1e-14)


# ------------------------------------------------------------------ levels
def test_log_levels_for_a_wide_positive_range():
    problem = core.get_problem("rosenbrock")
    xs, ys = np.linspace(-2, 2, 101), np.linspace(-1, 3, 101)
    z = surface(problem, xs, ys)
    levels = contour_levels(z, 10)
    assert len(levels) == 10
    ratios = levels[1:] / levels[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)  # geometric
    assert z[np.isfinite(z)].min() < levels[0] and levels[-1] < z.max()


def test_linear_levels_otherwise():
    z = surface("saddle", np.linspace(-5, 5, 41), np.linspace(-5, 5, 41))
    levels = contour_levels(z, 9)
    np.testing.assert_allclose(np.diff(levels), np.diff(levels)[0], rtol=1e-9)
    assert -25 < levels[0] < levels[-1] < 25
    narrow = contour_levels(np.array([[1.0, 2.0], [3.0, 4.0]]), 3)
    np.testing.assert_allclose(narrow, [1.75, 2.5, 3.25])


def test_levels_ignore_non_finite_values():
    z = np.array([[np.nan, np.inf, 1.0], [10.0, 1000.0, -np.inf]])
    levels = contour_levels(z, 5)
    assert np.all(np.isfinite(levels)) and len(levels) == 5
    assert levels[0] > 1.0 and levels[-1] < 1000.0
    assert contour_levels(np.full((3, 3), np.nan)).size == 0
    assert contour_levels(np.ones((3, 3))).size == 0
    # a grid that hits the minimum exactly: log levels start above zero
    levels = contour_levels(np.array([0.0, 1e-3, 1.0, 100.0]), 4)
    assert levels[0] > 0 and np.all(np.diff(levels) > 0)
    with pytest.raises(core.ConfigError):
        contour_levels(z, 0)


# ------------------------------------------------------------------ window
@pytest.mark.parametrize("name", core.list_problems())
def test_view_window_shows_window_start_and_minima(name):
    problem = core.get_problem(name)
    (x0, x1), (y0, y1) = view_window(problem)
    points = [problem.start, *problem.minima]
    for p in points:
        assert x0 < p[0] < x1
        if problem.n_params > 1:
            assert y0 < p[1] < y1
    assert x0 <= problem.window[0][0] and problem.window[0][1] <= x1
    if problem.n_params > 1:
        assert y0 <= problem.window[1][0] and problem.window[1][1] <= y1


def test_view_window_follows_the_path_and_clamps_divergence():
    problem = core.get_problem("quadratic")
    path = np.array([[-4.0, 3.0], [7.0, -8.0], [np.nan, 1.0], [np.inf, 0.0]])
    (x0, x1), (y0, y1) = view_window(problem, path)
    assert x0 < -5 and x1 > 7 and y0 < -8 and y1 > 5
    runaway = core.train("quadratic", lr=0.5, steps=60).params
    assert np.abs(runaway[np.isfinite(runaway)]).max() > 1e6
    (x0, x1), (y0, y1) = view_window(problem, runaway)
    assert x1 - x0 <= 41 * 10 * 1.2 + 1e-9 and y1 - y0 <= 41 * 10 * 1.2 + 1e-9
    assert np.isfinite([x0, x1, y0, y1]).all()


def test_view_window_of_a_one_parameter_problem_spans_its_loss():
    problem = core.get_problem("single-weight")
    (x0, x1), (y0, y1) = view_window(problem)
    assert x0 < -0.5 and x1 > 1.5
    assert y0 < 0.0 < y1
    assert y1 >= ((x1 * 1.5 - 1) ** 2)  # the curve's highest point on the range


def test_view_window_axes_beyond_the_problem_window():
    problem = core.get_problem("and-gate")
    (x0, x1), (y0, y1) = view_window(problem, axes=(0, 2))
    assert x0 <= -2 and x1 >= 8
    assert y0 < problem.start[2] < y1 and y1 - y0 >= 10
