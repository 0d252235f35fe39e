import dataclasses
import math

import numpy as np
import pytest

import core
from core.analysis.curvature import (
    curvature,
    curvature_report,
    gauge_sentence,
    nearest_minimum,
    sgd_lam_max,
    sgd_theory,
)
from core.analysis.presets import describe_lr
from core.problems.base import Problem


class NoHessianQuadratic(Problem):
    """½(3a² + 2ab + b²) + a³/3 with no analytic Hessian: curvature falls back to
    central differences of the gradient."""

    def loss_c(self, xp, p, data):
        a, b = p
        return 0.5 * (3.0 * a * a + 2.0 * a * b + b * b) + a * a * a / 3.0

    def grad_c(self, xp, p, data):
        a, b = p
        return 3.0 * a + b + a * a, a + b


def no_hessian_problem():
    return NoHessianQuadratic(name="nohess", title="t", param_names=("a", "b"),
                              start=(0.5, -1.0), description="t", minima=((0.0, 0.0),))


@pytest.mark.parametrize("condition", [1.0, 4.0, 10.0, 250.0])
@pytest.mark.parametrize("angle", [0.0, 30.0, 75.0, -120.0])
def test_quadratic_eigenvalues_match_the_closed_form(condition, angle):
    problem = core.get_problem("quadratic", condition=condition, angle=angle)
    c = curvature(problem)
    assert c.lam_max == pytest.approx(condition, rel=1e-12)
    assert c.lam_min == pytest.approx(1.0, rel=1e-12)
    assert c.condition == pytest.approx(condition, rel=1e-12)
    assert c.stability_limit == pytest.approx(2.0 / condition, rel=1e-12)
    if condition > 1:
        phi = math.radians(angle)
        steep = np.array([-math.sin(phi), math.cos(phi)])
        assert abs(float(c.eigenvectors[:, -1] @ steep)) == pytest.approx(1.0, rel=1e-12)
    # eigenvectors diagonalise the Hessian
    v = c.eigenvectors
    np.testing.assert_allclose(v.T @ c.hessian @ v, np.diag(c.eigenvalues), atol=1e-9)


def test_fields_are_frozen_and_read_only():
    c = curvature("quadratic")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.lam_max = 3.0
    with pytest.raises(ValueError):
        c.hessian[0, 0] = 1.0
    assert list(c.eigenvalues) == sorted(c.eigenvalues)


def test_default_point_is_the_start_and_theta_is_checked():
    problem = core.get_problem("rosenbrock")
    np.testing.assert_array_equal(curvature(problem).point, problem.start)
    c = curvature("rosenbrock", (1.0, 1.0))
    # Hessian at the minimum: [[802, -400], [-400, 200]]
    np.testing.assert_allclose(c.hessian, [[802.0, -400.0], [-400.0, 200.0]])
    expected = np.linalg.eigvalsh(np.array([[802.0, -400.0], [-400.0, 200.0]]))
    np.testing.assert_allclose(c.eigenvalues, expected, rtol=1e-12)
    with pytest.raises(core.ConfigError):
        curvature("rosenbrock", (1.0, 2.0, 3.0))


def test_central_differences_when_no_analytic_hessian():
    problem = no_hessian_problem()
    c = curvature(problem)
    a = 0.5
    exact = np.array([[3.0 + 2.0 * a, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(c.hessian, exact, rtol=1e-7, atol=1e-7)
    np.testing.assert_allclose(c.hessian, c.hessian.T)


@pytest.mark.parametrize("name", core.list_problems())
def test_every_problem_has_a_finite_curvature_at_its_start(name):
    c = curvature(name)
    assert np.all(np.isfinite(c.hessian))
    assert c.lam_min <= c.lam_max
    assert c.stability_limit == (2.0 / c.lam_max if c.lam_max > 0 else math.inf)


def test_saddle_and_rastrigin_signs():
    saddle = curvature("saddle")
    assert (saddle.lam_min, saddle.lam_max) == (-2.0, 2.0)
    assert saddle.condition == 1.0
    assert saddle.stability_limit == 1.0
    rastrigin = curvature("rastrigin")  # the start sits near a ridge: curving down
    assert rastrigin.lam_max < 0
    assert rastrigin.stability_limit == math.inf


def test_condition_is_inf_for_a_flat_direction():
    c = curvature("line-one-point")  # one point: every line a + b = 4 fits
    assert c.lam_min == 0.0
    assert c.lam_max == pytest.approx(4.0)
    assert c.condition == math.inf


def test_report_uses_the_nearest_known_minimum():
    rep = curvature_report("himmelblau")
    assert rep["minimum"] is not None
    np.testing.assert_allclose(rep["minimum"].point, (-3.779310253377747, -3.2831859912861696))
    assert nearest_minimum("himmelblau", (3.1, 2.1)) == (3.0, 2.0)
    assert curvature_report("saddle")["minimum"] is None
    assert curvature_report("and-gate")["minimum"] is None
    rep = curvature_report("rosenbrock", start=(0.0, 0.0))
    np.testing.assert_array_equal(rep["start"].point, (0.0, 0.0))


def test_sgd_lam_max_takes_the_binding_point():
    rep = curvature_report("rosenbrock")
    lam, where = sgd_lam_max(rep)
    assert where == "start" and lam == rep["start"].lam_max > rep["minimum"].lam_max
    lam, where = sgd_lam_max(curvature_report("rastrigin"))
    assert where == "minimum" and lam == pytest.approx(2 + 40 * math.pi**2)


def test_sgd_theory_numbers():
    t = sgd_theory(core.get_problem("quadratic", condition=8), lrs={"x": 0.3})
    assert t["lam_max"] == pytest.approx(8.0)
    assert t["stability_limit"] == pytest.approx(0.25)
    assert t["lr_lam_max"]["x"] == pytest.approx(2.4)
    assert t["lam_max_minimum"] == pytest.approx(8.0)
    t = sgd_theory("quadratic", weight_decay=2.0)
    assert t["lam_max"] == pytest.approx(12.0)
    assert "0.1667" in t["summary"]
    t = sgd_theory("saddle")
    assert t["lam_max_minimum"] is None and t["stability_limit"] == 1.0


def test_gauge_sentences():
    assert "< 1" in gauge_sentence(10.0, "start", 0.05)
    assert "between 1 and 2" in gauge_sentence(10.0, "start", 0.15)
    text = gauge_sentence(10.0, "start", 0.24)
    assert "lr·λmax = 2.4 > 2" in text and "overshoots the valley by more than it corrects" in text
    assert "exactly the stability limit" in gauge_sentence(4.0, "start", 0.5)
    assert "no step size is unstable" in gauge_sentence(-3.0, "start", 1.0)


def test_describe_lr_for_each_optimizer():
    quad = core.get_problem("quadratic", condition=10)
    assert "2/λmax = 0.2" in describe_lr(quad, 0.24)
    assert "> 2" in describe_lr(quad, 0.24)
    assert "does not apply" in describe_lr(quad, 0.24, "adam")
    momentum = describe_lr(quad, 0.24, momentum=0.9)
    assert "lr < 0.38" in momentum and "stable there" in momentum
    assert "unstable there" in describe_lr(quad, 0.5, momentum=0.9)
    with pytest.raises(core.ConfigError):
        describe_lr(quad, 0.1, "sgd", betas=(0.9, 0.99))
