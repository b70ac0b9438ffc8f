"""API test fixtures: a small hand-written graph (tests/api/mini_graph*.ttl, invented
names) in an on-disk store, and a read-only client over it."""

from __future__ import annotations

from pathlib import Path

import pytest
from apihelpers import build_mini_db, make_client


@pytest.fixture(scope="session")
def mini_db(tmp_path_factory) -> Path:
    return build_mini_db(tmp_path_factory.mktemp("mini_db"))


@pytest.fixture(scope="session")
def client(mini_db):
    """Read-only service over the mini graph."""
    with make_client(mini_db) as c:
        yield c


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory) -> Path:
    """The generator's sample plan (the one `make demo` serves: 8 documents, seed 20240101)
    as text exports, plus PDFs of the first two so citations carry real page numbers. The
    contradiction rate is raised so the corpus surely holds findings for the examples that
    list them (at the default 0.12, 8 documents have none about a third of the time)."""
    from data.generate import generate

    out = tmp_path_factory.mktemp("sample")
    manifest = generate(out, count=8, seed=20240101, formats={"txt", "pdf"}, pdf_count=2, inconsistency_rate=0.5)
    assert any(d["inconsistent"] for d in manifest["docs"])
    return out


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory, sample_corpus) -> Path:
    """The sample corpus ingested as `make demo` does it: graph, documents and search index
    (the home page shows an answer and the ranked passages beside it)."""
    from kg.pipeline import ingest
    from kg.store import open_store
    from search.hooks import index_hooks

    db = tmp_path_factory.mktemp("sample_db")
    store = open_store(db, backend="oxigraph")
    try:
        results = ingest([sample_corpus / "txt", sample_corpus / "pdf"], db, store, workers=2, hooks=index_hooks())
    finally:
        store.close()
    failed = [r.error for r in results if r.status == "failed"]
    assert not failed, failed
    return db
