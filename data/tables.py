"""Part three of a disclosure: the published tables (收支总表, 收入/支出总表, 财政拨款收支总表,
一般公共预算支出表, 基本支出表, 三公, 政府性基金, 项目支出, 政府采购), with the functional and economic lines of the
truth read off the rows as they are printed, and the deliberate inconsistencies put into them."""

from __future__ import annotations

from data import vocab as V
from data.disclosure import Disclosure
from data.document import cn
from data.money import jnum, resolve_func, tree
from data.world import sub_rng
from kg import vocab as W


def code_cells(b: Disclosure, code: str) -> list[str]:
    if not b.split_codes:
        return [code]
    return [code[:3], code[3:5], code[5:7]]


def code_header(b: Disclosure, rows_below: int) -> list[list[str]]:
    if not b.split_codes:
        return [["科目编码"] + ["^"] * 0] + [["^"]] * rows_below
    return [["科目编码", "<", "<"]] + [["类", "款", "项"]] + [["^", "^", "^"]] * (rows_below - 1)


def func_rows(b: Disclosure, items: dict[str, list[int]], mode: str, defect: str | None):
    """Coded rows of a functional table. mode "bp": 合计/基本/项目; "bpp": 合计/基本(小计,人员,公用)/项目."""
    f = b.fmt
    rows_ = tree(items)
    out = []
    tot = [sum(v[k] for c, v in rows_ if len(c) == 3) for k in range(4)]
    lines = []
    bad_row = None
    if defect == "row_basic_project":
        leaves = [c for c, _ in rows_ if len(c) == 7]
        bad_row = leaves[b.r.randrange(len(leaves))]
    bad_parent = None
    if defect == "parent_children":
        parents = [c for c, _ in rows_ if len(c) == 5]
        bad_parent = parents[b.r.randrange(len(parents))]
    delta = b.q * b.r.choice([1, 10, 100, 300])
    w = len(code_cells(b, "2080101"))
    total_cells = {"bp": [f.cell(sum(tot)), f.cell(tot[0] + tot[1]), f.cell(tot[2])],
                   "bpp": [f.cell(sum(tot)), f.cell(tot[0] + tot[1]), f.cell(tot[0]), f.cell(tot[1]), f.cell(tot[2])]}[mode]
    out.append([""] * w + ["合计"] + total_cells)
    for code, v in rows_:
        basic, proj = v[0] + v[1], v[2]
        total = basic + proj + v[3]  # a reserve has no column of its own here
        if code == bad_row:
            total += delta
            b.inconsistencies.append({
                "what": f"科目 {code}（{V.FUNC_NAMES[code]}）的合计 {f.text(total)} 不等于{W.BASIC.label} {f.text(basic)} "
                        f"与{W.PROJECT.label} {f.text(proj)} 之和。",
                "where": heading(b, W.EXPENDITURE_TABLE)})
        if code == bad_parent:
            basic += delta
            total += delta
            b.inconsistencies.append({
                "what": f"款级科目 {code}（{V.FUNC_NAMES[code]}）的合计和{W.BASIC.label}比其下属项级科目之和多 {f.text(delta)}。",
                "where": heading(b, W.EXPENDITURE_TABLE)})
        cells = {"bp": [f.cell(total), f.cell(basic), f.cell(proj)],
                 "bpp": [f.cell(total), f.cell(basic), f.cell(v[0]), f.cell(v[1]), f.cell(proj)]}[mode]
        code_c = code_cells(b, code)
        if b.split_codes:
            code_c = [code[:3], code[3:5] if len(code) >= 5 else "", code[5:7] if len(code) == 7 else ""]
        out.append(code_c + [V.FUNC_NAMES[code]] + cells)
        lines.append({"code": code, "name": V.FUNC_NAMES[code], "total": jnum(total), "basic": jnum(basic),
                      "project": jnum(proj)})
    return out, lines


