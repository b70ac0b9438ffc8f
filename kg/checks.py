"""Consistency checks: places where a disclosure contradicts itself.

`check_facts` runs at extraction time on one document's facts and returns findings that
kg.rdf.build stores as bkg:Finding nodes in the disclosure's graph; `findings_from_store` reads
them back for `budgetkg check`. Rules (every printed difference is reported; one within 0.01 万元 = 100 yuan, the rounding
of printed figures, is a warning rather than an error):

  income_equals_expenditure   本年收入(+上年结转) = 本年支出(+年末结转)
  basic_plus_project          基本支出 + 项目支出 = 本年支出合计
  personnel_plus_public       人员经费 + 公用经费 = 基本支出 (of the same fund, see funding_scope)
  row_splits_sum              a classification row: 合计 = 基本支出 + 项目支出
  personnel_split_tables      two tables splitting the same 基本支出 into 人员/公用 agree
  table_total_splits          a table's 合计 row: 合计 = 基本支出 + 项目支出 (each fund's table)
  line_text_vs_table          a 项 amount the narrative states = the table row (beyond its rounding)
  class_tables_agree          a class in the 收支总表 (by name) = the classified table's class row
  text_vs_table               a total the narrative states = the table's (beyond the text's rounding)
  functional_children_sum     类 = Σ款, 款 = Σ项 (合计 and each split column)
  functional_classes_sum      Σ类 = table total
  economic_children_sum       类 = Σ款 in the economic table
  three_public_parts          三公 = 出国 + 公务用车 + 接待; 公务用车 = 购置 + 运行
  projects_sum                Σ projects ≤ 项目支出 (project pages may list only key projects)
"""

from __future__ import annotations

from decimal import Decimal

from kg import vocab as V
from kg.extract.base import TOLERANCE, Facts, FindingFact, Line, funding_scope
from ontology.namespace import prologue

WAN = V.YUAN_PER_WAN


def _wan(v: Decimal) -> str:
    return f"{(v / WAN).quantize(Decimal('0.000001')).normalize():f}"  # to the fen: 0.34 元 shows


def _finding(rule: str, what: str, expected: Decimal, found: Decimal, pages, where: str,
             severity: str = "error") -> FindingFact | None:
    """Any printed difference is a finding; one within rounding of the printed figures
    (≤ 0.01 万元) is a warning, since the document still disagrees with itself as printed."""
    if expected == found:
        return None
    if abs(expected - found) <= TOLERANCE:
        severity = "warning"
    unit = V.WAN_YUAN
    comment = f"{what}：应为 {_wan(expected)} {unit}，印为 {_wan(found)} {unit}（差 {_wan(found - expected)} {unit}）"
    return FindingFact(rule, severity, comment, expected, found, sorted({p for p in pages if p}), where)


def _tree_checks(lines: list[Line], scheme: str, rule: str, label: str) -> list[FindingFact]:
    out_all = []
    for ftype in sorted({ln.figure_type for ln in lines if ln.scheme == scheme}):
        out_all += _tree_checks_of([ln for ln in lines if ln.scheme == scheme and ln.figure_type == ftype], scheme, rule, label)
    return out_all


def _tree_checks_of(lines: list[Line], scheme: str, rule: str, label: str) -> list[FindingFact]:
    """One figure type's lines (a 决算 prints 年初预算数 and 决算数 trees side by side)."""
    out = []
    by_code = {ln.code: ln for ln in lines if ln.scheme == scheme}
    for code, parent in sorted(by_code.items()):
        kids = [ln for c, ln in by_code.items() if len(c) == len(code) + 2 and c.startswith(code)]
        if not kids:
            continue
        for col in ("amount", "basic", "project", "personnel", "public"):
            pv = parent.amount if col == "amount" else parent.splits.get(col)
            kv = [k.amount if col == "amount" else k.splits.get(col) for k in kids]
            if pv is None or any(v is None for v in kv):
                continue
            colname = {"amount": "合计", **{m.key: m.label for m in V.LINE_SPLITS}}[col]
            f = _finding(rule, f"{label} {code}（{parent.name}）{colname} 与其下级科目之和不符", sum(kv), pv,
                         [parent.prov.page] + [k.prov.page for k in kids], f"{scheme}:{code}:{col}")
            if f:
                out.append(f)
    return out


def _row_checks(lines: list[Line]) -> list[FindingFact]:
    """One row's own columns: 合计 = 基本支出 + 项目支出 (a row repeating another row's 项目支出
    where it should print 0 shows here)."""
    out = []
    for ln in lines:
        b, p = ln.splits.get("basic"), ln.splits.get("project")
        if ln.amount is None or b is None or p is None:
            continue
        f = _finding("row_splits_sum", f"科目 {ln.code}（{ln.name}）{V.BASIC.label}与{V.PROJECT.label}之和与合计不符",
                     b + p, ln.amount,
                     [ln.prov.page], f"{ln.scheme}:{ln.code}:basic+project")
        if f:
            out.append(f)
    return out


