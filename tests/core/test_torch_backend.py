"""The torch backend against the numpy backend: same rows, same numbers.

numpy's hand-derived gradients and numpy optimizers are checked here against
autograd and the real torch.optim classes, run by `TorchTrainer` on the same
problem, config and batches. In float64 on the cpu every column must agree to
a relative 1e-10 (relative to the column's largest finite value, so a
gradient passing through zero does not blow the ratio up), and a diverging run
must stop at the same step.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

import core
from core.errors import ConfigError
from core.run.config import RunConfig
from core.run.dispatch import make_trainer

torch = pytest.importorskip(
    "torch", reason="torch not installed: pip install 'lr-playground[torch]'"
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HINT = 'pip install "lr-playground[torch]"'
RTOL = 1e-10
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")

VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("sgd", {}),
    ("sgd", {"momentum": 0.9}),
    ("sgd", {"momentum": 0.9, "nesterov": True}),
    ("sgd", {"momentum": 0.9, "dampening": 0.5, "weight_decay": 0.01}),
    ("adam", {}),
    ("adam", {"amsgrad": True}),
    ("adamw", {}),
    ("rmsprop", {}),
    ("rmsprop", {"centered": True, "momentum": 0.9}),
    ("adagrad", {}),
    ("adagrad", {"lr_decay": 0.01}),
    ("nadam", {}),
    ("radam", {"decoupled_weight_decay": True, "weight_decay": 0.01}),
    ("adamax", {}),
    ("adadelta", {}),
]
VARIANT_IDS = [name + "".join(f"-{k}={v}" for k, v in h.items()) for name, h in VARIANTS]


NETWORKS = ("circle", "xor", "gaussians", "spiral")


def small_lr(problem: core.Problem, optimizer: str) -> float:
    """The problem's own lr for sgd; at most 0.01 for the adaptive ones, whose
    step size is about lr whatever the gradient's scale; Adadelta's own 1.0.

    A network at its own learning rate sits at the edge of stability, where
    the loss bounces and any two correct implementations part ways within a
    few hundred steps (torch's tanh and numpy's differ in the last bit): its
    runs are compared a fifth of the way below it.
    """
    if optimizer == "adadelta":  # its steps carry their own scale: torch's default lr 1.0
        return 1.0
    lr = problem.default_lr / 5 if problem.name in NETWORKS else problem.default_lr
    return lr if optimizer == "sgd" else min(lr, 0.01)


def column_rel_diff(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Largest difference relative to the column's largest finite value; inf if
    the two columns are not finite in the same places."""
    if ours.shape != theirs.shape or not np.array_equal(np.isfinite(ours), np.isfinite(theirs)):
        return float("inf")
    finite = np.isfinite(ours)
    if not finite.any():
        return 0.0
    scale = max(float(np.max(np.abs(theirs[finite]))), 1e-300)
    return float(np.max(np.abs(ours[finite] - theirs[finite]))) / scale


def assert_tables_match(numpy_run: core.Run, torch_run: core.Run, rtol: float = RTOL,
                        rows: int | None = None) -> None:
    a, b = numpy_run.table, torch_run.table
    assert a.columns == b.columns
    n = len(a) if rows is None else rows
    for column in a.columns:
        rel = column_rel_diff(b[column][:n], a[column][:n])
        assert rel <= rtol, f"column {column!r}: relative difference {rel:.3g}"


def both(problem: str, **kw: Any) -> tuple[core.Run, core.Run]:
    return core.train(problem, **kw), core.train(problem, backend="torch", device="cpu", **kw)


def assert_same_run(numpy_run: core.Run, torch_run: core.Run, rtol: float = RTOL) -> None:
    assert torch_run.status == numpy_run.status
    assert torch_run.diverged_at == numpy_run.diverged_at
    if numpy_run.status == "converged" and numpy_run.config.tol is None:
        # "converged" here means an update that changed nothing: the gradient
        # rounded to exactly zero. Linear regression's numpy loss uses sufficient
        # statistics, torch the per-example formula, so that round-off-level
        # event may come a step apart; the rows up to it must still agree.
        n = min(len(numpy_run.table), len(torch_run.table))
        assert abs(len(numpy_run.table) - len(torch_run.table)) <= 2
        assert_tables_match(numpy_run, torch_run, rtol, rows=n)
        return
    assert len(torch_run.table) == len(numpy_run.table)
    assert_tables_match(numpy_run, torch_run, rtol)


