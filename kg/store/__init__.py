"""The RDF store: one named graph per disclosure, behind one small interface.

`Store` is the base class; `open_store(settings)` is the factory (txtai-style) that
picks a backend. The embedded default is Oxigraph on disk (pyoxigraph): it answers
SPARQL far faster than rdflib's in-memory engine and its updates are transactional,
which is what makes "a crash mid-ingest leaves the store as it was" hold — a disclosure's
graph is replaced by ONE SPARQL update (DROP + INSERT DATA), all or nothing.

Queries see the union of all named graphs as the default graph, so a shared entity
(an agency, a policy, a classification concept) asserted by several disclosures reads
as one node, and dropping one disclosure leaves what the others assert.

The embedded store MATERIALIZES that union: every disclosure's triples are written to its
named graph and to the default graph in the same transaction, and removing a disclosure
deletes from the default graph only the triples no other disclosure asserts. Oxigraph's
on-the-fly union (`use_default_graph_as_union`) scans every quad index and repeats a
shared triple once per graph that holds it — joins multiply and simple queries took
seconds at 100 disclosures (docs/scale.md) — whereas the default graph is a set, indexed
like any other graph.
"""

from __future__ import annotations

import os
from pathlib import Path

from kg.store.base import EXPORT_FORMATS, Store, StoredDocument, StoreError
from kg.store.oxigraph import OxigraphStore
from kg.store.union import FORMAT_FILE, MATERIALIZED, with_resync
from ontology.namespace import ID_BASE as ID
from ontology.namespace import NS as BKG
from ontology.namespace import PREFIXES

__all__ = ["BKG", "EXPORT_FORMATS", "FORMAT_FILE", "ID", "MATERIALIZED", "PREFIXES", "OxigraphStore", "Store",
           "StoreError", "StoredDocument", "open_store", "with_resync"]


def open_store(db: str | os.PathLike, read_only: bool = False, backend: str | None = None, **options) -> Store:
    """Factory: the store for a database directory. `db/graph` holds the Oxigraph files.

    `backend` (default: Settings.store_backend) is "oxigraph" or "sparql"; for "sparql" the
    endpoints come from `options` (query_url, update_url, graph_store_url, timeout_s) or
    else from the settings (BUDGETKG_SPARQL_QUERY_URL, …)."""
    if backend is None:
        from kg.settings import get_settings

        s = get_settings()
        backend = s.store_backend
        options = {"query_url": s.sparql_query_url, "update_url": s.sparql_update_url,
                   "graph_store_url": s.sparql_graph_store_url, "default_graph": s.sparql_default_graph, **options}
    if backend == "oxigraph":
        graph_dir = Path(db) / "graph"
        if read_only and not graph_dir.exists():
            raise StoreError(f"no database at {db} (run `budgetkg ingest --db {db} FILES` first)")
        return OxigraphStore(graph_dir, read_only=read_only)
    if backend == "sparql":
        from kg.store.remote import SparqlStore

        return SparqlStore(read_only=read_only, **options)
    raise StoreError(f"unknown store backend {backend!r} (expected oxigraph or sparql)")
