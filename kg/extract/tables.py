"""Which standard table a table is, from what it says: its title, its header cells and the
codes in its rows — never from where it sits on the page or which table came before it.

A table's content gives its shape (two-sided 收支 summary, income by source, rows coded by
function or by economic class, the 三公 parts, a list of projects, purchases or performance
targets); its title, when one is printed (above the table, inside its first rows, or in the
running text just before it), narrows the shape to one kind (which fund, basic expenditure
only). A title that contradicts the content is a title read from the wrong place and loses;
a table with no telling content (an empty 政府性基金 table) is what its title says.

The standard kinds, their titles and which of them each kind of disclosure must publish are
kg/vocab.py's (TableKind, STANDARD_KINDS).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from kg import vocab as V
from kg.document import Document, Heading, Paragraph, Table
from kg.extract.base import CODE_RE, norm
from kg.money import parse_decimal
from kg.readers.outline import OUTLINE

TableKind = V.TableKind

# The kinds each shape may be; the first is what the shape is when no title narrows it.
SHAPES: dict[str, tuple[str, ...]] = {
    "two_sided": ("summary", "fiscal_summary", "gov_fund", "state_capital"),
    "income": ("income",),
    # a table of basic expenditure by function, an income table by function (收入总表 with codes)
    "functional": ("gpb_expenditure", "expenditure", "fiscal_expenditure", "gov_fund", "state_capital", "project",
                   "gpb_basic", "fiscal_basic", "basic", "income"),
    "economic": ("gpb_basic", "fiscal_basic", "basic", "operating"),
    "three_public": ("three_public",),
    "split_totals": ("expenditure", "fiscal_expenditure", "gpb_expenditure", "gov_fund", "state_capital"),
    "projects": ("project", "performance"),
    "performance": ("performance",),
    "procurement": ("procurement",),
}
_SCHEME_OF = {"2": "functional", "3": "economic", "5": "economic"}
# "30101基本工资": a code before the name in one cell (never an amount such as 128.43)
_CODE_NAME = re.compile(r"^(\d{3}(?:\d{2}){0,2})[\u4e00-\u9fffA-Za-z（(]")
_TITLE_CELL = re.compile(rf"(?:{V.TABLE_WORD})(?:[（(][^)）]*[)）])?$")


@dataclass
class TableContext:
    """What the classifier may read beside the table itself."""

    kind: str = V.BUDGET.code  # the disclosure's kind (Kind.code)
    before: str = ""  # the text printed just above the table, after the previous table (titles, 部门：…)


def _title_kind(text: str) -> TableKind | None:
    t = norm(text)
    if not t:
        return None
    for k in V.STANDARD_KINDS:
        if re.search(k.title, t):
            return k
    return None


def row_code(cells: list[str]) -> str | None:
    """The classification code a row prints: in a code cell, split over 类|款|项 cells
    ("301 | 01"), or before the name in one cell ("30101 基本工资"); None for other rows."""
    cs = [norm(c) for c in cells[:5]]
    for i, c in enumerate(cs):
        if not c:
            continue
        if CODE_RE.match(c):
            code = c
            # split columns: a 3-digit class followed by 2-digit 款/项 cells
            for nxt in cs[i + 1: i + 3]:
                if len(code) < 7 and re.fullmatch(r"\d{2}", nxt):
                    code += nxt
                else:
                    break
            return code if CODE_RE.match(code) else None
        m = _CODE_NAME.match(c)
        if m:
            return m.group(1)
        if parse_decimal(c) is None:
            return None  # a label before any code: not a coded row
    return None


def _cells(t: Table) -> tuple[set[str], list[str]]:
    head = {norm(c) for r in t.header for c in r if norm(c)}
    labels = [norm(c) for r in t.rows for c in r if norm(c) and parse_decimal(c) is None]
    return head, labels


def _has(words, cells) -> bool:
    return any(w in c for c in cells for w in words)


def _empty(t: Table) -> bool:
    """No figure in any body row: an empty table says nothing but its title and columns."""
    return not any(parse_decimal(c) is not None and row_code([c]) is None for r in t.rows for c in r)


def shape(t: Table) -> str | None:
    """What the table's content says it is (a key of SHAPES), or None when it says nothing."""
    head, labels = _cells(t)
    schemes = Counter(_SCHEME_OF[c[0]] for c in (row_code(r) for r in t.rows) if c and c[0] in _SCHEME_OF)
    coded = sum(schemes.values())
    # the 三公 parts as columns, or one part per row (economic tables also name them, as codes' lines)
    parts = sum(_has(m.cells, head) for m in (V.ABROAD, V.VEHICLES, V.RECEPTION))
    part_rows = sum(_has(m.cells, labels) for m in (V.ABROAD, V.VEHICLES, V.RECEPTION)) if coded < 2 else 0
    # ... a 三公 table by rows is its parts and their sums; an economic table by names alone
    # lists 因公出国费 and 公务接待费 among many other lines
    words = [w for m in (V.ABROAD, V.VEHICLES, V.VEHICLE_PURCHASE, V.VEHICLE_OPERATION, V.RECEPTION) for w in m.cells]
    if part_rows and 2 * sum(1 for x in labels if any(w in x for w in (*words, *V.SUM_WORDS, V.THREE_PUBLIC_WORD,
                                                                         V.THREE_PUBLIC_BARE))) < len(labels):
        part_rows = 0
    if _has((V.THREE_PUBLIC_WORD,), head) or max(parts, part_rows) >= 2:
        return "three_public"
    side_rows = [r for r in t.header if any(norm(c).startswith(V.INCOME_SIDE) for c in r)
                 and any(norm(c).startswith(V.EXPENDITURE_SIDE) for c in r)]
    paired = any(_has(V.INCOME.rows + V.GRAND_INCOME.rows, [norm(c) for c in r])
                 and _has(V.EXPENDITURE.rows + V.GRAND_EXPENDITURE.rows, [norm(c) for c in r]) for r in t.rows)
    if (side_rows or paired) and coded < 2:
        return "two_sided"
    if _has(V.PERFORMANCE_CELLS, head):
        return "performance"
    if _has(V.PROCUREMENT_CELLS, head) and coded < 2:
        return "procurement"
    # income by source down the rows (收入总计, 一般公共预算资金 …) under 项目名称 | 金额
    source_rows = sum(_has((w,), labels) for w in V.INCOME_SOURCE_WORDS)
    if coded < 2 and source_rows >= 2 and _has(V.GRAND_INCOME.rows, labels):
        return "income"
    if _has(V.PROJECT_NAME_CELLS, head) and coded * 2 < len(t.rows):
        return "projects"
    splits = _has(V.BASIC.cells, head) and _has(V.PROJECT.cells, head)
    # income by source across the columns (rows by unit, or by function)
    if not splits and sum(_has((w,), head) for w in V.INCOME_SOURCE_WORDS) >= 2:
        return "income"
    if coded >= 2 or (coded and coded * 2 >= len(t.rows)):
        return schemes.most_common(1)[0][0]
    if splits:
        return "split_totals"
    return None


