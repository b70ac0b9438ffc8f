"""Text helpers shared by intent parsing, linking and answer writing: width/space
normalization, policy document numbers (文号), years, and money/count formatting.

Pure functions only. Money arrives as Decimal yuan (the graph's unit) and leaves as a
万元 string with every significant digit kept, because a figure printed in 元
(133491208 元) must read back exactly (13349.1208万元), not rounded to cents of 万元.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from kg import vocab as V
from kg.policy import NUMBER_RE, normalize_number

YUAN_PER_WAN = V.YUAN_PER_WAN

def nfkc(s: str) -> str:
    """NFKC (full-width digits/letters → ASCII) without turning 〔〕 into something else."""
    return unicodedata.normalize("NFKC", s or "")


def squash(s: str) -> str:
    """Normalized form for comparing names: NFKC, no whitespace, ASCII brackets as
    full-width ones (names print （） and () interchangeably), quotes unified."""
    s = nfkc(s)
    s = re.sub(r"\s+", "", s)
    s = s.replace("(", "（").replace(")", "）")
    s = re.sub("[\u201c\u201d\"'\u2018\u2019\u300c\u300d]", "", s)
    return s


def normalize_policy_number(s: str) -> str:
    """财社【2016】101号 / 财社[2016]101号 / 财社（２０１６）１０１号 → 财社〔2016〕101号 — the graph's
    own normalization (kg.policy), so question and graph agree; unchanged if not a 文号."""
    return normalize_number(s) or squash(s)


def find_policy_numbers(text: str) -> list[tuple[str, int, int, int, int]]:
    """Every 文号 in text as (chars before the bracket, year, serial, start, end) — the
    issuer is returned with whatever precedes it ("以财社"), because only the graph knows
    where an issuer code starts; the linker matches known codes as suffixes of it."""
    t = nfkc(text)
    return [(m.group("issuer"), int(m.group("year")), int(m.group("serial")), m.start(), m.end())
            for m in NUMBER_RE.finditer(t)]


_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*(?:年度|年)")
_SHORT_YEAR_RE = re.compile(rf"(?<![\d.])([1-3]\d)\s*年度?\s*(?:{V.scope_pattern()})?(?:{V.COMPREHENSIVE})?(?:{V.kind_pattern()})")


def find_years(text: str) -> list[int]:
    """Fiscal years a question names ("2024年", "2023年度"), in order, without repeats.
    Years inside a 文号's brackets are not fiscal years and are skipped."""
    t = nfkc(text)
    for m in NUMBER_RE.finditer(t):
        t = t[: m.start()] + " " * (m.end() - m.start()) + t[m.end():]
    out: list[int] = []
    for m in _YEAR_RE.finditer(t):
        y = int(m.group(1))
        if y not in out:
            out.append(y)
    if not out:
        # "25年预算" / "24年度决算": a two-digit year, only right before a disclosure word.
        for m in _SHORT_YEAR_RE.finditer(t):
            y = 2000 + int(m.group(1))
            if y not in out:
                out.append(y)
    return out


def find_codes(text: str) -> list[str]:
    """Classification codes written in a question: 3-7 ASCII digits not part of a year."""
    t = nfkc(text)
    t = re.sub(r"(?:19|20)\d{2}\s*(?:年度|年)", " ", t)
    return [m.group(0) for m in re.finditer(r"(?<!\d)(?:2\d{2}(?:\d{2}){0,2}|3\d{2}(?:\d{2})?|5\d{2}(?:\d{2})?)(?!\d)", t)]


def _plain(d: Decimal) -> str:
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def yuan_to_wan(yuan: Decimal) -> Decimal:
    return Decimal(yuan) / YUAN_PER_WAN


def format_wan(yuan: Decimal | int | str) -> str:
    """Decimal yuan → '45928.08万元': at least two decimals (as budgets print 万元), more
    when the yuan figure needs them (133491208 元 → '13349.1208万元')."""
    wan = yuan_to_wan(Decimal(str(yuan)))
    s = _plain(wan)
    whole, _, frac = s.partition(".")
    if len(frac) < 2:
        frac = (frac + "00")[:2]
    return f"{whole}.{frac}{V.WAN_YUAN}"


def format_count(n: int | Decimal | str, unit: str = "人") -> str:
    return f"{int(Decimal(str(n)))}{unit}"


def format_signed_wan(yuan: Decimal) -> str:
    """A difference: '增加12.00万元' / '减少3.50万元' / '持平'."""
    if yuan == 0:
        return "持平"
    return ("增加" if yuan > 0 else "减少") + format_wan(abs(yuan))
