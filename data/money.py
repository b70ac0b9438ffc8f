"""One agency-year's money and how a document prints it: the budget (年初预算) and the final
account derived from it, in whole yuan, with the functional and economic classification trees
the tables and the truth are summed from; amounts in 万元 or 元 as one document prints them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from data.vocab import FUNC_NAMES
from data.world import YEARS, Agency, Policy, sub_rng
from kg.vocab import WAN_YUAN, YUAN


def wan(yuan: int) -> Decimal:
    return Decimal(yuan) / 10000


def jnum(yuan: int) -> float | int:
    """A yuan amount as a 万元 JSON number, exact (GOLD-SCHEMA keeps every digit)."""
    d = wan(yuan)
    return int(d) if d == d.to_integral_value() else float(d)


@dataclass
class ProjectYear:
    name: str
    func: str
    category: str
    amount: int  # yuan, all funds
    service: int = 0  # part funded by 事业收入
    carry: int = 0  # part funded by 上年结转
    policies: list[Policy] = field(default_factory=list)
    purpose: str = ""


@dataclass
class YearMoney:
    econ: dict[str, int]  # 5-digit economic code -> yuan (basic expenditure)
    projects: list[ProjectYear]
    three: dict[str, int]  # abroad, car_buy, car_run, reception
    procurement: dict[str, int]  # goods, services, works
    staff: tuple[int, int, int]
    service_income: int
    other_income: int
    carry_in: int
    carry_out: int = 0  # final accounts only (年末结转和结余)
    # Components only family corpora draw (extend below); empty/zero in the default corpus.
    # 单位预留机动经费: budgeted money that is neither basic nor project expenditure, by functional 项.
    reserve: dict[str, int] = field(default_factory=dict)
    special_account: int = 0  # the part of service_income managed in a 财政专户

    @property
    def reserve_total(self) -> int:
        return sum(self.reserve.values())

    @property
    def personnel(self) -> int:
        return sum(v for k, v in self.econ.items() if k[:3] in ("301", "303"))

    @property
    def public(self) -> int:
        return sum(v for k, v in self.econ.items() if k[:3] == "302")

    @property
    def basic(self) -> int:
        return sum(self.econ.values())

    @property
    def project(self) -> int:
        return sum(p.amount for p in self.projects)

    @property
    def total(self) -> int:
        return self.basic + self.project + self.reserve_total

    @property
    def income(self) -> int:
        """本年收入合计: 本年收入 + 年初结转 = 本年支出 + 年末结转 (a budget has no 年末结转)."""
        return self.total - self.carry_in + self.carry_out

    @property
    def gpb(self) -> int:
        return self.income - self.service_income - self.other_income

    def func_items(self, gpb_only: bool = False) -> dict[str, list[int]]:
        """functional 项 code -> [personnel, public, project, reserve]: basic expenditure mapped by
        economic code onto the usual 项 (pension contributions to 2080505, …). The reserve is
        funded by the general public budget, so it stays in the gpb_only items."""
        items: dict[str, list[int]] = {}

        def add(code, i, v):
            if v:
                items.setdefault(code, [0, 0, 0, 0])[i] += v
        for code, v in self.econ.items():
            add(ECON_TO_FUNC.get(code, "_basic"), 1 if code.startswith("302") else 0, v)
        for p in self.projects:
            add(p.func, 2, p.amount - (p.service if gpb_only else 0))
        for code, v in self.reserve.items():
            add(code, 3, v)
        return items


ECON_TO_FUNC = {"30108": "2080505", "30109": "2080506", "30113": "2210201", "30302": "_retire",
                "30301": "_retire", "30110": "_medical", "30111": "2101103"}


def resolve_func(items: dict[str, list[int]], a: Agency) -> dict[str, list[int]]:
    admin = a.nature in ("行政", "参公")
    alias = {"_basic": a.basic_func, "_retire": "2080501" if admin else "2080502",
             "_medical": "2101101" if admin else "2101102"}
    out: dict[str, list[int]] = {}
    for code, vals in items.items():
        c = alias.get(code, code)
        acc = out.setdefault(c, [0] * len(vals))
        for k, v in enumerate(vals):
            acc[k] += v
    return out


def reserve_code(a: Agency) -> str:
    """Where a reserve is classified: the 款's "其他…支出" 项 where the list has one, else the
    agency's own running-cost 项."""
    other = a.basic_func[:5] + "99"
    return other if other in FUNC_NAMES else a.basic_func


