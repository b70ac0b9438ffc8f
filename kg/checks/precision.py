"""The precision each figure was printed with, so that a rule tolerates exactly the rounding
the document's own figures allow.

Extraction keeps values, not the digits they were printed with: "22,118,861" and
"22,118,861.00" are the same Decimal. A figure's step (yuan per unit of its last printed
digit) is read back from the cell that printed it: the table named in its provenance, its
row first, then the rest of the table. A 万元 table printing two decimals has a step of
100 元; a 元 table printing whole yuan a step of 1 元.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from decimal import Decimal

from kg import vocab as V
from kg.document import Document, Table
from kg.extract.base import Figure, Prov, clean_name
from kg.money import normalize, parse_decimal, table_factor, unit_factor
from kg.vocab import DEFAULT_UNIT, UNIT_FACTORS, YUAN_PER_WAN

# an amount with its unit as the 说明 text prints it (structure and narrative read both)
_NUM = r"(\d[\d,，]*(?:\.\d+)?)"
_UNITS = V.alternation((V.YI_YUAN, V.WAN_YUAN, V.YUAN, V.WAN))
AMOUNT_RE = re.compile(rf"{_NUM}({_UNITS})")

HALF = Decimal("0.5")


def decimals(printed: str) -> int:
    """Digits after the decimal point as printed ("9,746.50" → 2, "207" → 0)."""
    s = unicodedata.normalize("NFKC", printed).strip().rstrip("%")
    return len(s.split(".", 1)[1].strip()) if "." in s else 0


def value_step(v: Decimal, unit_yuan: Decimal = YUAN_PER_WAN) -> Decimal:
    """The step of a figure printed in running text, from its value alone: the text's unit
    (万元 unless the value needs finer digits) and the digits the value shows."""
    x = (v / unit_yuan).normalize()
    d = max(0, -x.as_tuple().exponent)
    if d > 4:
        d, unit_yuan = max(0, -v.normalize().as_tuple().exponent), Decimal(1)
    return unit_yuan * Decimal(1).scaleb(-d)


class Printed:
    """Where the figures of one document were printed, for their steps."""

    def __init__(self, doc: Document, unit: str | None):
        self.unit = unit or DEFAULT_UNIT
        self.tables = doc.tables()
        self._cache: dict[tuple, Decimal] = {}
        cells = Counter(decimals(c) for t in self.tables for r in t.rows for c in r if parse_decimal(c) is not None)
        self.doc_decimals = cells.most_common(1)[0][0] if cells else 2
        self.default = (unit_factor(self.unit) or UNIT_FACTORS[DEFAULT_UNIT]) * Decimal(1).scaleb(-self.doc_decimals)

    def table(self, prov: Prov) -> Table | None:
        if not prov.table:
            return None
        for t in self.tables:
            if clean_name(t.title or "") == prov.table and (prov.page is None or prov.page in t.pages
                                                              or prov.page in t.row_pages):
                return t
        return None

    def step(self, value: Decimal | None, prov: Prov) -> Decimal:
        """Yuan per unit of the last digit `value` was printed with at `prov`."""
        if value is None:
            return self.default
        key = (value, prov.page, prov.table, prov.row)
        if key not in self._cache:
            self._cache[key] = self._step(value, prov)
        return self._cache[key]

    def _step(self, value: Decimal, prov: Prov) -> Decimal:
        t = self.table(prov)
        if t is None:
            # a figure quoted from the text shows its digits in its value; any other the document's
            return value_step(value) if prov.quote and not prov.table else self.default
        factor = table_factor(t, self.unit)
        own = [t.rows[prov.row - 1]] if prov.row and 0 < prov.row <= len(t.rows) else []
        for r in own + t.rows:
            for c in r:
                v = parse_decimal(c)
                if v is not None and normalize(v * factor) == value:
                    return factor * Decimal(1).scaleb(-decimals(c))
        counts = Counter(decimals(c) for r in t.rows for c in r if parse_decimal(c) is not None)
        return factor * Decimal(1).scaleb(-(counts.most_common(1)[0][0] if counts else self.doc_decimals))

    def half(self, fig: Figure) -> Decimal:
        return self.step(fig.value, fig.prov) * HALF


def sum_tolerance(steps) -> Decimal:
    """A printed total against the sum of printed parts: each figure (parts and total) is off
    its exact value by at most half a unit of its last printed digit."""
    return sum((s * HALF for s in steps), Decimal(0))


def same_tolerance(a: Decimal, b: Decimal) -> Decimal:
    """One quantity printed twice: at the same precision both round the same exact value, so
    they must agree to the digit; at different precisions (元 beside 万元) the coarser one
    may be off by half its unit."""
    return Decimal(0) if a == b else max(a, b) * HALF
