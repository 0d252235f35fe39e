"""The optimizer zoo against real torch.optim, in float64.

torch is the oracle: every variant runs 200 steps on three objectives in both
implementations and the parameters must agree at every step. The objectives
are written here (numpy gradient + torch loss) so these tests do not depend on
core.problems.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from core.errors import ConfigError
from core.optim import OPTIMIZERS, make_optimizer, optimizer_defaults

torch = pytest.importorskip(
    "torch", reason="torch not installed: pip install 'lr-playground[torch]'"
)

STEPS = 200
RTOL = 1e-10
# NAdam, RAdam, Adamax and Adadelta are held to 1e-12 on every step
TIGHT = {"nadam": 1e-12, "radam": 1e-12, "adamax": 1e-12, "adadelta": 1e-12}


def rtol(name: str) -> float:
    return TIGHT.get(name, RTOL)


# ---------------------------------------------------------------- objectives
# Each has a start, a numpy gradient vectorised over leading axes (..., 2) and
# a torch loss of a (2,) tensor, so torch's gradient comes from autograd.
class Rosenbrock:
    name = "rosenbrock"
    start = np.array([-1.5, 2.0])

    @staticmethod
    def grad(p: np.ndarray) -> np.ndarray:
        a, b = p[..., 0], p[..., 1]
        return np.stack([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)], axis=-1)

    @staticmethod
    def torch_loss(p: Any) -> Any:
        return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


class RotatedQuadratic:
    """½ θᵀAθ with A = R·diag(1, 25)·Rᵀ, its valley rotated by 30°."""

    name = "rotated-quadratic"
    start = np.array([2.0, 1.5])
    _c, _s = math.cos(math.pi / 6), math.sin(math.pi / 6)
    _R = np.array([[_c, -_s], [_s, _c]])
    A = _R @ np.diag([1.0, 25.0]) @ _R.T

    @classmethod
    def grad(cls, p: np.ndarray) -> np.ndarray:
        return p @ cls.A.T

    @classmethod
    def torch_loss(cls, p: Any) -> Any:
        return 0.5 * p @ torch.from_numpy(cls.A) @ p


class HousePrices:
    """MSE of price = w·size + b on three houses (size in 1000 ft², price in $1000)."""

    name = "house-prices"
    start = np.array([0.0, 0.0])
    x = np.array([1.5, 2.0, 2.5])
    y = np.array([300.0, 400.0, 500.0])

    @classmethod
    def grad(cls, p: np.ndarray) -> np.ndarray:
        r = p[..., 0:1] * cls.x + p[..., 1:2] - cls.y  # (..., 3) residuals
        return np.stack([2 * np.mean(r * cls.x, axis=-1), 2 * np.mean(r, axis=-1)], axis=-1)

    @classmethod
    def torch_loss(cls, p: Any) -> Any:
        x, y = torch.from_numpy(cls.x), torch.from_numpy(cls.y)
        return torch.mean((p[0] * x + p[1] - y) ** 2)


OBJECTIVES = [Rosenbrock, RotatedQuadratic, HousePrices]

# A learning rate per (objective, optimizer family) that keeps 200 steps finite
# and moving; the comparison is only meaningful on a trajectory that does
# something. House prices have gradients ~1e3, so the adaptive methods need a
# big lr to travel.
LR: dict[tuple[str, str], float] = {
    ("rosenbrock", "sgd"): 1e-3,
    ("rosenbrock", "adam"): 1e-2,
    ("rosenbrock", "rmsprop"): 1e-3,
    ("rosenbrock", "adagrad"): 1e-1,
    ("rotated-quadratic", "sgd"): 2e-2,
    ("rotated-quadratic", "adam"): 5e-2,
    # 1e-2 reaches the minimum and rattles around it, where RMSprop's
    # normalised steps amplify last-bit gradient differences chaotically
    ("rotated-quadratic", "rmsprop"): 3e-3,
    ("rotated-quadratic", "adagrad"): 5e-1,
    ("house-prices", "sgd"): 5e-2,
    ("house-prices", "adam"): 5.0,
    ("house-prices", "rmsprop"): 1.0,
    ("house-prices", "adagrad"): 20.0,
    # NAdam, RAdam, Adamax and Adadelta: rates that travel without reaching a
    # minimum and rattling around it (there last-bit differences grow chaotically)
    ("rosenbrock", "nadam"): 3e-2,
    ("rosenbrock", "radam"): 3e-3,
    ("rosenbrock", "adamax"): 1e-1,
    ("rosenbrock", "adadelta"): 3.0,
    ("rotated-quadratic", "nadam"): 3e-3,
    ("rotated-quadratic", "radam"): 3e-3,
    ("rotated-quadratic", "adamax"): 1e-2,
    ("rotated-quadratic", "adadelta"): 0.3,
    ("house-prices", "nadam"): 0.1,
    ("house-prices", "radam"): 3e-2,
    ("house-prices", "adamax"): 1.0,
    ("house-prices", "adadelta"): 10.0,
}

# ---------------------------------------------------------------- the zoo
ZOO: list[tuple[str, dict[str, Any]]] = [
    ("sgd", {}),
    ("sgd", {"momentum": 0.9}),
    ("sgd", {"momentum": 0.9, "dampening": 0.5}),
    ("sgd", {"momentum": 0.9, "nesterov": True}),
    ("sgd", {"weight_decay": 0.1}),
    ("sgd", {"momentum": 0.5, "dampening": 0.1, "weight_decay": 0.05}),
    ("adam", {}),
    ("adam", {"weight_decay": 0.1}),
    ("adam", {"amsgrad": True}),
    ("adam", {"betas": (0.8, 0.99), "eps": 1e-6}),
    # beta1 < 0.5 takes the other branch of torch's lerp
    ("adam", {"betas": [0.3, 0.5], "weight_decay": 0.01, "amsgrad": True}),
    ("adamw", {}),
    ("adamw", {"weight_decay": 0.1}),
    ("adamw", {"weight_decay": 0.1, "amsgrad": True, "betas": (0.85, 0.95)}),
    ("rmsprop", {}),
    ("rmsprop", {"centered": True}),
    ("rmsprop", {"momentum": 0.5}),
    ("rmsprop", {"weight_decay": 0.01}),
    ("rmsprop", {"alpha": 0.9, "eps": 1e-6}),
    ("rmsprop", {"centered": True, "momentum": 0.5, "weight_decay": 0.01}),
    # centered with a short memory (alpha < 0.5) is left out on purpose: ṽ = v − ḡ²
    # cancels to nearly nothing, so last-bit differences grow to O(1) within 200
    # steps even with identical gradients. test_lerp_matches_torch covers that branch.
    ("adagrad", {}),
    ("adagrad", {"lr_decay": 0.01}),
    ("adagrad", {"initial_accumulator_value": 0.1}),
    ("adagrad", {"weight_decay": 0.1}),
    ("adagrad", {"lr_decay": 0.05, "initial_accumulator_value": 1.0, "eps": 1e-6}),
    ("nadam", {}),
    ("nadam", {"weight_decay": 0.1}),
    ("nadam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("nadam", {"momentum_decay": 0.01, "betas": (0.8, 0.99)}),
    ("nadam", {"betas": (0.3, 0.5), "eps": 1e-6}),
    ("radam", {}),
    ("radam", {"weight_decay": 0.1}),
    ("radam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("radam", {"betas": (0.8, 0.99), "eps": 1e-6}),
    # beta2 = 0.9: ρ∞ = 19, so the rectified steps start at the third update
    ("radam", {"betas": (0.3, 0.9)}),
    ("adamax", {}),
    ("adamax", {"weight_decay": 0.1}),
    ("adamax", {"betas": (0.8, 0.99), "eps": 1e-6}),
    ("adamax", {"betas": (0.3, 0.5)}),
    ("adadelta", {}),
    ("adadelta", {"rho": 0.5}),
    ("adadelta", {"weight_decay": 0.1, "eps": 1e-4}),
    ("adadelta", {"rho": 0.99}),
]
ZOO_IDS = [name + "".join(f"-{k}={v}" for k, v in hyper.items()) for name, hyper in ZOO]
TORCH_CLASS = {
    "sgd": "SGD",
    "adam": "Adam",
    "adamw": "AdamW",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
    "nadam": "NAdam",
    "radam": "RAdam",
    "adamax": "Adamax",
    "adadelta": "Adadelta",
}


def family(name: str) -> str:
    return "adam" if name == "adamw" else name


def torch_optimizer(name: str, hyper: dict[str, Any], param: Any, lr: float) -> Any:
    cls = getattr(torch.optim, TORCH_CLASS[name])
    kw = {**hyper, "betas": tuple(hyper["betas"])} if "betas" in hyper else hyper
    # the single-tensor loop is the code our rules mirror (foreach/fused may differ in the last ulp)
    return cls([param], lr=lr, foreach=False, **kw)


def torch_state(opt: Any, param: Any) -> dict[str, np.ndarray]:
    return {
        k: (v.detach().numpy().copy() if v.ndim else np.full(2, float(v)))
        for k, v in opt.state[param].items()
    }


class TorchRun:
    """torch.optim on one objective, one step at a time."""

    def __init__(self, objective: Any, name: str, hyper: dict[str, Any], lr: float) -> None:
        self.objective = objective
        self.param = torch.tensor(objective.start, dtype=torch.float64, requires_grad=True)
        self.opt = torch_optimizer(name, hyper, self.param, lr)

    def step(self) -> np.ndarray:
        self.opt.zero_grad()
        self.objective.torch_loss(self.param).backward()
        self.opt.step()
        return self.param.detach().numpy().copy()

    def set_lr(self, lr: float) -> None:
        for group in self.opt.param_groups:
            group["lr"] = lr


def both(name: str, hyper: dict[str, Any], objective: Any) -> tuple[Any, TorchRun, np.ndarray,
                                                                     Any, float]:
    """Ours and torch's optimizer on ``objective`` at its lr: (opt, ref, params, state, lr)."""
    lr = LR[(objective.name, family(name))]
    opt = make_optimizer(name, **hyper)
    params = objective.start.copy()
    return opt, TorchRun(objective, name, hyper, lr), params, opt.init(params), lr


