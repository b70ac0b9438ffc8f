"""Shared fixtures. Tests that need ../shared fail loudly (never skip) under CI=true."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BUDGETKG_SHARED", ROOT.parent / "shared"))


def _require_shared() -> Path:
    if not (SHARED / "corpus").is_dir():
        msg = f"{SHARED} is missing: these tests need ../shared beside the project"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    return SHARED


@pytest.fixture(scope="session")
def shared() -> Path:
    return _require_shared()


@pytest.fixture(scope="session")
def corpus_txt(shared) -> list[Path]:
    files = sorted((shared / "corpus").glob("*.txt"))
    assert len(files) == 4, files
    return files


@pytest.fixture(scope="session")
def corpus_pdf(shared) -> list[Path]:
    files = sorted((shared / "corpus" / "pdf").glob("*.pdf"))
    assert len(files) == 4, files
    return files


@pytest.fixture(scope="session")
def corpus_real(shared) -> list[Path]:
    files = sorted((shared / "corpus" / "real").glob("*.pdf"))
    assert len(files) == 7, files
    return files


def _ingest_db(tmp_path_factory, name: str, files: list[Path]) -> Path:
    from search.hooks import index_hooks
    from tests.generated import ingest_files

    return ingest_files(files, tmp_path_factory.mktemp(name), workers=2, hooks=index_hooks())


@pytest.fixture(scope="session")
def txt_db(tmp_path_factory, corpus_txt) -> Path:
    """A database (graph + search index) built once from the four ../shared/corpus/*.txt."""
    return _ingest_db(tmp_path_factory, "txt_db", corpus_txt)


@pytest.fixture(scope="session")
def pdf_db(tmp_path_factory, corpus_pdf) -> Path:
    """A database built once from the four ../shared/corpus/pdf/*.pdf."""
    return _ingest_db(tmp_path_factory, "pdf_db", corpus_pdf)


@pytest.fixture(scope="session")
def real_db(tmp_path_factory, corpus_real) -> Path:
    """A database built once from the seven published PDFs in ../shared/corpus/real/."""
    from kg.pipeline import ingest
    from kg.store import open_store
    from search.hooks import index_hooks

    db = tmp_path_factory.mktemp("real_db")
    store = open_store(db)
    try:
        ingest(corpus_real, db, store, workers=2, hooks=index_hooks())
    finally:
        store.close()
    return db


CJK_FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]


@pytest.fixture(scope="session")
def cjk_font() -> str:
    for f in CJK_FONT_CANDIDATES:
        if Path(f).exists():
            return f
    pytest.fail("no CJK font: run `make sysdeps` (fonts-wqy-zenhei)")


# --- markers that match what a test really uses -------------------------------------------
# A test is `shared` when anything it depends on reads ../shared (the `shared` fixture, or a
# fixture built on it), and `slow` when it needs one of the fixtures below, each of which
# ingests documents, trains a model or starts a server (seconds to a minute). Derived from
# the fixture closure, so a new test is marked by what it uses, not by what someone typed.
SLOW_FIXTURES = {
    "txt_db", "pdf_db", "real_db", "sample_corpus", "sample_db", "sample_client", "synthetic_db", "writable_db",
    "small_db", "probe_db", "oxigraph_server", "oxigraph_server_plain", "ray_runtime", "live", "server",
    "corpus_docs", "model_dir", "planted", "clean", "graded",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if "shared" in used:
            item.add_marker(pytest.mark.shared)
        if used & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)
