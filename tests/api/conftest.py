"""API test fixtures: a small hand-written graph (tests/api/mini_graph*.ttl, invented
names) in an on-disk store, and clients over it with chosen settings."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
GRAPHS = {"https://w3id.org/budgetkg/id/disclosure/test-a": HERE / "mini_graph.ttl",
          "https://w3id.org/budgetkg/id/disclosure/test-b": HERE / "mini_graph_b.ttl"}
TOKEN = "s3cret-test-token"


def load_mini(store) -> None:
    import pyoxigraph as ox

    for graph, path in GRAPHS.items():
        triples = ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE)
        store.replace_graph(graph, "".join(f"{t} .\n" for t in triples))


@pytest.fixture(scope="session")
def mini_db(tmp_path_factory) -> Path:
    from kg.store import open_store

    db = tmp_path_factory.mktemp("mini_db")
    store = open_store(db, backend="oxigraph")
    try:
        load_mini(store)
    finally:
        store.close()
    return db


def make_client(db: Path, **overrides):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from kg.settings import Settings

    settings = Settings(db=str(db), **overrides)
    return TestClient(create_app(settings))


@pytest.fixture(scope="session")
def client(mini_db):
    """Read-only service over the mini graph."""
    with make_client(mini_db) as c:
        yield c
