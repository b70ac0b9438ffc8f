"""A disclosure's page (totals, projects, budget lines, policies, findings), the list of
every disclosure, newest first, and the disclosure of a source file."""

from __future__ import annotations

from decimal import Decimal

from api.render import KIND_LABELS
from api.views.amounts import money
from api.views.entities import RDFS_LABEL, complete, resource_and_labels, subject_rows
from api.views.figures import chart, has_data
from api.views.findings import findings_of
from api.views.links import link, term_label
from api.views.lists import asc, desc, no_cache, page_info, paging
from api.views.query import XSD, literal, lookup, terms, val, values_block
from kg import vocab as V
from kg.report import CONTENT_FULL, CONTENT_TABLES, CONTENT_TEXT
from kg.store import BKG
from kg.vocab import KINDS

TOTAL_ORDER = ("totalIncome", "totalExpenditure", "carryOverIncome", "carryForward", "grandTotalIncome",
               "grandTotalExpenditure", "basicExpenditure", "personnelExpenditure", "publicExpenditure",
               "projectExpenditure", "threePublicExpenses", "threePublicAbroad", "threePublicVehicles",
               "threePublicVehiclePurchase", "threePublicVehicleOperation", "threePublicReception", "operatingExpenses",
               "procurementBudget")
# the figure of a classification line a disclosure of each kind reports as its own
FIGURE_OF_KIND = {k.code: k.figure_type for k in KINDS}
FIGURE_LABELS = {k.figure_type: k.column for k in KINDS}


def total_rank(predicate: str) -> int:
    name = predicate[len(BKG):] if predicate.startswith(BKG) else ""
    return TOTAL_ORDER.index(name) if name in TOTAL_ORDER else len(TOTAL_ORDER)


def disclosure(store, iri: str, subject: list[dict] | None = None) -> dict:
    subject = subject_rows(store, iri) if subject is None else subject
    # each of its budget lines points at it: more than the 50 listed
    base, labels = resource_and_labels(store, iri, incoming_limit=50, subject=subject, try_all=False)
    head, money_rows = _head(store, iri, subject, labels)
    totals = sorted(({"predicate": r["p"]["value"], "label": term_label(r["p"]["value"]), "amount": money(val(r["v"]))}
                     for r in money_rows), key=lambda t: (total_rank(t["predicate"]), t["label"]))
    projects = terms(store, f"""
        SELECT ?p (SAMPLE(?l) AS ?label) (SAMPLE(?a) AS ?amount) (SAMPLE(?cat) AS ?category)
               (GROUP_CONCAT(DISTINCT ?n; separator="、") AS ?policies)
        WHERE {{ ?p a bkg:Project ; bkg:disclosure <{iri}> . OPTIONAL {{ ?p rdfs:label ?l }} OPTIONAL {{ ?p bkg:amount ?a }}
                 OPTIONAL {{ ?p bkg:category ?cat }} OPTIONAL {{ ?p bkg:basedOnPolicy ?pol . ?pol bkg:documentNumber ?n }} }}
        GROUP BY ?p ORDER BY DESC(?amount) LIMIT 1000""")
    lines, single = _budget_lines(store, iri)
    policies_ = terms(store, f"""SELECT ?pol (SAMPLE(?n) AS ?number) (SAMPLE(?t) AS ?title) WHERE {{
        <{iri}> dcterms:references ?pol OPTIONAL {{ ?pol bkg:documentNumber ?n }} OPTIONAL {{ ?pol dcterms:title ?t }} }}
        GROUP BY ?pol ORDER BY ?number LIMIT 500""")
    ag = val(head.get("agency"))
    findings = findings_of(store, [iri], ag)
    files_ = disclosure_files(store, iri)
    kind = val(head.get("kind"))
    breakdown = functional_chart(store, iri, kind, val(head.get("agencyLabel")), val(head.get("year")),
                                 own_functional_lines(lines, kind) if single else None)
    return {
        **base, "page": "disclosure", "source_file": val(head.get("file")), "year": val(head.get("year")),
        "kind": val(head.get("kind")), "scope": val(head.get("scope")),
        "agency": link(ag, val(head.get("agencyLabel"))) if ag else None, "totals": totals,
        "projects": [{**link(r["p"]["value"], val(r.get("label"))), "amount": money(val(r.get("amount"))),
                      "category": val(r.get("category")), "policies": val(r.get("policies")) or ""} for r in projects],
        "lines": [{**link(r["l"]["value"], val(r.get("label"))), "notation": val(r.get("notation")),
                   "scheme": term_label(val(r["scheme"])) if r.get("scheme") else None, "figure": val(r.get("figure")),
                   "amount": money(val(r.get("amount")))} for r in lines],
        "policies": [{**link(r["pol"]["value"], val(r.get("number")) or val(r.get("title"))), "title": val(r.get("title"))}
                     for r in policies_],
        "findings": findings,
        "charts": [breakdown] if breakdown else [],
        "files": files_, "reading": reading_report(store, iri, val(head.get("kind")), files_),
    }


