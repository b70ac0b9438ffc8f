"""What the pages show, as plain data (the JSON twins are exactly these dicts; the HTML
templates render them). Everything is read through SPARQL on the store, one bounded query
per section, so a page costs the same however big the graph grows."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from api.errors import ApiError
from api.sparql import term_json
from kg.store import BKG, ID, PREFIXES

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())

# Names the UI uses for terms outside our ontology (ours come from ontology/budget.ttl).
EXTERNAL_LABELS = {
    RDF_TYPE: "类型",
    "http://www.w3.org/2000/01/rdf-schema#label": "名称",
    "http://www.w3.org/2000/01/rdf-schema#comment": "说明",
    "http://www.w3.org/2004/02/skos/core#altLabel": "别名",
    "http://www.w3.org/2004/02/skos/core#prefLabel": "名称",
    "http://www.w3.org/2004/02/skos/core#notation": "编码",
    "http://www.w3.org/2004/02/skos/core#broader": "上级科目",
    "http://www.w3.org/2004/02/skos/core#inScheme": "所属科目体系",
    "http://www.w3.org/2004/02/skos/core#Concept": "分类科目",
    "http://www.w3.org/ns/org#subOrganizationOf": "上级单位",
    "http://www.w3.org/ns/org#hasUnit": "内设机构",
    "http://www.w3.org/ns/org#OrganizationalUnit": "内设机构",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "来源文件",
    "http://purl.org/dc/terms/references": "引用政策",
    "http://purl.org/dc/terms/title": "标题",
}
LABEL_PROPS = ("rdfs:label", "skos:prefLabel", "dcterms:title", "bkg:documentNumber", "bkg:sourceFile", "skos:notation")


@lru_cache(maxsize=1)
def term_labels() -> dict[str, str]:
    """zh labels of the ontology's terms (ontology/*.ttl), read once."""
    labels = dict(EXTERNAL_LABELS)
    try:
        import rdflib

        import ontology

        g = rdflib.Graph()
        for f in sorted(Path(ontology.__file__).parent.glob("*.ttl")):
            g.parse(f, format="turtle")
        for s, o in g.subject_objects(rdflib.RDFS.label):
            if getattr(o, "language", None) == "zh":
                labels[str(s)] = str(o)
    except Exception:  # noqa: BLE001 - labels are cosmetic; fall back to local names
        pass
    return labels


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


def money(value) -> dict | None:
    """Yuan (exact, as printed in the graph) plus the 万元 figure the UI shows."""
    if value is None:
        return None
    try:
        yuan = Decimal(str(value))
    except InvalidOperation:
        return None
    wan = (yuan / 10000).normalize()
    if wan == wan.to_integral():
        wan = wan.quantize(Decimal(1))
    text = f"{wan:,f}"
    if "." in text:
        ip, fp = text.split(".")
        text = f"{ip}.{fp}" if len(fp) >= 2 else f"{ip}.{fp:0<2}"
    else:
        text += ".00"
    return {"yuan": str(yuan), "wan": str(wan), "display": f"{text} 万元"}


def _rows(store, sparql: str) -> list[dict]:
    """SELECT as rows of SPARQL-JSON terms (keeps IRIs and literals apart, unlike store.select)."""
    try:
        res = store.query(PROLOGUE + sparql)
        names = [v.value for v in res.variables]
        return [{n: term_json(sol[n]) for n in names} for sol in res]
    except SyntaxError as e:  # a bug in this module, not the user's input
        raise ApiError(500, "internal_error", f"page query failed: {e}") from None


def _v(t: dict | None):
    """The python value of a SPARQL-JSON term (Decimal for decimals, int for integers)."""
    if t is None:
        return None
    dt = t.get("datatype", "")
    if dt == XSD + "decimal":
        return Decimal(t["value"])
    if dt in (XSD + "integer", XSD + "int", XSD + "long"):
        try:
            return int(t["value"])
        except ValueError:
            return t["value"]
    return t["value"]


def iri_ok(iri: str) -> str:
    if any(c in iri for c in '<>"{}|^`\\ \n\t'):
        raise ApiError(400, "bad_iri", f"not a valid IRI: {iri!r}")
    return iri


