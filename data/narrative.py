"""Parts one, two and four of a disclosure in prose: contents, the agency overview, the
explanation of the year's figures (budget or final account, with project paragraphs that cite
their policies and the performance table), and the glossary."""

from __future__ import annotations

from data import vocab as V
from data.disclosure import Disclosure
from data.document import cn
from data.money import ProjectYear, pct, resolve_func, tree
from kg import vocab as W

# Head-count wordings the prose uses (kg.vocab lists every one extraction reads).
_QUOTA = W.AUTHORIZED_STAFF.text[2]  # 核定编制
_ACTUAL = W.ACTUAL_STAFF.label  # 实有人数
_ACTUAL_STAFF = W.ACTUAL_STAFF.text[2]  # 在职人员
_RETIRED = W.RETIRED_STAFF.text[0]  # 离退休人员


def contents(b: Disclosure):
    d = b.doc
    d.h2("目 录")
    parts = [f"第一部分 {b.org}概况", f"第二部分 {b.year} 年{b.label}情况说明",
             f"第三部分 {b.year} 年{b.label}公开表", "第四部分 名词解释"]
    for t in parts:
        d.p(t)


def overview(b: Disclosure):
    a, d, r = b.a, b.doc, b.r
    d.h1(f"第一部分 {b.org}概况")
    d.h2("一、主要职责及机构设置情况")
    d.h3("（一）主要职责")
    duties = a.duties[:]
    first = len(d.blocks)
    for i, t in enumerate(duties, 1):
        d.p(f"{i}、{t}{'。' if i == len(duties) else '；'}")
    if r.random() < 0.25:  # a page break in the middle of a duty, as in converted exports
        k = r.randrange(first, len(d.blocks))
        text = d.blocks[k][1]
        d.breaks[k] = r.randint(len(text) // 3, 2 * len(text) // 3)
    d.form_feeds = r.random() < 0.3
    d.h3("（二）机构设置情况")
    nature = {"行政": "行政单位", "参公": "参照公务员法管理的事业单位", "事业": "公益一类事业单位"}[a.nature]
    parent_ref = a.parent
    where = ""
    if r.random() < 0.5:
        where = f"位于{a.province}{a.place}，"
        b.province_named = True
    if r.random() < 0.4:
        alias = a.parent_aliases[0]
        b.parent_alias_used.append(alias)
        extra = f"业务上接受{alias}的领导和监督。"
    else:
        extra = ""
    # each units paragraph is tagged with the length of the sentence before its list, which the
    # unit-list layouts keep (it introduces the short name and the parent)
    if r.random() < 0.6:
        head = f"{b.intro_name()}{where}是{parent_ref}所属{nature}，单位代码 {a.unit_code}。{extra}"
        d.p(head + f"内设机构 {len(a.units)} 个，具体如下：")
        d.tag("units", len(head))
        for i, (u, desc) in enumerate(a.units, 1):
            d.p(f"{i}、{u}：{desc}。")
            d.tag("units_item")
    else:
        names = "、".join(u for u, _ in a.units)
        head = f"{b.intro_name()}{where}为{parent_ref}下属{nature}。{extra}"
        d.p(head + f"根据工作需要，单位内设{names}，共 {len(a.units)} 个内设机构。")
        d.tag("units", len(head))
    d.h2(f"二、{b.label}单位构成")
    d.p(f"纳入{a.name} {b.year} 年{b.label}编制范围的单位只有本级 1 个，无下属单位。")
    d.h2("三、人员构成")
    auth, act, ret = b.m.staff
    kind = {"行政": W.AUTHORIZED_STAFF.text[6], "参公": "参公编制", "事业": W.AUTHORIZED_STAFF.text[5]}[a.nature]
    lix = min(ret, r.choice([0, 0, 1]))
    if r.random() < 0.5:
        d.p(f"{b.aliases[0] if b.aliases else a.name}{_QUOTA} {auth} 名，其中{kind} {auth} 名；在职{_ACTUAL} {act} 人。"
            f"{_RETIRED} {ret} 人，其中：离休 {lix} 人，退休 {ret - lix} 人。")
    else:
        d.p(f"截至{b.year - (1 if b.kind == 'budget' else 0)}年底，本单位{W.AUTHORIZED_STAFF.label} {auth} 人，"
            f"实有{_ACTUAL_STAFF} {act} 人，{_RETIRED} {ret} 人。")


def change(b: Disclosure, now: int, before: int) -> str:
    f = b.fmt
    if now == before:
        return "与上年持平"
    word, rate = ("增加", "增长") if now > before else ("减少", "下降")
    return f"比上年{word} {f.text(abs(now - before))}，{rate}{pct(abs(now - before), before)}"


def project_sentences(b: Disclosure, projects: list[ProjectYear], final: bool):
    """One paragraph per project; policies tied by 根据/依据/按照 … in the same sentence."""
    d, f, r = b.doc, b.fmt, b.r
    plan_amounts = {p.name: p.amount for p in b.plan.projects}
    for i, p in enumerate(projects, 1):
        name = b.pname(p)
        if final:
            money = f"{W.OPENING_BUDGET} {f.text(plan_amounts.get(p.name, 0))}，全年实际支出 {f.text(p.amount)}"
        else:
            money = f"安排预算 {f.text(p.amount)}"
        d.h3(f"（{cn(i)}）{name}")
        # with a basis column, half the projects leave the citation to the table
        if not p.policies or (b.basis_column and r.random() < 0.5):
            d.p(f"{name}{money}，主要用于{p.purpose or '相关工作'}。")
            continue
        cites = [b.cite(pol) for pol in p.policies]
        joined = "和".join(cites)
        # style 3 ties through "该项目" in the next sentence: rarer and harder
        style = r.choices(range(4), [3, 3, 3, 1])[0]
        if style == 0:
            sent = f"根据{joined}文件精神，{name}{money}，主要用于{p.purpose}。"
        elif style == 1:
            sent = f"{name}{money}，依据{joined}文件测算，主要用于{p.purpose}。"
        elif style == 2:
            sent = f"按照{joined}的要求，{name}{money}，用于{p.purpose}。"
        else:
            sent = f"{name}{money}。该项目的设立依据为{joined}，资金用于{p.purpose}。"
        d.p(sent)
        ev = sent
        for pol in p.policies:
            b.links.append({"policy": pol.number, "project": p.name, "evidence": ev})


def budget_text(b: Disclosure):
    a, d, f, m, r, y = b.a, b.doc, b.fmt, b.m, b.r, b.year
    pm = b.prev
    d.h1(f"第二部分 {y} 年{b.label}情况说明")
    d.h2("一、预算收支安排及增减变化情况")
    law = b.law(r.choice(V.COMMON_LAWS[:2]))
    gp = a.general_policies[0]
    d.p(f"根据{law}和{b.cite(gp)}有关规定，本单位全部收入和支出均纳入{W.scope_kind(W.DEPARTMENT, W.BUDGET)}管理。")
    inc = [f"一般公共预算拨款收入 {f.text(m.gpb)}"]
    if m.service_income:
        inc.append(f"事业收入 {f.text(m.service_income)}")
    carry = f"另有{W.CARRY_OVER.label} {f.text(m.carry_in)}，{W.GRAND_INCOME.label} {f.text(m.total)}。" if m.carry_in else ""
    d.p(f"1. 预算收入情况：{y} 年{W.INCOME.label} {f.text(m.income)}，{change(b, m.income, pm.income)}。"
        f"其中：{'，'.join(inc)}。{carry}")
    d.tag("income")
    reserve = f"；{W.RESERVE} {f.text(m.reserve_total)}，占 {pct(m.reserve_total, m.total)}" if m.reserve_total else ""
    d.p(f"2. 预算支出情况：{y} 年{W.EXPENDITURE.label} {f.text(m.total)}，{change(b, m.total, pm.total)}。"
        f"其中：{W.BASIC.label} {f.text(m.basic)}，占 {pct(m.basic, m.total)}；{W.PROJECT.label} {f.text(m.project)}，"
        f"占 {pct(m.project, m.total)}{reserve}。")
    d.p(f"{W.BASIC.label}中，{W.PERSONNEL.label} {f.text(m.personnel)}，主要用于{_ACTUAL_STAFF}{W.PERSONNEL.cells[2]}、"
        f"社会保障缴费和{_RETIRED}补助；{W.PUBLIC.label} {f.text(m.public)}，用于办公、水电、差旅等日常运转开支。")
    classes = tree(resolve_func(m.func_items(), a))
    cl = [(c, v) for c, v in classes if len(c) == 3]
    d.p("按支出功能分类：" + "，".join(f"{V.FUNC_NAMES[c]} {f.text(sum(v))}，占 {pct(sum(v), m.total)}" for c, v in cl)
        + f"。增减变化的主要原因是{r.choice(V.SPENDING_REASONS)}。")
    op = W.OPERATING.label
    d.h2(f"二、{op}预算安排情况")
    if a.nature == "事业":
        d.p(f"{a.name}为事业单位，不属于{op}统计范围，{y} 年未单独安排{op}预算。")
    else:
        d.p(f"{y} 年{op}预算 {f.text(m.public)}，{change(b, m.public, pm.public)}。主要用于办公费、"
            "印刷费、水电费、邮电费、差旅费和公务用车运行维护等支出。")
    three_text(b, budget=True, number="三")
    procurement = W.PROCUREMENT.label
    d.h2(f"四、{procurement}安排情况")
    pr = m.procurement
    tot = sum(pr.values())
    if tot:
        d.p(f"{y} 年安排{procurement} {f.text(tot)}，其中：货物类 {f.text(pr['goods'])}，服务类 {f.text(pr['services'])}，"
            f"工程类 {f.text(pr['works'])}。采购活动依照{b.law(V.PROCUREMENT_LAW)}组织实施。")
    else:
        d.p(f"{y} 年本单位未安排{procurement}。")
    d.h2("五、国有资产占用情况")
    d.p(f"截至 {y - 1} 年 12 月 31 日，本单位共有公务用车 {a.vehicles} 辆，单位价值 50 万元以上的通用设备 0 台（套）。")
    d.h2(f"六、{W.PROJECT.label}{W.BUDGET.word}情况")
    d.p(f"{y} 年共安排项目 {len(m.projects)} 个，{W.PROJECT.label}合计 {f.text(m.project)}。主要项目如下：")
    project_sentences(b, m.projects, final=False)
    performance_table(b, "七", final=False)


def three_text(b: Disclosure, budget: bool, number: str):
    d, f, m, y, qt = b.doc, b.fmt, b.m, b.year, b.quote
    t = m.three
    car = t["car_buy"] + t["car_run"]
    total = b.three_total()
    d.h2(f"{number}、{qt}经费{W.BUDGET.word if budget else '支出' + W.FINAL_ACCOUNT.word}情况")
    abroad, vehicles, reception = W.ABROAD.label, W.VEHICLES.label, W.RECEPTION.label
    if budget:
        pt = sum(b.prev.three.values())
        d.p(f"{y} 年一般公共预算安排{qt}经费 {f.text(total)}，{change(b, total, pt)}。其中：{abroad} "
            f"{f.text(t['abroad'])}；{vehicles} {f.text(car)}（其中{W.VEHICLE_PURCHASE.label} {f.text(t['car_buy'])}，"
            f"{W.VEHICLE_OPERATION.label} {f.text(t['car_run'])}）；{reception} {f.text(t['reception'])}。")
    else:
        pt = sum(b.plan.three.values())
        outturn = "支出" + W.FINAL_ACCOUNT.word
        d.p(f"{y} 年度{qt}经费{W.FISCAL_GRANT}支出预算为 {f.text(pt)}，{outturn}为 {f.text(total)}，完成预算的 "
            f"{pct(total, pt) if pt else '0%'}。其中：{abroad}{outturn} {f.text(t['abroad'])}；{vehicles}{outturn} "
            f"{f.text(car)}；{reception}{outturn} {f.text(t['reception'])}。{W.FINAL_ACCOUNT.column}小于{W.BUDGET.column}"
            f"的主要原因是严格执行{b.law('党政机关厉行节约反对浪费条例')}，压减了接待和用车开支。")


def final_text(b: Disclosure):
    a, d, f, m, r, y = b.a, b.doc, b.fmt, b.m, b.r, b.year
    plan = b.plan
    d.h1(f"第二部分 {y} 年度{b.label}情况说明")
    d.h2("一、收入支出决算总体情况说明")
    d.p(f"{y} 年度{W.GRAND_INCOME.label} {f.text(m.income + m.carry_in)}，{W.GRAND_EXPENDITURE.label} "
        f"{f.text(m.total + m.carry_out)}。其中：{W.INCOME.label} {f.text(m.income)}，{W.CARRY_OVER_ROW.final} "
        f"{f.text(m.carry_in)}；{W.EXPENDITURE.label} {f.text(m.total)}，{W.CARRY_FORWARD_ROW.final} {f.text(m.carry_out)}。")
    d.h2("二、收入决算情况说明")
    parts = [f"财政拨款收入 {f.text(m.gpb)}，占 {pct(m.gpb, m.income)}"]
    if m.service_income:
        parts.append(f"事业收入 {f.text(m.service_income)}，占 {pct(m.service_income, m.income)}")
    if m.other_income:
        parts.append(f"其他收入 {f.text(m.other_income)}，占 {pct(m.other_income, m.income)}")
    d.p(f"{W.INCOME.label} {f.text(m.income)}，其中：{'；'.join(parts)}。")
    d.tag("income")
    d.h2("三、支出决算情况说明")
    d.p(f"{W.EXPENDITURE.label} {f.text(m.total)}，其中：{W.BASIC.label} {f.text(m.basic)}，占 {pct(m.basic, m.total)}；"
        f"{W.PROJECT.label} {f.text(m.project)}，占 {pct(m.project, m.total)}。")
    d.h2("四、一般公共预算财政拨款支出决算情况说明")
    pg = plan.total - plan.service_income
    ag = m.total - m.service_income
    opening = W.OPENING_BUDGET
    d.p(f"{y} 年度一般公共预算财政拨款支出{opening}为 {f.text(pg)}，支出决算为 {f.text(ag)}，完成{opening}的 {pct(ag, pg)}。"
        f"{W.FINAL_ACCOUNT.column}与{W.OPENING_BUDGET_COLUMN}存在差异的主要原因是{r.choice(V.SPENDING_REASONS)}。")
    d.h2(f"五、一般公共预算财政拨款{W.BASIC.label}决算情况说明")
    d.p(f"{y} 年度一般公共预算财政拨款{W.BASIC.label} {f.text(m.basic)}，其中：{W.PERSONNEL.label} {f.text(m.personnel)}，"
        f"主要包括基本工资、津贴补贴、奖金、社会保障缴费、住房公积金和退休费等；{W.PUBLIC.label} {f.text(m.public)}，"
        "主要包括办公费、印刷费、水电费、差旅费、维修（护）费和工会经费等。")
    three_text(b, budget=False, number="六")
    op = W.OPERATING.label
    d.h2(f"七、{op}支出情况说明")
    if a.nature == "事业":
        d.p(f"本单位为事业单位，不统计{op}，{y} 年度无{op}支出。")
    else:
        d.p(f"{y} 年度{op}支出 {f.text(m.public)}，比{W.OPENING_BUDGET}{'增加' if m.public >= plan.public else '减少'} "
            f"{f.text(abs(m.public - plan.public))}。")
    gp = W.PROCUREMENT_WORD
    d.h2(f"八、{gp}支出情况说明")
    pr = m.procurement
    tot = sum(pr.values())
    if tot:
        d.p(f"{y} 年度{gp}支出总额 {f.text(tot)}，其中：{gp}货物支出 {f.text(pr['goods'])}，{gp}服务支出 "
            f"{f.text(pr['services'])}，{gp}工程支出 {f.text(pr['works'])}。")
    else:
        d.p(f"{y} 年度本单位无{gp}支出。")
    d.h2("九、国有资产占用情况说明")
    d.p(f"截至 {y} 年 12 月 31 日，本单位共有车辆 {a.vehicles} 辆。")
    d.h2(f"十、{W.PROJECT.label}决算及绩效情况说明")
    d.p(f"按照{b.cite(a.general_policies[1])}的要求，本单位对 {y} 年度{W.PROJECT.label}开展了绩效自评。具体情况如下：")
    project_sentences(b, m.projects, final=True)
    performance_table(b, "十一", final=True)


def performance_table(b: Disclosure, number: str, final: bool):
    """绩效目标表 / 绩效自评表 in part two for some documents; the text export sometimes
    carries <p> fragments in its cells, as exports converted from web pages do."""
    d, f, r, m = b.doc, b.fmt, b.r, b.m
    if not m.projects or r.random() > 0.4:
        return
    html = r.random() < 0.5
    plan_amt = {p.name: p.amount for p in b.plan.projects}
    rows = []
    for p in m.projects:
        use = p.purpose or "保障相关工作顺利开展"
        aim = (f"<p>1、{use}；</p> <p>2、确保资金专款专用、按时支付。</p>" if html else f"{use}，确保资金专款专用。")
        if final:
            plan = plan_amt.get(p.name, 0)
            rows.append([b.pname(p), f.cell(plan), f.cell(p.amount), pct(p.amount, plan) if plan else "",
                         str(r.randint(85, 99))])
        else:
            rows.append([b.pname(p), r.choice(["常年性项目", "常年性项目", "一次性项目"]), f.cell(p.amount), aim])
    d.h2(f"{number}、{W.PROJECT.label + '绩效自评情况' if final else '重点项目绩效目标情况'}")
    if final:
        d.table(b.tab(f"{W.PROJECT.label}绩效自评表", [["项目名称", W.OPENING_BUDGET_COLUMN, "全年执行数", "执行率", "自评得分"]], rows,
                      numeric_from=1, widths=[0.36, 0.16, 0.16, 0.16, 0.16], role="performance"))
    else:
        d.table(b.tab("部门整体绩效目标表", [["项目名称", "项目类型", "本年度预算", "主要支出方向和用途"]], rows,
                      widths=[0.28, 0.14, 0.14, 0.44], role="performance"))


def glossary(b: Disclosure):
    d = b.doc
    d.h1("第四部分 名词解释")
    items = V.GLOSSARY[:]
    b.r.shuffle(items)
    for i, (k, v) in enumerate(sorted(items[:5], key=V.GLOSSARY.index), 1):
        d.p(f"{cn(i)}、{k}：{v}")
