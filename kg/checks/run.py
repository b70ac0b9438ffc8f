"""All the checks of one document, in one place: what extraction calls."""

from __future__ import annotations

from kg.checks import arithmetic, completeness, narrative, structure
from kg.checks.precision import Printed
from kg.document import Document
from kg.extract.base import Facts, FindingFact


def check_document(doc: Document, f: Facts) -> list[FindingFact]:
    """Every finding of one document: its sums, its stated structure, its narrative against
    its tables, and its completeness. Keys are unique within a rule."""
    printed = Printed(doc, f.unit)
    out: list[FindingFact] = []
    families = (("arithmetic", lambda: arithmetic.check(f, doc, printed)),
                ("structure", lambda: structure.check(doc, printed.unit, printed)),
                ("narrative", lambda: narrative.check(doc, f, printed)),
                ("completeness", lambda: completeness.check(doc, f)))
    for name, run in families:
        try:
            out += run()
        except Exception as e:  # noqa: BLE001 - a check that trips on an unforeseen layout must not cost the graph
            f.warnings.append(f"consistency checks ({name}) skipped: {type(e).__name__}: {e}")
    seen, unique = set(), []
    for x in out:
        if (x.rule, x.where) not in seen:
            seen.add((x.rule, x.where))
            unique.append(x)
    return unique


def check_facts(f: Facts, doc: Document | None = None) -> list[FindingFact]:
    """The checks over facts alone (a made-up Facts in a test): a document with no pages
    when none is given, so nothing is read back from print."""
    return check_document(doc or Document("", "", []), f)