def labels_for(store, iris) -> dict[str, str]:
    """One query: a display label for each IRI (zh label first)."""
    iris = sorted({i for i in iris if i})
    if not iris:
        return {}
    out: dict[str, str] = {}
    for start in range(0, len(iris), 200):
        chunk = iris[start:start + 200]
        values = " ".join(f"<{iri_ok(i)}>" for i in chunk)
        opts = " ".join(f"OPTIONAL {{ ?x {p} ?l{i} }}" for i, p in enumerate(LABEL_PROPS))
        sel = " ".join(f"(SAMPLE(?l{i}) AS ?s{i})" for i in range(len(LABEL_PROPS)))
        for r in _rows(store, f"SELECT ?x {sel} WHERE {{ VALUES ?x {{ {values} }} {opts} }} GROUP BY ?x"):
            for i in range(len(LABEL_PROPS)):
                t = r.get(f"s{i}")
                if t:
                    out[r["x"]["value"]] = t["value"]
                    break
    return out


def link(iri: str, label: str | None = None) -> dict:
    return {"iri": iri, "label": label or term_label(iri), "href": href(iri)}


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


# --- generic resource ---------------------------------------------------------------------

def exists(store, iri: str) -> bool:
    iri_ok(iri)
    return bool(store.query(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}"))


def resource(store, iri: str, incoming_limit: int = 200) -> dict:
    iri_ok(iri)
    out_rows = _rows(store, f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }} LIMIT 2000")
    in_rows = _rows(store, f"SELECT ?s ?p WHERE {{ ?s ?p <{iri}> FILTER(isIRI(?s)) }} LIMIT {incoming_limit + 1}")
    if not out_rows and not in_rows:
        raise ApiError(404, "not_found", f"nothing is known about {iri}")
    n_in = _rows(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p <{iri}> }}")[0]["n"]
    iris = {r["o"]["value"] for r in out_rows if r["o"]["type"] == "uri"} | {r["s"]["value"] for r in in_rows} | {iri}
    labels = labels_for(store, iris)
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
        "provenance": provenance(store, iri),
    }


def provenance(store, iri: str) -> list[dict]:
    """The disclosures that assert this resource (its named graphs), with the pages given."""
    rows = _rows(store, f"""
        SELECT ?g (SAMPLE(?f) AS ?file) (SAMPLE(?y) AS ?year) (SAMPLE(?k) AS ?kind)
               (GROUP_CONCAT(DISTINCT STR(?pg); separator=",") AS ?pages)
        WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }}
                 OPTIONAL {{ ?g bkg:sourceFile ?f }} OPTIONAL {{ ?g bkg:fiscalYear ?y }} OPTIONAL {{ ?g bkg:documentKind ?k }}
                 OPTIONAL {{ GRAPH ?g {{ <{iri}> bkg:page ?pg }} }} }}
        GROUP BY ?g ORDER BY ?file LIMIT 100""")
    out = []
    for r in rows:
        pages = sorted({int(p) for p in (r["pages"]["value"] if r.get("pages") else "").split(",") if p.strip().isdigit()})
        out.append({"disclosure": link(r["g"]["value"], _v(r.get("file"))), "source_file": _v(r.get("file")),
                    "year": _v(r.get("year")), "kind": _v(r.get("kind")), "pages": pages})
    return out


# --- policies -----------------------------------------------------------------------------

