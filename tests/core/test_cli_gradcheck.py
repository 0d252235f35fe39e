"""``lr-playground-cli gradcheck``: built-in, formula and data problems; 0 when the
hand-derived gradient agrees, 1 when it does not, 2 for bad input."""

from __future__ import annotations

import numpy as np
import pytest
from cli_run import run_cli

import core
from core.analysis.gradcheck import gradient_check
from core.problems.classic import Rosenbrock


def rows(out: str) -> dict[str, list[str]]:
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if line.split()[:1] == ["parameter"])
    body = []
    for line in lines[head + 1:]:
        if not line.startswith("  "):
            break
        body.append(line.split())
    return {r[0]: r[1:] for r in body}


@pytest.mark.parametrize("name", core.list_problems())
def test_every_built_in_problem_passes_at_its_start(capsys, name):
    code, out, err = run_cli(capsys, "gradcheck", "--problem", name)
    assert code == 0, err
    problem = core.get_problem(name)
    table = rows(out)
    assert list(table) == list(problem.param_names)
    check = gradient_check(problem)
    for i, p in enumerate(problem.param_names):
        hand, auto, fd, largest, verdict = table[p]
        assert float(largest) == pytest.approx(check.largest_diff()[i], rel=0.05, abs=1e-300)
        assert float(hand) == pytest.approx(check.hand[i], rel=1e-11, abs=1e-300)
        assert float(fd) == pytest.approx(check.finite_diff[i], rel=1e-11, abs=1e-300)
        assert verdict == "pass"
        if core.torch_available():
            assert float(auto) == pytest.approx(check.autograd[i], rel=1e-11, abs=1e-300)
    assert out.rstrip().endswith("agrees with both.") or not core.torch_available()


def test_a_formula_and_a_data_file_at_a_given_point(capsys, tmp_path):
    code, out, err = run_cli(capsys, "gradcheck", "--formula", "(1-a)**2 + 100*(b-a**2)**2",
                             "--start", "0.5,-0.25")
    assert code == 0, err
    assert "at a=0.5, b=-0.25 (loss 25.25)" in out
    assert rows(out)["a"][0] == "99" and rows(out)["b"][0] == "-100"
    data = tmp_path / "d.csv"
    data.write_text("size,price\n1.5,300\n2.0,400\n2.5,500\n")
    code, out, err = run_cli(capsys, "gradcheck", "--data", str(data), "--start", "10,-5")
    assert code == 0, err
    problem = core.data_problem(str(data))
    np.testing.assert_allclose([float(rows(out)[p][0]) for p in problem.param_names],
                               problem.grad(np.array([10.0, -5.0])), rtol=1e-11)


def test_without_torch_the_autograd_column_is_a_dash(capsys, monkeypatch):
    from core import torch_backend

    monkeypatch.setattr(torch_backend, "available", lambda: False)
    code, out, _ = run_cli(capsys, "gradcheck", "--problem", "house-prices")
    assert code == 0
    assert all(r[1] == "—" for r in rows(out).values())
    assert 'pip install "lr-playground[torch]"' in out
    assert out.rstrip().endswith("agrees with the central differences.")


def test_a_wrong_hand_gradient_fails_with_exit_1(capsys, monkeypatch):
    right = Rosenbrock.grad_c

    def wrong(self, xp, p, data):
        da, db = right(self, xp, p, data)
        return da * 1.01, db  # a 1% slip in ∂L/∂a

    monkeypatch.setattr(Rosenbrock, "grad_c", wrong)
    code, out, _ = run_cli(capsys, "gradcheck", "--problem", "rosenbrock")
    assert code == 1
    assert rows(out)["a"][-1] == "FAIL" and rows(out)["b"][-1] == "pass"
    assert "DISAGREES" in out


@pytest.mark.parametrize(("extra", "match"), [
    (["--problem", "nope"], "unknown problem"),
    (["--problem", "quadratic", "--start", "1"], "start must have 2 values"),
    (["--problem", "quadratic", "--h", "0"], "--h must be a number > 0"),
    (["--problem", "quadratic", "--start", "1,nan"], "start"),
    ([], "give --problem NAME, --formula EXPR or --data FILE"),
])
def test_bad_input_is_one_error_line_and_exit_2(capsys, extra, match):
    code, out, err = run_cli(capsys, "gradcheck", *extra)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and match in err