def rel_diff(ours: np.ndarray, theirs: np.ndarray) -> float:
    # relative to the size of the parameter vector, so a coordinate passing
    # through zero does not blow the ratio up
    return float(np.max(np.abs(ours - theirs)) / max(np.max(np.abs(theirs)), 1e-300))


# ---------------------------------------------------------------- torch parity
@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda o: o.name)
@pytest.mark.parametrize(("name", "hyper"), ZOO, ids=ZOO_IDS)
def test_every_step_matches_torch_optim(name: str, hyper: dict[str, Any], objective: Any) -> None:
    opt, ref, params, state, lr = both(name, hyper, objective)
    for k in range(STEPS):
        params, state = opt.step(params, objective.grad(params), state, lr)
        theirs = ref.step()
        assert np.all(np.isfinite(theirs)), f"torch diverged at step {k}: pick a smaller lr"
        assert rel_diff(params, theirs) < rtol(name), f"step {k}: ours {params}, torch {theirs}"
    # the trajectory went somewhere, so agreeing meant something
    assert np.max(np.abs(params - objective.start)) > 1e-3


@pytest.mark.parametrize(("name", "hyper"), ZOO, ids=ZOO_IDS)
def test_live_lr_change_matches_torch_param_groups(name: str, hyper: dict[str, Any]) -> None:
    objective = RotatedQuadratic
    opt, ref, params, state, lr = both(name, hyper, objective)
    for k in range(STEPS):
        if k == 50:  # the user drags the lr slider mid-run
            lr = lr / 3
            ref.set_lr(lr)
        params, state = opt.step(params, objective.grad(params), state, lr)
        assert rel_diff(params, ref.step()) < rtol(name), f"step {k}"