def policy(store, iri: str) -> dict:
    base = resource(store, iri)
    one = _rows(store, f"""SELECT (SAMPLE(?n) AS ?number) (SAMPLE(?t) AS ?title) (SAMPLE(?ic) AS ?issuer)
                              (SAMPLE(?iy) AS ?year) WHERE {{
        OPTIONAL {{ <{iri}> bkg:documentNumber ?n }} OPTIONAL {{ <{iri}> dcterms:title ?t }}
        OPTIONAL {{ <{iri}> bkg:issuerCode ?ic }} OPTIONAL {{ <{iri}> bkg:issueYear ?iy }} }}""")[0]
    variants = sorted({r["v"]["value"] for r in _rows(store, f"""SELECT DISTINCT ?v WHERE {{
        {{ <{iri}> bkg:documentNumber ?v }} UNION {{ <{iri}> skos:altLabel ?v }} UNION {{ <{iri}> rdfs:label ?v }} }}""")})
    cites = _rows(store, f"""
        SELECT ?c ?p (SAMPLE(?pl) AS ?project) (SAMPLE(?amt) AS ?amount) (SAMPLE(?ag) AS ?agency)
               (SAMPLE(?al) AS ?agencyLabel) (SAMPLE(?dd) AS ?d) (SAMPLE(?y) AS ?year) (SAMPLE(?f) AS ?file)
               (SAMPLE(?q) AS ?quote) (SAMPLE(?pg) AS ?page)
        WHERE {{
          {{ ?c bkg:citedPolicy <{iri}> ; bkg:citingProject ?p .
             OPTIONAL {{ ?c bkg:quote ?q }} OPTIONAL {{ ?c bkg:page ?pg }} OPTIONAL {{ ?c prov:wasDerivedFrom ?cd }} }}
          UNION
          {{ ?p bkg:basedOnPolicy <{iri}> FILTER NOT EXISTS {{ ?c2 bkg:citedPolicy <{iri}> ; bkg:citingProject ?p }} }}
          OPTIONAL {{ ?p rdfs:label ?pl }} OPTIONAL {{ ?p bkg:amount ?amt }}
          OPTIONAL {{ ?p bkg:disclosure ?pd }}
          BIND(COALESCE(?cd, ?pd) AS ?dd)
          OPTIONAL {{ ?p bkg:implementingAgency ?ag0 }}
          OPTIONAL {{ ?dd bkg:reportingAgency ?rag }}
          BIND(COALESCE(?ag0, ?rag) AS ?ag)
          OPTIONAL {{ ?ag rdfs:label ?al }}
          OPTIONAL {{ ?dd bkg:fiscalYear ?y }} OPTIONAL {{ ?dd bkg:sourceFile ?f }}
        }} GROUP BY ?c ?p ORDER BY DESC(?year) ?project LIMIT 1000""")
    citations = []
    for r in cites:
        p = r["p"]["value"]
        ag = _v(r.get("agency"))
        d = _v(r.get("d"))
        citations.append({
            "citation": href(r["c"]["value"]) if r.get("c") else None,
            "project": link(p, _v(r.get("project"))),
            "amount": money(_v(r.get("amount"))),
            "agency": link(ag, _v(r.get("agencyLabel"))) if ag else None,
            "year": _v(r.get("year")), "disclosure": link(d, _v(r.get("file"))) if d else None,
            "source_file": _v(r.get("file")), "quote": _v(r.get("quote")), "page": _v(r.get("page")),
        })
    number = _v(one.get("number"))
    if number:  # how the documents actually printed the number (【】, full-width digits, spaces…)
        variants = sorted(set(variants) | printed_variants(number, [c["quote"] for c in citations if c["quote"]]))
    citing_docs = _rows(store, f"""SELECT ?d (SAMPLE(?f) AS ?file) (SAMPLE(?y) AS ?year) WHERE {{
        ?d dcterms:references <{iri}> OPTIONAL {{ ?d bkg:sourceFile ?f }} OPTIONAL {{ ?d bkg:fiscalYear ?y }} }}
        GROUP BY ?d ORDER BY ?file LIMIT 500""")
    return {**base, "page": "policy", "number": _v(one.get("number")), "title": _v(one.get("title")),
            "issuer_code": _v(one.get("issuer")), "issue_year": _v(one.get("year")), "variants": variants,
            "citations": citations,
            "disclosures": [{**link(r["d"]["value"], _v(r.get("file"))), "year": _v(r.get("year"))} for r in citing_docs]}


def _paging(page: int, size: int) -> tuple[int, int]:
    page = max(1, int(page or 1))
    return page, (page - 1) * size


def printed_variants(number: str, quotes: list[str]) -> set[str]:
    """The printed spellings of `number` in these quotes (kg.policy normalizes each find)."""
    try:
        from kg.policy import find_numbers
    except ImportError:
        return set()
    return {n.printed.strip() for q in quotes for n in find_numbers(q) if n.number == number}


