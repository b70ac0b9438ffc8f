"""Figures set against each other and a project's own fields.

ratio: a share (占比: "人员经费占基本支出的比重", "三公经费占比" — of the expenditure total when
the question names no whole) or a ratio ("A的项目支出是B的几倍"), with both figures cited.

project_field: what a project's row says beside its amount — its 立项依据 (the graph's
bkg:basedOnPolicy first), its quarterly 用款计划, its 绩效目标 — read from the tables of the
project's own disclosure (where the graph has no term for them), else from its sentences;
the answer says it comes from the table or the text, with the page.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from api.qa import intent as intents
from api.qa import templates as T
from api.qa.handlers import policies
from api.qa.handlers.amounts import common_year, figure, joint_sparql, measure_word, measures, read_measure
from api.qa.linking import Disclosure
from api.qa.question import Question
from api.qa.result import Result, evidence, reading
from api.qa.sources import row_label
from api.qa.text import squash
from kg import vocab as V
from kg.document import Paragraph

_SHARE_SPLIT = re.compile(r"占|是")  # "X占Y", "X是Y的几倍": the numerator is written first
_SHARE_IN = re.compile(r"在(?P<whole>.+?)中(?:所)?占")  # "X在Y中所占比例"
_TIMES = re.compile(r"几倍|倍数|多少倍")


def _side(qn: Question, text: str, ds: list[Disclosure], agency: str | None) -> tuple | None:
    """The measure one side of a ratio names: a total its own words name, else a project or
    a line; None when it names none."""
    prop, _word = intents.find_total(text)
    if prop:
        return ("total", prop)
    for m in measures(qn, text, ds, agency):
        if m[0] in ("project", "line"):
            return m
    return None


def ratio(qn: Question) -> Result | None:
    a = qn.one_agency()
    times = bool(_TIMES.search(qn.q))
    if len(qn.agencies) >= 2:
        return _agency_ratio(qn, times)
    if a is None:
        return None
    ds = qn.scope(a.iri)
    if not ds:
        return None
    rest = qn.rest
    inside = _SHARE_IN.search(rest)
    cut = _SHARE_SPLIT.search(rest)
    if inside:
        num_text, den_text = rest[:inside.start()], inside.group("whole")
    else:
        num_text, den_text = (rest[:cut.start()], rest[cut.end():]) if cut else (rest, "")
    num = _side(qn, num_text, ds, a.iri)
    den = _side(qn, den_text, ds, a.iri) if den_text else None
    if den is None and "中" in num_text:
        # "基本支出中人员经费占多少": the whole first, then 中, then the part.
        whole, part = num_text.rsplit("中", 1)
        w, p = _side(qn, whole, ds, a.iri), _side(qn, part, ds, a.iri)
        if w is not None and p is not None and w != p:
            num, den = p, w
    defaulted = den is None
    if num is None:
        return None
    if den is None:
        den = ("total", V.EXPENDITURE.prop)
    first = None
    for d in ds:  # the first disclosure in scope that states both
        n = read_measure(qn, num, a, [d])
        m = read_measure(qn, den, a, [d]) if n is not None else None
        if n is not None and m is not None and isinstance(n.value, str) and isinstance(m.value, str):
            first = (d, n, m)
            break
    if first is None:
        return None
    d, n, m = first
    vn, vd = Decimal(n.value), Decimal(m.value)
    if vd == 0:
        return qn.no_answer(f"可作分母的数额（{measure_word(den, m)}为0）")
    wn, wd = measure_word(num, n), measure_word(den, m)
    note = f"（问题未指明总数，按{V.EXPENDITURE.name}计）" if defaulted else ""
    if times:
        r = (vn / vd).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        text = f"{n.answer.rstrip('。')}；{m.answer.rstrip('。')}。{wn}是{wd}的{r}倍{note}。"
        value, unit = format(r, "f"), "倍"
    else:
        r = (vn / vd * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        text = f"{n.answer.rstrip('。')}；{m.answer.rstrip('。')}。{wn}占{wd}的{r}%{note}。"
        value, unit = format(r, "f"), "%"
    sparql = None
    if num[0] == den[0] == "total" and n.source == m.source == "graph":
        sparql = T.totals_of([num[1], den[1]], [d.iri])
    return Result(qn.question, text, value, unit, n.evidence[:1] + m.evidence[:1], sparql, "ratio", qn.entities,
                  source="graph" if sparql else "table", quality=min(n.quality, m.quality) * (0.9 if defaulted else 1.0),
                  interpretation=reading(d, f"{wn} ÷ {wd}"), used=[d])


def _agency_ratio(qn: Question, times: bool) -> Result | None:
    """The same figure of two agencies, the first divided by the second."""
    a, b = qn.agencies[:2]
    year = qn.year or common_year(qn, [a.iri, b.iri])
    first = figure(qn, a, year)
    if first is None:
        return None
    r0, measure = first
    second = figure(qn, b, year, only=measure)
    if second is None:
        return None
    r1 = second[0]
    v0, v1 = Decimal(r0.value), Decimal(r1.value)
    if v1 == 0:
        return None
    na, nb = qn.agency_name(a.iri), qn.agency_name(b.iri)
    word = measure_word(measure, r0)
    if times:
        r = (v0 / v1).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        tail, value, unit = f"{na}的{word}是{nb}的{r}倍。", format(r, "f"), "倍"
    else:
        r = (v0 / v1 * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        tail, value, unit = f"{na}的{word}相当于{nb}的{r}%。", format(r, "f"), "%"
    text = f"{r0.answer.rstrip('。')}；{r1.answer.rstrip('。')}。{tail}"
    sparql = joint_sparql(measure, [r0, r1])
    return Result(qn.question, text, value, unit, r0.evidence[:1] + r1.evidence[:1], sparql, "ratio", qn.entities,
                  source="graph" if sparql else "table", quality=min(r0.quality, r1.quality),
                  interpretation=f"{r0.interpretation} ÷ {r1.interpretation}", used=r0.used + r1.used)


# --- a project's own fields -------------------------------------------------------------

FIELD_WORDS = {"plan": V.QUARTERLY_PLAN_WORDS, "performance": V.PERFORMANCE_WORDS,
               "basis": V.PROJECT_BASIS_WORDS + ("依据",)}
FIELD_NAMES = {"plan": "用款计划", "performance": "绩效目标", "basis": "立项依据"}


def project_field(qn: Question) -> Result | None:
    field = qn.intent.field or "basis"
    if field == "basis":
        res = policies.basis(qn)
        if res is not None and res.value:
            return res
    a = qn.one_agency()
    ds = qn.scope(a.iri) if a else None
    ms = qn.lex.link_projects(qn.rest, {d.iri for d in ds} if ds else None, a.iri if a else None)
    if not ms:
        if a is None:
            return None
        names = list(dict.fromkeys(e.label for e in qn.lex.projects.entries if ds and e.meta[0] == ds[0].iri))
        if not names:
            return None  # no project in the graph to name: the text may answer
        return qn.no_answer(f"问题所说的{qn.agency_name(a.iri)}的项目",
                            candidates=[{"type": "project", "label": n, "why": "该单位的项目"} for n in names[:6]],
                            offer=f"该单位的项目有：{'、'.join(names[:6])}。")
    best = ms[0]
    d = qn.disclosure(best.entry.meta[0])
    if d is None:
        return None
    # every file of the disclosure: a publication in two files lists projects in its tables half
    docs = qn.ctx.archive.documents_of(d.iri, d.source_file)
    if not docs:
        return None
    name = best.entry.label
    words = FIELD_WORDS[field]
    fname = FIELD_NAMES[field]
    doc, found = next(((doc, f) for doc in docs if (f := _table_fields(doc, name, words))), (None, None))
    if found:
        page, title, pairs, row_text = found
        listed = "；".join(f"{k}：{v}" for k, v in pairs)
        text = f"{d.agency_label}{d.year or ''}{'年' if d.year else ''}项目“{name}”的{fname}（据{title or '公开表格'}，第{page}页）：{listed}。"
        return Result(qn.question, text, [f"{k}：{v}" for k, v in pairs], None,
                      [evidence(doc.source_file, page, row_text, best.iri)], None, "project_field", qn.entities,
                      source="table", interpretation=reading(d, f"项目“{name}” · {fname}（表格第{page}页）"), used=[d])
    for doc, b in ((x, b) for x in docs for b in x.blocks()):
        if not isinstance(b, Paragraph):
            continue
        for sent in re.split(r"(?<=[。；;])", b.text):
            s = squash(sent)
            if squash(name)[:6] in s and any(w in s for w in words):
                text = f"据{d.agency_label}公开文件正文（第{b.page}页）：{sent.strip()}"
                return Result(qn.question, text, None, None, [evidence(doc.source_file, b.page, sent.strip(), best.iri)],
                              None, "text", qn.entities, source="text",
                              interpretation=reading(d, f"项目“{name}” · {fname}（原文第{b.page}页）"))
    return qn.no_answer(f"项目“{name}”的{fname}（图谱和公开文件的表格、正文均未列出）")


def _table_fields(doc, name: str, words) -> tuple[int, str | None, list[tuple[str, str]], str] | None:
    """(page, table title, [(column, cell)], row) of the row naming project `name` in a table
    with columns headed by one of `words` (一季度 … 四季度, 绩效目标, 立项依据)."""
    key = squash(name)
    for t in doc.tables():
        cols = t.column_names()
        wanted = [i for i, c in enumerate(cols) if any(w in squash(c) for w in words)]
        title_hit = any(w in squash(t.title or "") for w in words)
        if not wanted and not title_hit:
            continue
        for i, row in enumerate(t.rows):
            cells = [c or "" for c in row]
            if not any(key == row_label(c) or (len(key) >= 6 and key[:6] in squash(c)) for c in cells):
                continue
            use = wanted or [j for j in range(len(cells)) if row_label(cells[j]) != key]
            pairs = [(cols[j].split("/")[-1] if j < len(cols) and cols[j] else f"第{j + 1}列", cells[j].strip())
                     for j in use if j < len(cells) and cells[j].strip()]
            if pairs:
                page = t.row_pages[i] if i < len(t.row_pages) else t.page
                return page, t.title, pairs, " ".join(c.strip() for c in cells if c.strip())
    return None
