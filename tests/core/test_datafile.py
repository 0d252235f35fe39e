"""Own data: CSV reading, bad files, linear and logistic regression, the CLI."""

from __future__ import annotations

import os

import numpy as np
import pytest
from cli_run import run_cli

import core
from core.errors import ConfigError
from core.io.datatable import DataError, read_table
from core.problems.data import data_problem
from core.problems.logistic import LogisticRegression
from core.run.table import StepTable

HOUSES = "size,price\n1.5,300\n2.0,400\n2.5,500\n"


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def central_differences(problem, theta, h=1e-6):
    return np.stack([(problem.loss(theta + h * e) - problem.loss(theta - h * e)) / (2 * h)
                     for e in np.eye(2)], axis=-1)


# ---------------------------------------------------------------- reading
@pytest.mark.parametrize(("name", "content"), [
    ("comma.csv", HOUSES),
    ("noheader.csv", "1.5,300\n2.0,400\n2.5,500\n"),
    ("semicolon.csv", "size;price\n1.5;300\n2;400\n2.5;500\n"),
    ("decimal-comma.csv", "size;price\n1,5;300\n2,0;400\n2,5;500\n"),
    ("tab.tsv", "size\tprice\n1.5\t300\n2.0\t400\n2.5\t500\n"),
    ("spaces.dat", "1.5   300\n2.0 400\n2.5\t500\n"),
    ("crlf.csv", HOUSES.replace("\n", "\r\n")),
    ("bom.csv", "\ufeff" + HOUSES),
    ("quoted.csv", '"size","price"\n"1.5","300"\n2.0,"400"\n2.5,500\n'),
    ("comments.csv", "# houses\nsize,price\n\n1.5,300\n# skipped\n2.0,400\n   \n2.5,500\n\n"),
    ("no-final-newline.csv", HOUSES.rstrip("\n")),
    ("utf16.txt", HOUSES.encode("utf-16")),
])
def test_every_layout_reads_the_same_numbers(tmp_path, name, content):
    table = read_table(write(tmp_path, name, content))
    assert table.x.tolist() == [1.5, 2.0, 2.5]
    assert table.y.tolist() == [300.0, 400.0, 500.0]
    has_header = name not in ("noheader.csv", "spaces.dat")
    assert (table.x_name, table.y_name) == (("size", "price") if has_header
                                            else ("column 0", "column 1"))


def test_columns_are_chosen_by_index_or_header_name(tmp_path):
    path = write(tmp_path, "three.csv", "name,size,rooms,price\nA,1.5,3,300\nB,2,4,400\n")
    table = read_table(path, x_column="size", y_column="price")
    assert table.x.tolist() == [1.5, 2.0] and table.y.tolist() == [300.0, 400.0]
    table = read_table(path, x_column=2, y_column=-1)
    assert (table.x_name, table.y_name) == ("rooms", "price")
    assert read_table(path, x_column="ROOMS", y_column="1").x_name == "rooms"
    problem = data_problem(path, x_column="size")
    assert "'size'" in problem.description and "'price'" in problem.description
    assert "three.csv" in problem.description


# ------------------------------------------------------------- bad files
BAD_FILES = [
    # (name, content, what the message says, the line it names or None)
    ("empty.csv", "", "is empty", None),
    ("blank.csv", "\n  \n\n", "is empty", None),
    ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file", 3),
    ("latin1.csv", "x,y\n1,2\n3,4\ncaf\xe9,5\n".encode("latin-1"), "not UTF-8 text", 4),
    ("letters.csv", "x,y\n1,2\n3,abc\n5,6\n", "'abc' in column 1 ('y') is not a number", 3),
    ("empty-cell.csv", "x,y\n1,2\n3,\n5,6\n", "an empty cell in column 1", 3),
    ("ragged.csv", "x,y\n1,2\n3,4,5\n6,7\n", "3 cells where line 1 has 2", 3),
    ("short-row.csv", "1,2\n3,4\n5\n", "1 cells where line 1 has 2", 3),
    ("one-row.csv", "x,y\n1,2\n", "one row only (line 2)", 2),
    ("header-only.csv", "x,y\n", "no data rows", 1),
    ("one-column.csv", "1\n2\n3\n", "one column only", 1),
    ("nan.csv", "x,y\n1,2\n3,nan\n4,5\n", "nan in column 'y' is not a finite number", 3),
    ("inf.csv", "x,y\n1,2\n\n# gap\n3,4\ninf,5\n", "inf in column 'x' is not a finite", 6),
]


