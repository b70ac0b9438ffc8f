"""Ground truth: what one disclosure states, in ../shared/eval/GOLD-SCHEMA.md form (written
from the record the disclosure kept while it printed), and the question/answer and search cases
a corpus's truths answer (../shared/eval/score_queries.py form)."""

from __future__ import annotations

from decimal import Decimal

from data import vocab as V
from data.disclosure import Disclosure
from data.money import jnum
from data.world import sub_rng
from kg import vocab as W


def gov_econ_code(b: Disclosure, code: str) -> str:
    """The 政府预算支出经济分类 code a department economic code falls under (class or item)."""
    public_service = b.a.nature == "事业"
    if len(code) == 3:
        return {"301": "505" if public_service else "501", "302": "505" if public_service else "502"}.get(code, "509")
    if public_service and code[:3] in ("301", "302"):
        return "50501" if code[:3] == "301" else "50502"
    return V.DEPT_TO_GOV_ECON[code]


def extensions(b: Disclosure) -> dict:
    """What a family corpus records beyond GOLD-SCHEMA (truth "extensions"): the reserve, the
    income sources, 会议费/培训费, the government economic lines and each project's 立项依据,
    quarterly 用款计划 and performance targets. Drawn from a stream of its own, once per document,
    so every family of the document prints the same."""
    if "_extensions" in b.__dict__:
        return b.__dict__["_extensions"]
    m, r = b.m, sub_rng(b.w.seed, "extensions", b.a.idx, b.year, b.kind)
    gov: dict[str, int] = {}
    for code, v in m.econ.items():
        for c in (gov_econ_code(b, code[:3]), gov_econ_code(b, code)):
            gov[c] = gov.get(c, 0) + v
    projects = []
    for p in m.projects:
        quarterly = None
        if b.kind == "budget":
            w = [r.uniform(0.5, 1.5) for _ in range(4)]
            parts = [int(p.amount * x / sum(w) / b.q) * b.q for x in w[:3]]
            quarterly = [jnum(x) for x in parts + [p.amount - sum(parts)]]
        topic = p.name[:-2] if p.name.endswith(("经费", "资金", "项目")) else p.name
        targets = []
        for level1, level2, indicator, value in r.sample(V.PERFORMANCE_INDICATORS, 3):
            targets.append({"level1": level1, "level2": level2, "indicator": indicator.format(topic=topic),
                            "value": value.format(n=r.choice([80, 85, 90, 95, 98]))})
        projects.append({"name": p.name, "basis": [pol.number for pol in p.policies], "quarterly": quarterly,
                         "targets": targets})
    out = {
        "reserve": jnum(m.reserve_total),
        # the reserves of the year's budget (a final account's 年初预算数) and of the year before
        # (a budget's 比上年 changes)
        "plan_reserve": jnum(b.plan.reserve_total), "previous_reserve": jnum(b.prev.reserve_total),
        "reserve_lines": [{"code": c, "name": V.FUNC_NAMES[c], "total": jnum(v)} for c, v in sorted(m.reserve.items())],
        "income_sources": {"gpb": jnum(m.gpb), "special_account": jnum(m.special_account),
                           "service": jnum(m.service_income - m.special_account), "other": jnum(m.other_income)},
        "meeting_fee": jnum(m.econ.get("30215", 0)), "training_fee": jnum(m.econ.get("30216", 0)),
        "government_economic_lines": [{"code": c, "name": V.GOV_ECON_NAMES[c], "total": jnum(v)}
                                      for c, v in sorted(gov.items())],
        "projects": projects,
    }
    b.__dict__["_extensions"] = out
    return out