def extend(seed: int, a: Agency, year: int, m: YearMoney, q: int, budget: bool) -> None:
    """Add what only family corpora carry, from a stream of its own (the default corpus never
    calls this, so its bytes do not move): a 单位预留机动经费 in half the budgets, and in
    documents with service income a share of it managed in a 财政专户."""
    r = sub_rng(seed, "extend", a.idx, year, "plan" if budget else "actual")

    def rq(x: float) -> int:
        return max(q, int(round(x / q)) * q)
    if budget and r.random() < 0.5:
        m.reserve = {reserve_code(a): rq(m.total * r.uniform(0.01, 0.1))}
    if m.service_income and r.random() < 0.7:
        m.special_account = min(m.service_income, rq(m.service_income * r.uniform(0.3, 0.8)))


def tree(leaves: dict[str, list[int]], levels=(3, 5)) -> list[tuple[str, list[int]]]:
    """Leaf rows plus every ancestor row (sums), in code order (208, 20801, 2080109, 20805…)."""
    rows: dict[str, list[int]] = {}
    for code, vals in leaves.items():
        for c in [code[:n] for n in levels if n < len(code)] + [code]:
            acc = rows.setdefault(c, [0] * len(vals))
            for k, v in enumerate(vals):
                acc[k] += v
    return sorted(rows.items())


