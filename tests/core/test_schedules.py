"""Learning-rate schedules against torch.optim.lr_scheduler, plus validation."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest

from core.errors import ConfigError
from core.optim.schedules import SCHEDULES, Schedule, make_schedule, schedule_params

STEPS = 100
LR0 = 0.1


def torch_lrs(cls_name: str, steps: int, lr0: float = LR0, **kw: Any) -> np.ndarray:
    """lr of update k = scheduler.get_last_lr() after k scheduler.step() calls."""
    torch = pytest.importorskip(
        "torch", reason="torch not installed: pip install 'lr-playground[torch]'"
    )
    param = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([param], lr=lr0)
    sched = getattr(torch.optim.lr_scheduler, cls_name)(opt, **kw)
    out = []
    for _ in range(steps):
        out.append(sched.get_last_lr()[0])
        opt.step()  # before sched.step(), or torch warns about the order
        sched.step()
    return np.array(out)


TORCH_CASES = [
    ({"name": "step", "step_size": 10}, "StepLR", {"step_size": 10}),
    ({"name": "step", "step_size": 7, "gamma": 0.5}, "StepLR", {"step_size": 7, "gamma": 0.5}),
    ({"name": "step", "step_size": 1, "gamma": 0.9}, "StepLR", {"step_size": 1, "gamma": 0.9}),
    ({"name": "exponential", "gamma": 0.95}, "ExponentialLR", {"gamma": 0.95}),
    ({"name": "exponential", "gamma": 1.05}, "ExponentialLR", {"gamma": 1.05}),
    ({"name": "cosine", "T_max": 100}, "CosineAnnealingLR", {"T_max": 100}),
    (
        {"name": "cosine", "T_max": 99, "eta_min": 0.01},
        "CosineAnnealingLR",
        {"T_max": 99, "eta_min": 0.01},
    ),
    (
        {"name": "cosine", "T_max": 30, "eta_min": 1e-3},
        "CosineAnnealingLR",
        {"T_max": 30, "eta_min": 1e-3},
    ),
    ({"name": "cosine", "T_max": 1}, "CosineAnnealingLR", {"T_max": 1}),
    ({"name": "warmup"}, "LinearLR", {}),
    (
        {"name": "warmup", "start_factor": 0.1, "total_iters": 20},
        "LinearLR",
        {"start_factor": 0.1, "total_iters": 20},
    ),
    (
        {"name": "warmup", "start_factor": 1.0, "end_factor": 0.0, "total_iters": 100},
        "LinearLR",
        {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 100},
    ),
    (
        {"name": "warmup", "start_factor": 0.5, "end_factor": 0.5, "total_iters": 3},
        "LinearLR",
        {"start_factor": 0.5, "end_factor": 0.5, "total_iters": 3},
    ),
    # the cyclic schedules take lr0 as max_lr and cycle the learning rate only
    (
        {"name": "onecycle", "total_steps": 100},
        "OneCycleLR",
        {"max_lr": LR0, "total_steps": 100, "cycle_momentum": False},
    ),
    (
        {"name": "onecycle", "total_steps": 100, "pct_start": 0.25, "anneal_strategy": "linear",
         "div_factor": 10, "final_div_factor": 100},
        "OneCycleLR",
        {"max_lr": LR0, "total_steps": 100, "pct_start": 0.25, "anneal_strategy": "linear",
         "div_factor": 10, "final_div_factor": 100, "cycle_momentum": False},
    ),
    (
        {"name": "onecycle", "total_steps": 100, "three_phase": True},
        "OneCycleLR",
        {"max_lr": LR0, "total_steps": 100, "three_phase": True, "cycle_momentum": False},
    ),
    (
        {"name": "cyclic", "step_size_up": 10},
        "CyclicLR",
        {"base_lr": LR0 / 4, "max_lr": LR0, "step_size_up": 10, "cycle_momentum": False},
    ),
    (
        {"name": "cyclic", "step_size_up": 7, "step_size_down": 3, "div_factor": 10,
         "mode": "triangular2"},
        "CyclicLR",
        {"base_lr": LR0 / 10, "max_lr": LR0, "step_size_up": 7, "step_size_down": 3,
         "mode": "triangular2", "cycle_momentum": False},
    ),
    (
        {"name": "cyclic", "step_size_up": 5, "mode": "exp_range", "gamma": 0.97},
        "CyclicLR",
        {"base_lr": LR0 / 4, "max_lr": LR0, "step_size_up": 5, "mode": "exp_range",
         "gamma": 0.97, "cycle_momentum": False},
    ),
]


@pytest.mark.parametrize(("spec", "cls_name", "kw"), TORCH_CASES, ids=lambda x: str(x))
def test_schedule_matches_torch_scheduler(
    spec: dict[str, Any], cls_name: str, kw: dict[str, Any]
) -> None:
    schedule = make_schedule(spec)
    theirs = torch_lrs(cls_name, STEPS, **kw)
    # torch's cosine keeps going past T_max and ours holds; compare where both are defined
    n = min(STEPS, spec["T_max"] + 1) if spec["name"] == "cosine" else STEPS
    ours = np.array([schedule.lr(LR0, k) for k in range(n)])
    np.testing.assert_allclose(ours, theirs[:n], rtol=1e-12, atol=0)
    assert schedule.torch_class == cls_name


def test_constant_is_lr0_everywhere() -> None:
    k = np.arange(STEPS)
    np.testing.assert_array_equal(make_schedule(None).lr(LR0, k), np.full(STEPS, LR0))
    assert make_schedule("constant").lr(LR0, 10**9) == LR0


def test_cosine_holds_at_eta_min_after_t_max() -> None:
    schedule = make_schedule({"name": "cosine", "T_max": 30, "eta_min": 1e-3})
    np.testing.assert_array_equal(schedule.lr(LR0, np.arange(30, 200)), np.full(170, 1e-3))
    # torch's closed form would have climbed back towards lr0 by now (period 2·T_max)
    assert schedule.lr(LR0, 59) == 1e-3
    # the approach to eta_min is monotone, with no kink before T_max
    assert np.all(np.diff(schedule.lr(LR0, np.arange(31))) < 0)


def test_warmup_holds_at_end_factor_after_total_iters() -> None:
    schedule = make_schedule({"name": "warmup", "start_factor": 0.25, "total_iters": 4})
    np.testing.assert_allclose(
        schedule.lr(1.0, np.arange(8)), [0.25, 0.4375, 0.625, 0.8125, 1, 1, 1, 1]
    )


def test_onecycle_holds_its_final_rate_after_total_steps() -> None:
    schedule = make_schedule({"name": "onecycle", "total_steps": 10})
    last = schedule.lr(LR0, 9)
    assert last == pytest.approx(LR0 / 25 / 1e4)
    assert schedule.lr(LR0, 10) == last and schedule.lr(LR0, 500) == last  # torch would raise


# ---------------------------------------------------------------- vectorisation
SPECS = [
    None,
    {"name": "step", "step_size": 7, "gamma": 0.5},
    {"name": "exponential", "gamma": 0.97},
    {"name": "cosine", "T_max": 40, "eta_min": 1e-4},
    {"name": "warmup", "start_factor": 0.2, "total_iters": 10},
]


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_vectorised_k_equals_scalar_calls(spec: Any) -> None:
    schedule = make_schedule(spec)
    k = np.arange(120)
    vec = schedule.lr(LR0, k)
    assert isinstance(vec, np.ndarray)
    assert vec.shape == (120,)
    assert vec.dtype == np.float64
    scalars = [schedule.lr(LR0, int(i)) for i in k]
    assert all(type(x) is float for x in scalars)
    np.testing.assert_allclose(vec, scalars, rtol=1e-15, atol=0)
    # any integer array shape, and numpy integer scalars
    np.testing.assert_array_equal(schedule.lr(LR0, k.reshape(12, 10)), vec.reshape(12, 10))
    assert schedule.lr(LR0, np.int32(5)) == schedule.lr(LR0, 5)


@pytest.mark.parametrize("spec", SPECS, ids=str)
def test_one_lr0_per_run_broadcasts(spec: Any) -> None:
    schedule = make_schedule(spec)
    lr0 = np.array([[0.01], [0.1], [1.0]])  # (R, 1), as a sweep passes it
    k = np.arange(50)
    table = schedule.lr(lr0, k)
    assert table.shape == (3, 50)
    for r in range(3):
        np.testing.assert_allclose(table[r], schedule.lr(float(lr0[r, 0]), k), rtol=1e-15)


def test_live_lr0_change_is_just_a_new_lr0() -> None:
    # the user halves lr0 at update 40: the schedule shape continues, rescaled
    schedule = make_schedule({"name": "cosine", "T_max": 100})
    before = schedule.lr(0.2, np.arange(40))
    after = schedule.lr(0.1, np.arange(40, 100))
    np.testing.assert_allclose(after, schedule.lr(0.2, np.arange(40, 100)) / 2, rtol=1e-14)
    assert before[-1] > after[0]


def test_exponential_growth_saturates_at_inf_without_warnings() -> None:
    schedule = make_schedule({"name": "exponential", "gamma": 2.0})
    lrs = schedule.lr(1e-3, np.array([0, 10, 5000]))
    assert lrs[0] == 1e-3 and lrs[1] == pytest.approx(1.024)
    assert lrs[2] == math.inf
    assert schedule.lr(0.0, 5000) == 0.0  # not 0·inf = nan


@pytest.mark.parametrize("bad_k", [1.5, np.array([0.0, 1.0]), True, "3"])
def test_non_integer_k_is_a_type_error(bad_k: Any) -> None:
    with pytest.raises(TypeError, match="update index k"):
        make_schedule(None).lr(LR0, bad_k)


def test_negative_k_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="update index k must be >= 0"):
        make_schedule(None).lr(LR0, np.array([3, -1]))


# ---------------------------------------------------------------- specs and validation
def test_names_and_params() -> None:
    assert SCHEDULES == ("constant", "step", "exponential", "cosine", "warmup", "onecycle",
                         "cyclic")
    assert schedule_params("constant") == {}
    assert schedule_params("step") == {"step_size": None, "gamma": 0.1}
    assert schedule_params("exponential") == {"gamma": None}
    assert schedule_params("cosine") == {"T_max": None, "eta_min": 0.0}
    assert schedule_params("warmup") == {"start_factor": 1 / 3, "end_factor": 1.0, "total_iters": 5}
    with pytest.raises(ConfigError, match="unknown schedule 'linear'"):
        schedule_params("linear")


def test_make_schedule_accepts_each_spec_form() -> None:
    cosine = Schedule("cosine", {"T_max": 100})
    assert make_schedule(None) == Schedule("constant")
    assert make_schedule("constant") == Schedule()
    assert make_schedule("Warmup") == Schedule("warmup", {})
    assert make_schedule({"name": "cosine", "T_max": 100, "eta_min": 0.0}) == cosine
    assert make_schedule(cosine) is cosine
    # defaults are filled in, integral floats become ints, None means "the default"
    assert make_schedule({"name": "cosine", "T_max": 100.0, "eta_min": None}).params == {
        "T_max": 100,
        "eta_min": 0.0,
    }
    assert hash(make_schedule({"name": "cosine", "T_max": 100})) == hash(cosine)


@pytest.mark.parametrize("spec", [*SPECS, "warmup", {"name": "step", "step_size": 3}], ids=str)
def test_to_dict_round_trips_through_json(spec: Any) -> None:
    schedule = make_schedule(spec)
    data = json.loads(json.dumps(schedule.to_dict()))
    assert data["name"] == schedule.name
    again = make_schedule(data)
    assert again == schedule
    np.testing.assert_array_equal(again.lr(LR0, np.arange(50)), schedule.lr(LR0, np.arange(50)))


def test_describe_names_the_rule_and_values() -> None:
    text = make_schedule({"name": "cosine", "T_max": 50, "eta_min": 0.001}).describe()
    assert "T_max=50" in text and "eta_min=0.001" in text
    assert "CosineAnnealingLR" in text and "held at eta_min after T_max" in text
    for name in SCHEDULES:
        params = {p: 2 for p, d in schedule_params(name).items() if d is None}
        assert make_schedule({"name": name, **params}).describe().startswith(name)


BAD_SPECS = [
    ("cosine", r"^the cosine schedule needs T_max \(an integer >= 1\)"),
    ("step", r"^the step schedule needs step_size \(an integer >= 1\)"),
    ("exponential", r"^the exponential schedule needs gamma \(a number in \(0, ∞\)\)"),
    ({"name": "cosine"}, r"needs T_max"),
    ({"name": "cosine", "T_max": None}, r"needs T_max"),
    (
        "linear",
        r"^unknown schedule 'linear'; choose one of: constant, step, exponential, cosine, "
        r"warmup, onecycle, cyclic$",
    ),
    ({"name": "Cosine!", "T_max": 3}, r"^unknown schedule 'Cosine!'"),
    ({"T_max": 3}, r"^a schedule dict needs a 'name'"),
    ({"name": 3}, r"^unknown schedule 3"),
    (3, r"^a schedule must be None, a name, a dict with a 'name' or a Schedule, got 3$"),
    (["cosine"], r"^a schedule must be None"),
    (
        {"name": "cosine", "T_max": 10, "gamma": 0.5},
        r"^the cosine schedule has no parameter 'gamma' \(its parameters: T_max, eta_min\)$",
    ),
    (
        {"name": "constant", "gamma": 0.5},
        r"^the constant schedule has no parameter 'gamma' \(its parameters: none\)$",
    ),
    (
        {"name": "step", "step_size": 0},
        r"^step_size for the step schedule must be an integer >= 1, got 0$",
    ),
    (
        {"name": "step", "step_size": 2.5},
        r"^step_size for the step schedule must be an integer >= 1, got 2.5$",
    ),
    (
        {"name": "step", "step_size": True},
        r"^step_size for the step schedule must be an integer >= 1",
    ),
    (
        {"name": "step", "step_size": "ten"},
        r"^step_size for the step schedule must be an integer >= 1, got 'ten'$",
    ),
    (
        {"name": "step", "step_size": 5, "gamma": 0},
        r"^gamma for the step schedule must be a number in \(0, 1\], got 0$",
    ),
    (
        {"name": "step", "step_size": 5, "gamma": 1.5},
        r"^gamma for the step schedule must be a number in \(0, 1\], got 1.5$",
    ),
    (
        {"name": "exponential", "gamma": -0.5},
        r"^gamma for the exponential schedule must be a number in \(0, ∞\), got -0.5$",
    ),
    (
        {"name": "exponential", "gamma": math.inf},
        r"^gamma for the exponential schedule must be a number in \(0, ∞\), got inf$",
    ),
    (
        {"name": "exponential", "gamma": math.nan},
        r"^gamma for the exponential schedule must be a number",
    ),
    (
        {"name": "cosine", "T_max": 0},
        r"^T_max for the cosine schedule must be an integer >= 1, got 0$",
    ),
    ({"name": "cosine", "T_max": -5}, r"^T_max for the cosine schedule must be an integer >= 1"),
    (
        {"name": "cosine", "T_max": 10, "eta_min": -1e-3},
        r"^eta_min for the cosine schedule must be a number in \[0, ∞\), got -0.001$",
    ),
    (
        {"name": "warmup", "start_factor": 0},
        r"^start_factor for the warmup schedule must be a number in \(0, 1\], got 0$",
    ),
    (
        {"name": "warmup", "start_factor": 1.5},
        r"^start_factor for the warmup schedule must be a number in \(0, 1\]",
    ),
    (
        {"name": "warmup", "end_factor": -0.1},
        r"^end_factor for the warmup schedule must be a number in \[0, 1\], got -0.1$",
    ),
    (
        {"name": "warmup", "end_factor": 2},
        r"^end_factor for the warmup schedule must be a number in \[0, 1\]",
    ),
    (
        {"name": "warmup", "total_iters": 0},
        r"^total_iters for the warmup schedule must be an integer >= 1, got 0$",
    ),
    ("onecycle", r"^the onecycle schedule needs total_steps \(an integer >= 1\)"),
    (
        {"name": "onecycle", "total_steps": 10, "pct_start": 1.0},
        r"^pct_start for the onecycle schedule must be a number in \(0, 1\), got 1.0$",
    ),
    (
        {"name": "onecycle", "total_steps": 10, "anneal_strategy": "cosine"},
        r"^anneal_strategy for the onecycle schedule must be one of cos, linear, got 'cosine'$",
    ),
    (
        {"name": "onecycle", "total_steps": 10, "div_factor": 0.5},
        r"^div_factor for the onecycle schedule must be a number in \[1, ∞\), got 0.5$",
    ),
    (
        {"name": "onecycle", "total_steps": 10, "three_phase": 1},
        r"^three_phase for the onecycle schedule must be true or false, got 1$",
    ),
    ("cyclic", r"^the cyclic schedule needs step_size_up \(an integer >= 1\)"),
    (
        {"name": "cyclic", "step_size_up": 5, "mode": "sine"},
        r"^mode for the cyclic schedule must be one of triangular, triangular2, exp_range",
    ),
    (
        {"name": "cyclic", "step_size_up": 5, "step_size_down": -1},
        r"^step_size_down for the cyclic schedule must be an integer >= 0, got -1$",
    ),
]


@pytest.mark.parametrize(("spec", "message"), BAD_SPECS, ids=lambda x: str(x))
def test_bad_specs_raise_config_error(spec: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make_schedule(spec)


def test_schedule_constructor_validates_too() -> None:
    with pytest.raises(ConfigError, match="T_max for the cosine schedule"):
        Schedule("cosine", {"T_max": 0})


def test_schedule_is_immutable() -> None:
    import dataclasses

    schedule = make_schedule({"name": "cosine", "T_max": 10})
    with pytest.raises(dataclasses.FrozenInstanceError):
        schedule.name = "step"  # type: ignore[misc]
