"""Across disclosures in the store. These depend on what else is stored, so they are derived when
asked for (`budgetkg check`, the pages) rather than written into one disclosure's graph, which
must not change when another file is ingested or dropped.

  conflicting_versions  two files claiming the same disclosure (agency, year, kind, scope) print a
                        total differently
  department_vs_unit    a 部门 disclosure covers its head unit: none of its totals may be smaller
                        than the 单位 disclosure's of the same agency, year and kind
  final_vs_budget       a 决算's 年初预算数 of a line = that line in its year's 预算 (same fund's table)
  year_on_year          what the narrative says of last year ("比上年增加 …", "持平", "增长 …%")
                        = last year's disclosure of the same agency, kind and scope
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from kg import vocab as V
from kg.checks import finding
from kg.checks.precision import HALF, Printed
from kg.document import Document
from kg.extract.base import funding_scope
from kg.money import normalize, unit_factor
from kg.rdf.iris import finding_iri
from ontology.namespace import prologue

RULES = ("conflicting_versions", "department_vs_unit", "final_vs_budget", "year_on_year")
TERM_KEY = {str(m.term): m.key for m in V.MONEY_MEASURES}
LABEL = {m.key: m.label for m in V.MONEY_MEASURES}
# Totals a department's disclosure adds up over its units (a unit's can only be smaller).
ADDITIVE = (V.INCOME.key, V.EXPENDITURE.key, V.BASIC.key, V.PROJECT.key, V.PERSONNEL.key, V.PUBLIC.key,
            V.THREE_PUBLIC.key)

_DISCLOSURES = prologue("bkg") + """SELECT ?d ?file ?sha ?agency ?year ?kind ?scope ?unit WHERE {
  ?d a bkg:Disclosure ; bkg:sourceFile ?file ; bkg:sha256 ?sha . OPTIONAL { ?d bkg:amountUnit ?unit }
  OPTIONAL { ?d bkg:reportingAgency ?agency } OPTIONAL { ?d bkg:fiscalYear ?year }
  OPTIONAL { ?d bkg:documentKind ?kind } OPTIONAL { ?d bkg:disclosureScope ?scope } }"""


class Stored:
    """The disclosures of the store with their identities, and their figures when asked."""

    def __init__(self, store, agency: str | None = None):
        self.store = store
        rows: dict[str, dict] = {}
        query = _DISCLOSURES if agency is None else _DISCLOSURES.replace("?d a bkg:Disclosure ;", f"BIND(<{agency}> AS ?agency) ?d a bkg:Disclosure ; bkg:reportingAgency ?agency ;")
        for r in sorted(store.select(query), key=lambda r: r["file"]):
            if r.get("scope") != "template":
                rows.setdefault(r["d"], r)  # a disclosure in two files: once, by its first name
        self.rows = list(rows.values())
        self._totals: dict[str, dict[str, tuple[Decimal, int | None]]] = {}
        self._lines: dict[str, list[dict]] = {}

    def totals(self, d: str) -> dict[str, tuple[Decimal, int | None]]:
        """{measure key: (value, page)} of a disclosure: what its tables (or text) print."""
        if d not in self._totals:
            out = {}
            for r in self.store.select(prologue("bkg", "prov", "rdfs", "xsd") + f"""SELECT ?p ?v ?page WHERE {{
                    <{d}> ?p ?v FILTER(isLiteral(?v) && datatype(?v) = xsd:decimal)
                    OPTIONAL {{ <{d}> prov:hadMember ?n . ?n bkg:amount ?v ; bkg:page ?page }} }}"""):
                key = TERM_KEY.get(str(r["p"]))
                if key:
                    out.setdefault(key, (r["v"], r.get("page")))
            self._totals[d] = out
        return self._totals[d]

    def lines(self, d: str) -> list[dict]:
        if d not in self._lines:
            self._lines[d] = self.store.select(prologue("bkg", "skos") + f"""SELECT ?code ?ft ?amount ?title ?page WHERE {{
                ?l a bkg:BudgetLine ; bkg:disclosure <{d}> ; bkg:classification ?c ; bkg:amount ?amount .
                ?c skos:notation ?code ; skos:inScheme bkg:FunctionalClassification .
                OPTIONAL {{ ?l bkg:figureType ?ft }} OPTIONAL {{ ?l bkg:tableTitle ?title }} OPTIONAL {{ ?l bkg:page ?page }} }}""")
        return self._lines[d]


def step(d: dict) -> Decimal:
    """A disclosure's figures are printed to the fen of its unit (0.01 万元 = 100 元): what is
    stored keeps values, not digits, and two decimals is what tables print."""
    return (unit_factor(d.get("unit")) or unit_factor(V.DEFAULT_UNIT)) * Decimal("0.01")


def _tolerance(a: dict, b: dict) -> Decimal:
    """Two printings of one figure in different files: to the digit in the same unit, else
    the coarser one's rounding."""
    return Decimal(0) if step(a) == step(b) else max(step(a), step(b)) * HALF


