import importlib
import os
import subprocess
import sys

import pytest

import core
from core.problems import mlp_work

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def loaded_after(code, watched=("torch", "PySide6", "pyqtgraph", "desktop")):
    """Which of the ``watched`` modules a fresh interpreter has loaded after ``code``."""
    probe = f"{code}\nimport sys\nprint(sorted(m for m in {watched!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return out.stdout.strip().splitlines()[-1]


def test_importing_core_loads_neither_qt_nor_torch():
    assert loaded_after("import core") == "[]"


def test_a_numpy_run_loads_neither_qt_nor_torch():
    code = (
        "import core\n"
        "for name in core.list_problems():\n"
        "    core.train(name, steps=5, lr=1e-3, optimizer='adam')\n"
        "core.train('house-prices', steps=5, lr=1e-3, batch=2, momentum=0.9)"
    )
    assert loaded_after(code) == "[]"


def test_every_public_name_resolves_to_its_modules_object():
    assert sorted(core._WHERE) == sorted(core.__all__)
    assert set(core.__all__) <= set(dir(core))
    for name, (module, attribute) in core._WHERE.items():
        assert getattr(core, name) is getattr(importlib.import_module(module), attribute)


def test_a_missing_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'trian'"):
        core.trian  # noqa: B018


def test_the_trainer_loads_without_the_formula_parser_or_the_csv_reader():
    code = "import core\ncore.train('rosenbrock', steps=5)"
    assert loaded_after(code, ("core.formula", "core.io.datatable", "core.session")) == "[]"


def test_a_run_and_the_shipped_presets_load_neither_the_networks_nor_the_sweep():
    # the window pays for every module it imports before its first paint
    code = ("import core\ncore.train('rosenbrock', steps=5)\n"
            "from core.analysis.preset_table import known_presets\n"
            "assert known_presets('rosenbrock', 'sgd') is not None")
    watched = ("core.problems.network", "core.problems.mlp", "core.analysis.sweep")
    assert loaded_after(code, watched) == "[]"
    # the problem list and each network's options, title and problem are there all the same
    code = ("import core\nassert core.problem_options('spiral')['hidden'] == '8,8'\n"
            "assert '2-8-8-1' in core.problem_title('xor')\n"
            "assert core.get_problem('circle').n_params == 105")
    assert loaded_after(code, watched) == "['core.problems.mlp', 'core.problems.network']"


def test_one_network_trains_on_the_calling_thread_without_an_executor():
    code = "import core\ncore.train('circle', steps=3)"
    assert loaded_after(code, ("concurrent.futures",)) == "[]"
    many = "import core, numpy as np\ncore.sweep('circle', np.geomspace(1e-3, 1, 120), steps=2)"
    # a sweep of 120 networks is three chunks: with two cores, on two threads
    assert loaded_after(many, ("concurrent.futures",)) == (
        "['concurrent.futures']" if mlp_work.THREADS > 1 else "[]")
