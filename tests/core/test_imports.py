import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def loaded_after(code):
    probe = (
        f"{code}\nimport sys\n"
        "print(sorted(m for m in ('torch', 'PySide6', 'pyqtgraph', 'desktop') if m in sys.modules))"
    )
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
