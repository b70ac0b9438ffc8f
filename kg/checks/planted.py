"""Scoring the checks on a generated corpus with planted errors (`data/generate.py --plant`):
which rules find each planted error class, how many planted errors the findings cover, and
which findings cover no planted error. Used by tests/kg/test_checks_planted.py and
bench/bench_checks.py."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

# The rules that report each class the generator plants (data/plant.py). A class may show in
# more than one rule: a changed text total also breaks its shares and its change on last year.
EXPECTED: dict[str, frozenset[str]] = {
    "sum_row": frozenset({"functional_children_sum", "row_splits_sum", "functional_classes_sum", "class_tables_agree",
                          "table_total_splits", "basic_plus_project"}),
    "text_total": frozenset({"text_vs_table", "change_percent", "share_of_total", "year_on_year"}),
    "three_public_total": frozenset({"three_public_parts", "text_vs_table"}),
    "three_public_blank": frozenset({"three_public_parts", "text_vs_table"}),
    "share": frozenset({"share_of_total"}),
    "change_percent": frozenset({"change_percent"}),
    "completion_rate": frozenset({"completion_rate"}),
    "comparison_word": frozenset({"comparison_word"}),
    "contents_missing": frozenset({"contents_table_missing"}),
    "placeholder": frozenset({"template_placeholder"}),
    "heading_year": frozenset({"heading_year"}),
    "total_zero": frozenset({"grand_totals", "income_equals_expenditure"}),
    "asset_date": frozenset({"asset_date"}),
    "doubled_stop": frozenset({"doubled_full_stop"}),
    "year_on_year": frozenset({"year_on_year"}),
}


@dataclass
class Score:
    found: Counter = field(default_factory=Counter)  # class -> planted errors some finding covers
    planted: Counter = field(default_factory=Counter)  # class -> planted errors
    missed: list[tuple[str, dict]] = field(default_factory=list)  # (document, planted record)
    unexpected: list[dict] = field(default_factory=list)  # findings that cover no planted error
    documents: int = 0
    findings: int = 0

    @property
    def recall(self) -> float:
        return sum(self.found.values()) / max(1, sum(self.planted.values()))

    @property
    def documents_with_findings(self) -> int:
        return len({f["source_file"] for f in self.unexpected})

    def by_class(self) -> dict[str, str]:
        return {c: f"{self.found[c]}/{self.planted[c]}" for c in sorted(self.planted)}


def score(truths: list[dict], findings: list[dict]) -> Score:
    """Planted errors found, and findings no planted error explains, over one corpus (its
    truths as generated; the findings of `findings_from_store` over its ingested files)."""
    by_doc = defaultdict(list)
    for f in findings:
        for name in f.get("source_files") or [f["source_file"]]:
            by_doc[name.rsplit(".", 1)[0]].append(f)
    s = Score(documents=len(truths), findings=len(findings))
    for t in truths:
        stem = t["doc"].rsplit(".", 1)[0]
        got = by_doc.get(stem, [])
        planted = t.get("planted", [])
        want = set().union(*(EXPECTED[p["class"]] for p in planted)) if planted else set()
        for p in planted:
            s.planted[p["class"]] += 1
            if any(f["rule"] in EXPECTED[p["class"]] for f in got):
                s.found[p["class"]] += 1
            else:
                s.missed.append((t["doc"], p))
        s.unexpected += [f for f in got if f["rule"] not in want]
    return s
