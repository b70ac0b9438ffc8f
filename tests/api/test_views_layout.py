"""The shape of api/views (one module per resource, no cycles among them) and the service's
QA context (the engine's, with no silent stand-in)."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _check_layers():
    spec = importlib.util.spec_from_file_location("check_layers", ROOT / "tools" / "check_layers.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_views_is_a_package_of_resource_modules_without_cycles():
    init = ROOT / "api" / "views" / "__init__.py"
    assert init.is_file(), "api/views is one module per resource, not a single views.py"
    assert not (ROOT / "api" / "views.py").exists()
    layers = _check_layers()
    g = layers.graph(ROOT)
    modules = {m for m in g if m.startswith("api.views.")}
    for resource in ("home", "policies", "agencies", "disclosures", "entities"):
        assert f"api.views.{resource}" in modules
    tangled = [c for c in layers.cycles(g) if any(m == "api.views" or m.startswith("api.views.") for m in c)]
    assert tangled == []
    # the package only gathers what its modules define, so each view has exactly one home
    defs = [n.name for n in ast.parse(init.read_text(encoding="utf-8")).body
            if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))]
    assert defs == []


def test_views_reexports_resolve():
    import api.views as views

    missing = [n for n in views.__all__ if not hasattr(views, n)]
    assert missing == []
    # the routes reach these through the package: each must be the defining module's object
    from api.views import dispatch, entities, home, links

    assert views.entity is dispatch.entity
    assert views.labels_for is entities.labels_for
    assert views.overview is home.overview
    assert views.href is links.href


def test_ask_context_fails_loudly_without_the_engine(monkeypatch):
    """A service whose QA engine cannot load must say so, not hand /api/ask a stand-in
    context the engine's handlers cannot use."""
    from api.app import make_ask_context

    monkeypatch.setitem(sys.modules, "api.qa.engine", None)  # makes `import api.qa.engine` raise ImportError
    services = SimpleNamespace(store=object(), db=Path("."), settings=None, searcher=lambda: None)
    with pytest.raises(ImportError):
        make_ask_context(services)
