"""Shared pieces of extraction: the facts record, text normalization, table reading.

Extraction reads the document model (headings, paragraphs, tables), never a flat file:
a figure is found by the table it sits in, the column whose header names it and the row
whose label names it, so any layout that prints the same table reads the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from kg.document import Document, Paragraph, Table
from kg.money import parse_decimal
from kg.readers.outline import OUTLINE
from kg.vocab import FISCAL_GRANT, YUAN_PER_WAN

WAN = YUAN_PER_WAN
TOLERANCE = Decimal(100)  # 0.01 万元, in yuan: rounding in printed tables

_SPACES = re.compile(r"[\s\u3000]+")


def norm(s: str | None) -> str:
    """NFKC, no whitespace: the form labels and names are compared in."""
    if not s:
        return ""
    return _SPACES.sub("", unicodedata.normalize("NFKC", s))


def clean_name(s: str) -> str:
    """A name as printed, minus layout noise: NFKC spaces inside CJK dropped, trimmed."""
    s = (s or "").replace("\u3000", " ").replace("\xa0", " ").strip()
    s = re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", s)
    s = re.sub(r"</?[a-zA-Z][^>]*>", "", s)
    return s.strip(" \t-—:：")


@dataclass
class Prov:
    """Where a figure was printed."""

    page: int | None = None
    table: str | None = None  # table title as printed
    row: int | None = None  # 1-based body row
    quote: str | None = None


@dataclass
class Figure:
    value: Decimal  # yuan
    prov: Prov = field(default_factory=Prov)
    figure_type: str = "budget"


@dataclass
class Line:
    scheme: str  # "functional" | "economic" | "gov_economic"
    code: str
    name: str
    amount: Decimal | None
    splits: dict[str, Decimal] = field(default_factory=dict)  # basic/project/personnel/public
    prov: Prov = field(default_factory=Prov)
    figure_type: str = "budget"
    key: str = ""  # a line printed by name only (no code anywhere in its table): "name#n", n-th of that name

    @property
    def ident(self) -> str:
        """What tells the line apart within its scheme: its code, or its name key."""
        return self.code or self.key


@dataclass
class TargetFact:
    """One performance target of a project, as its target table prints it."""

    level1: str | None  # 一级指标 (产出指标, 效益指标, 满意度指标)
    level2: str | None  # 二级指标 (数量指标, 质量指标 …)
    indicator: str  # 三级指标: what is measured
    value: str | None  # 指标值 as printed ("≥98%", "100%")
    prov: Prov = field(default_factory=Prov)


@dataclass
class ProjectFact:
    name: str
    amount: Decimal | None
    category: str | None = None
    agency: str | None = None  # implementing agency name, None = the reporting agency
    alt_names: list[str] = field(default_factory=list)
    prov: Prov = field(default_factory=Prov)
    key: str = ""  # stable id inside the disclosure
    section_title: str | None = None  # heading of the project's own description section
    basis: str | None = None  # 立项依据 as its table prints it
    plan: dict[int, Decimal] = field(default_factory=dict)  # 用款计划: quarter (1-4) -> yuan
    targets: list[TargetFact] = field(default_factory=list)


@dataclass
class PolicyFact:
    number: str | None  # normalized, None for a law cited by title
    issuer: str | None = None
    year: int | None = None
    serial: int | None = None
    title: str | None = None
    printed: list[str] = field(default_factory=list)


@dataclass
class LinkFact:
    project_key: str
    policy: str  # number, or title for laws
    quote: str
    page: int | None = None


@dataclass
class FindingFact:
    rule: str
    severity: str
    comment: str
    expected: Decimal | None = None
    found: Decimal | None = None
    pages: list[int] = field(default_factory=list)
    where: str | None = None
    tolerance: Decimal | None = None  # the rounding allowed, in the unit of expected/found (kg.checks)
    expected_text: str | None = None  # expected and found as printed, for findings not about one amount
    found_text: str | None = None


@dataclass
class Facts:
    fiscal_year: int | None = None
    kind: str = "budget"
    scope: str = "department"
    template: bool = False
    agency: str | None = None
    agency_aliases: list[str] = field(default_factory=list)
    unit_code: str | None = None
    parent: str | None = None
    parent_aliases: list[str] = field(default_factory=list)
    parent_code: str | None = None
    city: str | None = None
    internal_units: list[str] = field(default_factory=list)
    subordinates: dict[str, str | None] = field(default_factory=dict)  # other unit rows: name -> code
    member_units: list[str] = field(default_factory=list)  # units a 部门 disclosure covers besides itself
    basic_by_fund: dict[str, Figure] = field(default_factory=dict)  # 基本支出 per fund (checks.funding_scope)
    other_splits: list[dict[str, Figure]] = field(default_factory=list)  # 人员/公用 printed by other tables
    text_figures: dict[str, Figure] = field(default_factory=dict)  # totals as the narrative states them
    total_rows: list[dict[str, Figure]] = field(default_factory=list)  # each table's 合计 row: total/basic/project
    summary_labels: list[tuple[str, Figure]] = field(default_factory=list)  # 收支总表 "label | figure" pairs
    line_text: list[tuple[str, str | None, Figure]] = field(default_factory=list)  # 项 amounts the narrative states
    staff: dict[str, int] = field(default_factory=dict)
    totals: dict[str, Figure] = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    projects: list[ProjectFact] = field(default_factory=list)
    policies: list[PolicyFact] = field(default_factory=list)
    links: list[LinkFact] = field(default_factory=list)
    findings: list[FindingFact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unit: str | None = None  # the document's main money unit


# --- document walking ---------------------------------------------------------------

_STARTS_NEW = re.compile(rf"^\s*(?:[-•·]\s*)?{OUTLINE}")
_ENDS_SENTENCE = re.compile(r"[。！？!?：:；;]\s*$")


def logical_paragraphs(doc: Document) -> list[tuple[int, str]]:
    """(page, text) of paragraphs with PDF line breaks undone: a paragraph line that does not
    end a sentence continues into the next one unless that one starts a numbered item.
    Headings stay on their own."""
    out: list[tuple[int, str]] = []
    open_ = False
    last = None
    for b in doc.blocks():
        if isinstance(b, Table):
            open_ = False
            continue
        text = b.text.strip()
        if not text:
            continue
        # a short line atop a new page is a title
        if isinstance(b, Paragraph) and open_ and out and not _STARTS_NEW.match(text) and \
                (b.page == out[-1][0] or len(text) > 48) and not _set_apart(last, b):
            page, prev = out[-1]
            sep = " " if prev[-1:].isascii() and text[:1].isascii() else ""
            out[-1] = (page, prev + sep + text)
        else:
            out.append((b.page, text))
        open_ = isinstance(b, Paragraph) and not _ENDS_SENTENCE.search(text)
        last = b
    return out


def _set_apart(prev, b: Paragraph) -> bool:
    """A PDF line that starts well right of where the paragraph above it on the same page starts
    (a centred title, a date set right) is no wrapped continuation of it: a wrapped line starts
    at the margin."""
    if prev is None or prev.bbox is None or b.bbox is None or prev.page != b.page:
        return False
    return b.bbox[0] > prev.bbox[0] + 2 * (b.bbox[3] - b.bbox[1])


def header_paths(t: Table) -> list[list[str]]:
    """Per column, the non-blank header cells top-down. A blank header cell under a span
    takes the nearest non-blank cell to its left in the same row when the row below has
    content in this column (text exports do not repeat merged cells)."""
    n = t.n_cols
    rows = [list(r) + [""] * (n - len(r)) for r in t.header]
    paths: list[list[str]] = [[] for _ in range(n)]
    for ri, r in enumerate(rows):
        for c in range(n):
            v = norm(r[c])
            if not v and ri + 1 < len(rows) and norm(rows[ri + 1][c]):
                # inherit a spanning parent from the left (e.g. 基本支出 over 小计/人员/公用)
                for k in range(c - 1, -1, -1):
                    if norm(r[k]):
                        if ri + 1 < len(rows) and norm(rows[ri + 1][k]):
                            v = norm(r[k])
                        break
            if v and (not paths[c] or paths[c][-1] != v):
                paths[c].append(v)
    return paths


def is_number(s: str) -> bool:
    return parse_decimal(s) is not None


CODE_RE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")
CODE_NAME_RE = re.compile(r"^(\d{3}(?:\d{2}){0,2})\s*([^\d\s].*)$")


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[。；;！!？?])", text)
    return [p for p in (x.strip() for x in parts) if p]


def funding_scope(title: str | None) -> str:
    """The fund a table covers, from its title: "一般公共预算财政拨款基本支出决算表" and
    "2026年部门一般公共预算支出功能分类预算表" → "一般公共预算"; "支出决算表" → "" (all funds).
    Figures from tables of different funds are not expected to add up."""
    t = re.sub(rf"^(?:{OUTLINE}|表\d+)", "", norm(title or ""))
    t = re.sub(r"^(?:\d{4}年度?)?(?:部门|预算单位|单位)?", "", t)
    m = re.match(rf"(.*?)(?:{FISCAL_GRANT})?(?:基本)?支出", t)
    return m.group(1) if m else t