@pytest.mark.parametrize(("name", "content", "needle", "line"), BAD_FILES,
                         ids=[b[0] for b in BAD_FILES])
def test_each_bad_file_is_refused_with_its_line(tmp_path, name, content, needle, line):
    path = write(tmp_path, name, content)
    with pytest.raises(DataError) as info:
        data_problem(path)
    message = str(info.value)
    assert needle in message, message
    assert repr(str(path)) in message  # names the file
    assert info.value.line == line
    if line is not None:
        assert f"line {line}" in message


def test_missing_files_and_folders_are_refused(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        data_problem(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a folder"):
        data_problem(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_files_are_refused(tmp_path):
    path = write(tmp_path, "locked.csv", HOUSES)
    path.chmod(0)
    try:
        with pytest.raises(DataError, match="permission denied"):
            data_problem(path)
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"x_column": "area"}, "no column named 'area' (x_column); its columns are 0: 'size'"),
    ({"y_column": 5}, "no column 5 (y_column); it has 2 columns"),
    ({"x_column": 1}, "the same column ('price')"),
    ({"model": "tree"}, "model must be one of linear, logistic"),
    ({"model": "logistic"}, "line 2: target 300 in column 'price' is not 0 or 1"),
])
def test_bad_choices_are_refused(tmp_path, kwargs, needle):
    with pytest.raises(ConfigError) as info:
        data_problem(write(tmp_path, "houses.csv", HOUSES), **kwargs)
    assert needle in str(info.value), str(info.value)


def test_constant_inputs_cannot_be_normalised(tmp_path):
    path = write(tmp_path, "flat.csv", "x,y\n2,1\n2,3\n2,5\n")
    with pytest.raises(DataError, match="cannot normalise x: every value of column 'x'"):
        data_problem(path, normalize=True)
    problem = data_problem(path)  # unscaled, a flat x is allowed (b alone fits)
    assert problem.minima == () and problem.min_loss == pytest.approx(8 / 3)


# ------------------------------------------------------------------ arrays
def test_arrays_and_pairs_are_accepted():
    rows = np.array([[1.5, 300.0], [2.0, 400.0], [2.5, 500.0]])
    by_rows = data_problem(rows)
    by_pair = data_problem(([1.5, 2.0, 2.5], [300, 400, 500]))
    built = core.get_problem("house-prices")
    theta = np.random.default_rng(0).normal(size=(20, 2)) * 100
    for problem in (by_rows, by_pair):
        np.testing.assert_allclose(problem.loss(theta), built.loss(theta), rtol=1e-12)
        np.testing.assert_allclose(problem.grad(theta), built.grad(theta), rtol=1e-12,
                                   atol=1e-9)
    assert by_rows.minima[0] == pytest.approx((200.0, 0.0), abs=1e-9)


@pytest.mark.parametrize(("data", "needle"), [
    (np.zeros((3, 1)), "shape (n, 2)"),
    (np.zeros(4), "shape (n, 2)"),
    (([1, 2, 3], [1, 2]), "equal length"),
    ([[1, "a"], [2, 3]], "must be numbers"),
    (np.array([[1.0, 2.0]]), "one row only (row 0)"),
    (np.array([[1.0, 2.0], [np.nan, 1.0]]), "row 1: nan"),
])
def test_bad_arrays_are_refused(data, needle):
    with pytest.raises(DataError) as info:
        data_problem(data)
    assert needle in str(info.value), str(info.value)