# ---------------------------------------------------------------- parity
# every variant on every problem; of the networks (a torch step of one costs a few
# milliseconds) circle takes every variant and the other three plain SGD
PARITY = [(p, o, h) for p in core.list_problems() if p not in NETWORKS[1:]
          for o, h in VARIANTS] + [(p, "sgd", {}) for p in NETWORKS[1:]]


@pytest.mark.parametrize(("problem", "optimizer", "hyper"), PARITY,
                         ids=[f"{p}-{o}" + "".join(f"-{k}={v}" for k, v in h.items())
                              for p, o, h in PARITY])
def test_torch_backend_equals_numpy(problem: str, optimizer: str, hyper: dict[str, Any]) -> None:
    prob = core.get_problem(problem)
    numpy_run, torch_run = both(problem, optimizer=optimizer, lr=small_lr(prob, optimizer),
                                steps=200, batch=prob.default_batch, **hyper)
    assert torch_run.device == "cpu"
    assert len(numpy_run.table) > 20  # long enough for the agreement to mean something
    assert_same_run(numpy_run, torch_run)


@pytest.mark.parametrize(("problem", "lr"), [
    ("line-one-point", 0.6),
    ("rosenbrock", 0.01),  # overflows to inf within a few steps
    ("quadratic", 0.25),  # above 2/λmax = 0.2: a slow, clean blow-up
])
def test_a_diverging_run_stops_at_the_same_step(problem: str, lr: float) -> None:
    numpy_run, torch_run = both(problem, lr=lr, steps=2000)
    assert numpy_run.status == "diverged"
    assert torch_run.diverged_at == numpy_run.diverged_at
    assert_same_run(numpy_run, torch_run)


@pytest.mark.parametrize(("optimizer", "hyper"), [("sgd", {"momentum": 0.9}), ("adam", {}),
                                                   ("rmsprop", {"centered": True})])
def test_mini_batches_use_the_same_examples(optimizer: str, hyper: dict[str, Any]) -> None:
    numpy_run, torch_run = both("house-prices", optimizer=optimizer, lr=0.01, steps=200,
                                batch=2, seed=1, **hyper)
    assert "batch_loss" in torch_run.table.columns
    assert_same_run(numpy_run, torch_run)


@pytest.mark.parametrize(("optimizer", "hyper"), [("sgd", {}), ("sgd", {"momentum": 0.9}),
                                                   ("adamw", {}), ("adagrad", {"lr_decay": 0.01})])
def test_lr_change_mid_run_equals_numpy(optimizer: str, hyper: dict[str, Any]) -> None:
    cfg = RunConfig(problem="rosenbrock", optimizer=optimizer, lr=1e-3, steps=200, hyper=hyper)
    runs = []
    for backend in ("numpy", "torch"):
        trainer = make_trainer("rosenbrock", cfg.with_(backend=backend, device="cpu"))
        trainer.advance(60)
        trainer.set_lr(4e-4)  # the user drags the slider between chunks
        trainer.advance(70)
        trainer.set_lr(2e-3)
        runs.append(trainer.run())
    np.testing.assert_array_equal(runs[1].table["lr"][[0, 59, 60, 129, 130, 200]],
                                  [1e-3, 1e-3, 4e-4, 4e-4, 2e-3, 2e-3])
    assert_same_run(*runs)


def test_a_schedule_reaches_torch_through_param_groups() -> None:
    kw = {"optimizer": "adam", "lr": 0.01, "steps": 200,
          "schedule": {"name": "cosine", "T_max": 200}}
    numpy_run, torch_run = both("himmelblau", **kw)
    assert len(set(torch_run.table["lr"])) > 100
    assert_same_run(numpy_run, torch_run)


def test_advancing_in_chunks_equals_one_go() -> None:
    whole = core.train("and-gate", backend="torch", lr=0.5, steps=150, batch="sample", momentum=0.5)
    trainer = core.make_trainer("and-gate", lr=0.5, steps=150, batch="sample", backend="torch",
                                hyper={"momentum": 0.5})
    while not trainer.finished:
        trainer.advance(17)
    np.testing.assert_array_equal(trainer.table.block(), whole.table.block())


