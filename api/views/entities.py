"""The generic page of any IRI: its properties, what points at it, the disclosures that
assert it; display labels for IRIs; the bounded description behind its RDF formats."""

from __future__ import annotations

from api.errors import ApiError
from api.views.amounts import money
from api.views.links import RDF_TYPE, href, iri_ok, link, local_name, term_label, term_labels
from api.views.lists import asc
from api.views.query import XSD, literal, lookup, terms, val, values_block
from kg.store import BKG
from ontology.namespace import DCTERMS, RDFS, SKOS

# the properties a display label is read from, in order of preference
LABEL_PROPS = (str(RDFS.label), str(SKOS.prefLabel), str(DCTERMS.title), BKG + "documentNumber", BKG + "sourceFile",
               str(SKOS.notation))
RDFS_LABEL = LABEL_PROPS[0]


def labels_for(store, iris) -> dict[str, str]:
    """A display label for each IRI: the first of LABEL_PROPS it has (zh label first)."""
    return {i: label for i, (label, _, _) in labels_with_props(store, iris).items()}


def labels_with_props(store, iris) -> dict[str, tuple[str, str, str]]:
    """{iri: (label, the property of LABEL_PROPS it was read from, that property's last value
    as the store lists them)}. One property at a time, for the IRIs still without a label:
    most have the first, so most cost one index seek. (Merging the properties into one query
    costs as many seeks, and more when the store joins it by scanning a property.)"""
    todo = sorted({i for i in iris if i})
    out: dict[str, tuple[str, str, str]] = {}
    for prop in LABEL_PROPS:
        if not todo:
            break
        for start in range(0, len(todo), 500):
            for r in terms(store, f"SELECT ?x ?l WHERE {{ {values_block('x', todo[start:start + 500])} ?x <{prop}> ?l }}"):
                x, v = r["x"]["value"], r["l"]["value"]
                out[x] = (out[x][0], prop, v) if x in out else (v, prop, v)
        todo = [i for i in todo if i not in out]
    return out


def value_view(t: dict, labels: dict[str, str]) -> dict:
    """A property value ready to render: a link for IRIs, 万元 for amounts."""
    if t["type"] == "uri":
        v = t["value"]
        return {"kind": "iri", **link(v, labels.get(v) or term_labels().get(v))}
    if t["type"] == "bnode":
        return {"kind": "bnode", "text": "_:" + t["value"]}
    out = {"kind": "literal", "text": t["value"], "datatype": t.get("datatype"), "lang": t.get("xml:lang")}
    if t.get("datatype") == XSD + "decimal":
        out["money"] = money(t["value"])
    return out


def exists(store, iri: str) -> bool:
    iri_ok(iri)
    return bool(store.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}"))


SUBJECT_LIMIT = 2000  # the resource's own triples a page lists


def subject_rows(store, iri: str) -> list[dict]:
    """The resource's own triples (?p ?o), read once per page: its type picks the view, and
    the views read their subject's own properties from them."""
    iri_ok(iri)
    return terms(store, f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} LIMIT {SUBJECT_LIMIT}")


def complete(rows: list[dict] | None) -> bool:
    """Whether subject_rows gave every triple of the subject (its limit was not reached)."""
    return rows is not None and len(rows) < SUBJECT_LIMIT


def all_incoming(store, iri: str, limit: int) -> list[dict] | None:
    """Every (?s ?p) pointing at the IRI, or None where there are more than `limit`."""
    rows = terms(store, f"SELECT ?s ?p WHERE {{ ?s ?p <{iri}> }} LIMIT {limit + 1}")
    return rows if len(rows) <= limit else None


def resource(store, iri: str, incoming_limit: int = 200, subject: list[dict] | None = None) -> dict:
    """The generic page; `subject` is what subject_rows gave for the IRI, if read already."""
    return resource_and_labels(store, iri, incoming_limit, subject)[0]


