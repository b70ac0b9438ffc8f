"""Facts about one agency: its unit code, its parent (主管部门), its internal units
(内设机构) and its head counts (编制/实有/离退休人数)."""

from __future__ import annotations

import re

from api.qa import intent as intents
from api.qa import templates as T
from api.qa.linking import Disclosure, Match
from api.qa.question import Question
from api.qa.result import Result, evidence, reading, year_word
from api.qa.text import format_count, squash


def _agency_rows(qn: Question, query_for) -> tuple[Match, str, list[dict]] | None:
    """The agency the question names, the query `query_for(agency)` builds for its fact,
    and that query's rows; None when the question names no agency."""
    a = qn.one_agency()
    if a is None:
        return None
    sparql = query_for(a.iri)
    return a, sparql, qn.select(sparql)


def _scope_evidence(qn: Question, agency: str, words: list[str], iri: str) -> dict:
    """Evidence for an agency-level fact, quoted from the agency's disclosure in scope."""
    ds = qn.scope(agency)
    return qn.evidence_for(ds[0] if ds else None, words, None, iri)


def code(qn: Question) -> Result | None:
    got = _agency_rows(qn, T.agency_code)
    if got is None or not got[2]:
        return None  # no agency, or not in the graph: the text may say it
    a, sparql, rows = got
    codes = sorted({str(r["code"]) for r in rows})
    ev = [_scope_evidence(qn, a.iri, [codes[0]], a.iri)]
    return Result(qn.question, f"{qn.agency_name(a.iri)}的单位代码是{'、'.join(codes)}。", codes[0], None, ev, sparql,
                  "code", qn.entities, source="graph", interpretation=f"{qn.agency_name(a.iri)} · 单位代码")


def parent(qn: Question) -> Result | None:
    got = _agency_rows(qn, T.parent_of)
    if got is None:
        return None
    a, sparql, rows = got
    name = qn.agency_name(a.iri)
    if not rows:
        return _parent_from_text(qn, a.iri, name)
    parents = sorted({r["pl"] for r in rows})
    ev = [_scope_evidence(qn, a.iri, [parents[0]], rows[0]["parent"])]
    return Result(qn.question, f"{name}的主管部门是{'、'.join(parents)}。", parents[0] if len(parents) == 1 else parents,
                  None, ev, sparql, "parent", qn.entities, source="graph", interpretation=f"{name} · 主管部门")


_PARENT_TEXT = [
    re.compile(r"(?:是|为|系)(?P<p>[\u4e00-\u9fff（）]{3,30}?(?:局|委员会|委|政府|厅|部|办公室|中心))(?:的)?(?:所属|下属|直属|二级单位)"),
    re.compile(r"(?:主管部门|上级主管部门|主管单位|隶属于|归口)(?:为|是|：|:)?(?P<p>[\u4e00-\u9fff（）]{3,30}?(?:局|委员会|委|政府|厅|部|办公室))"),
]


def _parent_from_text(qn: Question, agency: str, name: str) -> Result | None:
    """"X是Y所属…单位" / "主管部门为Y": the parent as the agency's own disclosure says it,
    for an agency the graph gives no org:subOrganizationOf."""
    for d, doc in qn.ctx.archive.each_document(qn.scope(agency)[:3]):
        for b in doc.blocks():
            text = getattr(b, "text", None)
            if not text or (name not in squash(text) and "本单位" not in text and "本部门" not in text):
                continue
            for rx in _PARENT_TEXT:
                m = rx.search(squash(text))
                if m and m.group("p") != squash(name):
                    found = m.group("p")
                    return Result(qn.question, f"{name}的主管部门是{found}（据公开文件正文第{b.page}页）。", found, None,
                                  [evidence(doc.source_file, b.page, text.strip(), d.iri)], None, "parent", qn.entities,
                                  source="text", quality=1.0, interpretation=f"{name} · 主管部门 · 原文第{b.page}页")
    return None


def units(qn: Question) -> Result | None:
    got = _agency_rows(qn, T.units_of)
    if got is None or not got[2]:
        return None  # no agency, or not in the graph: the text may say it
    a, sparql, rows = got
    found = list(dict.fromkeys(r["ul"] for r in rows))
    ev = [_scope_evidence(qn, a.iri, found[:2], a.iri)]
    name = qn.agency_name(a.iri)
    text = f"{name}的内设机构有{len(found)}个：{'、'.join(found)}。"
    stated = _stated_unit_count(qn, a.iri)
    quality = 1.0
    if stated is not None and stated[0] != len(found):
        # The disclosure says how many it has, and the graph lists another number: both are said.
        n, d, page, sent, src = stated
        text += f"（注意：{d.agency_label}{year_word(d)}公开文件第{page}页称内设机构{n}个。）"
        ev.append(evidence(src, page, sent, d.iri))
        quality = 0.6
    if qn.intent.count and stated is not None and stated[0] != len(found):
        # A count the disclosure states in so many words answers a count question; the graph's
        # list (read from the same text) is what is in doubt.
        n, d, page, sent, _src = stated
        text = (f"据{d.agency_label}{year_word(d)}公开文件（第{page}页），内设机构{n}个：{sent}"
                f"（图谱列出{len(found)}个：{'、'.join(found)}。）")
        return Result(qn.question, text, n, "个", ev[::-1], None, "count", qn.entities, source="text",
                      interpretation=f"{name} · 内设机构个数（据原文第{page}页）")
    if qn.intent.count:
        return Result(qn.question, text, len(found), "个", ev, T.count_units(a.iri), "count", qn.entities,
                      source="graph", quality=quality, interpretation=f"{name} · 内设机构个数")
    return Result(qn.question, text, found, None, ev, sparql, "units", qn.entities, source="graph", quality=quality,
                  interpretation=f"{name} · 内设机构")


