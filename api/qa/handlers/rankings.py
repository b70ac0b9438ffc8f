"""Questions across agencies or years: the highest/lowest (最高/最低) and rankings, over the
agencies a question names or every agency of a year; a comparison of two figures — two
agencies, two years, the year before, a budget and its final account, a department's and a
unit's disclosure — with both figures, their citations, the difference and the rate of
change; a sum over every disclosure of a year."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from api.qa import intent as intents
from api.qa import templates as T
from api.qa.handlers.amounts import common_year, figure, joint_sparql, measure_word, measures
from api.qa.handlers.changes import narrative_change
from api.qa.handlers.lines import figure_rank, scheme_rank
from api.qa.linking import Disclosure, Match
from api.qa.question import Question
from api.qa.result import MONEY_UNIT, Result, reading, scope_word, wan_value, year_word
from api.qa.text import format_signed_wan, format_wan
from kg import vocab as V


def percent(new: Decimal, old: Decimal) -> Decimal | None:
    """(new − old) / old in per cent, two decimals; None when old is zero."""
    if old == 0:
        return None
    return ((new - old) / old * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _one_per_agency(items: list[tuple[Disclosure, Decimal, dict]], year: int | None, kind: str | None
                    ) -> tuple[list[tuple[Disclosure, Decimal, dict]], int | None, bool, str | None]:
    """One figure per agency, all of one year and kind: the year asked, else the newest the
    figures have (said in the answer); budget before final account unless the kind is asked;
    a department's disclosure before a unit's; of a publication printed in two files (the
    narrative and the tables), the first that states the figure."""
    defaulted = year is None
    if year is None:
        year = max((d.year for d, _, _ in items if d.year), default=None)
    items = [x for x in items if x[0].year == year and x[0].agency]
    if kind is None and any(d.kind == V.BUDGET.code for d, _, _ in items):
        kind = V.BUDGET.code
    items = [x for x in items if kind is None or x[0].kind == kind]
    per_agency: dict[str, tuple[Disclosure, Decimal, dict]] = {}
    for x in sorted(items, key=lambda x: (x[0].scope == V.UNIT.code, x[0].source_file)):
        per_agency.setdefault(x[0].agency, x)
    return list(per_agency.values()), year, defaulted, kind


def _ranking_sparql(m: tuple, year: int | None, kind: str | None) -> str:
    """The query behind a ranking, for the year and kind it was read in."""
    if m[0] == "total":
        return T.total_ranking(m[1], year, kind)
    return T.line_amounts(m[1], None, m[2], year, kind)


def ranked(qn: Question, year: int | None) -> tuple[list[tuple[Disclosure, Decimal, dict]], str, tuple] | None:
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
            return list(per_d.values()), word, m
    return None


def _one_year_per_agency(qn: Question):
    """The asked measure for every agency of the year (each agency once) and the SPARQL that
    reads it: (items, word, year, defaulted, kind, sparql), or None when nothing is found."""
    got = ranked(qn, qn.year)
    if got is None:
        return None
    items, word, m = got
    items, year, defaulted, kind = _one_per_agency(items, qn.year, qn.intent.doc_kind)
    if not items:
        return None
    return items, word, year, defaulted, kind, _ranking_sparql(m, year, kind)


def superlative(qn: Question) -> Result | None:
    if qn.intent.asks_project and not qn.intent.asks_agency and len(qn.agencies) < 2:
        return _top_project(qn)
    if len(qn.agencies) >= 2:
        return _rank_named(qn)
    got = _one_year_per_agency(qn)
    if got is None:
        return None
    items, word, year, defaulted, kind, sparql = got
    ordered = sorted(items, key=lambda x: x[1], reverse=qn.intent.direction == "max")
    return _ranking_answer(qn, [(x[0], x[1]) for x in ordered], word, sparql, year, defaulted,
                           [qn.evidence_for(ordered[0][0], [word], ordered[0][1], ordered[0][2].get("l") or ordered[0][0].iri,
                                            row=ordered[0][2])])


def _ranking_answer(qn: Question, ordered: list[tuple[Disclosure, Decimal]], word: str, sparql: str | None,
                    year: int | None, defaulted: bool, ev: list[dict], scope_note: str = "") -> Result:
    top = "最高" if qn.intent.direction == "max" else "最低"
    yw = f"{year}年" if year else ""
    note = f"（问题未指明年度，按最新的{year}年）" if defaulted and year else ""
    d, v = ordered[0]
    kinds = scope_word(d)
    if qn.intent.top_n:
        n = min(qn.intent.top_n, len(ordered))
        listed = "；".join(f"{i + 1}. {x.agency_label}{format_wan(y)}" for i, (x, y) in enumerate(ordered[:n]))
        text = f"{note}{yw}{scope_note}{kinds}{word}排名（{'从高到低' if qn.intent.direction == 'max' else '从低到高'}）：{listed}。"
        value = [x.agency_label for x, _ in ordered[:n]]
    else:
        others = "；".join(f"{x.agency_label}{format_wan(y)}" for x, y in ordered[1:4])
        text = (f"{note}{yw}{scope_note}{kinds}{word}{top}的单位是{d.agency_label}（{format_wan(v)}）。"
                + (f"其余：{others}。" if others else ""))
        value = d.agency_label
    interp = " · ".join(p for p in [scope_note.strip("中") or f"全部{len(ordered)}个单位", str(year) if year else None,
                                     kinds or None, word, top] if p)
    return Result(qn.question, text, value, None, ev, sparql, "superlative", qn.entities, source="graph",
                  quality=0.85 if defaulted else 1.0, interpretation=interp, used=[x for x, _ in ordered])


def _rank_named(qn: Question) -> Result | None:
    """Rank the agencies the question names (a stated set), on one measure of one year."""
    firsts = []
    measure = None
    year = qn.year or common_year(qn, [m.iri for m in qn.agencies])
    for m in qn.agencies:
        got = figure(qn, m, year, only=measure)
        if got is None:
            return qn.no_answer(f"{qn.agency_name(m.iri)}{year or ''}{'年' if year else ''}的所问数额")
        res, measure = got
        firsts.append((m, res))
    ordered = sorted(firsts, key=lambda x: Decimal(x[1].value), reverse=qn.intent.direction == "max")
    pairs = [(r.used[0], Decimal(r.value) * V.YUAN_PER_WAN) for _, r in ordered if r.used]
    if len(pairs) != len(ordered):
        return None
    word = measure_word(measure, ordered[0][1])
    sparql = joint_sparql(measure, [r for _, r in firsts])
    ev = [e for _, r in ordered for e in r.evidence[:1]]
    res = _ranking_answer(qn, pairs, word, sparql, year, False, ev, scope_note=f"所列{len(pairs)}个单位中")
    res.source = "graph" if all(r.source == "graph" for _, r in firsts) else "table"
    res.quality = min(r.quality for _, r in firsts)
    return res


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
    ev = [qn.evidence_for(d, [r["l"]], v, r["p"], row=r)]
    if qn.intent.top_n:
        n = min(qn.intent.top_n, len(rows))
        listed = "；".join(f"{i + 1}. {x['l']}{format_wan(x['v'])}" for i, x in enumerate(rows[:n]))
        text = f"{r.get('al') or ''}{year_word(d)}项目金额排名：{listed}。"
        value = [x["l"] for x in rows[:n]]
    else:
        text = f"{r.get('al') or ''}{year_word(d)}金额{top}的项目是“{r['l']}”（{format_wan(v)}）。"
        value = r["l"]
    return Result(qn.question, text, value, None, ev, sparql, "superlative", qn.entities, source="graph",
                  interpretation=reading(d, f"项目金额{top}") if a else f"全部项目 · 金额{top}")


# --- comparisons ------------------------------------------------------------------------


def _sides(qn: Question) -> list[tuple[Match, int | None, str | None, str | None]] | None:
    """The two things a comparison sets side by side: (agency, year, kind, scope), the first
    side the one the question puts first ("2019年比2017年": 2019 minus 2017)."""
    it = qn.intent
    keep = ""  # "" keeps the question's own kind/scope (Question.scope)
    if len(qn.agencies) >= 2:
        a, b = qn.agencies[:2]
        year = qn.year or common_year(qn, [a.iri, b.iri])
        return [(a, year, keep, keep), (b, year, keep, keep)]
    a = qn.one_agency()
    if a is None:
        return None
    if len(it.years) >= 2:
        return [(a, it.years[0], keep, keep), (a, it.years[1], keep, keep)]
    if it.both_kinds:
        fa = qn.q.find(V.FINAL_ACCOUNT.word)
        ba = qn.q.find(V.BUDGET.word)
        order = [V.FINAL_ACCOUNT.code, V.BUDGET.code] if fa < ba else [V.BUDGET.code, V.FINAL_ACCOUNT.code]
        year = qn.year or next((d.year for d in qn.lex.disclosures_of(a.iri, None, V.FINAL_ACCOUNT.code)), None)
        return [(a, year, order[0], keep), (a, year, order[1], keep)]
    if it.both_scopes:
        ua = qn.q.find(V.UNIT.word + V.BUDGET.word) if V.UNIT.word + V.BUDGET.word in qn.q else qn.q.find(V.UNIT.word)
        da = qn.q.find(V.DEPARTMENT.word)
        order = [V.UNIT.code, V.DEPARTMENT.code] if 0 <= ua < da else [V.DEPARTMENT.code, V.UNIT.code]
        return [(a, qn.year, keep, order[0]), (a, qn.year, keep, order[1])]
    if it.previous_year or it.growth:
        ds = qn.scope(a.iri)
        if not ds or ds[0].year is None:
            return None
        y = ds[0].year
        # The year before may not be in the graph: compare() then reads the newer text.
        return [(a, y, keep, keep), (a, y - 1, keep, keep)]
    return None


def _side_name(qn: Question, sides, i: int, res: Result) -> str:
    """How the answer names one side: what differs between the two."""
    (a0, y0, k0, s0), (a1, y1, k1, s1) = sides
    a, y, k, s = sides[i]
    d = res.used[0] if res.used else None
    if a0.iri != a1.iri:
        return qn.agency_name(a.iri)
    if y0 != y1:
        return f"{y}年"
    return scope_word(d) or (V.KIND_WORDS.get(k) if k else "") or f"第{i + 1}项"


def compare(qn: Question) -> Result | None:
    sides = _sides(qn)
    if sides is None:
        return None
    years = [s[1] for s in sides]
    if sides[0][0].iri == sides[1][0].iri and None not in years and years[0] != years[1]:
        # One agency, two years: the newer first; an older year the graph lacks is read from
        # the newer disclosure's own text.
        if years[0] < years[1]:
            sides = sides[::-1]
        a, y_new, kind, scope = sides[0]
        if not qn.lex.disclosures_of(a.iri, sides[1][1], None):
            newer = qn.scope(a.iri, y_new, kind, scope)
            if not newer:
                return None
            got = figure(qn, *sides[0])
            return narrative_change(qn, a, got[0].used[0] if got and got[0].used else newer[0], sides[1][1],
                                    got[1] if got else None, got[0] if got else None)
    first = figure(qn, *sides[0])
    if first is None:
        a, y, _, _ = sides[0]
        return qn.no_answer(f"{qn.agency_name(a.iri)}{y or ''}{'年' if y else ''}的所问数额")
    res0, measure = first
    second = figure(qn, *sides[1], only=measure)
    if second is None:
        a, y, _, _ = sides[1]
        return qn.no_answer(f"{qn.agency_name(a.iri)}{y or ''}{'年' if y else ''}的同一数额（{measure_word(measure, res0)}），无法比较",
                            offer=f"已找到：{res0.answer}")
    res1 = second[0]
    if res0.used and res1.used and res0.used[0].iri == res1.used[0].iri:
        return None  # both sides read the same disclosure: not a comparison the graph can make
    v0, v1 = (Decimal(r.value) * V.YUAN_PER_WAN for r in (res0, res1))
    diff = v0 - v1
    names = [_side_name(qn, sides, i, r) for i, r in enumerate((res0, res1))]
    rate = percent(v0, v1)
    text = "；".join(r.answer.rstrip("。") for r in (res0, res1)) + "。"
    if diff == 0:
        text += f"{names[0]}与{names[1]}持平。"
    elif sides[0][0].iri != sides[1][0].iri:
        more = "多" if diff > 0 else "少"
        text += f"{names[0]}比{names[1]}{more}{format_wan(abs(diff))}"
        text += (f"（{names[0]}是{names[1]}的{(v0 / v1 * 100).quantize(Decimal('0.01'))}%）。" if v1 else "。")
        if qn.intent.asks_agency or "哪" in qn.q:
            text += f"{names[0] if diff > 0 else names[1]}更{'高' if qn.intent.direction == 'max' else '低'}。"
    else:
        text += f"{names[0]}比{names[1]}{format_signed_wan(diff)}"
        text += f"，{'增长' if diff > 0 else '下降'}{abs(rate)}%。" if rate is not None else "。"
    if qn.intent.growth and rate is not None:
        value, unit = format(rate, "f"), "%"
    else:
        value, unit = wan_value(diff), MONEY_UNIT
    ev = [e for r in (res0, res1) for e in r.evidence[:1]] + [e for r in (res0, res1) for e in r.evidence[1:]]
    sparql = joint_sparql(measure, [res0, res1])
    quality = min(res0.quality, res1.quality)
    y0, y1 = (r.used[0].year if r.used else None for r in (res0, res1))
    if sides[0][0].iri != sides[1][0].iri and y0 != y1:
        # No year both agencies published: the figures of different years are set side by side.
        text += f"（注意：两单位没有同一年度的公开数据，比较的是{y0}年与{y1}年。）"
        quality *= 0.8
    return Result(qn.question, text, value, unit, ev, sparql, "compare", qn.entities,
                  source="graph" if sparql else "table", quality=quality,
                  interpretation=f"{res0.interpretation} 对比 {res1.interpretation}", used=res0.used + res1.used)


def summed(qn: Question) -> Result | None:
    """The measure added up over every agency's disclosure of one year (所有单位…合计):
    each agency once, so a publication printed in two files is not counted twice."""
    got = _one_year_per_agency(qn)
    if got is None:
        return None
    items, word, year, defaulted, kind, sparql = got
    total = sum((v for _, v, _ in items), Decimal(0))
    yw = f"{year}年" if year else ""
    note = f"（问题未指明年度，按最新的{year}年）" if defaulted and year else ""
    kinds = scope_word(items[0][0])
    text = f"{note}{yw}{len(items)}个单位的{kinds}{word}合计为{format_wan(total)}。"
    ev = [qn.evidence_for(d, [word], v, d.iri) for d, v, _ in items[:5]]
    return Result(qn.question, text, wan_value(total), MONEY_UNIT, ev, sparql, "sum", qn.entities, source="graph",
                  quality=0.85 if defaulted else 1.0,
                  interpretation=" · ".join(p for p in [f"全部{len(items)}个单位", str(year) if year else None, kinds, word,
                                                        "合计"] if p),
                  used=[d for d, _, _ in items])