def title_candidates(t: Table, context: TableContext | None = None) -> list[str]:
    """Where a title may be printed, most trusted first: the reader's title, a header or first
    row cell that reads as a title (a table whose title the reader took for its first row),
    the running text just above the table (last line first)."""
    out = [t.title] if t.title else []
    for r in (t.header + t.rows)[:3] if not t.title else ():
        out += [c for c in r if _TITLE_CELL.search(norm(c)) and len(norm(c)) >= 5 and parse_decimal(c) is None]
    if context and context.before:
        lines = [x for x in context.before.splitlines() if x.strip()]
        out += [x for x in reversed(lines) if _TITLE_CELL.search(norm(x))]
    return out


def classify(t: Table, context: TableContext | None = None) -> TableKind | None:
    """The standard table `t` is, or None when neither its content nor its title says."""
    titled = [k for k in (_title_kind(x) for x in title_candidates(t, context)) if k]
    if titled and titled[0] is V.TK_PERFORMANCE:
        return titled[0]  # a performance form prints any words (sources, project names): its title says
    s = shape(t)
    if s is None or _empty(t):
        return titled[0] if titled else None  # an empty table's columns alone do not name it
    allowed = SHAPES[s]
    for k in titled:
        if k.key in allowed:
            return k
    # the title names no kind this shape may be (or there is none): the shape's own
    if s == "functional" and _has(V.BASIC.cells, _cells(t)[0]) and _has(V.PROJECT.cells, _cells(t)[0]):
        return V.TABLE_KINDS["expenditure"]
    if s == "two_sided":
        _, labels = _cells(t)
        own = (V.SERVICE_INCOME, V.OTHER_INCOME, V.FISCAL_GRANT)
        if not any(re.sub(r"^\W*[一二三四五六七八九十\d]+[、.．]", "", x).startswith(own) for x in labels):
            return V.TABLE_KINDS["fiscal_summary"]
    return V.TABLE_KINDS[allowed[0]]


