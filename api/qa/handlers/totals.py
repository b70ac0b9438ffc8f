"""Disclosure totals (收入总额, 基本支出, “三公”经费 …: properties of a bkg:Disclosure),
for one agency or, when the question names none, for every agency that states it."""

from __future__ import annotations

from decimal import Decimal

from api.qa import intent as intents
from api.qa import templates as T
from api.qa.linking import Disclosure, Match
from api.qa.question import Question
from api.qa.result import KIND_WORD, MONEY_UNIT, Result, reading, wan_value, year_word
from api.qa.text import format_wan
from kg import vocab as V

LABELS = {m.prop: m.label for m in V.MEASURES}  # the contract's name of each total, as the reading shows it


def read_total(qn: Question, prop: str, a: Match | None, ds: list[Disclosure]) -> Result | None:
    word = intents.TOTAL_NAMES.get(prop, qn.intent.total_word or prop)
    hits = first_totals(qn, prop, ds)
    if not hits:
        return None
    sparql = T.disclosure_total(prop, [d.iri for d, _ in hits[:8]])  # what the answer shows
    if a is None and len({d.agency for d, _ in hits}) > 1:
        return many_agencies(qn, hits, word, sparql)
    d, r = hits[0]
    v = Decimal(r["v"])
    ev = [qn.evidence_for(d, [qn.intent.total_word or word[:2]], v, d.iri, row=r)]
    text = f"{d.agency_label}{year_word(d)}{KIND_WORD.get(d.kind, '公开')}{word}为{format_wan(v)}。"
    sparql = T.disclosure_total(prop, [d.iri])
    quality, note = _parts_agree(qn, prop, d, v)
    return Result(qn.question, text + note, wan_value(v), MONEY_UNIT, ev, sparql, "total", qn.entities,
                  source="graph", quality=quality, interpretation=reading(d, LABELS.get(prop, word)), used=[d])


# A total and the parts the same disclosure states of it: 三公 = its three parts, 基本支出 =
# 人员经费 + 公用经费. A total its own parts do not add up to is said, and not trusted.
PARTS = {V.THREE_PUBLIC.prop: (V.ABROAD.prop, V.VEHICLES.prop, V.RECEPTION.prop),
         V.BASIC.prop: (V.PERSONNEL.prop, V.PUBLIC.prop)}


def _parts_agree(qn: Question, prop: str, d: Disclosure, v: Decimal) -> tuple[float, str]:
    parts = PARTS.get(prop)
    if not parts:
        return 1.0, ""
    rows = qn.select(T.totals_of(list(parts), [d.iri]))
    got = {r["m"]: Decimal(r["v"]) for r in rows}
    if len(got) < len(parts):
        return 1.0, ""
    total = sum(got.values(), Decimal(0))
    if abs(total - v) <= 100:  # half a cent of 万元 either way is the print's rounding
        return 1.0, ""
    names = "、".join(LABELS[p] for p in parts)
    return 0.6, f"（注意：同一文件中{names}之和为{format_wan(total)}，与此数不符。）"


def first_totals(qn: Question, prop: str, ds: list[Disclosure], batch: int = 200) -> list[tuple[Disclosure, dict]]:
    """(disclosure, row) for the disclosures in `ds` that state `prop`, in `ds` order —
    read in batches and only as far as an answer needs: eight figures from more than
    one agency (what many_agencies shows), or all of them. Without an agency in the
    question `ds` is every disclosure, and one query over 10,000 took seconds."""
    hits: list[tuple[Disclosure, dict]] = []
    for i in range(0, len(ds), batch):
        part = ds[i:i + batch]
        rows = {r["d"]: r for r in qn.select(T.disclosure_total(prop, [d.iri for d in part]))}
        hits += [(d, rows[d.iri]) for d in part if d.iri in rows]
        if len(hits) >= 8 and len({d.agency for d, _ in hits}) > 1:
            break
    return hits


def many_agencies(qn: Question, hits: list[tuple[Disclosure, dict]], word: str, sparql: str) -> Result:
    """The question named no agency and several have the figure: list them all."""
    hits = hits[:8]
    parts = [f"{d.agency_label}{year_word(d)}{format_wan(r['v'])}" for d, r in hits]
    ev = [qn.evidence_for(d, [word[:4]], Decimal(r["v"]), d.iri, row=r) for d, r in hits[:3]]
    years = sorted({d.year for d, _ in hits if d.year})
    return Result(qn.question, f"问题未指明单位，各单位的{word}：{'；'.join(parts)}。",
                  [wan_value(Decimal(r["v"])) for _, r in hits], MONEY_UNIT, ev, sparql, "total", qn.entities,
                  source="graph", quality=0.8,
                  interpretation=" · ".join(["各单位（未指明）", "、".join(map(str, years)), word]))
