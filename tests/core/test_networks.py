"""Networks on toy data: the data sets, backpropagation, Hessian-vector products, λmax.

Oracles: torch autograd (gradient, exact Hessian-vector products and the full
Hessian), central differences of the loss, numpy's eigvalsh on the Hessian,
and a direct simulation of gradient descent on a quadratic for the
stability limits.
"""

from __future__ import annotations

import numpy as np
import pytest

import core
from core.errors import ConfigError
from core.problems import mlp, toy_data
from core.problems.network import network_problem
from core.run.sharpness import finite_difference_hvp, lanczos, stability_limit

SHAPES = toy_data.SHAPES


# ------------------------------------------------------------------ data sets
@pytest.mark.parametrize("shape", SHAPES)
def test_each_set_is_seeded_balanced_and_split(shape):
    a = toy_data.make_split(shape, 250, 0.1, 0.8, seed=3)
    b = toy_data.make_split(shape, 250, 0.1, 0.8, seed=3)
    c = toy_data.make_split(shape, 250, 0.1, 0.8, seed=4)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_val, b.y_val)
    assert not np.array_equal(a.x_train, c.x_train)
    assert a.x_train.shape == (200, 2) and a.x_val.shape == (50, 2)
    labels = np.concatenate([a.y_train, a.y_val])
    assert set(np.unique(labels)) == {0.0, 1.0}
    assert 0.35 < labels.mean() < 0.65
    assert np.abs(np.concatenate([a.x_train, a.x_val])).max() < 2.5


def test_noise_free_sets_follow_their_rules():
    circle = toy_data.make_split("circle", 400, 0.0, 1.0, seed=0)
    r = np.hypot(*circle.x_train.T) * toy_data.SCALE
    assert np.all((r < 2.5) == (circle.y_train == 1))
    xor = toy_data.make_split("xor", 400, 0.0, 1.0, seed=0)
    assert np.all((xor.x_train[:, 0] * xor.x_train[:, 1] >= 0) == (xor.y_train == 1))
    assert np.abs(xor.x_train).min() * toy_data.SCALE >= 0.3  # pushed off the axes


@pytest.mark.parametrize(("options", "needle"), [
    ({"noise": -0.1}, "noise"),
    ({"noise": 0.9}, "noise"),
    ({"train_fraction": 0.0}, "train_fraction"),
    ({"train_fraction": 0.99, "points": 20}, "no validation point"),
    ({"points": 3}, "points"),
    ({"hidden": "0"}, "from 1 to"),
    ({"hidden": [8, 1_000_000]}, "from 1 to"),
    ({"hidden": "8,x"}, "layer widths"),
    ({"hidden": ()}, "layers"),
    ({"hidden": [256, 256, 256, 256]}, "parameters; at most"),
    ({"activation": "gelu"}, "activation"),
    ({"seed": -1}, "seed"),
    ({"noise": float("nan")}, "noise"),
])
def test_bad_options_are_refused_with_what_is_allowed(options, needle):
    with pytest.raises(ConfigError, match=needle):
        network_problem("circle", **options)


# ---------------------------------------------------------- backpropagation
def _torch_grad(problem, theta):
    torch = pytest.importorskip("torch")
    t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    x = torch.tensor(problem.data.x)
    y = torch.tensor(problem.data.y)
    loss = mlp.torch_loss(problem.layout, problem.activation, t, x, y)
    (g,) = torch.autograd.grad(loss, t)
    return float(loss.detach()), g.numpy()


@pytest.mark.parametrize("activation", mlp.ACTIVATIONS)
@pytest.mark.parametrize("hidden", ["8,8", "5", "3,4,2"])
def test_backpropagation_equals_autograd_and_central_differences(activation, hidden):
    problem = network_problem("spiral", hidden=hidden, activation=activation, noise=0.1)
    rng = np.random.default_rng(1)
    theta = np.asarray(problem.start) + 0.3 * rng.normal(size=problem.n_params)
    loss, grad = problem.loss_and_grad(theta)
    t_loss, t_grad = _torch_grad(problem, theta)
    assert loss == pytest.approx(t_loss, rel=1e-13)
    np.testing.assert_allclose(grad, t_grad, rtol=1e-10, atol=1e-13)
    h = 1e-6
    for i in rng.choice(problem.n_params, 12, replace=False):
        e = np.zeros(problem.n_params)
        e[i] = h
        fd = (problem.loss(theta + e) - problem.loss(theta - e)) / (2 * h)
        assert fd == pytest.approx(grad[i], rel=1e-5, abs=1e-9)


def test_one_call_evaluates_a_batch_or_a_grid_of_networks():
    problem = network_problem("xor")
    rng = np.random.default_rng(2)
    grid = np.asarray(problem.start) + 0.1 * rng.normal(size=(3, 4, problem.n_params))
    loss, grad = problem.loss_and_grad(grid)
    assert loss.shape == (3, 4) and grad.shape == (3, 4, problem.n_params)
    for i, j in [(0, 0), (2, 3), (1, 2)]:
        one_loss, one_grad = problem.loss_and_grad(grid[i, j])
        assert loss[i, j] == pytest.approx(one_loss, rel=1e-14)
        np.testing.assert_allclose(grad[i, j], one_grad, rtol=1e-12, atol=1e-16)