LINES = """SELECT ?l (SAMPLE(?code) AS ?notation) (SAMPLE(?name) AS ?label) (SAMPLE(?sch) AS ?scheme)
               (SAMPLE(?a) AS ?amount) (SAMPLE(?ft) AS ?figure)
        WHERE {{ ?l bkg:disclosure <{iri}> ; a bkg:BudgetLine . OPTIONAL {{ ?l bkg:amount ?a }} OPTIONAL {{ ?l bkg:figureType ?ft }}
                 OPTIONAL {{ ?l bkg:classification ?c OPTIONAL {{ ?c skos:notation ?code }} OPTIONAL {{ ?c skos:prefLabel ?name }}
                            OPTIONAL {{ ?c skos:inScheme ?sch }} }} }}
        GROUP BY ?l"""
LINES_ORDER = ("scheme", "notation", "figure")
LINES_LIMIT = 2000


def budget_lines(store, iri: str) -> list[dict]:
    """The disclosure's budget lines by scheme, code and figure (the first LINES_LIMIT), as
    LINES gives them, ordered."""
    return _budget_lines(store, iri)[0]


def _budget_lines(store, iri: str) -> tuple[list[dict], bool]:
    """budget_lines, and whether every line and code had at most one value of each column.

    Grouping and sorting are the most of LINES' time: the lines and their codes are read
    plainly (each code once, however many lines use it) and, where no line or code has two
    values of a column (what SAMPLE would choose among), are the rows LINES gives. The
    store sorts strings by decoding them at every comparison: they are sorted here, where
    the order is SPARQL's for the terms these columns hold (IRIs, plain strings, unbound).
    Lines the order cannot tell apart are left in an order of the store's own (its sort is
    not stable), and a column of other terms is compared its way: then, or past the limit,
    or with several values, the store groups and sorts."""
    flat = terms(store, f"""SELECT ?l ?a ?ft ?c WHERE {{ ?l bkg:disclosure <{iri}> ; a bkg:BudgetLine .
        OPTIONAL {{ ?l bkg:amount ?a }} OPTIONAL {{ ?l bkg:figureType ?ft }} OPTIONAL {{ ?l bkg:classification ?c }} }}
        LIMIT {LINES_LIMIT + 1}""")
    codes_of = list(dict.fromkeys(r["c"]["value"] for r in flat if r.get("c") and r["c"]["type"] == "uri"))
    codes: dict[str, dict] = {}
    single = len(flat) <= LINES_LIMIT and len({r["l"]["value"] for r in flat}) == len(flat)
    for start in range(0, len(codes_of), 500):
        if not single:
            break
        for r in terms(store, f"""SELECT ?c ?code ?name ?sch WHERE {{ {values_block("c", codes_of[start:start + 500])}
                OPTIONAL {{ ?c skos:notation ?code }} OPTIONAL {{ ?c skos:prefLabel ?name }}
                OPTIONAL {{ ?c skos:inScheme ?sch }} }}"""):
            single = single and r["c"]["value"] not in codes
            codes[r["c"]["value"]] = r
    if single and all(r.get("c") is None or r["c"]["type"] == "uri" for r in flat):
        rows = []
        for r in flat:
            c = codes.get(r["c"]["value"], {}) if r.get("c") else {}
            rows.append({"l": r["l"], "notation": c.get("code"), "label": c.get("name"), "scheme": c.get("sch"),
                         "amount": r.get("a"), "figure": r.get("ft")})
        keys = [_order_key(r, LINES_ORDER) for r in rows]
        if None not in keys and len(set(keys)) == len(keys):
            return [r for _, r in sorted(zip(keys, rows, strict=True), key=lambda kr: kr[0])], True
    return terms(store, LINES.format(iri=iri) + f" ORDER BY ?{' ?'.join(LINES_ORDER)} LIMIT {LINES_LIMIT}"), False


FUNCTIONAL = BKG + "FunctionalClassification"