def plan_money(seed: int, a: Agency, year: int, q: int) -> YearMoney:
    """The budget (年初预算) of one agency-year."""
    r = sub_rng(seed, "plan", a.idx, year)
    g = 1.0 + 0.04 * (year - YEARS[0])  # pay grows a little each year

    def rq(x: float) -> int:
        return max(0, int(round(x / q)) * q)
    actual = max(3, a.actual + r.randint(-1, 1) * (year - YEARS[0]))
    retired = a.retired + (year - YEARS[0]) * r.randint(0, 2)
    auth = a.authorized
    e: dict[str, int] = {}
    wage = actual * 10000 * g
    e["30101"] = rq(wage * r.uniform(3.2, 4.4))
    e["30102"] = rq(wage * r.uniform(2.0, 3.6))
    e["30103"] = rq(wage * r.uniform(0.4, 1.4))
    if a.nature == "事业":
        e["30107"] = rq(wage * r.uniform(1.5, 3.0))
    base = sum(e.values())
    e["30108"] = rq(base * 0.16)
    e["30109"] = rq(base * 0.08)
    e["30110"] = rq(base * r.uniform(0.06, 0.09))
    if a.nature != "事业" and r.random() < 0.6:
        e["30111"] = rq(base * 0.02)
    e["30112"] = rq(base * r.uniform(0.005, 0.015))
    e["30113"] = rq(base * 0.12)
    if r.random() < 0.7:
        e["30199"] = rq(wage * r.uniform(0.05, 0.3))
    public_items = {"30201": (0.3, 0.9), "30202": (0.05, 0.2), "30205": (0.02, 0.08), "30206": (0.1, 0.3),
                    "30207": (0.05, 0.2), "30209": (0.05, 0.3), "30211": (0.1, 0.5), "30213": (0.05, 0.3),
                    "30215": (0.02, 0.1), "30216": (0.03, 0.12), "30226": (0.05, 0.4), "30229": (0.05, 0.2),
                    "30239": (0.2, 0.7), "30299": (0.05, 0.4)}
    for code, (lo, hi) in public_items.items():
        if code in ("30201", "30211", "30228") or r.random() < 0.65:
            e[code] = rq(actual * 10000 * r.uniform(lo, hi))
    e["30228"] = rq((e["30101"] + e["30102"]) * 0.02)
    three = {"abroad": rq(r.uniform(20000, 60000)) if r.random() < 0.08 else 0,
             "car_buy": rq(r.uniform(120000, 250000)) if a.vehicles and r.random() < 0.12 else 0,
             "car_run": rq(a.vehicles * r.uniform(8000, 30000)),
             "reception": rq(r.uniform(2000, 30000)) if r.random() < 0.85 else 0}
    if three["abroad"]:
        e["30212"] = three["abroad"]
    if three["reception"]:
        e["30217"] = three["reception"]
    if three["car_run"]:
        e["30231"] = three["car_run"]
    if retired:
        e["30302"] = rq(retired * r.uniform(1500, 9000))
    if r.random() < 0.5:
        e["30305"] = rq(r.uniform(3000, 40000))
    if r.random() < 0.3:
        e["30307"] = rq(r.uniform(5000, 30000))
    e = {k: v for k, v in sorted(e.items()) if v > 0}

    projects = []
    cats = a.category_scheme
    for i, pd in enumerate(a.projects):
        if year < pd.first_year:
            continue
        amt = rq(pd.size * r.uniform(0.78, 1.3))
        # whole 万元 or tenths for round project amounts, as budgets usually are
        step = 10000 if pd.size >= 200000 and q == 100 else (1000 if q == 100 else 1)
        amt = max(step, amt // step * step)
        projects.append(ProjectYear(pd.name, pd.func, cats[i % len(cats)] if len(cats) > 1 and i % 3 == 2 else cats[0],
                                    amt, policies=pd.policies, purpose=pd.purpose))
    if three["car_buy"]:
        projects.append(ProjectYear("公务用车更新购置", a.basic_func, cats[0], three["car_buy"]))
    service = 0
    if a.service_income and projects:
        p = projects[0]
        p.service = rq(p.amount * r.uniform(0.1, 0.5))
        service = p.service
    carry = 0
    if r.random() < 0.15 and projects:
        p = projects[-1]
        p.carry = rq((p.amount - p.service) * r.uniform(0.2, 0.6))
        carry = p.carry
    other = 0
    procurement = {"goods": 0, "services": 0, "works": 0}
    if r.random() < 0.55:
        procurement = {"goods": rq(r.uniform(10000, 300000)), "services": rq(r.uniform(0, 500000)) if r.random() < 0.6 else 0,
                       "works": rq(r.uniform(100000, 800000)) if r.random() < 0.1 else 0}
    return YearMoney(e, projects, three, procurement, (auth, actual, retired), service, other, carry)


def actual_money(seed: int, a: Agency, year: int, q: int, plan: YearMoney) -> YearMoney:
    """The final account (决算数) of one agency-year, derived from its budget."""
    r = sub_rng(seed, "actual", a.idx, year)

    def rq(x: float) -> int:
        return max(0, int(round(x / q)) * q)
    e = {k: rq(v * r.uniform(0.9, 1.06)) for k, v in plan.econ.items()}
    three = {k: (rq(v * r.uniform(0.6, 1.0)) if v else 0) for k, v in plan.three.items()}
    for code, key in (("30212", "abroad"), ("30217", "reception"), ("30231", "car_run")):
        if code in e:
            e[code] = three[key]
    e = {k: v for k, v in e.items() if v > 0}
    projects = []
    for p in plan.projects:
        amt = rq(p.amount * r.uniform(0.55, 1.0))
        if amt <= 0:
            continue
        if p.name == "公务用车更新购置":
            amt = three["car_buy"]
            if not amt:
                continue
        svc = rq(amt * p.service / p.amount) if p.service else 0
        projects.append(ProjectYear(p.name, p.func, p.category, amt, svc, 0, p.policies, p.purpose))
    m = YearMoney(e, projects, three, {k: rq(v * r.uniform(0.7, 1.0)) for k, v in plan.procurement.items()},
                  plan.staff, sum(p.service for p in projects), rq(r.uniform(0, 20000)) if r.random() < 0.2 else 0,
                  0)
    m.carry_in = rq(r.uniform(0, 0.05) * m.total) if r.random() < 0.5 else 0
    m.carry_out = rq(r.uniform(0, 0.06) * m.total) if r.random() < 0.6 else 0
    return m


class Fmt:
    """How one document prints money: unit, thousands separators, blanks for zero."""

    def __init__(self, unit: str, r: random.Random):
        self.unit = unit
        self.commas = unit == YUAN or r.random() < 0.5
        self.zero = r.choice(["", "", "0.00"]) if unit == WAN_YUAN else r.choice(["", "0.00"])
        self.text_trim = r.random() < 0.5

    def cell(self, yuan: int | None) -> str:
        if yuan is None:
            return ""
        if yuan == 0:
            return self.zero
        v = wan(yuan) if self.unit == WAN_YUAN else Decimal(yuan)
        return f"{v:,.2f}" if self.commas else f"{v:.2f}"

    def text(self, yuan: int) -> str:
        """An amount with its unit, for sentences."""
        if self.unit == WAN_YUAN:
            s = f"{wan(yuan):.2f}"
            if self.text_trim:
                s = s.rstrip("0").rstrip(".")
            return f"{s} {WAN_YUAN}" if self.text_trim else f"{s}{WAN_YUAN}"
        return f"{yuan:,.2f} {YUAN}" if self.commas else f"{yuan}{YUAN}"


def pct(a: int, b: int) -> str:
    return f"{(Decimal(a) * 100 / b).quantize(Decimal('0.01'))}%" if b else "0%"
