"""IRIs as the pages show them: the local page of a minted IRI, a display name for any
IRI (our ontology's zh label, else its local name), and the check every IRI passes before it
is written into a query."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from api.errors import ApiError
from kg.store import ID
from ontology.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS

RDF_TYPE = str(RDF.type)
# Names the UI uses for terms outside our ontology (ours come from ontology/budget.ttl).
EXTERNAL_LABELS = {
    RDF_TYPE: "类型",
    str(RDFS.label): "名称",
    str(RDFS.comment): "说明",
    str(SKOS.altLabel): "别名",
    str(SKOS.prefLabel): "名称",
    str(SKOS.notation): "编码",
    str(SKOS.broader): "上级科目",
    str(SKOS.inScheme): "所属科目体系",
    str(SKOS.Concept): "分类科目",
    str(ORG.subOrganizationOf): "上级单位",
    str(ORG.hasUnit): "内设机构",
    str(ORG.OrganizationalUnit): "内设机构",
    str(PROV.wasDerivedFrom): "来源文件",
    str(DCTERMS.references): "引用政策",
    str(DCTERMS.title): "标题",
}


@lru_cache(maxsize=1)
def _ontology_labels() -> dict[str, dict[str, str]]:
    """The labels of the ontology's terms (ontology/*.ttl) by language, read once."""
    labels: dict[str, dict[str, str]] = {"zh": {}, "en": {}}
    try:
        import rdflib

        import ontology

        g = rdflib.Graph()
        for f in sorted(Path(ontology.__file__).parent.glob("*.ttl")):
            g.parse(f, format="turtle")
        for s, o in g.subject_objects(rdflib.RDFS.label):
            lang = getattr(o, "language", None)
            if lang in labels:
                labels[lang][str(s)] = str(o)
    except Exception:  # noqa: BLE001 - labels are cosmetic; fall back to local names
        pass
    return labels


@lru_cache(maxsize=1)
def term_labels() -> dict[str, str]:
    """zh labels of the ontology's terms, and the UI's names for the external terms it shows."""
    return {**EXTERNAL_LABELS, **_ontology_labels()["zh"]}


def term_label_en(iri: str) -> str:
    """The ontology's English label of a term (the JSON twins carry both languages)."""
    return _ontology_labels()["en"].get(iri) or local_name(iri)


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri:
            tail = iri.rsplit(sep, 1)[1]
            if tail:
                return tail
    return iri


def term_label(iri: str) -> str:
    return term_labels().get(iri) or local_name(iri)


def href(iri: str) -> str | None:
    """The local page of a minted IRI (None for IRIs we do not serve)."""
    if iri.startswith(ID):
        return "/id/" + quote(iri[len(ID):], safe="/:@!$&'()*+,;=-._~")
    return None


def link(iri: str, label: str | None = None) -> dict:
    return {"iri": iri, "label": label or term_label(iri), "href": href(iri)}


def iri_ok(iri: str) -> str:
    if any(c in iri for c in '<>"{}|^`\\ \n\t'):
        raise ApiError(400, "bad_iri", f"not a valid IRI: {iri!r}")
    return iri