def own_functional_lines(lines: list[dict], kind: str | None) -> dict[str, tuple[str | None, Decimal]] | None:
    """functional_lines of one disclosure from its budget lines, when _budget_lines read them
    with one value per column: a functional line with a code and an amount, of the figure
    its kind reports (or none). None where two such lines share a code but not its name and
    amount: which one functional_lines keeps is the store's order."""
    want = FIGURE_OF_KIND.get(kind or "")
    out: dict[str, tuple[str | None, Decimal]] = {}
    for r in lines:
        if r.get("notation") is None or r.get("amount") is None or r.get("scheme") != {"type": "uri", "value": FUNCTIONAL}:
            continue
        ft, amount = val(r.get("figure")), val(r["amount"])
        if (ft is not None and want is not None and ft != want) or not isinstance(amount, Decimal):
            continue
        line = (val(r.get("label")), amount)
        code = str(val(r["notation"]))
        if out.setdefault(code, line) != line:
            return None
    return out


def _order_key(row: dict, columns) -> tuple | None:
    """The row's place in ORDER BY these columns (unbound first, then IRIs, then plain
    strings, each by code point); None where a column holds another kind of term."""
    key = []
    for c in columns:
        t = row.get(c)
        if t is None:
            key.append((0, ""))
        elif t["type"] == "uri":
            key.append((2, t["value"]))
        elif t["type"] == "literal" and "datatype" not in t and "xml:lang" not in t:
            key.append((3, t["value"]))
        else:
            return None
    return tuple(key)


HEAD = {"file": BKG + "sourceFile", "year": BKG + "fiscalYear", "kind": BKG + "documentKind",
        "scope": BKG + "disclosureScope", "agency": BKG + "reportingAgency"}


def _head(store, iri: str, subject: list[dict], labels: dict[str, tuple[str, str, str]]) -> tuple[dict, list[dict]]:
    """The disclosure's file, year, kind, scope, agency and agency label, and its decimal
    properties (?p ?v), read from its own triples (subject_rows) and the labels read for its
    page, else from the store (_head_query). Where a property has several values this is
    the one _head_query's SAMPLE gives, the last the store lists
    (tests/api/test_page_equivalence.py holds the two to the same answer)."""
    if not complete(subject):
        return _head_query(store, iri)
    head: dict[str, dict] = {}
    money_rows = []
    by_prop = {p: n for n, p in HEAD.items()}
    for r in subject:
        p, o = r["p"]["value"], r["o"]
        if p in by_prop:
            head[by_prop[p]] = o
        if o["type"] == "literal" and o.get("datatype") == XSD + "decimal":
            money_rows.append({"p": r["p"], "v": o})
    a = head.get("agency")
    if a is not None and a["type"] == "uri":
        got = labels.get(a["value"])
        if got is not None and got[1] == RDFS_LABEL:
            head["agencyLabel"] = {"type": "literal", "value": got[2]}
    return head, money_rows


def _head_query(store, iri: str) -> tuple[dict, list[dict]]:
    head = terms(store, f"""SELECT (SAMPLE(?f) AS ?file) (SAMPLE(?y) AS ?year) (SAMPLE(?k) AS ?kind) (SAMPLE(?sc) AS ?scope)
                               (SAMPLE(?a) AS ?agency) (SAMPLE(?al) AS ?agencyLabel) WHERE {{
        OPTIONAL {{ <{iri}> bkg:sourceFile ?f }} OPTIONAL {{ <{iri}> bkg:fiscalYear ?y }}
        OPTIONAL {{ <{iri}> bkg:documentKind ?k }} OPTIONAL {{ <{iri}> bkg:disclosureScope ?sc }}
        OPTIONAL {{ <{iri}> bkg:reportingAgency ?a OPTIONAL {{ ?a rdfs:label ?al }} }} }}""")[0]
    money_rows = terms(store, f"""SELECT ?p ?v WHERE {{ <{iri}> ?p ?v FILTER(isLiteral(?v) && datatype(?v) = xsd:decimal) }}""")
    return head, money_rows


def disclosure_files(store, iri: str) -> list[dict]:
    """The files the disclosure was read from (two for a publication printed in halves), with
    what each holds and the reader that read it; a disclosure stored before files were
    recorded lists its bkg:sourceFile values."""
    rows = terms(store, f"""SELECT ?n ?name ?sha ?content ?rv WHERE {{ <{iri}> bkg:hasFile ?n . ?n bkg:fileName ?name
        OPTIONAL {{ ?n bkg:fileSha256 ?sha }} OPTIONAL {{ ?n bkg:fileContent ?content }}
        OPTIONAL {{ ?n bkg:readerVersion ?rv }} }} ORDER BY ?name""")
    if not rows:
        rows = terms(store, f"SELECT ?name WHERE {{ <{iri}> bkg:sourceFile ?name }} ORDER BY ?name")
    return [{"iri": val(r.get("n")), "name": val(r["name"]), "sha256": val(r.get("sha")),
             "content": CONTENT_LABELS.get(val(r.get("content")) or "", ""), "reader_version": val(r.get("rv"))}
            for r in rows]