def _make(rule: str, d: dict, other: dict | None, where: str, comment: str, pages, expected=None, found=None,
          tolerance=None, expected_text=None, found_text=None, other_pages=()) -> dict:
    expected, found, tolerance = (normalize(x) if x is not None else None for x in (expected, found, tolerance))
    return {"rule": rule, "key": where, "severity": finding.ERROR, "expected": expected, "found": found,
            "tolerance": tolerance, "expected_text": expected_text, "found_text": found_text,
            "pages": finding.pages_of(pages), "disclosure": d["d"], "source_file": d["file"], "source_files": [d["file"]],
            "comment": comment,
            "finding": str(finding_iri(d["sha"], rule, where + "|" + (other["sha"] if other else ""))),
            "other": {"disclosure": other["d"], "source_file": other["file"], "pages": finding.pages_of(other_pages)}
            if other else None}


def _money(rule, d, other, where, what, expected, found, tol, pages, other_pages=()) -> dict | None:
    if abs(found - expected) <= tol:
        return None
    u = V.WAN_YUAN
    comment = (f"{what}：“{other['file']}”印为 {finding.wan(expected)} {u}，本文件印为 {finding.wan(found)} {u}"
               f"（差 {finding.wan(found - expected)} {u}，舍入容差 ±{finding.wan(tol)} {u}）")
    return _make(rule, d, other, where, comment, pages, expected, found, tol, f"{finding.wan(expected)} {u}",
                 f"{finding.wan(found)} {u}", other_pages)


def conflicting_versions(s: Stored) -> list[dict]:
    out = []
    groups = defaultdict(list)
    for r in s.rows:
        if r.get("agency") and r.get("year") and r.get("kind"):
            groups[(r["agency"], r["year"], r["kind"], r.get("scope"))].append(r)
    for docs in groups.values():
        docs = sorted(docs, key=lambda r: (r["file"], r["d"]))
        for i, a in enumerate(docs):
            for b in docs[i + 1:]:
                ta, tb = s.totals(a["d"]), s.totals(b["d"])
                for key in sorted(set(ta) & set(tb)):
                    (va, pa), (vb, pb) = ta[key], tb[key]
                    x = _money("conflicting_versions", b, a, f"version:{key}", f"同一公开文件的两个版本{LABEL[key]}不一致",
                               va, vb, _tolerance(a, b), [pb], [pa])
                    if x:
                        out.append(x)
    return out