def policies(store, page: int = 1, size: int = 500) -> dict:
    page, offset = _paging(page, size)
    # counts in their own grouped subqueries: no projects × disclosures cross product
    rows = _rows(store, f"""
        SELECT ?pol ?number ?title ?projects ?docs WHERE {{
          {{ SELECT ?pol (SAMPLE(?n) AS ?number) (SAMPLE(?t) AS ?title) WHERE {{
               ?pol a bkg:Policy . OPTIONAL {{ ?pol bkg:documentNumber ?n }} OPTIONAL {{ ?pol dcterms:title ?t }} }}
             GROUP BY ?pol }}
          OPTIONAL {{ SELECT ?pol (COUNT(DISTINCT ?p) AS ?projects) WHERE {{
               {{ ?c bkg:citedPolicy ?pol ; bkg:citingProject ?p }} UNION {{ ?p bkg:basedOnPolicy ?pol }} }} GROUP BY ?pol }}
          OPTIONAL {{ SELECT ?pol (COUNT(DISTINCT ?d) AS ?docs) WHERE {{ ?d dcterms:references ?pol }} GROUP BY ?pol }}
        }} ORDER BY DESC(?projects) ?number ?title ?pol LIMIT {size + 1} OFFSET {offset}""")
    items = [{**link(r["pol"]["value"], _v(r.get("number")) or _v(r.get("title"))), "number": _v(r.get("number")),
              "title": _v(r.get("title")), "projects": _v(r.get("projects")) or 0, "disclosures": _v(r.get("docs")) or 0}
             for r in rows[:size]]
    return {"page": "policies", "title": "政策文件", "count": len(items), "items": items,
            "paging": {"page": page, "size": size, "next": page + 1 if len(rows) > size else None,
                       "prev": page - 1 if page > 1 else None}}


# --- agencies -----------------------------------------------------------------------------

TOTALS = ("totalIncome", "totalExpenditure", "basicExpenditure", "projectExpenditure", "threePublicExpenses")


