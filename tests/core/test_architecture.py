"""The shape of core, checked from its sources: no GUI, no import circles, a fixed catalogue.

The import graph is read with `ast` from every ``core/**/*.py``: an import
statement anywhere in a module (at the top or inside a function, where the
torch backend and the optional parts are loaded) is an edge, except under
``if TYPE_CHECKING:``, which never runs. ``from a.b import c`` points at the
module ``a.b.c`` when there is one, else at ``a.b``; importing a module also
runs the packages above it, so those are edges too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import core

ROOT = Path(__file__).resolve().parents[2]
GUI = {"desktop", "PySide6", "shiboken6", "pyqtgraph"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((ROOT / "core").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _runtime_imports(tree: ast.AST) -> list[tuple[str, list[str]]]:
    """(module, names) of every import statement outside ``if TYPE_CHECKING:``."""
    found: list[tuple[str, list[str]]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((alias.name, []) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _all_imports(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for module, imported in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            targets = [f"{module}.{n}" for n in imported if f"{module}.{n}" in MODULES]
            targets += [module] if len(targets) < len(imported) or not imported else []
            for target in targets:
                if target in MODULES and target != name:
                    graph[name].add(target)
                # the packages above it, which importing it runs (bar this module's own)
                package = target.rpartition(".")[0]
                while package:
                    runs = package != name and not name.startswith(package + ".")
                    if package in MODULES and runs:
                        graph[name].add(package)
                    package = package.rpartition(".")[0]
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_core_never_imports_the_window_or_qt():
    for name, path in MODULES.items():
        for module in _all_imports(ast.parse(path.read_text(encoding="utf-8"))):
            assert module.split(".")[0] not in GUI, f"{name} imports {module}"


def test_no_import_circles_in_core():
    assert _cycles(_graph()) == []


def test_the_check_finds_a_circle():
    graph = {"core.a": {"core.b"}, "core.b": {"core.c"}, "core.c": {"core.a"}, "core.d": set()}
    assert _cycles(graph) == [["core.a", "core.b", "core.c"]]


def test_the_problem_list_is_a_fixed_table_in_display_order():
    assert core.list_problems() == [
        "rosenbrock", "quadratic", "himmelblau", "beale", "saddle", "rastrigin",
        "line-one-point", "house-prices", "single-weight", "and-gate", "glasses-vs-ring",
        "circle", "xor", "gaussians", "spiral",
    ]
