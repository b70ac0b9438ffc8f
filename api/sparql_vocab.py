"""What the SPARQL editor offers to complete: the prefixes every query may use and the
ontology's terms (ontology/budget.ttl: classes, properties and concept schemes, with their
labels and comments), plus the handful of outside terms the graph uses (rdfs:label,
org:subOrganizationOf, …). Read from the ontology files, never listed here by hand, so a
term added to budget.ttl is offered without touching this module."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from kg.store import PREFIXES
from ontology.namespace import OWL, RDF, RDFS, SKOS

KINDS = {str(OWL.Class): "class", str(RDFS.Class): "class", str(SKOS.ConceptScheme): "scheme",
         str(OWL.ObjectProperty): "property", str(OWL.DatatypeProperty): "property",
         str(RDF.Property): "property", str(OWL.AnnotationProperty): "property"}
_TYPE, _LABEL, _COMMENT = str(RDF.type), str(RDFS.label), str(RDFS.comment)


def compact(iri: str) -> str | None:
    """prefix:local for an IRI under one of PREFIXES (the longest namespace wins), else None."""
    for p, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        local = iri[len(ns):]
        if iri.startswith(ns) and local and all(c.isalnum() or c in "_-" for c in local):
            return f"{p}:{local}"
    return None


def _lang(values: list[tuple[str, str | None]], lang: str) -> str | None:
    return next((v for v, lg in values if lg == lang), None)


@lru_cache(maxsize=1)
def vocabulary() -> dict:
    """{"prefixes": {prefix: namespace}, "terms": [{name, iri, kind, label, label_en, comment}]}:
    every typed term the ontology files define under a known prefix, classes first."""
    import pyoxigraph as ox

    import ontology
    from api.views.links import EXTERNAL_LABELS

    types: dict[str, str] = {}
    labels: dict[str, list] = {}
    comments: dict[str, list] = {}
    for f in sorted(Path(ontology.__file__).resolve().parent.glob("*.ttl")):
        for t in ox.parse(f.read_bytes(), format=ox.RdfFormat.TURTLE):
            if not isinstance(t.subject, ox.NamedNode):
                continue
            s, p, o = t.subject.value, t.predicate.value, t.object
            if p == _TYPE and o.value in KINDS:
                types.setdefault(s, KINDS[o.value])
            elif p == _LABEL and isinstance(o, ox.Literal):
                labels.setdefault(s, []).append((o.value, o.language))
            elif p == _COMMENT and isinstance(o, ox.Literal):
                comments.setdefault(s, []).append((o.value, o.language))
    terms = []
    for iri, kind in types.items():
        name = compact(iri)
        if name is None or not name.startswith("bkg:"):
            continue  # the ontology's own terms; the shapes file's node shapes are not for queries
        ls, cs = labels.get(iri, []), comments.get(iri, [])
        terms.append({"name": name, "iri": iri, "kind": kind, "label": _lang(ls, "zh") or _lang(ls, "en") or "",
                      "label_en": _lang(ls, "en") or "", "comment": _lang(cs, "zh") or _lang(cs, "en") or ""})
    for iri, label in EXTERNAL_LABELS.items():
        name = compact(iri)
        if name:
            local = name.split(":", 1)[1]
            terms.append({"name": name, "iri": iri, "kind": "class" if local[:1].isupper() else "property",
                          "label": label, "label_en": "", "comment": ""})
    order = {"class": 0, "scheme": 1, "property": 2}
    terms.sort(key=lambda t: (not t["name"].startswith("bkg:"), order[t["kind"]], t["name"]))
    return {"prefixes": dict(PREFIXES), "terms": terms}
