"""Ground truth: what one disclosure states, in ../shared/eval/GOLD-SCHEMA.md form (written
from the record the disclosure kept while it printed), and the question/answer and search cases
a corpus's truths answer (../shared/eval/score_queries.py form)."""

from __future__ import annotations

from decimal import Decimal

from data.disclosure import Disclosure
from data.money import jnum
from data.world import sub_rng
from kg import vocab as W


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
    }


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