# --------------------------------------------------------------- curvature
def test_normalising_changes_lambda_max_as_the_closed_form_says():
    rng = np.random.default_rng(3)
    x = rng.uniform(500.0, 3500.0, 200)
    y = 0.2 * x + 50.0 + rng.normal(0.0, 20.0, x.size)
    raw = data_problem((x, y))
    scaled = data_problem((x, y), normalize=True)
    closed = 2.0 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    for theta in (np.zeros(2), np.array([1.0, -3.0])):
        np.testing.assert_allclose(raw.hessian(theta), closed, rtol=1e-12)
        np.testing.assert_allclose(np.linalg.eigvalsh(scaled.hessian(theta)), [2.0, 2.0],
                                   rtol=1e-12)
    lam_raw = np.linalg.eigvalsh(raw.hessian(np.zeros(2)))[-1]
    assert lam_raw == pytest.approx(np.linalg.eigvalsh(closed)[-1], rel=1e-12)
    assert lam_raw > 1e6  # unscaled sizes in the thousands: lr must be tiny
    # the finite-difference Hessian of the hand-derived gradient agrees
    h = 1e-3
    at = np.array([0.1, 1.0])
    fd = np.stack([(raw.grad(at + h * e) - raw.grad(at - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(fd, closed, rtol=1e-8)
    # the default learning rate is 1/λmax: stable, and it says how far apart they are
    assert raw.default_lr == pytest.approx(1.0 / lam_raw, rel=0.05)
    assert scaled.default_lr == 0.5
    assert "x is standardised" in scaled.description
    assert "x is used as it is" in raw.description
    assert scaled.options["x_mean"] == pytest.approx(np.mean(x))
    assert scaled.options["x_std"] == pytest.approx(np.std(x))
    # standardised data converges with its default lr; unscaled data crawls
    quick = core.train(scaled, lr=scaled.default_lr, steps=200)
    assert quick.final_loss - scaled.min_loss < scaled.tolerance
    crawl = core.train(raw, lr=raw.default_lr, steps=200)
    assert crawl.final_loss - raw.min_loss > 1_000 * raw.tolerance


# -------------------------------------------------------------- logistic
def logistic_data(n=300, seed=4):
    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 1.5, n)
    y = (rng.uniform(size=n) < 1.0 / (1.0 + np.exp(-(1.3 * x - 2.0)))).astype(float)
    return x, y


def test_logistic_gradient_equals_central_differences():
    problem = data_problem(logistic_data(), model="logistic")
    assert isinstance(problem, LogisticRegression)
    theta = np.random.default_rng(5).uniform(-2.0, 2.0, size=(10, 2))
    np.testing.assert_allclose(problem.grad(theta), central_differences(problem, theta),
                               rtol=1e-6, atol=1e-8)
    h = 1e-5
    fd = np.stack([(problem.grad(theta + h * e) - problem.grad(theta - h * e)) / (2 * h)
                   for e in np.eye(2)], axis=-2)
    np.testing.assert_allclose(problem.hessian(theta), fd, rtol=1e-6, atol=1e-8)


def test_logistic_gradient_and_hessian_equal_torch_autograd():
    torch = pytest.importorskip("torch", reason="torch is the autograd oracle")
    from core.problems.base import Dataset
    from core.torch_backend.namespace import torch_namespace

    problem = data_problem(logistic_data(), model="logistic")
    data = Dataset(torch.tensor(problem.data.x), torch.tensor(problem.data.y))
    tx = torch_namespace()
    for theta in np.random.default_rng(6).uniform(-2.0, 2.0, size=(6, 2)):
        t = torch.tensor(theta, requires_grad=True)
        # the textbook loss, as torch writes it
        p = torch.sigmoid(t[0] * data.x[:, 0] + t[1])
        bce = torch.nn.functional.binary_cross_entropy(p, data.y)
        bce.backward()
        np.testing.assert_allclose(problem.loss(theta), bce.item(), rtol=1e-10)
        np.testing.assert_allclose(problem.grad(theta), t.grad.numpy(), rtol=1e-9, atol=1e-12)

        def f(v):
            return problem.loss_c(tx, (v[0], v[1]), data)

        auto = torch.autograd.functional.hessian(f, torch.tensor(theta)).numpy()
        np.testing.assert_allclose(problem.hessian(theta), auto, rtol=1e-9, atol=1e-12)


def test_logistic_full_data_sums_equal_the_per_example_formula():
    from core.xp import NUMPY

    x, y = logistic_data(500)
    x = np.round(x, 1)  # repeated inputs: the distinct (x, y) pairs are fewer
    problem = data_problem((x, y), model="logistic")
    assert problem.distinct_pairs < 150
    theta = np.random.default_rng(7).uniform(-3.0, 3.0, size=(4, 5, 2))
    loss, grad = problem.loss_and_grad(theta)
    ref_loss, ref_grad = problem.loss_grad_c(NUMPY, (theta[..., 0], theta[..., 1]),
                                             problem.data)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-12)
    np.testing.assert_allclose(grad, np.stack(ref_grad, -1), rtol=1e-10, atol=1e-14)
    hess = problem.hessian(theta)
    ref = problem.hessian_c(NUMPY, (theta[..., 0], theta[..., 1]), problem.data.take(
        np.arange(len(problem.data))))
    np.testing.assert_allclose(hess, np.stack([np.stack(r, -1) for r in ref], -2), rtol=1e-10)
    # stable far out: no overflow, no lost digits
    far = problem.loss(np.array([[200.0, 0.0], [-200.0, 0.0]]))
    assert np.all(np.isfinite(far)) and np.all(far > 0)


def test_logistic_minimum_and_defaults():
    problem = data_problem(logistic_data(), model="logistic", normalize=True)
    (minimum,) = problem.minima
    np.testing.assert_allclose(problem.grad(np.array(minimum)), [0.0, 0.0], atol=1e-12)
    assert problem.min_loss == pytest.approx(problem.loss(np.array(minimum)))
    # the Hessian at (0, 0) bounds it everywhere (w = σ(z)σ(−z) <= 1/4)
    lam0 = np.linalg.eigvalsh(problem.hessian(np.zeros(2)))[-1]
    assert lam0 == pytest.approx(0.25, rel=1e-12)  # standardised x: H(0) = I/4
    assert problem.default_lr == pytest.approx(4.0)
    run = core.train(problem, lr=problem.default_lr, steps=problem.default_steps)
    assert run.final_loss - problem.min_loss < problem.tolerance
    assert "P(y = 1) = sigmoid(a·x + b)" in problem.description


def test_separable_classes_have_no_finite_minimum():
    problem = data_problem(([0.0, 1.0, 2.0, 3.0], [0, 0, 1, 1]), model="logistic")
    assert problem.minima == () and problem.min_loss is None
    run = core.train(problem, lr=1.0, steps=300)
    assert run.status == "finished" and run.final_loss < 0.1


def test_presets_and_sweeps_work_on_data_problems():
    from core.analysis.presets import presets
    from core.analysis.sweep import sweep

    for problem in (data_problem(logistic_data(), model="logistic", normalize=True),
                    data_problem(([1.5, 2.0, 2.5], [300, 400, 500]), normalize=True)):
        lrs = presets(problem)
        assert lrs["too-small"] < lrs["just-right"] < lrs["too-big"]
        assert len(sweep(problem, [0.01, 0.1, 1.0], steps=50)) == 3


# -------------------------------------------------------------- big file
def test_a_million_row_file_loads_and_its_surface_never_visits_the_rows(tmp_path, monkeypatch):
    """How fast it loads is measured in benchmarks/; here, what makes it fast: the
    surface of a regression comes from sufficient statistics, not from the rows."""
    from core.analysis.surface import surface

    rng = np.random.default_rng(8)
    n = 1_000_000
    x = rng.uniform(500.0, 3500.0, n)
    y = 0.2 * x + 50.0 + rng.normal(0.0, 20.0, n)
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("size,price\n")
        np.savetxt(handle, np.column_stack([x, y]), delimiter=",", fmt="%.6f")
    problem = data_problem(path)
    assert len(problem.data) == n
    np.testing.assert_allclose(problem.data.x[:, 0], np.round(x, 6), rtol=0, atol=1e-6)

    def per_example(*args, **kwargs):
        raise AssertionError("the surface visited the rows")

    monkeypatch.setattr(type(problem), "loss_c", per_example)
    monkeypatch.setattr(type(problem), "grad_c", per_example)
    z = surface(problem, np.linspace(*problem.window[0], 256),
                np.linspace(*problem.window[1], 256))
    assert z.shape == (256, 256) and np.all(np.isfinite(z))
    monkeypatch.undo()
    # the closed form equals the direct mean over a million rows
    theta = np.array([0.19, 40.0])
    direct = np.mean((theta[0] * problem.data.x[:, 0] + theta[1] - problem.data.y) ** 2)
    assert problem.loss(theta) == pytest.approx(direct, rel=1e-9)
    corner = np.array([problem.window[0][1], problem.window[1][1]])
    direct = np.mean((corner[0] * problem.data.x[:, 0] + corner[1] - problem.data.y) ** 2)
    assert z[-1, -1] == pytest.approx(direct, rel=1e-9)


# --------------------------------------------------------------------- CLI


def test_cli_runs_a_data_file(capsys, tmp_path):
    path = write(tmp_path, "houses.csv", HOUSES)
    out = tmp_path / "t.csv"
    code, stdout, err = run_cli(capsys, "run", "--data", str(path), "--lr", "0.01", "--steps",
                                "40", "--out", str(out))
    assert code == 0, err
    table = StepTable.read_csv(out)
    ref = core.train("house-prices", lr=0.01, steps=40)
    np.testing.assert_allclose(table["loss"], ref.table["loss"], rtol=1e-12)
    code, stdout, err = run_cli(capsys, "run", "--data", str(path), "--normalize", "--lr", "0.5",
                                "--steps", "5")
    assert code == 0, err
    assert stdout.splitlines()[0].startswith("step,epoch,lr,a,b,loss")


def test_cli_runs_logistic_regression(capsys, tmp_path):
    x, y = logistic_data(50)
    path = tmp_path / "labels.tsv"
    rows = "".join(f"{a}\t{int(b)}\n" for a, b in zip(x, y, strict=True))
    path.write_text("hours\tpassed\n" + rows)
    code, stdout, err = run_cli(capsys, "run", "--data", str(path), "--model", "logistic",
                                "--normalize", "--steps", "30", "--lr", "2")
    assert code == 0, err
    rows = stdout.splitlines()
    assert len(rows) == 32
    losses = [float(r.split(",")[5]) for r in rows[1:]]
    assert losses[-1] < losses[0]


@pytest.mark.parametrize(("content", "extra", "needle"), [
    ("x,y\n1,2\n3,abc\n", [], "line 3: 'abc' in column 1 ('y') is not a number"),
    ("x,y\n1,2\n3,4,5\n", [], "line 3: 3 cells"),
    ("", [], "is empty"),
    ("x,y\n1,2\n3,5\n", ["--model", "logistic"], "is not 0 or 1"),
    ("x,y\n1,2\n1,5\n", ["--normalize"], "cannot normalise"),
    ("x,y\n1,2\n3,5\n", ["--x-column", "z"], "no column named 'z'"),
    ("x,y\n1,2\n3,5\n", ["--problem", "rosenbrock"], "only one of"),
])
def test_cli_refuses_bad_data_in_one_line(capsys, tmp_path, content, extra, needle):
    path = write(tmp_path, "d.csv", content)
    out = tmp_path / "t.csv"
    code, _, err = run_cli(capsys, "run", "--data", str(path), *extra, "--out", str(out))
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and needle in err, err
    assert not out.exists()


def test_cli_refuses_a_missing_file(capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", "--data", str(tmp_path / "gone.csv"))
    assert code == 2 and "does not exist" in err and err.count("\n") == 1


@pytest.mark.parametrize(("text", "names"), [
    ("size,price\n1,2\n3,4\n", ["size", "price"]),
    ("# a comment\n\n1;2;3\n4;5;6\n", ["column 0", "column 1", "column 2"]),
    ("x\t\ty\n1\t2\t3\n4\t5\t6\n", ["x", "column 1", "y"]),
])
def test_column_names_are_the_ones_read_table_uses(tmp_path, text, names):
    from core.io.datatable import column_names

    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    assert column_names(path) == names
    table = read_table(path)  # the first and the last column
    assert (table.x_name, table.y_name) == (names[0], names[-1])


def test_column_names_of_an_empty_file_are_none(tmp_path):
    from core.io.datatable import column_names

    path = tmp_path / "d.csv"
    path.write_text("", encoding="utf-8")
    assert column_names(path) == []