def fiscal_summary(b: Disclosure, gpb_items: dict[str, list[int]]):
    """The 财政拨款收支总表: income by grant (the 一般公共预算 income the 收支总表 prints; no 政府性基金
    or 国有资本 grants), expenditure by class as the 一般公共预算支出表 prints it, and the carry-overs
    of the 收支总表 (a project's carried part is a grant's). The generator books all basic
    expenditure to the general public budget, also what a final account's 其他收入 pays for: that
    much comes off the carry-forward (onto the carry-in where the carry-forward is smaller), so
    the table balances. A budget has no 其他收入 and balances as it is."""
    f, m = b.fmt, b.m
    classes = {c: sum(v) for c, v in tree(gpb_items) if len(c) == 3}
    spent = sum(classes.values())
    carry_in, carry_out = m.carry_in, m.carry_out
    gap = m.gpb + carry_in - carry_out - spent  # minus the 其他收入 booked to the general public budget
    if carry_out + gap >= 0:
        carry_out += gap
    else:
        carry_in, carry_out = carry_in - carry_out - gap, 0
    inc = [(f"一、{W.GPB}拨款收入", m.gpb), (f"二、{W.GOV_FUND}预算拨款收入", 0), (f"三、{W.STATE_CAPITAL}经营预算拨款收入", 0)]
    exp = [(f"{cn(i)}、{V.SUMMARY_CLASS_NAMES[c]}", classes.get(c, 0)) for i, c in enumerate(V.SUMMARY_CLASSES, 1)]
    body = side_by_side(inc, exp, f)
    body.append([W.INCOME.label, f.cell(m.gpb), W.EXPENDITURE.label, f.cell(spent)])
    body.append([W.CARRY_OVER_ROW.title(b.kind), f.cell(carry_in), W.CARRY_FORWARD_ROW.title(b.kind), f.cell(carry_out)])
    body.append(["收 入 总 计", f.cell(m.gpb + carry_in), "支 出 总 计", f.cell(spent + carry_out)])
    col = W.kind_by_code(b.kind).column
    return b.tab(W.FISCAL_SUMMARY_TABLE.title(b.kind), [["收 入", "<", "支 出", "<"], ["项 目", col, "项 目", col]], body,
                 numeric_from=1, widths=[0.32, 0.18, 0.32, 0.18], role="fiscal_summary")


def side_by_side(inc: list, exp: list, f) -> list[list[str]]:
    """Income items beside expenditure items, row by row (a 收支总表's two halves)."""
    body = []
    for i in range(max(len(inc), len(exp))):
        li = inc[i] if i < len(inc) else ("", None)
        ei = exp[i] if i < len(exp) else ("", None)
        body.append([li[0], f.cell(li[1]) if li[0] else "", ei[0], f.cell(ei[1]) if ei[0] else ""])
    return body


def heading(b: Disclosure, t: W.ByKind) -> str:
    """How part three names a table in its own heading: a budget's with 部门 before it."""
    return t.final if b.kind == W.FINAL_ACCOUNT.code else W.DEPARTMENT.word + t.budget


