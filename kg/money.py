"""Amounts as printed → exact Decimal yuan.

Budget tables print "45,928.08", "1 234.5", full-width digits, "-" or "" for nothing; units
are 元, 万元 or (rarely) 亿元. Everything here is pure and returns None for "no figure",
so callers can tell a blank cell from a printed zero.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from kg.vocab import (
    DEFAULT_UNIT,
    UNIT_FACTORS,
    UNIT_LABEL,
    UNIT_LABELS,
    UNITS_LONGEST_FIRST,
    WAN,
    YUAN,
    alternation,
    unit_word,
)

if TYPE_CHECKING:
    from kg.document import Document, Table

_BLANKS = {"", "-", "—", "--", "——", "－", "/", "…", "...", "无", "\\"}
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_UNIT_IN_TEXT = re.compile(rf"(?:{alternation(UNIT_LABELS)})\s*[:：]?\s*({alternation(UNITS_LONGEST_FIRST)})")


MAX_INTEGER_DIGITS = 15


def parse_decimal(text: str | None) -> Decimal | None:
    """"45,928.08" → Decimal("45928.08"); blanks and dashes → None; non-numbers → None."""
    if text is None:
        return None
    s = unicodedata.normalize("NFKC", str(text)).strip()
    if s in _BLANKS:
        return None
    s = re.sub(r"[\s,，']", "", s)  # thousands separators and stray spaces inside a figure
    neg = False
    if s.startswith("(") and s.endswith(")"):
        neg, s = True, s[1:-1]
    if s.endswith("%"):
        return None
    if not _NUM.match(s):
        return None
    if len(s.split(".")[0].lstrip("+-")) > MAX_INTEGER_DIGITS:
        return None  # digits run together (codes, dates, a misread row), no amount: 10^15 yuan is none
    try:
        v = Decimal(s)
    except InvalidOperation:
        return None
    return -v if neg else v


def unit_factor(unit: str | None) -> Decimal | None:
    """Factor to yuan for a printed unit ("万元", "单位：万元", "金额单位: 元"); None if unknown."""
    if not unit:
        return None
    u = unicodedata.normalize("NFKC", unit).replace(" ", "")
    m = _UNIT_IN_TEXT.search(u)
    if m:
        return UNIT_FACTORS[m.group(1)]
    for name in UNITS_LONGEST_FIRST:
        if name in u:
            return UNIT_FACTORS[name]
    return None


def to_yuan(text: str | None, unit: str | Decimal | None) -> Decimal | None:
    """Parse `text` and convert to yuan by `unit` (a printed unit or a factor)."""
    v = parse_decimal(text)
    if v is None:
        return None
    f = unit if isinstance(unit, Decimal) else unit_factor(unit)
    if f is None:
        f = UNIT_FACTORS[DEFAULT_UNIT]
    return normalize(v * f)


def normalize(v: Decimal) -> Decimal:
    """Canonical form: no exponent, no trailing fractional zeros ("458,000" not "4.58E+5")."""
    v = v.normalize()
    if v == v.to_integral_value():
        return v.quantize(Decimal(1))
    return v


_AMOUNT_IN_TEXT = re.compile(rf"(\d[\d,，]*(?:\.\d+)?)\s*({alternation((*UNITS_LONGEST_FIRST, WAN))})")


def find_amount(text: str) -> tuple[Decimal, str] | None:
    """First "<number> <unit>" in free text → (value in yuan, unit printed)."""
    m = _AMOUNT_IN_TEXT.search(unicodedata.normalize("NFKC", text))
    if not m:
        return None
    unit = unit_word(m.group(2))
    v = to_yuan(m.group(1), unit)
    return (v, unit) if v is not None else None


# --- the unit of a table ----------------------------------------------------------------
# One choice for every reader of a figure (extraction, question answering), so an answer
# scales a printed figure exactly as the graph did.


def doc_unit(doc: Document) -> str:
    """The unit most printed figures of the document are in (万元 when no table says):
    tables are weighted by how many figures they print, so small forms in 万元 do not
    outvote the 元 statements."""
    counts: dict[str, int] = {}
    for t in doc.tables():
        if t.unit and unit_factor(t.unit):
            n = sum(1 for r in t.rows for c in r if parse_decimal(c) is not None)
            counts[t.unit] = counts.get(t.unit, 0) + n
    return max(counts, key=counts.get) if counts else DEFAULT_UNIT


def table_factor(t: Table, default: str) -> Decimal:
    """Yuan per printed unit of table `t`: its own unit, else one its title or header
    declares ("单位：元"), else `default` (the document's, see doc_unit)."""
    header = " ".join(c for r in t.header for c in r)
    for src in (t.unit, t.title, header):
        f = unit_factor(src) if src and (YUAN in src) and (src == t.unit or UNIT_LABEL in src) else None
        if f:
            return f
    return unit_factor(default) or UNIT_FACTORS[DEFAULT_UNIT]
