"""``run`` ends a diverged run with the window's sentence on why, and exits 0."""

from __future__ import annotations

from cli_run import run_cli

import core
from core.analysis.verdict import HALVE, verdict_of


def test_a_diverged_run_says_why_and_exits_0(capsys, tmp_path):
    out = tmp_path / "t.csv"
    code, stdout, err = run_cli(capsys, "run", "--problem", "quadratic", "--lr", "0.5",
                                "--out", str(out))
    assert code == 0 and err == ""
    run = core.train("quadratic", lr=0.5)
    first, reason = stdout.splitlines()
    assert first == (f"wrote {len(run.table)} rows to {out}: diverged at step "
                     f"{run.diverged_at}, final loss {run.final_loss:.6g}")
    window = verdict_of(run).text  # the window's own sentence for this run
    assert window.endswith(HALVE)
    assert reason == window.replace(HALVE, "Halve the learning rate: --lr 0.25.")
    assert reason.startswith(f"Diverged at step {run.diverged_at}: ")
    assert "lr·λmax = 5 > 2" in reason and "2/λmax = 0.2" in reason


def test_with_the_table_on_stdout_the_reason_goes_to_stderr(capsys):
    code, stdout, err = run_cli(capsys, "run", "--problem", "line-one-point", "--lr", "0.6",
                                "--steps", "500")
    assert code == 0
    assert stdout.splitlines()[0].startswith("step,epoch,lr,a,b,loss")
    assert err.startswith("Diverged at step ") and err.count("\n") == 1
    assert "Halve the learning rate: --lr 0.3." in err


def test_a_run_that_did_not_diverge_says_nothing_more(capsys, tmp_path):
    code, stdout, err = run_cli(capsys, "run", "--problem", "quadratic", "--lr", "0.1",
                                "--out", str(tmp_path / "t.csv"))
    assert code == 0 and err == "" and len(stdout.splitlines()) == 1


def test_verdict_of_a_run_equals_verdict_of_its_trainer():
    trainer = core.make_trainer("house-prices", lr=0.6, steps=100)
    run = trainer.run()
    assert verdict_of(run) == verdict_of(trainer)
    assert verdict_of(run).kind == "diverged"
