"""Projects (项目): the amount of one project the question names, and the list of an
agency's projects."""

from __future__ import annotations

from decimal import Decimal

from api.qa import templates as T
from api.qa.linking import Disclosure, Match
from api.qa.question import Question
from api.qa.result import KIND_WORD, MONEY_UNIT, Result, reading, wan_value, year_word
from api.qa.text import format_wan


def read_project(qn: Question, matches: list[Match], ds: list[Disclosure]) -> Result | None:
    """The amount of the project `matches` name (one name, maybe in several disclosures):
    the first of `ds` that lists it, else the newest."""
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
    parts = [f"{r['l']}（{format_wan(r['v'])}）" if r.get("v") is not None else r["l"] for r in rows]
    ev = [qn.evidence_for(d, [r["l"]], Decimal(r["v"]) if r.get("v") is not None else None, r["p"], row=r)
          for r in rows[:3]]
    text = f"{d.agency_label}{year_word(d)}{KIND_WORD.get(d.kind, '公开')}共列{len(rows)}个项目：{'；'.join(parts)}。"
    if qn.intent.count:
        sparql = T.count_projects([d.iri])
        return Result(qn.question, text, len(rows), "个", ev, sparql, "count", qn.entities, source="graph",
                      interpretation=reading(d, "项目个数"))
    return Result(qn.question, text, [r["l"] for r in rows], None, ev, sparql, "projects", qn.entities,
                  source="graph", interpretation=reading(d, "项目"))
