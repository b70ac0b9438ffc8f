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

import io
import os
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

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
        # Per-property subqueries (hash joins, not a seek per disclosure) and the sort in
        # Python (a SPARQL ORDER BY on strings decodes each one through the store): at 10k
        # disclosures 1.0-3.4 s became a fraction of that.
        q = f"""SELECT ?g ?f ?s WHERE {{
                 {{ SELECT ?g WHERE {{ GRAPH ?g {{ ?g a <{BKG}Disclosure> }} }} }}
                 {{ SELECT ?g ?f WHERE {{ GRAPH ?g {{ ?g <{BKG}sourceFile> ?f }} }} }}
                 {{ SELECT ?g ?s WHERE {{ GRAPH ?g {{ ?g <{BKG}sha256> ?s }} }} }} }}"""
        docs = [StoredDocument(str(r["g"].value), str(r["f"].value), str(r["s"].value)) for r in self.query(q)]
        return sorted(docs, key=lambda d: (d.source_file, d.graph))

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


FORMAT_FILE = "graph-format.json"
MATERIALIZED = {"default_graph": "materialized-union", "version": 1}


def _quads(graph: str, ntriples: str) -> str:
    """N-Triples → N-Quads holding each triple twice: in `graph` and in the default graph."""
    out = []
    for line in ntriples.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not line.endswith("."):
            raise StoreError(f"invalid N-Triples line for {graph}: {line[:80]}")
        out.append(line)
        out.append(f"{line[:-1].rstrip()} <{graph}> .")
    return "\n".join(out) + "\n"


def with_resync(update: str) -> str:
    """The update followed by the operations that bring the default graph back to the
    union of the named graphs, in one request. The separator starts on a new line, so a
    `# comment` ending the update cannot swallow it."""
    return "\n;\n".join([update.rstrip().rstrip(";"), *OxigraphStore.RESYNC_OPS])


class OxigraphStore(Store):
    """Embedded on-disk Oxigraph. One writer process at a time (RocksDB lock); readers in
    other processes open it with read_only=True.

    The default graph holds the union of the named graphs (module docstring). A database
    written before that layout is migrated when first opened for writing; opened read-only
    it is queried with Oxigraph's on-the-fly union instead, which gives the same answers."""

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
        self._union_on_the_fly = False
        if path is not None and not self._is_materialized():
            if read_only:
                self._union_on_the_fly = any(True for _ in self._store.named_graphs())
            else:
                self._materialize()

    # --- the materialized default graph ------------------------------------------------
    def _format_path(self) -> Path:
        return self.path / FORMAT_FILE

    def _is_materialized(self) -> bool:
        import json

        try:
            return json.loads(self._format_path().read_text()) == MATERIALIZED
        except (OSError, ValueError):
            return False

    def _materialize(self) -> None:
        """Copy every named graph's triples into the default graph (one transaction), then
        record the layout. Idempotent: the default graph is a set."""
        import json

        if any(True for _ in self._store.named_graphs()):
            self._store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
        if self.path is None:  # in memory: nothing to record
            return
        self._store.flush()
        tmp = self._format_path().with_suffix(".tmp")
        tmp.write_text(json.dumps(MATERIALIZED))
        os.replace(tmp, self._format_path())

    @staticmethod
    def _unassert_ops(graphs: list[str]) -> list[str]:
        """SPARQL update operations removing `graphs` from the dataset: their triples leave
        the default graph unless another named graph still asserts them."""
        if not graphs:
            return []
        values = " ".join(f"<{g}>" for g in graphs)
        gone = ", ".join(f"<{g}>" for g in graphs)
        return [f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?old {{ {values} }} GRAPH ?old {{ ?s ?p ?o }} "
                f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other NOT IN ({gone})) }} }}"] + \
               [f"DROP SILENT GRAPH <{g}>" for g in graphs]

    def query(self, sparql: str):
        return self._store.query(sparql, use_default_graph_as_union=self._union_on_the_fly)

    # A raw update says what it writes, usually to named graphs; the derived default graph
    # is brought back to their union in the same transaction. It costs a pass over the
    # dataset, which is fine for the rare hand-made update (ingest never comes here).
    RESYNC_OPS = ("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }",
                  "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")

    def update(self, sparql: str) -> None:
        """Run a SPARQL update (one transaction); triples written straight into the default
        graph do not survive it: the default graph is the union of the named graphs."""
        self._writable()
        self._store.update(with_resync(sparql))

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("the store was opened read-only")

    def replace_graph(self, graph: str, ntriples: str, drop: Iterable[str] = ()) -> None:
        self._writable()
        targets = sorted({graph, *drop})
        existing = [g for g in targets if self._store.contains_named_graph(self._ox.NamedNode(g))]
        if not existing:
            # Bulk path for a brand-new graph: Store.load parses N-Quads natively (several
            # times faster than parsing an INSERT DATA) and is one transaction, all or nothing;
            # the quads put each triple in the named graph and in the default graph.
            try:
                self._store.load(_quads(graph, ntriples), self._ox.RdfFormat.N_QUADS)
            except SyntaxError as e:
                raise StoreError(f"invalid N-Triples for {graph}: {e}") from e
            return
        ops = self._unassert_ops(existing)
        ops.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}}\n{ntriples}\n}}")
        try:
            self._store.update(" ;\n".join(ops))
        except SyntaxError as e:
            raise StoreError(f"invalid N-Triples for {graph}: {e}") from e

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        self._writable()
        ops = self._unassert_ops(sorted(set(graphs)))
        if ops:
            self._store.update(" ;\n".join(ops))

    def dump(self, fmt: str) -> bytes:
        ox = self._ox
        formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                   "trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD}
        if fmt not in formats:
            raise StoreError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
        buf = io.BytesIO()
        if fmt in ("trig", "nq"):
            # the named graphs only: the default graph is their union, a derived copy
            quads = (q for q in self._store if not isinstance(q.graph_name, ox.DefaultGraph))
            ox.serialize(quads, buf, formats[fmt], prefixes=PREFIXES if fmt == "trig" else None)
            return buf.getvalue()
        # Triple formats: the union of all graphs, each triple once.
        triples = self.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
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
                   "graph_store_url": s.sparql_graph_store_url, "default_graph": s.sparql_default_graph, **options}
    if backend == "oxigraph":
        graph_dir = Path(db) / "graph"
        if read_only and not graph_dir.exists():
            raise StoreError(f"no database at {db} (run `budgetkg ingest --db {db} FILES` first)")
        return OxigraphStore(graph_dir, read_only=read_only)
    if backend == "sparql":
        from kg.store_remote import SparqlStore

        return SparqlStore(read_only=read_only, **options)
    raise StoreError(f"unknown store backend {backend!r} (expected oxigraph or sparql)")
