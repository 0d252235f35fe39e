import math

import numpy as np
import pytest

import core
from core.analysis.presets import PRESET_NAMES, STALLED, preset_report, presets
from core.cli import main
from core.run.batches import BatchPlan

OPTIMIZERS = [
    ("sgd", {}),
    ("sgd", {"momentum": 0.9}),
    ("adam", {}),
    ("rmsprop", {}),
]
PAIRS = [(name, opt, hyper) for name in core.list_problems() for opt, hyper in OPTIMIZERS]
# the newer optimizers on a bowl, a valley, a seed regression, a seed neuron and a saddle
PAIRS += [(name, opt, {}) for opt in ("nadam", "radam", "adamax", "adadelta")
          for name in ("quadratic", "rosenbrock", "house-prices", "glasses-vs-ring", "saddle")]


def pair_id(pair):
    name, opt, hyper = pair
    return f"{name}-{opt}" + "".join(f"-{k}{v}" for k, v in hyper.items())


def default_run(problem, optimizer, hyper, lr):
    """The run the window makes when a preset button is pressed."""
    return core.train(problem, optimizer=optimizer, lr=lr, steps=problem.default_steps,
                      batch=problem.default_batch, **hyper)


@pytest.mark.parametrize(("name", "optimizer", "hyper"), PAIRS, ids=[pair_id(p) for p in PAIRS])
def test_presets_behave_as_named(name, optimizer, hyper):
    problem = core.get_problem(name)
    report = preset_report(problem, optimizer, **hyper)
    lrs = report.lrs
    assert set(lrs) == set(PRESET_NAMES) == set(report.reasons)
    assert report.budget == problem.default_steps
    assert lrs["too-small"] < lrs["just-right"] < lrs["too-big"]
    assert all(isinstance(v, float) and math.isfinite(v) and v > 0 for v in lrs.values())
    # the report's check runs are core.train runs on the problem's defaults (a test
    # below holds them equal to fresh ones); reusing them halves this test's time
    for key, run in report.runs.items():
        cfg = run.config
        assert (cfg.lr, cfg.steps, cfg.batch, cfg.optimizer) == (
            lrs[key], problem.default_steps, problem.default_batch, optimizer)
        assert cfg.start in (None, problem.start) and cfg.hyper == hyper and cfg.schedule is None
    small, just, big = (report.runs[k] for k in PRESET_NAMES)
    min_loss = problem.min_loss
    sweep = report.sweep

    # just right: reaches the tolerance, or the lowest final loss the sweep found
    assert just.status != "diverged"
    kind = report.outcomes["just-right"]
    if kind == "converged":
        assert just.final_loss - min_loss <= problem.tolerance
    elif kind == "lowest-final":
        alive = sweep.diverged_at < 0
        assert not np.any(sweep.status == "converged")
        assert just.final_loss == pytest.approx(sweep.final_loss[alive].min(), rel=1e-9)
    else:  # unbounded below: lowest among the runs that only go downhill, inside the window
        assert kind == "lowest-in-window" and min_loss is None
        assert not np.any(np.diff(just.table["loss"]) > 0)
        window = np.array(problem.window)
        assert np.all((just.params[-1] >= window[:, 0]) & (just.params[-1] <= window[:, 1]))

    # too small: visibly slow; for SGD the loss never rises
    loss = np.asarray(small.table["loss"])
    assert small.status != "diverged"
    assert small.final_loss > just.final_loss
    if min_loss is not None:
        assert np.min(loss - min_loss) > problem.tolerance  # never reaches the tolerance
    if optimizer == "sgd":
        # with samples or mini-batches, from one epoch to the next
        per_epoch = BatchPlan.make(problem.default_batch, problem.n_samples, 0,
                                   name).updates_per_epoch
        assert not np.any(np.diff(loss[::per_epoch]) > 0)

    # too big: diverges or ends above where it started
    loss0 = float(big.table["loss"][0])
    if report.outcomes["too-big"] == "stalled":
        # the documented exception (a bounded loss with saturating steps): nothing in
        # 1e-7..1e12 diverges or ends above its start, and too-big makes no progress
        assert not np.any((sweep.diverged_at >= 0) | (sweep.final_loss > sweep.loss0))
        assert big.final_loss - min_loss >= STALLED * (loss0 - min_loss)
        assert name == "and-gate"
    else:
        assert big.status == "diverged" or big.final_loss > loss0


