"""Extraction: document model → Facts (plain data), one module per fact family.

Order matters only where a family reads another: projects need classification lines (a
line name is never a project variant), policy links need projects, checks read them all.
"""

from __future__ import annotations

from kg.document import Document
from kg.extract.base import Facts
from kg.extract.header import extract_header
from kg.extract.lines import extract_lines
from kg.extract.policies import extract_policies
from kg.extract.projects import extract_projects
from kg.extract.totals import extract_totals
from kg.extract.units import extract_units
from kg.money import doc_unit


def extract(doc: Document) -> Facts:
    f = Facts()
    f.unit = doc_unit(doc)
    extract_header(doc, f)
    if f.template:
        return f  # placeholders are not facts about any agency
    extract_units(doc, f)
    extract_lines(doc, f)
    extract_totals(doc, f)
    extract_projects(doc, f)
    extract_policies(doc, f)
    from kg.checks import check_document

    f.findings = check_document(doc, f)
    return f
