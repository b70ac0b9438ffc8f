"""Projects (项目): the amount of one project the question names, and the list of an
agency's projects."""

from __future__ import annotations

import re
from decimal import Decimal

from api.qa import templates as T
from api.qa.linking import Disclosure, Match
from api.qa.question import Question
from api.qa.result import KIND_WORD, MONEY_UNIT, Result, reading, wan_value, year_word
from api.qa.text import format_wan
from kg import vocab as V


def read_project(qn: Question, matches: list[Match], ds: list[Disclosure]) -> Result | None:
    """The amount of the project `matches` name (one name, maybe in several disclosures):
    the first of `ds` that lists it, else the newest. A question that names no agency, about a
    project several agencies have ("工会经费"), gets each agency's."""
    if not qn.agencies:
        listed = _every_agency(qn, matches[0])
        if listed is not None:
            return listed
    sparql = T.project_amounts([x.iri for x in matches])
    rows = [r for r in qn.select(sparql) if r.get("v") is not None]
    if not rows:
        return None
    order = {d.iri: i for i, d in enumerate(ds)} if ds else {}
    rows.sort(key=lambda r: (order.get(r.get("d"), 999), -(r.get("y") or 0)))
    r = rows[0]
    v = Decimal(r["v"])
    d = qn.disclosure(r["d"]) if r.get("d") else None
    qn.entities.append({"type": "project", "iri": r["p"], "label": r["l"], "matched": matches[0].entry.label,
                        "exact": matches[0].exact})
    ev = [qn.evidence_for(d, [r["l"]], v, r["p"], row=r)]
    who = f"{r.get('al') or ''}{year_word(d)}" if d else ""
    text = f"{who}项目“{r['l']}”的金额为{format_wan(v)}。"
    quality = 1.0 if matches[0].exact else 0.9
    return Result(qn.question, text, wan_value(v), MONEY_UNIT, ev, sparql, "project", qn.entities, source="graph",
                  quality=quality, interpretation=reading(d, f"项目“{r['l']}” · 金额"), used=[d] if d else [])


def _every_agency(qn: Question, m: Match) -> Result | None:
    same = [e for e in qn.lex.projects.entries if e.name == m.entry.name]
    per: dict[str, tuple[Disclosure, str]] = {}
    for e in same:
        d = qn.disclosure(e.meta[0])
        if d is None or d.agency is None or (qn.year and d.year != qn.year) or (
                qn.intent.doc_kind and d.kind != qn.intent.doc_kind):
            continue
        old = per.get(d.agency)
        if old is None or (d.year or 0, d.kind == V.BUDGET.code) > (old[0].year or 0, old[0].kind == V.BUDGET.code):
            per[d.agency] = (d, e.iri)
    if len(per) < 2:
        return None
    sparql = T.project_amounts([iri for _, iri in per.values()])
    rows = {r["p"]: r for r in qn.select(sparql) if r.get("v") is not None}
    hits = [(d, rows[iri]) for d, iri in per.values() if iri in rows]
    if len(hits) < 2:
        return None
    hits.sort(key=lambda x: x[0].agency_label or "")
    parts = [f"{d.agency_label}{year_word(d)}{format_wan(r['v'])}" for d, r in hits[:8]]
    ev = [qn.evidence_for(d, [r["l"]], Decimal(r["v"]), r["p"], row=r) for d, r in hits[:3]]
    return Result(qn.question, f"问题未指明单位，{len(hits)}个单位都有项目“{m.entry.label}”：{'；'.join(parts)}。",
                  [wan_value(Decimal(r["v"])) for _, r in hits[:8]], MONEY_UNIT, ev, sparql, "project", qn.entities,
                  source="graph", quality=0.8, interpretation=f"各单位（未指明） · 项目“{m.entry.label}” · 金额")


_BOUND = re.compile(rf"(?P<op>超过|大于|高于|多于|不低于|不少于|低于|少于|小于|不足|不到)\s*(?P<n>\d+(?:\.\d+)?)\s*"
                    rf"(?P<unit>{V.WAN_YUAN}|{V.WAN}|{V.YUAN})?|(?P<n2>\d+(?:\.\d+)?)\s*(?P<unit2>{V.WAN_YUAN}|{V.WAN}|{V.YUAN})"
                    r"(?P<op2>以上|以下)")


def _threshold(q: str) -> tuple[str, Decimal] | None:
    """(">" or "<", yuan) of "超过100万元" / "50万元以下"."""
    m = _BOUND.search(q)
    if not m:
        return None
    n = Decimal(m.group("n") or m.group("n2"))
    unit = m.group("unit") or m.group("unit2") or V.WAN_YUAN
    op = m.group("op") or m.group("op2")
    yuan = n * (1 if unit == V.YUAN else V.YUAN_PER_WAN)
    return (">" if op in ("超过", "大于", "高于", "多于", "不低于", "不少于", "以上") else "<"), yuan


def projects(qn: Question) -> Result | None:
    """Every project of the agency's disclosure in scope (newest first)."""
    a = qn.one_agency()
    if a is None:
        return None
    ds = qn.scope(a.iri)
    if not ds:
        return qn.no_answer(f"{qn.agency_name(a.iri)}的公开数据")
    # The newest disclosure in scope that lists projects (a publication's table file may
    # list none while its narrative file of the same year does).
    d, rows, sparql = ds[0], [], T.projects_of([ds[0].iri])
    for x in ds:
        if x.year != ds[0].year:
            break
        q = T.projects_of([x.iri])
        got = list({r["p"]: r for r in qn.select(q)}.values())
        if got:
            d, rows, sparql = x, got, q
            break
    if not rows:
        return qn.no_answer(f"{d.agency_label}{year_word(d)}的项目", sparql)
    bound = _threshold(qn.q)
    if bound is not None:
        # "超过100万元的项目": the list narrowed to the amounts asked, said in the answer.
        op, limit = bound
        rows = [r for r in rows if r.get("v") is not None and (Decimal(r["v"]) > limit if op == ">" else Decimal(r["v"]) < limit)]
        if not rows:
            return qn.no_answer(f"{d.agency_label}{year_word(d)}金额{'超过' if op == '>' else '低于'}{format_wan(limit)}的项目",
                                sparql)
    parts = [f"{r['l']}（{format_wan(r['v'])}）" if r.get("v") is not None else r["l"] for r in rows]
    ev = [qn.evidence_for(d, [r["l"]], Decimal(r["v"]) if r.get("v") is not None else None, r["p"], row=r)
          for r in rows[:3]]
    which = "" if bound is None else f"金额{'超过' if bound[0] == '>' else '低于'}{format_wan(bound[1])}的"
    text = f"{d.agency_label}{year_word(d)}{KIND_WORD.get(d.kind, '公开')}共列{len(rows)}个{which}项目：{'；'.join(parts)}。"
    if bound is not None:
        sparql = T.projects_of([d.iri], bound)
    if qn.intent.count:
        sparql = T.count_projects([d.iri], bound)
        return Result(qn.question, text, len(rows), "个", ev, sparql, "count", qn.entities, source="graph",
                      interpretation=reading(d, "项目个数"))
    return Result(qn.question, text, [r["l"] for r in rows], None, ev, sparql, "projects", qn.entities,
                  source="graph", interpretation=reading(d, "项目"))
