"""Nothing escapes: overflow is a divergence, files are read safely, outputs leave nothing behind.

- numbers that overflow end a run as ``diverged`` (a result: the command line
  prints it and exits 0), never as an OverflowError; presets and sweeps say
  which learning rates diverged;
- only regular files are read (folders, devices, pipes and sockets are refused
  by their kind, a pipe without ever blocking), never past the byte limit
  whatever size the file claims, and a data file is held about once in memory;
- an interrupted or failed write leaves no temporary file; a closed or full
  standard output ends with one line (or, for a pipe closed by its reader,
  quietly with status 141); nothing but the ``error:`` line reaches stderr;
- each limit is the same in the help and in the check, and a request past it
  is refused with the limit in the message.

Processes that may hang on a regression (a pipe, a signal) run in a
subprocess with a generous timeout: a guard against hanging, never a
measure of speed.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from cli_run import run_cli

import core
import core.io.csvstream
import core.session
from core import limits
from core.errors import ConfigError
from core.io.datatable import DataError
from core.xp import NUMPY

ROOT = Path(__file__).resolve().parents[2]
HANG_GUARD_S = 120  # a subprocess that has not ended by then has hung: fail, do not wait
POSIX = os.name == "posix"


def cli(*args: str, cwd: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    """``python -m core.cli *args`` as a program, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "core.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=HANG_GUARD_S,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, **kw)


# ------------------------------------------------------------------ overflow
def test_a_learning_rate_that_overflows_is_a_divergence_not_a_crash():
    run = core.train("rosenbrock", lr=1e300, steps=5)
    assert (run.status, run.diverged_at) == ("diverged", 1)
    assert not np.isfinite(run.final_loss)


def test_a_start_whose_loss_overflows_diverges_at_step_0():
    run = core.train("rosenbrock", start=(1e155, 1), steps=5)
    assert (run.status, run.diverged_at) == ("diverged", 0)
    assert len(run.table) == 1  # the diverged row is kept


@pytest.mark.parametrize("optimizer, hyper", [
    ("sgd", {}), ("sgd", {"momentum": 0.9, "nesterov": True}), ("adam", {"amsgrad": True}),
    ("adamw", {}), ("rmsprop", {"centered": True, "momentum": 0.5}), ("adagrad", {}),
    ("adam", {"eps": 0.0}),
])
@pytest.mark.parametrize("name", core.list_problems())
def test_every_problem_and_optimizer_end_a_run_on_huge_numbers(name, optimizer, hyper):
    problem = core.get_problem(name)
    n = problem.n_params
    batches = ["full"] if problem.n_samples == 0 else ["full", "sample", 2]
    for lr, start in [(1e300, None), (1e150, None), (0.1, (1e155,) * n), (1e10, (-1e300,) * n)]:
        for batch in batches:
            run = core.train(problem, optimizer=optimizer, lr=lr, start=start, steps=4,
                             batch=batch, **hyper)
            assert run.status in ("diverged", "finished", "converged"), (lr, start, batch)


@pytest.mark.parametrize("name", core.list_problems())
def test_every_loss_and_gradient_on_floats_overflows_to_inf_never_raises(name):
    """The single-run path computes on Python floats, where ** raises OverflowError."""
    problem = core.get_problem(name)
    for v in (1e155, 1e200, 1e300, -1e300):
        p = (v,) * problem.n_params
        with np.errstate(all="ignore"):
            loss, grad = problem.full_loss_grad_c(p)
            if problem.data is not None:
                problem.loss_grad_c(NUMPY, p, problem.data.take(np.arange(1)))
        assert len(grad) == problem.n_params and np.ndim(loss) == 0


