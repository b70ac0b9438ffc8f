"""A figure of one agency (or of every agency, when the question names none): which
measure the wording asks for — a disclosure total, a project, a classification line or a
table row by label — and the first of them the graph or the documents can answer."""

from __future__ import annotations

import re

from api.qa import intent as intents
from api.qa.handlers.lines import read_line
from api.qa.handlers.projects import read_project
from api.qa.handlers.table_rows import read_row
from api.qa.handlers.totals import read_total
from api.qa.linking import Disclosure, Match
from api.qa.question import Question
from api.qa.result import Result
from kg import vocab as V

# An organisation's name as people write it: a run of characters ending in an agency word.
_ORG = re.compile(r"(?:(?!哪|所有|各)[\u4e00-\u9fffA-Za-z]){3,}?(?:委员会|办公室|中心|局|大队|支队|研究所|研究院|医院|学校|"
                  rf"管理处|站|馆|院|所|小学|中学|学校|幼儿园|学院|大学)(?!经费|资金|项目|{V.SPECIAL}|补助)")


def amount(qn: Question, agency: Match | None = None, year: int | None = None) -> Result | None:
    a = agency or qn.one_agency()
    ds = qn.scope(a.iri, year) if a else qn.scope(None, year)
    if a and not ds:
        y = year or qn.year
        return qn.no_answer(f"{qn.agency_name(a.iri)}{y or ''}{'年' if y else ''}的公开数据")
    if a is None:
        unknown = _ORG.search(qn.rest)
        if unknown and not any(unknown.group(0) in e.name for e in qn.lex.projects.entries):
            # The question names an agency the graph does not know: another agency's
            # project or line of the same name is not its answer.
            return qn.no_answer(f"名为“{unknown.group(0)}”的单位的公开数据")
    # Without an agency the year and kind the question names still narrow the search.
    narrowed = a is not None or qn.year is not None or qn.intent.doc_kind is not None
    for m in measures(qn, qn.rest, ds if narrowed else None, a.iri if a else None):
        res = read_measure(qn, m, a, ds)
        if res is not None:
            return res
    return None


def measures(qn: Question, text: str, disclosures: list[Disclosure] | None, agency: str | None) -> list[tuple]:
    """What figure the question asks for, best reading first: ("total", prop) |
    ("project", [Match]) | ("line", [concept IRIs], column) | ("row", term).
    A total's wording wins unless a longer exact name contains it; projects and
    classification lines compete on link weight (how much of the question they
    explain); a table row by label comes last."""
    out: list[tuple[tuple, tuple]] = []
    it = qn.intent
    dset = {d.iri for d in disclosures} if disclosures else None
    projects = qn.lex.link_projects(text, dset, agency) if (dset or agency or disclosures is None) else []
    concepts = _concepts(qn, text)
    if it.total and not it.qualified:
        pos = text.find(it.total_word)
        covered = any(m.exact and m.start <= pos and pos + len(it.total_word) <= m.end
                      and m.length > len(it.total_word) for m in projects)
        named = bool(projects) or bool(concepts)
        weak = it.total_word in intents.WEAK_TOTAL_WORDS and named
        if not covered and not weak and not (concepts and concepts[1] and concepts[2] > len(it.total_word)):
            out.append(((2, 999.0), ("total", it.total)))
    if projects:
        # The likeliest disclosure (newest, budget, department) that names the project
        # about as well as the best match does.
        top = projects[0].score
        order = {d.iri: i for i, d in enumerate(disclosures or [])}
        good = [m for m in projects if m.score >= 0.8 * top]
        best = min(good, key=lambda m: (order.get(m.entry.meta[0], len(order)), -m.score))
        same = [best] + [m for m in projects if m.iri != best.iri and m.entry.label == best.entry.label
                         and m.entry.meta[0] == best.entry.meta[0]]
        out.append(((1, best.score), ("project", same)))
    if concepts:
        iris, exact, length, weight = concepts
        column = it.line_column or "amount"
        out.append(((1, weight), ("line", iris, column)))
    term = intents.asked_term(text)
    if term:
        out.append(((0, len(term)), ("row", term)))
    out.sort(key=lambda x: x[0], reverse=True)
    return [m for _, m in out]


def _concepts(qn: Question, text: str) -> tuple[list[str], bool, int, float] | None:
    for code in qn.intent.codes:
        es = qn.lex.concepts_by_code.get(code)
        if es:
            return [e.iri for e in es], True, 99, 999.0
    ms = qn.lex.link_concepts(text)
    if not ms:
        return None
    best = ms[0]
    same = [m.iri for m in ms if m.entry.name == best.entry.name or (m.exact == best.exact and m.score == best.score
                                                                    and m.length == best.length)]
    return list(dict.fromkeys(same)), best.exact, best.length, best.score


def read_measure(qn: Question, m: tuple, a: Match | None, ds: list[Disclosure]) -> Result | None:
    """The answer for one reading of `measures`, or None when nothing states it."""
    kind = m[0]
    if kind == "total":
        return read_total(qn, m[1], a, ds)
    if kind == "project":
        return read_project(qn, m[1], ds)
    if kind == "line":
        return read_line(qn, m[1], m[2], a, ds)
    if kind == "row":
        return read_row(qn, m[1], a, ds)
    return None
