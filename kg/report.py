"""The reading report of a disclosure: which standard tables were read, where, which of those
its kind must publish are missing, and whether each table read reconciles.

`reading_report(doc, facts)` is pure: the document model and what extraction made of it in,
a ReadingReport out. The tables are recognised by kg.extract.tables (by what they say, not
where they sit); the report adds what a reader of the disclosure needs to trust it:

* found: each standard table with its printed title and pages (a table continued over pages
  is one);
* missing: the tables `expected_tables(kind, scope)` names that were not found;
* reconciles: per table, read from its own cells — each classification line equals the sum
  of the lines under it, the table's 合计 row equals the sum of its top-level lines, and the
  合计 equals the disclosure's total where the table states one (支出总表: the year's
  expenditure; 收入总表: its income; 收支总表: both, and its two sides agree; the 三公 table:
  its three parts). Rounding is tolerated: half a unit of the table's last printed digit for
  every figure in a sum.

A disclosure is complete when nothing expected is missing and every table reconciles; one
that is not is flagged wherever it is shown (its page, `budgetkg status`, `budgetkg ingest`),
never presented as complete. The report also says what the file holds (`content`): the
running text alone, the tables alone, or both — how kg.pipeline tells the halves of a
publication printed in two files.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from kg import vocab as V
from kg.document import Document, Page, Paragraph, Table
from kg.extract.base import TOLERANCE, Facts, norm
from kg.money import parse_decimal, table_factor

# Running text of at least this many characters (in sentences of NARRATIVE_LINE or more) makes
# a file more than a tables-only file: labels above tables (部门：…, 单位：万元) and titles are short.
NARRATIVE_MIN = 200
NARRATIVE_LINE = 40
CONTENT_TEXT, CONTENT_TABLES, CONTENT_FULL = "text", "tables", "full"
COMPLETE, INCOMPLETE = "complete", "incomplete"  # how a summary starts

_TOTAL_LABEL = re.compile(rf"^(?:{V.alternation(V.SUM_WORDS[::2])})$")  # 合计 | 总计, not 小计
_CODE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
_NO_FIGURES = "科目行未读出金额"


@dataclass
class TableReading:
    """One standard table as read: its kind (kg.vocab.TableKind.key), pages (of the document
    it was read from), and whether its figures reconcile (None: it prints none)."""

    kind: str
    name: str  # the kind's standard title in the disclosure's kind
    title: str | None
    pages: list[int]
    reconciles: bool | None = None
    problems: list[str] = field(default_factory=list)


@dataclass
class ReadingReport:
    kind: str  # the disclosure's Kind.code
    scope: str
    expected: list[str]  # TableKind keys, in kg.vocab.STANDARD_KINDS order
    tables: list[TableReading]
    narrative: int = 0  # characters of running text in sentences

    @property
    def found(self) -> list[str]:
        keys = {t.kind for t in self.tables}
        return [k.key for k in V.STANDARD_KINDS if k.key in keys]

    @property
    def missing(self) -> list[str]:
        have = set(self.found)
        return [k for k in self.expected if k not in have]

    @property
    def unreconciled(self) -> list[TableReading]:
        return [t for t in self.tables if t.reconciles is False]

    @property
    def complete(self) -> bool:
        return not self.missing and not self.unreconciled

    @property
    def content(self) -> str:
        if not self.tables:
            return CONTENT_TEXT
        return CONTENT_TABLES if self.narrative < NARRATIVE_MIN else CONTENT_FULL

    def name(self, key: str) -> str:
        return V.TABLE_KINDS[key].name(self.kind)

    def summary(self, where=None) -> str:
        """One line: complete, or what is missing and which tables do not reconcile. `where`
        (pages → text) says where a table is; by default "p.3,4"."""
        if self.complete:
            return f"{COMPLETE} ({len(self.found)} standard tables)"
        where = where or (lambda pages: "p." + ",".join(map(str, pages)))
        parts = []
        if self.missing:
            parts.append("missing " + "、".join(self.name(k) for k in self.missing))
        if self.unreconciled:
            parts.append("not reconciled " + "、".join(f"{t.name} {where(t.pages)}" for t in self.unreconciled))
        return f"{INCOMPLETE}: " + "; ".join(parts)


def narrative_chars(doc: Document) -> int:
    return sum(len(b.text.strip()) for b in doc.blocks()
               if isinstance(b, Paragraph) and len(b.text.strip()) >= NARRATIVE_LINE)


def reading_report(doc: Document, facts: Facts, classified=None) -> ReadingReport:
    """The report of `doc` as extraction read it into `facts`. `classified` (kg.extract.tables
    .classify_document's list) when the caller already has it."""
    from kg.extract.tables import classify_document, expected_tables

    if classified is None:
        classified = classify_document(doc, facts.kind)
    unit = facts.unit or V.DEFAULT_UNIT
    tables = []
    for kind, parts in _runs(classified):
        r = TableReading(kind.key, kind.name(facts.kind), next((t.title for t in parts if t.title), None),
                         sorted({p for t in parts for p in (t.pages or [t.page])}))
        _reconcile(r, parts, unit, facts)
        tables.append(r)
    return ReadingReport(facts.kind, facts.scope, [k.key for k in expected_tables(facts.kind, facts.scope)], tables,
                         narrative_chars(doc))


# --- one table: its parts over page breaks -----------------------------------------------------

def _codes(t: Table) -> set[str]:
    return {norm(c) for r in t.rows for c in r[:4] if _CODE.match(norm(c))}


def _runs(classified) -> list[tuple[V.TableKind, list[Table]]]:
    """Consecutive tables of one kind that continue each other (same columns, no new title,
    no code printed twice) are one table."""
    from kg.extract.tables import is_continuation

    runs: list[tuple[V.TableKind, list[Table]]] = []
    for t, k in classified:
        if k is None:
            continue
        if runs and runs[-1][0] is k:
            prev = runs[-1][1]
            seen = set().union(*(_codes(p) for p in prev))
            if (not t.title or t.title == prev[0].title) and is_continuation(prev[-1], t) and not (seen & _codes(t)):
                prev.append(t)
                continue
        runs.append((k, [t]))
    return runs


# --- reconciling --------------------------------------------------------------------------------

def _step(parts: list[Table], unit: str) -> Decimal:
    """Yuan per unit of the last digit the table prints (its most common number of decimals)."""
    from kg.checks.precision import decimals

    digits = Counter(decimals(c) for t in parts for r in t.rows for c in r if parse_decimal(c) is not None)
    d = digits.most_common(1)[0][0] if digits else 2
    return table_factor(parts[0], unit) * Decimal(1).scaleb(-d)


def _show(v: Decimal, factor: Decimal) -> str:
    return f"{(v / factor).quantize(Decimal('0.01')):,}"


def _total_rows(parts: list[Table], unit: str) -> list[list[Decimal]]:
    """The figures (yuan) of each 合计/总计 row: a row with no code whose label says so."""
    out = []
    for t in parts:
        factor = table_factor(t, unit)
        for r in t.rows:
            labels = [norm(c) for c in r if norm(c) and parse_decimal(c) is None]
            if any(_CODE.match(norm(c)) for c in r[:4]) or not labels or not _TOTAL_LABEL.match(labels[0]):
                continue
            nums = [parse_decimal(c) for c in r]
            out.append([v * factor for v in nums if v is not None])
    return out


def _reconcile(r: TableReading, parts: list[Table], unit: str, facts: Facts) -> None:
    from kg.extract.lines import read_table_lines

    step = _step(parts, unit)
    factor = table_factor(parts[0], unit)
    lines = [ln for t in parts for ln in read_table_lines(t, unit, facts.kind)] or _named_lines(r, parts, unit, facts)
    totals = _total_rows(parts, unit)
    checked = False
    own = V.kind_by_code(facts.kind).figure_type
    types = {ln.figure_type for ln in lines}
    for ftype in sorted(types, key=lambda x: x != own):
        if ftype != own and own in types:
            continue  # a final account's 年初预算数 beside its outturn: the outturn is what it states
        for scheme in sorted({ln.scheme for ln in lines if ln.figure_type == ftype}):
            group = [ln for ln in lines if ln.figure_type == ftype and ln.scheme == scheme]
            checked = True
            if all(ln.amount is None for ln in group):
                r.problems.append(_NO_FIGURES)  # codes read, figures not: the columns were misread
                continue
            amounts: dict[str, Decimal] = {}
            names: dict[str, str] = {}
            for ln in group:
                if ln.code not in amounts:
                    amounts[ln.code] = ln.amount if ln.amount is not None else Decimal(0)  # a blank cell
                    names[ln.code] = ln.name
            r.problems += _hierarchy(amounts, names, step, factor)
            top = _top_level(amounts)
            if totals and top:
                s = sum((amounts[c] for c in top), Decimal(0))
                tol = step / 2 * (len(top) + 1)
                if not any(abs(s - v) <= tol for row in totals for v in row):
                    r.problems.append(f"{V.SUM_WORDS[0]} {_show(totals[0][0], factor) if totals[0] else '—'} "
                                      f"≠ Σ {_show(s, factor)}")
    for keys, measure in _DISCLOSURE_TOTALS.get(r.kind, ()):
        want = next((facts.totals[k].value for k in keys if k in facts.totals), None)
        if want is None or not totals:
            continue
        checked = True
        tol = max(step, TOLERANCE)
        if not any(abs(v - want) <= tol for row in totals for v in row):
            r.problems.append(f"{V.SUM_WORDS[0]} {_show(totals[0][0], factor) if totals[0] else '—'} "
                              f"≠ {measure.label} {_show(want, factor)}")
    if r.kind == V.TK_SUMMARY.key or r.kind == V.TK_FISCAL_SUMMARY.key:
        checked |= _summary(r, parts, unit, facts, step, factor)
    if r.kind == V.TK_THREE_PUBLIC.key:
        checked |= _three_public(r, facts, factor)
    r.reconciles = (not r.problems) if checked else None


def _named_lines(r: TableReading, parts: list[Table], unit: str, facts: Facts) -> list:
    """A table of lines printed by name alone (no code column): its rows as the lines of the
    scheme its kind is read in (extract_lines' by-name reading), coded by the national list
    under the rows above each. Only when the list places every named row: a row it cannot
    place (a local name) would leave its parent short of a child and its siblings' sum short
    of the total, which is no misprint of the table's."""
    from kg.extract.lines import read_table_lines
    from kg.extract.tables import BASIC_KINDS, FUNCTIONAL_ORDER

    scheme = "functional" if r.kind in FUNCTIONAL_ORDER else "economic" if r.kind in BASIC_KINDS else None
    if scheme is None:
        return []
    lines = [ln for t in parts for ln in read_table_lines(t, unit, facts.kind, by_name=scheme)]
    return lines if all(ln.code for ln in lines) else []


# the disclosure totals a table's 合计 row states, first found wins
_DISCLOSURE_TOTALS: dict[str, tuple[tuple[tuple[str, ...], V.Measure], ...]] = {
    V.TK_EXPENDITURE.key: (((V.EXPENDITURE.key,), V.EXPENDITURE),),
    V.TK_INCOME.key: (((V.INCOME.key, V.GRAND_INCOME.key), V.INCOME),),
}


def _top_level(amounts: dict[str, Decimal]) -> list[str]:
    """The codes no other printed code is a prefix of."""
    return [c for c in amounts if not any(p != c and c.startswith(p) for p in amounts)]


def _hierarchy(amounts: dict[str, Decimal], names: dict[str, str], step: Decimal, factor: Decimal) -> list[str]:
    """Each line with lines under it equals their sum (the next printed level: a table may
    print 类 and 项 without 款)."""
    out = []
    for code, value in amounts.items():
        below = [c for c in amounts if c != code and c.startswith(code)]
        if not below:
            continue
        depth = min(len(c) for c in below)
        children = [c for c in below if len(c) == depth]
        s = sum((amounts[c] for c in children), Decimal(0))
        if abs(s - value) > step / 2 * (len(children) + 1):
            out.append(f"{code} {names.get(code) or ''}".rstrip() + f" {_show(value, factor)} ≠ Σ {_show(s, factor)}")
    return out


def _summary(r: TableReading, parts: list[Table], unit: str, facts: Facts, step: Decimal, factor: Decimal) -> bool:
    """The two sides of a 收支 summary agree, and state the disclosure's income and expenditure."""
    from kg.extract.totals import table_row_totals

    doc = Document("", "", [Page(t.page, [t]) for t in parts])
    mine = {k: f.value for k, f in table_row_totals(doc, unit, facts.kind).items()}
    checked = False
    tol = max(step, TOLERANCE)
    for a, b in ((V.GRAND_INCOME.key, V.GRAND_EXPENDITURE.key),):
        if a in mine and b in mine:
            checked = True
            if abs(mine[a] - mine[b]) > tol:
                r.problems.append(f"{V.GRAND_INCOME.label} {_show(mine[a], factor)} ≠ "
                                  f"{V.GRAND_EXPENDITURE.label} {_show(mine[b], factor)}")
    if r.kind == V.TK_SUMMARY.key:
        for m in (V.INCOME, V.EXPENDITURE):
            if m.key in mine and m.key in facts.totals:
                checked = True
                if abs(mine[m.key] - facts.totals[m.key].value) > tol:
                    r.problems.append(f"{m.label} {_show(mine[m.key], factor)} ≠ {_show(facts.totals[m.key].value, factor)}")
    return checked


def _three_public(r: TableReading, facts: Facts, factor: Decimal) -> bool:
    """The 三公 total is its three parts (会议费, 培训费 beside them are not 三公)."""
    t = facts.totals
    if V.THREE_PUBLIC.key not in t:
        return False
    vehicles = t.get(V.VEHICLES.key)
    if vehicles is None and (V.VEHICLE_PURCHASE.key in t or V.VEHICLE_OPERATION.key in t):
        vehicles_v = sum((t[k].value for k in (V.VEHICLE_PURCHASE.key, V.VEHICLE_OPERATION.key) if k in t), Decimal(0))
    else:
        vehicles_v = vehicles.value if vehicles is not None else None
    parts = [t[k].value for k in (V.ABROAD.key, V.RECEPTION.key) if k in t]
    if vehicles_v is None or len(parts) < 2:
        return False
    s = sum(parts, vehicles_v)
    if abs(s - t[V.THREE_PUBLIC.key].value) > TOLERANCE:
        r.problems.append(f"{V.THREE_PUBLIC.label} {_show(t[V.THREE_PUBLIC.key].value, factor)} ≠ Σ {_show(s, factor)}")
    return True


# --- the reports of a store (budgetkg status) -----------------------------------------------------

@dataclass
class StoredReading:
    disclosure: str
    files: list[str]
    complete: bool | None  # None: no report (read before reports were made)
    reading: str  # the report's one-line summary
    model_version: int
    reader_version: int

    @property
    def older_reader(self) -> bool:
        from kg.document import current_versions

        return (self.model_version, self.reader_version) < current_versions()


def stored_readings(store) -> list[StoredReading]:
    """Every disclosure in the store but blank templates (no disclosure of anyone), with its
    reading report and the reader versions it was read with, by file name."""
    from ontology.namespace import BKG, RDFS

    rows = store.select(f"""SELECT ?d (GROUP_CONCAT(DISTINCT ?f; separator="\\u001f") AS ?files) (SAMPLE(?c) AS ?complete)
        (SAMPLE(?l) AS ?reading) (MIN(?mv) AS ?model) (MIN(?rv) AS ?reader) WHERE {{
        GRAPH ?d {{ ?d a <{BKG.Disclosure}> ; <{BKG.sourceFile}> ?f
            FILTER NOT EXISTS {{ ?d <{BKG.isTemplate}> true }}
            OPTIONAL {{ ?d <{BKG.readingReport}> ?r . ?r <{BKG.complete}> ?c OPTIONAL {{ ?r <{RDFS.label}> ?l }} }}
            OPTIONAL {{ ?d <{BKG.modelVersion}> ?mv }} OPTIONAL {{ ?d <{BKG.readerVersion}> ?rv }} }} }} GROUP BY ?d""")
    out = [StoredReading(str(r["d"]), sorted(str(r["files"]).split("\u001f")), r.get("complete"), str(r.get("reading") or ""),
                         int(r.get("model") or 0), int(r.get("reader") or 0)) for r in rows]
    return sorted(out, key=lambda x: (x.files, x.disclosure))
