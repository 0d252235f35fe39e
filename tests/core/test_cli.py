import os
import subprocess
import sys

import numpy as np
import pytest
from cli_run import run_cli

import core
from core.run.table import StepTable


def test_problems_lists_every_problem(capsys):
    code, out, _ = run_cli(capsys, "problems")
    assert code == 0
    names = [line.split()[0] for line in out.splitlines()]
    assert names == core.list_problems()


@pytest.mark.parametrize("ext", ["csv", "tsv", "md", "json"])
def test_run_writes_the_table_by_extension(capsys, tmp_path, ext):
    out = tmp_path / f"t.{ext}"
    code, stdout, err = run_cli(
        capsys, "run", "--problem", "line-one-point", "--steps", "5", "--out", str(out)
    )
    assert code == 0 and err == ""
    assert "wrote 6 rows" in stdout
    expected = core.train("line-one-point", lr=0.1, steps=5).table.to_text(ext)
    assert out.read_text() == expected


def test_run_passes_every_option_through(capsys, tmp_path):
    out = tmp_path / "t.csv"
    code, _, err = run_cli(
        capsys,
        "run",
        "--problem",
        "quadratic",
        "--option",
        "condition=4",
        "--option",
        "angle=30",
        "--optimizer",
        "adam",
        "--lr",
        "0.05",
        "--steps",
        "40",
        "--start",
        "2,-1",
        "--betas",
        "0.8,0.99",
        "--eps",
        "1e-6",
        "--amsgrad",
        "--out",
        str(out),
    )
    assert code == 0, err
    ours = StepTable.read_csv(out)
    ref = core.train(
        "quadratic",
        options={"condition": 4, "angle": 30},
        optimizer="adam",
        lr=0.05,
        steps=40,
        start=(2, -1),
        betas=(0.8, 0.99),
        eps=1e-6,
        amsgrad=True,
    )
    np.testing.assert_array_equal(ours.block(), ref.table.block())


@pytest.mark.parametrize(("flags", "hyper"), [
    (["--optimizer", "nadam", "--momentum-decay", "0.01", "--decoupled-weight-decay",
      "--weight-decay", "0.1"],
     {"optimizer": "nadam", "momentum_decay": 0.01, "decoupled_weight_decay": True,
      "weight_decay": 0.1}),
    (["--optimizer", "radam", "--betas", "0.8,0.9"], {"optimizer": "radam", "betas": (0.8, 0.9)}),
    (["--optimizer", "adamax", "--eps", "1e-3"], {"optimizer": "adamax", "eps": 1e-3}),
    (["--optimizer", "adadelta", "--rho", "0.5"], {"optimizer": "adadelta", "rho": 0.5}),
])
def test_run_takes_the_newer_optimizers_and_their_flags(capsys, tmp_path, flags, hyper):
    out = tmp_path / "t.csv"
    code, _, err = run_cli(capsys, "run", "--problem", "rosenbrock", "--lr", "0.01",
                           "--steps", "30", *flags, "--out", str(out))
    assert code == 0, err
    ref = core.train("rosenbrock", lr=0.01, steps=30, **hyper)
    np.testing.assert_array_equal(StepTable.read_csv(out).block(), ref.table.block())


def test_run_without_out_prints_csv(capsys):
    code, out, _ = run_cli(capsys, "run", "--problem", "line-one-point", "--steps", "2")
    assert code == 0
    assert out.splitlines()[0].startswith("step,epoch,lr,a,b,loss")
    assert len(out.splitlines()) == 4


BAD = [
    (["--problem", "nope"], "unknown problem"),
    (["--optimizer", "sgdd"], "unknown optimizer"),
    (["--lr", "-1"], "lr"),
    (["--lr", "nan"], "lr"),
    (["--lr", "inf"], "lr"),
    (["--lr", "fast"], "lr"),
    (["--steps", "-1"], "steps"),
    (["--steps", "ten"], "steps"),
    (["--start", "1,2,3"], "start"),
    (["--start", "1,x"], "start"),
    (["--optimizer", "adam", "--betas", "0.9,1.2"], "betas"),
    (["--optimizer", "adam", "--betas", "0.9"], "betas"),
    (["--batch", "0"], "batch"),
    (["--momentum", "-0.5"], "momentum"),
    (["--nesterov"], "nesterov"),
    (["--option", "condition=3"], "no option"),
    (["--out", "/no/such/folder/t.csv"], "does not exist"),
    (["--out", "t.xlsx"], r"\.csv"),
    (["--backend", "jax"], "backend"),
    (["--optimizer", "adadelta", "--rho", "1.5"], "rho for adadelta"),
    (["--optimizer", "nadam", "--momentum-decay", "-1"], "momentum_decay for nadam"),
    (["--decoupled-weight-decay"], "no hyper-parameter 'decoupled_weight_decay'"),
    (["--bogus"], "unrecognized"),
]


@pytest.mark.parametrize(("extra", "match"), BAD)
def test_bad_input_is_one_error_line_and_exit_2(capsys, tmp_path, monkeypatch, extra, match):
    monkeypatch.chdir(tmp_path)
    args = ["run", "--problem", "line-one-point", "--steps", "3", *extra]
    if "--problem" in extra[:1]:
        args = ["run", *extra]
    with pytest.raises(SystemExit) if extra == ["--bogus"] else _nothing():
        code, _out, err = run_cli(capsys, *args)
    if extra == ["--bogus"]:
        err = capsys.readouterr().err
        code = 2
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert __import__("re").search(match, lines[0]), lines[0]
    assert "Traceback" not in err
    assert os.listdir(tmp_path) == []  # no partial output file


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_console_script_in_a_fresh_process_exits_2_without_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "core.cli", "run", "--problem", "line-one-point", "--lr", "-3"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
