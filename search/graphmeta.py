"""What the search index needs from the graph, read with SPARQL (contract terms only):
per-disclosure metadata (agency, fiscal year, kind) and entity labels → IRIs (agencies,
projects, policies, classification concepts) for entity tagging and the jieba user
dictionary. The one place search touches the store."""

from __future__ import annotations

from collections import defaultdict

from kg.store import BKG, Store
from search.chunking import DocMeta

RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"

_META = f"""
SELECT ?g ?file ?sha ?year ?kind ?agency ?alabel WHERE {{
  GRAPH ?g {{ ?g a <{BKG}Disclosure> ; <{BKG}sourceFile> ?file ; <{BKG}sha256> ?sha .
             OPTIONAL {{ ?g <{BKG}fiscalYear> ?year }}
             OPTIONAL {{ ?g <{BKG}documentKind> ?kind }}
             OPTIONAL {{ ?g <{BKG}reportingAgency> ?agency . OPTIONAL {{ ?agency <{RDFS}label> ?alabel }} }} }}
}}"""

# Entities each disclosure's own graph asserts, with every label a reader could type.
# One simple pattern per kind, all inside the named graph: the graph that mentions an
# entity also labels it, and joins across the union graph are what make such queries slow
# on thousands of graphs.
_ENTITY_QUERIES = [
    f"""SELECT ?g ?e ?label WHERE {{ GRAPH ?g {{ ?e a <{BKG}Agency> ; <{RDFS}label> ?label }} }}""",
    f"""SELECT ?g ?e ?label WHERE {{ GRAPH ?g {{ ?e a <{BKG}Agency> ; <{SKOS}altLabel> ?label }} }}""",
    f"""SELECT ?g ?e ?label WHERE {{ GRAPH ?g {{ ?e a <{BKG}Project> ; <{RDFS}label> ?label }} }}""",
    f"""SELECT ?g ?e ?label WHERE {{ GRAPH ?g {{ ?e a <{BKG}Project> ; <{SKOS}altLabel> ?label }} }}""",
    f"""SELECT ?g ?e ?label WHERE {{ GRAPH ?g {{ ?e <{BKG}documentNumber> ?label }} }}""",
    f"""SELECT ?g ?e ?label WHERE {{ GRAPH ?g {{ ?e <{SKOS}notation> ?label }} }}""",
    f"""SELECT ?g ?e ?label WHERE {{ GRAPH ?g {{ ?e <{SKOS}prefLabel> ?label }} }}""",
]


def document_meta(store: Store) -> dict[str, DocMeta]:
    """sha256 → DocMeta for every disclosure in the store."""
    out: dict[str, DocMeta] = {}
    for r in store.select(_META):
        sha = str(r["sha"])
        m = out.get(sha)
        if m is None:
            year = r.get("year")
            try:
                year = int(year) if year is not None else None
            except (TypeError, ValueError):
                year = None
            m = out[sha] = DocMeta(sha, str(r["file"]), str(r["g"]), year=year, kind=str(r.get("kind") or ""),
                                   agency_iri=str(r.get("agency") or ""))
        label = str(r.get("alabel") or "")
        # several labels (languages, variants): keep the longest, the full name
        if len(label) > len(m.agency):
            m.agency = label
    return out


def entity_labels(store: Store) -> dict[str, list[tuple[str, str]]]:
    """graph IRI → [(label, entity IRI)]; classification notations included as labels."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for q in _ENTITY_QUERIES:
        for r in store.select(q):
            label = str(r.get("label") or "").strip()
            if label:
                out[str(r["g"])].append((label, str(r["e"])))
    for k in out:
        out[k] = sorted(set(out[k]))
    return dict(out)


def dictionary_words(labels: dict[str, list[tuple[str, str]]]) -> list[str]:
    """The jieba user dictionary: every name in the graph (codes are digits, jieba keeps
    those whole anyway)."""
    words = {lab for entries in labels.values() for lab, _ in entries if not lab.isdigit()}
    return sorted(words)
