"""Classification lines (科目: a functional or economic code and its figures), read from
the bkg:BudgetLine nodes of the disclosures in scope."""

from __future__ import annotations

import re
from decimal import Decimal

from api.qa import templates as T
from api.qa.handlers.totals import many_agencies
from api.qa.linking import Disclosure, Match
from api.qa.question import Question
from api.qa.result import KIND_WORD, Result, wan_value, year_word
from api.qa.text import format_wan
from ontology.namespace import BKG

# Plain strings: query results carry str IRIs, and a URIRef never equals a str.
FUNCTIONAL = str(BKG.FunctionalClassification)
ECONOMIC = str(BKG.EconomicClassification)
COLUMN_WORD = {"basicExpenditure": "基本支出", "projectExpenditure": "项目支出", "personnelExpenditure": "人员经费",
               "publicExpenditure": "公用经费"}


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
    figure = {"budget": "预算", "outturn": "决算"}.get(r.get("ft")) or KIND_WORD.get(d.kind if d else None, '公开')
    text = (f"{r.get('al') or ''}{year_word(d)}“{label}”（{code}）科目{col}{figure}数"
            f"为{format_wan(v)}。")
    return Result(qn.question, text, wan_value(v), "万元", ev, sparql, "line", qn.entities)


_BUDGET_FIGURE = re.compile(r"年初预算|预算数|调整预算|全年预算")


def figure_rank(qn: Question, r: dict) -> int:
    """A final account prints a line's 年初预算 and its 决算数 (bkg:figureType budget /
    outturn): the outturn is the answer unless the question asks for the budget figure."""
    ft = r.get("ft")
    if ft is None:
        return 1
    want = "budget" if (r.get("k") != "final_account" or _BUDGET_FIGURE.search(qn.q)) else "outturn"
    return 0 if ft == want else 2


def scheme_rank(scheme: str | None, q: str) -> int:
    """Which classification to read when a name is in several: the one the question names,
    else functional (支出功能分类, where 科目 questions point), else economic."""
    if "经济分类" in q:
        return 0 if scheme == ECONOMIC else 1
    if "功能分类" in q or "科目" in q:
        return 0 if scheme == FUNCTIONAL else 1
    return {ECONOMIC: 0, FUNCTIONAL: 1}.get(scheme, 2)