def test_glorot_start_is_seeded_and_bounded():
    layout = mlp.Layout((2, 8, 8, 1))
    a, b = layout.glorot(0), layout.glorot(0)
    assert np.array_equal(a, b) and not np.array_equal(a, layout.glorot(1))
    for (w, bias), fan_in, fan_out in zip(layout.slices, layout.sizes[:-1], layout.sizes[1:],
                                          strict=True):
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        assert np.abs(a[w]).max() <= limit and np.abs(a[w]).max() > 0.5 * limit
        assert not np.any(a[bias])
    assert layout.names[0] == "w1_1_1" and layout.names[16] == "b1_1"
    assert layout.names[-1] == "b3_1" and len(layout.names) == layout.n_params == 105


# ------------------------------------------------------------------ sharpness
def _torch_hessian(problem, theta):
    torch = pytest.importorskip("torch")
    x, y = torch.tensor(problem.data.x), torch.tensor(problem.data.y)

    def f(t):
        return mlp.torch_loss(problem.layout, problem.activation, t, x, y)

    return torch.autograd.functional.hessian(f, torch.tensor(theta)).numpy()


def test_finite_difference_hvp_equals_the_exact_product():
    problem = network_problem("circle", noise=0.05)
    theta = np.asarray(problem.start)
    hessian = _torch_hessian(problem, theta)
    hvp = finite_difference_hvp(problem.grad, theta)
    rng = np.random.default_rng(0)
    for _ in range(3):
        v = rng.normal(size=problem.n_params)
        np.testing.assert_allclose(hvp(v), hessian @ v, rtol=1e-6,
                                   atol=1e-7 * np.abs(hessian @ v).max())


def test_lanczos_finds_the_top_eigenvalue_of_a_network_hessian():
    problem = network_problem("xor", noise=0.05)
    rng = np.random.default_rng(5)
    theta = np.asarray(problem.start) + 0.5 * rng.normal(size=problem.n_params)
    exact = np.linalg.eigvalsh(_torch_hessian(problem, theta))
    found = lanczos(finite_difference_hvp(problem.grad, theta), problem.n_params, k=20)
    assert found.products == 20
    assert found.lam_max == pytest.approx(exact[-1], rel=1e-5)


def test_lanczos_is_exact_once_it_spans_the_space():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(12, 12))
    sym = a + a.T
    found = lanczos(lambda v: sym @ v, 12, k=12)
    exact = np.linalg.eigvalsh(sym)
    assert found.lam_max == pytest.approx(exact[-1], rel=1e-10)
    assert found.lam_min == pytest.approx(exact[0], rel=1e-10)


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.9])
def test_stability_limit_is_where_momentum_starts_to_diverge(momentum, nesterov):
    if nesterov and not momentum:
        pytest.skip("Nesterov needs momentum")
    lr = 0.1
    limit = stability_limit(lr, momentum, nesterov)

    def grows(curvature):
        # torch's SGD on ½·λ·θ²: b ← μ·b + g (b = g at first), d = g + μ·b
        # (Nesterov) or b, θ ← θ − lr·d
        theta, buf = 1.0, None
        for _ in range(4000):
            g = curvature * theta
            buf = g if buf is None else momentum * buf + g
            theta -= lr * (g + momentum * buf if nesterov else buf)
        return abs(theta) > 1.0

    assert not grows(0.99 * limit)
    assert grows(1.01 * limit)


# ------------------------------------------------------------------ slices
def test_a_slice_along_two_directions_is_the_loss_on_that_plane():
    problem = core.get_problem("xor")
    theta = np.asarray(problem.start)
    plane = core.random_plane(theta, problem.filters(), seed=2)
    xs, ys = np.linspace(-1, 1, 7), np.linspace(-0.5, 0.5, 5)
    z = core.surface(problem, xs, ys, through=theta, directions=(plane.d1, plane.d2))
    for i, j in [(0, 0), (4, 6), (2, 3)]:
        assert z[i, j] == pytest.approx(problem.loss(theta + xs[j] * plane.d1 + ys[i] * plane.d2),
                                        rel=1e-13)
    with pytest.raises(ConfigError, match="two lists of 105 finite numbers"):
        core.surface(problem, xs, ys, directions=(plane.d1, plane.d2[:3]))


def test_random_directions_are_normalised_filter_by_filter_without_biases():
    problem = core.get_problem("circle")
    theta = np.asarray(problem.start) + 0.3
    plane = core.random_plane(theta, problem.filters(), seed=0)
    for idx in problem.filters():
        assert np.linalg.norm(plane.d1[idx]) == pytest.approx(np.linalg.norm(theta[idx]))
    biases = [i for i, n in enumerate(problem.param_names) if n.startswith("b")]
    assert not plane.d1[biases].any() and not plane.d2[biases].any()


