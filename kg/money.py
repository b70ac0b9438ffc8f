"""Amounts as printed → exact Decimal yuan.

Budget tables print "45,928.08", "1 234.5", full-width digits, "-" or "" for nothing; units
are 元, 万元 or (rarely) 亿元. Everything here is pure and returns None for "no figure",
so callers can tell a blank cell from a printed zero.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

UNIT_FACTORS = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000), "千元": Decimal(1000)}
_BLANKS = {"", "-", "—", "--", "——", "－", "/", "…", "...", "无", "\\"}
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_UNIT_IN_TEXT = re.compile(r"(?:单位|金额单位|计量单位)\s*[:：]?\s*(亿元|万元|千元|元)")


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
    for name in ("亿元", "万元", "千元", "元"):  # longest first: "万元" contains "元"
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
        f = UNIT_FACTORS["万元"]
    return normalize(v * f)


def normalize(v: Decimal) -> Decimal:
    """Canonical form: no exponent, no trailing fractional zeros ("458,000" not "4.58E+5")."""
    v = v.normalize()
    if v == v.to_integral_value():
        return v.quantize(Decimal(1))
    return v


def find_amount(text: str) -> tuple[Decimal, str] | None:
    """First "<number> <unit>" in free text → (value in yuan, unit printed)."""
    m = re.search(r"(\d[\d,，]*(?:\.\d+)?)\s*(亿元|万元|千元|元|万)", unicodedata.normalize("NFKC", text))
    if not m:
        return None
    unit = "万元" if m.group(2) == "万" else m.group(2)
    v = to_yuan(m.group(1), unit)
    return (v, unit) if v is not None else None
