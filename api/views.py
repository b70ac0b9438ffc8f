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


def _values(var: str, iris) -> str:
    return f"VALUES ?{var} {{ {' '.join(f'<{iri_ok(i)}>' for i in iris)} }}"


def lookup(store, iris, props: dict[str, str], chunk: int = 500) -> dict[str, dict]:
    """One value of each property (a SPARQL-JSON term, what SAMPLE gave) for each IRI, read
    for these IRIs only: with the subject bound each property is one index seek, where a
    join written over the whole corpus would seek once per row of every disclosure."""
    out: dict[str, dict] = {}
    iris = list(dict.fromkeys(i for i in iris if i))
    opts = " ".join(f"OPTIONAL {{ ?x {p} ?{n} }}" for n, p in props.items())
    for start in range(0, len(iris), chunk):
        part = iris[start:start + chunk]
        for r in _rows(store, f"SELECT * WHERE {{ {_values('x', part)} {opts} }}"):
            got = out.setdefault(r["x"]["value"], {})
            for n in props:
                if r.get(n) is not None:
                    got.setdefault(n, r[n])
    return out


def _asc(v) -> tuple:
    """SPARQL's ascending order of one string key: unbound first."""
    return (0, "") if v is None else (1, str(v))


def _desc(v) -> tuple:
    """SPARQL's DESC of one number: largest first, unbound last."""
    return (0, -v) if isinstance(v, (int, Decimal)) else (1, 0)


