"""Every fact extraction reads from one document, without the consistency checks: what
the checks themselves need from another disclosure (kg.checks.versions), and what
kg.extract.extract adds the checks to."""

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


def extract_facts(doc: Document) -> Facts:
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
    return f