def department_vs_unit(s: Stored) -> list[dict]:
    out = []
    by = defaultdict(dict)
    for r in s.rows:
        if r.get("agency") and r.get("year") and r.get("kind"):
            by[(r["agency"], r["year"], r["kind"])].setdefault(r.get("scope"), r)
    for group in by.values():
        dept, unit = group.get(V.DEPARTMENT.code), group.get(V.UNIT.code)
        if not dept or not unit:
            continue
        td, tu = s.totals(dept["d"]), s.totals(unit["d"])
        for key in ADDITIVE:
            if key not in td or key not in tu:
                continue
            (vd, pd), (vu, pu) = td[key], tu[key]
            tol = (step(dept) + step(unit)) * HALF
            if vd + tol < vu:
                out.append(_make("department_vs_unit", dept, unit, f"scope:{key}",
                                 f"{V.scope_kind(V.DEPARTMENT, V.kind_by_code(dept['kind']))}的{LABEL[key]} "
                                 f"{finding.wan(vd)} {V.WAN_YUAN}小于其本级{V.scope_kind(V.UNIT, V.kind_by_code(unit['kind']))}"
                                 f"的 {finding.wan(vu)} {V.WAN_YUAN}", [pd], vu, vd, tol,
                                 f"≥ {finding.wan(vu)} {V.WAN_YUAN}", f"{finding.wan(vd)} {V.WAN_YUAN}", [pu]))
    return out


def final_vs_budget(s: Stored) -> list[dict]:
    out = []
    by = defaultdict(dict)
    for r in s.rows:
        if r.get("agency") and r.get("year") and r.get("kind"):
            by[(r["agency"], r["year"], r.get("scope"))][r["kind"]] = r
    for group in by.values():
        fin, bud = group.get(V.FINAL_ACCOUNT.code), group.get(V.BUDGET.code)
        if not fin or not bud:
            continue
        planned = [x for x in s.lines(fin["d"]) if x.get("ft") == V.BUDGET.figure_type]
        budget = defaultdict(list)
        for x in s.lines(bud["d"]):
            if x.get("ft") in (None, V.BUDGET.figure_type):
                budget[x["code"]].append(x)
        for x in planned:
            same = [y for y in budget.get(x["code"], []) if funding_scope(y.get("title")) == funding_scope(x.get("title"))]
            tol = _tolerance(fin, bud)
            if not same or any(abs(y["amount"] - x["amount"]) <= tol for y in same):
                continue
            y = same[0]
            f = _money("final_vs_budget", fin, bud, f"planned:{x['code']}",
                       f"{V.FINAL_ACCOUNT.word}所列 {x['code']} 的{V.OPENING_BUDGET_COLUMN}与当年{V.BUDGET.word}不符",
                       y["amount"], x["amount"], tol, [x.get("page")], [y.get("page")])
            if f:
                out.append(f)
    return out


def year_on_year(s: Stored, documents: Callable[[str], Document | None]) -> list[dict]:
    from kg.checks.narrative import year_claims
    from kg.extract.facts import extract_facts

    out = []
    index = {}
    cache: dict[str, object] = {}

    def read(sha: str, doc: Document):
        # a disclosure is this year's of one pair and last year's of the next: extracted once
        if sha not in cache:
            cache[sha] = extract_facts(doc)  # its facts only: its own findings are not needed here
        return cache[sha]

    for r in s.rows:
        if r.get("agency") and r.get("year") and r.get("kind"):
            index[(r["agency"], r["year"], r["kind"], r.get("scope"))] = r
    for (agency, year, kind, scope), cur in sorted(index.items(), key=lambda kv: kv[1]["file"]):
        prev = index.get((agency, year - 1, kind, scope))
        if prev is None:
            continue
        doc = documents(cur["sha"])
        if doc is None:
            continue
        f = read(cur["sha"], doc)
        claims = year_claims(doc, f, Printed(doc, f.unit))
        if not claims:
            continue
        pdoc = documents(prev["sha"])
        printed = _printed_figures(s, prev, pdoc, read(prev["sha"], pdoc) if pdoc else None, V.kind_by_code(kind).figure_type)
        for c in claims:
            values = printed.get(c.key, [])
            if not values:
                continue
            half = step(prev) * HALF
            if any(c.low - half <= v <= c.high + half for v, _ in values):
                continue
            v, page = values[0]
            mid = (c.low + c.high) / 2
            tol = (c.high - c.low) / 2 + half
            out.append(_make("year_on_year", cur, prev, f"year:{c.key}:{c.said}",
                             f"说明文字称“{c.subject}”{_said(c.said)}，由此上年应为 {finding.wan(mid)} {V.WAN_YUAN}，"
                             f"但上年公开文件印为 {finding.wan(v)} {V.WAN_YUAN}（容差 ±{finding.wan(tol)} {V.WAN_YUAN}）",
                             [c.page], v, mid, tol, f"{finding.wan(v)} {V.WAN_YUAN}", f"{finding.wan(mid)} {V.WAN_YUAN}",
                             [page]))
    return out