def test_a_diverged_run_is_a_result_on_the_command_line(tmp_path):
    for flags, at in ((["--lr", "1e300"], 1), (["--start", "1e155,1"], 0)):
        done = cli("run", "--problem", "rosenbrock", "--steps", "5", *flags, cwd=tmp_path)
        # the table is on stdout, so the one line saying why goes to stderr
        assert done.returncode == 0, done.stderr
        assert done.stderr.startswith(f"Diverged at step {at}") and \
            done.stderr.count("\n") == 1, done.stderr
        rows = done.stdout.splitlines()
        assert rows[0].startswith("step,") and len(rows) == at + 2
    done = cli("run", "--problem", "rosenbrock", "--lr", "1e300", "--steps", "5", "--out",
               "t.csv", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert "diverged at step 1" in done.stdout


def test_a_diverging_session_runs_and_says_so(tmp_path):
    cfg = core.RunConfig(problem="rosenbrock", lr=1e300, steps=5)
    path = tmp_path / "s.json"
    core.session.session_for("rosenbrock", cfg).save(path)
    session = core.load_session(path)
    run = core.make_trainer(session.build_problem(), session.config).run()
    assert (run.status, run.diverged_at) == ("diverged", 1)


def test_presets_refuse_a_start_where_every_rate_diverges_with_a_message(capsys):
    with pytest.raises(ConfigError, match=r"from the start \(1e\+160, 1\).*every learning "
                                          r"rate diverges at step 0"):
        core.presets("rosenbrock", start=(1e160, 1))
    code, _out, err = run_cli(capsys, "presets", "--problem", "rosenbrock", "--start",
                              "1e160,1")
    assert code == 2 and err.startswith("error: no presets for 'rosenbrock'")
    assert err.count("\n") == 1 and "internal error" not in err


def test_presets_say_which_rates_diverged_when_none_survives():
    with pytest.raises(ConfigError, match=r"every learning rate diverged, all [\d,]+ from "
                                          r"1e-300 to 1e\+04"):
        core.presets("quadratic", momentum=1e308)


def test_a_sweep_lists_the_rates_that_diverged(capsys, tmp_path):
    result = core.sweep("rosenbrock", [1e-4, 1e72, 1e300], steps=10)
    assert result.status.tolist() == ["slow", "diverged", "diverged"]
    out = tmp_path / "s.csv"
    code, stdout, err = run_cli(capsys, "sweep", "--problem", "rosenbrock", "--lr-min", "1e-4",
                                "--lr-max", "1e300", "--count", "5", "--steps", "10", "--out",
                                str(out))
    assert (code, err) == (0, "")
    assert "4 diverged" in stdout and "diverged: lr 1e+72 to 1e+300" in stdout
    assert out.read_text().count(",diverged\n") == 4


# ------------------------------------------------------------------ files
@pytest.fixture
def special_files(tmp_path: Path) -> Iterator[dict[str, Path]]:
    """A folder, a device, a link to a device and a socket (no pipe: it is tested apart)."""
    found = {"folder": tmp_path}
    if Path("/dev/zero").exists():
        found["device"] = Path("/dev/zero")
        link = tmp_path / "zero.csv"
        link.symlink_to("/dev/zero")
        found["link to a device"] = link
    if not POSIX or len(str(tmp_path / "s.csv")) >= 100:  # a socket's name is short
        yield found
        return
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "s.csv"))
        found["socket"] = tmp_path / "s.csv"
        yield found


KIND_WORDS = {"folder": "a folder", "device": "a device", "link to a device": "a device",
              "socket": "a socket"}


