"""Questions across agencies or years: the highest/lowest (最高/最低), a comparison of
two agencies or two years, and a sum over every disclosure."""

from __future__ import annotations

from decimal import Decimal

from api.qa import intent as intents
from api.qa import templates as T
from api.qa.handlers.amounts import amount, measures
from api.qa.handlers.lines import figure_rank, scheme_rank
from api.qa.linking import Disclosure, Match
from api.qa.question import Question
from api.qa.result import MONEY_UNIT, Result, wan_value, year_word
from api.qa.text import format_signed_wan, format_wan


def ranked(qn: Question, year: int | None) -> tuple[list[tuple[Disclosure, Decimal, dict]], str, str] | None:
    """Every disclosure's figure for the measure the question names, for ranking."""
    kind = qn.intent.doc_kind
    for m in measures(qn, qn.rest, [], None):
        if m[0] == "total":
            sparql = T.total_ranking(m[1], year, kind)
            rows = qn.select(sparql)
            word = intents.TOTAL_NAMES.get(m[1], m[1])
        elif m[0] == "line":
            sparql = T.line_amounts(m[1], None, m[2], year, kind)
            rows = qn.select(sparql)
            if rows:
                best_scheme = min(rows, key=lambda r: scheme_rank(r.get("s"), qn.q)).get("s")
                rows = [r for r in rows if r.get("s") == best_scheme]
                # One figure per disclosure: a final account's outturn, not its 年初预算.
                best_ft = {}
                for r in rows:
                    best_ft[r["d"]] = min(best_ft.get(r["d"], 9), figure_rank(qn, r))
                rows = [r for r in rows if figure_rank(qn, r) == best_ft[r["d"]]]
            word = (rows[0].get("cl") or rows[0].get("code")) if rows else ""
        else:
            continue
        per_d: dict[str, tuple[Disclosure, Decimal, dict]] = {}
        if qn.intent.scope:
            rows = [r for r in rows if getattr(qn.disclosure(r["d"]), "scope", None) == qn.intent.scope] or rows
        for r in rows:
            d = qn.disclosure(r["d"])
            if d is None:
                continue
            v = Decimal(r["v"])
            if r["d"] not in per_d or v > per_d[r["d"]][1]:
                per_d[r["d"]] = (d, v, r)
        if per_d:
            return list(per_d.values()), word, sparql
    return None


def superlative(qn: Question) -> Result | None:
    if qn.intent.asks_project and not qn.intent.asks_agency:
        return _top_project(qn)
    got = ranked(qn, qn.year)
    if got is None:
        return None
    items, word, sparql = got
    # One figure per agency: its newest disclosure within the question's scope.
    per_agency: dict[str, tuple[Disclosure, Decimal, dict]] = {}
    for d, v, r in sorted(items, key=lambda x: (-(x[0].year or 0), x[0].kind != "budget", x[0].scope == "unit")):
        per_agency.setdefault(d.agency, (d, v, r))
    ordered = sorted(per_agency.values(), key=lambda x: x[1], reverse=qn.intent.direction == "max")
    d, v, r = ordered[0]
    top = "最高" if qn.intent.direction == "max" else "最低"
    others = "；".join(f"{x[0].agency_label}{format_wan(x[1])}" for x in ordered[1:4])
    yw = f"{qn.year}年" if qn.year else ""
    text = f"{yw}{word}{top}的单位是{d.agency_label}（{format_wan(v)}）。" + (f"其余：{others}。" if others else "")
    ev = [qn.evidence_for(d, [word], v, r.get("l") or d.iri, row=r)]
    return Result(qn.question, text, d.agency_label, None, ev, sparql, "superlative", qn.entities)


def _top_project(qn: Question) -> Result | None:
    a = qn.one_agency()
    ds = qn.scope(a.iri) if a else qn.scope(None)
    if not ds:
        return None
    dset = {d.iri for d in (ds[:1] if a else ds)}
    projects = [e for e in qn.lex.projects.entries if e.meta[0] in dset]
    if not projects:
        return None
    sparql = T.project_amounts(list(dict.fromkeys(e.iri for e in projects)))
    rows = [r for r in qn.select(sparql) if r.get("v") is not None]
    if not rows:
        return None
    rows.sort(key=lambda r: Decimal(r["v"]), reverse=qn.intent.direction == "max")
    r = rows[0]
    d = qn.disclosure(r["d"])
    v = Decimal(r["v"])
    top = "最高" if qn.intent.direction == "max" else "最低"
    text = f"{r.get('al') or ''}{year_word(d)}金额{top}的项目是“{r['l']}”（{format_wan(v)}）。"
    ev = [qn.evidence_for(d, [r["l"]], v, r["p"], row=r)]
    return Result(qn.question, text, r["l"], None, ev, sparql, "superlative", qn.entities)


def compare(qn: Question) -> Result | None:
    years = qn.intent.years
    pairs: list[tuple[Match, int | None]] = []
    if len(qn.agencies) >= 2:
        pairs = [(m, qn.year) for m in qn.agencies[:2]]
    elif qn.agencies and len(years) >= 2:
        pairs = [(qn.agencies[0], y) for y in years[:2]]
    elif qn.agencies and qn.intent.previous_year:
        ds = qn.scope(qn.agencies[0].iri)
        if not ds or ds[0].year is None:
            return None
        y = ds[0].year
        if not qn.lex.disclosures_of(qn.agencies[0].iri, y - 1, None):
            return None  # the year before is not in the graph: the text may say how it changed
        pairs = [(qn.agencies[0], y), (qn.agencies[0], y - 1)]
    else:
        return None
    results = []
    for m, y in pairs:
        r = amount(qn, m, y)
        if r is None or r.value is None or not isinstance(r.value, str):
            return None
        results.append(r)
    v0, v1 = (Decimal(r.value) * 10000 for r in results)
    diff = v0 - v1
    if pairs[0][0].iri != pairs[1][0].iri:
        names = [qn.agency_name(m.iri) for m, _ in pairs]
    else:
        names = [f"{y}年" for _, y in pairs]
    text = "；".join(r.answer.rstrip("。") for r in results) + "。"
    if diff == 0:
        text += f"{names[0]}与{names[1]}持平。"
    else:
        change = (f"{'多' if diff > 0 else '少'}{format_wan(abs(diff))}" if pairs[0][0].iri != pairs[1][0].iri
                  else format_signed_wan(diff))
        text += f"{names[0]}比{names[1]}{change}。"
    ev = [e for r in results for e in r.evidence]
    return Result(qn.question, text, [r.value for r in results], MONEY_UNIT, ev, results[0].sparql, "compare", qn.entities)


def summed(qn: Question) -> Result | None:
    """The measure added up over every disclosure in scope (所有单位…合计)."""
    got = ranked(qn, qn.year)
    if got is None:
        return None
    items, word, sparql = got
    total = sum((v for _, v, _ in items), Decimal(0))
    yw = f"{qn.year}年" if qn.year else ""
    text = f"{yw}{len(items)}个公开文件的{word}合计为{format_wan(total)}。"
    ev = [qn.evidence_for(d, [word], v, d.iri) for d, v, _ in items[:5]]
    return Result(qn.question, text, wan_value(total), MONEY_UNIT, ev, sparql, "sum", qn.entities)
