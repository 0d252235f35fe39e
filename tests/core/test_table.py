import io
import json
import math
import os

import numpy as np
import pytest

from core.errors import ConfigError
from core.run.table import StepTable, format_exact, format_rounded


def make_table(rows=5):
    t = StepTable(["step", "epoch", "x", "loss"], capacity=2)
    block = np.array([[k, k // 2, 0.1 * k + 1e-17 * k, 1 / (k + 3)] for k in range(rows)])
    t.append_block(block)
    return t, block


def test_grows_past_capacity_and_views_are_read_only():
    t, block = make_table(1000)
    assert len(t) == 1000
    np.testing.assert_array_equal(t["loss"], block[:, 3])
    assert t["loss"].flags.c_contiguous
    with pytest.raises(ValueError):
        t["loss"][0] = 1.0
    with pytest.raises(KeyError, match="no column 'nope'"):
        t["nope"]


def test_parts_fill_the_columns_in_order_blocks_included_and_must_cover_them():
    t = StepTable(["step", "a", "b", "c", "loss", "d"], capacity=1)  # grows on append
    ks = np.arange(3.0)
    abc = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])  # (3 columns, 3 rows)
    t.append_parts([ks, abc, [0.5, 0.25, 0.125], np.nan], 3)
    assert len(t) == 3
    np.testing.assert_array_equal(t["step"], ks)
    for row, name in enumerate("abc"):
        np.testing.assert_array_equal(t[name], abc[row])
    np.testing.assert_array_equal(t["loss"], [0.5, 0.25, 0.125])
    assert np.isnan(t["d"]).all()  # a scalar fills its column
    with pytest.raises(ValueError, match="cover 5 of the 6 columns"):
        t.append_parts([ks, abc, ks], 3)
    assert len(t) == 3  # a refused append adds no rows
    every = t.columns_view()
    assert every.shape == (6, 3)
    np.testing.assert_array_equal(every[t.position("b")], t["b"])
    with pytest.raises(ValueError):
        every[0, 0] = 1.0  # read-only, as the single columns are
    with pytest.raises(KeyError, match="no column 'nope'"):
        t.position("nope")


def test_csv_round_trips_every_float_exactly(tmp_path):
    t, block = make_table(50)
    t.append_block([[50, 25, float("inf"), float("nan")]])
    path = tmp_path / "t.csv"
    t.to_csv(path)
    back = StepTable.read_csv(path)
    assert back.columns == t.columns
    np.testing.assert_array_equal(back.block()[:50], block)  # bit-exact
    assert math.isinf(back["x"][50]) and math.isnan(back["loss"][50])
    text = path.read_text()
    assert text.splitlines()[0] == "step,epoch,x,loss"
    assert text.splitlines()[1].startswith("0,0,")  # integer columns without ".0"
    assert text.splitlines()[-1] == "50,25,inf,nan"


def test_tsv_and_json_hold_the_same_values(tmp_path):
    t, block = make_table(7)
    t.append_block([[7, 3, -float("inf"), float("nan")]])
    t.to_tsv(tmp_path / "t.tsv")
    back = StepTable.read_csv(tmp_path / "t.tsv", sep="\t")
    np.testing.assert_array_equal(back.block()[:7], block)
    t.to_json(tmp_path / "t.json")
    doc = json.loads((tmp_path / "t.json").read_text())
    assert doc["columns"] == t.columns
    rows = np.array([[float(v) for v in r] for r in doc["rows"]])
    np.testing.assert_array_equal(rows[:7], block)
    assert doc["rows"][7][2] == "-inf" and doc["rows"][7][3] == "nan"


def test_markdown_rounds_to_four_decimals():
    t, _ = make_table(3)
    buf = io.StringIO()
    t.to_markdown(buf)
    lines = buf.getvalue().splitlines()
    assert lines[0] == "| step | epoch | x | loss |"
    assert lines[2] == "| 0 | 0 | 0.0000 | 0.3333 |"
    assert lines[4] == "| 2 | 1 | 0.2000 | 0.2000 |"


def test_formatters():
    assert format_exact(0.1) == "0.1"
    assert float(format_exact(1 / 3)) == 1 / 3
    assert format_exact(3.0, integer=True) == "3"
    assert format_rounded(-1e-9) == "0.0000"
    assert format_rounded(float("-inf")) == "-inf"


def test_save_by_extension_and_unknown_extension(tmp_path):
    t, _ = make_table(3)
    for ext in ("csv", "tsv", "md", "json"):
        t.save(tmp_path / f"x.{ext}")
        assert (tmp_path / f"x.{ext}").stat().st_size > 0
    with pytest.raises(ConfigError, match=r"\.csv, \.tsv, \.md or \.json"):
        t.save(tmp_path / "x.xlsx")


def test_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path):
    t, _ = make_table(3)
    target = tmp_path / "keep.csv"
    target.write_text("precious\n")

    class Boom(StepTable):
        def write_delimited(self, handle, sep):
            handle.write("half a row")
            raise RuntimeError("disk on fire")

    bad = Boom(t.columns)
    bad.append_block(t.block())
    with pytest.raises(RuntimeError):
        bad.to_csv(target)
    assert target.read_text() == "precious\n"
    assert sorted(os.listdir(tmp_path)) == ["keep.csv"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder_is_refused_cleanly(tmp_path):
    t, _ = make_table(3)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(ConfigError, match="cannot write"):
            t.to_csv(ro / "x.csv")
        assert os.listdir(ro) == []
    finally:
        ro.chmod(0o700)


def test_os_error_during_rename_names_the_path_and_leaves_nothing(tmp_path, monkeypatch):
    # as root, folder permissions are not enforced; simulate the refusal instead
    t, _ = make_table(3)

    def deny(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", deny)
    with pytest.raises(ConfigError, match=r"cannot write .*x\.csv.*Permission denied"):
        t.to_csv(tmp_path / "x.csv")
    assert os.listdir(tmp_path) == []


def test_missing_folder_is_refused(tmp_path):
    t, _ = make_table(3)
    with pytest.raises(ConfigError, match="does not exist"):
        t.to_csv(tmp_path / "no" / "x.csv")


def test_select_and_last_finite_row():
    t, block = make_table(6)
    sub = t.select([1, 3])
    np.testing.assert_array_equal(sub.block(), block[[1, 3]])
    assert t.last_finite_row == 5
    t.append_block([[6, 3, float("nan"), 1.0]])
    assert t.last_finite_row == 5


def test_million_rows_stay_small():
    t = StepTable([f"c{i}" for i in range(12)], capacity=16)
    chunk = np.zeros((100_000, 12))
    for _ in range(10):
        t.append_block(chunk)
    t.shrink_to_fit()
    assert len(t) == 1_000_000
    assert t.nbytes < 200 * 2**20
