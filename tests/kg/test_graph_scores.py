"""Extraction quality floors, measured with the project's own yardstick
(../shared/eval/score_graph.py) on the exported graphs of the shared corpora, plus SHACL
validation of the whole text-corpus graph."""

import importlib.util
import json

import pytest
import rdflib

from kg.store import open_store


def _scorer(shared):
    spec = importlib.util.spec_from_file_location("score_graph", shared / "eval" / "score_graph.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _export(db) -> rdflib.Graph:
    store = open_store(db, read_only=True)
    try:
        data = store.dump("nt")
    finally:
        store.close()
    g = rdflib.Graph()
    g.parse(data=data.decode("utf-8"), format="nt")
    return g


def _scores(shared, db, gold_dir):
    sg = _scorer(shared)
    g = _export(db)
    results = [sg.score_doc(g, json.loads(p.read_text(encoding="utf-8"))) for p in sorted(gold_dir.glob("*.json"))]
    assert results, f"no gold in {gold_dir}"
    per_cat: dict[str, list[float]] = {}
    for r in results:
        assert r["found"], f"{r['doc']}: no disclosure in the graph"
        for name, c in r["categories"].items():
            per_cat.setdefault(name, []).append(c["f"])
    fs = [f for v in per_cat.values() for f in v]
    return sum(fs) / len(fs), {k: sum(v) / len(v) for k, v in per_cat.items()}, results


def _detail(results):
    return "; ".join(f"{r['doc']} {k} {c['f']:.2f} {c['detail']}" for r in results
                     for k, c in r["categories"].items() if c["f"] < 1)


def test_text_corpus_scores(shared, txt_db):
    macro, cats, results = _scores(shared, txt_db, shared / "eval" / "gold")
    assert macro >= 0.95, _detail(results)
    assert min(cats.values()) >= 0.85, (cats, _detail(results))


def test_pdf_corpus_scores(shared, pdf_db):
    macro, cats, results = _scores(shared, pdf_db, shared / "eval" / "gold")
    assert macro >= 0.93, _detail(results)


def test_published_pdfs_score(shared, real_db):
    macro, cats, results = _scores(shared, real_db, shared / "eval" / "gold_real")
    assert macro >= 0.90, _detail(results)


def test_published_template_is_not_an_agency(real_db):
    store = open_store(real_db, read_only=True)
    try:
        rows = store.select("""PREFIX bkg: <https://w3id.org/budgetkg/def#>
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT DISTINCT ?l WHERE { ?a a bkg:Agency ; rdfs:label ?l FILTER(CONTAINS(?l, "XX")) }""")
        tpl = store.select("""PREFIX bkg: <https://w3id.org/budgetkg/def#>
            SELECT ?d ?inc WHERE { ?d bkg:isTemplate true OPTIONAL { ?d bkg:totalIncome ?inc } }""")
    finally:
        store.close()
    assert rows == []
    assert len(tpl) == 1 and tpl[0]["inc"] is None


def test_text_graph_conforms_to_shapes(txt_db):
    from pathlib import Path

    import pyshacl

    onto = Path(__file__).resolve().parents[2] / "ontology"
    shapes = rdflib.Graph().parse(onto / "shapes.ttl")
    ont = rdflib.Graph().parse(onto / "budget.ttl")
    conforms, _, text = pyshacl.validate(_export(txt_db), shacl_graph=shapes, ont_graph=ont, inference="none")
    assert conforms, text[:4000]


@pytest.mark.parametrize("bad", [
    '<https://w3id.org/budgetkg/id/x> a <https://w3id.org/budgetkg/def#Policy> ; '
    '<https://w3id.org/budgetkg/def#documentNumber> "财社【2016】101 号" .',
    '<https://w3id.org/budgetkg/id/x> a <https://w3id.org/budgetkg/def#Disclosure> ; '
    '<https://w3id.org/budgetkg/def#sourceFile> "a.txt" ; <https://w3id.org/budgetkg/def#sha256> "'
    + "0" * 64 + '" ; <https://w3id.org/budgetkg/def#documentKind> "budget" ; '
    '<https://w3id.org/budgetkg/def#totalIncome> "-5"^^<http://www.w3.org/2001/XMLSchema#decimal> .',
])
def test_shapes_reject_bad_data(bad):
    from pathlib import Path

    import pyshacl

    onto = Path(__file__).resolve().parents[2] / "ontology"
    shapes = rdflib.Graph().parse(onto / "shapes.ttl")
    g = rdflib.Graph().parse(data=bad, format="turtle")
    conforms, _, _ = pyshacl.validate(g, shacl_graph=shapes, inference="none")
    assert not conforms