def resource_and_labels(store, iri: str, incoming_limit: int = 200, subject: list[dict] | None = None,
                        try_all: bool = True) -> tuple[dict, dict[str, tuple[str, str, str]]]:
    """The generic page and the labels read for it (labels_with_props of the IRI, the IRIs
    it points at and those pointing at it), which the richer views reuse. `try_all=False`
    where more than `incoming_limit` surely point at it (all_incoming would be read in vain)."""
    iri_ok(iri)
    out_rows = subject_rows(store, iri) if subject is None else subject
    # what points at it, all of it when that is within the limit: then the subjects that are
    # IRIs are the rows FILTER(isIRI) gives, in the same order, and the count is their number
    every = all_incoming(store, iri, incoming_limit) if try_all else None
    if every is not None:
        in_rows = [r for r in every if r["s"]["type"] == "uri"]
        n_in = {"value": str(len(every))}
    else:
        in_rows = terms(store, f"SELECT ?s ?p WHERE {{ ?s ?p <{iri}> FILTER(isIRI(?s)) }} LIMIT {incoming_limit + 1}")
        n_in = terms(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p <{iri}> }}")[0]["n"]
    if not out_rows and not in_rows:
        raise ApiError(404, "not_found", f"nothing is known about {iri}")
    iris = {r["o"]["value"] for r in out_rows if r["o"]["type"] == "uri"} | {r["s"]["value"] for r in in_rows} | {iri}
    with_props = labels_with_props(store, iris)
    labels = {i: label for i, (label, _, _) in with_props.items()}
    prov, prov_total = provenance(store, iri)
    types = [link(r["o"]["value"]) for r in out_rows if r["p"]["value"] == RDF_TYPE]
    props: dict[str, list] = {}
    for r in out_rows:
        if r["p"]["value"] != RDF_TYPE:
            props.setdefault(r["p"]["value"], []).append(value_view(r["o"], labels))
    properties = [{"predicate": p, "label": term_label(p), "values": sorted(vs, key=lambda v: v.get("label") or v.get("text") or "")}
                  for p, vs in sorted(props.items(), key=lambda kv: (not kv[0].startswith(BKG), term_label(kv[0])))]
    incoming = [{"subject": link(r["s"]["value"], labels.get(r["s"]["value"])), "predicate": r["p"]["value"],
                 "label": term_label(r["p"]["value"])} for r in in_rows[:incoming_limit]]
    return {
        "iri": iri, "href": href(iri), "label": labels.get(iri) or local_name(iri),
        "types": types, "type_iris": [t["iri"] for t in types],
        "properties": properties, "incoming": incoming, "incoming_total": int(n_in["value"]) if n_in else 0,
        "provenance": prov, "provenance_total": prov_total,
    }, with_props


def provenance(store, iri: str, limit: int = 100) -> tuple[list[dict], int]:
    """The disclosures that assert this resource (its named graphs), the first `limit` by
    file name, with the pages given; and how many there are. A shared node (a
    classification code) is asserted by every disclosure: the file names of its graphs are
    read in one hash-joined pass and sorted here; graph IRIs, years, kinds and pages are
    read for the graphs shown only."""
    graphs = f"{{ SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} }}"
    # file names only (the graph IRIs are looked up for the files shown), one per disclosure: one
    # printed in several files (kg.publication) is listed and counted once, by its first name
    names = sorted((val(r.get("f")) is not None, val(r.get("f")) or "") for r in terms(store, f"""SELECT (MIN(?f0) AS ?f)
        WHERE {{ {graphs} OPTIONAL {{ SELECT ?g ?f0 WHERE {{ ?g bkg:sourceFile ?f0 }} }} }} GROUP BY ?g"""))
    if not names:
        return [], 0
    files: dict[str, str | None] = {}
    if not names[0][0]:  # graphs without a file name sort first
        for r in terms(store, f"SELECT ?g WHERE {{ {graphs} FILTER NOT EXISTS {{ ?g bkg:sourceFile ?f }} }}"):
            files[r["g"]["value"]] = None
    wanted = [f for has, f in names[:limit] if has]
    if wanted:
        for r in terms(store, f"""SELECT ?g ?f WHERE {{ VALUES ?f {{ {" ".join(map(literal, dict.fromkeys(wanted)))} }}
                                  ?g bkg:sourceFile ?f FILTER EXISTS {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} }}"""):
            g = r["g"]["value"]
            if files.get(g) is None or val(r["f"]) < files[g]:
                files[g] = val(r["f"])
    top = sorted(files, key=lambda g: (asc(files[g]), g))[:limit]
    info = lookup(store, top, {"y": "bkg:fiscalYear", "k": "bkg:documentKind"})
    pages: dict[str, set[int]] = {}
    # A disclosure printed in several files (kg.publication) counts each file's pages on their
    # own; bkg:fromFile names the file the node's pages are in, and that file is the one cited.
    in_file: dict[str, set[str]] = {}
    for r in terms(store, f"""SELECT ?g ?pg ?fn WHERE {{ {values_block('g', top)} GRAPH ?g {{ <{iri}> bkg:page ?pg
                              OPTIONAL {{ <{iri}> bkg:fromFile ?ff . ?ff bkg:fileName ?fn }} }} }}"""):
        if r["pg"]["value"].strip().isdigit():
            pages.setdefault(r["g"]["value"], set()).add(int(r["pg"]["value"]))
        if val(r.get("fn")):
            in_file.setdefault(r["g"]["value"], set()).add(val(r["fn"]))
    out = []
    for g in top:
        i = info.get(g, {})
        # pages in two files at once cannot be told apart: then no one file is named for them
        held = in_file.get(g, set())
        source = next(iter(held)) if len(held) == 1 else files[g]
        out.append({"disclosure": link(g, source), "source_file": source, "year": val(i.get("y")),
                    "kind": val(i.get("k")), "pages": sorted(pages.get(g, ()))})
    return out, len(names)


def describe_ntriples(store, iri: str, incoming_limit: int = 1000) -> str:
    """The resource's own triples plus the triples pointing at it (a symmetric bounded description)."""
    iri_ok(iri)
    res = store.query(f"""CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{
        {{ <{iri}> ?p ?o }} UNION {{ {{ SELECT ?s ?q WHERE {{ ?s ?q <{iri}> }} LIMIT {incoming_limit} }} }} }}""")
    return "".join(f"{t} .\n" for t in res)