def test_data_and_session_files_must_be_regular_files(special_files):
    for kind, path in special_files.items():
        for read in (core.read_table, core.data_problem, core.column_names, core.load_session):
            with pytest.raises(ConfigError) as info:
                read(path)
            message = str(info.value)
            assert f"is {KIND_WORDS[kind]}" in message and str(path) in message, (kind, message)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "f.csv"
    os.mkfifo(fifo)
    # nobody ever writes to it: reading it would block for ever
    for args in (["run", "--data", str(fifo)], ["presets", "--data", str(fifo)]):
        done = cli(*args, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert done.stderr == f"error: data file {str(fifo)!r} is a pipe (FIFO), not a file; " \
                              "give a regular file\n"
    session = tmp_path / "s.json"
    os.mkfifo(session)
    probe = (f"import core\ntry:\n    core.load_session({str(session)!r})\n"
             "except core.ConfigError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=HANG_GUARD_S, cwd=ROOT)
    assert "is a pipe (FIFO), not a file" in done.stdout, done.stderr


def test_the_read_limit_counts_the_bytes_not_the_claimed_size(tmp_path, monkeypatch):
    path = tmp_path / "d.csv"
    path.write_text("x,y\n" + "1.5,2.5\n" * 1000)
    monkeypatch.setattr(core.io.csvstream, "MAX_DATA_BYTES", 2000)
    with pytest.raises(DataError, match=r"is more than 2,000 bytes; at most 2,000 bytes"):
        core.read_table(path)
    # a session file whose size says 0 (as a device's or /proc's does) is still cut off
    session = tmp_path / "s.json"
    session.write_text(" " * 5000 + "{}")
    real_fstat = os.fstat

    def claims_nothing(fd: int) -> os.stat_result:
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, *st[1:6], 0, *st[7:]))

    monkeypatch.setattr(core.session, "MAX_SESSION_BYTES", 1000)
    monkeypatch.setattr(os, "fstat", claims_nothing)
    with pytest.raises(ConfigError, match="is more than 1,000 bytes"):
        core.load_session(session)


def test_a_data_file_is_held_about_once_in_memory(tmp_path):
    """tracemalloc's peak while loading, as a multiple of the file's size: counted
    allocations, so the same on every run (the benchmark measures a 300 MB file)."""
    rng = np.random.default_rng(1)
    x = rng.uniform(-5.0, 5.0, 200_000)
    y = 3.0 * x + rng.normal(0.0, 1.0, x.size)
    path = tmp_path / "big.csv"
    pairs = zip(x.tolist(), y.tolist(), strict=True)
    path.write_text("x,y\n" + "".join(f"{a!r},{b!r}\n" for a, b in pairs))
    size = path.stat().st_size
    tracemalloc.start()
    try:
        table = core.read_table(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert table.x.size == 200_000 and table.x.tolist() == x.tolist()
    assert peak <= 2.0 * size, peak / size
    assert table.x.base is None or table.x.base.size == table.x.size  # trimmed, one copy


def test_a_line_past_the_limit_is_refused_with_its_number(tmp_path, monkeypatch):
    """A line is read whole before it is parsed: one without an end is cut off."""
    monkeypatch.setattr(core.io.csvstream, "MAX_DATA_LINE", 100)
    monkeypatch.setattr(core.io.csvstream, "BLOCK_BYTES", 64)
    path = tmp_path / "long.csv"
    path.write_text("x,y\n1,2\n" + "3" * 5000 + ",4\n")
    with pytest.raises(DataError, match="line 3: the line is longer than"):
        core.read_table(path)


def test_errors_name_the_right_line_across_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(core.io.csvstream, "BLOCK_BYTES", 64)
    lines = ["x,y"] + [f"{i},{2 * i}" if i % 7 else "# note" for i in range(1, 400)]
    lines[300] = "5,oops"
    path = tmp_path / "d.csv"
    path.write_text("\r\n".join(lines) + "\r\n")  # CRLF split across blocks as well
    with pytest.raises(DataError, match=r"line 301: 'oops' in column 1"):
        core.read_table(path)
    lines[300] = "5,nan"
    path.write_text("\n".join(lines))
    with pytest.raises(DataError, match=r"line 301: nan in column 'y'"):
        core.read_table(path)
    lines[300] = "5,10"
    path.write_text("\n".join(lines))
    table = core.read_table(path)
    # rows 0-5 are lines 2-7, line 8 is a comment: row 6 is on line 9
    assert table.x.size == 399 - 399 // 7 and table.where(6) == "line 9"


def test_huge_values_normalise_without_warnings_and_otherwise_say_why(tmp_path, capsys):
    path = tmp_path / "huge.csv"
    path.write_text("x,y\n1e300,1\n-1e300,2\n1e300,3\n-1e300,4\n")
    problem = core.data_problem(path, normalize=True)  # filterwarnings=error: none allowed
    assert problem.options["x_mean"] == 0.0 and problem.options["x_std"] == 1e300
    assert np.isfinite(problem.loss(np.zeros(2)))
    with pytest.raises(DataError, match=r"line 2: 1e\+300 in column 'x' is too large for "
                                        r"regression.*normalise x"):
        core.data_problem(path)
    code, _out, err = run_cli(capsys, "run", "--data", str(path), "--normalize", "--steps", "3")
    assert (code, err) == (0, "")
    flat = tmp_path / "flat.csv"
    flat.write_text("x,y\n1e300,1\n1e300,2\n")
    with pytest.raises(DataError, match="standard deviation is 0"):
        core.data_problem(flat, normalize=True)


# ------------------------------------------------------------------ outputs
@pytest.mark.parametrize("ending", [RuntimeError("boom"), KeyboardInterrupt(), SystemExit(143)])
def test_the_atomic_writer_removes_its_temporary_file_on_any_ending(tmp_path, ending):
    target = tmp_path / "t.csv"
    with pytest.raises(type(ending)), core.atomic_open(target, "w") as handle:
        handle.write("partial")
        raise ending
    assert list(tmp_path.iterdir()) == []


def _signals_as_a_terminal_sends_them() -> None:
    # a suite started in the background (`cmd &` in a script) runs with SIGINT ignored,
    # and a child keeps that: the command would then rightly go on through Ctrl+C, as it
    # does under nohup. The command started from a terminal gets the default
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)


