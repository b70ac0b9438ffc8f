"""answer(question, ctx): the intent of a question picks its handler; whatever the graph
cannot answer goes to the text fallback. Never raises on odd input.

Before any handler runs, what the question names must resolve (`preflight`): a name several
agencies share is answered with the list of them, a name no agency has with the nearest
ones, a year the agency has not published with the years it has — never with another
agency's figure or a sum over everything. After it, every answer gets its confidence and the
interpretation it answers (`finish`)."""

from __future__ import annotations

import logging
import re

from api.qa import confidence
from api.qa.context import Context
from api.qa.handlers import agency, amounts, analysis, policies, projects, rankings, retrieval
from api.qa.question import Question
from api.qa.result import Result, reading
from kg.store import StoreError

log = logging.getLogger("budgetkg.qa")
MAX_QUESTION = 500  # characters read of a question; longer input is cut, not refused

# Intent kind → handler; any other kind (amount) asks for a figure.
HANDLERS = {"policy": policies.policy, "code": agency.code, "projects": projects.projects, "basis": policies.basis,
            "parent": agency.parent, "units": agency.units, "staff": agency.staff,
            "subordinates": agency.subordinates, "superlative": rankings.superlative, "compare": rankings.compare,
            "sum": rankings.summed, "ratio": analysis.ratio, "project_field": analysis.project_field,
            "duty": retrieval.extractive_answer}
# What an answer of each intent gives, for its interpretation when the handler wrote none.
WHAT = {"policy": "以该文件为依据的项目", "basis": "立项依据（政策文件）", "parent": "主管部门", "units": "内设机构",
        "code": "单位代码", "projects": "项目", "duty": "原文", "ambiguous": "候选单位"}
# Intents whose answer is a figure: text found for them is offered as a passage, not as the figure.
FIGURE_INTENTS = {"amount", "staff", "compare", "ratio", "superlative", "sum"}
_HOW_MUCH = re.compile(r"多少|几|金额|数额|比例|比重|占比|增长|增加|减少|相差|差额")
# Intents about an agency as such, whichever year: a year it did not publish is no obstacle.
YEARLESS = {"code", "parent", "units", "subordinates", "policy"}


def preflight(qn: Question) -> Result | None:
    """The reply when the question names something that does not resolve, else None."""
    if qn.ambiguous:
        m = qn.ambiguous[0]
        iris = [m.iri] + m.rivals
        names = "、".join(qn.agency_name(i) for i in iris)
        said = qn.q[m.start:m.end]
        res = Result(qn.question, f"“{said}”可指{len(iris)}个单位：{names}。请指明是哪一个（例如加上地名或年度）。",
                     None, None, [], None, "ambiguous", qn.entities, confidence=0.0,
                     candidates=qn.agency_candidates(iris, "同名"))
        res.interpretation = f"“{said}” → {len(iris)}个候选单位"
        return res
    if qn.unresolved and (not qn.agencies or qn.intent.kind in ("compare", "ratio", "superlative")):
        name = qn.unresolved[0]
        near = qn.lex.nearest_agencies(name, year=qn.year)
        offer = f"最接近的单位：{'、'.join(qn.agency_name(i) for i in near)}。" if near else ""
        res = qn.no_answer(f"名为“{name}”的单位", candidates=qn.agency_candidates(near, "名称相近"), offer=offer)
        res.interpretation = f"“{name}” → 图谱中无此单位"
        return res
    if qn.intent.kind in YEARLESS:
        return None
    for m in qn.agencies:
        have = qn.years_of(m.iri)
        newest = max(qn.intent.years, default=None)
        for y in qn.intent.years:
            if qn.intent.kind == "compare" and y != newest and any(d.year == newest for d in have):
                continue  # an earlier year the newer disclosure's text may compare with
            if not any(d.year == y for d in have):
                name = qn.agency_name(m.iri)
                listed = "、".join(dict.fromkeys(f"{d.year}年{reading(d).split(' · ')[-1]}" for d in have if d.year))
                offer = f"已有：{listed}。" if listed else ""
                res = qn.no_answer(f"{name}{y}年的公开文件", offer=offer,
                                   candidates=[{"type": "disclosure", "iri": d.iri, "label": reading(d), "why": "其他年度"}
                                               for d in have[:6]])
                res.interpretation = f"{name} · {y} → 无此年度"
                return res
    if not qn.agencies and qn.intent.years and not qn.unresolved:
        missing = [y for y in qn.intent.years if not qn.lex.disclosures_of(None, y)]
        if missing and qn.intent.kind in FIGURE_INTENTS:
            years = sorted({d.year for d in qn.lex.disclosures if d.year})
            return qn.no_answer(f"{missing[0]}年的公开文件", offer=f"已有年度：{'、'.join(map(str, years))}。" if years else "")
    return None


def run(qn: Question) -> Result:
    res = preflight(qn)
    if res is not None:
        return res
    res = HANDLERS.get(qn.intent.kind, amounts.amount)(qn)
    if res is None:
        res = retrieval.extractive_answer(qn)
        asks_figure = qn.intent.total is not None or _HOW_MUCH.search(qn.q) is not None
        if res.value is None and res.evidence and qn.intent.kind in FIGURE_INTENTS and asks_figure:
            # The graph and the tables do not state it: a passage is offered, not a figure.
            res.answer = "图谱和表格中未找到所问的数额；以下是原文中最相关的内容，仅供参考。" + res.answer
    return res


def finish(qn: Question, res: Result) -> Result:
    """Fill in what every answer carries: where it comes from, its confidence and reading."""
    if res.source is None and res.value is not None:
        res.source = "graph" if res.sparql else ("text" if res.intent == "text" else "table")
    if res.source is None and res.intent == "text" and res.evidence:
        res.source = "text"
    if res.interpretation is None:
        parts = [qn.agency_name(m.iri) for m in qn.agencies] + [str(y) for y in qn.intent.years]
        parts += [e["label"] for e in res.entities if e.get("type") in ("policy", "project") and e.get("label")]
        parts.append(WHAT.get(res.intent, ""))
        if res.source == "text":
            ev = res.evidence[0] if res.evidence else {}
            parts.append(f"原文（{ev.get('source_file')} 第{ev.get('page')}页）")
        res.interpretation = " · ".join(p for p in parts if p) or None
    if res.confidence is None:
        res.confidence = confidence.score(qn, res)
    res.entities = list({(e.get("type"), e.get("iri")): e for e in res.entities}.values())
    return res


def answer(question: str, ctx: Context) -> dict:
    """Answer one question. Never raises on odd input: a blank question gets a short reply."""
    question = " ".join((question or "").split())[:MAX_QUESTION]
    if not question:
        return Result(question, "请输入问题。", intent="empty", confidence=0.0).to_dict()
    try:
        qn = Question(question, ctx)
        return finish(qn, run(qn)).to_dict()
    except StoreError as e:
        return Result(question, f"无法回答：{e}", intent="error", confidence=0.0).to_dict()
    except Exception as e:  # noqa: BLE001 - one odd question must not take the service down
        log.exception("question answering failed for %r", question)
        return Result(question, f"无法回答：内部错误（{type(e).__name__}）。", intent="error", confidence=0.0).to_dict()