# not 基本/项目支出: narratives quote those for single lines and projects too often to be sure
TEXT_CHECKED = {m.key: m.short for m in (V.INCOME, V.EXPENDITURE, V.PERSONNEL, V.PUBLIC, V.THREE_PUBLIC, V.OPERATING)}


def _text_checks(f: Facts) -> list[FindingFact]:
    """The narrative against the tables: a figure the text states that a table prints otherwise.
    The text rounds (8695.94 万元 for 86,959,408.34 元), so only a difference beyond half a unit
    of the text's last printed digit counts."""
    out = []
    for key, what in TEXT_CHECKED.items():
        tx, tb = f.text_figures.get(key), f.totals.get(key)
        if tx is None or tb is None or tb.prov.table is None or tx is tb:
            continue
        digits = max(0, -(tx.value / WAN).normalize().as_tuple().exponent)
        if abs(tx.value - tb.value) * 2 <= WAN / Decimal(10) ** digits:
            continue
        fi = _finding("text_vs_table", f"说明文字中的{what}与“{tb.prov.table}”不符", tb.value, tx.value,
                      [tx.prov.page, tb.prov.page], f"text:{key}")
        if fi:
            out.append(fi)
    return out


def _line_text_checks(f: Facts) -> list[FindingFact]:
    """A 项 amount the narrative states against the classified table's row (by printed code,
    else by a name only one 项 carries), beyond the text's own rounding."""
    out, seen = [], set()
    ftype = V.kind_by_code(f.kind).figure_type
    items = [ln for ln in f.lines if ln.scheme == "functional" and len(ln.code) == 7 and ln.amount is not None
             and ln.figure_type == ftype]
    for name, code, fig in f.line_text:
        hits = [ln for ln in items if ln.code == code] if code else [ln for ln in items if ln.name == name]
        if len(hits) != 1:
            continue
        ln = hits[0]
        digits = max(0, -(fig.value / WAN).normalize().as_tuple().exponent)
        key = f"functional:{ln.code}:text:{_wan(fig.value)}"
        if key in seen or abs(fig.value - ln.amount) * 2 <= WAN / Decimal(10) ** digits:
            continue
        seen.add(key)
        fi = _finding("line_text_vs_table", f"说明文字中 {ln.code}（{ln.name}）的金额与“{ln.prov.table}”不符", ln.amount,
                      fig.value, [fig.prov.page, ln.prov.page], key)
        if fi:
            out.append(fi)
    return out


def _summary_class_checks(f: Facts) -> list[FindingFact]:
    """A function class as the 收支总表 prints it (by name, no code) against the classified
    table's class row, when both cover all funds."""
    out = []
    printed = {}
    for label, fig in f.summary_labels:
        printed.setdefault(label, fig)
    ftype = V.kind_by_code(f.kind).figure_type
    for ln in f.lines:
        if ln.scheme != "functional" or len(ln.code) != 3 or ln.amount is None or ln.figure_type != ftype \
                or funding_scope(ln.prov.table) or ln.name not in printed:
            continue
        fig = printed[ln.name]
        fi = _finding("class_tables_agree", f"{V.SUMMARY_TABLE.budget}中的{ln.name}与“{ln.prov.table}”中 {ln.code} 不符",
                      ln.amount,
                      fig.value, [fig.prov.page, ln.prov.page], f"functional:{ln.code}:summary")
        if fi:
            out.append(fi)
    return out