def test_principal_directions_hold_the_paths_variance_and_project_it_back():
    run = core.train("gaussians", lr=0.5, steps=200)
    path = run.params
    plane = core.pca_plane(path, path[-1])
    # the shares are those of the centred path's singular values
    centred = path - path.mean(axis=0)
    _, sv, vt = np.linalg.svd(centred, full_matrices=False)
    assert plane.explained == pytest.approx(tuple(sv[:2] ** 2 / np.sum(sv**2)), rel=1e-10)
    # the directions are the first two right singular vectors (up to their sign)
    assert abs(plane.d1 @ vt[0]) == pytest.approx(1.0, abs=1e-9)
    assert abs(plane.d2 @ vt[1]) == pytest.approx(1.0, abs=1e-9)
    assert abs(plane.d1 @ plane.d2) < 1e-12
    # points on the plane come back to their coordinates
    coords = np.array([[0.3, -1.2], [2.0, 0.5]])
    np.testing.assert_allclose(plane.project(plane.points(coords[:, 0], coords[:, 1])), coords,
                               atol=1e-12)


# ------------------------------------------------------------------ sharpness column
def test_the_sharpness_column_is_lambda_max_every_k_steps():
    run = core.train("rosenbrock", lr=1e-3, steps=40, sharpness_every=10)
    t = run.table
    rows = np.flatnonzero(~np.isnan(t["sharpness"]))
    assert t["step"][rows].tolist() == [0, 10, 20, 30, 40]
    theta = np.column_stack([t["a"], t["b"]])
    exact = [np.linalg.eigvalsh(run.problem.hessian(theta[r]))[-1] for r in rows]
    np.testing.assert_allclose(t["sharpness"][rows], exact, rtol=1e-12)
    net = core.train("circle", lr=0.5, steps=20, sharpness_every=20)
    lam = net.table["sharpness"][[0, 20]]
    theta = np.asarray(net.problem.start)
    assert lam[0] == pytest.approx(np.linalg.eigvalsh(_torch_hessian(net.problem, theta))[-1],
                                   rel=1e-5)


# ------------------------------------------------------------------ range test
def test_the_range_test_is_one_run_on_an_exponential_ramp_read_as_fastai_does():
    from core.analysis import lr_range

    test = core.lr_range_test("quadratic", lr_min=1e-4, lr_max=10.0, steps=80)
    ramp = lr_range.ramp(1e-4, 10.0, 80)
    np.testing.assert_allclose(test.lrs, ramp[: len(test.lrs)], rtol=1e-12)
    # fastai's debiased moving average, written out
    avg, smooth = 0.0, []
    for i, loss in enumerate(test.losses):
        avg = 0.98 * avg + 0.02 * loss
        smooth.append(avg / (1 - 0.98 ** (i + 1)))
    np.testing.assert_allclose(test.smooth, smooth, rtol=1e-12)
    # it stopped where the smoothed loss first passed 4x its best before
    stop = test.stopped_at
    assert stop is not None and smooth[stop] > 4 * min(smooth[:stop])
    assert all(s <= 4 * min(smooth[: i + 1]) for i, s in enumerate(smooth[:stop]))
    assert test.valley is not None and test.steep is not None
    assert 1e-4 < test.valley < test.lrs[stop]


def test_the_range_test_on_the_command_line(tmp_path):
    from core.cli import main

    out = tmp_path / "r.csv"
    assert main(["lr-range-test", "--problem", "quadratic", "--steps", "60", "--out",
                 str(out)]) == 0
    rows = out.read_text().splitlines()
    assert rows[0] == "lr,loss,smoothed_loss" and len(rows) > 10
    assert main(["lr-range-test", "--problem", "quadratic", "--lr-min", "1",
                 "--lr-max", "0.1"]) == 2


def test_the_cli_records_the_sharpness_every_k_steps(capsys, tmp_path):
    """``run --sharpness-every 25``: λmax at rows 0, 25, 50, checked against the
    eigenvalues of a Hessian built from central differences of the hand gradient."""
    from cli_run import run_cli

    out = tmp_path / "s.csv"
    code, _, err = run_cli(capsys, "run", "--problem", "xor", "--option", "hidden=4",
                           "--lr", "0.5", "--steps", "50", "--sharpness-every", "25",
                           "--out", str(out))
    assert code == 0 and err == ""
    rows = np.genfromtxt(out, delimiter=",", names=True)
    problem = core.get_problem("xor", hidden=(4,))
    names = problem.param_names
    for k in (0, 25, 50):
        theta = np.array([rows[n][k] for n in names])
        h = 1e-5
        cols = [(problem.grad(theta + h * e) - problem.grad(theta - h * e)) / (2 * h)
                for e in np.eye(len(theta))]
        hess = np.array(cols)
        lam = np.linalg.eigvalsh((hess + hess.T) / 2)[-1]
        assert rows["sharpness"][k] == pytest.approx(lam, rel=1e-5)
    assert np.isnan(rows["sharpness"][1])  # not recorded between
    code, _, err = run_cli(capsys, "run", "--problem", "xor", "--sharpness-every", "-1")
    assert code == 2 and "--sharpness-every must be a whole number >= 0" in err