def tables(b: Disclosure):
    a, d, f, m, y = b.a, b.doc, b.fmt, b.m, b.year
    final = b.kind == W.FINAL_ACCOUNT.code
    kind = W.kind_by_code(b.kind)
    d.h1(f"第三部分 {y} 年{b.label}公开表")
    d.tag("tables_part")
    all_items = resolve_func(m.func_items(), a)
    gpb_items = resolve_func(m.func_items(gpb_only=True), a)
    n = 0

    def sec(name):
        nonlocal n
        n += 1
        d.h2(f"{cn(n)}、{name}")

    # 1. 收支总表
    sec(heading(b, W.SUMMARY_TABLE))
    col = kind.column
    inc = [("一、一般公共预算拨款收入", m.gpb), ("二、政府性基金预算拨款收入", 0), ("三、国有资本经营预算拨款收入", 0),
           ("四、财政专户管理资金收入", 0), ("五、事业收入", m.service_income), ("六、事业单位经营收入", 0),
           ("七、上级补助收入", 0), ("八、附属单位上缴收入", 0), ("九、其他收入", m.other_income)]
    classes = {c: sum(v) for c, v in tree(all_items) if len(c) == 3}
    exp = [(f"{cn(i)}、{V.SUMMARY_CLASS_NAMES[c]}", classes.get(c, 0)) for i, c in enumerate(V.SUMMARY_CLASSES, 1)]
    body = side_by_side(inc, exp, f)
    carry_out = m.carry_out
    body.append([W.INCOME.label, f.cell(m.income), W.EXPENDITURE.label, f.cell(m.total)])
    body.append([W.CARRY_OVER_ROW.title(b.kind), f.cell(m.carry_in),
                 W.CARRY_FORWARD_ROW.title(b.kind), f.cell(carry_out)])
    body.append(["收 入 总 计", f.cell(m.income + m.carry_in), "支 出 总 计", f.cell(m.total + carry_out)])
    d.table(b.tab(W.SUMMARY_TABLE.title(b.kind),
                  [["收 入", "<", "支 出", "<"], ["项 目", col, "项 目", col]], body, numeric_from=1,
                  widths=[0.32, 0.18, 0.32, 0.18], role="summary"))

    # 2. 收入总表 (by unit, shows the codes)
    sec(heading(b, W.INCOME_TABLE))
    hdr = [["单位代码", "单位名称", "合计", W.CURRENT_INCOME, "<", "<", "<", W.CARRY_OVER_ROW.title(b.kind)],
           ["^", "^", "^", "小计", W.GPB, W.SERVICE_INCOME, W.OTHER_INCOME, "^"]]
    vals = [m.income + m.carry_in, m.income, m.gpb, m.service_income, m.other_income, m.carry_in]
    body = [["", "合计"] + [f.cell(v) for v in vals],
            [a.parent_code, a.parent] + [f.cell(v) for v in vals],
            [a.unit_code, a.name] + [f.cell(v) for v in vals]]
    d.table(b.tab(W.INCOME_TABLE.title(b.kind), hdr, body,
                  widths=[0.1, 0.26, 0.11, 0.11, 0.11, 0.1, 0.1, 0.11], role="income"))

    # 3. 支出总表 -> truth functional lines
    sec(heading(b, W.EXPENDITURE_TABLE))
    w = len(code_cells(b, "2080101"))
    hdr = [code_header(b, 0)[0] + ["科目名称", W.EXPENDITURE.label if final else "合计", W.BASIC.label, W.PROJECT.label]]
    if b.split_codes:
        hdr.append(["类", "款", "项", "^", "^", "^", "^"])
    defect = b.defect if b.defect in ("row_basic_project", "parent_children") else None
    body, b.functional_lines = func_rows(b, all_items, "bp", defect)
    d.table(b.tab(W.EXPENDITURE_TABLE.title(b.kind), hdr, body, numeric_from=w + 1,
                  widths=([0.07] * 3 if w == 3 else [0.12]) + [0.4, 0.16, 0.16, 0.16], role="functional", code_width=w))

    # 4. 财政拨款收支总表: the fiscal grants (the 一般公共预算 income the 收支总表 prints; no 政府性基金
    # or 国有资本 grants) against what the 一般公共预算支出表 spends, by class
    sec(heading(b, W.FISCAL_SUMMARY_TABLE))
    d.table(fiscal_summary(b, gpb_items))

    # 5. 一般公共预算支出表 (GPB only; for a final account with 年初预算数 beside 决算数)
    if final:
        sec(W.GPB_EXPENDITURE_TABLE.final)
        plan_rows = dict(tree(resolve_func(b.plan.func_items(gpb_only=True), a)))
        act_rows = tree(gpb_items)
        hdr = [["科目编码", "科目名称", W.OPENING_BUDGET_COLUMN, "<", "<", W.FINAL_ACCOUNT.column, "<", "<"],
               ["^", "^", "合计", W.BASIC.label, W.PROJECT.label, "合计", W.BASIC.label, W.PROJECT.label]]
        body = []
        codes = sorted(set(plan_rows) | {c for c, _ in act_rows})
        act = dict(act_rows)
        tp = [0, 0, 0, 0]
        ta = [0, 0, 0, 0]
        for code in codes:
            pv = plan_rows.get(code, [0, 0, 0, 0])
            av = act.get(code, [0, 0, 0, 0])
            if len(code) == 3:
                tp = [x + y_ for x, y_ in zip(tp, pv, strict=True)]
                ta = [x + y_ for x, y_ in zip(ta, av, strict=True)]
            body.append([code, V.FUNC_NAMES[code], f.cell(sum(pv)), f.cell(pv[0] + pv[1]), f.cell(pv[2]),
                         f.cell(sum(av)), f.cell(av[0] + av[1]), f.cell(av[2])])
        body.insert(0, ["", "合计", f.cell(sum(tp)), f.cell(tp[0] + tp[1]), f.cell(tp[2]),
                        f.cell(sum(ta)), f.cell(ta[0] + ta[1]), f.cell(ta[2])])
        d.table(b.tab(W.GPB_EXPENDITURE_TABLE.final, hdr, body,
                      widths=[0.09, 0.25, 0.11, 0.11, 0.11, 0.11, 0.11, 0.11], role="gpb_functional", code_width=1))
    else:
        sec(W.GPB_EXPENDITURE_TABLE.budget)
        hdr = [["科目编码", "科目名称", "合计", W.BASIC.label, "<", "<", W.PROJECT.label],
               ["^", "^", "^", "小计", W.PERSONNEL.label, W.PUBLIC.label, "^"]]
        split, b.split_codes = b.split_codes, False
        body, _ = func_rows(b, gpb_items, "bpp", None)
        b.split_codes = split
        d.table(b.tab(W.GPB_EXPENDITURE_TABLE.budget, hdr, body, widths=[0.11, 0.33, 0.12, 0.11, 0.11, 0.11, 0.11],
                      role="gpb_functional", code_width=1))

    # 6. 基本支出表 -> truth economic lines
    sec(W.GPB_BASIC_TABLE.title(b.kind))
    econ_rows = tree({k: [v if k[:3] != "302" else 0, v if k[:3] == "302" else 0] for k, v in m.econ.items()}, levels=(3,))
    bad = None
    if b.defect == "econ_sum":
        bad = "302"
    delta = b.q * b.r.choice([100, 1000, 2500])
    body = [["", "合计", f.cell(m.basic), f.cell(m.personnel), f.cell(m.public)]]
    b.economic_lines = []
    for code, (pers, pub) in econ_rows:
        tot = pers + pub
        if code == bad:
            pub += delta
            tot += delta
            b.inconsistencies.append({"what": f"经济分类科目 302（商品和服务支出）{f.text(tot)} 与其明细科目之和不等，"
                                      f"相差 {f.text(delta)}。", "where": W.GPB_BASIC_TABLE.budget})
        body.append([code, V.ECON_NAMES[code], f.cell(tot), f.cell(pers), f.cell(pub)])
        b.economic_lines.append({"code": code, "name": V.ECON_NAMES[code], "total": jnum(tot)})
    d.table(b.tab(W.GPB_BASIC_TABLE.title(b.kind),
                  [[W.ECONOMIC_CLASSIFICATION, "<", f"本年{W.GPB}{W.BASIC.label}", "<", "<"],
                   ["科目编码", "科目名称", "合计", W.PERSONNEL.label, W.PUBLIC.label]], body,
                  widths=[0.13, 0.39, 0.16, 0.16, 0.16], role="economic", code_width=1))

    # 7. 三公
    qt = b.quote
    sec(f"{W.GPB}{qt}经费支出{W.FINAL_ACCOUNT.word if final else ''}表")
    t = m.three
    total = b.three_total()
    if total != sum(t.values()):
        b.inconsistencies.append({"what": f"{qt}经费合计 {f.text(total)} 不等于{W.ABROAD.label}、{W.VEHICLES.label}、"
                                  f"{W.RECEPTION.label}之和 {f.text(sum(t.values()))}。",
                                  "where": f"{W.THREE_PUBLIC_TABLE.budget.format(quote=qt)}; 第二部分{qt}经费说明"})
    row = [f.cell(total), f.cell(t["abroad"]), f.cell(t["car_buy"] + t["car_run"]), f.cell(t["car_buy"]),
           f.cell(t["car_run"]), f.cell(t["reception"])]
    hdr = [[f"{qt}经费合计", W.ABROAD.label, W.VEHICLES.label, "<", "<", W.RECEPTION.label],
           ["^", "^", "小计", W.VEHICLE_PURCHASE.label, W.VEHICLE_OPERATION.label, "^"]]
    if final:
        pt = b.plan.three
        prow = [f.cell(sum(pt.values())), f.cell(pt["abroad"]), f.cell(pt["car_buy"] + pt["car_run"]),
                f.cell(pt["car_buy"]), f.cell(pt["car_run"]), f.cell(pt["reception"])]
        hdr = [["项目"] + hdr[0], ["^"] + hdr[1]]
        body = [[W.BUDGET.column] + prow, [W.FINAL_ACCOUNT.column] + row]
        d.table(b.tab(W.THREE_PUBLIC_TABLE.final.format(quote=qt), hdr, body, numeric_from=1, role="three_public"))
    else:
        if sub_rng(b.w.seed, "three_layout", a.idx, y).random() < 0.25:
            # the other common layout: one line per item, the parts indented under 合计
            body = [["合计", row[0]], [f"1、{W.ABROAD.label}", row[1]], [f"2、{W.VEHICLES.label}", row[2]],
                    [f"其中：{W.VEHICLE_PURCHASE.label}", row[3]], [W.VEHICLE_OPERATION.label, row[4]],
                    [f"3、{W.RECEPTION.label}", row[5]]]
            d.table(b.tab(W.THREE_PUBLIC_TABLE.budget.format(quote=qt), [["项目", W.BUDGET.column]], body, numeric_from=1,
                          widths=[0.6, 0.4], role="three_public"))
        else:
            d.table(b.tab(W.THREE_PUBLIC_TABLE.budget.format(quote=qt), hdr, [row], numeric_from=0, role="three_public"))

    # 8. 政府性基金 (empty, as most units have none)
    sec(W.GOV_FUND_TABLE.title(b.kind))
    d.table(b.tab(W.GOV_FUND_TABLE.budget, [["科目编码", "科目名称", "本年政府性基金预算支出", "<", "<"],
                                           ["^", "^", "合计", W.BASIC.label, W.PROJECT.label]], [],
                  note="备注：本单位无政府性基金预算支出，此表为空表。", role="gov_fund"))

    # 9. 项目支出表 -> truth projects (+ basis column links)
    sec(W.PROJECT_TABLE.title(b.kind))
    plan_amt = {p.name: p.amount for p in b.plan.projects}
    basis = b.basis_column and any(p.policies for p in m.projects)
    if final:
        hdr = [["项目分类", "项目名称", W.OPENING_BUDGET_COLUMN, W.FINAL_ACCOUNT.column] + (["政策依据"] if basis else [])]
    else:
        hdr = [["项目分类", "项目名称", "合计", "本年拨款", "<", W.CARRIED_OVER] + (["政策依据"] if basis else []),
               ["^", "^", "^", W.GPB, W.SERVICE_INCOME, "^"] + (["^"] if basis else [])]
    body = [["", "合计"] + ([f.cell(sum(plan_amt.get(p.name, 0) for p in m.projects)), f.cell(m.project)] if final else
                           [f.cell(m.project), f.cell(m.project - m.service_income - m.carry_in),
                            f.cell(m.service_income), f.cell(m.carry_in)]) + ([""] if basis else [])]
    for p in m.projects:
        cells = ([f.cell(plan_amt.get(p.name, 0)), f.cell(p.amount)] if final else
                 [f.cell(p.amount), f.cell(p.amount - p.service - p.carry), f.cell(p.service), f.cell(p.carry)])
        cite = ""
        if basis and p.policies:
            cite = "；".join(b.cite(pol) for pol in p.policies)
            for pol in p.policies:  # the basis cell of the project's own row
                b.links.append({"policy": pol.number, "project": p.name, "evidence": cite})
        body.append([p.category, p.name] + cells + ([cite] if basis else []))
    widths = ([0.12, 0.34, 0.14, 0.14] + ([0.26] if basis else [])) if final else \
        ([0.1, 0.26, 0.1, 0.11, 0.1, 0.1] + ([0.23] if basis else []))
    tw = sum(widths)
    d.table(b.tab(W.PROJECT_TABLE.title(b.kind), hdr, body,
                  widths=[x / tw for x in widths], role="project"))

    # 10. 政府采购
    pr = m.procurement
    if sum(pr.values()):
        sec(W.PROCUREMENT_TABLE.title(b.kind))
        body = [["合计", f.cell(sum(pr.values()))], ["货物", f.cell(pr["goods"])], ["服务", f.cell(pr["services"])],
                ["工程", f.cell(pr["works"])]]
        d.table(b.tab(W.PROCUREMENT_TABLE.title(b.kind),
                      [["采购类别", kind.column]], body, numeric_from=1, widths=[0.5, 0.5], role="procurement"))
