"""One finding: how a rule reports a contradiction (rule, severity, expected and found values,
the tolerance it allowed, every page involved) — the same shape for every check module."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from kg import vocab as V
from kg.extract.base import FindingFact

WAN = V.YUAN_PER_WAN
ERROR, WARNING = "error", "warning"


def wan(v: Decimal) -> str:
    """Yuan as 万元 to the fen (0.34 元 shows), without trailing zeros."""
    return f"{(v / WAN).quantize(Decimal('0.000001')).normalize():f}"


def pct(v: Decimal) -> str:
    return f"{v.quantize(Decimal('0.01'))}%"


def pages_of(pages: Iterable[int | None]) -> list[int]:
    return sorted({int(p) for p in pages if p})


def money(rule: str, what: str, expected: Decimal, found: Decimal, tolerance: Decimal, pages, where: str,
          severity: str = ERROR) -> FindingFact | None:
    """A finding when two amounts (yuan) differ by more than `tolerance`, the rounding the
    printed figures allow; None when they agree within it."""
    if abs(found - expected) <= tolerance:
        return None
    u = V.WAN_YUAN
    comment = (f"{what}：应为 {wan(expected)} {u}，印为 {wan(found)} {u}（差 {wan(found - expected)} {u}，"
               f"舍入容差 ±{wan(tolerance)} {u}）")
    return FindingFact(rule, severity, comment, expected, found, pages_of(pages), where, tolerance=tolerance,
                       expected_text=f"{wan(expected)} {u}", found_text=f"{wan(found)} {u}")


def stated(rule: str, comment: str, expected: str, found: str, pages, where: str, severity: str = ERROR,
           tolerance: Decimal | None = None, expected_value: Decimal | None = None,
           found_value: Decimal | None = None) -> FindingFact:
    """A finding about something other than one amount against another: a percentage, a year,
    a date, a table, a word. `expected`/`found` say it as printed; amounts (yuan) go along
    when there are any."""
    return FindingFact(rule, severity, comment, expected_value, found_value, pages_of(pages), where,
                       tolerance=tolerance, expected_text=expected, found_text=found)