def test_extending_the_budget_continues_like_numpy() -> None:
    runs = []
    for backend in ("numpy", "torch"):
        trainer = core.make_trainer("beale", optimizer="rmsprop", lr=0.01, steps=50,
                                    backend=backend)
        trainer.run()
        trainer.set_steps(120)
        runs.append(trainer.run())
    assert len(runs[1].table) == 121
    assert_same_run(*runs)


@pytest.mark.parametrize(("optimizer", "hyper"), VARIANTS, ids=VARIANT_IDS)
def test_optimizer_state_is_torch_state_in_numpy_form(
    optimizer: str, hyper: dict[str, Any]
) -> None:
    trainers = [core.make_trainer("rosenbrock", optimizer=optimizer, lr=1e-3, steps=30,
                                  backend=b, hyper=hyper) for b in ("numpy", "torch")]
    # before the first step: nothing to show, except Adagrad's eagerly made sum
    fresh = [t.optimizer.state_columns(t.optimizer_state) for t in trainers]
    assert set(fresh[1]) == set(fresh[0])
    for t in trainers:
        t.run()
    np.testing.assert_allclose(trainers[1].theta, trainers[0].theta, rtol=1e-12)
    ours, theirs = (t.optimizer.state_columns(t.optimizer_state) for t in trainers)
    assert set(ours) == set(theirs) and (ours or optimizer == "sgd")
    for key in ours:
        np.testing.assert_allclose(theirs[key], ours[key], rtol=1e-10, atol=1e-300, err_msg=key)


def test_user_problems_run_on_torch_too() -> None:
    from core.formula import formula_problem
    from core.problems.data import data_problem

    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    labels = (x + 0.3 * rng.normal(size=40) > 0).astype(float)
    for problem in (formula_problem("sqrt(a**2 + 1) + max(a, b)**2 + sigmoid(b)"),
                    data_problem((x, labels), model="logistic")):
        for optimizer, lr in (("sgd", 0.05), ("adam", 0.01)):
            numpy_run = core.train(problem, optimizer=optimizer, lr=lr, steps=200)
            torch_run = core.train(problem, optimizer=optimizer, lr=lr, steps=200,
                                   backend="torch", device="cpu")
            assert_same_run(numpy_run, torch_run)


# ---------------------------------------------------------------- dtype, device
def test_float32_drifts_a_little_from_float64() -> None:
    kw = {"lr": 1e-3, "steps": 200, "backend": "torch", "device": "cpu"}
    r64 = core.train("rosenbrock", dtype="float64", **kw)
    r32 = core.train("rosenbrock", dtype="float32", **kw)
    assert r32.status == r64.status == "finished"
    drift = column_rel_diff(r32.params, r64.params)
    # float32 keeps ~7 digits: the drift is visible but small (measured: ~1e-7)
    assert 1e-10 < drift < 1e-4
    assert r32.extra["dtype"] == "float32"


def test_the_run_records_its_device() -> None:
    run = core.train("saddle", backend="torch", device="cpu", steps=3)
    assert run.device == "cpu"
    assert run.extra["backend"] == "torch" and run.extra["device_name"] == "cpu"
    auto = core.train("saddle", backend="torch", steps=3)
    expected = "cuda:0" if torch.cuda.is_available() else "cpu"
    assert auto.device == expected
    assert core.train("saddle", steps=3).device == "cpu"


def test_mps_has_no_float64(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.torch_backend import device

    monkeypatch.setattr(device, "_mps_available", lambda: True)
    with pytest.raises(ConfigError, match="float32"):
        device.resolve_device("mps", "float64")
    assert device.resolve_device("mps", "float32").type == "mps"


def test_auto_on_an_mps_machine_uses_the_cpu_for_float64(monkeypatch: pytest.MonkeyPatch) -> None:
    from core.torch_backend import device

    monkeypatch.setattr(device, "_accelerator_type", lambda: "mps")
    monkeypatch.setattr(device, "_mps_available", lambda: True)
    assert device.resolve_device("auto", "float64").type == "cpu"
    assert device.resolve_device("auto", "float32").type == "mps"


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_asking_for_a_missing_gpu_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"cuda.*not available"):
        core.train("saddle", backend="torch", device="cuda", steps=3)