@pytest.mark.parametrize(("name", "hyper"), ZOO, ids=ZOO_IDS)
def test_state_columns_match_torch_optimizer_state(name: str, hyper: dict[str, Any]) -> None:
    objective = Rosenbrock
    opt, ref, params, state, lr = both(name, hyper, objective)
    display_only = {"bias_correction1", "bias_correction2"}
    for k in range(STEPS + 1):
        ours, theirs = opt.state_columns(state), torch_state(ref.opt, ref.param)
        # same names as torch's optimizer.state (plus display-only extras), same values
        assert set(ours) - display_only == set(theirs), f"step {k}"
        for key, value in theirs.items():
            assert ours[key].shape == params.shape
            np.testing.assert_allclose(ours[key], value, rtol=1e-9, atol=1e-300, err_msg=key)
        if k < STEPS:
            params, state = opt.step(params, objective.grad(params), state, lr)
            ref.step()


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.3, 0.5)])
def test_adam_bias_corrections_are_those_of_the_last_step(betas: tuple[float, float]) -> None:
    opt = make_optimizer("adam", betas=betas)
    params = Rosenbrock.start.copy()
    state = opt.init(params)
    for t in range(1, 6):
        params, state = opt.step(params, Rosenbrock.grad(params), state, 1e-2)
        cols = opt.state_columns(state)
        np.testing.assert_array_equal(cols["bias_correction1"], np.full(2, 1 - betas[0] ** t))
        np.testing.assert_array_equal(cols["bias_correction2"], np.full(2, 1 - betas[1] ** t))
        np.testing.assert_array_equal(cols["step"], np.full(2, float(t)))


