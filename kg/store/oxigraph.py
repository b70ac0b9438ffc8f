"""Embedded on-disk Oxigraph (pyoxigraph): the default store. Its updates are
transactional, which is what makes "a crash mid-ingest leaves the store as it was" hold —
a disclosure's graph is replaced by ONE update (unassert + INSERT DATA), all or nothing."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from pathlib import Path

from kg.store.base import EXPORT_FORMATS, Store, StoreError
from kg.store.union import FORMAT_FILE, MATERIALIZED, insert_both, join_ops, quads_in_both, unassert_ops, with_resync
from ontology.namespace import PREFIXES


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
                self.materialize()

    # --- the materialized default graph ------------------------------------------------
    def _format_path(self) -> Path:
        return self.path / FORMAT_FILE

    def _is_materialized(self) -> bool:
        import json

        try:
            return json.loads(self._format_path().read_text()) == MATERIALIZED
        except (OSError, ValueError):
            return False

    def materialize(self) -> None:
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

    def query(self, sparql: str):
        return self._store.query(sparql, use_default_graph_as_union=self._union_on_the_fly)

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
                self._store.load(quads_in_both(graph, ntriples), self._ox.RdfFormat.N_QUADS)
            except SyntaxError as e:
                raise StoreError(f"invalid N-Triples for {graph}: {e}") from e
            return
        ops = unassert_ops(existing)
        ops.append(insert_both(graph, ntriples))
        try:
            self._store.update(join_ops(ops))
        except SyntaxError as e:
            raise StoreError(f"invalid N-Triples for {graph}: {e}") from e

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        self._writable()
        ops = unassert_ops(sorted(set(graphs)))
        if ops:
            self._store.update(join_ops(ops))

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

    def backup(self, target: str | os.PathLike) -> None:
        """A consistent read-only copy at `target` (a RocksDB checkpoint: hard links, so
        milliseconds), with the layout record, for readers in other processes."""
        import shutil

        if self.path is None:
            raise StoreError("an in-memory store has no files to back up")
        self._store.backup(str(target))
        if self._format_path().exists():
            shutil.copyfile(self._format_path(), Path(target) / FORMAT_FILE)

    def load_nquads(self, data: bytes) -> None:
        """Bulk-load N-Quads as they are (named graphs and default graph), one transaction."""
        self._writable()
        self._store.load(data, self._ox.RdfFormat.N_QUADS)
