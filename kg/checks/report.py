"""Findings read back from the store for `budgetkg check` and the pages: the ones stored in
each disclosure's graph, plus the ones across disclosures (kg.checks.versions), derived now
because they depend on which other disclosures are stored."""

from __future__ import annotations

from decimal import Decimal

from ontology.namespace import prologue

FINDINGS_QUERY = "\n" + prologue("bkg", "rdfs") + """SELECT ?f ?rule ?key ?severity ?expected ?found ?tolerance
       ?expectedText ?foundText ?comment ?d ?file (GROUP_CONCAT(DISTINCT STR(?page); separator=",") AS ?pages)
WHERE {
  ?f a bkg:Finding ; bkg:disclosure ?d ; bkg:rule ?rule ; rdfs:comment ?comment .
  ?d bkg:sourceFile ?file .
  OPTIONAL { ?f bkg:findingKey ?key }
  OPTIONAL { ?f bkg:severity ?severity }
  OPTIONAL { ?f bkg:expected ?expected }
  OPTIONAL { ?f bkg:found ?found }
  OPTIONAL { ?f bkg:tolerance ?tolerance }
  OPTIONAL { ?f bkg:expectedText ?expectedText }
  OPTIONAL { ?f bkg:foundText ?foundText }
  OPTIONAL { ?f bkg:page ?page }
}
GROUP BY ?f ?rule ?key ?severity ?expected ?found ?tolerance ?expectedText ?foundText ?comment ?d ?file
ORDER BY ?file ?rule ?f
"""


def _dec(v) -> Decimal | None:
    return v if isinstance(v, Decimal) or v is None else Decimal(str(v))


def stored_findings(store) -> list[dict]:
    """Every finding stored in a disclosure's graph, one dict per finding."""
    out = []
    for r in store.select(FINDINGS_QUERY):
        pages = sorted({int(p) for p in str(r.get("pages") or "").split(",") if p.strip().isdigit()})
        out.append({"rule": r["rule"], "key": r.get("key"), "severity": r.get("severity") or "error",
                    "expected": _dec(r.get("expected")), "found": _dec(r.get("found")),
                    "tolerance": _dec(r.get("tolerance")), "expected_text": r.get("expectedText"),
                    "found_text": r.get("foundText"), "pages": pages, "disclosure": r["d"], "source_file": r["file"],
                    "comment": r["comment"], "finding": r["f"], "other": None})
    return out


def findings_from_store(store, documents=None) -> list[dict]:
    """Every finding: stored ones, then those across disclosures. `documents` (sha256 →
    kg.document.Document, e.g. a kg.archive.DocumentArchive's get) lets the narrative's
    year-on-year claims be checked against last year's disclosure."""
    from kg.checks.versions import cross_findings

    return stored_findings(store) + cross_findings(store, documents)
