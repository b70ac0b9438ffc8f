"""A service on a remote store notices disclosures another process wrote: its cached
summaries and question context belong to a store generation, and a changed set of
disclosures on the store starts a new one."""

from __future__ import annotations

from apihelpers import GRAPHS, build_mini_db

from api.app import create_app
from kg.settings import Settings
from kg.store import OxigraphStore, Store


class Remote(Store):
    """Stands for a SPARQL server: the same data, but not an embedded store of this process."""

    def __init__(self, inner: OxigraphStore):
        self.inner = inner

    def query(self, sparql):
        return self.inner.query(sparql)

    def replace_graph(self, graph, ntriples, drop=()):
        self.inner.replace_graph(graph, ntriples, drop)

    def drop_graphs(self, graphs):
        self.inner.drop_graphs(graphs)

    def dump(self, fmt):
        return self.inner.dump(fmt)

    def triple_count(self):
        return self.inner.triple_count()

    def close(self):
        self.inner.close()


def test_remote_store_written_elsewhere_starts_a_new_generation(tmp_path, monkeypatch):
    db = build_mini_db(tmp_path / "db")
    inner = OxigraphStore(db / "graph")
    try:
        app = create_app(Settings(db=str(db)), store=Remote(inner))
        services = app.state.services
        monkeypatch.setattr(type(services), "EXTERNAL_CHECK_S", 0.0)
        calls = []
        services.derived("probe", lambda: calls.append(1) or len(calls))
        services.derived("probe", lambda: calls.append(1) or len(calls))
        assert len(calls) == 1  # nothing changed: the cached value serves
        gen = services.generation

        # "another process" drops a disclosure on the server
        inner.drop_graphs([next(iter(GRAPHS))])
        services.derived("probe", lambda: calls.append(1) or len(calls))
        assert services.generation == gen + 1 and len(calls) == 2
        assert services.ask_context().generation == services.generation
    finally:
        inner.close()


def test_embedded_store_is_not_probed(tmp_path):
    db = build_mini_db(tmp_path / "db")
    inner = OxigraphStore(db / "graph")
    try:
        services = create_app(Settings(db=str(db)), store=inner).state.services
        assert services._probe_external is False
    finally:
        inner.close()