@pytest.mark.skipif(not POSIX, reason="signals")
@pytest.mark.parametrize("signum, status, line", [
    (signal.SIGTERM, 143, "error: terminated\n"),
    (signal.SIGINT, 130, "error: interrupted\n"),
])
def test_a_signal_during_a_long_write_leaves_no_temporary_file(tmp_path, signum, status, line):
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "run", "--problem", "rosenbrock", "--lr", "1e-5",
         "--steps", "1000000", "--out", "x.csv"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=_signals_as_a_terminal_sends_them)
    try:
        deadline = time.monotonic() + HANG_GUARD_S
        while not any(".part" in p.name for p in tmp_path.iterdir()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no temporary file appeared"
            time.sleep(0.02)
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=HANG_GUARD_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert (proc.returncode, err) == (status, line), out[-500:]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_standard_output_is_one_line_and_exit_2(tmp_path):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "core.cli", "problems"], stdout=full,
                              stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                              timeout=HANG_GUARD_S, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2
    assert done.stderr == "error: cannot write the output: No space left on device\n"


@pytest.mark.skipif(not POSIX, reason="pipes")
def test_a_pipe_closed_by_its_reader_ends_quietly_with_141(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "run", "--problem", "rosenbrock", "--lr", "1e-5",
         "--steps", "300000"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None and proc.stdout.readline().startswith(b"step,")
    proc.stdout.close()  # as `| head -1` does
    _, err = proc.communicate(timeout=HANG_GUARD_S)
    assert (proc.returncode, err) == (141, b"")


@pytest.mark.skipif(not POSIX, reason="shell redirection")
def test_a_closed_standard_output_is_one_line_and_exit_2(tmp_path):
    done = subprocess.run(f"exec {sys.executable} -m core.cli problems >&-", shell=True,
                          capture_output=True, text=True, cwd=tmp_path, timeout=HANG_GUARD_S,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2
    assert done.stderr == "error: standard output is closed; the command has nowhere to " \
                          "write its result\n"


def test_nothing_but_the_result_while_numbers_overflow(tmp_path):
    data = tmp_path / "huge.csv"
    data.write_text("x,y\n1e300,1\n-1e300,2\n1e300,3\n")
    for args in (["sweep", "--problem", "rosenbrock", "--lr-min", "1e-4", "--lr-max", "1e300",
                  "--count", "20", "--steps", "50"],
                 ["run", "--problem", "rastrigin", "--lr", "1e300", "--steps", "5"],
                 ["run", "--data", str(data), "--normalize", "--lr", "1e300", "--steps", "5"]):
        done = cli(*args, cwd=tmp_path)
        assert done.returncode == 0, (args, done.stderr)
        # no warning: at most the one line that says why a run (table on stdout) diverged
        lines = done.stderr.splitlines()
        assert lines == [] or (len(lines) == 1 and lines[0].startswith("Diverged at step")), \
            (args, done.stderr)


def test_an_os_error_on_a_file_names_the_file(capsys, tmp_path, monkeypatch):
    def full(*_a: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    out = tmp_path / "t.csv"
    code, _out, err = run_cli(capsys, "run", "--problem", "quadratic", "--out", str(out))
    assert code == 2 and err == f"error: cannot write {str(out)!r}: No space left on device\n"
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ limits
def test_the_help_states_the_limits_the_checks_hold(capsys):
    for command, numbers in (("run", [limits.MAX_STEPS]),
                             ("sweep", [limits.MAX_STEPS, limits.MAX_SWEEP_COUNT,
                                        limits.MAX_SWEEP_WORK])):
        with pytest.raises(SystemExit):
            core.cli.main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        for n in numbers:
            assert f"{n:,}" in text, (command, n)


@pytest.mark.parametrize("args, limit", [
    (["run", "--problem", "quadratic", "--steps", "10000001"], "10,000,000"),
    (["sweep", "--problem", "quadratic", "--lr-min", "0.1", "--lr-max", "1", "--count",
      "100001", "--steps", "10"], "100,000"),
    (["sweep", "--problem", "quadratic", "--lr-min", "0.1", "--lr-max", "1", "--count",
      "100000", "--steps", "10001"], "1,000,000,000"),
    (["sweep", "--problem", "quadratic", "--lr-min", "0.1", "--lr-max", "1", "--count", "10",
      "--steps", "10000001"], "10,000,000"),
    (["run", "--formula", "a" * 2001], "2,000"),
])
def test_a_request_past_a_limit_is_refused_with_the_limit(capsys, args, limit):
    code, _out, err = run_cli(capsys, *args)
    assert code == 2 and err.startswith("error: ") and limit in err, err


def test_the_api_holds_the_same_limits():
    with pytest.raises(ConfigError, match="10,000,000"):
        core.train("quadratic", steps=limits.MAX_STEPS + 1)
    with pytest.raises(ConfigError, match=r"1,000,000,000 steps in all"):
        core.sweep("quadratic", np.full(1001, 0.1), steps=1_000_000)
    with pytest.raises(ConfigError, match=r"at most 16,777,216 points \(4096 × 4096\)"):
        core.surface("quadratic", np.zeros(4097), np.zeros(4096))
    with pytest.raises(ConfigError, match="at most 2,000"):
        core.formula_problem("a" * 2001)
    assert core.surface("quadratic", np.zeros(4096), np.zeros(4096)).shape == (4096, 4096)


def test_a_session_file_past_the_limits_is_refused(tmp_path):
    path = tmp_path / "big.json"
    path.write_text(" " * (limits.MAX_SESSION_BYTES + 1))
    with pytest.raises(ConfigError, match="at most 5 MiB"):
        core.load_session(path)
    assert not stat.S_ISFIFO(path.stat().st_mode)
    doc = json.dumps({"format": "lr-playground-session", "version": 1,
                      "pinned": [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]})
    with pytest.raises(ConfigError, match="nested 18 levels deep"):
        core.session.parse_session(doc)


def test_a_step_table_is_read_back_only_from_a_regular_file_of_numbers(tmp_path):
    from core.run.table import StepTable

    with pytest.raises(ConfigError, match="is a folder"):
        StepTable.read_csv(tmp_path)
    bad = tmp_path / "t.csv"
    for text, words in (("", "is empty"), ("step,loss\n0,1\n1,x\n", "row 3: expected 2 numbers"),
                        ("step,loss\n0\n", "row 2")):
        bad.write_text(text)
        with pytest.raises(ConfigError, match=words):
            StepTable.read_csv(bad)
