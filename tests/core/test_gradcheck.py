"""gradient_check: hand-derived, autograd and finite-difference gradients side by side."""

from __future__ import annotations

import numpy as np
import pytest

import core
from core.analysis.gradcheck import COLUMNS, GradCheck, gradient_check
from core.errors import ConfigError

HINT = 'pip install "lr-playground[torch]"'


def _has_torch() -> bool:
    return core.torch_available()


needs_torch = pytest.mark.skipif(
    not _has_torch(), reason="torch not installed: pip install 'lr-playground[torch]'"
)


@pytest.mark.parametrize("problem", core.list_problems())
def test_hand_gradient_matches_finite_differences(problem: str) -> None:
    check = gradient_check(problem)
    assert check.param_names == core.get_problem(problem).param_names
    np.testing.assert_array_equal(check.hand, core.get_problem(problem).grad(check.theta))
    assert check.agrees(fd_rtol=1e-6), check.rows()


@needs_torch
@pytest.mark.parametrize("problem", core.list_problems())
def test_hand_gradient_matches_autograd(problem: str) -> None:
    check = gradient_check(problem)
    assert check.autograd is not None and check.autograd_reason is None
    assert check.agrees(autograd_rtol=1e-12), check.rows()


@needs_torch
@pytest.mark.parametrize("problem", core.list_problems())
def test_away_from_the_start_too(problem: str) -> None:
    prob = core.get_problem(problem)
    rng = np.random.default_rng(7)
    for _ in range(3):
        theta = np.asarray(prob.start) + rng.normal(scale=0.5, size=prob.n_params)
        assert gradient_check(prob, theta).agrees(autograd_rtol=1e-12, fd_rtol=1e-6)


def test_rows_for_display() -> None:
    check = gradient_check("rosenbrock", [0.5, -0.25])
    assert check.columns == COLUMNS
    rows = check.rows()
    assert [r[0] for r in rows] == ["a", "b"]
    # ∂/∂a = −2(1 − a) − 400·a·(b − a²) = −1 + 100 = 99; ∂/∂b = 200·(b − a²) = −100
    np.testing.assert_allclose([r[1] for r in rows], [99.0, -100.0], rtol=1e-15)
    for _name, hand, auto, fd, d_auto, d_fd in rows:
        assert d_fd == abs(hand - fd)
        if auto is not None:
            assert d_auto == abs(hand - auto)
    assert check.max_abs_diff_fd == max(r[5] for r in rows)
    assert check.max_rel_diff_fd < 1e-8
    assert check.loss == pytest.approx(0.25 + 100 * 0.25)


def test_rel_diff_is_zero_where_both_are_zero() -> None:
    check = gradient_check("saddle", [0.0, 0.0])
    np.testing.assert_array_equal(check.hand, [0.0, 0.0])
    np.testing.assert_array_equal(check.rel_diff_fd, [0.0, 0.0])


def test_step_is_relative_for_large_parameters() -> None:
    check = gradient_check("house-prices", [150.0, 20.0], h=1e-6)
    np.testing.assert_allclose(check.steps, [1.5e-4, 2e-5])
    assert check.agrees(fd_rtol=1e-6)


def test_without_torch_the_autograd_column_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core.torch_backend, "available", lambda: False)
    check = gradient_check("beale")
    assert check.autograd is None and HINT in (check.autograd_reason or "")
    assert check.abs_diff_autograd is None and check.max_rel_diff_autograd is None
    assert all(r[2] is None and r[4] is None for r in check.rows())
    assert check.agrees()  # judged on finite differences alone


def test_a_loss_without_a_torch_form_gives_a_reason() -> None:
    prob = core.get_problem("rosenbrock")

    class NumpyOnly(type(prob)):  # type: ignore[misc]
        def loss_c(self, xp, p, data):  # type: ignore[no-untyped-def]
            if xp.name == "torch":
                raise NotImplementedError("numpy only")
            return super().loss_c(xp, p, data)

    only = NumpyOnly(**{f: getattr(prob, f) for f in prob.__dataclass_fields__})
    check = gradient_check(only)
    if _has_torch():
        assert check.autograd is None and "numpy only" in (check.autograd_reason or "")
    assert isinstance(check, GradCheck) and check.agrees()


@pytest.mark.parametrize("h", [0.0, -1e-6, float("nan"), "x", True])
def test_bad_step_is_a_config_error(h: object) -> None:
    with pytest.raises(ConfigError, match="h must be"):
        gradient_check("rosenbrock", h=h)  # type: ignore[arg-type]


def test_bad_point_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="2 values"):
        gradient_check("rosenbrock", [1.0, 2.0, 3.0])
    with pytest.raises(ConfigError, match="unknown problem"):
        gradient_check("no-such-problem")
