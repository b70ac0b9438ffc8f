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
    # How far to trust the answer (0–1, see api.qa.confidence) and the reading of the question
    # it answers ("江苏省人民检察院 · 2019 · 部门预算 · 本年支出合计"); the answerer fills both in.
    confidence: float | None = None
    interpretation: str | None = None
    source: str | None = None  # graph (a SPARQL answer) | table (an archived table) | text (a passage) | None
    candidates: list[dict] = field(default_factory=list)  # what was meant, when the question was not resolved
    quality: float = 1.0  # a handler's own doubt about its reading (a defaulted measure, a near-miss row)
    used: list = field(default_factory=list)  # the Disclosures a figure was read from (not in to_dict)

    def to_dict(self) -> dict:
        return {"question": self.question, "answer": self.answer, "value": self.value, "unit": self.unit,
                "evidence": self.evidence, "sparql": self.sparql, "intent": self.intent, "entities": self.entities,
                "confidence": self.confidence, "interpretation": self.interpretation, "source": self.source,
                "candidates": self.candidates}


def evidence(source_file, page, quote, iri=None) -> dict:
    """One evidence item: where the answer was printed, quoted (at most 300 characters)."""
    return {"source_file": source_file or None, "page": int(page) if page is not None else None,
            "quote": (quote or "")[:300], "iri": iri}


def wan_value(yuan: Decimal) -> str:
    """A Result's `value` for money: the 万元 figure without its unit."""
    return format_wan(yuan)[:-2]


def year_word(d: Disclosure | None) -> str:
    return f"{d.year}年" if d and d.year else ""


def scope_word(d: Disclosure | None) -> str:
    """"部门预算" / "单位决算" / "预算" of a disclosure, as the interpretation names it."""
    if d is None:
        return ""
    kind = KIND_WORD.get(d.kind, KIND_WORD[None])
    scope = {V.DEPARTMENT.code: V.DEPARTMENT.word, V.UNIT.code: V.UNIT.word}.get(d.scope or "", "")
    return scope + kind


def reading(d: Disclosure | None, measure: str | None = None, agency: str | None = None) -> str:
    """The interpretation of an answer about one disclosure: agency · year · kind · measure."""
    parts = [agency or (d.agency_label if d else None), str(d.year) if d and d.year else None, scope_word(d) or None,
             measure]
    return " · ".join(p for p in parts if p)
