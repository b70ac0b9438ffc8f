"""The RDF store: one named graph per disclosure, behind one small interface.

`Store` is the base class; `open_store(settings)` is the factory (txtai-style) that
picks a backend. The embedded default is Oxigraph on disk (pyoxigraph): it answers
SPARQL far faster than rdflib's in-memory engine and its updates are transactional,
which is what makes "a crash mid-ingest leaves the store as it was" hold — a disclosure's
graph is replaced by ONE SPARQL update (DROP + INSERT DATA), all or nothing.

Queries see the union of all named graphs as the default graph, so a shared entity
(an agency, a policy, a classification concept) asserted by several disclosures reads
as one node, and dropping one disclosure leaves what the others assert.
"""

from __future__ import annotations

import io
import os
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

BKG = "https://w3id.org/budgetkg/def#"
ID = "https://w3id.org/budgetkg/id/"

EXPORT_FORMATS = {"turtle": "ttl", "nt": "nt", "trig": "trig", "jsonld": "jsonld", "nq": "nq"}


@dataclass(frozen=True)
class StoredDocument:
    graph: str  # named graph IRI (= the disclosure IRI)
    source_file: str
    sha256: str


class StoreError(Exception):
    pass


class Store(ABC):
    """What the rest of budgetkg needs from an RDF store."""

    @abstractmethod
    def query(self, sparql: str):
        """Run a read-only SPARQL query over the union of all graphs. Returns the
        backend's native result (pyoxigraph QuerySolutions / QueryBoolean / QueryTriples)."""

    @abstractmethod
    def replace_graph(self, graph: str, ntriples: str, drop: Iterable[str] = ()) -> None:
        """Atomically: drop `graph` and every graph in `drop`, then insert `ntriples` into `graph`."""

    @abstractmethod
    def drop_graphs(self, graphs: Iterable[str]) -> None: ...

    @abstractmethod
    def dump(self, fmt: str) -> bytes: ...

    @abstractmethod
    def triple_count(self) -> int: ...

    @abstractmethod
    def close(self) -> None: ...

    # --- shared helpers built on query() -----------------------------------------
    def documents(self) -> list[StoredDocument]:
        q = f"""SELECT ?g ?f ?s WHERE {{ GRAPH ?g {{ ?g a <{BKG}Disclosure> ;
                 <{BKG}sourceFile> ?f ; <{BKG}sha256> ?s }} }} ORDER BY ?f"""
        return [StoredDocument(str(r["g"].value), str(r["f"].value), str(r["s"].value))
                for r in self.query(q)]

    def select(self, sparql: str) -> list[dict[str, object]]:
        """SELECT as a list of {var: python value} dicts (str for IRIs, python value for
        literals, Decimal for xsd:decimal). Convenience for callers that need plain data."""
        from decimal import Decimal

        res = self.query(sparql)
        names = [v.value for v in res.variables]
        out = []
        for sol in res:
            row: dict[str, object] = {}
            for n in names:
                t = sol[n]
                if t is None:
                    row[n] = None
                elif hasattr(t, "datatype"):
                    dt = t.datatype.value
                    v = t.value
                    if dt.endswith("#decimal"):
                        row[n] = Decimal(v)
                    elif dt.endswith("#integer") or dt.endswith("#int") or dt.endswith("#long"):
                        row[n] = int(v)
                    elif dt.endswith("#double") or dt.endswith("#float"):
                        row[n] = float(v)
                    elif dt.endswith("#boolean"):
                        row[n] = v == "true"
                    else:
                        row[n] = v
                else:
                    row[n] = t.value
            out.append(row)
        return out


class OxigraphStore(Store):
    """Embedded on-disk Oxigraph. One writer process at a time (RocksDB lock); readers in
    other processes open it with read_only=True."""

    def __init__(self, path: str | os.PathLike | None, read_only: bool = False):
        import pyoxigraph as ox

        self._ox = ox
        self.path = Path(path) if path is not None else None
        self.read_only = read_only
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                Path(path).mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as e:
            raise StoreError(f"cannot open the store at {path}: {e}") from e

    def query(self, sparql: str):
        return self._store.query(sparql, use_default_graph_as_union=True)

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("the store was opened read-only")

    def replace_graph(self, graph: str, ntriples: str, drop: Iterable[str] = ()) -> None:
        self._writable()
        targets = {graph, *drop}
        if not any(self._store.contains_named_graph(self._ox.NamedNode(g)) for g in targets):
            # Bulk path for a brand-new graph: Store.load parses N-Triples natively (several
            # times faster than parsing an INSERT DATA) and is one transaction, all or nothing.
            try:
                self._store.load(ntriples, self._ox.RdfFormat.N_TRIPLES, to_graph=self._ox.NamedNode(graph))
            except SyntaxError as e:
                raise StoreError(f"invalid N-Triples for {graph}: {e}") from e
            return
        ops = [f"DROP SILENT GRAPH <{g}>" for g in targets]
        ops.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}} }}")
        try:
            self._store.update(" ;\n".join(ops))
        except SyntaxError as e:
            raise StoreError(f"invalid N-Triples for {graph}: {e}") from e

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        self._writable()
        ops = [f"DROP SILENT GRAPH <{g}>" for g in graphs]
        if ops:
            self._store.update(" ;\n".join(ops))

    def dump(self, fmt: str) -> bytes:
        ox = self._ox
        formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                   "trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}
        if fmt not in formats:
            raise StoreError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
        if fmt in ("trig", "nq"):
            return self._store.dump(format=formats[fmt], prefixes=PREFIXES if fmt == "trig" else None)
        # Triple formats: the union of all graphs, each triple once.
        triples = self._store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
        buf = io.BytesIO()
        ox.serialize(triples, buf, formats[fmt], prefixes=PREFIXES if fmt in ("turtle",) else None)
        return buf.getvalue()

    def triple_count(self) -> int:
        res = self._store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(res))["n"].value)

    def close(self) -> None:
        try:
            self._store.flush()
        except Exception:  # noqa: BLE001 - read-only stores cannot flush
            pass
        self._store = None


PREFIXES = {
    "bkg": BKG,
    "id": ID,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "qb": "http://purl.org/linked-data/cube#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
}


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
                   "graph_store_url": s.sparql_graph_store_url, **options}
    if backend == "oxigraph":
        graph_dir = Path(db) / "graph"
        if read_only and not graph_dir.exists():
            raise StoreError(f"no database at {db} (run `budgetkg ingest --db {db} FILES` first)")
        return OxigraphStore(graph_dir, read_only=read_only)
    if backend == "sparql":
        from kg.store_remote import SparqlStore

        return SparqlStore(read_only=read_only, **options)
    raise StoreError(f"unknown store backend {backend!r} (expected oxigraph or sparql)")
