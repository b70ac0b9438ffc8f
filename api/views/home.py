"""The home page: corpus counts, suggested questions built from the graph, and the search
filters' choices."""

from __future__ import annotations

from api.views.lists import asc, desc
from api.views.query import lookup, terms, val
from kg.vocab import INCOME, kind_by_code


def overview(store) -> dict:
    """Counts for the home page and a few questions built from the graph itself (what the
    corpus can answer), never from fixed strings. Each is a top-1 over one or two
    properties: the scans run in per-property subqueries (hash-joined), the ties are broken
    here, where each string is decoded once."""
    counts = {k: terms(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x a bkg:{t} }}")[0]["n"]
              for k, t in (("docs", "Disclosure"), ("agencies", "Agency"), ("policies", "Policy"), ("projects", "Project"))}
    ask: list[str] = []
    # the newest year's alphabetically first agency that reports a total income
    total = terms(store, """SELECT ?year ?kind ?name WHERE {
        { SELECT ?d ?year WHERE { ?d bkg:fiscalYear ?year } } { SELECT DISTINCT ?d WHERE { ?d bkg:totalIncome ?t } }
        { SELECT ?d ?kind WHERE { ?d bkg:documentKind ?kind } } { SELECT ?d ?a WHERE { ?d bkg:reportingAgency ?a } }
        { SELECT ?a ?name WHERE { ?a a bkg:Agency ; rdfs:label ?name } } }""")
    if total:
        best = min(total, key=lambda r: (desc(val(r["year"])), asc(val(r["name"])), val(r["kind"]) or ""))
        word = kind_by_code(val(best["kind"])).word
        ask.append(f"{val(best['name'])}{val(best['year'])}年{word}{INCOME.name}是多少？")
    pol = terms(store, """SELECT ?n (COUNT(DISTINCT ?p) AS ?k) WHERE {
        { SELECT ?c ?x WHERE { ?c bkg:citedPolicy ?x } } { SELECT ?c ?p WHERE { ?c bkg:citingProject ?p } }
        { SELECT ?x ?n WHERE { ?x bkg:documentNumber ?n } } } GROUP BY ?n""")
    if pol:
        best = min(pol, key=lambda r: (-val(r["k"]), val(r["n"])))
        ask.append(f"哪些项目以{val(best['n'])}为依据？")
    units = terms(store, """SELECT ?name (SUM(?k) AS ?n) WHERE {
        { SELECT ?a (COUNT(?u) AS ?k) WHERE { ?a org:hasUnit ?u } GROUP BY ?a } ?a rdfs:label ?name } GROUP BY ?name""")
    if units:
        best = min(units, key=lambda r: (-val(r["n"]), val(r["name"])))
        ask.append(f"{val(best['name'])}有哪些内设机构？")
    return {"counts": {k: val(v) or 0 for k, v in counts.items()}, "suggestions": ask}


def facets(store) -> dict:
    """Choices for the search filters: years and agencies that have disclosures (the first
    500 agency names, sorted here rather than by the store)."""
    years = [val(r["y"]) for r in terms(store, "SELECT DISTINCT ?y WHERE { ?d bkg:fiscalYear ?y } ORDER BY DESC(?y)")]
    reporting = [r["a"]["value"] for r in terms(store, "SELECT DISTINCT ?a WHERE { ?d bkg:reportingAgency ?a }")]
    labels = lookup(store, reporting, {"l": "rdfs:label"})
    names = sorted((val(i["l"]), a) for a, i in labels.items() if i.get("l"))
    return {"years": [y for y in years if y is not None], "agencies": [n for n, _ in names[:500]]}


def disclosure_count(store) -> int:
    rows = terms(store, "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a bkg:Disclosure }")
    return int(rows[0]["n"]["value"]) if rows and rows[0].get("n") else 0
