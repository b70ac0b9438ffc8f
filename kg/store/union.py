"""The default graph as the union of the disclosure graphs, kept by budgetkg itself (a set,
written in the same transaction as the named graphs). Both backends build their SPARQL
updates from these pieces, so the embedded store and a remote server hold the same data.

Why materialize: Oxigraph's on-the-fly union (`use_default_graph_as_union`) scans every
quad index and repeats a shared triple once per graph holding it — joins multiply and
simple queries took seconds at 100 disclosures (docs/scale.md) — whereas a default graph
written as a set is indexed like any other graph.
"""

from __future__ import annotations

from kg.store.base import StoreError

FORMAT_FILE = "graph-format.json"
MATERIALIZED = {"default_graph": "materialized-union", "version": 1}

# A raw update says what it writes, usually to named graphs; the derived default graph is
# brought back to their union in the same transaction. It costs a pass over the dataset,
# which is fine for the rare hand-made update (ingest never comes here).
RESYNC_OPS = ("DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }",
              "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def unassert_ops(graphs: list[str]) -> list[str]:
    """SPARQL update operations removing `graphs` from the dataset: their triples leave
    the default graph unless another named graph still asserts them."""
    if not graphs:
        return []
    values = " ".join(f"<{g}>" for g in graphs)
    gone = ", ".join(f"<{g}>" for g in graphs)
    return [f"DELETE {{ ?s ?p ?o }} WHERE {{ VALUES ?old {{ {values} }} GRAPH ?old {{ ?s ?p ?o }} "
            f"FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER (?other NOT IN ({gone})) }} }}"] + \
           [f"DROP SILENT GRAPH <{g}>" for g in graphs]


def insert_both(graph: str, ntriples: str) -> str:
    """INSERT DATA putting the triples in `graph` and in the default graph."""
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{ntriples}\n}}\n{ntriples}\n}}"


def join_ops(ops: list[str]) -> str:
    """One update request of several operations. The separator starts on a new line, so a
    `# comment` ending one operation cannot swallow it."""
    return "\n;\n".join(ops)


def with_resync(update: str) -> str:
    """The update followed by the operations that bring the default graph back to the
    union of the named graphs, in one request."""
    return join_ops([update.rstrip().rstrip(";"), *RESYNC_OPS])


def quads_in_both(graph: str, ntriples: str) -> str:
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