def agency(store, iri: str) -> dict:
    base = resource(store, iri)
    up = _rows(store, f"""SELECT ?x (SAMPLE(?l) AS ?label) WHERE {{ <{iri}> org:subOrganizationOf ?x
                               OPTIONAL {{ ?x rdfs:label ?l }} }} GROUP BY ?x""")
    down = _rows(store, f"""SELECT ?x (SAMPLE(?l) AS ?label) WHERE {{ ?x org:subOrganizationOf <{iri}>
                                 OPTIONAL {{ ?x rdfs:label ?l }} }} GROUP BY ?x ORDER BY ?label LIMIT 500""")
    units = _rows(store, f"""SELECT ?u (SAMPLE(?l) AS ?label) WHERE {{ <{iri}> org:hasUnit ?u
                                  OPTIONAL {{ ?u rdfs:label ?l }} }} GROUP BY ?u ORDER BY ?label LIMIT 500""")
    sel = " ".join(f"(SAMPLE(?{t}) AS ?{t}_)" for t in TOTALS)
    opt = " ".join(f"OPTIONAL {{ ?d bkg:{t} ?{t} }}" for t in TOTALS)
    docs = _rows(store, f"""
        SELECT ?d (SAMPLE(?f) AS ?file) (SAMPLE(?y) AS ?year) (SAMPLE(?k) AS ?kind) (SAMPLE(?sc) AS ?scope) {sel}
        WHERE {{ ?d bkg:reportingAgency <{iri}> . OPTIONAL {{ ?d bkg:sourceFile ?f }} OPTIONAL {{ ?d bkg:fiscalYear ?y }}
                 OPTIONAL {{ ?d bkg:documentKind ?k }} OPTIONAL {{ ?d bkg:disclosureScope ?sc }} {opt} }}
        GROUP BY ?d ORDER BY DESC(?year) ?file LIMIT 500""")
    projects = _rows(store, f"""
        SELECT ?p (SAMPLE(?l) AS ?label) (SAMPLE(?a) AS ?amount) (SAMPLE(?cat) AS ?category) (SAMPLE(?y) AS ?year)
               (SAMPLE(?dd) AS ?d) (SAMPLE(?f) AS ?file)
        WHERE {{ {{ ?p bkg:implementingAgency <{iri}> }} UNION {{ ?p a bkg:Project ; bkg:disclosure ?d0 .
                                                               ?d0 bkg:reportingAgency <{iri}> }}
                 OPTIONAL {{ ?p rdfs:label ?l }} OPTIONAL {{ ?p bkg:amount ?a }} OPTIONAL {{ ?p bkg:category ?cat }}
                 OPTIONAL {{ ?p bkg:disclosure ?dd OPTIONAL {{ ?dd bkg:fiscalYear ?y }} OPTIONAL {{ ?dd bkg:sourceFile ?f }} }} }}
        GROUP BY ?p ORDER BY DESC(?year) DESC(?amount) LIMIT 1000""")
    findings = _rows(store, f"""
        SELECT ?fd (SAMPLE(?c) AS ?comment) (SAMPLE(?sv) AS ?severity) (SAMPLE(?f) AS ?file) (SAMPLE(?y) AS ?year)
        WHERE {{ ?fd a bkg:Finding ; bkg:disclosure ?d . ?d bkg:reportingAgency <{iri}> .
                 OPTIONAL {{ ?fd rdfs:comment ?c }} OPTIONAL {{ ?fd bkg:severity ?sv }}
                 OPTIONAL {{ ?d bkg:sourceFile ?f }} OPTIONAL {{ ?d bkg:fiscalYear ?y }} }}
        GROUP BY ?fd ORDER BY DESC(?year) LIMIT 500""")
    by_year: dict = {}
    for r in docs:
        item = {**link(r["d"]["value"], _v(r.get("file"))), "source_file": _v(r.get("file")), "year": _v(r.get("year")),
                "kind": _v(r.get("kind")), "scope": _v(r.get("scope")),
                "totals": {t: money(_v(r.get(f"{t}_"))) for t in TOTALS if r.get(f"{t}_")},
                "totals_labels": {t: term_label(BKG + t) for t in TOTALS}}
        by_year.setdefault(item["year"], []).append(item)
    return {
        **base, "page": "agency",
        "parents": [link(r["x"]["value"], _v(r.get("label"))) for r in up],
        "children": [link(r["x"]["value"], _v(r.get("label"))) for r in down],
        "units": [link(r["u"]["value"], _v(r.get("label"))) for r in units],
        "disclosures_by_year": [{"year": y, "disclosures": ds} for y, ds in
                                sorted(by_year.items(), key=lambda kv: (kv[0] is None, -(kv[0] or 0)))],
        "projects": [{**link(r["p"]["value"], _v(r.get("label"))), "amount": money(_v(r.get("amount"))),
                      "category": _v(r.get("category")), "year": _v(r.get("year")), "source_file": _v(r.get("file")),
                      "disclosure": href(r["d"]["value"]) if r.get("d") else None} for r in projects],
        "findings": [{**link(r["fd"]["value"], _v(r.get("comment"))), "comment": _v(r.get("comment")),
                      "severity": _v(r.get("severity")), "source_file": _v(r.get("file")), "year": _v(r.get("year"))}
                     for r in findings],
    }


def agencies(store, page: int = 1, size: int = 500) -> dict:
    page, offset = _paging(page, size)
    rows = _rows(store, f"""
        SELECT ?a ?label ?parent ?parentLabel ?docs ?projects WHERE {{
          {{ SELECT ?a (SAMPLE(?l) AS ?label) (SAMPLE(?pa) AS ?parent) (SAMPLE(?pl) AS ?parentLabel) WHERE {{
               ?a a bkg:Agency . OPTIONAL {{ ?a rdfs:label ?l }}
               OPTIONAL {{ ?a org:subOrganizationOf ?pa OPTIONAL {{ ?pa rdfs:label ?pl }} }} }} GROUP BY ?a }}
          OPTIONAL {{ SELECT ?a (COUNT(DISTINCT ?d) AS ?docs) WHERE {{ ?d bkg:reportingAgency ?a }} GROUP BY ?a }}
          OPTIONAL {{ SELECT ?a (COUNT(DISTINCT ?p) AS ?projects) WHERE {{ ?p bkg:implementingAgency ?a }} GROUP BY ?a }}
        }} ORDER BY ?label ?a LIMIT {size + 1} OFFSET {offset}""")
    items = [{**link(r["a"]["value"], _v(r.get("label"))),
              "parent": link(r["parent"]["value"], _v(r.get("parentLabel"))) if r.get("parent") else None,
              "disclosures": _v(r.get("docs")) or 0, "projects": _v(r.get("projects")) or 0} for r in rows[:size]]
    return {"page": "agencies", "title": "预算单位", "count": len(items), "items": items,
            "paging": {"page": page, "size": size, "next": page + 1 if len(rows) > size else None,
                       "prev": page - 1 if page > 1 else None}}


