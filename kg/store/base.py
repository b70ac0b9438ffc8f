"""The store interface every backend implements, and what the rest of budgetkg reads from
it (`documents()`, `select()`): one named graph per disclosure, the default graph their
union."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass

from ontology.namespace import NS as BKG

EXPORT_FORMATS = {"turtle": "ttl", "nt": "nt", "trig": "trig", "jsonld": "jsonld", "nq": "nq"}


@dataclass(frozen=True)
class StoredDocument:
    graph: str  # named graph IRI (= the disclosure IRI)
    source_file: str
    sha256: str


class StoreError(Exception):
    """A store that cannot be opened, read or written, said in one line."""


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
        rows: dict[str, int] = {}
        for d in docs:
            rows[d.graph] = rows.get(d.graph, 0) + 1
        several = sorted(g for g, n in rows.items() if n > 1)
        if several:
            # a disclosure read from several files (kg.publication): the join above pairs every
            # name with every sha256; its bkg:PublicationFile nodes pair them right
            pairs = self.file_pairs(several)
            paired = {d.graph for d in pairs}
            docs = [d for d in docs if d.graph not in paired] + pairs
        return sorted(docs, key=lambda d: (d.source_file, d.graph))

    def file_pairs(self, graphs: list[str]) -> list[StoredDocument]:
        """(graph, file, sha256) of each file of the named disclosures, from their bkg:PublicationFile nodes."""
        values = " ".join(f"<{g}>" for g in graphs)
        q = f"""SELECT ?g ?f ?s WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{
                 ?g <{BKG}hasFile> ?n . ?n <{BKG}fileName> ?f ; <{BKG}fileSha256> ?s }} }}"""
        return [StoredDocument(str(r["g"].value), str(r["f"].value), str(r["s"].value)) for r in self.query(q)]

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
