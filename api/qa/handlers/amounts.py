"""A figure of one agency (or of every agency, when the question names none): which
measure the wording asks for — a disclosure total, a project, a classification line or a
table row by label — and the first of them the graph or the documents can answer."""

from __future__ import annotations

import re

from api.qa import intent as intents
from api.qa import templates as T
from api.qa.handlers.lines import read_line
from api.qa.handlers.projects import read_project
from api.qa.handlers.table_rows import read_code_row, read_row
from api.qa.handlers.totals import read_total
from api.qa.linking import Disclosure, Match
from api.qa.question import Question
from api.qa.result import Result, scope_word
from kg import vocab as V

# What is left of a question that asks for a disclosure as a whole ("2019年部门预算比2017年增加了
# 多少"): its kind and scope words, a word for its size, and question or comparison words.
_GENERIC_LEFT = re.compile(rf"(?:{V.scope_pattern()})?(?:{V.COMPREHENSIVE})?(?:{V.kind_pattern()})?"
                           r"(?:总额|总数|总量|规模|总计|总盘子|资金总额|收支总额|盘子)?")
_QUESTION_WORDS = re.compile(rf"(?:19|20)\d{{2}}(?:年度|年)|上年|上一年|去年|同比|相比|比较|对比|比|与|和|较|增加|增长|减少|"
                             rf"下降|变化|变动|相差|差额|差|多|少|了|是|为|有|多少|几|{V.WAN_YUAN}|{V.YUAN}|的|？|\?|。|"
                             r"请问|情况|如何|怎样|分别|各|共|一共|总共|哪个|哪家|哪一个|单位|部门|最|更|高|低|大|小|排名|排序|"
                             r"前[一二三四五六七八九十\d]{1,2}[名位个]?|从高到低|从低到高|[\u3000\s,，、]")


def generic_total(text: str) -> bool:
    """Does the question ask for a disclosure as a whole (预算总额, 部门预算, 决算规模) rather
    than for a named figure? Then the answer reads its expenditure total (本年支出合计)."""
    left = _QUESTION_WORDS.sub("", text)
    return bool(left) and _GENERIC_LEFT.fullmatch(left) is not None and any(
        w in left for w in (V.BUDGET.word, V.FINAL_ACCOUNT.word, "总额", "规模", "盘子"))


def amount(qn: Question, agency: Match | None = None, year: int | None = None) -> Result | None:
    if agency is None and len(qn.agencies) >= 2:
        return each_agency(qn)
    a = agency or qn.one_agency()
    ds = qn.scope(a.iri, year) if a else qn.scope(None, year)
    if a and not ds:
        y = year or qn.year
        return qn.no_answer(f"{qn.agency_name(a.iri)}{y or ''}{'年' if y else ''}的公开数据")
    # Without an agency the year and kind the question names still narrow the search.
    narrowed = a is not None or qn.year is not None or qn.intent.doc_kind is not None
    for m in measures(qn, qn.rest, ds if narrowed else None, a.iri if a else None):
        res = read_measure(qn, m, a, ds)
        if res is not None:
            if a is not None and agency is None:
                _other_readings(qn, m, a, res)
            return res
    return None


def _other_readings(qn: Question, m: tuple, a: Match, res: Result) -> None:
    """The question left the kind (预算/决算) or the scope (部门/单位) open and the agency has
    another disclosure of that year: its figure is said too, so the reader sees both."""
    if not res.used or not isinstance(res.value, str) or m[0] not in ("total", "line"):
        return
    d = res.used[0]
    others = [x for x in qn.lex.disclosures_of(a.iri, d.year) if x.iri != d.iri and (
        (qn.intent.doc_kind is None and x.kind != d.kind and x.scope == d.scope)
        or (qn.intent.scope is None and x.scope != d.scope and x.kind == d.kind))]
    said = []
    for x in others[:2]:
        other = read_measure(qn, m, a, [x])
        if other is not None and isinstance(other.value, str) and other.used and other.used[0].iri == x.iri:
            said.append(f"{scope_word(x)}数为{other.value}{V.WAN_YUAN}")
    if said:
        res.answer = res.answer.rstrip("。") + f"（按{scope_word(d)}；同年{'，'.join(said)}）。"


