"""Table rows the graph has no term for (一般公共预算拨款收入, a 三公 part, any labelled
row), read by label from the archived documents' tables."""

from __future__ import annotations

from api.qa.linking import Disclosure, Match
from api.qa.question import Question
from api.qa.result import MONEY_UNIT, Result, evidence, reading, wan_value, year_word
from api.qa.sources import code_row_lookup, row_lookup
from api.qa.text import format_wan

ROW_SCAN = 200  # documents a row lookup opens when the question names no agency


def read_row(qn: Question, term: str, a: Match | None, ds: list[Disclosure]) -> Result | None:
    found = []
    for d in _row_candidates(qn, term, ds or [], a):
        # every file of the disclosure: the tables of one printed in two are in one of them
        hits = next((h for doc in qn.ctx.archive.documents_of(d.iri, d.source_file) if (h := row_lookup(doc, term))), [])
        if hits:
            found.append((d, hits[0]))
            if a is not None or len(found) >= 8:
                break
    if not found:
        return None
    if a is None and len({d.agency for d, _ in found}) > 1:
        parts = [f"{d.agency_label}{year_word(d)}{format_wan(h.value_yuan)}" for d, h in found]
        ev = [evidence(h.source_file, h.page, h.quote, d.iri) for d, h in found[:3]]
        return Result(qn.question, f"问题未指明单位，各单位的{found[0][1].label}：{'；'.join(parts)}。",
                      [wan_value(h.value_yuan) for _, h in found], MONEY_UNIT, ev, None, "table", qn.entities,
                      source="table", quality=0.8, interpretation=f"各单位（未指明） · {found[0][1].label}")
    d, h = found[0]
    ev = [evidence(h.source_file, h.page, h.quote, d.iri)]
    text = f"{d.agency_label}{year_word(d)}{h.label}为{format_wan(h.value_yuan)}（据{h.table_title or '公开表格'}）。"
    return Result(qn.question, text, wan_value(h.value_yuan), MONEY_UNIT, ev, None, "table", qn.entities,
                  source="table", quality=1.0 if h.exact else min(0.7, h.score),  # a row named otherwise: doubt
                  interpretation=reading(d, f"{h.label}（表格第{h.page}页）"), used=[d])


def _row_candidates(qn: Question, term: str, ds: list[Disclosure], a: Match | None) -> list[Disclosure]:
    """The disclosures whose tables a row lookup reads. With an agency, all of its own.
    Without one `ds` can be the whole corpus, and reading every document for a term no
    table has took over a minute at 10,000: the disclosures the keyword index finds the
    term in come first, and at most ROW_SCAN are opened."""
    if a is not None or len(ds) <= ROW_SCAN:
        return ds
    first: list[str] = []
    searcher = qn.ctx.searcher
    if searcher is not None:
        try:
            first = [h.source_file for h in searcher.search(term, k=ROW_SCAN, mode="bm25")]
        except Exception:  # noqa: BLE001 - no usable index: keep the given order
            first = []
    rank = {f: i for i, f in reversed(list(enumerate(first)))}
    ordered = sorted(ds, key=lambda d: min((rank.get(f, len(first)) for f in d.files), default=len(first)))
    return ordered[:ROW_SCAN]


def read_code_row(qn: Question, code: str, a: Match | None, ds: list[Disclosure]) -> Result | None:
    """A classification line by its code, read from the tables of the agency's disclosure in
    scope when the graph has no line for it there. Only with an agency: a code alone names a
    line of every disclosure."""
    if a is None:
        return None
    for d in ds:
        hits = next((h for doc in qn.ctx.archive.documents_of(d.iri, d.source_file)
                     if (h := code_row_lookup(doc, code))), [])
        if not hits:
            continue
        h = hits[0]
        ev = [evidence(h.source_file, h.page, h.quote, d.iri)]
        text = (f"{d.agency_label}{year_word(d)}“{h.label}”（{code}）科目为{format_wan(h.value_yuan)}"
                f"（据{h.table_title or '公开表格'}，第{h.page}页）。")
        return Result(qn.question, text, wan_value(h.value_yuan), MONEY_UNIT, ev, None, "table", qn.entities,
                      source="table", interpretation=reading(d, f"{h.label}（{code}）（表格第{h.page}页）"), used=[d])
    return None