def _page_info(page: int, size: int, total: int) -> dict:
    return {"page": page, "size": size, "total": total, "pages": max(1, -(-total // size)),
            "next": page + 1 if page * size < total else None, "prev": page - 1 if page > 1 else None}


def labels_for(store, iris) -> dict[str, str]:
    """A display label for each IRI: the first of LABEL_PROPS it has (zh label first).
    One property at a time, for the IRIs still without a label: most have the first, so
    most cost one index seek."""
    todo = sorted({i for i in iris if i})
    out: dict[str, str] = {}
    for prop in LABEL_PROPS:
        if not todo:
            break
        for start in range(0, len(todo), 500):
            for r in _rows(store, f"SELECT ?x ?l WHERE {{ {_values('x', todo[start:start + 500])} ?x {prop} ?l }}"):
                out.setdefault(r["x"]["value"], r["l"]["value"])
        todo = [i for i in todo if i not in out]
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
    }


def provenance(store, iri: str, limit: int = 100) -> tuple[list[dict], int]:
    """The disclosures that assert this resource (its named graphs), the first `limit` by
    file name, with the pages given; and how many there are. A shared node (a
    classification code) is asserted by every disclosure: the file names of its graphs are
    read in one hash-joined pass and sorted here; graph IRIs, years, kinds and pages are
    read for the graphs shown only."""
    graphs = f"{{ SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} }}"
    # file names only (the graph IRIs are looked up for the files shown)
    names = sorted((_v(r.get("f")) is not None, _v(r.get("f")) or "") for r in _rows(store, f"""SELECT ?f WHERE {{
        {graphs} OPTIONAL {{ SELECT ?g ?f WHERE {{ ?g bkg:sourceFile ?f }} }} }}"""))
    if not names:
        return [], 0
    files: dict[str, str | None] = {}
    if not names[0][0]:  # graphs without a file name sort first
        for r in _rows(store, f"SELECT ?g WHERE {{ {graphs} FILTER NOT EXISTS {{ ?g bkg:sourceFile ?f }} }}"):
            files[r["g"]["value"]] = None
    wanted = [f for has, f in names[:limit] if has]
    if wanted:
        for r in _rows(store, f"""SELECT ?g ?f WHERE {{ VALUES ?f {{ {" ".join(map(_literal, dict.fromkeys(wanted)))} }}
                                  ?g bkg:sourceFile ?f FILTER EXISTS {{ GRAPH ?g {{ <{iri}> ?p ?o }} }} }}"""):
            if files.get(r["g"]["value"]) is None:
                files[r["g"]["value"]] = _v(r["f"])
    top = sorted(files, key=lambda g: (_asc(files[g]), g))[:limit]
    info = lookup(store, top, {"y": "bkg:fiscalYear", "k": "bkg:documentKind"})
    pages: dict[str, set[int]] = {}
    for r in _rows(store, f"SELECT ?g ?pg WHERE {{ {_values('g', top)} GRAPH ?g {{ <{iri}> bkg:page ?pg }} }}"):
        if r["pg"]["value"].strip().isdigit():
            pages.setdefault(r["g"]["value"], set()).add(int(r["pg"]["value"]))
    out = []
    for g in top:
        i = info.get(g, {})
        out.append({"disclosure": link(g, files[g]), "source_file": files[g], "year": _v(i.get("y")),
                    "kind": _v(i.get("k")), "pages": sorted(pages.get(g, ()))})
    return out, len(names)


# --- policies -----------------------------------------------------------------------------

def policy(store, iri: str, page: int = 1, size: int = 500) -> dict:
    base = resource(store, iri)
    one = _rows(store, f"""SELECT (SAMPLE(?n) AS ?number) (SAMPLE(?t) AS ?title) (SAMPLE(?ic) AS ?issuer)
                              (SAMPLE(?iy) AS ?year) WHERE {{
        OPTIONAL {{ <{iri}> bkg:documentNumber ?n }} OPTIONAL {{ <{iri}> dcterms:title ?t }}
        OPTIONAL {{ <{iri}> bkg:issuerCode ?ic }} OPTIONAL {{ <{iri}> bkg:issueYear ?iy }} }}""")[0]
    variants = sorted({r["v"]["value"] for r in _rows(store, f"""SELECT DISTINCT ?v WHERE {{
        {{ <{iri}> bkg:documentNumber ?v }} UNION {{ <{iri}> skos:altLabel ?v }} UNION {{ <{iri}> rdfs:label ?v }} }}""")})
    # Every project that cites the policy, one row per (citation, project) as before. The
    # order (newest year, then project name) needs two columns, read for these rows only;
    # the rest is read for the rows of the page shown. Sorting strings in SPARQL would
    # decode each one at every comparison.
    links: dict[tuple, dict] = {}
    for r in _rows(store, f"""SELECT ?c ?p ?cd WHERE {{ ?c bkg:citedPolicy <{iri}> ; bkg:citingProject ?p
                                OPTIONAL {{ ?c prov:wasDerivedFrom ?cd }} }}"""):
        row = links.setdefault((r["c"]["value"], r["p"]["value"]), {"c": r["c"]["value"], "p": r["p"]["value"], "cd": None})
        row["cd"] = row["cd"] or _v(r.get("cd"))
    cited = {p for _, p in links}
    for r in _rows(store, f"SELECT DISTINCT ?p WHERE {{ ?p bkg:basedOnPolicy <{iri}> }}"):
        if r["p"]["value"] not in cited:  # a link no citation of this policy records
            links[(None, r["p"]["value"])] = {"c": None, "p": r["p"]["value"], "cd": None}
    projects = lookup(store, [r["p"] for r in links.values()], {"l": "rdfs:label", "pd": "bkg:disclosure"})
    quotes = lookup(store, [r["c"] for r in links.values() if r["c"]], {"q": "bkg:quote"})  # all: for the variants
    for row in links.values():
        pr = projects.get(row["p"], {})
        row["d"] = row["cd"] or _v(pr.get("pd"))  # the citation's own disclosure, else the project's
        row["label"] = _v(pr.get("l"))
    citing = [r["d"]["value"] for r in _rows(store, f"SELECT DISTINCT ?d WHERE {{ ?d dcterms:references <{iri}> }}")]
    docs = lookup(store, [r["d"] for r in links.values()] + citing, {"y": "bkg:fiscalYear", "f": "bkg:sourceFile"})
    for row in links.values():
        row["year"] = _v(docs.get(row["d"], {}).get("y"))
    ranked = sorted(links.values(), key=lambda r: (_desc(r["year"]), _asc(r["label"]), r["p"], r["c"] or ""))
    page, offset = _paging(page, size)
    shown = ranked[offset:offset + size]
    # the other columns, for the rows shown only
    more = lookup(store, [r["p"] for r in shown], {"amt": "bkg:amount", "ia": "bkg:implementingAgency"})
    pages = lookup(store, [r["c"] for r in shown if r["c"]], {"pg": "bkg:page"})
    agencies = lookup(store, [r["d"] for r in shown if not more.get(r["p"], {}).get("ia")], {"ra": "bkg:reportingAgency"})
    for r in shown:
        r["agency"] = _v(more.get(r["p"], {}).get("ia")) or _v(agencies.get(r["d"], {}).get("ra"))
    agency_labels = lookup(store, [r["agency"] for r in shown], {"l": "rdfs:label"})
    citations = []
    for r in shown:
        p, d, ag = r["p"], r["d"], r["agency"]
        q = {**quotes.get(r["c"], {}), **pages.get(r["c"], {})} if r["c"] else {}
        file = _v(docs.get(d, {}).get("f"))
        citations.append({
            "citation": href(r["c"]) if r["c"] else None,
            "project": link(p, r["label"]),
            "amount": money(_v(more.get(p, {}).get("amt"))),
            "agency": link(ag, _v(agency_labels.get(ag, {}).get("l"))) if ag else None,
            "year": r["year"], "disclosure": link(d, file) if d else None,
            "source_file": file, "quote": _v(q.get("q")), "page": _v(q.get("pg")),
        })
    number = _v(one.get("number"))
    if number:  # how the documents actually printed the number (【】, full-width digits, spaces…)
        all_quotes = [_v(q["q"]) for q in quotes.values() if q.get("q")]
        variants = sorted(set(variants) | printed_variants(number, all_quotes))
    citing.sort(key=lambda d: (_asc(_v(docs.get(d, {}).get("f"))), d))
    return {**base, "page": "policy", "number": _v(one.get("number")), "title": _v(one.get("title")),
            "issuer_code": _v(one.get("issuer")), "issue_year": _v(one.get("year")), "variants": variants,
            "citations": citations, "citations_total": len(ranked),
            "disclosures": [{**link(d, _v(docs.get(d, {}).get("f"))), "year": _v(docs.get(d, {}).get("y"))}
                            for d in citing[offset:offset + size]],
            "disclosures_total": len(citing),
            "paging": _page_info(page, size, max(len(ranked), len(citing)))}


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


def _no_cache(key: str, compute):
    return compute()


def policies(store, page: int = 1, size: int = 500, cache=_no_cache) -> dict:
    """Every policy, most-cited first. `cache(key, compute)` may keep the ranking (the
    service keeps it per store generation: every write starts a new one)."""
    page, offset = _paging(page, size)
    ranked = cache("policies", lambda: policy_ranking(store))
    items = [{**link(pol, number or title), "number": number, "title": title, "projects": projects, "disclosures": docs}
             for pol, number, title, projects, docs in ranked[offset:offset + size]]
    return {"page": "policies", "title": "政策文件", "count": len(items), "items": items,
            "paging": _page_info(page, size, len(ranked))}


def policy_ranking(store) -> tuple:
    """(policy, number, title, projects, disclosures) for every policy, most-cited first.
    Each count is one scan of its properties (the citation's two properties in separate
    subqueries, which Oxigraph hash-joins); the order is computed here, where each string
    is decoded once."""
    pols = {r["pol"]["value"]: {} for r in _rows(store, "SELECT ?pol WHERE { ?pol a bkg:Policy }")}
    for var, prop in (("number", "bkg:documentNumber"), ("title", "dcterms:title")):
        for r in _rows(store, f"SELECT ?pol ?v WHERE {{ ?pol {prop} ?v }}"):
            if r["pol"]["value"] in pols:
                pols[r["pol"]["value"]].setdefault(var, _v(r["v"]))
    for var, sparql in (("projects", """SELECT ?pol (COUNT(DISTINCT ?p) AS ?n) WHERE {
                            { { SELECT ?c ?pol WHERE { ?c bkg:citedPolicy ?pol } }
                              { SELECT ?c ?p WHERE { ?c bkg:citingProject ?p } } }
                            UNION { ?p bkg:basedOnPolicy ?pol } } GROUP BY ?pol"""),
                        ("docs", "SELECT ?pol (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d dcterms:references ?pol } GROUP BY ?pol")):
        for r in _rows(store, sparql):
            if r["pol"]["value"] in pols:
                pols[r["pol"]["value"]][var] = _v(r["n"])
    ranked = sorted(pols.items(), key=lambda kv: (-(kv[1].get("projects") or 0), _asc(kv[1].get("number")),
                                                  _asc(kv[1].get("title")), kv[0]))
    return tuple((pol, r.get("number"), r.get("title"), r.get("projects") or 0, r.get("docs") or 0) for pol, r in ranked)


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


def agency_ranking(store) -> tuple:
    """(agency, name) for every agency, by name."""
    names: dict[str, str | None] = {}
    for r in _rows(store, "SELECT ?a ?l WHERE { ?a a bkg:Agency OPTIONAL { ?a rdfs:label ?l } }"):
        if names.get(r["a"]["value"]) is None:
            names[r["a"]["value"]] = _v(r.get("l"))
    return tuple((a, names[a]) for a in sorted(names, key=lambda a: (_asc(names[a]), a)))


def agencies(store, page: int = 1, size: int = 500, cache=_no_cache) -> dict:
    """Every agency by name: names are read and sorted for all (kept by `cache`, see
    policies()), parents and counts for the page shown."""
    page, offset = _paging(page, size)
    ranked = cache("agencies", lambda: agency_ranking(store))
    names = dict(ranked[offset:offset + size])
    shown = list(names)
    parents = lookup(store, shown, {"pa": "org:subOrganizationOf"})
    parent_labels = lookup(store, [_v(p.get("pa")) for p in parents.values()], {"l": "rdfs:label"})
    counts: dict[str, dict] = {}
    for var, prop in (("docs", "bkg:reportingAgency"), ("projects", "bkg:implementingAgency")):
        for start in range(0, len(shown), 500):
            for r in _rows(store, f"""SELECT ?a (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {_values("a", shown[start:start + 500])}
                                      ?x {prop} ?a }} GROUP BY ?a"""):
                counts.setdefault(r["a"]["value"], {})[var] = _v(r["n"])
    items = []
    for a in shown:
        pa = _v(parents.get(a, {}).get("pa"))
        items.append({**link(a, names[a]),
                      "parent": link(pa, _v(parent_labels.get(pa, {}).get("l"))) if pa else None,
                      "disclosures": counts.get(a, {}).get("docs") or 0, "projects": counts.get(a, {}).get("projects") or 0})
    return {"page": "agencies", "title": "预算单位", "count": len(items), "items": items,
            "paging": _page_info(page, size, len(ranked))}


def disclosure_ranking(store) -> tuple:
    """(disclosure, year, file) for every disclosure, newest year first, then by file: read
    with per-property subqueries (hash-joined: no seek per disclosure), sorted here."""
    rows = _rows(store, """SELECT ?d ?y ?f WHERE { { SELECT ?d WHERE { ?d a bkg:Disclosure } }
        OPTIONAL { SELECT ?d ?y WHERE { ?d bkg:fiscalYear ?y } } OPTIONAL { SELECT ?d ?f WHERE { ?d bkg:sourceFile ?f } } }""")
    head: dict[str, dict] = {}
    for r in rows:
        h = head.setdefault(r["d"]["value"], {"y": None, "f": None})
        h["y"] = h["y"] if h["y"] is not None else _v(r.get("y"))
        h["f"] = h["f"] if h["f"] is not None else _v(r.get("f"))
    ranked = sorted(head, key=lambda d: (_desc(head[d]["y"]), _asc(head[d]["f"]), d))
    return tuple((d, head[d]["y"], head[d]["f"]) for d in ranked)


def disclosures(store, page: int = 1, size: int = 500, cache=_no_cache) -> dict:
    """Every disclosure, newest year first, then by file (the order kept by `cache`, see
    policies()); the other columns are read for the page shown."""
    page, offset = _paging(page, size)
    ranked = cache("disclosures", lambda: disclosure_ranking(store))
    head = {d: {"y": y, "f": f} for d, y, f in ranked[offset:offset + size]}
    shown = list(head)
    info = lookup(store, shown, {"k": "bkg:documentKind", "a": "bkg:reportingAgency", "ti": "bkg:totalIncome",
                                 "te": "bkg:totalExpenditure"})
    agency_labels = lookup(store, [_v(i.get("a")) for i in info.values()], {"l": "rdfs:label"})
    items = []
    for d in shown:
        i, h = info.get(d, {}), head[d]
        a = _v(i.get("a"))
        items.append({**link(d, h["f"]), "source_file": h["f"], "year": h["y"], "kind": _v(i.get("k")),
                      "agency": link(a, _v(agency_labels.get(a, {}).get("l"))) if a else None,
                      "total_income": money(_v(i.get("ti"))), "total_expenditure": money(_v(i.get("te")))})
    return {"page": "disclosures", "title": "公开文件", "count": len(items), "items": items,
            "paging": _page_info(page, size, len(ranked))}


def disclosures_for_files(store, files) -> dict[str, str]:
    """The disclosure of each source file (one query per 500 files)."""
    files = sorted({f for f in files if f})
    out: dict[str, str] = {}
    for start in range(0, len(files), 500):
        lits = " ".join(_literal(f) for f in files[start:start + 500])
        for r in _rows(store, f"SELECT ?f ?d WHERE {{ VALUES ?f {{ {lits} }} ?d bkg:sourceFile ?f }}"):
            out.setdefault(r["f"]["value"], r["d"]["value"])
    return out


def _literal(text: str) -> str:
    """A SPARQL string literal."""
    for a, b in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r")):
        text = text.replace(a, b)
    return f'"{text}"'


def disclosure_for_file(store, source_file: str) -> str | None:
    rows = _rows(store, f"SELECT ?d WHERE {{ ?d bkg:sourceFile {_literal(source_file)} }} LIMIT 1")
    return rows[0]["d"]["value"] if rows else None


def facets(store) -> dict:
    """Choices for the search filters: years and agencies that have disclosures (the first
    500 agency names, sorted here rather than by the store)."""
    years = [_v(r["y"]) for r in _rows(store, "SELECT DISTINCT ?y WHERE { ?d bkg:fiscalYear ?y } ORDER BY DESC(?y)")]
    reporting = [r["a"]["value"] for r in _rows(store, "SELECT DISTINCT ?a WHERE { ?d bkg:reportingAgency ?a }")]
    labels = lookup(store, reporting, {"l": "rdfs:label"})
    names = sorted((_v(i["l"]), a) for a, i in labels.items() if i.get("l"))
    return {"years": [y for y in years if y is not None], "agencies": [n for n, _ in names[:500]]}


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
    corpus can answer), never from fixed strings. Each is a top-1 over one or two
    properties: the scans run in per-property subqueries (hash-joined), the ties are broken
    here, where each string is decoded once."""
    counts = {k: _rows(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?x a bkg:{t} }}")[0]["n"]
              for k, t in (("docs", "Disclosure"), ("agencies", "Agency"), ("policies", "Policy"), ("projects", "Project"))}
    ask: list[str] = []
    # the newest year's alphabetically first agency that reports a total income
    total = _rows(store, """SELECT ?year ?kind ?name WHERE {
        { SELECT ?d ?year WHERE { ?d bkg:fiscalYear ?year } } { SELECT DISTINCT ?d WHERE { ?d bkg:totalIncome ?t } }
        { SELECT ?d ?kind WHERE { ?d bkg:documentKind ?kind } } { SELECT ?d ?a WHERE { ?d bkg:reportingAgency ?a } }
        { SELECT ?a ?name WHERE { ?a a bkg:Agency ; rdfs:label ?name } } }""")
    if total:
        best = min(total, key=lambda r: (_desc(_v(r["year"])), _asc(_v(r["name"])), _v(r["kind"]) or ""))
        word = "决算" if _v(best["kind"]) == "final_account" else "预算"
        ask.append(f"{_v(best['name'])}{_v(best['year'])}年{word}收入总额是多少？")
    pol = _rows(store, """SELECT ?n (COUNT(DISTINCT ?p) AS ?k) WHERE {
        { SELECT ?c ?x WHERE { ?c bkg:citedPolicy ?x } } { SELECT ?c ?p WHERE { ?c bkg:citingProject ?p } }
        { SELECT ?x ?n WHERE { ?x bkg:documentNumber ?n } } } GROUP BY ?n""")
    if pol:
        best = min(pol, key=lambda r: (-_v(r["k"]), _v(r["n"])))
        ask.append(f"哪些项目以{_v(best['n'])}为依据？")
    units = _rows(store, """SELECT ?name (SUM(?k) AS ?n) WHERE {
        { SELECT ?a (COUNT(?u) AS ?k) WHERE { ?a org:hasUnit ?u } GROUP BY ?a } ?a rdfs:label ?name } GROUP BY ?name""")
    if units:
        best = min(units, key=lambda r: (-_v(r["n"]), _v(r["name"])))
        ask.append(f"{_v(best['name'])}有哪些内设机构？")
    return {"counts": {k: _v(v) or 0 for k, v in counts.items()}, "suggestions": ask}


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


def entity(store, iri: str, page: int = 1) -> dict:
    """The page data of any minted IRI: policies and agencies get their richer views
    (`page` pages a policy's citing projects and disclosures, 500 each)."""
    kinds = {r["t"]["value"] for r in _rows(store, f"SELECT DISTINCT ?t WHERE {{ <{iri_ok(iri)}> a ?t }}")}
    kind = page_kind(list(kinds))
    if kind == "policy":
        return policy(store, iri, page)
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
