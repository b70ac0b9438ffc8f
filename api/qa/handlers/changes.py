"""A change against a year the graph has no disclosure of, as the newer disclosure's own
text states it ("比上年增加793.14万元", "2025年当年预算执行数为1690.69万元，2026年预算安排
1672.67万元，比2025年预算执行数减少1.07%"): publishers explain each year against the one
before, so a question about a change often has its answer in the newer document alone.

The answer quotes the sentence with its file and page, says the earlier year is not in the
graph, and is offered from the text (never stated with a graph answer's confidence).
"""

from __future__ import annotations

import re
from decimal import Decimal

from api.qa import intent as intents
from api.qa.linking import Disclosure, Match
from api.qa.question import Question
from api.qa.result import Result, evidence, reading, scope_word
from api.qa.text import squash
from kg import vocab as V
from kg.document import Paragraph

_CHANGE = re.compile(r"(?:增加|减少|增长|下降|上升|降低|持平|减|增)")
_AMOUNT = re.compile(rf"(?P<dir>增加|减少|增长|下降|上升|降低)了?\s*(?P<n>\d+(?:\.\d+)?)\s*(?:{V.WAN_YUAN}|{V.WAN})")
_RATE = re.compile(r"(?P<dir>增加|减少|增长|下降|上升|降低)了?\s*(?P<n>\d+(?:\.\d+)?)\s*[%％]")
_DOWN = ("减少", "下降", "降低")


def measure_words(qn: Question, measure: tuple | None, res: Result | None) -> list[str]:
    """The words a sentence names the asked figure with: the measure's own wordings, the
    line's or project's label, else the term the question asks about."""
    words: list[str] = []
    if measure and measure[0] == "total":
        m = next((x for x in V.MEASURES if x.prop == measure[1]), None)
        if m is not None:
            words += [m.label, m.name, m.short, *m.text, *m.rows]
    if res is not None and res.interpretation:
        words.append(res.interpretation.split(" · ")[-1].split("（")[0])
    if qn.intent.total_word:
        words.append(qn.intent.total_word)
    term = intents.asked_term(qn.rest)
    if term:
        words.append(term)
    return [w for w in dict.fromkeys(squash(w) for w in words) if len(w) >= 2]


def _paragraphs(doc) -> list[tuple[int, str, list[str]]]:
    """(page, paragraph, its sentences): an item of the 说明 names the line in its first
    sentence and states the change in a later one."""
    return [(b.page, b.text, [s for s in re.split(r"(?<=[。；;])", b.text) if s.strip()])
            for b in doc.blocks() if isinstance(b, Paragraph) and b.text.strip()]


def _year_figure(s: str, year: int) -> Decimal | None:
    """The 万元 figure a sentence gives for `year` ("2025年当年预算执行数为1690.69万元")."""
    m = re.search(rf"{year}年[^。；，,]{{0,16}}?(?:为|是|安排|数)\s*(\d+(?:\.\d+)?){V.WAN_YUAN}", s)
    return Decimal(m.group(1)) if m else None


def narrative_change(qn: Question, a: Match, newer: Disclosure, older_year: int, measure: tuple | None,
                     res_newer: Result | None) -> Result | None:
    """The change of the asked figure from `older_year` to `newer`'s year, as `newer`'s text
    states it; None when no sentence of it does."""
    # every file of the disclosure: a publication in two files states changes in its text half
    docs = qn.ctx.archive.documents_of(newer.iri, newer.source_file)
    if not docs:
        return None
    words = measure_words(qn, measure, res_newer)
    if not words:
        return None
    newer_fig = res_newer.value if res_newer is not None and isinstance(res_newer.value, str) else None
    best = None
    for doc, (page, para, sents) in ((x, p) for x in docs for p in _paragraphs(x)):
        p = squash(para)
        hits = [w for w in words if w in p]
        if not hits:
            continue
        for sent in sents:
            s = squash(sent)
            if not _CHANGE.search(s) or (str(older_year) not in s and "上年" not in s and "上一年" not in s):
                continue
            # The sentence that names the figure itself beats one of its paragraph's others.
            score = max(map(len, hits)) + (3 if any(w in s for w in hits) else 0)
            score += 5 if newer_fig and newer_fig.rstrip("0").rstrip(".") in p else 0
            if best is None or score > best[0]:
                quote = para.strip() if len(para) <= 300 else sent.strip()
                best = (score, page, quote, s, doc.source_file)
    if best is None:
        return None
    _, page, sent, s, src = best
    growth = qn.intent.growth
    m = (_RATE if growth else _AMOUNT).search(s)
    value = unit = None
    worked = ""
    if m:
        n = Decimal(m.group("n"))
        value = format(-n if m.group("dir") in _DOWN and growth else n, "f")
        unit = "%" if growth else V.WAN_YUAN
    elif "持平" in s:
        value, unit = "0", ("%" if growth else V.WAN_YUAN)
    else:
        # "2025年当年预算执行数为1690.69万元，2026年预算安排1672.67万元": the change from the two figures.
        old = _year_figure(s, older_year)
        new = _year_figure(s, newer.year) if newer.year else None
        if old is not None and new is not None:
            diff = new - old
            if growth and old:
                value, unit = format((diff / old * 100).quantize(Decimal("0.01")), "f"), "%"
            elif not growth:
                value, unit = format(abs(diff), "f"), V.WAN_YUAN
            if value is not None:
                worked = (f"按原文两年的数计算：{newer.year}年{new}{V.WAN_YUAN}比{older_year}年{old}{V.WAN_YUAN}"
                          f"{'增加' if diff > 0 else '减少' if diff < 0 else '持平'}"
                          f"{value if unit == V.WAN_YUAN else format(abs(diff), 'f')}{V.WAN_YUAN}。")
    name = qn.agency_name(a.iri)
    text = (f"图谱中没有{name}{older_year}年的公开文件，无法用两年的数据相减；"
            f"据{name}{newer.year}年{scope_word(newer)}（第{page}页）：{sent}{worked}")
    if res_newer is not None:
        text += f"（图谱中{newer.year}年的数为{res_newer.answer.rstrip('。').split('为')[-1]}。）"
    return Result(qn.question, text, value, unit, [evidence(src, page, sent, newer.iri)], None, "text",
                  qn.entities, source="text",
                  interpretation=reading(newer, f"与{older_year}年相比的变化（据原文第{page}页）"), used=[newer])
