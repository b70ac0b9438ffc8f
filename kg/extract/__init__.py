"""Extraction: document model → Facts (plain data), one module per fact family.

Order matters only where a family reads another: projects need classification lines (a
line name is never a project variant), policy links need projects, checks read them all.
"""

from __future__ import annotations

from kg.document import Document
from kg.extract.base import Facts
from kg.extract.facts import extract_facts


def extract(doc: Document) -> Facts:
    """The facts and the findings of the consistency checks on them."""
    f = extract_facts(doc)
    if f.template:
        return f
    from kg.checks import check_document

    f.findings = check_document(doc, f)
    return f
