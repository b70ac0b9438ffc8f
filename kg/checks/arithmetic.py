"""Sums with the document's printed precision.

A total printed beside its parts may differ from their sum by the rounding of every figure in
the equation: half a unit of each one's last printed digit (kg.checks.precision), with 元
and 万元 tables converted to yuan first. Only a difference beyond that is a finding, and the
tolerance used goes with it. One quantity printed twice (a class in the 收支总表 and in the
classified table) must agree to the digit when both print the same precision.

  income_equals_expenditure   本年收入(+上年结转) = 本年支出(+年末结转)
  grand_totals                收入总计 = 本年收入 + 上年结转; 支出总计 = 本年支出 + 年末结转; 收入总计 = 支出总计
  basic_plus_project          本年支出合计 = 基本支出 + 项目支出 (+ the other parts the document states)
  personnel_plus_public       人员经费 + 公用经费 = 基本支出 (of the same fund, see funding_scope)
  row_splits_sum              a classification row: 合计 = 基本支出 + 项目支出
  personnel_split_tables      two tables splitting the same 基本支出 into 人员/公用 agree
  table_total_splits          a table's 合计 row: 合计 = 基本支出 + 项目支出 (+ its other parts)
  functional_children_sum     类 = Σ款, 款 = Σ项 (合计 and each split column)
  functional_classes_sum      Σ类 = table total
  economic_children_sum       类 = Σ款 in the economic table
  class_tables_agree          a class in the 收支总表 (by name) = the classified table's class row
  projects_sum                Σ projects ≤ 项目支出 (project pages may list only key projects)
"""

from __future__ import annotations

from decimal import Decimal

from kg import vocab as V
from kg.checks import finding
from kg.checks.precision import Printed, same_tolerance, sum_tolerance
from kg.checks.structure import expenditure_splits, stated_reserve, third_parts
from kg.document import Document
from kg.extract.base import Facts, Figure, FindingFact, Line, funding_scope

MEASURE = {m.key: m for m in V.MONEY_MEASURES}
RULES = ("income_equals_expenditure", "grand_totals", "basic_plus_project", "personnel_plus_public", "row_splits_sum",
         "personnel_split_tables", "table_total_splits", "functional_children_sum", "functional_classes_sum",
         "economic_children_sum", "class_tables_agree", "projects_sum")


def from_text(fig: Figure) -> bool:
    """A figure extraction read from the narrative (no table, no row), not from a table."""
    return fig.prov.table is None and fig.prov.row is None and fig.value != 0


