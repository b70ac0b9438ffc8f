"""One test suite, every store backend: the embedded Oxigraph, and a real Oxigraph server
through SPARQL 1.1 Protocol (+ Graph Store Protocol). Graphs are hand-made N-Triples so
the store is tested on its own; the pipeline test uses the real readers."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.store import BKG, ID, StoreError

XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def disclosure(name: str, sha: str, items: int, agency: str = "a1", version: int = 0) -> tuple[str, str]:
    """(graph IRI, N-Triples) of a small disclosure graph with `items` amounts and a shared agency."""
    g = f"{ID}disclosure/{name}"
    lines = [
        f"<{g}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{BKG}Disclosure> .",
        f'<{g}> <{BKG}sourceFile> "{name}.txt" .',
        f'<{g}> <{BKG}sha256> "{sha}" .',
        f"<{g}> <{BKG}agency> <{ID}agency/{agency}> .",
        f'<{ID}agency/{agency}> <{RDFS}label> "机构{agency}" .',
    ]
    for i in range(items):
        it = f"{ID}item/{name}/{i}"
        lines += [
            f"<{it}> <{BKG}disclosure> <{g}> .",
            f'<{it}> <{BKG}amount> "{i * 100 + version}.25"^^<{XSD}decimal> .',
            f'<{it}> <{BKG}rank> "{i}"^^<{XSD}integer> .',
            f'<{it}> <{RDFS}label> "项目{i} v{version}" .',
            f"<{it}> <{BKG}part> _:b{i} .",
            f'_:b{i} <{RDFS}label> "blank {i}" .',
        ]
    return g, "\n".join(lines) + "\n"


def canonical(store) -> list[str]:
    """The store's dataset with blank nodes canonicalized (a server may relabel them)."""
    import pyoxigraph as ox

    ds = ox.Dataset(ox.parse(store.dump("nq"), ox.RdfFormat.N_QUADS))
    ds.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted(str(q) for q in ds)


def count_in(store, graph: str) -> int:
    rows = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return rows[0]["n"]


def test_documents_lists_each_disclosure(make_store):
    st = make_store()
    assert st.documents() == []
    for name, sha in [("b", "2" * 64), ("a", "1" * 64)]:
        g, nt = disclosure(name, sha, 3)
        st.replace_graph(g, nt)
    docs = st.documents()
    assert [(d.source_file, d.sha256) for d in docs] == [("a.txt", "1" * 64), ("b.txt", "2" * 64)]
    assert docs[0].graph == f"{ID}disclosure/a"
    assert st.triple_count() == 2 * (5 + 3 * 6)


def test_replace_swaps_the_whole_graph(make_store):
    st = make_store()
    g, nt = disclosure("a", "1" * 64, 5)
    st.replace_graph(g, nt)
    g2, nt2 = disclosure("a", "3" * 64, 2, version=7)
    st.replace_graph(g2, nt2)
    assert count_in(st, g) == 5 + 2 * 6
    assert [d.sha256 for d in st.documents()] == ["3" * 64]
    labels = {r["l"] for r in st.select(f"SELECT ?l WHERE {{ ?i <{BKG}disclosure> ?d ; <{RDFS}label> ?l }}")}
    assert labels == {"项目0 v7", "项目1 v7"}


def test_replace_moves_a_disclosure_to_a_new_graph_and_drops_the_old(make_store):
    st = make_store()
    old, nt = disclosure("a", "1" * 64, 2)
    st.replace_graph(old, nt)
    new, nt2 = disclosure("a2", "2" * 64, 1)
    st.replace_graph(new, nt2, drop=[old])
    assert count_in(st, old) == 0
    assert [d.graph for d in st.documents()] == [new]


def test_failed_replace_leaves_the_old_graph(make_store):
    st = make_store()
    g, nt = disclosure("a", "1" * 64, 4)
    st.replace_graph(g, nt)
    before = canonical(st)
    bad = disclosure("a", "9" * 64, 4, version=1)[1] + "<http://x/s> <http://x/p> not-a-term .\n"
    with pytest.raises(StoreError):
        st.replace_graph(g, bad)
    assert canonical(st) == before
    # ... and a failed load of a brand-new graph (the bulk path) leaves no trace either
    with pytest.raises(StoreError):
        st.replace_graph(f"{ID}disclosure/new", bad)
    assert canonical(st) == before
    assert [d.sha256 for d in st.documents()] == ["1" * 64]