def disclosures(store, page: int = 1, size: int = 500) -> dict:
    page, offset = _paging(page, size)
    rows = _rows(store, f"""
        SELECT ?d (SAMPLE(?f) AS ?file) (SAMPLE(?y) AS ?year) (SAMPLE(?k) AS ?kind) (SAMPLE(?a) AS ?agency)
               (SAMPLE(?al) AS ?agencyLabel) (SAMPLE(?ti) AS ?totalIncome) (SAMPLE(?te) AS ?totalExpenditure)
        WHERE {{ ?d a bkg:Disclosure . OPTIONAL {{ ?d bkg:sourceFile ?f }} OPTIONAL {{ ?d bkg:fiscalYear ?y }}
                 OPTIONAL {{ ?d bkg:documentKind ?k }} OPTIONAL {{ ?d bkg:totalIncome ?ti }}
                 OPTIONAL {{ ?d bkg:totalExpenditure ?te }}
                 OPTIONAL {{ ?d bkg:reportingAgency ?a OPTIONAL {{ ?a rdfs:label ?al }} }} }}
        GROUP BY ?d ORDER BY DESC(?year) ?file ?d LIMIT {size + 1} OFFSET {offset}""")
    items = [{**link(r["d"]["value"], _v(r.get("file"))), "source_file": _v(r.get("file")), "year": _v(r.get("year")),
              "kind": _v(r.get("kind")),
              "agency": link(r["agency"]["value"], _v(r.get("agencyLabel"))) if r.get("agency") else None,
              "total_income": money(_v(r.get("totalIncome"))), "total_expenditure": money(_v(r.get("totalExpenditure")))}
             for r in rows[:size]]
    return {"page": "disclosures", "title": "公开文件", "count": len(items), "items": items,
            "paging": {"page": page, "size": size, "next": page + 1 if len(rows) > size else None,
                       "prev": page - 1 if page > 1 else None}}


def disclosure_for_file(store, source_file: str) -> str | None:
    lit = source_file.replace("\\", "\\\\").replace('"', '\\"')
    rows = _rows(store, f'SELECT ?d WHERE {{ ?d bkg:sourceFile "{lit}" }} LIMIT 1')
    return rows[0]["d"]["value"] if rows else None


def facets(store) -> dict:
    """Choices for the search filters: years and agencies that have disclosures."""
    years = [_v(r["y"]) for r in _rows(store, "SELECT DISTINCT ?y WHERE { ?d bkg:fiscalYear ?y } ORDER BY DESC(?y)")]
    ags = _rows(store, """SELECT ?a (SAMPLE(?l) AS ?label) WHERE { ?d bkg:reportingAgency ?a OPTIONAL { ?a rdfs:label ?l } }
                          GROUP BY ?a ORDER BY ?label LIMIT 500""")
    return {"years": [y for y in years if y is not None], "agencies": [_v(r.get("label")) for r in ags if r.get("label")]}


TOTAL_ORDER = ("totalIncome", "totalExpenditure", "carryOverIncome", "carryForward", "grandTotalIncome",
               "grandTotalExpenditure", "basicExpenditure", "personnelExpenditure", "publicExpenditure",
               "projectExpenditure", "threePublicExpenses", "threePublicAbroad", "threePublicVehicles",
               "threePublicVehiclePurchase", "threePublicVehicleOperation", "threePublicReception", "operatingExpenses",
               "procurementBudget")


def _total_rank(predicate: str) -> int:
    name = predicate[len(BKG):] if predicate.startswith(BKG) else ""
    return TOTAL_ORDER.index(name) if name in TOTAL_ORDER else len(TOTAL_ORDER)


