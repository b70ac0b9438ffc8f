"""api/qa imports one way: no module of the package imports, at any depth (a function-
level or TYPE_CHECKING import included), a module that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "api" / "qa"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports anywhere in its text."""
    modules = {module_name(p, root): p for p in root.rglob("*.py")}
    prefix = module_name(root / "__init__.py", root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        out: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from api.qa import intent` imports the submodule api.qa.intent.
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                           for a in node.names]
            else:
                continue
            out |= {t for t in targets if t in modules and t != name and t.startswith(prefix + ".")}
        graph[name] = out
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}  # state: 1 on the current path, 2 done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_cycle_finder_sees_function_level_imports(tmp_path):
    pkg = tmp_path / "api" / "qa"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from api.qa.b import f\n")
    (pkg / "b.py").write_text("def f():\n    from api.qa import a\n    return a\n")
    assert cycles(import_graph(pkg)) == [["api.qa.a", "api.qa.b", "api.qa.a"]]


def test_no_import_cycles_in_api_qa():
    graph = import_graph(PACKAGE)
    assert "api.qa.handlers.retrieval" in graph and graph["api.qa.answerer"]  # the walk saw the package
    assert cycles(graph) == []