def each_agency(qn: Question) -> Result | None:
    """"甲局和乙局的基本支出分别是多少": the same figure of every agency the question names,
    each cited; one that has none is said, not skipped."""
    results, measure, missing = [], None, []
    for m in qn.agencies:
        got = figure(qn, m, qn.year, only=measure)
        if got is None:
            missing.append(qn.agency_name(m.iri))
            continue
        res, measure = got
        results.append(res)
    if not results:
        return None
    text = "；".join(r.answer.rstrip("。") for r in results) + "。"
    if missing:
        text += f"未找到{'、'.join(missing)}的同一数额。"
    sparql = joint_sparql(measure, results)
    return Result(qn.question, text, [r.value for r in results], V.WAN_YUAN, [e for r in results for e in r.evidence[:1]],
                  sparql, "each", qn.entities, source="graph" if sparql else "table",
                  quality=min(r.quality for r in results) * (0.8 if missing else 1.0),
                  interpretation="；".join(r.interpretation or "" for r in results), used=[d for r in results for d in r.used])


def figure(qn: Question, a: Match | None, year: int | None, kind: str | None = "", scope: str | None = "",
           only: tuple | None = None) -> tuple[Result, tuple] | None:
    """One figure of one agency's disclosure in scope, as a money answer, and the reading of
    the measure it used (pass it as `only` to read the same measure of another disclosure)."""
    ds = qn.scope(a.iri if a else None, year, kind, scope)
    if not ds:
        return None
    for m in [only] if only else measures(qn, qn.rest, ds, a.iri if a else None):
        res = read_measure(qn, m, a, ds)
        if res is not None and isinstance(res.value, str):
            return res, m
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
    for code in it.codes:
        out.append(((0.5, len(code)), ("code_row", code)))
    term = intents.asked_term(text)
    if not out and generic_total(text):
        # "部门预算比上年增加多少": the disclosure as a whole, read as its expenditure total.
        out.append(((1.5, 0.0), ("total", V.EXPENDITURE.prop, "default")))
    elif term:
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
        res = read_total(qn, m[1], a, ds)
        if res is not None and m[2:] == ("default",):
            # No figure was named: say which one answers, and trust it a little less.
            res.quality *= 0.85
            res.interpretation = (res.interpretation or "") + f"（未指明指标，按{V.EXPENDITURE.name}）"
        return res
    if kind == "code_row":
        return read_code_row(qn, m[1], a, ds)
    if kind == "project":
        return read_project(qn, m[1], ds)
    if kind == "line":
        return read_line(qn, m[1], m[2], a, ds)
    if kind == "row":
        return read_row(qn, m[1], a, ds)
    return None


def common_year(qn: Question, agencies: list[str]) -> int | None:
    """The newest year every agency has a disclosure of (of the kind asked)."""
    sets = [{d.year for d in qn.lex.disclosures_of(a, None, qn.intent.doc_kind) if d.year} for a in agencies]
    common = set.intersection(*sets) if sets else set()
    return max(common) if common else None


def measure_word(measure: tuple | None, res: Result) -> str:
    if measure and measure[0] == "total":
        return intents.TOTAL_NAMES.get(measure[1], measure[1])
    interp = res.interpretation or ""
    return interp.split(" · ")[-1] if interp else "所问数额"


def joint_sparql(measure: tuple | None, results: list[Result]) -> str | None:
    """One query that returns every figure an answer combines (run unchanged on /sparql)."""
    ds = [r.used[0].iri for r in results if r.used]
    if measure is None or len(ds) != len(results) or any(r.source != "graph" for r in results):
        return None
    if measure[0] == "total":
        return T.disclosure_total(measure[1], list(dict.fromkeys(ds)))
    if measure[0] == "line":
        return T.line_amounts(measure[1], list(dict.fromkeys(ds)), measure[2])
    if measure[0] == "project":
        iris = [e["iri"] for r in results for e in r.evidence[:1] if e.get("iri")]
        return T.project_amounts(list(dict.fromkeys(iris))) if len(iris) == len(results) else None
    return None