def classify_document(doc: Document, kind: str = V.BUDGET.code) -> list[tuple[Table, TableKind | None]]:
    """Every table of `doc` with its kind; a table continued after a page break without a title
    of its own is the kind of the table it continues."""

    out: list[tuple[Table, TableKind | None]] = []
    before: list[str] = []
    for b in doc.blocks():
        if isinstance(b, (Heading, Paragraph)):
            before.append(b.text)
            continue
        ctx = TableContext(kind, "\n".join(before[-4:]))
        before = []
        k = classify(b, ctx)
        if out and not b.title and not title_candidates(b, ctx) and is_continuation(out[-1][0], b) and out[-1][1]:
            k = out[-1][1]
        out.append((b, k))
    return out


def table_kinds(doc: Document, kind: str = V.BUDGET.code) -> dict[int, TableKind | None]:
    """classify_document as a lookup: id(table) -> its kind."""
    return {id(t): k for t, k in classify_document(doc, kind)}


# Which table a disclosure's totals and lines are read from first, when several print them:
# the whole expenditure (all funds) before one fund's, a fund's before its basic part.
FUNCTIONAL_ORDER = ("expenditure", "gpb_expenditure", "fiscal_expenditure")
BASIC_KINDS = ("gpb_basic", "fiscal_basic", "basic", "operating")
OTHER_FUNDS = ("gov_fund", "state_capital", "income", "project")


def is_kind(k: TableKind | None, *keys: str) -> bool:
    return k is not None and k.key in keys


def expected_tables(kind: str, scope: str = V.DEPARTMENT.code) -> tuple[TableKind, ...]:
    """The standard tables a disclosure of this kind (Kind.code) must publish. A unit's
    disclosure publishes the same set as its department's."""
    del scope  # the national templates ask the same tables of 部门 and 单位 disclosures
    return tuple(k for k in V.STANDARD_KINDS if kind in k.expected)


def _title_core(t: Table) -> str:
    return re.sub(rf"^(?:{OUTLINE}|表\d+)|[(（][^)）]*[)）]|\d{{4}}年", "", norm(t.title or ""))


def is_continuation(first: Table, later: Table) -> bool:
    """`later` continues `first` after a page break: same column names, and a title that is
    missing, equal, or the same name without its numbering ("三、部门支出总表" / "支出总表")."""
    if not first.header or not later.header or first.n_cols != later.n_cols:
        return False
    if [norm(c) for c in first.header[-1]] != [norm(c) for c in later.header[-1]]:
        return False
    a, b = _title_core(first), _title_core(later)
    return not b or a == b or (len(b) >= 3 and (b in a or a in b))