def disclosure(store, iri: str) -> dict:
    base = resource(store, iri, incoming_limit=50)
    head = _rows(store, f"""SELECT (SAMPLE(?f) AS ?file) (SAMPLE(?y) AS ?year) (SAMPLE(?k) AS ?kind) (SAMPLE(?sc) AS ?scope)
                               (SAMPLE(?a) AS ?agency) (SAMPLE(?al) AS ?agencyLabel) WHERE {{
        OPTIONAL {{ <{iri}> bkg:sourceFile ?f }} OPTIONAL {{ <{iri}> bkg:fiscalYear ?y }}
        OPTIONAL {{ <{iri}> bkg:documentKind ?k }} OPTIONAL {{ <{iri}> bkg:disclosureScope ?sc }}
        OPTIONAL {{ <{iri}> bkg:reportingAgency ?a OPTIONAL {{ ?a rdfs:label ?al }} }} }}""")[0]
    money_rows = _rows(store, f"""SELECT ?p ?v WHERE {{ <{iri}> ?p ?v FILTER(isLiteral(?v) && datatype(?v) = xsd:decimal) }}""")
    totals = sorted(({"predicate": r["p"]["value"], "label": term_label(r["p"]["value"]), "amount": money(_v(r["v"]))}
                     for r in money_rows), key=lambda t: (_total_rank(t["predicate"]), t["label"]))
    projects = _rows(store, f"""
        SELECT ?p (SAMPLE(?l) AS ?label) (SAMPLE(?a) AS ?amount) (SAMPLE(?cat) AS ?category)
               (GROUP_CONCAT(DISTINCT ?n; separator="、") AS ?policies)
        WHERE {{ ?p a bkg:Project ; bkg:disclosure <{iri}> . OPTIONAL {{ ?p rdfs:label ?l }} OPTIONAL {{ ?p bkg:amount ?a }}
                 OPTIONAL {{ ?p bkg:category ?cat }} OPTIONAL {{ ?p bkg:basedOnPolicy ?pol . ?pol bkg:documentNumber ?n }} }}
        GROUP BY ?p ORDER BY DESC(?amount) LIMIT 1000""")
    lines = _rows(store, f"""
        SELECT ?l (SAMPLE(?code) AS ?notation) (SAMPLE(?name) AS ?label) (SAMPLE(?sch) AS ?scheme) (SAMPLE(?a) AS ?amount)
               (SAMPLE(?ft) AS ?figure)
        WHERE {{ ?l bkg:disclosure <{iri}> ; a bkg:BudgetLine . OPTIONAL {{ ?l bkg:amount ?a }} OPTIONAL {{ ?l bkg:figureType ?ft }}
                 OPTIONAL {{ ?l bkg:classification ?c OPTIONAL {{ ?c skos:notation ?code }} OPTIONAL {{ ?c skos:prefLabel ?name }}
                            OPTIONAL {{ ?c skos:inScheme ?sch }} }} }}
        GROUP BY ?l ORDER BY ?scheme ?notation ?figure LIMIT 2000""")
    policies_ = _rows(store, f"""SELECT ?pol (SAMPLE(?n) AS ?number) (SAMPLE(?t) AS ?title) WHERE {{
        <{iri}> dcterms:references ?pol OPTIONAL {{ ?pol bkg:documentNumber ?n }} OPTIONAL {{ ?pol dcterms:title ?t }} }}
        GROUP BY ?pol ORDER BY ?number LIMIT 500""")
    findings = _rows(store, f"""SELECT ?fd (SAMPLE(?c) AS ?comment) WHERE {{ ?fd a bkg:Finding ; bkg:disclosure <{iri}>
        OPTIONAL {{ ?fd rdfs:comment ?c }} }} GROUP BY ?fd LIMIT 500""")
    ag = _v(head.get("agency"))
    return {
        **base, "page": "disclosure", "source_file": _v(head.get("file")), "year": _v(head.get("year")),
        "kind": _v(head.get("kind")), "scope": _v(head.get("scope")),
        "agency": link(ag, _v(head.get("agencyLabel"))) if ag else None, "totals": totals,
        "projects": [{**link(r["p"]["value"], _v(r.get("label"))), "amount": money(_v(r.get("amount"))),
                      "category": _v(r.get("category")), "policies": _v(r.get("policies")) or ""} for r in projects],
        "lines": [{**link(r["l"]["value"], _v(r.get("label"))), "notation": _v(r.get("notation")),
                   "scheme": term_label(_v(r["scheme"])) if r.get("scheme") else None, "figure": _v(r.get("figure")),
                   "amount": money(_v(r.get("amount")))} for r in lines],
        "policies": [{**link(r["pol"]["value"], _v(r.get("number")) or _v(r.get("title"))), "title": _v(r.get("title"))}
                     for r in policies_],
        "findings": [{**link(r["fd"]["value"], _v(r.get("comment"))), "comment": _v(r.get("comment"))} for r in findings],
    }