def _printed_figures(s: Stored, prev: dict, doc: Document | None, f, own: str) -> dict[str, list[tuple[Decimal, int]]]:
    """Every figure last year's disclosure prints for each measure and functional line: the
    stored ones, and with its document every table's and its narrative's own, so a claim is
    measured against what was printed, whichever table extraction kept."""
    out: dict[str, list] = defaultdict(list)
    for key, (v, page) in s.totals(prev["d"]).items():
        out[f"measure:{key}"].append((v, page))
    for x in s.lines(prev["d"]):
        if x.get("ft") in (None, own):
            out[f"line:{x['code']}"].append((x["amount"], x.get("page")))
    if doc is None:
        return out
    from kg.checks.narrative import Narrative, _measure_of
    from kg.checks.structure import expenditure_splits

    for key, fig in list(f.totals.items()) + list(f.text_figures.items()):
        out[f"measure:{key}"].append((fig.value, fig.prov.page))
    for sp in expenditure_splits(doc, f.unit or V.DEFAULT_UNIT):
        out[f"measure:{V.BASIC.key}"].append((sp.basic.value, sp.basic.prov.page))
        out[f"measure:{V.PROJECT.key}"].append((sp.project.value, sp.project.prov.page))
    n = Narrative(doc, f, Printed(doc, f.unit))
    for ln in n.all_lines():
        if ln.scheme == "functional" and ln.amount is not None and ln.figure_type == own:
            out[f"line:{ln.code}"].append((ln.amount, ln.prov.page))
    for it in n.items:
        key = _measure_of(it.subject, f.agency) if it.value is not None else None
        if key:
            out[f"measure:{key}"].append((it.value.value, it.page))
    return out


def _said(said: str) -> str:
    role, _, printed = said.partition(":")
    if not printed:
        return f"与上年{role}"
    return f"比上年{V.RISE_WORDS[0] if role == 'up' else V.FALL_WORDS[0]} {printed}"


def cross_findings(store, documents: Callable[[str], Document | None] | None = None,
                   agency: str | None = None, involving: str | None = None) -> list[dict]:
    """Every finding across the stored disclosures (of one agency's, given its IRI).
    `documents` (sha256 → Document or None) is needed for the narrative's year-on-year
    claims; without it they are left out. `involving` (a disclosure, without `documents`)
    leaves out the disclosures of other years than its own, which no finding of it can
    involve: every rule but year-on-year compares disclosures of one year."""
    s = Stored(store, agency)
    if involving is not None:
        if documents is not None:
            raise ValueError("year-on-year findings compare two years: not with `involving`")
        years = {r.get("year") for r in s.rows if r["d"] == involving}
        s.rows = [r for r in s.rows if r.get("year") in years]
    out = conflicting_versions(s) + department_vs_unit(s) + final_vs_budget(s)
    if documents is not None:
        out += year_on_year(s, documents)
    return out


def archive_documents(db) -> Callable[[str], Document | None]:
    """Documents from a database folder's archive, None for one it does not hold."""
    from kg.archive import DocumentArchive

    archive = DocumentArchive(db)

    def get(sha: str) -> Document | None:
        try:
            return archive.get(sha)
        except (OSError, ValueError):
            return None

    return get

