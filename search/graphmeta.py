"""What the search index needs from the graph, read with SPARQL (contract terms only):
per-disclosure metadata (agency, fiscal year, kind) and entity labels → IRIs (agencies,
projects, policies, classification concepts) for entity tagging and the jieba user
dictionary. The one place search touches the store.

Every query is a join of single-pattern subqueries: Oxigraph evaluates a plain basic graph
pattern as a nested loop (~15 µs a row): at 10,000 disclosures the metadata query took
2.5 s warm, ~50 s cold. `{ SELECT … { one pattern } } { SELECT … { one pattern } }` makes
it hash-join the two sides instead (1.4 s). Optional
parts are separate queries joined here. Entity labels come back one row per graph
(GROUP_CONCAT): at 10,000 disclosures that is 10,000 rows instead of ~900,000, and reading
them took 16 s → 5 s."""

from __future__ import annotations

from collections import defaultdict

from kg.store import BKG, Store
from ontology.namespace import RDFS, SKOS
from search.chunking import DocMeta


def _sub(vars_: str, pattern: str) -> str:
    """One triple pattern inside each disclosure's own graph, as a subquery."""
    return f"{{ SELECT {vars_} WHERE {{ GRAPH ?g {{ {pattern} }} }} }}"


_DISCLOSURES = ("SELECT ?g ?file ?sha WHERE { "
                + _sub("?g", f"?g a <{BKG}Disclosure>")
                + _sub("?g ?file", f"?g <{BKG}sourceFile> ?file")
                + _sub("?g ?sha", f"?g <{BKG}sha256> ?sha") + " }")
_YEARS = f"SELECT ?g ?v WHERE {{ GRAPH ?g {{ ?g <{BKG}fiscalYear> ?v }} }}"
_KINDS = f"SELECT ?g ?v WHERE {{ GRAPH ?g {{ ?g <{BKG}documentKind> ?v }} }}"
_AGENCIES = f"SELECT ?g ?v WHERE {{ GRAPH ?g {{ ?g <{BKG}reportingAgency> ?v }} }}"
_READERS = f"SELECT ?g ?v WHERE {{ GRAPH ?g {{ ?g <{BKG}readerVersion> ?v }} }}"
_AGENCY_LABELS = ("SELECT ?g ?agency ?label WHERE { "
                  + _sub("?g ?agency", f"?g <{BKG}reportingAgency> ?agency")
                  + _sub("?g ?agency ?label", f"?agency <{RDFS.label}> ?label") + " }")


_SEP_FIELD, _SEP_ROW = "\u001f", "\u001e"  # control characters no label contains


def _grouped(where: str) -> str:
    """One row per graph, its (entity, label) pairs concatenated: converting a row costs more
    than finding it, and the classification concepts alone are ~40 rows per disclosure."""
    return (f'SELECT ?g (GROUP_CONCAT(CONCAT(STR(?e), "{_SEP_FIELD}", STR(?label)); separator="{_SEP_ROW}") AS ?all) '
            f"WHERE {{ {where} }} GROUP BY ?g")


def _typed(cls: str, prop: str) -> str:
    return _grouped(_sub("?g ?e", f"?e a <{cls}>") + _sub("?g ?e ?label", f"?e <{prop}> ?label"))


# Entities each disclosure's own graph asserts, with every label a reader could type. All
# inside the named graph: the graph that mentions an entity also labels it.
_ENTITY_QUERIES = [
    _typed(f"{BKG}Agency", RDFS.label),
    _typed(f"{BKG}Agency", SKOS.altLabel),
    _typed(f"{BKG}Project", RDFS.label),
    _typed(f"{BKG}Project", SKOS.altLabel),
    _grouped(f"GRAPH ?g {{ ?e <{BKG}documentNumber> ?label }}"),
    _grouped(f"GRAPH ?g {{ ?e <{SKOS.notation}> ?label }}"),
    _grouped(f"GRAPH ?g {{ ?e <{SKOS.prefLabel}> ?label }}"),
]


def _only(query: str, graphs: list[str] | None) -> str:
    """The query restricted to the named graphs `graphs` (every pattern is inside `GRAPH ?g`,
    so each gets the graphs as VALUES and Oxigraph reads just those graphs)."""
    if graphs is None:
        return query
    values = "VALUES ?g { " + " ".join(f"<{g}>" for g in graphs) + " } GRAPH ?g {"
    return query.replace("GRAPH ?g {", values)


def _first_values(store: Store, query: str) -> dict[str, object]:
    """graph → its value (the smallest, should a graph carry several)."""
    out: dict[str, object] = {}
    for r in store.select(query):
        g, v = str(r["g"]), r.get("v")
        if v is not None and (g not in out or str(v) < str(out[g])):
            out[g] = v
    return out


def document_meta(store: Store, graphs: list[str] | None = None) -> dict[str, DocMeta]:
    """sha256 → DocMeta for every disclosure in the store (or in the named graphs `graphs`)."""
    years = _first_values(store, _only(_YEARS, graphs))
    kinds = _first_values(store, _only(_KINDS, graphs))
    agencies = _first_values(store, _only(_AGENCIES, graphs))
    readers = _first_values(store, _only(_READERS, graphs))
    labels: dict[str, str] = {}
    for r in store.select(_only(_AGENCY_LABELS, graphs)):
        g, label = str(r["g"]), str(r.get("label") or "")
        # several labels (languages, variants): keep the longest, the full name
        cur = labels.get(g, "")
        if len(label) > len(cur) or (len(label) == len(cur) and label < cur):
            labels[g] = label
    out: dict[str, DocMeta] = {}
    rows = store.select(_only(_DISCLOSURES, graphs))
    per_graph: dict[str, int] = defaultdict(int)
    for r in rows:
        per_graph[str(r["g"])] += 1
    # a disclosure read from several files (kg.publication): the join pairs every name with
    # every sha256, its file nodes pair them right
    several = sorted(g for g, n in per_graph.items() if n > 1)
    file_of = {d.sha256: d.source_file for d in store.file_pairs(several)} if several else {}
    for r in sorted(rows, key=lambda r: (str(r["g"]), str(r["file"]), str(r["sha"]))):
        sha, g = str(r["sha"]), str(r["g"])
        if sha in out or (sha in file_of and file_of[sha] != str(r["file"])):
            continue
        year = years.get(g)
        try:
            year = int(year) if year is not None else None
        except (TypeError, ValueError):
            year = None
        out[sha] = DocMeta(sha, str(r["file"]), g, agency=labels.get(g, ""), year=year,
                           kind=str(kinds.get(g) or ""), agency_iri=str(agencies.get(g) or ""),
                           reader=int(readers.get(g) or 0))
    return out


def entity_labels(store: Store, graphs: list[str] | None = None) -> dict[str, list[tuple[str, str]]]:
    """graph IRI → [(label, entity IRI)]; classification notations included as labels (for
    every graph, or for the named graphs `graphs`)."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for q in _ENTITY_QUERIES:
        for r in store.select(_only(q, graphs)):
            g = str(r["g"])
            for pair in str(r.get("all") or "").split(_SEP_ROW):
                e, _, label = pair.partition(_SEP_FIELD)
                label = label.strip()
                if label:
                    out[g].append((label, e))
    for k in out:
        out[k] = sorted(set(out[k]))
    return dict(out)


def dictionary_words(labels: dict[str, list[tuple[str, str]]]) -> list[str]:
    """The jieba user dictionary: every name in the graph (codes are digits, jieba keeps
    those whole anyway)."""
    words = {lab for entries in labels.values() for lab, _ in entries if not lab.isdigit()}
    return sorted(words)