def test_default_dtype_is_left_alone() -> None:
    before = torch.get_default_dtype()
    core.train("rosenbrock", backend="torch", dtype="float32", steps=3, lr=1e-3)
    core.train("rosenbrock", backend="torch", steps=3, lr=1e-3)
    assert torch.get_default_dtype() == before


# ---------------------------------------------------------------- without torch
def test_missing_torch_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core.torch_backend, "available", lambda: False)
    with pytest.raises(ConfigError) as info:
        core.train("rosenbrock", backend="torch", steps=3)
    assert HINT in str(info.value)
    from core.torch_backend import torch_sweep

    with pytest.raises(ConfigError, match="lr-playground"):
        torch_sweep("rosenbrock", [1e-3], steps=3)


def test_cli_backend_torch_without_torch_exits_2(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from core.cli import main

    monkeypatch.setattr(core.torch_backend, "available", lambda: False)
    status = main(["run", "--problem", "line-one-point", "--steps", "3", "--backend", "torch"])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert err.startswith("error: ") and HINT in err and err.count("\n") == 1


def test_cli_backend_torch_runs(capsys: pytest.CaptureFixture[str]) -> None:
    from core.cli import main

    assert main(["run", "--problem", "line-one-point", "--steps", "5", "--backend", "torch",
                 "--device", "cpu"]) == 0
    out = capsys.readouterr().out
    numpy_out = core.train("line-one-point", lr=0.1, steps=5).table.to_text("csv")
    assert out.splitlines()[0] == numpy_out.splitlines()[0]
    assert len(out.splitlines()) == 7


def loaded_modules(code: str) -> str:
    probe = f"{code}\nimport sys\nprint(sorted(m for m in ('torch',) if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return out.stdout.strip().splitlines()[-1]


def test_numpy_runs_never_import_torch_and_torch_runs_do() -> None:
    numpy_code = (
        "import core\n"
        "core.train('rosenbrock', steps=5, lr=1e-3, optimizer='adam', backend='numpy')\n"
        "from core.analysis.gradcheck import gradient_check\n"
        "import core.torch_backend\n"
    )
    assert loaded_modules(numpy_code) == "[]"
    torch_code = "import core\ncore.train('rosenbrock', steps=5, lr=1e-3, backend='torch')"
    assert loaded_modules(torch_code) == "['torch']"


# ---------------------------------------------------------------- batched sweep
def assert_sweeps_match(ours: Any, theirs: Any, rtol: float = RTOL) -> None:
    """Every field of the two SweepResults: exact for counts, flags and names,
    within ``rtol`` (of each column's largest value) for losses and parameters."""
    import dataclasses

    for f in dataclasses.fields(theirs):
        a, b = getattr(ours, f.name), getattr(theirs, f.name)
        if a is None or b is None:
            assert a is None and b is None, f.name
        elif isinstance(b, np.ndarray) and b.dtype.kind == "f":
            assert a.shape == b.shape, f.name
            cols = b.reshape(b.shape[0], -1).T if f.name == "final_params" else [b.ravel()]
            ours_cols = a.reshape(a.shape[0], -1).T if f.name == "final_params" else [a.ravel()]
            for x, y in zip(ours_cols, cols, strict=True):
                assert column_rel_diff(x, y) <= rtol, f.name
        elif isinstance(b, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=f.name)
        elif isinstance(b, float):
            assert a == pytest.approx(b, rel=rtol), f.name
        else:
            assert a == b, f.name


def sweep_lrs(problem: core.Problem, optimizer: str) -> np.ndarray:
    # up to the problem's own lr: far above it some surfaces (rastrigin's egg
    # box, the saturated and-gate) bounce chaotically, and chaos turns the
    # last-bit differences of autograd vs the hand gradient into O(1) ones
    return small_lr(problem, optimizer) * np.geomspace(0.05, 1.0, 8)


HAND_VARIANTS = [("sgd", {"momentum": 0.9}), ("adam", {}), ("rmsprop", {"centered": True})]
SWEEP_CASES = [("autograd", name, hyper) for name, hyper in VARIANTS]
SWEEP_CASES += [("hand", name, hyper) for name, hyper in HAND_VARIANTS]


# a network's sweep is a batch of networks; one network problem stands for the four
SWEEP_PROBLEMS = [p for p in core.list_problems() if p not in NETWORKS[1:]]


@pytest.mark.parametrize(("gradient", "optimizer", "hyper"), SWEEP_CASES,
                         ids=[f"{g}-{name}{hyper}" for g, name, hyper in SWEEP_CASES])
@pytest.mark.parametrize("problem", SWEEP_PROBLEMS)
def test_torch_sweep_equals_numpy_sweep(problem: str, gradient: str, optimizer: str,
                                        hyper: dict[str, Any]) -> None:
    from core.analysis.sweep import SweepResult, sweep
    from core.torch_backend import torch_sweep

    prob = core.get_problem(problem)
    # 120 steps: the per-run parity at 200 steps is test_torch_backend_equals_numpy's
    steps = 40 if problem in NETWORKS else 120
    kw = {"steps": steps, "optimizer": optimizer, "batch": prob.default_batch,
          "keep_history": True, **hyper}
    lrs = sweep_lrs(prob, optimizer)
    if problem in NETWORKS:
        lrs = lrs[::3]
    ours = torch_sweep(problem, lrs, device="cpu", gradient=gradient, **kw)
    assert isinstance(ours, SweepResult)
    assert_sweeps_match(ours, sweep(problem, lrs, **kw))


@pytest.mark.parametrize("schedule", [{"name": "cosine", "T_max": 50, "eta_min": 1e-4},
                                      {"name": "warmup", "total_iters": 20}])
def test_torch_sweep_follows_the_schedule_as_numpy(schedule: dict[str, Any]) -> None:
    from core.analysis.sweep import sweep
    from core.torch_backend import torch_sweep

    kw = {"steps": 80, "optimizer": "adam", "keep_history": True, "schedule": schedule}
    lrs = np.geomspace(1e-3, 0.05, 6)
    assert_sweeps_match(torch_sweep("rosenbrock", lrs, device="cpu", **kw),
                        sweep("rosenbrock", lrs, **kw))


@pytest.mark.parametrize("problem", ["line-one-point", "quadratic", "rosenbrock", "saddle",
                                     "single-weight", "house-prices"])
@pytest.mark.parametrize(("optimizer", "hyper"), [("sgd", {}), ("sgd", {"momentum": 0.9})])
def test_torch_sweep_drops_diverged_runs_at_the_same_row(problem: str, optimizer: str,
                                                        hyper: dict[str, Any]) -> None:
    from core.analysis.sweep import sweep
    from core.torch_backend import torch_sweep

    prob = core.get_problem(problem)
    # stable ones, then ones far enough above the edge to blow up cleanly (just
    # above it, a nonlinear surface first bounces chaotically)
    lrs = prob.default_lr * np.concatenate([np.geomspace(0.1, 1.5, 12), np.geomspace(10, 300, 8)])
    kw = {"steps": 300, "optimizer": optimizer, "keep_history": True, **hyper}
    theirs = sweep(problem, lrs, **kw)
    assert (theirs.diverged_at >= 0).sum() >= 3  # a good part of the sweep diverges
    assert_sweeps_match(torch_sweep(problem, lrs, device="cpu", **kw), theirs)


def test_torch_sweep_runs_equal_their_single_runs() -> None:
    from core.torch_backend import torch_sweep

    lrs = [1e-3, 2e-3, 8e-3]
    result = torch_sweep("rosenbrock", lrs, steps=150, device="cpu", keep_history=True,
                         momentum=0.5)
    for i, lr in enumerate(lrs):
        run = core.train("rosenbrock", lr=lr, steps=150, backend="torch", momentum=0.5)
        n = len(run.table)
        np.testing.assert_allclose(result.history[:n, i], run.table["loss"], rtol=1e-12)
        assert result.diverged_at[i] == (-1 if run.diverged_at is None else run.diverged_at)


@pytest.mark.parametrize(("problem", "batch", "seed"), [("house-prices", 2, 1),
                                                        ("glasses-vs-ring", "sample", 0)])
def test_torch_sweep_uses_the_same_batches(problem: str, batch: Any, seed: int) -> None:
    from core.analysis.sweep import sweep
    from core.torch_backend import torch_sweep

    prob = core.get_problem(problem)
    lrs = prob.default_lr * np.geomspace(0.1, 1.0, 6)
    kw = {"steps": 150, "batch": batch, "seed": seed, "keep_history": True, "momentum": 0.9}
    assert_sweeps_match(torch_sweep(problem, lrs, device="cpu", **kw), sweep(problem, lrs, **kw))


def test_torch_sweep_float32_drifts_a_little() -> None:
    from core.torch_backend import torch_sweep

    lrs = np.geomspace(1e-4, 1e-3, 8)
    r64 = torch_sweep("rosenbrock", lrs, steps=300, device="cpu")
    r32 = torch_sweep("rosenbrock", lrs, steps=300, device="cpu", dtype="float32")
    drift = column_rel_diff(r32.final_params.ravel(), r64.final_params.ravel())
    assert 1e-10 < drift < 1e-4
    np.testing.assert_array_equal(r32.status, r64.status)


def test_torch_sweep_checks_its_input_like_the_numpy_sweep() -> None:
    from core.torch_backend import torch_sweep

    with pytest.raises(ConfigError, match="lr"):
        torch_sweep("rosenbrock", [1e-3, -1.0], steps=5)
    with pytest.raises(ConfigError, match="steps"):
        torch_sweep("rosenbrock", [1e-3], steps=-1)
    with pytest.raises(ConfigError, match="optimizer"):
        torch_sweep("rosenbrock", [1e-3], steps=5, optimizer="lbfgs")
    with pytest.raises(ConfigError, match="dtype"):
        torch_sweep("rosenbrock", [1e-3], steps=5, dtype="float16")
    with pytest.raises(ConfigError, match="gradient"):
        torch_sweep("rosenbrock", [1e-3], steps=5, gradient="numerical")


# ---------------------------------------------------------------- CUDA (lent GPU only)
@needs_cuda
@pytest.mark.parametrize("problem", core.list_problems())
@pytest.mark.parametrize(("optimizer", "hyper"), [
    ("sgd", {"momentum": 0.9}), ("adam", {}), ("rmsprop", {"centered": True, "momentum": 0.9}),
])
def test_cuda_float64_equals_numpy(problem: str, optimizer: str, hyper: dict[str, Any]) -> None:
    prob = core.get_problem(problem)
    kw = {"optimizer": optimizer, "lr": small_lr(prob, optimizer), "steps": 200,
          "batch": prob.default_batch, **hyper}
    numpy_run = core.train(problem, **kw)
    cuda_run = core.train(problem, backend="torch", device="cuda", **kw)
    assert cuda_run.device.startswith("cuda:")
    # the GPU's own libm (cos, tanh, sqrt) may round differently in the last bit
    assert_same_run(numpy_run, cuda_run, rtol=1e-9)


@needs_cuda
def test_cuda_float32_stays_close_to_float64() -> None:
    kw = {"lr": 1e-3, "steps": 200, "backend": "torch"}
    r64 = core.train("rosenbrock", device="cpu", dtype="float64", **kw)
    r32 = core.train("rosenbrock", device="cuda", dtype="float32", **kw)
    assert r32.device.startswith("cuda:") and r32.status == "finished"
    assert column_rel_diff(r32.params, r64.params) < 1e-4


@needs_cuda
def test_cuda_auto_picks_the_gpu() -> None:
    run = core.train("saddle", backend="torch", steps=3)
    assert run.device.startswith("cuda:")
    assert run.extra["device_name"] == torch.cuda.get_device_name(0)


@needs_cuda
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("optimizer", "hyper"), [("sgd", {}), ("adam", {})])
def test_cuda_sweep_agrees_with_numpy(dtype: str, optimizer: str, hyper: dict[str, Any]) -> None:
    from core.analysis.sweep import sweep
    from core.torch_backend import torch_sweep

    lrs = np.concatenate([np.geomspace(1e-4, 1.5e-3, 50), [0.01, 0.03]])
    kw = {"steps": 300, "optimizer": optimizer, **hyper}
    ours = torch_sweep("rosenbrock", lrs, device="cuda", dtype=dtype, **kw)
    theirs = sweep("rosenbrock", lrs, **kw)
    np.testing.assert_array_equal(ours.diverged_at, theirs.diverged_at)
    rtol = 1e-9 if dtype == "float64" else 1e-3
    ok = theirs.diverged_at < 0
    np.testing.assert_allclose(ours.final_loss[ok], theirs.final_loss[ok], rtol=rtol)