CONTENT_LABELS = {CONTENT_TEXT: "文字说明", CONTENT_TABLES: "公开表", CONTENT_FULL: "文字说明和公开表"}


def _true(t: dict | None) -> bool | None:
    v = val(t)
    return None if v is None else v in (True, "true", "1")


def reading_report(store, iri: str, kind: str | None, files: list[dict]) -> dict | None:
    """The disclosure's reading report (kg.report): every standard table read, with its pages
    (and file, for a publication in several files) and whether it reconciles; the expected
    tables not found. None when the disclosure has none (a template, or read before reports)."""
    head = terms(store, f"""SELECT ?r ?c ?l WHERE {{ <{iri}> bkg:readingReport ?r . ?r bkg:complete ?c
        OPTIONAL {{ ?r rdfs:label ?l }} }} LIMIT 1""")
    if not head:
        return None
    r = head[0]["r"]["value"]
    kind = kind or KINDS[0].code
    names = {f["iri"]: f["name"] for f in files if f.get("iri")}
    tables: dict[str, dict] = {}
    for row in terms(store, f"""SELECT ?t ?k ?title ?page ?file ?ok ?problem WHERE {{ <{r}> bkg:tableReading ?t .
            ?t bkg:tableKind ?k OPTIONAL {{ ?t bkg:tableTitle ?title }} OPTIONAL {{ ?t bkg:page ?page }}
            OPTIONAL {{ ?t bkg:fromFile ?file }} OPTIONAL {{ ?t bkg:reconciles ?ok }} OPTIONAL {{ ?t bkg:problem ?problem }} }}"""):
        t = tables.setdefault(row["t"]["value"], {"kind": val(row["k"]), "title": val(row.get("title")), "pages": set(),
                                                  "files": set(), "reconciles": _true(row.get("ok")), "problems": set()})
        if row.get("page"):
            t["pages"].add(val(row["page"]))
        if row.get("file"):
            t["files"].add(names.get(row["file"]["value"], row["file"]["value"]))
        if row.get("problem"):
            t["problems"].add(val(row["problem"]))
    order = {k.key: i for i, k in enumerate(V.STANDARD_KINDS)}
    listed = sorted(tables.values(), key=lambda t: (order.get(t["kind"], len(order)), min(t["pages"], default=0)))
    missing = [val(x["m"]) for x in terms(store, f"SELECT ?m WHERE {{ <{r}> bkg:missingTable ?m }}")]
    return {
        "complete": _true(head[0]["c"]), "summary": val(head[0].get("l")),
        "tables": [{**t, "name": _table_name(t["kind"], kind), "pages": sorted(t["pages"]), "files": sorted(t["files"]),
                    "problems": sorted(t["problems"])} for t in listed],
        "missing": [_table_name(m, kind) for m in sorted(missing, key=lambda m: order.get(m, len(order)))],
    }


def _table_name(key: str, kind: str) -> str:
    k = V.TABLE_KINDS.get(key)
    return k.name(kind) if k else key


def functional_lines(store, kinds: dict[str, str | None]) -> dict[str, dict[str, tuple[str | None, Decimal]]]:
    """{disclosure: {code: (name, amount)}} for the disclosures in `kinds` ({disclosure:
    documentKind}): the functional classification lines of the figure each one reports as
    its own (a final account also prints the year's budget); a line without a figure type
    counts as its disclosure's."""
    out: dict[str, dict] = {}
    ds = list(kinds)
    for start in range(0, len(ds), 200):
        for r in terms(store, f"""SELECT ?d ?code ?name ?ft ?amt WHERE {{ {values_block("d", ds[start:start + 200])}
                ?l bkg:disclosure ?d ; a bkg:BudgetLine ; bkg:classification ?c ; bkg:amount ?amt .
                ?c skos:inScheme bkg:FunctionalClassification ; skos:notation ?code .
                OPTIONAL {{ ?l bkg:figureType ?ft }} OPTIONAL {{ ?c skos:prefLabel ?name }} }}"""):
            d, ft, amount = r["d"]["value"], val(r.get("ft")), val(r["amt"])
            want = FIGURE_OF_KIND.get(kinds[d] or "")
            if (ft is not None and want is not None and ft != want) or not isinstance(amount, Decimal):
                continue
            out.setdefault(d, {}).setdefault(str(val(r["code"])), (val(r.get("name")), amount))
    return out


