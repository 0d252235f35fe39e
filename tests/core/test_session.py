import json

import numpy as np
import pytest

import core
from core.errors import ConfigError
from core.session import PinnedRun, Session, load_session, parse_session, session_for


def make_session():
    cfg = core.RunConfig(
        problem="house-prices",
        optimizer="adam",
        lr=0.3,
        steps=60,
        start=(10.0, -5.0),
        batch=2,
        seed=7,
        hyper={"betas": (0.8, 0.95), "amsgrad": True},
        schedule={"name": "cosine", "T_max": 60, "eta_min": 0.01},
    )
    return session_for(
        "house-prices", cfg, (PinnedRun("slow", 0.01), PinnedRun("fast", 1.0, "sgd"))
    )


def run_of(session: Session):
    problem = session.build_problem()
    return core.make_trainer(problem, session.config).run()


def test_save_then_open_reproduces_the_identical_table(tmp_path):
    session = make_session()
    path = tmp_path / "s.json"
    session.save(path)
    back = load_session(path)
    assert back.config == session.config
    assert back.pinned == session.pinned
    np.testing.assert_array_equal(run_of(back).table.block(), run_of(session).table.block())


def test_session_is_strict_json_with_a_version(tmp_path):
    path = tmp_path / "s.json"
    make_session().save(path)
    doc = json.loads(path.read_text())
    assert doc["format"] == "lr-playground-session" and doc["version"] == 1
    assert doc["problem"] == {"name": "house-prices", "options": {}}


def test_problem_options_survive(tmp_path):
    cfg = core.RunConfig(
        problem="quadratic", lr=0.05, steps=10, options={"condition": 4.0, "angle": 30.0}
    )
    path = tmp_path / "q.json"
    session_for(core.session.ProblemRef("quadratic", {"condition": 4.0, "angle": 30.0}), cfg).save(
        path
    )
    back = load_session(path)
    assert (
        back.build_problem().options
        == core.get_problem("quadratic", condition=4.0, angle=30.0).options
    )
    np.testing.assert_array_equal(
        run_of(back).table.block(),
        core.train(
            "quadratic", lr=0.05, steps=10, options={"condition": 4.0, "angle": 30.0}
        ).table.block(),
    )


def good_doc():
    return json.loads(make_session().to_json())


def with_(doc, **changes):
    out = dict(doc)
    for key, value in changes.items():
        if value is KeyError:
            out.pop(key)
        else:
            out[key] = value
    return json.dumps(out)


BAD = [
    ("not json at all", "not valid JSON"),
    ("[1, 2, 3]", "expected a JSON object"),
    (with_(good_doc(), format="something else"), "format"),
    (with_(good_doc(), version=2), "version 2 is not supported"),
    (with_(good_doc(), version=KeyError), "version None is not supported"),
    (with_(good_doc(), lr=KeyError), "'lr' is missing"),
    (with_(good_doc(), problem=KeyError), "'problem' is missing"),
    (with_(good_doc(), lr=-1), "lr"),
    (with_(good_doc(), lr="fast"), "lr"),
    (with_(good_doc(), lr=True), "lr"),
    (with_(good_doc(), steps=-5), "steps"),
    (with_(good_doc(), steps=2.5), "steps"),
    (with_(good_doc(), batch=0), "batch"),
    (with_(good_doc(), optimizer="sgdd"), "optimizer"),
    (with_(good_doc(), hyper={"betas": [0.9, 2.0]}), "betas"),
    (with_(good_doc(), hyper={"bogus": 1}), "bogus"),
    (with_(good_doc(), hyper=[1, 2]), "hyper"),
    (with_(good_doc(), start=[1.0]), "start"),
    (with_(good_doc(), start="1,2"), "start"),
    (with_(good_doc(), problem={"name": "nope"}), "unknown problem"),
    (with_(good_doc(), problem={"name": "quadratic", "options": {"bogus": 1}}), "bogus"),
    (with_(good_doc(), problem={}), "names no problem"),
    (with_(good_doc(), schedule={"name": "warp"}), "warp"),
    (with_(good_doc(), backend="jax"), "backend"),
    (with_(good_doc(), pinned=[{"label": "x"}]), "pinned"),
    (with_(good_doc(), pinned=[{"lr": -3}]), "pinned"),
    (json.dumps(good_doc()).replace('"lr": 0.3', '"lr": NaN'), "NaN is not allowed"),
]


@pytest.mark.parametrize(("text", "match"), BAD)
def test_bad_session_is_refused_naming_the_field(tmp_path, text, match):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match):
        load_session(path)


def test_unreadable_files_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_session(tmp_path / "missing.json")
    with pytest.raises(ConfigError, match="folder"):
        load_session(tmp_path)
    binary = tmp_path / "b.json"
    binary.write_bytes(b"\xff\xfe\x00\x81binary")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_session(binary)


def test_a_session_is_never_evaluated_as_code(tmp_path, monkeypatch):
    doc = good_doc()
    doc["problem"] = {"name": "__import__('os').system('touch pwned')"}
    with pytest.raises(ConfigError, match="unknown problem"):
        parse_session(json.dumps(doc))
    assert not (tmp_path / "pwned").exists()


def test_failed_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    path.write_text("old")
    import os

    def deny(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", deny)
    with pytest.raises(ConfigError, match="Permission denied"):
        make_session().save(path)
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]


def test_formula_and_data_sessions_reproduce_their_runs(tmp_path):
    from core.session import ProblemRef

    csv = tmp_path / "d.csv"
    csv.write_text("size;noise;price\n1;9;2.9\n2;8;5.1\n3;7;7.0\n4;6;9.2\n")
    refs = [
        ProblemRef(formula="(1-a)**2 + 100*(b-a**2)**2"),
        ProblemRef(data=str(csv), x_column="size", y_column=2, normalize=True),
    ]
    for i, ref in enumerate(refs):
        cfg = core.RunConfig(problem="custom", lr=1e-3, steps=30, start=(-1.0, 1.0))
        path = tmp_path / f"s{i}.json"
        session_for(ref, cfg).save(path)
        back = load_session(path)
        assert back.problem == ref
        again = run_of(session_for(ref, cfg))
        np.testing.assert_array_equal(run_of(back).table.block(), again.table.block())


def test_bad_formula_or_missing_data_file_in_a_session_is_refused(tmp_path):
    doc = good_doc()
    doc["problem"] = {"formula": "a.__class__"}
    doc["start"] = None
    with pytest.raises(ConfigError, match="problem"):
        parse_session(json.dumps(doc))
    doc["problem"] = {"data": str(tmp_path / "gone.csv")}
    with pytest.raises(ConfigError, match=r"gone\.csv"):
        parse_session(json.dumps(doc))


def test_a_formula_not_finite_at_its_default_starts_reopens_at_the_saved_start(tmp_path):
    from core.session import ProblemRef

    # log(a) is not finite at a = 0 or negative; the saved start is fine
    ref = ProblemRef(formula="(log(a) - 1)**2 + b**2")
    cfg = core.RunConfig(problem="custom", lr=0.01, steps=5, start=(2.0, 0.5))
    path = tmp_path / "f.json"
    session_for(ref, cfg).save(path)
    back = load_session(path)
    assert back.build_problem().start == (2.0, 0.5)
    again = run_of(session_for(ref, cfg))
    np.testing.assert_array_equal(run_of(back).table.block(), again.table.block())
