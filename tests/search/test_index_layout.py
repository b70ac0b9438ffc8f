"""The shape of search/index: a package of modules with one job each, no cycles among them,
no private name reached across them, and worker tasks that are typed, not dicts."""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import pickle
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "search" / "index"


def _check_layers():
    spec = importlib.util.spec_from_file_location("check_layers", ROOT / "tools" / "check_layers.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_index_is_a_package_of_job_modules_without_cycles():
    assert (PKG / "__init__.py").is_file(), "search/index is a package split by job, not a single index.py"
    assert not (ROOT / "search" / "index.py").exists()
    layers = _check_layers()
    g = layers.graph(ROOT)
    for job in ("layout", "build", "tasks", "model", "generations", "segments", "merge", "dictionary", "bm25", "vectors",
                "cleanup"):
        assert f"search.index.{job}" in g
    tangled = [c for c in layers.cycles(g) if any(m == "search.index" or m.startswith("search.index.") for m in c)]
    assert tangled == []
    # the package only gathers what its modules define, so each piece has exactly one home
    init = ast.parse((PKG / "__init__.py").read_text(encoding="utf-8"))
    assert [n.name for n in init.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))] == []


def test_the_public_names_are_the_defining_modules_objects():
    import search.index as index
    from search.index import build, cleanup, layout

    assert [n for n in index.__all__ if not hasattr(index, n)] == []
    assert index.sync is build.sync
    assert index.tidy is cleanup.tidy and index.hold is cleanup.hold
    assert index.read_config is layout.read_config and index.IndexError_ is layout.IndexError_


def test_no_private_name_is_imported_from_an_index_module():
    leaks = []
    for root in ("search", "kg", "api", "bench", "tests"):
        for path in sorted((ROOT / root).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("search.index"):
                    leaks += [f"{path.relative_to(ROOT)}: {a.name}" for a in node.names
                              if a.name.startswith("_") and not a.name.endswith("_")]
    assert leaks == []


def test_worker_tasks_and_results_are_dataclasses_that_cross_processes():
    from search.chunking import DocMeta
    from search.index.model import ModelSpec
    from search.index.tasks import ChunkResult, DocTask, IndexResult, SyncContext

    for cls in (SyncContext, DocTask, ModelSpec, ChunkResult, IndexResult):
        assert dataclasses.is_dataclass(cls)
    ctx = SyncContext("db", "db/index/cache", False, "db/index/cache/dict-x.txt", "x")
    task = DocTask("ab" * 32, "a.txt", DocMeta("ab" * 32, "a.txt", "urn:g"), [("养老保险", "urn:e")])
    assert pickle.loads(pickle.dumps((ctx, task))) == (ctx, task)
    # a first pass that chunked every document tells the second not to chunk again, even on a rebuild
    assert dataclasses.replace(ctx, rebuild=True).chunk_again
    assert not dataclasses.replace(ctx, rebuild=True, rechunk=False).chunk_again
