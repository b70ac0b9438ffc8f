"""Findings read back from the store for `budgetkg check` and the pages: the ones stored in
each disclosure's graph, plus the ones across disclosures (kg.checks.versions), derived now
because they depend on which other disclosures are stored."""

from __future__ import annotations

from decimal import Decimal

from ontology.namespace import prologue

FINDINGS_QUERY = "\n" + prologue("bkg", "rdfs") + """SELECT ?f (SAMPLE(?rule_) AS ?rule) (SAMPLE(?key_) AS ?key)
       (SAMPLE(?severity_) AS ?severity) (SAMPLE(?expected_) AS ?expected) (SAMPLE(?found_) AS ?found)
       (SAMPLE(?tolerance_) AS ?tolerance) (SAMPLE(?expectedText_) AS ?expectedText) (SAMPLE(?foundText_) AS ?foundText)
       (SAMPLE(?comment_) AS ?comment) (SAMPLE(?d_) AS ?d)
       (GROUP_CONCAT(DISTINCT ?file; separator="\\n") AS ?files) (GROUP_CONCAT(DISTINCT STR(?page); separator=",") AS ?pages)
WHERE {
  ?f a bkg:Finding ; bkg:disclosure ?d_ ; bkg:rule ?rule_ ; rdfs:comment ?comment_ .
  ?d_ bkg:sourceFile ?file .
  OPTIONAL { ?f bkg:findingKey ?key_ }
  OPTIONAL { ?f bkg:severity ?severity_ }
  OPTIONAL { ?f bkg:expected ?expected_ }
  OPTIONAL { ?f bkg:found ?found_ }
  OPTIONAL { ?f bkg:tolerance ?tolerance_ }
  OPTIONAL { ?f bkg:expectedText ?expectedText_ }
  OPTIONAL { ?f bkg:foundText ?foundText_ }
  OPTIONAL { ?f bkg:page ?page }
}
GROUP BY ?f
"""


def _dec(v) -> Decimal | None:
    return v if isinstance(v, Decimal) or v is None else Decimal(str(v))


def stored_findings(store) -> list[dict]:
    """Every finding stored in a disclosure's graph, one dict per finding."""
    out = []
    for r in store.select(FINDINGS_QUERY):
        pages = sorted({int(p) for p in str(r.get("pages") or "").split(",") if p.strip().isdigit()})
        # a publication printed in two files (text and tables) is one disclosure with both names
        files = sorted(x for x in str(r.get("files") or "").split("\n") if x)
        out.append({"rule": r["rule"], "key": r.get("key"), "severity": r.get("severity") or "error",
                    "expected": _dec(r.get("expected")), "found": _dec(r.get("found")),
                    "tolerance": _dec(r.get("tolerance")), "expected_text": r.get("expectedText"),
                    "found_text": r.get("foundText"), "pages": pages, "disclosure": r["d"], "source_file": files[0],
                    "source_files": files, "comment": r["comment"], "finding": r["f"], "other": None})
    return sorted(out, key=lambda x: (x["source_file"], x["rule"], x["key"] or "", x["finding"]))


def findings_from_store(store, documents=None) -> list[dict]:
    """Every finding: stored ones, then those across disclosures. `documents` (sha256 →
    kg.document.Document, e.g. a kg.archive.DocumentArchive's get) lets the narrative's
    year-on-year claims be checked against last year's disclosure."""
    from kg.checks.versions import cross_findings

    return stored_findings(store) + cross_findings(store, documents)