def check_facts(f: Facts) -> list[FindingFact]:
    t = {k: v.value for k, v in f.totals.items()}
    pages = {k: v.prov.page for k, v in f.totals.items()}
    out: list[FindingFact | None] = []
    if "income" in t and "expenditure" in t:
        inc = t["income"] + t.get("carry_over", Decimal(0))
        exp = t["expenditure"] + t.get("carry_forward", Decimal(0))
        out.append(_finding("income_equals_expenditure",
                            f"{V.INCOME_SUM}（含{V.CARRIED_OVER}）与{V.EXPENDITURE_SUM}（含{V.CARRIED_FORWARD}）不符", inc, exp,
                            [pages.get("income"), pages.get("expenditure")], "totals:income"))
    if "basic" in t and "project" in t and "expenditure" in t:
        out.append(_finding("basic_plus_project", f"{V.BASIC.label}与{V.PROJECT.label}之和与{V.EXPENDITURE.label}不符",
                            t["basic"] + t["project"],
                            t["expenditure"], [pages.get("basic"), pages.get("expenditure")], "totals:basic+project"))
    if "personnel" in t and "public" in t and "basic" in t:
        # compare within one fund: 人员/公用 of the 一般公共预算 basic table against that fund's 基本支出
        scope = funding_scope(f.totals["personnel"].prov.table)
        basic = f.totals["basic"] if funding_scope(f.totals["basic"].prov.table) == scope else f.basic_by_fund.get(scope)
        if basic is not None:
            out.append(_finding("personnel_plus_public", f"{V.PERSONNEL.label}与{V.PUBLIC.label}之和与{V.BASIC.label}不符",
                                t["personnel"] + t["public"],
                                basic.value, [pages.get("personnel"), basic.prov.page], "totals:personnel+public"))
    if "personnel" in t and "public" in t:
        # another table splitting the same 基本支出 (equal sums) differently into 人员/公用
        for other in f.other_splits:
            op, oq = other["personnel"].value, other["public"].value
            if abs(op + oq - t["personnel"] - t["public"]) <= TOLERANCE and op != t["personnel"]:
                out.append(_finding("personnel_split_tables", f"“{other['personnel'].prov.table}”所列{V.PERSONNEL.label}与"
                                    f"“{f.totals['personnel'].prov.table}”不符（{V.PUBLIC.label}相应不同）", t["personnel"], op,
                                    [other["personnel"].prov.page, pages.get("personnel")], "totals:personnel:tables"))
    for row in f.total_rows:
        # a table's own 合计 row, unless it is the one basic_plus_project already compared
        if "basic" in f.totals and row["basic"].prov == f.totals["basic"].prov:
            continue
        out.append(_finding("table_total_splits",
                            f"“{row['total'].prov.table}”合计行{V.BASIC.label}与{V.PROJECT.label}之和与合计不符",
                            row["basic"].value + row["project"].value, row["total"].value, [row["total"].prov.page],
                            f"table:{funding_scope(row['total'].prov.table) or 'all'}:basic+project"))
    out += _line_text_checks(f)
    out += _summary_class_checks(f)
    out += _text_checks(f)
    out += _row_checks(f.lines)
    out += _tree_checks(f.lines, "functional", "functional_children_sum", "支出功能分类科目")
    out += _tree_checks(f.lines, "economic", "economic_children_sum", "经济分类科目")
    ftype = V.kind_by_code(f.kind).figure_type
    classes = [ln for ln in f.lines if ln.scheme == "functional" and len(ln.code) == 3 and ln.amount is not None
               and ln.figure_type == ftype]
    if classes and "expenditure" in t and f.totals["expenditure"].prov.table == classes[0].prov.table:
        out.append(_finding("functional_classes_sum", "各类支出功能科目之和与表中合计不符", sum(c.amount for c in classes),
                            t["expenditure"], [c.prov.page for c in classes], "functional:classes"))
    if "three_public" in t and all(k in t for k in ("abroad", "vehicles", "reception")):
        out.append(_finding("three_public_parts", f"{V.THREE_PUBLIC.label}合计与各项之和不符",
                            t["abroad"] + t["vehicles"] + t["reception"],
                            t["three_public"], [pages.get("three_public")], "three_public:total"))
    if "vehicles" in t and "vehicle_purchase" in t and "vehicle_operation" in t:
        out.append(_finding("three_public_parts",
                            f"{V.VEHICLES.label}与{V.VEHICLE_PURCHASE.short}、{V.VEHICLE_OPERATION.short}之和不符",
                            t["vehicle_purchase"] + t["vehicle_operation"], t["vehicles"], [pages.get("vehicles")],
                            "three_public:vehicles"))
    amounts = [p.amount for p in f.projects if p.amount is not None]
    # project pages often describe only the key projects (绩效目标表 of a few): a sum below
    # 项目支出 is a partial list, not a contradiction; above it, the figures disagree
    if amounts and "project" in t and sum(amounts) > t["project"]:
        out.append(_finding("projects_sum", f"项目表中各项目金额之和与{V.PROJECT.label}合计不符", sum(amounts), t["project"],
                            [p.prov.page for p in f.projects] + [pages.get("project")], "projects:sum", "warning"))
    return [x for x in out if x is not None]


FINDINGS_QUERY = "\n" + prologue("bkg", "rdfs") + """SELECT ?f ?rule ?key ?severity ?expected ?found ?comment ?d ?file (GROUP_CONCAT(DISTINCT STR(?page); separator=",") AS ?pages)
WHERE {
  ?f a bkg:Finding ; bkg:disclosure ?d ; bkg:rule ?rule ; rdfs:comment ?comment .
  ?d bkg:sourceFile ?file .
  OPTIONAL { ?f bkg:findingKey ?key }
  OPTIONAL { ?f bkg:severity ?severity }
  OPTIONAL { ?f bkg:expected ?expected }
  OPTIONAL { ?f bkg:found ?found }
  OPTIONAL { ?f bkg:page ?page }
}
GROUP BY ?f ?rule ?key ?severity ?expected ?found ?comment ?d ?file
ORDER BY ?file ?rule ?f
"""


def findings_from_store(store) -> list[dict]:
    """Every finding in the store, one dict per finding (for `budgetkg check`)."""
    out = []
    for r in store.select(FINDINGS_QUERY):
        pages = sorted({int(p) for p in str(r.get("pages") or "").split(",") if p.strip().isdigit()})
        out.append({"rule": r["rule"], "key": r.get("key"), "severity": r.get("severity") or "error",
                    "expected": r.get("expected"), "found": r.get("found"), "pages": pages,
                    "disclosure": r["d"], "source_file": r["file"], "comment": r["comment"], "finding": r["f"]})
    return out
