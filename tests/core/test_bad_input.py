"""Nothing escapes: every entry point tried with a table of bad values of every kind.

Each public function's arguments, each command's flags and each session
field get values of every kind a careless or hostile user may give: a wrong
type, nan, ±inf, a number too large for float64, a negative number, an empty
value, a value far too long. Every try ends in one of two ways:

- refused: a `ConfigError` (the API; exit status 2 and one ``error:`` line
  on the command line) whose message is one short line naming what was wrong;
- accepted, where the value is in fact allowed (``lr=1e308`` is a learning
  rate; the run diverges, which is a result).

Never an internal error, a traceback, a warning or another exception type.
Each entry also lists the kinds it may accept, so a check that quietly
starts accepting garbage fails here too. `tries` counts them all.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import core
from core.cli import main as cli_main
from core.errors import ConfigError
from core.session import parse_session

MAX_MESSAGE = 500  # characters of one refusal: a sentence, never a dump of the value

VALUES: dict[str, Any] = {
    "None": None,
    "True": True,
    "object": object(),
    "text": "x",
    "empty text": "",
    "long text": "1" * 100_000,
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "huge int": 10**400,
    "huge float": 1e308,
    "negative": -1,
    "empty list": [],
    "long list": [1.0] * 1_000_001,
    "nested list": [[1.0, 2.0]],
    "dict": {"a": 1},
    "bytes": b"1",
    "complex": 1j,
    "2-D array": np.zeros((2, 2)),
}
ALL = frozenset(VALUES)

ROWS = [[1.0, 2.0], [2.0, 3.5], [3.0, 5.5]]


def _train(**kw: Any) -> Callable[[Any], Any]:
    """core.train with the first keyword of ``kw`` set to the value tried."""
    problem = kw.pop("problem", "quadratic")
    key = next(iter(kw))
    return lambda v: core.train(problem, steps=2, **{**kw, key: v})


def _sweep(key: str, problem: str = "quadratic", **extra: Any) -> Callable[[Any], Any]:
    def call(v: Any) -> Any:
        args = {"lrs": [0.1], "steps": 2, **extra, key: v}
        return core.sweep(problem, args.pop("lrs"), **args)
    return call


def _surface(key: str) -> Callable[[Any], Any]:
    def call(v: Any) -> Any:
        args = {"xs": [1.0, 2.0], "ys": [1.0, 2.0], key: v}
        return core.surface("quadratic", args.pop("xs"), args.pop("ys"), **args)
    return call


# (entry, call, what the message names (any of), kinds it may accept)
API: list[tuple[str, Callable[[Any], Any], tuple[str, ...], frozenset[str]]] = [
    ("train(problem)", lambda v: core.train(v, steps=2), ("problem",), frozenset()),
    ("train(optimizer)", _train(optimizer=None), ("optimizer",), frozenset()),
    ("train(lr)", _train(lr=None), ("lr",), frozenset({"huge float"})),
    ("train(steps)", lambda v: core.train("quadratic", steps=v), ("steps",), frozenset()),
    ("train(start)", _train(start=None), ("start",), frozenset({"None"})),
    ("train(batch)", _train(problem="house-prices", batch=None), ("batch",),
     frozenset({"huge int", "huge float"})),  # more than the data: one batch of all of it
    ("train(seed)", _train(problem="house-prices", seed=None, batch=2), ("seed",),
     frozenset({"huge int", "huge float"})),
    ("train(backend)", _train(backend=None), ("backend",), frozenset()),
    ("train(device)", _train(device=None), ("device",), frozenset()),
    ("train(dtype)", _train(dtype=None), ("dtype",), frozenset()),
    ("train(schedule)", _train(schedule=None), ("schedule",), frozenset({"None"})),
    ("train(tol)", _train(tol=None), ("tol",), frozenset({"None", "huge float"})),
    ("train(options)", _train(options=None), ("option",), frozenset({"None"})),
    ("train(momentum)", _train(momentum=None), ("momentum",), frozenset({"huge float"})),
    ("train(betas)", _train(betas=None, optimizer="adam"), ("betas",), frozenset()),
    ("train(eps)", _train(eps=None, optimizer="adam"), ("eps",), frozenset({"huge float"})),
    ("train(nesterov)", _train(nesterov=None), ("nesterov",), frozenset()),
    ("sweep(problem)", lambda v: core.sweep(v, [0.1], steps=2), ("problem",), frozenset()),
    ("sweep(lrs)", _sweep("lrs"), ("lr", "learning rate"), frozenset({"huge float"})),
    ("sweep(steps)", _sweep("steps"), ("steps",), frozenset()),
    ("sweep(optimizer)", _sweep("optimizer"), ("optimizer",), frozenset()),
    ("sweep(start)", _sweep("start"), ("start",), frozenset({"None"})),
    ("sweep(batch)", _sweep("batch", "house-prices"), ("batch",),
     frozenset({"huge int", "huge float"})),
    ("sweep(seed)", _sweep("seed", "house-prices", batch=2), ("seed",),
     frozenset({"huge int", "huge float"})),
    ("sweep(tol)", _sweep("tol"), ("tol",), frozenset({"None", "huge float"})),
    ("sweep(keep_history)", _sweep("keep_history"), ("keep_history",), frozenset({"True"})),
    ("sweep(momentum)", _sweep("momentum"), ("momentum",), frozenset({"huge float"})),
    ("presets(problem)", lambda v: core.presets(v), ("problem",), frozenset()),
    ("presets(optimizer)", lambda v: core.presets("quadratic", v), ("optimizer",), frozenset()),
    ("presets(start)", lambda v: core.presets("quadratic", start=v), ("start",),
     frozenset({"None"})),
    ("surface(problem)", lambda v: core.surface(v, [1, 2], [1, 2]), ("problem",), frozenset()),
    ("surface(xs)", _surface("xs"), ("xs",), frozenset({"long list"})),
    ("surface(ys)", _surface("ys"), ("ys",), frozenset({"long list"})),
    ("surface(through)", _surface("through"), ("through",), frozenset({"None"})),
    ("surface(axes)", _surface("axes"), ("axes",), frozenset()),
    ("get_problem(name)", lambda v: core.get_problem(v), ("problem",), frozenset()),
    ("get_problem(condition)", lambda v: core.get_problem("quadratic", condition=v),
     ("condition",), frozenset()),
    ("formula_problem(text)", lambda v: core.formula_problem(v), ("formula",),
     frozenset({"text"})),  # "x" is a formula: the loss x in one parameter
    ("formula_problem(params)", lambda v: core.formula_problem("a*a + b*b", v),
     ("param", "name"), frozenset({"None"})),
    ("formula_problem(start)", lambda v: core.formula_problem("a*a + b*b", start=v),
     ("start",), frozenset({"None"})),
    ("data_problem(data)", lambda v: core.data_problem(v), ("data",),
     frozenset({"2-D array"})),  # two rows of zeros: a flat line, fitted by b alone
    ("data_problem(model)", lambda v: core.data_problem(ROWS, model=v), ("model",),
     frozenset()),
    ("data_problem(normalize)", lambda v: core.data_problem(ROWS, normalize=v),
     ("normalize",), frozenset({"True"})),
    ("data_problem(x_column)", lambda v: core.data_problem(ROWS, x_column=v),
     ("x_column", "column"), frozenset({"None"})),
    ("make_trainer(problem)", lambda v: core.make_trainer(v, steps=2), ("problem",),
     frozenset()),
    ("make_trainer(cfg)", lambda v: core.make_trainer("quadratic", v), ("cfg", "RunConfig"),
     frozenset({"None"})),
    ("load_session(path)", lambda v: core.load_session(v), ("session",), frozenset()),
]

# kinds no entry above may ever accept: not a finite number, a name or a list (an
# integer of 400 digits is a whole number: a seed, or a batch of all the data)
NEVER = frozenset({"object", "nan", "inf", "-inf", "bytes", "complex"})


def _check_message(text: str, names: tuple[str, ...], where: str) -> None:
    assert "\n" not in text, (where, text)
    assert len(text) <= MAX_MESSAGE, (where, len(text), text[:200])
    assert "Traceback" not in text and "internal error" not in text, (where, text)
    assert any(name.lower() in text.lower() for name in names), (where, names, text)


@pytest.mark.parametrize(("entry", "call", "names", "accepts"), API,
                         ids=[entry for entry, *_ in API])
def test_every_api_argument_refuses_every_kind_of_bad_value(entry, call, names, accepts):
    assert not accepts & NEVER, entry
    for kind, value in VALUES.items():
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a warning is an escape too
            try:
                call(value)
            except ConfigError as exc:
                _check_message(str(exc), names, f"{entry} with {kind}")
                continue
        assert kind in accepts, f"{entry} accepted {kind}: {VALUES[kind]!r:.60}"


# ------------------------------------------------------------------ the command line
NUMBER = ["nan", "inf", "-inf", "1e309", "9" * 400, "x", "", "1" * 5000, "1,2", "true", "[1]"]
WHOLE = [*NUMBER, "-1", "2.5", "1e300"]
POINT = ["nan,1", "inf,1", "1e309,1", "x,1", "", "1,2,3,4,5", "true", "[1,2]", "1" * 5000]
NAME = ["x", "", "1" * 5000, "nan", "../../etc/passwd", "__import__('os')"]
FORMULA = ["__import__('os').system('id')", "a.__class__", "(lambda: 1)()", "9**9**9",
           "'{0.__class__}'.format(a)", "a" * 3000, "(" * 100 + "a" + ")" * 100, "", "a;b",
           "open('x')"]
PATH = ["x", "", "1" * 5000, "/dev/zero", "/", "/no/such/folder/f.csv"]

# (command, flag, values that must all be refused, what the message names)
CLI: list[tuple[str, str, list[str], tuple[str, ...]]] = [
    *(("run", f, NUMBER, (f.strip("-"),))
      for f in ("--lr", "--momentum", "--dampening", "--weight-decay", "--eps", "--alpha",
                "--lr-decay", "--initial-accumulator-value")),
    ("run", "--steps", WHOLE, ("steps",)),
    ("run", "--seed", [v for v in [*NUMBER, "-1", "2.5"] if v != "9" * 400], ("seed",)),
    ("run", "--batch", [*NAME, "0", "-1", "2.5"], ("batch",)),
    ("run", "--start", POINT, ("start",)),
    ("run", "--betas", [*POINT, "0.9,1.5", "1"], ("betas",)),
    ("run", "--problem", NAME, ("problem",)),
    ("run", "--optimizer", NAME, ("optimizer",)),
    ("run", "--backend", NAME, ("backend",)),
    ("run", "--device", NAME, ("device",)),
    ("run", "--dtype", NAME, ("dtype",)),
    ("run", "--option", ["x", "=1", "condition=x", "condition=nan", "condition=1e400",
                         "nope=1", "1" * 5000], ("option", "condition")),
    ("run", "--formula", FORMULA, ("",)),  # the formula's own messages: never run as code
    ("run", "--data", PATH, ("data",)),
    ("run", "--out", PATH, ("write", "format", "folder")),
    ("presets", "--problem", NAME, ("problem",)),
    ("presets", "--start", POINT, ("start",)),
    ("presets", "--optimizer", NAME, ("optimizer",)),
    ("presets", "--momentum", NUMBER, ("momentum",)),
    ("sweep", "--lr-min", [*NUMBER, "0", "-1"], ("lr-min",)),
    ("sweep", "--lr-max", [*NUMBER, "0.001"], ("lr-max",)),
    ("sweep", "--count", [*WHOLE, "1", "100001"], ("count",)),
    ("sweep", "--steps", [*WHOLE, "0", "10000001"], ("steps",)),
    ("sweep", "--tol", [*NUMBER, "-1"], ("tol",)),
    ("sweep", "--start", POINT, ("start",)),
    ("sweep", "--out", [*PATH, "x.png"], ("write", "format", "folder")),
]
BASE = {
    "run": ["run", "--problem", "quadratic", "--steps", "3", "--out", "t.csv"],
    "presets": ["presets", "--problem", "quadratic"],
    "sweep": ["sweep", "--problem", "quadratic", "--lr-min", "0.01", "--lr-max", "0.1",
              "--count", "3", "--steps", "3", "--out", "s.csv"],
}


def argv_with(base: list[str], flag: str, value: str) -> list[str]:
    """``base`` with ``flag`` set to ``value`` (replacing it, or --problem for its kin)."""
    argv = list(base)
    if flag in argv:
        argv[argv.index(flag) + 1] = value
        return argv
    if flag in ("--formula", "--data"):
        i = argv.index("--problem")
        argv[i : i + 2] = [flag, value]
        return argv
    return [*argv, flag, value]


def run_argv(capsys: Any, argv: list[str]) -> tuple[int, str]:
    try:
        code = cli_main(argv)
    except SystemExit as stop:  # argparse's own usage errors: exit 2, one line
        code = stop.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("command", "flag", "values", "names"), CLI,
                         ids=[f"{c} {f}" for c, f, *_ in CLI])
def test_every_flag_refuses_every_kind_of_bad_value(capsys, tmp_path, monkeypatch, command,
                                                    flag, values, names):
    monkeypatch.chdir(tmp_path)
    for value in values:
        code, err = run_argv(capsys, argv_with(BASE[command], flag, value))
        where = f"{command} {flag} {value[:30]!r}"
        assert code == 2, (where, code, err)
        assert err.startswith("error: ") and err.count("\n") == 1, (where, err)
        _check_message(err[len("error: "):].rstrip("\n"), names, where)
        assert sorted(p.name for p in tmp_path.iterdir()) == [], where  # nothing left behind


def test_problems_takes_no_arguments(capsys):
    code, err = run_argv(capsys, ["problems", "--lr", "1"])
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1


# ------------------------------------------------------------------ session files
def good_session() -> dict[str, Any]:
    cfg = core.RunConfig(problem="quadratic", optimizer="adam", lr=0.05, steps=20,
                         start=(1.0, -1.0), hyper={"betas": (0.8, 0.9)},
                         schedule={"name": "step", "step_size": 5, "gamma": 0.5},
                         options={"condition": 4.0})
    ref = core.ProblemRef(name="quadratic", options={"condition": 4.0})
    pinned = (core.session.PinnedRun("slow", 0.01), core.session.PinnedRun("fast", 0.2, "sgd"))
    return json.loads(core.session.session_for(ref, cfg, pinned).to_json())


SESSION_VALUES: dict[str, str] = {  # raw JSON text put in a field's place
    **{k: json.dumps(v) for k, v in VALUES.items()
       if k not in ("object", "nan", "inf", "-inf", "huge int", "bytes", "complex",
                    "2-D array", "long list")},
    "NaN": "NaN", "Infinity": "-Infinity", "1e999": "1e999", "4,000 digits": "9" * 4000,
    "deep": "[" * 100_000 + "]" * 100_000, "long list": json.dumps([0.5] * 2_000),
}


def _fields(doc: Any, path: tuple = ()) -> list[tuple]:
    found = []
    items = doc.items() if isinstance(doc, dict) else enumerate(doc)
    for key, value in items:
        found.append((*path, key))
        if isinstance(value, dict | list):
            found += _fields(value, (*path, key))
    return found


def _field_names(path: tuple) -> tuple[str, ...]:
    """How a message may name the field: by its own name or by an enclosing one
    (``problem`` for problem.name, ``pinned`` for pinned[1].lr)."""
    return tuple(p for p in path if isinstance(p, str))


def test_every_session_field_refuses_every_kind_of_bad_value():
    good = good_session()
    for path in _fields(good):
        for kind, raw in SESSION_VALUES.items():
            doc = json.loads(json.dumps(good))
            holder = doc
            for key in path[:-1]:
                holder = holder[key]
            holder[path[-1]] = "@@BAD@@"
            text = json.dumps(doc).replace('"@@BAD@@"', raw)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                try:
                    parse_session(text, "s.json")
                except ConfigError as exc:
                    message = str(exc)
                    where = f"{path} = {kind}"
                    deep = kind == "deep"  # refused before any field is looked at
                    _check_message(message, ("nested",) if deep else _field_names(path), where)


def test_the_issues_session_files_are_refused_naming_the_field():
    good = good_session()
    cases = {
        '"pinned": 5': ({"pinned": 5}, "'pinned'"),
        '"pinned": true': ({"pinned": True}, "'pinned'"),
        "pinned[2].lr": ({"pinned": [{"lr": 0.1}, {"lr": 0.2}, {"lr": True}]}, "'pinned[2].lr'"),
        '"version": true': ({"version": True}, "'version'"),
        '"version": 1.0': ({"version": 1.0}, "'version'"),
    }
    for label, (change, field) in cases.items():
        message = _refusal(json.dumps({**good, **change}))
        assert field in message, (label, message)
    assert "a number of 4,000 digits" in _refusal(
        json.dumps({**good, "lr": "@"}).replace('"@"', "9" * 4000))
    assert "nested 100,000 levels deep" in _refusal("[" * 100_000 + "]" * 100_000)


def _refusal(text: str) -> str:
    with pytest.raises(ConfigError) as info:
        parse_session(text, "s.json")
    return str(info.value)


def tries() -> dict[str, int]:
    """How many bad inputs each table above tries."""
    return {
        "API arguments": len(API) * len(VALUES),
        "command-line flags": sum(len(values) for *_, values, _names in CLI) + 1,
        "session fields": len(_fields(good_session())) * len(SESSION_VALUES),
        "the issue's session files": 7,
    }


def test_the_tables_try_thousands_of_bad_inputs(capsys):
    counts = tries()
    with capsys.disabled():  # shown with pytest -s
        print(f"\nbad inputs tried in {__name__}: {counts} = {sum(counts.values()):,}")
    assert sum(counts.values()) > 1_500


@pytest.mark.parametrize("point, ok", [
    ([1.5, -2.0, 0.0], True),
    ([1e308, 1e308, -1e308], True),  # finite values whose sum overflows
    ([1.0, math.inf], False),
    ([math.nan, 1.0], False),
    ([1e308, 1e308, math.nan], False),
    ([1, "2.5", np.float64(3.0)], True),  # numbers of other types, converted
])
def test_a_point_of_finite_numbers_passes_and_any_other_is_refused(point, ok):
    from core.checks import check_point

    names = tuple(f"p{i}" for i in range(len(point)))
    if ok:
        got = check_point(point, names)
        assert got == tuple(float(v) for v in point)
        assert all(type(v) is float for v in got)
    else:
        with pytest.raises(core.ConfigError, match="finite"):
            check_point(point, names)
