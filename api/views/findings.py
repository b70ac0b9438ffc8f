"""The findings a page lists: those stored in the disclosures' graphs and those across
disclosures (kg.checks.versions) that involve them, each with its rule, severity, what was
expected and found, the tolerance allowed and the pages to look at."""

from __future__ import annotations

from api.views.links import href, link
from api.views.query import terms, val, values_block
from kg.checks.versions import cross_findings

RULE_ORDER = {"error": 0, "warning": 1}


def _pages(text) -> list[int]:
    return sorted({int(p) for p in str(text or "").split(",") if p.strip().isdigit()})


def findings_of(store, disclosures: list[str], agency: str | None = None) -> list[dict]:
    """Every finding of `disclosures` (their own and those across disclosures that name one of
    them), errors first, then by file and page."""
    if not disclosures:
        return []
    info = {r["d"]["value"]: r for r in terms(store, f"""SELECT ?d (SAMPLE(?f) AS ?file) (SAMPLE(?y) AS ?year) WHERE {{
        {values_block("d", disclosures)} OPTIONAL {{ ?d bkg:sourceFile ?f }} OPTIONAL {{ ?d bkg:fiscalYear ?y }} }} GROUP BY ?d""")}
    rows = terms(store, f"""
        SELECT ?fd ?d (SAMPLE(?c) AS ?comment) (SAMPLE(?r) AS ?rule) (SAMPLE(?sv) AS ?severity)
               (SAMPLE(?et) AS ?expectedText) (SAMPLE(?ft) AS ?foundText) (SAMPLE(?tol) AS ?tolerance)
               (GROUP_CONCAT(DISTINCT STR(?pg); separator=",") AS ?pages)
        WHERE {{ {values_block("d", disclosures)} ?fd a bkg:Finding ; bkg:disclosure ?d .
                 OPTIONAL {{ ?fd rdfs:comment ?c }} OPTIONAL {{ ?fd bkg:rule ?r }} OPTIONAL {{ ?fd bkg:severity ?sv }}
                 OPTIONAL {{ ?fd bkg:expectedText ?et }} OPTIONAL {{ ?fd bkg:foundText ?ft }}
                 OPTIONAL {{ ?fd bkg:tolerance ?tol }} OPTIONAL {{ ?fd bkg:page ?pg }} }}
        GROUP BY ?fd ?d LIMIT 2000""")
    out = []
    for r in rows:
        d = r["d"]["value"]
        out.append({**link(r["fd"]["value"], val(r.get("comment"))), "comment": val(r.get("comment")),
                    "rule": val(r.get("rule")), "severity": val(r.get("severity")) or "error",
                    "expected_text": val(r.get("expectedText")), "found_text": val(r.get("foundText")),
                    "tolerance": val(r.get("tolerance")), "pages": _pages(val(r.get("pages"))),
                    "disclosure": href(d), "source_file": val(info.get(d, {}).get("file")),
                    "year": val(info.get(d, {}).get("year")), "other": None})
    mine = set(disclosures)
    for f in cross_findings(store, agency=agency, involving=disclosures[0] if len(disclosures) == 1 else None):
        other = f.get("other") or {}
        if f["disclosure"] not in mine and other.get("disclosure") not in mine:
            continue
        here, there = (f["disclosure"], f["source_file"], f["pages"]), (other.get("disclosure"), other.get("source_file"),
                                                                        other.get("pages", []))
        if f["disclosure"] not in mine:
            here, there = there, here  # seen from this page's disclosure, the other file is the finding's
        out.append({"iri": f["finding"], "label": f["comment"], "href": None, "comment": f["comment"], "rule": f["rule"],
                    "severity": f["severity"], "expected_text": f["expected_text"], "found_text": f["found_text"],
                    "tolerance": f["tolerance"], "pages": here[2], "disclosure": href(here[0]),
                    "source_file": here[1], "year": val(info.get(here[0], {}).get("year")),
                    "other": {"source_file": there[1], "href": href(there[0]) if there[0] else None, "pages": there[2]}
                    if there[0] else None})
    return sorted(out, key=lambda x: (RULE_ORDER.get(x["severity"], 2), -(x["year"] or 0), x["source_file"] or "",
                                      x["pages"][:1], x["rule"] or ""))
