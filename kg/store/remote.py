"""A remote RDF store behind the same `Store` interface: any SPARQL 1.1 server.

Reads go through the SPARQL 1.1 Protocol (POST form `query=`), writes through SPARQL 1.1
Update (POST form `update=`), and — when a Graph Store Protocol URL is configured — a
brand-new disclosure graph is loaded with one Graph Store PUT of its N-Triples, which the
server parses natively instead of parsing a long INSERT DATA.

Atomicity, as for the embedded store: a disclosure that already has a graph is replaced by
ONE SPARQL update (DROP + INSERT DATA), which SPARQL 1.1 servers run as a single
transaction, so readers see the old graph or the new one, never a half. A Graph Store PUT
is used only for a graph that does not exist yet (Oxigraph server implements PUT as
"clear, then load", two steps, so it is not a safe *replace*).

Results are parsed with pyoxigraph's own parsers, so `query()` returns the same objects
as `OxigraphStore.query()` (QuerySolutions / QueryBoolean; a list of Triples for
CONSTRUCT/DESCRIBE) and the shared helpers (`documents()`, `select()`) work unchanged.

Queries must see the union of the named graphs as the default graph. With
`default_graph="materialized"` (the default) budgetkg keeps it, as the embedded store
does: every write also puts the triples in the default graph and takes out those no other
graph asserts, in the same update request. That is right on any server, and fast on
Oxigraph server, whose `--union-default-graph` scans the quad indexes on every query and
returns a bag (a triple once per graph holding it). With `default_graph="server"` the
server provides the union (TDB2 `unionDefaultGraph`, QLever; docs/scale.md) and the second
copy is not written.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import httpx

from kg.store.base import Store, StoreError
from kg.store.oxigraph import OxigraphStore
from kg.store.union import insert_both, join_ops, unassert_ops, with_resync

RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
NQUADS = "application/n-quads"
# One Accept header for any query form: servers pick the results format for SELECT/ASK
# and the graph format for CONSTRUCT/DESCRIBE.
QUERY_ACCEPT = f"{RESULTS_JSON}, {NTRIPLES};q=0.9"


class SparqlStore(Store):
    """A SPARQL 1.1 server (Oxigraph server, Fuseki, QLever, GraphDB, …) as the graph store."""

    def __init__(self, query_url: str, update_url: str | None = None, graph_store_url: str | None = None,
                 read_only: bool = False, timeout_s: float = 30.0, write_timeout_s: float = 600.0,
                 client: httpx.Client | None = None, default_graph: str = "materialized"):
        if not query_url:
            raise StoreError("store_backend=sparql needs a query endpoint (BUDGETKG_SPARQL_QUERY_URL)")
        if not read_only and not update_url:
            raise StoreError("writing to a SPARQL store needs an update endpoint (BUDGETKG_SPARQL_UPDATE_URL)")
        if default_graph not in ("server", "materialized"):
            raise StoreError(f"sparql_default_graph must be server or materialized, not {default_graph!r}")
        self.materialized = default_graph == "materialized"
        self.query_url = query_url
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        self.read_only = read_only
        self.timeout_s = timeout_s
        self.write_timeout_s = write_timeout_s
        self._client = client or httpx.Client(timeout=timeout_s)

    # --- HTTP ----------------------------------------------------------------------
    def _send(self, method: str, url: str, what: str, timeout: float, **kw) -> httpx.Response:
        if self._client is None:
            raise StoreError("the store is closed")
        try:
            r = self._client.request(method, url, timeout=timeout, **kw)
        except httpx.TimeoutException as e:
            raise StoreError(f"{what}: {url} did not answer within {timeout:g} s") from e
        except httpx.HTTPError as e:
            raise StoreError(f"{what}: cannot reach {url} ({type(e).__name__}: {e})") from e
        if r.status_code >= 400:
            detail = " ".join(r.text.split())[:300]
            raise StoreError(f"{what} failed: HTTP {r.status_code} from {url}: {detail}")
        return r

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("the store was opened read-only")

    def update(self, sparql: str) -> None:
        """One SPARQL 1.1 Update request (one transaction on the server). With a
        materialized default graph it is brought back to the union in the same request."""
        self._writable()
        if self.materialized:
            sparql = with_resync(sparql)
        self._post_update(sparql)

    def _post_update(self, sparql: str) -> None:
        self._send("POST", self.update_url, "SPARQL update", self.write_timeout_s,
                   data={"update": sparql})

    # --- Store interface -----------------------------------------------------------
    def query(self, sparql: str):
        import pyoxigraph as ox

        r = self._send("POST", self.query_url, "SPARQL query", self.timeout_s,
                       data={"query": sparql}, headers={"Accept": QUERY_ACCEPT})
        ctype = r.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if ctype in (RESULTS_JSON, "application/json"):
                return ox.parse_query_results(r.content, ox.QueryResultsFormat.JSON)
            if ctype == "application/sparql-results+xml":
                return ox.parse_query_results(r.content, ox.QueryResultsFormat.XML)
            fmt = ox.RdfFormat.from_media_type(ctype) if ctype else None
            if fmt is None:
                raise StoreError(f"SPARQL query: unexpected content type {ctype!r} from {self.query_url}")
            return [q.triple for q in ox.parse(r.content, fmt)]
        except SyntaxError as e:
            raise StoreError(f"SPARQL query: unreadable answer from {self.query_url}: {e}") from e

    def has_graph(self, graph: str) -> bool:
        return bool(self.query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))

    def replace_graph(self, graph: str, ntriples: str, drop: Iterable[str] = ()) -> None:
        self._writable()
        targets = {graph, *drop}
        if self.materialized:
            # one request: unassert the old graphs, then the triples into the graph and
            # into the default graph (no Graph Store PUT: it cannot write both at once)
            ops = unassert_ops(sorted(targets))
            ops.append(insert_both(graph, ntriples))
            self._post_update(join_ops(ops))
            return
        if self.graph_store_url and not any(self.has_graph(g) for g in targets):
            # Nothing to replace: the Graph Store PUT is the bulk path (native N-Triples parse).
            self._send("PUT", self.graph_store_url, "Graph Store PUT", self.write_timeout_s,
                       params={"graph": graph}, content=ntriples.encode("utf-8"),
                       headers={"Content-Type": NTRIPLES})
            return
        ops = [f"DROP SILENT GRAPH <{g}>" for g in sorted(targets)]
        ops.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}} }}")
        self._post_update(join_ops(ops))

    def drop_graphs(self, graphs: Iterable[str]) -> None:
        self._writable()
        graphs = sorted(set(graphs))
        ops = unassert_ops(graphs) if self.materialized else [f"DROP SILENT GRAPH <{g}>" for g in graphs]
        if ops:
            self._post_update(join_ops(ops))

    def _nquads(self) -> bytes:
        """The whole dataset as N-Quads: one Graph Store GET where possible, else a query."""
        if self.graph_store_url:
            r = self._send("GET", self.graph_store_url, "Graph Store GET", self.write_timeout_s,
                           headers={"Accept": NQUADS})
            if r.headers.get("content-type", "").split(";")[0].strip().lower() == NQUADS:
                return r.content
        import pyoxigraph as ox

        res = self.query("SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        quads = [ox.Quad(s["s"], s["p"], s["o"], s["g"]) for s in res]
        buf = io.BytesIO()
        ox.serialize(quads, buf, ox.RdfFormat.N_QUADS)
        return buf.getvalue()

    def dump(self, fmt: str) -> bytes:
        # Serialize through an in-memory Oxigraph so both backends export byte-compatible
        # files (same prefixes, same union semantics for triple formats).

        local = OxigraphStore(None)
        try:
            local.load_nquads(self._nquads())
            local.materialize()
            return local.dump(fmt)
        finally:
            local.close()

    def triple_count(self) -> int:
        res = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(res))["n"].value)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