@pytest.mark.parametrize(("name", "optimizer", "hyper"), [
    ("quadratic", "sgd", {}),
    ("glasses-vs-ring", "adam", {}),
    ("himmelblau", "sgd", {"momentum": 0.9}),
    ("saddle", "rmsprop", {}),
])
def test_report_runs_are_what_core_train_gives(name, optimizer, hyper):
    problem = core.get_problem(name)
    report = preset_report(problem, optimizer, **hyper)
    for key, lr in report.lrs.items():
        fresh = default_run(problem, optimizer, hyper, lr)
        np.testing.assert_array_equal(fresh.table.block(), report.runs[key].table.block())
        assert fresh.status == report.runs[key].status


@pytest.mark.parametrize(("condition", "angle"), [(2, 0), (10, 30), (100, 120)])
def test_sgd_theory_beside_measurement_on_quadratic(condition, angle):
    problem = core.get_problem("quadratic", condition=condition, angle=angle)
    report = preset_report(problem)
    theory = report.theory
    assert theory["lam_max"] == pytest.approx(condition, rel=1e-12)
    assert theory["stability_limit"] == pytest.approx(2.0 / condition, rel=1e-12)
    x = theory["lr_lam_max"]
    assert x["too-small"] < 1 and x["just-right"] < 2 < x["too-big"]
    # the first failing rate of an 8-per-decade grid lies within one grid step of the limit
    assert report.lrs["too-big"] < theory["stability_limit"] * 10 ** (1 / 8) * 1.0001
    assert theory["measured_divergence_edge"] >= theory["stability_limit"]
    assert "lr·λmax" in report.reasons["too-big"] and "> 2" in report.reasons["too-big"]


def test_theory_only_for_plain_sgd():
    assert preset_report("quadratic", "adam").theory is None
    assert preset_report("quadratic", momentum=0.9).theory is None
    assert preset_report("quadratic", weight_decay=0.5).theory["lam_max"] == pytest.approx(10.5)


def test_presets_is_the_report_lrs():
    assert presets("line-one-point") == preset_report("line-one-point").lrs
    lrs = presets("single-weight", start=(2.0,))
    assert lrs["too-small"] < lrs["just-right"] < lrs["too-big"]


def test_reasons_speak_plainly():
    report = preset_report("quadratic")
    assert "lr·λmax = 2.37 > 2: each step overshoots the valley by more than it corrects" \
        in report.reasons["too-big"]
    assert "fastest" in report.reasons["just-right"]
    assert "steps are so short" in report.reasons["too-small"]
    text = report.describe()
    for name in PRESET_NAMES:
        assert name in text
    assert "2/λmax = 0.2" in text
    saddle = preset_report("saddle", "adam")
    assert "no lowest point" in saddle.reasons["just-right"]


def test_bad_input():
    with pytest.raises(core.ConfigError):
        presets("quadratic", "lbfgs")
    with pytest.raises(core.ConfigError):
        presets("quadratic", momentum=-1)
    with pytest.raises(core.ConfigError):
        presets("nope")
    with pytest.raises(core.ConfigError):
        presets("quadratic", start=(1.0,))


def test_cli_presets(capsys):
    code = main(["presets", "--problem", "quadratic", "--option", "condition=4"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = preset_report(core.get_problem("quadratic", condition=4))
    assert out == report.describe() + "\n"
    assert "theory (plain gradient descent)" in out
    code = main(["presets", "--problem", "line-one-point", "--optimizer", "adam",
                 "--betas", "0.8,0.99"])
    out, _ = capsys.readouterr()
    assert code == 0
    report = preset_report("line-one-point", "adam", betas=(0.8, 0.99))
    assert out == report.describe() + "\n"
    assert "theory" not in out


@pytest.mark.parametrize(("argv", "message"), [
    (["--problem", "nope"], "unknown problem"),
    (["--problem", "quadratic", "--optimizer", "lbfgs"], "unknown optimizer"),
    (["--problem", "quadratic", "--momentum", "x"], "--momentum"),
    (["--problem", "quadratic", "--start", "1"], "start"),
    ([], "--problem"),
])
def test_cli_presets_bad_input(capsys, argv, message):
    code = main(["presets", *argv])
    _, err = capsys.readouterr()
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    assert message in err
