"""``--schedule`` on ``run``, ``sweep`` and ``presets``: the window's schedules, typed.

A run saved as a session and the same run typed on the command line give the
same table, cell for cell; bad schedules are one ``error:`` line and exit 2.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from cli_run import run_cli

import core
from core.analysis.sweep import sweep
from core.optim.schedules import SCHEDULES, schedule_params
from core.run.table import StepTable
from core.session import load_session, session_for

SCHEDULE_FLAGS = [
    (["--schedule", "step", "--schedule-option", "step_size=7",
      "--schedule-option", "gamma=0.5"], {"name": "step", "step_size": 7, "gamma": 0.5}),
    (["--schedule", "exponential", "--schedule-option", "gamma=0.97"],
     {"name": "exponential", "gamma": 0.97}),
    (["--schedule", "cosine", "--schedule-option", "T_max=30",
      "--schedule-option", "eta_min=0.001"], {"name": "cosine", "T_max": 30, "eta_min": 0.001}),
    (["--schedule", "warmup"], {"name": "warmup"}),
    (["--schedule", "warmup", "--schedule-option", "start_factor=0.1",
      "--schedule-option", "total_iters=10"],
     {"name": "warmup", "start_factor": 0.1, "total_iters": 10}),
    (["--schedule", "constant"], None),
]


@pytest.mark.parametrize(("flags", "spec"), SCHEDULE_FLAGS,
                         ids=[" ".join(f[1:]) for f, _ in SCHEDULE_FLAGS])
def test_a_session_and_the_same_run_typed_give_the_same_table(capsys, tmp_path, flags, spec):
    cfg = core.RunConfig(problem="house-prices", optimizer="sgd", lr=0.15, steps=40,
                         hyper={"momentum": 0.5}, schedule=spec)
    path = tmp_path / "s.json"
    session_for("house-prices", cfg).save(path)
    back = load_session(path)
    saved = core.make_trainer(back.build_problem(), back.config).run().table

    out = tmp_path / "typed.csv"
    code, _, err = run_cli(capsys, "run", "--problem", "house-prices", "--lr", "0.15",
                           "--steps", "40", "--momentum", "0.5", *flags, "--out", str(out))
    assert code == 0, err
    typed = StepTable.read_csv(out)
    assert typed.columns == saved.columns
    np.testing.assert_array_equal(typed.block(), saved.block())
    if spec is not None:  # the schedule really acted: the lr column is not constant
        assert len(set(typed["lr"].tolist())) > 1


def test_the_help_lists_every_schedule_and_its_options(capsys):
    with pytest.raises(SystemExit):
        run_cli(capsys, "run", "--help")
    text = " ".join(capsys.readouterr().out.split())
    for name in SCHEDULES:
        assert name in text
        for param in schedule_params(name):
            assert param in text


def test_sweep_takes_the_schedule(capsys, tmp_path):
    out = tmp_path / "s.csv"
    code, _, err = run_cli(capsys, "sweep", "--problem", "quadratic", "--lr-min", "0.01",
                           "--lr-max", "0.4", "--count", "5", "--steps", "60",
                           "--schedule", "cosine", "--schedule-option", "T_max=60",
                           "--out", str(out))
    assert code == 0, err
    lrs = np.geomspace(0.01, 0.4, 5)
    lrs[0], lrs[-1] = 0.01, 0.4
    ref = tmp_path / "ref.csv"
    sweep("quadratic", lrs, steps=60, schedule={"name": "cosine", "T_max": 60}).to_csv(ref)
    assert out.read_text() == ref.read_text()
    constant = tmp_path / "constant.csv"
    sweep("quadratic", lrs, steps=60).to_csv(constant)
    assert constant.read_text() != out.read_text()  # the schedule changed the runs


def test_presets_take_the_schedule(capsys):
    code, out, err = run_cli(capsys, "presets", "--problem", "quadratic", "--schedule", "step",
                             "--schedule-option", "step_size=20")
    assert code == 0, err
    assert "schedule step (step_size=20, gamma=0.1)" in out and "its lr0" in out
    report = core.preset_report("quadratic", schedule={"name": "step", "step_size": 20})
    for name, lr in report.lrs.items():
        assert f"{lr:<10.4g}" in out, name
        assert report.runs[name].config.schedule == {"name": "step", "step_size": 20,
                                                     "gamma": 0.1}


BAD = [
    (["--schedule", "linear"], "unknown schedule 'linear'; choose one of: constant"),
    (["--schedule", "cosine"], "the cosine schedule needs T_max: add --schedule-option T_max="),
    (["--schedule", "cosine", "--schedule-option", "T=3"],
     "the cosine schedule has no option 'T' \\(its options: T_max, eta_min\\)"),
    (["--schedule", "constant", "--schedule-option", "gamma=2"],
     "the constant schedule has no option 'gamma' \\(its options: none\\)"),
    (["--schedule-option", "T_max=3"], "--schedule-option needs --schedule NAME"),
    (["--schedule", "step", "--schedule-option", "step_size"], "must look like key=value"),
    (["--schedule", "step", "--schedule-option", "step_size=0"],
     "step_size for the step schedule must be an integer >= 1, got 0"),
    (["--schedule", "step", "--schedule-option", "step_size=2",
      "--schedule-option", "step_size=3"], "given twice"),
    (["--schedule", "step", "--schedule-option", "step_size=2", "--schedule-option",
      "gamma=-1"], "gamma for the step schedule must be a number in \\(0, 1\\]"),
    (["--schedule", "cosine", "--schedule-option", "T_max=5", "--schedule-option",
      "eta_min=nan"], "eta_min for the cosine schedule"),
]


@pytest.mark.parametrize("command", ["run", "sweep", "presets"])
@pytest.mark.parametrize(("extra", "match"), BAD, ids=[" ".join(e) for e, _ in BAD])
def test_bad_schedules_are_one_error_line_and_exit_2(capsys, tmp_path, monkeypatch, command,
                                                     extra, match):
    monkeypatch.chdir(tmp_path)
    base = {"run": ["run", "--problem", "quadratic", "--out", "t.csv"],
            "sweep": ["sweep", "--problem", "quadratic", "--lr-min", "0.01", "--lr-max", "0.1",
                      "--count", "3", "--steps", "10", "--out", "s.csv"],
            "presets": ["presets", "--problem", "quadratic"]}[command]
    code, out, err = run_cli(capsys, *base, *extra)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert __import__("re").search(match, lines[0]), lines[0]
    assert out == "" and os.listdir(tmp_path) == []


def test_a_rate_past_float_range_is_refused_before_a_run(capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", "--problem", "quadratic", "--steps", "400",
                           "--schedule", "exponential", "--schedule-option", "gamma=10",
                           "--out", str(tmp_path / "t.csv"))
    assert code == 2 and err.count("\n") == 1
    assert "the exponential schedule (gamma=10) with base learning rate 0.1 gives update 309 " \
           "a learning rate of inf (not finite)" in err
    assert os.listdir(tmp_path) == []


def test_a_rate_past_float_range_is_refused_before_a_sweep_runs(capsys, tmp_path):
    # gamma^k passes float range at k = 309, whatever the base rate
    code, _, err = run_cli(capsys, "sweep", "--problem", "quadratic", "--lr-min", "1e-30",
                           "--lr-max", "1", "--count", "3", "--steps", "320", "--schedule",
                           "exponential", "--schedule-option", "gamma=10",
                           "--out", str(tmp_path / "s.csv"))
    assert code == 2 and "gives update 309 a learning rate of inf" in err
    assert os.listdir(tmp_path) == []


def test_run_stops_at_tol_as_the_window_does(capsys, tmp_path):
    out = tmp_path / "t.csv"
    code, _, err = run_cli(capsys, "run", "--problem", "quadratic", "--steps", "500",
                           "--tol", "1e-6", "--out", str(out))
    assert code == 0, err
    ref = core.train("quadratic", steps=500, tol=1e-6)
    assert ref.status == "converged"
    np.testing.assert_array_equal(StepTable.read_csv(out).block(), ref.table.block())
    code, _, err = run_cli(capsys, "run", "--problem", "quadratic", "--tol", "-1")
    assert code == 2 and err.startswith("error: --tol must be a number >= 0")