def test_readers_never_see_a_half_replaced_graph(make_store, backend):
    """Replace a graph over and over while another thread counts it: every count a reader
    sees is the old size or the new size, never empty and never in between."""
    st = make_store()
    small = disclosure("a", "1" * 64, 20)
    big = disclosure("a", "2" * 64, 200, version=1)
    sizes = {5 + 20 * 6, 5 + 200 * 6}
    st.replace_graph(*small)
    reader = st if backend == "oxigraph" else make_store()  # a second HTTP client for the server
    seen: set[int] = set()
    stop = threading.Event()
    errors: list[BaseException] = []

    def read():
        try:
            while not stop.is_set():
                seen.add(count_in(reader, small[0]))
        except BaseException as e:  # noqa: BLE001 - surfaced below
            errors.append(e)

    t = threading.Thread(target=read)
    t.start()
    try:
        for i in range(12):
            st.replace_graph(*(big if i % 2 == 0 else small))
    finally:
        stop.set()
        t.join(timeout=60)
    assert not errors, errors
    assert seen and seen <= sizes, seen


def test_drop_keeps_what_other_graphs_assert(make_store):
    st = make_store()
    ga, nta = disclosure("a", "1" * 64, 2, agency="shared")
    gb, ntb = disclosure("b", "2" * 64, 2, agency="shared")
    st.replace_graph(ga, nta)
    st.replace_graph(gb, ntb)
    st.drop_graphs([ga])
    assert [d.source_file for d in st.documents()] == ["b.txt"]
    assert st.select(f"SELECT ?l WHERE {{ <{ID}agency/shared> <{RDFS}label> ?l }}") == [{"l": "机构shared"}]
    st.drop_graphs([gb])
    assert st.triple_count() == 0
    st.drop_graphs([])  # nothing to do is not an error


def test_select_returns_python_values(make_store):
    st = make_store()
    st.replace_graph(*disclosure("a", "1" * 64, 2))
    rows = st.select(f"""SELECT ?i ?amount ?rank ?label ?missing ?ok WHERE {{
        ?i <{BKG}amount> ?amount ; <{BKG}rank> ?rank ; <{RDFS}label> ?label .
        OPTIONAL {{ ?i <{BKG}nothing> ?missing }} BIND(true AS ?ok) }} ORDER BY ?rank""")
    assert rows == [
        {"i": f"{ID}item/a/0", "amount": Decimal("0.25"), "rank": 0, "label": "项目0 v0", "missing": None, "ok": True},
        {"i": f"{ID}item/a/1", "amount": Decimal("100.25"), "rank": 1, "label": "项目1 v0", "missing": None, "ok": True},
    ]
    assert isinstance(rows[0]["amount"], Decimal)
    total = st.select(f"SELECT (SUM(?a) AS ?t) WHERE {{ ?i <{BKG}amount> ?a }}")
    assert total == [{"t": Decimal("100.50")}]


def test_query_ask_and_construct(make_store):
    st = make_store()
    st.replace_graph(*disclosure("a", "1" * 64, 1))
    assert bool(st.query(f"ASK {{ ?d a <{BKG}Disclosure> }}")) is True
    assert bool(st.query(f"ASK {{ ?d a <{BKG}Nothing> }}")) is False
    triples = list(st.query(f"CONSTRUCT {{ ?d ?p ?o }} WHERE {{ ?d a <{BKG}Disclosure> ; ?p ?o }}"))
    assert len(triples) == 4
    assert {str(t.predicate.value) for t in triples} >= {f"{BKG}sourceFile", f"{BKG}sha256"}


