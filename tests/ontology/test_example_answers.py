"""The example queries are written for speed at scale (subqueries that Oxigraph hash-joins,
top-N computed before the details are looked up, one pass instead of a self-join). These
tests check that the tricks do not change the answers: each is recomputed in Python from
plain, obviously-correct queries on a generated corpus."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from tests.generated import generated_db

ROOT = Path(__file__).resolve().parents[2]
Q = ROOT / "ontology" / "queries"
P = """PREFIX bkg: <https://w3id.org/budgetkg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """30 generated disclosures: agencies recur across years and kinds, so year-over-year
    and budget-vs-outturn pairs exist."""
    from kg.store import open_store

    db = generated_db(tmp_path_factory.mktemp("answers"), count=30, seed=7)
    st = open_store(db, read_only=True)
    yield st
    st.close()


def run(store, name: str) -> list[dict]:
    return store.select((Q / name).read_text(encoding="utf-8"))


def default_agency(store) -> str:
    """The agency the agency-scoped examples pick by default: the reporting agency of the
    disclosure with the largest total expenditure."""
    rows = store.select(P + "SELECT ?d ?x ?a WHERE { ?d bkg:totalExpenditure ?x ; bkg:reportingAgency ?a }")
    return max(rows, key=lambda r: r["x"])["a"]


def test_functional_lines_year_over_year(store):
    a = default_agency(store)
    plain = store.select(P + f"""SELECT ?code ?table ?kind ?year ?amount WHERE {{
        ?d bkg:reportingAgency <{a}> ; bkg:fiscalYear ?year ; bkg:documentKind ?kind .
        ?l bkg:disclosure ?d ; bkg:classification ?c ; bkg:amount ?amount ; bkg:tableTitle ?table .
        ?c skos:inScheme bkg:FunctionalClassification ; skos:notation ?code }}""")
    amounts = defaultdict(list)
    for r in plain:
        amounts[(r["code"], r["table"], r["kind"], r["year"])].append(r["amount"])
    mean = {k: sum(v) / len(v) for k, v in amounts.items()}
    rows = run(store, "03_functional_line_by_year.rq")
    assert {(r["code"], r["table"], r["kind"], r["year"]) for r in rows} == set(mean)
    with_previous = 0
    for r in rows:
        key = (r["code"], r["table"], r["kind"], r["year"])
        assert r["amount"] == mean[key]
        prev = mean.get((r["code"], r["table"], r["kind"], r["year"] - 1))
        assert r["previous"] == prev, key
        assert r["change"] == (None if prev is None else mean[key] - prev)
        with_previous += prev is not None
    assert with_previous, "the corpus should give the agency at least one previous year"


def test_budget_against_outturn(store):
    plain = store.select(P + """SELECT ?a ?year ?kind ?total WHERE {
        ?d bkg:reportingAgency ?a ; bkg:fiscalYear ?year ; bkg:documentKind ?kind ; bkg:totalExpenditure ?total }""")
    budgets, outturns = defaultdict(list), defaultdict(list)
    for r in plain:
        {"budget": budgets, "final_account": outturns}.get(r["kind"], {}).setdefault((r["a"], r["year"]), []).append(r["total"])
    rates = sorted((abs(round(o / b * 10000) / Decimal(100) - 100)
                    for k in budgets.keys() & outturns.keys() for b in budgets[k] for o in outturns[k] if b > 0),
                   reverse=True)
    rows = run(store, "12_budget_vs_outturn.rq")
    assert rows, "the corpus should pair budgets with final accounts"
    assert [abs(r["rate"] - 100) for r in rows] == rates[:50]


def test_most_cited_policies(store):
    plain = store.select(P + "SELECT DISTINCT ?pol ?p WHERE { ?p bkg:basedOnPolicy ?pol }")
    counts = defaultdict(int)
    for r in plain:
        counts[r["pol"]] += 1
    rows = run(store, "08_most_cited_policies.rq")
    assert [r["projects"] for r in rows] == sorted(counts.values(), reverse=True)[:50]


def test_projects_by_policy(store):
    rows = run(store, "01_projects_by_policy.rq")
    numbers = {r["number"] for r in rows}
    assert len(numbers) == 1
    (number,) = numbers
    plain = store.select(P + f"""SELECT ?p ?amount WHERE {{
        ?pol bkg:documentNumber "{number}" . ?p bkg:basedOnPolicy ?pol . OPTIONAL {{ ?p bkg:amount ?amount }} }}""")
    expected = sorted((r["amount"] for r in plain if r["amount"] is not None), reverse=True)[:100]
    assert [r["amount"] for r in rows if r["amount"] is not None] == expected


def test_top_n_examples_match_a_sort(store):
    staff = store.select(P + "SELECT ?d ?au ?ac WHERE { ?d bkg:authorizedStaff ?au ; bkg:actualStaff ?ac }")
    assert [r["vacancy"] for r in run(store, "07_staff_counts.rq")] == \
        sorted((r["au"] - r["ac"] for r in staff), reverse=True)[:50]
    totals = store.select(P + "SELECT ?d ?x WHERE { ?d a bkg:Disclosure ; bkg:totalExpenditure ?x }")
    assert [r["expenditure"] for r in run(store, "06_totals_per_disclosure.rq")] == \
        sorted((r["x"] for r in totals), reverse=True)[:50]
    a = default_agency(store)
    projects = store.select(P + f"""SELECT ?p ?amount WHERE {{
        ?d bkg:reportingAgency <{a}> . ?p a bkg:Project ; bkg:disclosure ?d ; bkg:amount ?amount }}""")
    assert [r["amount"] for r in run(store, "04_top_projects.rq")] == \
        sorted((r["amount"] for r in projects), reverse=True)[:20]
    units = store.select(P + "SELECT ?a (COUNT(?u) AS ?n) WHERE { ?a org:hasUnit ?u } GROUP BY ?a")
    assert [r["units"] for r in run(store, "11_internal_units.rq")] == \
        sorted((r["n"] for r in units), reverse=True)[:50]