def functional_classes(lines: dict[str, tuple[str | None, Decimal]]) -> list[tuple[str, str | None, Decimal]]:
    """(class code, name, amount) for each functional class (类, the first three digits): the
    class line where the table prints one, else the sum of its shallowest printed level
    (the 款 or the 项), so a table of items alone still gets its classes."""
    groups: dict[str, dict[str, tuple]] = {}
    for code, line in lines.items():
        groups.setdefault(code[:3], {})[code] = line
    out = []
    for cls in sorted(groups):
        group = groups[cls]
        depth = min(len(c) for c in group)
        out.append((cls, group[cls][0] if cls in group else None,
                    sum((a for c, (_, a) in group.items() if len(c) == depth), Decimal(0))))
    return out


def functional_chart(store, iri: str, kind: str | None, agency: str | None, year,
                     lines: dict[str, tuple[str | None, Decimal]] | None = None) -> dict | None:
    """The disclosure's spending by functional class, as a chart (None without such lines);
    `lines`: its functional_lines, if read already."""
    if lines is None:
        lines = functional_lines(store, {iri: kind}).get(iri, {})
    classes = functional_classes(lines)
    figure = FIGURE_OF_KIND.get(kind or "")
    when = (f"{year}年" if year else "") + KIND_LABELS.get(kind or "", "")
    title = " ".join(p for p in (agency, when) if p)
    spec = chart("functional", iri, f"{title} 支出功能分类（类）".strip(),
                 [f"{code} {name}" if name else code for code, name, _ in classes],
                 [(FIGURE_LABELS.get(figure or "", "金额"), [a for _, _, a in classes])], style="hbar", x_title="功能分类")
    return spec if has_data(spec) else None


def disclosure_ranking(store) -> tuple:
    """(disclosure, year, file) for every disclosure, newest year first, then by file: read
    with per-property subqueries (hash-joined: no seek per disclosure), sorted here."""
    rows = terms(store, """SELECT ?d ?y ?f WHERE { { SELECT ?d WHERE { ?d a bkg:Disclosure } }
        OPTIONAL { SELECT ?d ?y WHERE { ?d bkg:fiscalYear ?y } } OPTIONAL { SELECT ?d ?f WHERE { ?d bkg:sourceFile ?f } } }""")
    head: dict[str, dict] = {}
    for r in rows:
        h = head.setdefault(r["d"]["value"], {"y": None, "f": None})
        h["y"] = h["y"] if h["y"] is not None else val(r.get("y"))
        h["f"] = h["f"] if h["f"] is not None else val(r.get("f"))
    ranked = sorted(head, key=lambda d: (desc(head[d]["y"]), asc(head[d]["f"]), d))
    return tuple((d, head[d]["y"], head[d]["f"]) for d in ranked)


def disclosures(store, page: int = 1, size: int = 500, cache=no_cache) -> dict:
    """Every disclosure, newest year first, then by file (the order kept by `cache`, see
    policies()); the other columns are read for the page shown."""
    page, offset = paging(page, size)
    ranked = cache("disclosures", lambda: disclosure_ranking(store))
    head = {d: {"y": y, "f": f} for d, y, f in ranked[offset:offset + size]}
    shown = list(head)
    info = lookup(store, shown, {"k": "bkg:documentKind", "a": "bkg:reportingAgency", "ti": "bkg:totalIncome",
                                 "te": "bkg:totalExpenditure"})
    agency_labels = lookup(store, [val(i.get("a")) for i in info.values()], {"l": "rdfs:label"})
    items = []
    for d in shown:
        i, h = info.get(d, {}), head[d]
        a = val(i.get("a"))
        items.append({**link(d, h["f"]), "source_file": h["f"], "year": h["y"], "kind": val(i.get("k")),
                      "agency": link(a, val(agency_labels.get(a, {}).get("l"))) if a else None,
                      "total_income": money(val(i.get("ti"))), "total_expenditure": money(val(i.get("te")))})
    return {"page": "disclosures", "title": "公开文件", "count": len(items), "items": items,
            "paging": page_info(page, size, len(ranked))}


def disclosures_for_files(store, files) -> dict[str, str]:
    """The disclosure of each source file (one query per 500 files)."""
    files = sorted({f for f in files if f})
    out: dict[str, str] = {}
    for start in range(0, len(files), 500):
        lits = " ".join(literal(f) for f in files[start:start + 500])
        for r in terms(store, f"SELECT ?f ?d WHERE {{ VALUES ?f {{ {lits} }} ?d bkg:sourceFile ?f }}"):
            out.setdefault(r["f"]["value"], r["d"]["value"])
    return out