def test_state_columns_of_a_missing_state_are_empty() -> None:
    for name in OPTIMIZERS:
        assert make_optimizer(name).state_columns(None) == {}


@pytest.mark.parametrize("weight", [0.0, 0.1, 0.499, 0.5, 0.6, 0.9, 1.0])
def test_lerp_matches_torch(weight: float) -> None:
    from core.xp import lerp

    rng = np.random.default_rng(7)
    start, end = rng.normal(size=1000), rng.normal(size=1000)
    theirs = torch.from_numpy(start).lerp(torch.from_numpy(end), weight).numpy()
    # torch fuses the multiply-add and numpy cannot, hence a last-bit tolerance
    scale = np.maximum(np.abs(start), np.abs(end))
    np.testing.assert_array_less(np.abs(lerp(start, end, weight) - theirs), 4e-16 * scale + 1e-300)
    if weight in (0.0, 1.0):
        np.testing.assert_array_equal(lerp(start, end, weight), start if weight == 0 else end)


# ---------------------------------------------------------------- vectorised runs
@pytest.mark.parametrize(("name", "hyper"), ZOO, ids=ZOO_IDS)
def test_a_batch_of_runs_equals_separate_runs_exactly(name: str, hyper: dict[str, Any]) -> None:
    objective = Rosenbrock
    lr0 = LR[(objective.name, family(name))]
    lrs = lr0 * np.geomspace(0.1, 2.0, 7)[:, None]  # (R, 1): one lr per run
    starts = objective.start + np.linspace(-0.3, 0.3, 7)[:, None] * np.array([1.0, -0.5])
    opt = make_optimizer(name, **hyper)
    # the biggest lrs diverge for some variants, as runs in a real sweep do;
    # inf and nan must come out the same too (assert_array_equal equates nans)
    with np.errstate(over="ignore", invalid="ignore"):
        batch_path, batch_state = _batch_run(opt, objective, starts, lrs)
        for r in range(7):
            single = starts[r].copy()
            state = opt.init(single)
            for k in range(STEPS):
                single, state = opt.step(single, objective.grad(single), state, float(lrs[r, 0]))
                # exact: the same IEEE operations, broadcast or not
                np.testing.assert_array_equal(batch_path[k][r], single, err_msg=f"run {r} step {k}")
            for key, col in opt.state_columns(batch_state).items():
                np.testing.assert_array_equal(col[r], opt.state_columns(state)[key], err_msg=key)


