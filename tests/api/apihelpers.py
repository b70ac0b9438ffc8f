"""Helpers for the API tests (imported by conftest.py and the test modules)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
GRAPHS = {"https://w3id.org/budgetkg/id/disclosure/test-a": HERE / "mini_graph.ttl",
          "https://w3id.org/budgetkg/id/disclosure/test-b": HERE / "mini_graph_b.ttl"}
TOKEN = "s3cret-test-token"


def load_mini(store) -> None:
    """Load the hand-written graphs (invented names, contract terms) into a store."""
    import pyoxigraph as ox

    for graph, path in GRAPHS.items():
        triples = ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE)
        store.replace_graph(graph, "".join(f"{t} .\n" for t in triples))


def build_mini_db(db: Path) -> Path:
    from kg.store import open_store

    store = open_store(db, backend="oxigraph")
    try:
        load_mini(store)
    finally:
        store.close()
    return db


def make_client(db: Path, **overrides):
    """A TestClient over a fresh app on `db` with these settings (use it as a context manager)."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from kg.settings import Settings

    settings = Settings(db=str(db), **overrides)
    return TestClient(create_app(settings))