class Sums:
    """The sum rules over one document's facts, each tolerating its figures' printed precision."""

    def __init__(self, f: Facts, doc: Document, printed: Printed):
        self.f, self.doc, self.p = f, doc, printed
        self.out: list[FindingFact] = []
        self.reserve = stated_reserve(doc, printed.unit)

    def reserve_share(self, parts: list[Figure], total: Figure) -> bool:
        """A row's 合计 above 基本 + 项目 by no more than the reserve the document states: the
        table leaves the reserve's share of the row unprinted, the document says it is there."""
        if self.reserve is None:
            return False
        rest = total.value - sum(x.value for x in parts)
        return 0 < rest <= self.reserve.value + sum_tolerance([self.p.step(x.value, x.prov) for x in parts + [total]])

    def add(self, x: FindingFact | None) -> None:
        if x is not None:
            self.out.append(x)

    def total(self, rule: str, what: str, parts: list[Figure], total: Figure, where: str, pages=None,
              severity: str = finding.ERROR) -> None:
        """`total` printed as the sum of `parts`. Tables only: a figure the narrative states is
        the narrative rules' (kg.checks.narrative), which allow for the text's rounding."""
        if any(from_text(x) for x in parts + [total]):
            return
        tol = sum_tolerance([self.p.step(x.value, x.prov) for x in parts + [total]])
        self.add(finding.money(rule, what, sum((x.value for x in parts), Decimal(0)), total.value, tol,
                               pages if pages is not None else [x.prov.page for x in parts + [total]], where, severity))

    def same(self, rule: str, what: str, expected: Figure, found: Figure, where: str) -> None:
        """One quantity printed twice (in tables)."""
        if from_text(expected) or from_text(found):
            return
        tol = same_tolerance(self.p.step(expected.value, expected.prov), self.p.step(found.value, found.prov))
        self.add(finding.money(rule, what, expected.value, found.value, tol, [expected.prov.page, found.prov.page], where))

    def line_fig(self, ln: Line, col: str) -> Figure | None:
        v = ln.amount if col == "amount" else ln.splits.get(col)
        return None if v is None else Figure(v, ln.prov, ln.figure_type)

    # --- the rules ---------------------------------------------------------------------

    def run(self) -> list[FindingFact]:
        self.totals()
        self.tables()
        self.lines()
        return self.out

    def totals(self) -> None:
        f, t = self.f, self.f.totals
        zero = Figure(Decimal(0))
        # the two sides of one table (the 收支总表): a total read from another table may cover
        # another fund (财政拨款 only) and is not the same equation
        if "income" in t and "expenditure" in t and t["income"].prov.table == t["expenditure"].prov.table:
            inc = [t["income"]] + ([t["carry_over"]] if "carry_over" in t else [])
            exp = [t["expenditure"]] + ([t["carry_forward"]] if "carry_forward" in t else [])
            tol = sum_tolerance([self.p.step(x.value, x.prov) for x in inc + exp])
            if not any(from_text(x) for x in inc + exp):
                self.add(finding.money("income_equals_expenditure",
                                   f"{V.INCOME_SUM}（含{V.CARRIED_OVER}）与{V.EXPENDITURE_SUM}（含{V.CARRIED_FORWARD}）不符",
                                   sum(x.value for x in inc), sum(x.value for x in exp), tol,
                                   [t["income"].prov.page, t["expenditure"].prov.page], "totals:income"))
        for grand, own, carry in (("grand_income", "income", "carry_over"), ("grand_expenditure", "expenditure", "carry_forward")):
            if grand in t and own in t and t[grand].prov.table and t[own].prov.table:
                self.total("grand_totals", f"{MEASURE[grand].label}与{MEASURE[own].label}"
                           f"{'及结转' if carry in t else ''}之和不符", [t[own], t.get(carry, zero)], t[grand],
                           f"totals:{grand}")
        if "grand_income" in t and "grand_expenditure" in t and t["grand_income"].prov.table:
            self.same("grand_totals", f"{V.GRAND_INCOME.label}与{V.GRAND_EXPENDITURE.label}不符", t["grand_income"],
                      t["grand_expenditure"], "totals:grand")
        if "basic" in t and "project" in t and "expenditure" in t:
            others = third_parts(self.doc, self.p.unit, t["basic"], t["project"])
            if not others and self.reserve is not None:
                others = [(V.RESERVE, self.reserve)]
            names = "、".join([V.BASIC.label, V.PROJECT.label] + [lab for lab, _ in others])
            self.total("basic_plus_project", f"{names}之和与{V.EXPENDITURE.label}不符",
                       [t["basic"], t["project"]] + [x for _, x in others], t["expenditure"], "totals:basic+project",
                       [t["basic"].prov.page, t["expenditure"].prov.page] + [x.prov.page for _, x in others])
        if "personnel" in t and "public" in t and "basic" in t:
            # within one fund: 人员/公用 of the 一般公共预算 basic table against that fund's 基本支出
            scope = funding_scope(t["personnel"].prov.table)
            basic = t["basic"] if funding_scope(t["basic"].prov.table) == scope else f.basic_by_fund.get(scope)
            if basic is not None:
                self.total("personnel_plus_public", f"{V.PERSONNEL.label}与{V.PUBLIC.label}之和与{V.BASIC.label}不符",
                           [t["personnel"], t["public"]], basic, "totals:personnel+public",
                           [t["personnel"].prov.page, basic.prov.page])
        if "personnel" in t and "public" in t:
            # another table splitting the same 基本支出 (equal sums) differently into 人员/公用
            for other in f.other_splits:
                op, oq = other["personnel"], other["public"]
                steps = [self.p.step(x.value, x.prov) for x in (op, oq, t["personnel"], t["public"])]
                if abs(op.value + oq.value - t["personnel"].value - t["public"].value) <= sum_tolerance(steps):
                    self.same("personnel_split_tables", f"“{op.prov.table}”所列{V.PERSONNEL.label}与"
                              f"“{t['personnel'].prov.table}”不符（{V.PUBLIC.label}相应不同）", t["personnel"], op,
                              "totals:personnel:tables")
        amounts = [Figure(p.amount, p.prov) for p in f.projects if p.amount is not None]
        # project pages often describe only the key projects (绩效目标表 of a few): a sum below
        # 项目支出 is a partial list, not a contradiction; above it, the figures disagree
        if amounts and "project" in t:
            tol = sum_tolerance([self.p.step(x.value, x.prov) for x in amounts + [t["project"]]])
            if sum(x.value for x in amounts) > t["project"].value + tol:
                self.add(finding.money("projects_sum", f"项目表中各项目金额之和与{V.PROJECT.label}合计不符",
                                       sum(x.value for x in amounts), t["project"].value, tol,
                                       [x.prov.page for x in amounts] + [t["project"].prov.page], "projects:sum",
                                       finding.WARNING))

    def tables(self) -> None:
        f, t = self.f, self.f.totals
        seen = set()
        for row in f.total_rows:
            # a table's own 合计 row, unless it is the one basic_plus_project already compared
            if "basic" in t and row["basic"].prov == t["basic"].prov:
                continue
            key = f"table:{funding_scope(row['total'].prov.table) or 'all'}:basic+project"
            seen.add((row["total"].prov.table, row["total"].prov.page))
            others = third_parts(self.doc, self.p.unit, row["basic"], row["project"])
            if not others and self.reserve_share([row["basic"], row["project"]], row["total"]):
                continue
            self.total("table_total_splits", f"“{row['total'].prov.table}”合计行{V.BASIC.label}与{V.PROJECT.label}"
                       f"{'及其他部分' if others else ''}之和与合计不符", [row["basic"], row["project"]] + [x for _, x in others],
                       row["total"], key, [row["total"].prov.page])
        for s in expenditure_splits(self.doc, self.p.unit):
            # a split stated with parts beyond 基本/项目 (a reserve column): its own row must add up
            if not s.others or s.total is None or (s.total.prov.table, s.total.prov.page) in seen:
                continue
            names = "、".join([V.BASIC.label, V.PROJECT.label] + [lab for lab, _ in s.others])
            self.total("table_total_splits", f"“{s.total.prov.table or ''}”{names}之和与合计不符", s.parts(), s.total,
                       f"table:{funding_scope(s.total.prov.table) or 'all'}:parts:{s.total.prov.page}")
        printed = {}
        for label, fig in f.summary_labels:
            printed.setdefault(label, fig)
        ftype = V.kind_by_code(f.kind).figure_type
        for ln in f.lines:
            # a table of one fund (财政拨款支出表, 一般公共预算…) covers less than the 收支总表's classes
            if ln.scheme != "functional" or len(ln.code) != 3 or ln.amount is None or ln.figure_type != ftype \
                    or funding_scope(ln.prov.table) or ln.name not in printed \
                    or any(w in (ln.prov.table or "") for w in (V.FISCAL_GRANT, V.GPB, V.GOV_FUND, V.STATE_CAPITAL)):
                continue
            self.same("class_tables_agree", f"{V.SUMMARY_TABLE.budget}中的{ln.name}与“{ln.prov.table}”中 {ln.code} 不符",
                      Figure(ln.amount, ln.prov), printed[ln.name], f"functional:{ln.code}:summary")
        classes = [ln for ln in f.lines if ln.scheme == "functional" and len(ln.code) == 3 and ln.amount is not None
                   and ln.figure_type == ftype]
        if classes and "expenditure" in t and t["expenditure"].prov.table == classes[0].prov.table:
            self.total("functional_classes_sum", "各类支出功能科目之和与表中合计不符",
                       [Figure(c.amount, c.prov) for c in classes], t["expenditure"], "functional:classes")

    def lines(self) -> None:
        for ln in self.f.lines:
            b, p, tot = self.line_fig(ln, "basic"), self.line_fig(ln, "project"), self.line_fig(ln, "amount")
            if tot is None or b is None or p is None or self.reserve_share([b, p], tot):
                continue
            ident = getattr(ln, "ident", ln.code)  # a line printed by name only has no code
            self.total("row_splits_sum", f"科目 {ln.code or ''}（{ln.name}）{V.BASIC.label}与{V.PROJECT.label}之和与合计不符",
                       [b, p], tot, f"{ln.scheme}:{ident}:basic+project", [ln.prov.page])
        for scheme, rule, label in (("functional", "functional_children_sum", "支出功能分类科目"),
                                    ("economic", "economic_children_sum", "经济分类科目")):
            for ftype in sorted({ln.figure_type for ln in self.f.lines if ln.scheme == scheme}):
                self.tree([ln for ln in self.f.lines if ln.scheme == scheme and ln.figure_type == ftype], scheme, rule,
                          label)

    def tree(self, lines: list[Line], scheme: str, rule: str, label: str) -> None:
        """One figure type's lines (a 决算 prints 年初预算数 and 决算数 trees side by side)."""
        by_code = {ln.code: ln for ln in lines if ln.code}  # lines printed by name only have no tree
        for code, parent in sorted(by_code.items()):
            kids = [ln for c, ln in by_code.items() if len(c) == len(code) + 2 and c.startswith(code)]
            if not kids:
                continue
            for col in ("amount", *(m.key for m in V.LINE_SPLITS)):
                pv = self.line_fig(parent, col)
                kv = [self.line_fig(k, col) for k in kids]
                if pv is None or any(v is None for v in kv):
                    continue
                colname = {"amount": V.SUM_WORDS[0], **{m.key: m.label for m in V.LINE_SPLITS}}[col]
                self.total(rule, f"{label} {code}（{parent.name}）{colname} 与其下级科目之和不符", kv, pv,
                           f"{scheme}:{code}:{col}")


def check(f: Facts, doc: Document, printed: Printed) -> list[FindingFact]:
    return Sums(f, doc, printed).run()