def test_dump_round_trips_in_every_format(make_store):
    st = make_store()
    ga, nta = disclosure("a", "1" * 64, 3, agency="shared")
    gb, ntb = disclosure("b", "2" * 64, 2, agency="shared")
    st.replace_graph(ga, nta)
    st.replace_graph(gb, ntb)
    expected = rdflib.Dataset()
    expected.graph(rdflib.URIRef(ga)).parse(data=nta, format="nt")
    expected.graph(rdflib.URIRef(gb)).parse(data=ntb, format="nt")
    got = rdflib.Dataset()
    got.parse(data=st.dump("nq").decode(), format="nquads")
    for g in (ga, gb):
        assert isomorphic(got.graph(rdflib.URIRef(g)), expected.graph(rdflib.URIRef(g)))
    trig = rdflib.Dataset()
    trig.parse(data=st.dump("trig").decode(), format="trig")
    assert isomorphic(trig.graph(rdflib.URIRef(ga)), expected.graph(rdflib.URIRef(ga)))
    union = rdflib.Graph().parse(data=nta, format="nt") + rdflib.Graph().parse(data=ntb, format="nt")
    # the shared agency label is asserted twice but exported once in the triple formats
    for fmt, parse_as in [("nt", "nt"), ("turtle", "turtle"), ("jsonld", "json-ld")]:
        g = rdflib.Graph().parse(data=st.dump(fmt).decode(), format=parse_as)
        assert isomorphic(g, union), fmt
    with pytest.raises(StoreError):
        st.dump("xml")


def test_read_only_store_refuses_writes(make_store):
    st = make_store()
    st.replace_graph(*disclosure("a", "1" * 64, 1))
    st.close()
    ro = make_store(read_only=True)
    assert len(ro.documents()) == 1
    with pytest.raises(StoreError, match="read-only"):
        ro.replace_graph(*disclosure("b", "2" * 64, 1))
    with pytest.raises(StoreError, match="read-only"):
        ro.drop_graphs([f"{ID}disclosure/a"])


def test_idempotent_reingest_through_the_pipeline(make_store, corpus_txt, tmp_path):
    """The real pipeline (readers + graph extraction) against each backend: a second ingest
    of the same files changes nothing; every backend holds the same graph."""
    from kg.pipeline import ingest

    db = tmp_path / "db"
    st = make_store(db)
    first = ingest(corpus_txt[:2], db, st, workers=1)
    assert [r.status for r in first] == ["added", "added"], [r.error for r in first]
    before = canonical(st)
    count = st.triple_count()
    assert count == sum(r.triples for r in first) > 0
    again = ingest(corpus_txt[:2], db, st, workers=1)
    assert [r.status for r in again] == ["unchanged", "unchanged"]
    assert st.triple_count() == count
    assert canonical(st) == before
    # the same two files through the embedded store give an isomorphic dataset
    from kg.store import open_store

    ref_db = tmp_path / "ref"
    ref = open_store(ref_db, backend="oxigraph")
    try:
        ingest(corpus_txt[:2], ref_db, ref, workers=1)
        a = rdflib.Graph().parse(data=st.dump("nt").decode(), format="nt")
        b = rdflib.Graph().parse(data=ref.dump("nt").decode(), format="nt")
        assert isomorphic(a, b)
    finally:
        ref.close()


def test_open_store_reads_the_backend_from_settings(monkeypatch, tmp_path, oxigraph_server):
    from kg.store import open_store
    from kg.store.remote import SparqlStore

    monkeypatch.setenv("BUDGETKG_STORE_BACKEND", "sparql")
    monkeypatch.setenv("BUDGETKG_SPARQL_QUERY_URL", oxigraph_server.query_url)
    monkeypatch.setenv("BUDGETKG_SPARQL_UPDATE_URL", oxigraph_server.update_url)
    st = open_store(tmp_path)
    try:
        assert isinstance(st, SparqlStore) and st.graph_store_url is None
        assert st.triple_count() >= 0
    finally:
        st.close()
    monkeypatch.setenv("BUDGETKG_STORE_BACKEND", "nosuch")
    with pytest.raises(StoreError, match="unknown store backend"):
        open_store(tmp_path)


def test_unreachable_endpoint_is_a_clear_error():
    from kg.store.remote import SparqlStore

    st = SparqlStore("http://127.0.0.1:9/query", "http://127.0.0.1:9/update", timeout_s=2)
    with pytest.raises(StoreError, match="cannot reach"):
        st.documents()
    with pytest.raises(StoreError, match="needs a query endpoint"):
        SparqlStore("", None)