def _batch_run(opt: Any, objective: Any, starts: np.ndarray, lrs: np.ndarray) -> tuple[list, Any]:
    batch = starts.copy()
    batch_state = opt.init(batch)
    batch_path = []
    for _ in range(STEPS):
        batch, batch_state = opt.step(batch, objective.grad(batch), batch_state, lrs)
        batch_path.append(batch)
    return batch_path, batch_state


def test_step_never_mutates_its_inputs() -> None:
    for name, hyper in ZOO:
        opt = make_optimizer(name, **hyper)
        params = Rosenbrock.start.copy()
        state = opt.init(params)
        for _ in range(3):
            grad = Rosenbrock.grad(params)
            before = (
                params.copy(),
                grad.copy(),
                [None if s is None else np.copy(s) for s in state],
            )
            new_params, new_state = opt.step(params, grad, state, 1e-3)
            np.testing.assert_array_equal(params, before[0])
            np.testing.assert_array_equal(grad, before[1])
            for old, kept in zip(state, before[2], strict=True):
                np.testing.assert_array_equal(old, kept)
            params, state = new_params, new_state


# ---------------------------------------------------------------- validation
def test_defaults_are_torchs() -> None:
    import inspect

    for name in OPTIMIZERS:
        sig = inspect.signature(getattr(torch.optim, TORCH_CLASS[name]).__init__)
        for key, ours in optimizer_defaults(name).items():
            theirs = sig.parameters[key].default
            assert (tuple(theirs) if key == "betas" else theirs) == ours, (name, key)
        assert make_optimizer(name).torch_class == TORCH_CLASS[name]


NUMERIC = [
    (name, key)
    for name in OPTIMIZERS
    for key, default in optimizer_defaults(name).items()
    if isinstance(default, float)
]
BAD_NUMBERS = [-1.0, -1e-12, math.nan, math.inf, -math.inf, "fast", None, True, [0.1]]


@pytest.mark.parametrize("bad", BAD_NUMBERS, ids=repr)
@pytest.mark.parametrize(("name", "key"), NUMERIC, ids=lambda x: str(x))
def test_bad_numbers_raise_config_error_naming_the_parameter(name: str, key: str, bad: Any) -> None:
    with pytest.raises(ConfigError, match=rf"^{key} for {name} must be"):
        make_optimizer(name, **{key: bad})


