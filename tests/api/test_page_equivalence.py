"""Entity pages read their subject's own triples once and group, sort and derive in Python
what the store used to (a disclosure's head and totals, its budget lines in order, its
functional chart, what points at a resource, findings across disclosures of its year only).
Each shortcut keeps the store-side query it replaced as its fallback: here every page is
built both ways, the shortcuts taken and every shortcut refused, and the two JSON twins must
be the same. Hand-built graphs hold what the generated corpus does not: several values of
one property (which value SAMPLE picks) and budget lines that tie in the sort order."""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path

import pytest

from api import views
from api.render import UJSONResponse
from api.views.query import terms, val
from kg.store import BKG, open_store

# the package re-exports functions named like some of its modules: the modules by name
disclosure_views, dispatch, entities, findings = (importlib.import_module(f"api.views.{m}")
                                                  for m in ("disclosures", "dispatch", "entities", "findings"))

EX = "https://w3id.org/budgetkg/id/"


def _encode(page: dict) -> dict:
    return json.loads(UJSONResponse(page).body.decode())


@pytest.fixture(scope="module")
def generated_db(tmp_path_factory) -> Path:
    """Ten generated disclosures, and a second printing of two with one figure changed (two
    versions of one disclosure, so pages list findings across disclosures)."""
    from data.generate import generate
    from kg.pipeline import ingest

    corpus = tmp_path_factory.mktemp("equiv_corpus")
    generate(corpus, count=10, seed=7, formats={"txt"})
    extra = corpus / "versions"
    extra.mkdir()
    for f in sorted((corpus / "txt").glob("*.txt"))[:2]:
        text = f.read_text(encoding="utf-8")
        total = next(tok for tok in text.split() if tok.count(".") == 1 and tok.replace(".", "").isdigit()
                     and len(tok.split(".")[1]) == 2)
        shutil.copy(f, extra / f.name)
        (extra / f.name).write_text(text.replace(total, total[:-1] + ("1" if total[-1] != "1" else "2")), encoding="utf-8")
        (extra / f.name).rename(extra / ("v2_" + f.name))
    db = tmp_path_factory.mktemp("equiv_db")
    store = open_store(db, backend="oxigraph")
    try:
        results = ingest([corpus / "txt", extra], db, store, workers=1)
    finally:
        store.close()
    assert not [r.error for r in results if r.status == "failed"]
    return db


def _pages(store, per_type: int = 6) -> list[str]:
    by_type: dict[str, list[str]] = {}
    for r in terms(store, "SELECT DISTINCT ?t ?x WHERE { ?x a ?t FILTER(isIRI(?x)) }"):
        by_type.setdefault(r["t"]["value"], []).append(r["x"]["value"])
    whole = {BKG + "Agency", BKG + "Policy", BKG + "Disclosure"}
    return sorted({x for t, xs in by_type.items() for x in (sorted(xs) if t in whole else sorted(xs)[:per_type])})


def _without_shortcuts(monkeypatch) -> None:
    monkeypatch.setattr(dispatch, "complete", lambda rows: False)  # the type read by its own query
    monkeypatch.setattr(disclosure_views, "complete", lambda rows: False)  # head and totals by SAMPLE
    monkeypatch.setattr(disclosure_views, "_order_key", lambda row, columns: None)  # lines grouped, sorted by the store
    monkeypatch.setattr(entities, "all_incoming", lambda store, iri, limit: None)  # FILTER(isIRI) and COUNT
    cross = findings.cross_findings
    monkeypatch.setattr(findings, "cross_findings", lambda store, agency=None, involving=None: cross(store, agency=agency))


def _both_ways(store, iris, monkeypatch) -> tuple[dict, dict]:
    fast = {i: _encode(views.entity(store, i)) for i in iris}
    with monkeypatch.context() as m:
        _without_shortcuts(m)
        slow = {i: _encode(views.entity(store, i)) for i in iris}
    return fast, slow


def test_every_page_of_a_generated_corpus_is_the_same_without_the_shortcuts(generated_db, monkeypatch):
    store = open_store(generated_db, read_only=True, backend="oxigraph")
    iris = _pages(store)
    fast, slow = _both_ways(store, iris, monkeypatch)
    kinds = {p["page"] for p in fast.values()}
    assert {"disclosure", "agency", "policy", "resource"} <= kinds
    # the corpus exercises what the shortcuts replace: findings across two versions, charts
    assert any(f.get("other") for p in fast.values() for f in p.get("findings") or [])
    assert any(p.get("charts") for p in fast.values() if p["page"] == "disclosure")
    assert [i for i in iris if fast[i] != slow[i]] == []


