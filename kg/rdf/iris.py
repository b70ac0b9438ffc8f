"""IRI minting, and the entity-resolution key shared entities are minted from.

Every IRI is a function of content, never of ingest order: shared entities (agencies,
policies, classification concepts) hash a normalized key, so two disclosures naming the
same agency (with different spacing, widths or a 本级 suffix) meet on one node; per-
disclosure nodes (projects, lines, findings) hang under the file's sha256. Every IRI of an
entity in the graph is minted here, under ontology.namespace.ID.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from rdflib import URIRef

from ontology.namespace import ID

SCHEME_SLUG = {"functional": "functional", "economic": "economic", "gov_economic": "gov-economic"}


def _h(s: str, n: int = 16) -> str:
    return hashlib.sha1(s.encode("utf-8")).hexdigest()[:n]


def agency_key(name: str) -> str:
    """The form agency names are compared in: NFKC (widths), no whitespace, brackets
    unified, a trailing 本级/（本级） dropped."""
    s = unicodedata.normalize("NFKC", name or "")
    s = re.sub(r"\s+", "", s)
    s = re.sub(r"[（(]?本级[)）]?$", "", s)
    return s


def disclosure_iri(sha256: str) -> URIRef:
    return ID[f"disclosure/{sha256[:24]}"]


def agency_iri(name: str) -> URIRef:
    return ID[f"agency/{_h(agency_key(name))}"]


def unit_iri(agency_name: str, unit_name: str) -> URIRef:
    return ID[f"unit/{_h(agency_key(agency_name) + '|' + agency_key(unit_name))}"]


def policy_iri(number: str | None, title: str | None = None) -> URIRef:
    if number:
        return ID[f"policy/{_h(number)}"]
    return ID[f"policy/t-{_h(agency_key(title or ''))}"]


def concept_iri(scheme: str, code: str) -> URIRef:
    return ID[f"concept/{SCHEME_SLUG[scheme]}/{code}"]


def named_key(name: str) -> str:
    """The IRI part of a classification item printed by name only (no code): a hash of its name."""
    return f"n-{_h(agency_key(name), 12)}"


def named_concept_iri(scheme: str, name: str) -> URIRef:
    return concept_iri(scheme, named_key(name))


def project_iri(sha256: str, key: str) -> URIRef:
    return ID[f"project/{sha256[:24]}/{key}"]


def instalment_iri(sha256: str, key: str, quarter: int) -> URIRef:
    return ID[f"project/{sha256[:24]}/{key}/q{quarter}"]


def target_iri(sha256: str, key: str, n: int) -> URIRef:
    return ID[f"project/{sha256[:24]}/{key}/target-{n}"]


def line_iri(sha256: str, scheme: str, code: str, figure_type: str) -> URIRef:
    return ID[f"line/{sha256[:24]}/{SCHEME_SLUG[scheme]}-{code}-{figure_type}"]


def citation_iri(sha256: str, project_key: str, policy_key: str) -> URIRef:
    return ID[f"citation/{sha256[:24]}/{_h(project_key + '|' + policy_key, 12)}"]


def finding_iri(sha256: str, rule: str, where: str) -> URIRef:
    return ID[f"finding/{sha256[:24]}/{_h(rule + '|' + where, 12)}"]


def figure_iri(disclosure: URIRef, term: URIRef) -> URIRef:
    """The provenance node of one total of a disclosure: <disclosure>/figure/<term's local name>."""
    return URIRef(f"{disclosure}/figure/{term.split('#')[-1]}")


def file_iri(disclosure: URIRef, sha256: str) -> URIRef:
    """One file a disclosure was read from (bkg:PublicationFile): <disclosure>/file/<sha256[:24]>."""
    return URIRef(f"{disclosure}/file/{sha256[:24]}")


def report_iri(disclosure: URIRef) -> URIRef:
    """The disclosure's reading report (kg.report): <disclosure>/report."""
    return URIRef(f"{disclosure}/report")


def table_reading_iri(disclosure: URIRef, kind: str, n: int) -> URIRef:
    """The n-th table of a standard kind read from the disclosure: <disclosure>/report/<kind>-<n>."""
    return URIRef(f"{disclosure}/report/{kind}-{n}")