@pytest.mark.parametrize(
    ("name", "hyper", "message"),
    [
        ("adam", {"betas": (1.5, 0.999)}, r"^betas\[0\] for adam must be in \[0, 1\), got 1.5$"),
        ("adam", {"betas": (0.9, 1.0)}, r"^betas\[1\] for adam must be in \[0, 1\), got 1.0$"),
        ("adamw", {"betas": (-0.1, 0.9)}, r"^betas\[0\] for adamw must be in \[0, 1\)"),
        ("adam", {"betas": (0.9, math.nan)}, r"^betas\[1\] for adam must be a finite number"),
        ("adam", {"betas": (0.9, "x")}, r"^betas\[1\] for adam must be a number"),
        ("adam", {"betas": (0.9,)}, r"^betas for adam must be a pair"),
        ("adam", {"betas": (0.9, 0.99, 0.999)}, r"^betas for adam must be a pair"),
        ("adam", {"betas": "0.9,0.99"}, r"^betas for adam must be a pair"),
        ("adam", {"betas": 0.9}, r"^betas for adam must be a pair"),
        ("adam", {"betas": None}, r"^betas for adam must be a pair"),
        ("adam", {"amsgrad": "yes"}, r"^amsgrad for adam must be true or false, got 'yes'"),
        ("adamw", {"amsgrad": 1}, r"^amsgrad for adamw must be true or false"),
        ("rmsprop", {"centered": None}, r"^centered for rmsprop must be true or false"),
        ("rmsprop", {"alpha": 1.0}, r"^alpha for rmsprop must be in \[0, 1\), got 1.0"),
        ("sgd", {"nesterov": "no"}, r"^nesterov for sgd must be true or false"),
        ("sgd", {"nesterov": True}, r"^nesterov for sgd needs momentum > 0"),
        ("sgd", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, r"^nesterov for sgd needs"),
        ("sgd", {"lr": 0.1}, r"optimizer 'sgd' has no hyper-parameter 'lr'"),
        ("adam", {"beta1": 0.9}, r"optimizer 'adam' has no hyper-parameter 'beta1'"),
        ("rmsprop", {"rho": 0.9}, r"optimizer 'rmsprop' has no hyper-parameter 'rho'"),
        ("adagrad", {"momentum": 0.9}, r"optimizer 'adagrad' has no hyper-parameter 'momentum'"),
    ],
)
def test_bad_hyper_parameters_raise_config_error(
    name: str, hyper: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        make_optimizer(name, **hyper)


def test_betas_are_stored_as_a_tuple_of_floats() -> None:
    assert make_optimizer("adam", betas=[0.5, 0.75]).hyper["betas"] == (0.5, 0.75)
    assert make_optimizer("adamw", betas=np.array([0.5, 0.75])).hyper["betas"] == (0.5, 0.75)
    assert make_optimizer("adamw").hyper["weight_decay"] == 1e-2
    assert make_optimizer("adam").hyper["weight_decay"] == 0.0


def test_every_optimizer_documents_its_update_rule() -> None:
    for name in OPTIMIZERS:
        opt = make_optimizer(name)
        text = opt.describe()
        assert f"torch.optim.{opt.torch_class}" in text
        assert "θ ←" in text


def test_checked_settings_are_kept_yet_each_call_gets_its_own_and_bad_ones_raise() -> None:
    first = make_optimizer("sgd", momentum=0.9, nesterov=True)
    first.hyper["momentum"] = 0.5  # a caller's copy: the next call does not see it
    again = make_optimizer("sgd", momentum=0.9, nesterov=True)
    assert again is not first and again.hyper["momentum"] == 0.9
    # True == 1 in Python, and the check refuses 1: a kept True must not let 1 through
    with pytest.raises(ConfigError, match="nesterov for sgd must be true or false"):
        make_optimizer("sgd", momentum=0.9, nesterov=1)
    # nor inside a pair: Adam's betas refuse a truth value where a number is kept
    make_optimizer("adam", betas=(0.9, 0.0))
    with pytest.raises(ConfigError, match=r"betas\[1\] for adam must be a number"):
        make_optimizer("adam", betas=(0.9, False))
    for _ in range(2):  # refused every time, never kept
        with pytest.raises(ConfigError, match=r"betas\[1\] for adam must be in \[0, 1\)"):
            make_optimizer("adam", betas=(0.9, 2.0))
    # unhashable values are checked every time, the same way
    assert make_optimizer("adam", betas=[0.8, 0.9]).hyper["betas"] == (0.8, 0.9)
    with pytest.raises(ConfigError):
        make_optimizer("adam", betas=[0.8, 1.5])


def test_settings_name_the_rule_and_its_checked_values() -> None:
    # what traces of the update are kept by: one key for one rule and values
    adam = make_optimizer("adam", betas=(0.9, 0.99))
    assert adam.settings == make_optimizer("adam", betas=[0.9, 0.99]).settings
    assert adam.copy().settings == adam.settings
    assert adam.settings != make_optimizer("adam").settings
    assert make_optimizer("adamw").settings != make_optimizer("adam").settings
    assert (make_optimizer("sgd", momentum=0.9, nesterov=True).settings
            != make_optimizer("sgd", momentum=0.9).settings)
    # the checked values, whatever form they were given in
    assert make_optimizer("sgd", momentum=1).settings == make_optimizer("sgd", momentum=1.0).settings