def overview(store) -> dict:
    """Counts for the home page and a few questions built from the graph itself (what the
    corpus can answer), never from fixed strings."""
    counts = _rows(store, """SELECT
        (COUNT(DISTINCT ?d) AS ?docs) (COUNT(DISTINCT ?a) AS ?agencies) (COUNT(DISTINCT ?pol) AS ?policies)
        (COUNT(DISTINCT ?p) AS ?projects) WHERE {
        { ?d a bkg:Disclosure } UNION { ?a a bkg:Agency } UNION { ?pol a bkg:Policy } UNION { ?p a bkg:Project } }""")[0]
    ask: list[str] = []
    total = _rows(store, """SELECT ?name ?year ?kind WHERE { ?d bkg:reportingAgency ?a ; bkg:fiscalYear ?year ;
        bkg:documentKind ?kind ; bkg:totalIncome ?t . ?a rdfs:label ?name } ORDER BY DESC(?year) ?name LIMIT 1""")
    if total:
        r = total[0]
        word = "决算" if _v(r["kind"]) == "final_account" else "预算"
        ask.append(f"{_v(r['name'])}{_v(r['year'])}年{word}收入总额是多少？")
    pol = _rows(store, """SELECT ?n (COUNT(DISTINCT ?p) AS ?k) WHERE { ?c bkg:citedPolicy ?x ; bkg:citingProject ?p .
        ?x bkg:documentNumber ?n } GROUP BY ?n ORDER BY DESC(?k) ?n LIMIT 1""")
    if pol:
        ask.append(f"哪些项目以{_v(pol[0]['n'])}为依据？")
    units = _rows(store, """SELECT ?name WHERE { ?a org:hasUnit ?u ; rdfs:label ?name } GROUP BY ?name
        ORDER BY DESC(COUNT(?u)) ?name LIMIT 1""")
    if units:
        ask.append(f"{_v(units[0]['name'])}有哪些内设机构？")
    return {"counts": {k: _v(counts.get(k)) or 0 for k in ("docs", "agencies", "policies", "projects")},
            "suggestions": ask}


def disclosure_count(store) -> int:
    rows = _rows(store, "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a bkg:Disclosure }")
    return int(rows[0]["n"]["value"]) if rows and rows[0].get("n") else 0


def page_kind(type_iris: list[str]) -> str:
    if BKG + "Policy" in type_iris:
        return "policy"
    if BKG + "Agency" in type_iris:
        return "agency"
    if BKG + "Disclosure" in type_iris:
        return "disclosure"
    return "resource"


def entity(store, iri: str) -> dict:
    """The page data of any minted IRI: policies and agencies get their richer views."""
    kinds = {r["t"]["value"] for r in _rows(store, f"SELECT DISTINCT ?t WHERE {{ <{iri_ok(iri)}> a ?t }}")}
    kind = page_kind(list(kinds))
    if kind == "policy":
        return policy(store, iri)
    if kind == "agency":
        return agency(store, iri)
    if kind == "disclosure":
        return disclosure(store, iri)
    return {**resource(store, iri), "page": "resource"}


def describe_ntriples(store, iri: str, incoming_limit: int = 1000) -> str:
    """The resource's own triples plus the triples pointing at it (a symmetric bounded description)."""
    iri_ok(iri)
    res = store.query(f"""CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{
        {{ <{iri}> ?p ?o }} UNION {{ {{ SELECT ?s ?q WHERE {{ ?s ?q <{iri}> }} LIMIT {incoming_limit} }} }} }}""")
    return "".join(f"{t} .\n" for t in res)
