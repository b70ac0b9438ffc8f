"""What an answer is made of: the Result a question gets, its evidence items, and the
few wordings every answer sentence shares (the disclosure's kind, its year, a 万元 value)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from api.qa.linking import Disclosure
from api.qa.text import format_wan
from kg import vocab as V

KIND_WORD = {**V.KIND_WORDS, None: "公开"}
MONEY_UNIT = V.WAN_YUAN  # the unit every money answer is given in


@dataclass
class Result:
    question: str
    answer: str
    value: object = None
    unit: str | None = None
    evidence: list[dict] = field(default_factory=list)
    sparql: str | None = None
    intent: str = "text"
    entities: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"question": self.question, "answer": self.answer, "value": self.value, "unit": self.unit,
                "evidence": self.evidence, "sparql": self.sparql, "intent": self.intent, "entities": self.entities}


def evidence(source_file, page, quote, iri=None) -> dict:
    """One evidence item: where the answer was printed, quoted (at most 300 characters)."""
    return {"source_file": source_file or None, "page": int(page) if page is not None else None,
            "quote": (quote or "")[:300], "iri": iri}


def wan_value(yuan: Decimal) -> str:
    """A Result's `value` for money: the 万元 figure without its unit."""
    return format_wan(yuan)[:-2]


def year_word(d: Disclosure | None) -> str:
    return f"{d.year}年" if d and d.year else ""
