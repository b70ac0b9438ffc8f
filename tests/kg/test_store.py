"""The embedded store's layout: one named graph per disclosure, and a default graph that
holds their union as a set (materialized in the same transaction as each write)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.store import FORMAT_FILE, OxigraphStore, StoreError

SHARED = '<http://ex/agency> <http://www.w3.org/2000/01/rdf-schema#label> "某局" .\n'
A = SHARED + '<http://ex/d1> <http://ex/p> "1" .\n'
B = SHARED + '<http://ex/d2> <http://ex/p> "2" .\n'


def objects(store) -> list[str]:
    return sorted(r["o"].value for r in store.query("SELECT ?o WHERE { ?s ?p ?o }"))


def test_a_triple_two_disclosures_assert_reads_once(tmp_path):
    s = OxigraphStore(tmp_path / "graph")
    s.replace_graph("http://ex/d1", A)
    s.replace_graph("http://ex/d2", B)
    assert objects(s) == ["1", "2", "某局"]
    n = s.query("SELECT (COUNT(*) AS ?n) WHERE { ?a <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    assert int(next(iter(n))["n"].value) == 1


def test_dropping_one_disclosure_keeps_what_others_assert(tmp_path):
    s = OxigraphStore(tmp_path / "graph")
    s.replace_graph("http://ex/d1", A)
    s.replace_graph("http://ex/d2", B)
    s.drop_graphs(["http://ex/d1"])
    assert objects(s) == ["2", "某局"]
    s.drop_graphs(["http://ex/d2"])
    assert objects(s) == []


def test_replacing_a_graph_removes_its_old_triples_from_the_union(tmp_path):
    s = OxigraphStore(tmp_path / "graph")
    s.replace_graph("http://ex/d1", A)
    s.replace_graph("http://ex/d1", '<http://ex/d1> <http://ex/p> "new" .\n')
    assert objects(s) == ["new"]
    s.replace_graph("http://ex/d9", '<http://ex/d9> <http://ex/p> "9" .\n', drop=["http://ex/d1"])
    assert objects(s) == ["9"]


def test_a_failed_replace_changes_nothing(tmp_path):
    s = OxigraphStore(tmp_path / "graph")
    s.replace_graph("http://ex/d1", A)
    with pytest.raises(StoreError):
        s.replace_graph("http://ex/d1", '<http://ex/d1> <http://ex/p> "broken .\n')
    assert objects(s) == ["1", "某局"]


def test_quad_exports_hold_named_graphs_only(tmp_path):
    s = OxigraphStore(tmp_path / "graph")
    s.replace_graph("http://ex/d1", A)
    nq = s.dump("nq").decode()
    assert nq.count("\n") == 2 and all(line.endswith("<http://ex/d1> .") for line in nq.splitlines())
    assert s.dump("nt").decode().count("\n") == 2


def test_an_old_layout_database_is_migrated_or_read_as_a_union(tmp_path):
    path = tmp_path / "graph"
    raw = ox.Store(str(path))  # as written before the default graph was materialized
    raw.load(A, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("http://ex/d1"))
    raw.load(B, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("http://ex/d2"))
    raw.flush()
    del raw
    ro = OxigraphStore(path, read_only=True)
    assert set(objects(ro)) == {"1", "2", "某局"}  # on-the-fly union: right answers, no migration
    ro.close()
    del ro
    assert not (path / FORMAT_FILE).exists()
    rw = OxigraphStore(path)
    assert (path / FORMAT_FILE).exists()
    assert objects(rw) == ["1", "2", "某局"]


def test_a_raw_update_keeps_the_default_graph_the_union(tmp_path):
    s = OxigraphStore(tmp_path / "graph")
    s.replace_graph("http://ex/d1", A)
    s.update('INSERT DATA { GRAPH <http://ex/d3> { <http://ex/d3> <http://ex/p> "3" } } ;')
    assert objects(s) == ["1", "3", "某局"]
    s.update('DELETE DATA { GRAPH <http://ex/d1> { <http://ex/d1> <http://ex/p> "1" } }')
    assert objects(s) == ["3", "某局"]
