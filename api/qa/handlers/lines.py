"""Classification lines (科目: a functional or economic code and its figures), read from
the bkg:BudgetLine nodes of the disclosures in scope."""

from __future__ import annotations

import re
from decimal import Decimal

from api.qa import templates as T
from api.qa.handlers.totals import many_agencies
from api.qa.linking import Disclosure, Match
from api.qa.question import Question
from api.qa.result import KIND_WORD, MONEY_UNIT, Result, reading, wan_value, year_word
from api.qa.text import format_wan
from kg import vocab as V
from ontology.namespace import BKG

# Plain strings: query results carry str IRIs, and a URIRef never equals a str.
FUNCTIONAL = str(BKG.FunctionalClassification)
ECONOMIC = str(BKG.EconomicClassification)
COLUMN_WORD = {m.prop: m.label for m in V.LINE_SPLITS}


def read_line(qn: Question, iris: list[str], column: str, a: Match | None, ds: list[Disclosure]) -> Result | None:
    sparql = T.line_amounts(iris, [d.iri for d in ds] if ds else None, column,
                            None if ds else qn.year, None if ds else qn.intent.doc_kind)
    rows = qn.select(sparql)
    if not rows:
        return None
    order = {d.iri: i for i, d in enumerate(ds)} if ds else {}
    rows.sort(key=lambda r: (order.get(r["d"], 999), scheme_rank(r.get("s"), qn.q), figure_rank(qn, r),
                             -(r.get("y") or 0)))
    if a is None and len({r["a"] for r in rows}) > 1:
        first = rows[0]
        per_d: dict[str, dict] = {}
        for r in rows:  # sorted: each disclosure's preferred figure comes first
            if r["c"] == first["c"]:
                per_d.setdefault(r["d"], r)
        hits = [(qn.disclosure(r["d"]), r) for r in per_d.values()]
        return many_agencies(qn, [(d, r) for d, r in hits if d], f"{first['cl'] or first['code']}", sparql)
    r = rows[0]
    d = qn.disclosure(r["d"])
    v = Decimal(r["v"])
    label = r.get("cl") or ""
    code = r.get("code") or ""
    qn.entities.append({"type": "concept", "iri": r["c"], "label": label, "notation": code})
    col = COLUMN_WORD.get(column, "")
    ev = [qn.evidence_for(d, [label or code], v, r["l"], row=r)]
    figure = V.FIGURE_WORDS.get(r.get("ft")) or KIND_WORD.get(d.kind if d else None, '公开')
    text = (f"{r.get('al') or ''}{year_word(d)}“{label}”（{code}）科目{col}{figure}数"
            f"为{format_wan(v)}。")
    return Result(qn.question, text, wan_value(v), MONEY_UNIT, ev, sparql, "line", qn.entities, source="graph",
                  interpretation=reading(d, f"{label}（{code}）{col}{figure}数"), used=[d] if d else [])


_BUDGET_FIGURE = re.compile(V.alternation((V.OPENING_BUDGET, V.BUDGET.column, *V.BUDGET_FIGURE_WORDS[1:])))


def figure_rank(qn: Question, r: dict) -> int:
    """A final account prints a line's 年初预算 and its 决算数 (bkg:figureType budget /
    outturn): the outturn is the answer unless the question asks for the budget figure."""
    ft = r.get("ft")
    if ft is None:
        return 1
    want = V.BUDGET.figure_type if (r.get("k") != V.FINAL_ACCOUNT.code or _BUDGET_FIGURE.search(qn.q)) \
        else V.FINAL_ACCOUNT.figure_type
    return 0 if ft == want else 2


def scheme_rank(scheme: str | None, q: str) -> int:
    """Which classification to read when a name is in several: the one the question names,
    else functional (支出功能分类, where 科目 questions point), else economic."""
    if "经济分类" in q:
        return 0 if scheme == ECONOMIC else 1
    if "功能分类" in q or "科目" in q:
        return 0 if scheme == FUNCTIONAL else 1
    return {ECONOMIC: 0, FUNCTIONAL: 1}.get(scheme, 2)