D = EX + "disclosure/equiv-d"
TTL = f"""
@prefix bkg: <{BKG}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{D}> a bkg:Disclosure ; bkg:sourceFile "b.txt", "a.txt", "c.txt" ; bkg:fiscalYear 2024, 2023 ;
    bkg:documentKind "budget" ; bkg:reportingAgency <{EX}agency/eq1>, <{EX}agency/eq2> ;
    bkg:totalIncome 100.5 ; bkg:totalExpenditure 99.25 .
<{EX}agency/eq1> a bkg:Agency ; rdfs:label "乙单位", "甲单位" .
<{EX}agency/eq2> a bkg:Agency ; rdfs:label "丙单位", "丁单位", "戊单位" .
<{EX}concept/f/201> skos:notation "201" ; skos:prefLabel "一般公共服务支出" ; skos:inScheme bkg:FunctionalClassification .
<{EX}concept/f/20101> skos:notation "20101" ; skos:prefLabel "人大事务" ; skos:inScheme bkg:FunctionalClassification .
<{EX}concept/e/301> skos:notation "301" ; skos:prefLabel "工资福利支出" ; skos:inScheme bkg:EconomicClassification .
<{EX}concept/x> skos:prefLabel "无编码" .
<{EX}line/1> a bkg:BudgetLine ; bkg:disclosure <{D}> ; bkg:classification <{EX}concept/f/20101> ; bkg:amount 5.0 .
<{EX}line/2> a bkg:BudgetLine ; bkg:disclosure <{D}> ; bkg:classification <{EX}concept/f/201> ; bkg:amount 7.0 ;
    bkg:figureType "budget" .
<{EX}line/3> a bkg:BudgetLine ; bkg:disclosure <{D}> ; bkg:classification <{EX}concept/e/301> ; bkg:amount 3.0 .
<{EX}line/4> a bkg:BudgetLine ; bkg:disclosure <{D}> ; bkg:classification <{EX}concept/x> ; bkg:figureType "outturn" .
<{EX}line/5> a bkg:BudgetLine ; bkg:disclosure <{D}> ; bkg:amount 1.0 .
"""
TIES = f"""
@prefix bkg: <{BKG}> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{EX}line/6> a bkg:BudgetLine ; bkg:disclosure <{D}> ; bkg:classification <{EX}concept/f/201> ; bkg:amount 8.0 ;
    bkg:figureType "budget" .
"""
SEVERAL = f"""
@prefix bkg: <{BKG}> .
<{EX}line/5> bkg:amount 2.0 .
"""


def _store(tmp_path: Path, *ttls: str):
    import pyoxigraph as ox

    store = open_store(tmp_path, backend="oxigraph")
    for n, ttl in enumerate(ttls):
        triples = ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE)
        store.replace_graph(f"{EX}graph/{n}", "".join(f"{t} .\n" for t in triples))
    return store


def test_head_is_what_sample_gives_where_a_property_has_several_values(tmp_path):
    store = _store(tmp_path, TTL)
    try:
        subject = entities.subject_rows(store, D)
        labels = entities.labels_with_props(store, [r["o"]["value"] for r in subject if r["o"]["type"] == "uri"])
        head, money = disclosure_views._head(store, D, subject, labels)
        ref_head, ref_money = disclosure_views._head_query(store, D)
        assert {k: val(v) for k, v in head.items()} == {k: val(v) for k, v in ref_head.items() if v is not None}
        assert head["agencyLabel"]  # the agency's label is read from the page's labels
        assert sorted((r["p"]["value"], val(r["v"])) for r in money) == sorted((r["p"]["value"], val(r["v"]))
                                                                               for r in ref_money)
    finally:
        store.close()


@pytest.mark.parametrize("extra", [(), (TIES,), (SEVERAL,)], ids=["sorted-here", "tied-lines", "several-amounts"])
def test_budget_lines_and_chart_are_what_the_store_gives(tmp_path, extra):
    store = _store(tmp_path, TTL, *extra)
    try:
        lines, single = disclosure_views._budget_lines(store, D)
        ref = terms(store, disclosure_views.LINES.format(iri=D) + " ORDER BY ?scheme ?notation ?figure LIMIT 2000")
        assert single == (not extra)  # ties and several values are left to the store
        if not extra:
            # unbound before IRIs before strings, by code point: the store's order, exactly
            assert lines == ref
        else:
            assert sorted(map(repr, lines)) == sorted(map(repr, ref))
        for kind in ("budget", "final_account", None):
            want = disclosure_views.functional_lines(store, {D: kind}).get(D, {})
            if single:
                assert disclosure_views.own_functional_lines(lines, kind) == want
    finally:
        store.close()


def test_a_disclosure_page_asks_the_store_fewer_questions(generated_db, monkeypatch):
    """Its own triples serve its type, head and totals, and what points at it is read once:
    at least four questions fewer a page than with the shortcuts refused."""
    store = open_store(generated_db, read_only=True, backend="oxigraph")
    ds = [r["d"]["value"] for r in terms(store, "SELECT ?d WHERE { ?d a bkg:Disclosure } ORDER BY ?d")]
    asked: list[str] = []
    query = store.query
    monkeypatch.setattr(store, "query", lambda sparql, *a, **k: asked.append(sparql) or query(sparql, *a, **k),
                        raising=False)

    def count() -> int:
        asked.clear()
        for d in ds:
            views.entity(store, d)
        return len(asked)

    fast = count()
    with monkeypatch.context() as m:
        _without_shortcuts(m)
        slow = count()
    assert fast <= slow - 4 * len(ds), (fast, slow)