# "内设机构 3 个" / "共 3 个内设机构" / "内设机构科室 11 个"
_UNIT_COUNT = re.compile(r"内设(?:机构|科室|机构科室)(?:共|有|为)?\s*(\d{1,3})\s*个|共\s*(\d{1,3})\s*个内设(?:机构|科室)")


def _stated_unit_count(qn: Question, agency: str) -> tuple[int, Disclosure, int, str, str] | None:
    """(n, disclosure, page, sentence, file) where the agency's newest disclosure says how many
    internal units it has ("内设机构 3 个")."""
    for d, doc in qn.ctx.archive.each_document(qn.lex.disclosures_of(agency)[:2]):
        for b in doc.blocks():
            text = getattr(b, "text", None)
            m = _UNIT_COUNT.search(squash(text)) if text else None
            if m:
                sent = next((s for s in re.split(r"(?<=[。；;])", text) if _UNIT_COUNT.search(squash(s))), text)
                return int(m.group(1) or m.group(2)), d, b.page, sent.strip(), doc.source_file
    return None


def subordinates(qn: Question) -> Result | None:
    """The agencies under one (下属单位), listed or counted."""
    got = _agency_rows(qn, T.subordinates_of)
    if got is None:
        return None
    a, sparql, rows = got
    name = qn.agency_name(a.iri)
    found = list(dict.fromkeys(r["sl"] for r in rows))
    if not found:
        return qn.no_answer(f"{name}的下属单位（图谱中没有以它为主管部门的单位）", sparql)
    ev = []
    for r in rows[:3]:
        ds = qn.scope(r["sub"], None, None, None)
        ev.append(qn.evidence_for(ds[0] if ds else None, [name], None, r["sub"]))
    text = f"{name}的下属单位（图谱中以它为主管部门的单位）有{len(found)}个：{'、'.join(found)}。"
    value = len(found) if qn.intent.count else found
    return Result(qn.question, text, value, "个" if qn.intent.count else None, ev, sparql, "subordinates",
                  qn.entities, source="graph", interpretation=f"{name} · 下属单位{'个数' if qn.intent.count else ''}")


def staff(qn: Question, agency: Match | None = None) -> Result | None:
    if agency is None and len(qn.agencies) >= 2:
        # "甲局和乙局的编制人数分别是多少": each, cited.
        got = [staff(qn, m) for m in qn.agencies]
        got = [r for r in got if r is not None and r.value is not None]
        if not got:
            return None
        return Result(qn.question, "；".join(r.answer.rstrip("。") for r in got) + "。", [r.value for r in got], "人",
                      [e for r in got for e in r.evidence[:1]], got[0].sparql if len(got) == 1 else None, "staff",
                      qn.entities, source="graph", interpretation="；".join(r.interpretation or "" for r in got))
    a = agency or qn.one_agency()
    prop = qn.intent.staff
    word = intents.TOTAL_NAMES[prop]
    if a is None:
        return None
    ds = qn.scope(a.iri)
    if not ds:
        return qn.no_answer(f"{qn.agency_name(a.iri)}{qn.year or ''}{'年' if qn.year else ''}的公开数据")
    sparql = T.disclosure_total(prop, [d.iri for d in ds])
    rows = {r["d"]: r for r in qn.select(sparql)}
    for d in ds:
        r = rows.get(d.iri)
        if r is None:
            continue
        n = int(r["v"])
        ev = [qn.evidence_for(d, [word[:2]], None, d.iri)]
        ev[0] = _count_evidence(qn, d, word, n) or ev[0]
        return Result(qn.question, f"{d.agency_label}{year_word(d)}的{word}为{format_count(n)}。", n, "人", ev,
                      T.disclosure_total(prop, [d.iri]), "staff", qn.entities, source="graph",
                      interpretation=reading(d, word))
    return qn.no_answer(f"{qn.agency_name(a.iri)}的{word}", sparql)


def _count_evidence(qn: Question, d: Disclosure, word: str, n: int) -> dict | None:
    # every file of the disclosure: a publication in two files states the count in its text half
    for doc in qn.ctx.archive.documents_of(d.iri, d.source_file):
        for blk in doc.blocks():
            text = getattr(blk, "text", None)
            if text is None:
                continue
            for sent in re.split(r"(?<=[。；;])", text):
                s = squash(sent)
                if word[:2] in s and re.search(rf"(?<!\d){n}(?!\d)", s):
                    return evidence(doc.source_file, blk.page, sent.strip(), d.iri)
    return None
