"""An agency's page (its hierarchy, disclosures by year, projects and findings) and the
list of every agency by name."""

from __future__ import annotations

from api.views.amounts import money
from api.views.compare import agency_charts, agency_compare_href
from api.views.entities import resource
from api.views.findings import findings_of
from api.views.links import href, link, term_label
from api.views.lists import asc, no_cache, page_info, paging
from api.views.query import lookup, terms, val, values_block
from kg.store import BKG

TOTALS = ("totalIncome", "totalExpenditure", "basicExpenditure", "projectExpenditure", "threePublicExpenses")


def agency(store, iri: str, subject: list[dict] | None = None) -> dict:
    base = resource(store, iri, subject=subject)
    up = terms(store, f"""SELECT ?x (SAMPLE(?l) AS ?label) WHERE {{ <{iri}> org:subOrganizationOf ?x
                               OPTIONAL {{ ?x rdfs:label ?l }} }} GROUP BY ?x""")
    down = terms(store, f"""SELECT ?x (SAMPLE(?l) AS ?label) WHERE {{ ?x org:subOrganizationOf <{iri}>
                                 OPTIONAL {{ ?x rdfs:label ?l }} }} GROUP BY ?x ORDER BY ?label LIMIT 500""")
    units = terms(store, f"""SELECT ?u (SAMPLE(?l) AS ?label) WHERE {{ <{iri}> org:hasUnit ?u
                                  OPTIONAL {{ ?u rdfs:label ?l }} }} GROUP BY ?u ORDER BY ?label LIMIT 500""")
    sel = " ".join(f"(SAMPLE(?{t}) AS ?{t}_)" for t in TOTALS)
    opt = " ".join(f"OPTIONAL {{ ?d bkg:{t} ?{t} }}" for t in TOTALS)
    docs = terms(store, f"""
        SELECT ?d (SAMPLE(?f) AS ?file) (SAMPLE(?y) AS ?year) (SAMPLE(?k) AS ?kind) (SAMPLE(?sc) AS ?scope) {sel}
        WHERE {{ ?d bkg:reportingAgency <{iri}> . OPTIONAL {{ ?d bkg:sourceFile ?f }} OPTIONAL {{ ?d bkg:fiscalYear ?y }}
                 OPTIONAL {{ ?d bkg:documentKind ?k }} OPTIONAL {{ ?d bkg:disclosureScope ?sc }} {opt} }}
        GROUP BY ?d ORDER BY DESC(?year) ?file LIMIT 500""")
    projects = terms(store, f"""
        SELECT ?p (SAMPLE(?l) AS ?label) (SAMPLE(?a) AS ?amount) (SAMPLE(?cat) AS ?category) (SAMPLE(?y) AS ?year)
               (SAMPLE(?dd) AS ?d) (SAMPLE(?f) AS ?file)
        WHERE {{ {{ ?p bkg:implementingAgency <{iri}> }} UNION {{ ?p a bkg:Project ; bkg:disclosure ?d0 .
                                                               ?d0 bkg:reportingAgency <{iri}> }}
                 OPTIONAL {{ ?p rdfs:label ?l }} OPTIONAL {{ ?p bkg:amount ?a }} OPTIONAL {{ ?p bkg:category ?cat }}
                 OPTIONAL {{ ?p bkg:disclosure ?dd OPTIONAL {{ ?dd bkg:fiscalYear ?y }} OPTIONAL {{ ?dd bkg:sourceFile ?f }} }} }}
        GROUP BY ?p ORDER BY DESC(?year) DESC(?amount) LIMIT 1000""")
    findings = findings_of(store, [r["d"]["value"] for r in docs], iri)
    by_year: dict = {}
    for r in docs:
        item = {**link(r["d"]["value"], val(r.get("file"))), "source_file": val(r.get("file")), "year": val(r.get("year")),
                "kind": val(r.get("kind")), "scope": val(r.get("scope")),
                "totals": {t: money(val(r.get(f"{t}_"))) for t in TOTALS if r.get(f"{t}_")},
                "totals_labels": {t: term_label(BKG + t) for t in TOTALS}}
        by_year.setdefault(item["year"], []).append(item)
    years = sorted(y for y in by_year if y is not None)
    return {
        **base, "page": "agency",
        "parents": [link(r["x"]["value"], val(r.get("label"))) for r in up],
        "children": [link(r["x"]["value"], val(r.get("label"))) for r in down],
        "units": [link(r["u"]["value"], val(r.get("label"))) for r in units],
        "disclosures_by_year": [{"year": y, "disclosures": ds} for y, ds in
                                sorted(by_year.items(), key=lambda kv: (kv[0] is None, -(kv[0] or 0)))],
        "projects": [{**link(r["p"]["value"], val(r.get("label"))), "amount": money(val(r.get("amount"))),
                      "category": val(r.get("category")), "year": val(r.get("year")), "source_file": val(r.get("file")),
                      "disclosure": href(r["d"]["value"]) if r.get("d") else None} for r in projects],
        "findings": findings,
        "years": years, "compare_href": agency_compare_href(iri) if len(years) >= 2 else None,
        "charts": agency_charts(store, iri),
    }


def agency_ranking(store) -> tuple:
    """(agency, name) for every agency, by name."""
    names: dict[str, str | None] = {}
    for r in terms(store, "SELECT ?a ?l WHERE { ?a a bkg:Agency OPTIONAL { ?a rdfs:label ?l } }"):
        if names.get(r["a"]["value"]) is None:
            names[r["a"]["value"]] = val(r.get("l"))
    return tuple((a, names[a]) for a in sorted(names, key=lambda a: (asc(names[a]), a)))


def agencies(store, page: int = 1, size: int = 500, cache=no_cache) -> dict:
    """Every agency by name: names are read and sorted for all (kept by `cache`, see
    policies()), parents and counts for the page shown."""
    page, offset = paging(page, size)
    ranked = cache("agencies", lambda: agency_ranking(store))
    names = dict(ranked[offset:offset + size])
    shown = list(names)
    parents = lookup(store, shown, {"pa": "org:subOrganizationOf"})
    parent_labels = lookup(store, [val(p.get("pa")) for p in parents.values()], {"l": "rdfs:label"})
    counts: dict[str, dict] = {}
    for var, prop in (("docs", "bkg:reportingAgency"), ("projects", "bkg:implementingAgency")):
        for start in range(0, len(shown), 500):
            for r in terms(store, f"""SELECT ?a (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {values_block("a", shown[start:start + 500])}
                                      ?x {prop} ?a }} GROUP BY ?a"""):
                counts.setdefault(r["a"]["value"], {})[var] = val(r["n"])
    items = []
    for a in shown:
        pa = val(parents.get(a, {}).get("pa"))
        items.append({**link(a, names[a]),
                      "parent": link(pa, val(parent_labels.get(pa, {}).get("l"))) if pa else None,
                      "disclosures": counts.get(a, {}).get("docs") or 0, "projects": counts.get(a, {}).get("projects") or 0})
    return {"page": "agencies", "title": "预算单位", "count": len(items), "items": items,
            "paging": page_info(page, size, len(ranked))}