def truth(b: Disclosure) -> dict:
    a, m = b.a, b.m
    operating = None if a.nature == "事业" else jnum(m.public)
    # a provincial policy prefix (鄂…) makes the province unambiguous, as GOLD-SCHEMA says
    prov = a.province if (b.province_named or any(p["issuer_code"].startswith(a.prov_abbr)
                                                   for p in b.policies.values())) else None
    names = {p.name for p in m.projects}
    links, seen = [], set()
    for lk in b.links:
        k = (lk["policy"], lk["project"])
        if k not in seen and lk["project"] in names:
            seen.add(k)
            links.append(lk)
    return {
        "doc": f"{b.stem}.txt",
        "fiscal_year": b.year,
        "kind": b.kind,
        "agency": {
            "name": a.name, "aliases": b.aliases, "unit_code": a.unit_code, "city_or_county": a.place,
            "province": prov, "parent": a.parent, "parent_aliases": b.parent_alias_used,
            "parent_code": a.parent_code, "internal_units": [u for u, _ in a.units],
            "staff": {"authorized": m.staff[0], "actual": m.staff[1], "retired": m.staff[2]},
        },
        "totals": {
            "income": jnum(m.income), "expenditure": jnum(m.total), "basic": jnum(m.basic),
            "project": jnum(m.project), "personnel": jnum(m.personnel), "public": jnum(m.public),
            "three_public": jnum(b.three_total()), "operating": operating,
            "procurement": jnum(sum(m.procurement.values())),
        },
        "projects": [{"name": p.name, "amount": jnum(p.amount), "category": p.category,
                      "name_variants": b.variants.get(p.name, [])} for p in m.projects],
        "policies": list(b.policies.values()),
        "laws": b.laws,
        "policy_project_links": links,
        "functional_lines": b.functional_lines,
        "economic_lines": b.economic_lines,
        "inconsistencies": b.inconsistencies,
        # beyond GOLD-SCHEMA: facts the generator knows that help tests and benchmarks
        "synthetic": {
            "unit": a.unit, "carry_in": jnum(m.carry_in), "carry_out": jnum(m.carry_out),
            "sector_parent_code": a.parent_code, "defect": b.defect, "split_codes": b.split_codes,
            "basis_column": b.basis_column, "scope": b.scope,
        },
    } | ({"extensions": extensions(b)} if b.extended else {})


def eval_cases(truths: list[dict], seed: int, per_doc: int = 3) -> tuple[list[dict], list[dict]]:
    """Question/answer and search cases in ../shared/eval/score_queries.py format, answered
    from the ground truth of this corpus (every question names what makes it unambiguous:
    agency, year and budget vs final account)."""
    r = sub_rng(seed, "cases")
    qa: list[dict] = []
    search: list[dict] = []
    by_policy: dict[str, set[str]] = {}
    budgets: dict[tuple[str, int], dict] = {}
    for t in truths:
        for lk in t["policy_project_links"]:
            by_policy.setdefault(lk["policy"], set()).add(lk["project"])
        if t["kind"] == "budget":
            budgets[(t["agency"]["name"], t["fiscal_year"])] = t
    seen_agency: set[str] = set()
    for t in truths:
        ag, y, tot = t["agency"]["name"], t["fiscal_year"], t["totals"]
        budget = t["kind"] == "budget"
        what = f"{y}年预算" if budget else f"{y}年度决算"
        pool = [
            {"q": f"{ag}{what}的{W.INCOME.label}是多少？", "number_wan": tot["income"]},
            {"q": f"{ag}{what}的{W.EXPENDITURE.label}是多少？", "number_wan": tot["expenditure"]},
            {"q": f"{ag}{what}中{W.PROJECT.label}是多少？", "number_wan": tot["project"]},
            {"q": f"{ag}{what}中{W.BASIC.label}是多少？", "number_wan": tot["basic"]},
            {"q": f"{ag}{what}的{W.THREE_PUBLIC.label}是多少？", "number_wan": tot["three_public"]},
        ]
        for p in t["projects"]:
            pool.append({"q": f"{ag}{what}中{p['name']}{'安排了多少资金' if budget else '实际支出多少'}？",
                         "number_wan": p["amount"]})
        r.shuffle(pool)
        qa += pool[:per_doc]
        if ag not in seen_agency:
            seen_agency.add(ag)
            qa.append({"q": f"{ag}的主管部门是哪个单位？", "text_all": [t["agency"]["parent"]]})
            qa.append({"q": f"{ag}的{W.AUTHORIZED_STAFF.label}是多少？", "number": t["agency"]["staff"]["authorized"]})
        prev = budgets.get((ag, y - 1))
        if budget and prev:
            diff = Decimal(str(tot["expenditure"])) - Decimal(str(prev["totals"]["expenditure"]))
            qa.append({"q": f"{ag}{y}年预算支出比{y - 1}年变化了多少？", "number_wan": float(abs(diff))})
        for p in r.sample(t["projects"], min(2, len(t["projects"]))):
            search.append({"q": f"{ag}{what}{p['name']}", "doc": t["doc"], "key": p["name"]})
    for number in sorted(by_policy):
        qa.append({"q": f"哪些项目以{number}为依据？", "text_all": sorted(by_policy[number])})
    return qa, search
