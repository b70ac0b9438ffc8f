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
    out = arithmetic.check(f, doc, printed)
    out += structure.check(doc, printed.unit, printed)
    out += narrative.check(doc, f, printed)
    out += completeness.check(doc, f)
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
