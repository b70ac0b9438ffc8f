#!/usr/bin/env python3
"""Deterministic synthetic 部门预算 / 部门决算公开 disclosures with ground truth.

    python data/generate.py --out DIR --count N --seed S [--formats txt,pdf] [--pdf-count M]

Writes DIR/txt/<stem>.txt (tables as tab-separated lines), DIR/pdf/<stem>.pdf (reportlab,
embedded CJK TrueType font), DIR/truth/<stem>.json (../shared/eval/GOLD-SCHEMA.md format)
and DIR/manifest.json. The same seed gives byte-identical files. See docs/generator.md.

The world (places, parent bureaus, agencies, projects, policies) is derived from the seed
alone, so an agency keeps its projects and policies from year to year and from budget to
final account; a final account's 年初预算数 equals that year's budget.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vocab as V  # noqa: E402  (data/ is a script folder, not a package)

YEARS = (2023, 2024)
KINDS = ("budget", "final_account")
FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT_NAME = "WQYZenHei"
CN_NUM = "一二三四五六七八九十"
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# Bracket forms a 发文字号 year is printed in, with weights (〔〕 is the official one).
BRACKETS = [("〔", "〕", 40), ("【", "】", 20), ("[", "]", 14), ("（", "）", 14), ("(", ")", 12)]
INCONSISTENCY_RATE = 0.12


def cn(n: int) -> str:
    """1..99 as Chinese numerals (section numbering)."""
    if n <= 10:
        return CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUM[tens - 1]) + "十" + (CN_NUM[ones - 1] if ones else "")


def sub_rng(seed: int, *key) -> random.Random:
    # str seeds are hashed with SHA-512 by random.Random: stable across runs and platforms.
    return random.Random(":".join([str(seed), *map(str, key)]))


def wan(yuan: int) -> Decimal:
    return Decimal(yuan) / 10000


def jnum(yuan: int) -> float | int:
    """A yuan amount as a 万元 JSON number, exact (GOLD-SCHEMA keeps every digit)."""
    d = wan(yuan)
    return int(d) if d == d.to_integral_value() else float(d)


# ---------------------------------------------------------------------------- the world

@dataclass
class Policy:
    issuer: str
    year: int
    serial: int
    title: str | None
    org: str  # who issued it, for sentences like "省财政厅《…》"

    @property
    def number(self) -> str:
        return f"{self.issuer}〔{self.year}〕{self.serial}号"


@dataclass
class ProjectDef:
    name: str
    func: str
    size: int  # yuan, centre of the yearly amount
    purpose: str
    policies: list[Policy]
    first_year: int  # a project may start in the later year


@dataclass
class Agency:
    idx: int
    name: str
    short: str
    place: str
    scope: str  # 全县 / 全市 / 全区
    province: str
    prov_abbr: str
    parent: str
    parent_aliases: list[str]
    parent_code: str
    unit_code: str
    nature: str  # 行政 / 参公 / 事业
    basic_func: str
    duties: list[str]
    units: list[tuple[str, str]]
    projects: list[ProjectDef]
    unit: str  # 万元 or 元
    authorized: int
    actual: int
    retired: int
    vehicles: int
    service_income: bool
    category_scheme: list[str]
    general_policies: list[Policy]


class World:
    """Places, bureaus, agencies and policies, all derived from the seed. Agency i does not
    depend on how many agencies exist, so a larger --count extends a smaller one."""

    def __init__(self, seed: int, n_agencies: int):
        self.seed = seed
        self.place_names: list[tuple[str, str]] = []
        self._used_places: set[str] = set()
        self._used_numbers: set[str] = set()
        self.policy_pools: dict[tuple, list[Policy]] = {}
        self.agencies = [self._agency(i) for i in range(n_agencies)]

    # places: two agencies per place share one parent bureau
    def _place(self, p: int) -> tuple[str, str, str, str]:
        while len(self.place_names) <= p:
            r = sub_rng(self.seed, "place", len(self.place_names))
            for attempt in range(10_000):
                base = r.choice(V.PLACE_FIRST) + r.choice(V.PLACE_SECOND)
                if attempt >= 40:  # two-character names run out after ~800 places
                    base += r.choice(V.PLACE_SECOND)
                suffix = r.choices(["县", "市", "区"], [6, 3, 1])[0]
                if base[0] != base[1] and base not in self._used_places:
                    break
            self._used_places.add(base)
            self.place_names.append((base, suffix))
        base, suffix = self.place_names[p]
        prov, abbr = V.PROVINCES[(p // 2 + sub_rng(self.seed, "prov").randrange(len(V.PROVINCES))) % len(V.PROVINCES)]
        return base, suffix, prov, abbr

    def _new_policy(self, r: random.Random, issuer: str, title: str | None, org: str) -> Policy:
        while True:
            year = r.randint(2014, 2023)
            serial = r.choice([r.randint(1, 60), r.randint(1, 200), r.randint(100, 400)])
            p = Policy(issuer, year, serial, title, org)
            if p.number not in self._used_numbers:
                self._used_numbers.add(p.number)
                return p

    def pool(self, level: str, sector: str, key: str, issuers: list[str], org: str, n: int) -> list[Policy]:
        # org is the issuing level's prefix (财政部 / 福建省 / 兰湖县); the department comes from the issuer code
        """Policies of one issuing level; shared by every agency that draws on it."""
        k = (level, sector, key)
        if k not in self.policy_pools:
            r = sub_rng(self.seed, "policy", *k)
            titles = list(V.SECTORS[sector]["titles"]) if sector != "*" else list(V.GENERAL_TITLES)
            r.shuffle(titles)
            self.policy_pools[k] = [self._new_policy(r, iss, titles[i % len(titles)], issuer_org(level, org, iss))
                                    for i, iss in ((i, issuers[i % len(issuers)]) for i in range(n))]
        return self.policy_pools[k]

    def _agency(self, i: int) -> Agency:
        r = sub_rng(self.seed, "agency", i)
        p = i // 2
        base, suffix, prov, abbr = self._place(p)
        place = base + suffix
        sectors = sorted(V.SECTORS)
        sector = sectors[(p + sub_rng(self.seed, "sector0").randrange(len(sectors))) % len(sectors)]
        S = V.SECTORS[sector]
        types = S["units"]
        # the two agencies of a place are different unit types under the same bureau
        order = sub_rng(self.seed, "types", p).sample(range(len(types)), min(2, len(types)))
        ut = types[order[i % 2] if i % 2 < len(order) else order[0]]
        parent = place + S["bureau"]
        level = suffix  # 县 / 市 / 区
        parent_aliases = [level + S["short"]] + ([S["short"]] if S["short"] != S["bureau"] else [])
        parent_code = str(100 + sub_rng(self.seed, "pcode", p).randrange(800))
        unit_code = parent_code + f"{2 + i % 2 + sub_rng(self.seed, 'ucode', p).randrange(6):03d}"
        sub = {"县": "股", "区": "股", "市": "科"}[suffix]
        n_units = r.randint(min(3, len(ut["units"])), len(ut["units"]))
        units = [(u.format(sub=sub), d) for u, d in ut["units"][:n_units]]
        scope = "全" + suffix
        duties = [d.format(scope=scope) for d in ut["duties"]]
        national = self.pool("national", sector, "", S["national_issuers"], "", 6)
        provincial = self.pool("province", sector, prov, [abbr + s for s in S["prov_suffixes"]], prov, 5)
        local = self.pool("local", sector, place, [base[0] + s for s in S["local_suffixes"]], place, 3)
        general = self.pool("national", "*", "", V.NATIONAL_FINANCE_ISSUERS, "财政部", 4)
        unit = "元" if i % 5 == 3 else "万元"  # one agency in five prints yuan; small samples get one too
        q = 100 if unit == "万元" else 1
        projects = []
        for name, func, size, purpose in r.sample(ut["projects"], r.randint(min(3, len(ut["projects"])), len(ut["projects"]))):
            size_yuan = int(size * 10000 * math.exp(r.uniform(-0.6, 0.6)))
            size_yuan = max(q, size_yuan // (1000 if size >= 10 else 100) * (1000 if size >= 10 else 100))
            pols = pick_policies(r, name + purpose, national + provincial + local, r.choices([0, 1, 1, 2], k=1)[0])
            projects.append(ProjectDef(name, func, size_yuan, purpose, pols,
                                       YEARS[1] if r.random() < 0.12 else YEARS[0]))
        authorized = r.randint(8, 60)
        return Agency(
            idx=i, name=place + ut["name"], short=suffix + SHORT_NAMES.get(ut["name"], ut["name"]),
            place=place, scope=scope, province=prov, prov_abbr=abbr, parent=parent,
            parent_aliases=parent_aliases, parent_code=parent_code, unit_code=unit_code,
            nature=ut["nature"], basic_func=ut["basic_func"], duties=duties, units=units,
            projects=projects, unit=unit, authorized=authorized,
            actual=max(3, authorized - r.randint(-2, 5)), retired=r.randint(0, 30),
            vehicles=r.choice([0, 0, 1, 1, 2, 3]), service_income=ut["nature"] == "事业" and r.random() < 0.35,
            category_scheme=r.choice([["特定目标类"], ["本级支出项目"], ["履职项目", "专项资金项目"],
                                      ["特定目标类", "其他运转类"]]),
            general_policies=r.sample(general, 2),
        )


# the short names a disclosure introduces with （以下简称“…”）
SHORT_NAMES = {"社会保险事业管理局": "社保局", "就业服务中心": "就业中心", "人力资源和社会保障信息中心": "人社信息中心",
               "劳动保障监察大队": "劳动监察大队", "社会救助服务中心": "救助中心", "社会福利中心": "福利中心",
               "疾病预防控制中心": "疾控中心", "卫生健康综合监督执法局": "卫生监督局", "妇幼保健院": "妇保院",
               "农业技术推广中心": "农技中心", "动物疫病预防控制中心": "动物疫控中心", "农产品质量安全检测站": "农检站",
               "教师发展中心": "教师发展中心", "学生资助管理中心": "资助中心", "实验小学": "实验小学"}

NATIONAL_ORGS = [("人社部", "人力资源社会保障部"), ("财", "财政部"), ("民", "民政部"), ("国卫", "国家卫生健康委"),
                 ("农", "农业农村部"), ("教", "教育部")]
LOCAL_DEPTS = [("人社", "人力资源和社会保障{d}"), ("财", "财政{d}"), ("民", "民政{d}"), ("卫", "卫生健康委员会"),
               ("农", "农业农村{d}"), ("教", "教育{d}")]


def issuer_org(level: str, prefix: str, issuer: str) -> str:
    """Who issued a document, from its issuer code: 财社 -> 财政部, 闽人社发 -> 福建省人力资源和社会保障厅."""
    if level == "national":
        return next((o for k, o in NATIONAL_ORGS if issuer.startswith(k)), "国务院有关部门")
    code = issuer[1:]
    dept = next((o for k, o in LOCAL_DEPTS if code.startswith(k)), "有关部门{d}")
    return prefix + dept.format(d="厅" if level == "province" else "局")


_COMMON = {"经费", "工作", "项目", "资金", "关于", "通知", "管理", "补助", "有关", "问题", "意见", "实施", "一步",
           "进一", "加强", "做好", "开展", "服务", "费用", "保障", "行动", "方案", "办法"}


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} - _COMMON


def pick_policies(r: random.Random, about: str, pool: list[Policy], k: int) -> list[Policy]:
    """k policies for a project, mostly ones whose title shares words with the project
    (a 公益性岗位补贴 cites the 公益性岗位 notice), sometimes any policy of the sector."""
    words = _bigrams(about)
    ranked = sorted(pool, key=lambda p: -len(words & _bigrams(p.title or "")))
    chosen: list[Policy] = []
    for _ in range(k):
        rest = [p for p in ranked if p.title not in {c.title for c in chosen}]
        related = [p for p in rest if words & _bigrams(p.title or "")]
        src = related[:3] if related and r.random() < 0.75 else rest
        chosen.append(src[r.randrange(len(src))])
    return chosen


# ---------------------------------------------------------------------------- one year's money

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
        return self.basic + self.project

    @property
    def income(self) -> int:
        """本年收入合计: 本年收入 + 年初结转 = 本年支出 + 年末结转 (a budget has no 年末结转)."""
        return self.total - self.carry_in + self.carry_out

    @property
    def gpb(self) -> int:
        return self.income - self.service_income - self.other_income

    def func_items(self, gpb_only: bool = False) -> dict[str, list[int]]:
        """functional 项 code -> [personnel, public, project]: basic expenditure mapped by
        economic code onto the usual 项 (pension contributions to 2080505, …)."""
        items: dict[str, list[int]] = {}

        def add(code, i, v):
            if v:
                items.setdefault(code, [0, 0, 0])[i] += v
        for code, v in self.econ.items():
            add(ECON_TO_FUNC.get(code, "_basic"), 1 if code.startswith("302") else 0, v)
        for p in self.projects:
            add(p.func, 2, p.amount - (p.service if gpb_only else 0))
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
        acc = out.setdefault(c, [0, 0, 0])
        for k in range(3):
            acc[k] += vals[k]
    return out


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


# ---------------------------------------------------------------------------- document blocks

@dataclass
class Table:
    title: str  # the table's own title row (收支总表 …)
    header: list[list[str]]  # "<" = merged with the cell on the left, "^" = with the cell above
    rows: list[list[str]]
    unit: str
    agency: str
    numeric_from: int = 2  # first column that holds amounts (right-aligned in the PDF)
    note: str | None = None
    widths: list[float] | None = None


@dataclass
class Doc:
    stem: str
    title: str
    blocks: list = field(default_factory=list)  # ("h1"|"h2"|"h3"|"p", text) or ("table", Table)
    truth: dict = field(default_factory=dict)
    # text-export quirks of converted documents: a paragraph cut by a page break (block
    # index -> cut position) and form feeds before the parts
    breaks: dict = field(default_factory=dict)
    form_feeds: bool = False

    def h1(self, t):
        self.blocks.append(("h1", t))

    def h2(self, t):
        self.blocks.append(("h2", t))

    def h3(self, t):
        self.blocks.append(("h3", t))

    def p(self, t):
        self.blocks.append(("p", t))

    def table(self, t: Table):
        self.blocks.append(("table", t))


class Fmt:
    """How one document prints money: unit, thousands separators, blanks for zero."""

    def __init__(self, unit: str, r: random.Random):
        self.unit = unit
        self.commas = unit == "元" or r.random() < 0.5
        self.zero = r.choice(["", "", "0.00"]) if unit == "万元" else r.choice(["", "0.00"])
        self.text_trim = r.random() < 0.5

    def cell(self, yuan: int | None) -> str:
        if yuan is None:
            return ""
        if yuan == 0:
            return self.zero
        v = wan(yuan) if self.unit == "万元" else Decimal(yuan)
        return f"{v:,.2f}" if self.commas else f"{v:.2f}"

    def text(self, yuan: int) -> str:
        """An amount with its unit, for sentences."""
        if self.unit == "万元":
            s = f"{wan(yuan):.2f}"
            if self.text_trim:
                s = s.rstrip("0").rstrip(".")
            return f"{s} 万元" if self.text_trim else f"{s}万元"
        return f"{yuan:,.2f} 元" if self.commas else f"{yuan}元"


def pct(a: int, b: int) -> str:
    return f"{(Decimal(a) * 100 / b).quantize(Decimal('0.01'))}%" if b else "0%"


def print_number(p: Policy, r: random.Random) -> str:
    o, c, _ = r.choices(BRACKETS, [w for *_, w in BRACKETS])[0]
    year, serial = str(p.year), str(p.serial)
    if r.random() < 0.06:
        year, serial = year.translate(FULLWIDTH), serial.translate(FULLWIDTH)
    tail = " 号" if r.random() < 0.08 else "号"
    return f"{p.issuer}{o}{year}{c}{serial}{tail}"


class Builder:
    """Builds one disclosure (blocks + ground truth) for an agency, year and kind."""

    def __init__(self, world: World, a: Agency, year: int, kind: str, stem: str,
                 inconsistency_rate: float = INCONSISTENCY_RATE):
        self.w, self.a, self.year, self.kind, self.stem = world, a, year, kind, stem
        self.r = sub_rng(world.seed, "doc", a.idx, year, kind)
        self.q = 100 if a.unit == "万元" else 1
        self.fmt = Fmt(a.unit, self.r)
        self.plan = plan_money(world.seed, a, year, self.q)
        self.prev = plan_money(world.seed, a, year - 1, self.q)
        self.m = self.plan if kind == "budget" else actual_money(world.seed, a, year, self.q, self.plan)
        self.printed: dict[str, str] = {}  # policy number -> form printed in this doc
        self.policies: dict[str, dict] = {}
        self.laws: list[str] = []
        self.links: list[dict] = []
        self.variants: dict[str, list[str]] = {}
        self._three_printed: int | None = None
        self.inconsistencies: list[dict] = []
        self.province_named = False
        self.aliases: list[str] = []
        self.parent_alias_used: list[str] = []
        self.split_codes = self.r.random() < 0.15
        self.basis_column = self.r.random() < 0.45
        self.quote = self.r.choice(["“三公”", "\"三公\""])
        roll = self.r.random()
        self.defect = (self.r.choice(["row_basic_project", "three_public_sum", "parent_children", "econ_sum"])
                       if roll < inconsistency_rate else None)
        # a quarter of the agencies publish 单位预算/决算 (one unit) rather than 部门 (department)
        self.scope = "unit" if sub_rng(world.seed, "scope", a.idx).random() < 0.25 else "department"
        org = "单位" if self.scope == "unit" else "部门"
        label = org + ("预算" if kind == "budget" else "决算")
        self.org = org
        sp = self.r.choice([" ", ""])
        if kind == "budget":
            title = self.r.choice([f"{a.name}{sp}{year}{sp}年{label}公开", f"{a.name}{sp}{year}{sp}年{label}公开说明"])
        else:
            title = self.r.choice([f"{a.name}{sp}{year}{sp}年度{label}公开", f"{a.name}{sp}{year}{sp}年{label}"])
        self.label = label
        self.doc = Doc(stem, title)

    # -- citations
    def cite(self, p: Policy, with_title: bool | None = None) -> str:
        """A policy as printed here (first form sticks for the whole document)."""
        if p.number not in self.printed:
            self.printed[p.number] = print_number(p, self.r)
        s = self.printed[p.number]
        if with_title is None:
            with_title = p.title is not None and self.r.random() < 0.45
        entry = self.policies.setdefault(p.number, {
            "number_as_printed": s, "number": p.number, "issuer_code": p.issuer, "year": p.year,
            "serial": p.serial, "title": None})
        if with_title and p.title:
            entry["title"] = p.title
            return self.r.choice([f"《{p.title}》（{s}）", f"{s}《{p.title}》", f"{p.org}《{p.title}》（{s}）"])
        return s

    def intro_name(self) -> str:
        """The full name, sometimes introducing a short form used later (an alias in the truth)."""
        if self.r.random() < 0.5:
            self.aliases.append(self.a.short)
            return f"{self.a.name}（以下简称“{self.a.short}”）"
        return self.a.name

    def law(self, title: str) -> str:
        if title not in self.laws:
            self.laws.append(title)
        return f"《{title}》"

    def pname(self, p: ProjectYear) -> str:
        """The project's name in prose: sometimes a variant spelling (recorded in the truth)."""
        if self.r.random() < 0.2:
            n = p.name
            v = (n[:-2] + "资金" if n.endswith("经费") else n[:-2] + "经费" if n.endswith("资金")
                 else n + "项目" if not n.endswith("项目") else n[:-2])
            if v != n:
                self.variants.setdefault(n, [])
                if v not in self.variants[n]:
                    self.variants[n].append(v)
                return v
        return p.name

    # -- the document
    def build(self) -> Doc:
        a, d, y = self.a, self.doc, self.year
        d.h1(d.title)
        self.contents()
        self.overview()
        if self.kind == "budget":
            self.budget_text()
        else:
            self.final_text()
        self.tables()
        self.glossary()
        d.truth = self.truth()
        del a, y
        return d

    def contents(self):
        d = self.doc
        d.h2("目 录")
        parts = [f"第一部分 {self.org}概况", f"第二部分 {self.year} 年{self.label}情况说明",
                 f"第三部分 {self.year} 年{self.label}公开表", "第四部分 名词解释"]
        for t in parts:
            d.p(t)

    def overview(self):
        a, d, r = self.a, self.doc, self.r
        d.h1(f"第一部分 {self.org}概况")
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
            self.province_named = True
        if r.random() < 0.4:
            alias = a.parent_aliases[0]
            self.parent_alias_used.append(alias)
            extra = f"业务上接受{alias}的领导和监督。"
        else:
            extra = ""
        if r.random() < 0.6:
            d.p(f"{self.intro_name()}{where}是{parent_ref}所属{nature}，单位代码 {a.unit_code}。{extra}"
                f"内设机构 {len(a.units)} 个，具体如下：")
            for i, (u, desc) in enumerate(a.units, 1):
                d.p(f"{i}、{u}：{desc}。")
        else:
            names = "、".join(u for u, _ in a.units)
            d.p(f"{self.intro_name()}{where}为{parent_ref}下属{nature}。{extra}根据工作需要，单位内设{names}，共 {len(a.units)} 个内设机构。")
        d.h2(f"二、{self.label}单位构成")
        d.p(f"纳入{a.name} {self.year} 年{self.label}编制范围的单位只有本级 1 个，无下属单位。")
        d.h2("三、人员构成")
        auth, act, ret = self.m.staff
        kind = {"行政": "行政编制", "参公": "参公编制", "事业": "事业编制"}[a.nature]
        lix = min(ret, r.choice([0, 0, 1]))
        if r.random() < 0.5:
            d.p(f"{self.aliases[0] if self.aliases else a.name}核定编制 {auth} 名，其中{kind} {auth} 名；在职实有人数 {act} 人。"
                f"离退休人员 {ret} 人，其中：离休 {lix} 人，退休 {ret - lix} 人。")
        else:
            d.p(f"截至{self.year - (1 if self.kind == 'budget' else 0)}年底，本单位编制人数 {auth} 人，实有在职人员 {act} 人，"
                f"离退休人员 {ret} 人。")

    def change(self, now: int, before: int) -> str:
        f = self.fmt
        if now == before:
            return "与上年持平"
        word, rate = ("增加", "增长") if now > before else ("减少", "下降")
        return f"比上年{word} {f.text(abs(now - before))}，{rate}{pct(abs(now - before), before)}"

    def project_sentences(self, projects: list[ProjectYear], final: bool):
        """One paragraph per project; policies tied by 根据/依据/按照 … in the same sentence."""
        d, f, r = self.doc, self.fmt, self.r
        plan_amounts = {p.name: p.amount for p in self.plan.projects}
        for i, p in enumerate(projects, 1):
            name = self.pname(p)
            if final:
                money = f"年初预算 {f.text(plan_amounts.get(p.name, 0))}，全年实际支出 {f.text(p.amount)}"
            else:
                money = f"安排预算 {f.text(p.amount)}"
            d.h3(f"（{cn(i)}）{name}")
            # with a basis column, half the projects leave the citation to the table
            if not p.policies or (self.basis_column and r.random() < 0.5):
                d.p(f"{name}{money}，主要用于{p.purpose or '相关工作'}。")
                continue
            cites = [self.cite(pol) for pol in p.policies]
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
                self.links.append({"policy": pol.number, "project": p.name, "evidence": ev})

    def budget_text(self):
        a, d, f, m, r, y = self.a, self.doc, self.fmt, self.m, self.r, self.year
        pm = self.prev
        d.h1(f"第二部分 {y} 年{self.label}情况说明")
        d.h2("一、预算收支安排及增减变化情况")
        law = self.law(r.choice(V.COMMON_LAWS[:2]))
        gp = a.general_policies[0]
        d.p(f"根据{law}和{self.cite(gp)}有关规定，本单位全部收入和支出均纳入部门预算管理。")
        inc = [f"一般公共预算拨款收入 {f.text(m.gpb)}"]
        if m.service_income:
            inc.append(f"事业收入 {f.text(m.service_income)}")
        carry = f"另有上年结转结余 {f.text(m.carry_in)}，收入总计 {f.text(m.total)}。" if m.carry_in else ""
        d.p(f"1. 预算收入情况：{y} 年本年收入合计 {f.text(m.income)}，{self.change(m.income, pm.income)}。"
            f"其中：{'，'.join(inc)}。{carry}")
        d.p(f"2. 预算支出情况：{y} 年本年支出合计 {f.text(m.total)}，{self.change(m.total, pm.total)}。"
            f"其中：基本支出 {f.text(m.basic)}，占 {pct(m.basic, m.total)}；项目支出 {f.text(m.project)}，"
            f"占 {pct(m.project, m.total)}。")
        d.p(f"基本支出中，人员经费 {f.text(m.personnel)}，主要用于在职人员工资福利、社会保障缴费和离退休人员补助；"
            f"公用经费 {f.text(m.public)}，用于办公、水电、差旅等日常运转开支。")
        classes = tree(resolve_func(m.func_items(), a))
        cl = [(c, v) for c, v in classes if len(c) == 3]
        d.p("按支出功能分类：" + "，".join(f"{V.FUNC_NAMES[c]} {f.text(sum(v))}，占 {pct(sum(v), m.total)}" for c, v in cl)
            + f"。增减变化的主要原因是{r.choice(V.SPENDING_REASONS)}。")
        d.h2("二、机关运行经费预算安排情况")
        if a.nature == "事业":
            d.p(f"{a.name}为事业单位，不属于机关运行经费统计范围，{y} 年未单独安排机关运行经费预算。")
        else:
            d.p(f"{y} 年机关运行经费预算 {f.text(m.public)}，{self.change(m.public, pm.public)}。主要用于办公费、"
                "印刷费、水电费、邮电费、差旅费和公务用车运行维护等支出。")
        self.three_text(budget=True, number="三")
        d.h2("四、政府采购预算安排情况")
        pr = m.procurement
        tot = sum(pr.values())
        if tot:
            d.p(f"{y} 年安排政府采购预算 {f.text(tot)}，其中：货物类 {f.text(pr['goods'])}，服务类 {f.text(pr['services'])}，"
                f"工程类 {f.text(pr['works'])}。采购活动依照{self.law('中华人民共和国政府采购法')}组织实施。")
        else:
            d.p(f"{y} 年本单位未安排政府采购预算。")
        d.h2("五、国有资产占用情况")
        d.p(f"截至 {y - 1} 年 12 月 31 日，本单位共有公务用车 {a.vehicles} 辆，单位价值 50 万元以上的通用设备 0 台（套）。")
        d.h2("六、项目支出预算情况")
        d.p(f"{y} 年共安排项目 {len(m.projects)} 个，项目支出合计 {f.text(m.project)}。主要项目如下：")
        self.project_sentences(m.projects, final=False)
        self.performance_table("七", final=False)

    def three_text(self, budget: bool, number: str):
        d, f, m, y, qt = self.doc, self.fmt, self.m, self.year, self.quote
        t = m.three
        car = t["car_buy"] + t["car_run"]
        total = self.three_total()
        d.h2(f"{number}、{qt}经费{'预算' if budget else '支出决算'}情况")
        if budget:
            pt = sum(self.prev.three.values())
            d.p(f"{y} 年一般公共预算安排{qt}经费 {f.text(total)}，{self.change(total, pt)}。其中：因公出国（境）费 "
                f"{f.text(t['abroad'])}；公务用车购置及运行费 {f.text(car)}（其中公务用车购置费 {f.text(t['car_buy'])}，"
                f"公务用车运行费 {f.text(t['car_run'])}）；公务接待费 {f.text(t['reception'])}。")
        else:
            pt = sum(self.plan.three.values())
            d.p(f"{y} 年度{qt}经费财政拨款支出预算为 {f.text(pt)}，支出决算为 {f.text(total)}，完成预算的 "
                f"{pct(total, pt) if pt else '0%'}。其中：因公出国（境）费支出决算 {f.text(t['abroad'])}；公务用车购置及运行费支出决算 "
                f"{f.text(car)}；公务接待费支出决算 {f.text(t['reception'])}。决算数小于预算数的主要原因是严格执行"
                f"{self.law('党政机关厉行节约反对浪费条例')}，压减了接待和用车开支。")

    def three_total(self) -> int:
        """The 三公 total as printed (text and table): wrong on purpose in a three_public_sum defect."""
        if self._three_printed is None:
            t = sum(self.m.three.values())
            if self.defect == "three_public_sum":
                t += self.q * self.r.choice([100, 200, 500, 1000])
            self._three_printed = t
        return self._three_printed

    def final_text(self):
        a, d, f, m, r, y = self.a, self.doc, self.fmt, self.m, self.r, self.year
        plan = self.plan
        d.h1(f"第二部分 {y} 年度{self.label}情况说明")
        d.h2("一、收入支出决算总体情况说明")
        d.p(f"{y} 年度收入总计 {f.text(m.income + m.carry_in)}，支出总计 {f.text(m.total + m.carry_out)}。"
            f"其中：本年收入合计 {f.text(m.income)}，年初结转和结余 {f.text(m.carry_in)}；本年支出合计 {f.text(m.total)}，"
            f"年末结转和结余 {f.text(m.carry_out)}。")
        d.h2("二、收入决算情况说明")
        parts = [f"财政拨款收入 {f.text(m.gpb)}，占 {pct(m.gpb, m.income)}"]
        if m.service_income:
            parts.append(f"事业收入 {f.text(m.service_income)}，占 {pct(m.service_income, m.income)}")
        if m.other_income:
            parts.append(f"其他收入 {f.text(m.other_income)}，占 {pct(m.other_income, m.income)}")
        d.p(f"本年收入合计 {f.text(m.income)}，其中：{'；'.join(parts)}。")
        d.h2("三、支出决算情况说明")
        d.p(f"本年支出合计 {f.text(m.total)}，其中：基本支出 {f.text(m.basic)}，占 {pct(m.basic, m.total)}；"
            f"项目支出 {f.text(m.project)}，占 {pct(m.project, m.total)}。")
        d.h2("四、一般公共预算财政拨款支出决算情况说明")
        pg = plan.total - plan.service_income
        ag = m.total - m.service_income
        d.p(f"{y} 年度一般公共预算财政拨款支出年初预算为 {f.text(pg)}，支出决算为 {f.text(ag)}，完成年初预算的 {pct(ag, pg)}。"
            f"决算数与年初预算数存在差异的主要原因是{r.choice(V.SPENDING_REASONS)}。")
        d.h2("五、一般公共预算财政拨款基本支出决算情况说明")
        d.p(f"{y} 年度一般公共预算财政拨款基本支出 {f.text(m.basic)}，其中：人员经费 {f.text(m.personnel)}，"
            f"主要包括基本工资、津贴补贴、奖金、社会保障缴费、住房公积金和退休费等；公用经费 {f.text(m.public)}，"
            "主要包括办公费、印刷费、水电费、差旅费、维修（护）费和工会经费等。")
        self.three_text(budget=False, number="六")
        d.h2("七、机关运行经费支出情况说明")
        if a.nature == "事业":
            d.p(f"本单位为事业单位，不统计机关运行经费，{y} 年度无机关运行经费支出。")
        else:
            d.p(f"{y} 年度机关运行经费支出 {f.text(m.public)}，比年初预算{'增加' if m.public >= plan.public else '减少'} "
                f"{f.text(abs(m.public - plan.public))}。")
        d.h2("八、政府采购支出情况说明")
        pr = m.procurement
        tot = sum(pr.values())
        if tot:
            d.p(f"{y} 年度政府采购支出总额 {f.text(tot)}，其中：政府采购货物支出 {f.text(pr['goods'])}，政府采购服务支出 "
                f"{f.text(pr['services'])}，政府采购工程支出 {f.text(pr['works'])}。")
        else:
            d.p(f"{y} 年度本单位无政府采购支出。")
        d.h2("九、国有资产占用情况说明")
        d.p(f"截至 {y} 年 12 月 31 日，本单位共有车辆 {a.vehicles} 辆。")
        d.h2("十、项目支出决算及绩效情况说明")
        d.p(f"按照{self.cite(a.general_policies[1])}的要求，本单位对 {y} 年度项目支出开展了绩效自评。具体情况如下：")
        self.project_sentences(m.projects, final=True)
        self.performance_table("十一", final=True)

    def performance_table(self, number: str, final: bool):
        """绩效目标表 / 绩效自评表 in part two for some documents; the text export sometimes
        carries <p> fragments in its cells, as exports converted from web pages do."""
        d, f, r, m = self.doc, self.fmt, self.r, self.m
        if not m.projects or r.random() > 0.4:
            return
        html = r.random() < 0.5
        plan_amt = {p.name: p.amount for p in self.plan.projects}
        rows = []
        for p in m.projects:
            use = p.purpose or "保障相关工作顺利开展"
            aim = (f"<p>1、{use}；</p> <p>2、确保资金专款专用、按时支付。</p>" if html else f"{use}，确保资金专款专用。")
            if final:
                plan = plan_amt.get(p.name, 0)
                rows.append([self.pname(p), f.cell(plan), f.cell(p.amount), pct(p.amount, plan) if plan else "",
                             str(r.randint(85, 99))])
            else:
                rows.append([self.pname(p), r.choice(["常年性项目", "常年性项目", "一次性项目"]), f.cell(p.amount), aim])
        d.h2(f"{number}、{'项目支出绩效自评情况' if final else '重点项目绩效目标情况'}")
        if final:
            d.table(self.tab("项目支出绩效自评表", [["项目名称", "年初预算数", "全年执行数", "执行率", "自评得分"]], rows,
                             numeric_from=1, widths=[0.36, 0.16, 0.16, 0.16, 0.16]))
        else:
            d.table(self.tab("部门整体绩效目标表", [["项目名称", "项目类型", "本年度预算", "主要支出方向和用途"]], rows,
                             widths=[0.28, 0.14, 0.14, 0.44]))

    # -- tables
    def tab(self, title, header, rows, numeric_from=2, note=None, widths=None) -> Table:
        return Table(title, header, rows, self.a.unit, self.a.name, numeric_from, note, widths)

    def code_cells(self, code: str) -> list[str]:
        if not self.split_codes:
            return [code]
        return [code[:3], code[3:5], code[5:7]]

    def code_header(self, rows_below: int) -> list[list[str]]:
        if not self.split_codes:
            return [["科目编码"] + ["^"] * 0] + [["^"]] * rows_below
        return [["科目编码", "<", "<"]] + [["类", "款", "项"]] + [["^", "^", "^"]] * (rows_below - 1)

    def func_rows(self, items: dict[str, list[int]], mode: str, defect: str | None):
        """Coded rows of a functional table. mode "bp": 合计/基本/项目; "bpp": 合计/基本(小计,人员,公用)/项目."""
        f = self.fmt
        rows_ = tree(items)
        out = []
        tot = [sum(v[k] for c, v in rows_ if len(c) == 3) for k in range(3)]
        lines = []
        bad_row = None
        if defect == "row_basic_project":
            leaves = [c for c, _ in rows_ if len(c) == 7]
            bad_row = leaves[self.r.randrange(len(leaves))]
        bad_parent = None
        if defect == "parent_children":
            parents = [c for c, _ in rows_ if len(c) == 5]
            bad_parent = parents[self.r.randrange(len(parents))]
        delta = self.q * self.r.choice([1, 10, 100, 300])
        w = len(self.code_cells("2080101"))
        total_cells = {"bp": [f.cell(sum(tot)), f.cell(tot[0] + tot[1]), f.cell(tot[2])],
                       "bpp": [f.cell(sum(tot)), f.cell(tot[0] + tot[1]), f.cell(tot[0]), f.cell(tot[1]), f.cell(tot[2])]}[mode]
        out.append([""] * w + ["合计"] + total_cells)
        for code, v in rows_:
            basic, proj = v[0] + v[1], v[2]
            total = basic + proj
            if code == bad_row:
                total += delta
                self.inconsistencies.append({
                    "what": f"科目 {code}（{V.FUNC_NAMES[code]}）的合计 {f.text(total)} 不等于基本支出 {f.text(basic)} 与项目支出 "
                            f"{f.text(proj)} 之和。",
                    "where": "部门支出总表" if self.kind == "budget" else "支出决算表"})
            if code == bad_parent:
                basic += delta
                total += delta
                self.inconsistencies.append({
                    "what": f"款级科目 {code}（{V.FUNC_NAMES[code]}）的合计和基本支出比其下属项级科目之和多 {f.text(delta)}。",
                    "where": "部门支出总表" if self.kind == "budget" else "支出决算表"})
            cells = {"bp": [f.cell(total), f.cell(basic), f.cell(proj)],
                     "bpp": [f.cell(total), f.cell(basic), f.cell(v[0]), f.cell(v[1]), f.cell(proj)]}[mode]
            code_c = self.code_cells(code)
            if self.split_codes:
                code_c = [code[:3], code[3:5] if len(code) >= 5 else "", code[5:7] if len(code) == 7 else ""]
            out.append(code_c + [V.FUNC_NAMES[code]] + cells)
            lines.append({"code": code, "name": V.FUNC_NAMES[code], "total": jnum(total), "basic": jnum(basic),
                          "project": jnum(proj)})
        return out, lines

    def tables(self):
        a, d, f, m, y = self.a, self.doc, self.fmt, self.m, self.year
        final = self.kind == "final_account"
        d.h1(f"第三部分 {y} 年{self.label}公开表")
        all_items = resolve_func(m.func_items(), a)
        gpb_items = resolve_func(m.func_items(gpb_only=True), a)
        n = 0

        def sec(name):
            nonlocal n
            n += 1
            d.h2(f"{cn(n)}、{name}")

        # 1. 收支总表
        sec("收入支出决算总表" if final else "部门收支总表")
        col = "决算数" if final else "预算数"
        inc = [("一、一般公共预算拨款收入", m.gpb), ("二、政府性基金预算拨款收入", 0), ("三、国有资本经营预算拨款收入", 0),
               ("四、财政专户管理资金收入", 0), ("五、事业收入", m.service_income), ("六、事业单位经营收入", 0),
               ("七、上级补助收入", 0), ("八、附属单位上缴收入", 0), ("九、其他收入", m.other_income)]
        classes = {c: sum(v) for c, v in tree(all_items) if len(c) == 3}
        exp = [(f"{cn(i)}、{V.SUMMARY_CLASS_NAMES[c]}", classes.get(c, 0)) for i, c in enumerate(V.SUMMARY_CLASSES, 1)]
        body = []
        for i in range(max(len(inc), len(exp))):
            li = inc[i] if i < len(inc) else ("", None)
            ei = exp[i] if i < len(exp) else ("", None)
            body.append([li[0], f.cell(li[1]) if li[0] else "", ei[0], f.cell(ei[1]) if ei[0] else ""])
        carry_out = m.carry_out
        body.append(["本年收入合计", f.cell(m.income), "本年支出合计", f.cell(m.total)])
        body.append(["年初结转和结余" if final else "上年结转结余", f.cell(m.carry_in),
                     "年末结转和结余" if final else "年终结转结余", f.cell(carry_out)])
        body.append(["收 入 总 计", f.cell(m.income + m.carry_in), "支 出 总 计", f.cell(m.total + carry_out)])
        d.table(self.tab("收入支出决算总表" if final else "收支总表",
                         [["收 入", "<", "支 出", "<"], ["项 目", col, "项 目", col]], body, numeric_from=1,
                         widths=[0.32, 0.18, 0.32, 0.18]))

        # 2. 收入总表 (by unit, shows the codes)
        sec("收入决算表" if final else "部门收入总表")
        hdr = [["单位代码", "单位名称", "合计", "本年收入", "<", "<", "<", "上年结转结余" if not final else "年初结转和结余"],
               ["^", "^", "^", "小计", "一般公共预算", "事业收入", "其他收入", "^"]]
        vals = [m.income + m.carry_in, m.income, m.gpb, m.service_income, m.other_income, m.carry_in]
        body = [["", "合计"] + [f.cell(v) for v in vals],
                [a.parent_code, a.parent] + [f.cell(v) for v in vals],
                [a.unit_code, a.name] + [f.cell(v) for v in vals]]
        d.table(self.tab("收入决算表" if final else "收入总表", hdr, body,
                         widths=[0.1, 0.26, 0.11, 0.11, 0.11, 0.1, 0.1, 0.11]))

        # 3. 支出总表 -> truth functional lines
        sec("支出决算表" if final else "部门支出总表")
        w = len(self.code_cells("2080101"))
        hdr = [self.code_header(0)[0] + ["科目名称", "本年支出合计" if final else "合计", "基本支出", "项目支出"]]
        if self.split_codes:
            hdr.append(["类", "款", "项", "^", "^", "^", "^"])
        defect = self.defect if self.defect in ("row_basic_project", "parent_children") else None
        body, self.functional_lines = self.func_rows(all_items, "bp", defect)
        d.table(self.tab("支出决算表" if final else "支出总表", hdr, body, numeric_from=w + 1,
                         widths=([0.07] * 3 if w == 3 else [0.12]) + [0.4, 0.16, 0.16, 0.16]))

        # 4. 一般公共预算支出表 (GPB only; for a final account with 年初预算数 beside 决算数)
        if final:
            sec("一般公共预算财政拨款支出决算表")
            plan_rows = dict(tree(resolve_func(self.plan.func_items(gpb_only=True), a)))
            act_rows = tree(gpb_items)
            hdr = [["科目编码", "科目名称", "年初预算数", "<", "<", "决算数", "<", "<"],
                   ["^", "^", "合计", "基本支出", "项目支出", "合计", "基本支出", "项目支出"]]
            body = []
            codes = sorted(set(plan_rows) | {c for c, _ in act_rows})
            act = dict(act_rows)
            tp = [0, 0, 0]
            ta = [0, 0, 0]
            for code in codes:
                pv = plan_rows.get(code, [0, 0, 0])
                av = act.get(code, [0, 0, 0])
                if len(code) == 3:
                    tp = [x + y_ for x, y_ in zip(tp, pv, strict=True)]
                    ta = [x + y_ for x, y_ in zip(ta, av, strict=True)]
                body.append([code, V.FUNC_NAMES[code], f.cell(sum(pv)), f.cell(pv[0] + pv[1]), f.cell(pv[2]),
                             f.cell(sum(av)), f.cell(av[0] + av[1]), f.cell(av[2])])
            body.insert(0, ["", "合计", f.cell(sum(tp)), f.cell(tp[0] + tp[1]), f.cell(tp[2]),
                            f.cell(sum(ta)), f.cell(ta[0] + ta[1]), f.cell(ta[2])])
            d.table(self.tab("一般公共预算财政拨款支出决算表", hdr, body,
                             widths=[0.09, 0.25, 0.11, 0.11, 0.11, 0.11, 0.11, 0.11]))
        else:
            sec("一般公共预算支出表")
            hdr = [["科目编码", "科目名称", "合计", "基本支出", "<", "<", "项目支出"],
                   ["^", "^", "^", "小计", "人员经费", "公用经费", "^"]]
            split, self.split_codes = self.split_codes, False
            body, _ = self.func_rows(gpb_items, "bpp", None)
            self.split_codes = split
            d.table(self.tab("一般公共预算支出表", hdr, body, widths=[0.11, 0.33, 0.12, 0.11, 0.11, 0.11, 0.11]))

        # 5. 基本支出表 -> truth economic lines
        sec("一般公共预算财政拨款基本支出决算表" if final else "一般公共预算基本支出表")
        econ_rows = tree({k: [v if k[:3] != "302" else 0, v if k[:3] == "302" else 0] for k, v in m.econ.items()}, levels=(3,))
        bad = None
        if self.defect == "econ_sum":
            bad = "302"
        delta = self.q * self.r.choice([100, 1000, 2500])
        body = [["", "合计", f.cell(m.basic), f.cell(m.personnel), f.cell(m.public)]]
        self.economic_lines = []
        for code, (pers, pub) in econ_rows:
            tot = pers + pub
            if code == bad:
                pub += delta
                tot += delta
                self.inconsistencies.append({"what": f"经济分类科目 302（商品和服务支出）{f.text(tot)} 与其明细科目之和不等，"
                                             f"相差 {f.text(delta)}。", "where": "一般公共预算基本支出表"})
            body.append([code, V.ECON_NAMES[code], f.cell(tot), f.cell(pers), f.cell(pub)])
            self.economic_lines.append({"code": code, "name": V.ECON_NAMES[code], "total": jnum(tot)})
        d.table(self.tab("一般公共预算财政拨款基本支出决算表" if final else "一般公共预算基本支出表",
                         [["部门预算支出经济分类科目", "<", "本年一般公共预算基本支出", "<", "<"],
                          ["科目编码", "科目名称", "合计", "人员经费", "公用经费"]], body,
                         widths=[0.13, 0.39, 0.16, 0.16, 0.16]))

        # 6. 三公
        qt = self.quote
        sec(f"一般公共预算{qt}经费支出{'决算' if final else ''}表")
        t = m.three
        total = self.three_total()
        if total != sum(t.values()):
            self.inconsistencies.append({"what": f"{qt}经费合计 {f.text(total)} 不等于因公出国（境）费、公务用车购置及运行费、"
                                         f"公务接待费之和 {f.text(sum(t.values()))}。",
                                         "where": f"一般公共预算{qt}经费支出表; 第二部分{qt}经费说明"})
        row = [f.cell(total), f.cell(t["abroad"]), f.cell(t["car_buy"] + t["car_run"]), f.cell(t["car_buy"]),
               f.cell(t["car_run"]), f.cell(t["reception"])]
        hdr = [[f"{qt}经费合计", "因公出国（境）费", "公务用车购置及运行费", "<", "<", "公务接待费"],
               ["^", "^", "小计", "公务用车购置费", "公务用车运行费", "^"]]
        if final:
            pt = self.plan.three
            prow = [f.cell(sum(pt.values())), f.cell(pt["abroad"]), f.cell(pt["car_buy"] + pt["car_run"]),
                    f.cell(pt["car_buy"]), f.cell(pt["car_run"]), f.cell(pt["reception"])]
            hdr = [["项目"] + hdr[0], ["^"] + hdr[1]]
            body = [["预算数"] + prow, ["决算数"] + row]
            d.table(self.tab(f"一般公共预算财政拨款{qt}经费支出决算表", hdr, body, numeric_from=1))
        else:
            if sub_rng(self.w.seed, "three_layout", a.idx, y).random() < 0.25:
                # the other common layout: one line per item, the parts indented under 合计
                body = [["合计", row[0]], ["1、因公出国（境）费", row[1]], ["2、公务用车购置及运行费", row[2]],
                        ["其中：公务用车购置费", row[3]], ["公务用车运行费", row[4]], ["3、公务接待费", row[5]]]
                d.table(self.tab(f"一般公共预算{qt}经费支出表", [["项目", "预算数"]], body, numeric_from=1,
                                 widths=[0.6, 0.4]))
            else:
                d.table(self.tab(f"一般公共预算{qt}经费支出表", hdr, [row], numeric_from=0))

        # 7. 政府性基金 (empty, as most units have none)
        sec("政府性基金预算财政拨款支出决算表" if final else "政府性基金预算支出表")
        d.table(self.tab("政府性基金预算支出表", [["科目编码", "科目名称", "本年政府性基金预算支出", "<", "<"],
                                                 ["^", "^", "合计", "基本支出", "项目支出"]], [],
                         note="备注：本单位无政府性基金预算支出，此表为空表。"))

        # 8. 项目支出表 -> truth projects (+ basis column links)
        sec("项目支出决算表" if final else "项目支出表")
        plan_amt = {p.name: p.amount for p in self.plan.projects}
        basis = self.basis_column and any(p.policies for p in m.projects)
        if final:
            hdr = [["项目分类", "项目名称", "年初预算数", "决算数"] + (["政策依据"] if basis else [])]
        else:
            hdr = [["项目分类", "项目名称", "合计", "本年拨款", "<", "上年结转"] + (["政策依据"] if basis else []),
                   ["^", "^", "^", "一般公共预算", "事业收入", "^"] + (["^"] if basis else [])]
        body = [["", "合计"] + ([f.cell(sum(plan_amt.get(p.name, 0) for p in m.projects)), f.cell(m.project)] if final else
                               [f.cell(m.project), f.cell(m.project - m.service_income - m.carry_in),
                                f.cell(m.service_income), f.cell(m.carry_in)]) + ([""] if basis else [])]
        for p in m.projects:
            cells = ([f.cell(plan_amt.get(p.name, 0)), f.cell(p.amount)] if final else
                     [f.cell(p.amount), f.cell(p.amount - p.service - p.carry), f.cell(p.service), f.cell(p.carry)])
            cite = ""
            if basis and p.policies:
                cite = "；".join(self.cite(pol) for pol in p.policies)
                for pol in p.policies:  # the basis cell of the project's own row
                    self.links.append({"policy": pol.number, "project": p.name, "evidence": cite})
            body.append([p.category, p.name] + cells + ([cite] if basis else []))
        widths = ([0.12, 0.34, 0.14, 0.14] + ([0.26] if basis else [])) if final else \
            ([0.1, 0.26, 0.1, 0.11, 0.1, 0.1] + ([0.23] if basis else []))
        tw = sum(widths)
        d.table(self.tab("项目支出决算表" if final else "项目支出表", hdr, body,
                         widths=[x / tw for x in widths]))

        # 9. 政府采购
        pr = m.procurement
        if sum(pr.values()):
            sec("政府采购支出决算表" if final else "政府采购预算表")
            body = [["合计", f.cell(sum(pr.values()))], ["货物", f.cell(pr["goods"])], ["服务", f.cell(pr["services"])],
                    ["工程", f.cell(pr["works"])]]
            d.table(self.tab("政府采购支出决算表" if final else "政府采购预算表",
                             [["采购类别", "决算数" if final else "预算数"]], body, numeric_from=1, widths=[0.5, 0.5]))

    def glossary(self):
        d = self.doc
        d.h1("第四部分 名词解释")
        items = V.GLOSSARY[:]
        self.r.shuffle(items)
        for i, (k, v) in enumerate(sorted(items[:5], key=V.GLOSSARY.index), 1):
            d.p(f"{cn(i)}、{k}：{v}")

    # -- ground truth
    def truth(self) -> dict:
        a, m = self.a, self.m
        operating = None if a.nature == "事业" else jnum(m.public)
        # a provincial policy prefix (鄂…) makes the province unambiguous, as GOLD-SCHEMA says
        prov = a.province if (self.province_named or any(p["issuer_code"].startswith(a.prov_abbr)
                                                          for p in self.policies.values())) else None
        names = {p.name for p in m.projects}
        links, seen = [], set()
        for lk in self.links:
            k = (lk["policy"], lk["project"])
            if k not in seen and lk["project"] in names:
                seen.add(k)
                links.append(lk)
        return {
            "doc": f"{self.stem}.txt",
            "fiscal_year": self.year,
            "kind": self.kind,
            "agency": {
                "name": a.name, "aliases": self.aliases, "unit_code": a.unit_code, "city_or_county": a.place,
                "province": prov, "parent": a.parent, "parent_aliases": self.parent_alias_used,
                "parent_code": a.parent_code, "internal_units": [u for u, _ in a.units],
                "staff": {"authorized": m.staff[0], "actual": m.staff[1], "retired": m.staff[2]},
            },
            "totals": {
                "income": jnum(m.income), "expenditure": jnum(m.total), "basic": jnum(m.basic),
                "project": jnum(m.project), "personnel": jnum(m.personnel), "public": jnum(m.public),
                "three_public": jnum(self.three_total()), "operating": operating,
                "procurement": jnum(sum(m.procurement.values())),
            },
            "projects": [{"name": p.name, "amount": jnum(p.amount), "category": p.category,
                          "name_variants": self.variants.get(p.name, [])} for p in m.projects],
            "policies": list(self.policies.values()),
            "laws": self.laws,
            "policy_project_links": links,
            "functional_lines": self.functional_lines,
            "economic_lines": self.economic_lines,
            "inconsistencies": self.inconsistencies,
            # beyond GOLD-SCHEMA: facts the generator knows that help tests and benchmarks
            "synthetic": {
                "unit": a.unit, "carry_in": jnum(m.carry_in), "carry_out": jnum(m.carry_out),
                "sector_parent_code": a.parent_code, "defect": self.defect, "split_codes": self.split_codes,
                "basis_column": self.basis_column, "scope": self.scope,
            },
        }


# ---------------------------------------------------------------------------- renderers

def _clean_header(cell: str) -> str:
    return "" if cell in ("<", "^") else cell


def render_txt(doc: Doc) -> str:
    out = ["", ""]
    for i, (kind, x) in enumerate(doc.blocks):
        if i in doc.breaks:
            out += [x[:doc.breaks[i]], "", x[doc.breaks[i]:], ""]
            continue
        if doc.form_feeds and kind == "h1" and x.startswith(("第二部分", "第三部分", "第四部分")):
            out.append("\f")
        if kind == "table":
            t: Table = x
            ncol = len(t.header[0])
            out.append("\t".join([t.title] + [""] * (ncol - 1)))
            out.append("\t".join([f"填报单位：{t.agency}"] + [""] * (ncol - 2) + [f"单位：{t.unit}"]))
            for h in t.header:
                out.append("\t".join(_clean_header(c) for c in h))
            for row in t.rows:
                out.append("\t".join(row))
            if t.note:
                out.append(t.note)
            out.append("")
        elif kind == "h1" and x == doc.title:
            out.append(x)
            out.append("")
        else:
            out.append(x)
            out.append("")
    return "\n".join(out) + "\n"


_PDF_READY = False


def _pdf_setup():
    global _PDF_READY
    if _PDF_READY:
        return
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    rl_config.invariant = 1  # fixed dates and document id: identical bytes on every run
    pdfmetrics.registerFont(TTFont(FONT_NAME, FONT_PATH, subfontIndex=0))
    _PDF_READY = True


def _spans(header: list[list[str]]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    spans = []
    for r_, row in enumerate(header):
        for c, cell in enumerate(row):
            if cell in ("<", "^"):
                continue
            c2 = c
            while c2 + 1 < len(row) and row[c2 + 1] == "<":
                c2 += 1
            r2 = r_
            while r2 + 1 < len(header) and header[r2 + 1][c] == "^":
                r2 += 1
            if (c2, r2) != (c, r_):
                spans.append(((c, r_), (c2, r2)))
    return spans


TAG = re.compile(r"<[^>]+>")  # <p> fragments belong to the text export only


def _is_amount(s: str) -> bool:
    return not s or s.replace(",", "").replace(".", "", 1).isdigit()


def render_pdf(doc: Doc) -> bytes:
    _pdf_setup()
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as RLTable

    base = ParagraphStyle("base", fontName=FONT_NAME, fontSize=10.5, leading=16, wordWrap="CJK", firstLineIndent=21)
    styles = {
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=26, alignment=TA_CENTER, firstLineIndent=0,
                                spaceBefore=0, spaceAfter=24),
        "h1": ParagraphStyle("h1", parent=base, fontSize=14, leading=22, alignment=TA_CENTER, firstLineIndent=0,
                             spaceBefore=10, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=19, firstLineIndent=0, spaceBefore=6, spaceAfter=3),
        "h3": ParagraphStyle("h3", parent=base, fontSize=11, leading=17, firstLineIndent=21),
        "p": base,
    }
    cell = ParagraphStyle("cell", fontName=FONT_NAME, fontSize=7.5, leading=9.5, wordWrap="CJK")
    cell_r = ParagraphStyle("cellr", parent=cell, alignment=TA_RIGHT)
    cell_c = ParagraphStyle("cellc", parent=cell, alignment=TA_CENTER)
    width = A4[0] - 36 * mm

    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    story = []
    for kind, x in doc.blocks:
        if kind == "table":
            t: Table = x
            ncol = len(t.header[0])
            head = [[Paragraph(esc(t.title), ParagraphStyle("tt", parent=cell_c, fontSize=9))] + [""] * (ncol - 1),
                    [Paragraph(esc(f"填报单位：{t.agency}"), cell)] + [""] * (ncol - 2)
                    + [Paragraph(esc(f"单位：{t.unit}"), cell_r)]]
            for h in t.header:
                head.append([Paragraph(esc(c), cell_c) if c not in ("<", "^") else "" for c in h])
            widths = [w * width for w in t.widths] if t.widths else [width / ncol] * ncol
            nh = len(head)
            # amounts are plain strings (a wrapped number would break text extraction), in a
            # font size small enough for the widest one of the column
            numeric = [j for j in range(t.numeric_from, ncol)
                       if all(_is_amount(r[j]) for r in t.rows if j < len(r))]
            body = [[c if j in numeric else Paragraph(esc(TAG.sub("", c)), cell) for j, c in enumerate(row)]
                    for row in t.rows]
            num_style = []
            for j in numeric:
                widest = max((stringWidth(r[j], FONT_NAME, 1) for r in t.rows if r[j]), default=0)
                size = min(7.5, (widths[j] - 7) / widest) if widest else 7.5  # 3 + 3 padding
                num_style += [("FONT", (j, nh), (j, -1), FONT_NAME, size), ("ALIGN", (j, nh), (j, -1), "RIGHT")]
            style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                     ("SPAN", (0, 0), (-1, 0)), ("SPAN", (0, 1), (-2, 1)),
                     ("BACKGROUND", (0, 2), (-1, nh - 1), colors.HexColor("#eeeeee")),
                     ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                     ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
            for (c0, r0), (c1, r1) in _spans(t.header):
                style.append(("SPAN", (c0, r0 + 2), (c1, r1 + 2)))
            style += num_style
            tbl = RLTable(head + body, colWidths=widths, repeatRows=nh, style=TableStyle(style))
            story.append(tbl)
            if t.note:
                story.append(Paragraph(esc(t.note), ParagraphStyle("note", parent=base, fontSize=9, firstLineIndent=0)))
            story.append(Spacer(1, 8))
        elif kind == "h1" and x == doc.title:
            # a cover title sits well below the page edge (where running headers live)
            story.append(Spacer(1, 70))
            story.append(Paragraph(esc(x), styles["title"]))
        else:
            story.append(Paragraph(esc(x), styles[kind]))

    def page(canvas, _doc, running_header=True):
        canvas.saveState()
        canvas.setFont(FONT_NAME, 8.5)
        if running_header:  # not on the cover page, which prints the title itself
            canvas.drawCentredString(A4[0] / 2, A4[1] - 12 * mm, doc.title)
            canvas.setLineWidth(0.4)
            canvas.line(18 * mm, A4[1] - 13.5 * mm, A4[0] - 18 * mm, A4[1] - 13.5 * mm)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"第 {canvas.getPageNumber()} 页")
        canvas.restoreState()

    buf = io.BytesIO()
    tpl = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=20 * mm,
                            bottomMargin=18 * mm, title=doc.title, author="", subject="", creator="budgetkg data/generate.py")
    tpl.build(story, onFirstPage=lambda c, d: page(c, d, running_header=False), onLaterPages=page)
    return buf.getvalue()


# ---------------------------------------------------------------------------- corpus

def plan_corpus(seed: int, count: int) -> tuple[World, list[tuple[Agency, int, str, str]]]:
    """Which (agency, year, kind) each document is. Every agency gets one document before any
    gets a second, and its later documents cover its other year and kind, so even a small
    corpus has agencies recurring across years."""
    n_agencies = max(6, math.ceil(count / 4))
    world = World(seed, n_agencies)
    # agency 0 starts with two budgets (year on year), agency 1 with a budget and its final account
    combos = [(YEARS[1], "budget"), (YEARS[0], "budget"), (YEARS[0], "final_account"), (YEARS[1], "final_account")]
    docs = []
    for round_ in range(4):
        for a in world.agencies:
            y, k = combos[(round_ + a.idx) % 4]
            docs.append((a, y, k))
    docs = docs[:count]
    out = []
    for i, (a, y, k) in enumerate(docs):
        h = hashlib.sha256(f"{seed}:{a.idx}:{y}:{k}".encode()).hexdigest()[:12]
        out.append((a, y, k, f"{i:05d}_{h}" if count > 999 else f"{i:03d}_{h}"))
    return world, out


def build_doc(world: World, a: Agency, year: int, kind: str, stem: str,
              inconsistency_rate: float = INCONSISTENCY_RATE) -> Doc:
    return Builder(world, a, year, kind, stem, inconsistency_rate).build()


def _atomic_write(path: Path, data: bytes) -> None:
    # a fixed temp name beside the target (cheaper than mkstemp at 10 000 files); the
    # rename makes the file appear complete or not at all
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


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
            {"q": f"{ag}{what}的本年收入合计是多少？", "number_wan": tot["income"]},
            {"q": f"{ag}{what}的本年支出合计是多少？", "number_wan": tot["expenditure"]},
            {"q": f"{ag}{what}中项目支出是多少？", "number_wan": tot["project"]},
            {"q": f"{ag}{what}中基本支出是多少？", "number_wan": tot["basic"]},
            {"q": f"{ag}{what}的“三公”经费是多少？", "number_wan": tot["three_public"]},
        ]
        for p in t["projects"]:
            pool.append({"q": f"{ag}{what}中{p['name']}{'安排了多少资金' if budget else '实际支出多少'}？",
                         "number_wan": p["amount"]})
        r.shuffle(pool)
        qa += pool[:per_doc]
        if ag not in seen_agency:
            seen_agency.add(ag)
            qa.append({"q": f"{ag}的主管部门是哪个单位？", "text_all": [t["agency"]["parent"]]})
            qa.append({"q": f"{ag}的编制人数是多少？", "number": t["agency"]["staff"]["authorized"]})
        prev = budgets.get((ag, y - 1))
        if budget and prev:
            diff = Decimal(str(tot["expenditure"])) - Decimal(str(prev["totals"]["expenditure"]))
            qa.append({"q": f"{ag}{y}年预算支出比{y - 1}年变化了多少？", "number_wan": float(abs(diff))})
        for p in r.sample(t["projects"], min(2, len(t["projects"]))):
            search.append({"q": f"{ag}{what}{p['name']}", "doc": t["doc"], "key": p["name"]})
    for number in sorted(by_policy):
        qa.append({"q": f"哪些项目以{number}为依据？", "text_all": sorted(by_policy[number])})
    return qa, search


STEM = re.compile(r"\d{3,5}_[0-9a-f]{12}\.(txt|pdf|json)")


def _prune(out: Path, manifest: dict) -> None:
    """Remove generated files an earlier run left that this run did not write (another
    --count, no PDFs this time), so the folder always matches its manifest. Only names of
    the generator's own pattern are touched."""
    keep = {f for d in manifest["docs"] for f in d["files"].values()}
    for sub in ("txt", "pdf", "truth"):
        folder = out / sub
        if folder.is_dir():
            for f in folder.iterdir():
                if STEM.fullmatch(f.name) and f"{sub}/{f.name}" not in keep:
                    f.unlink()


def generate(out: Path, count: int, seed: int, formats: set[str], pdf_count: int | None = None,
             progress: bool = False, inconsistency_rate: float = INCONSISTENCY_RATE) -> dict:
    """Write the corpus; returns the manifest (also written to out/manifest.json)."""
    world, plan = plan_corpus(seed, count)
    pdf_count = count if pdf_count is None else pdf_count
    manifest = {"seed": seed, "count": count, "inconsistency_rate": inconsistency_rate, "years": list(YEARS), "generator": "budgetkg data/generate.py",
                "layout": {"txt": "txt/<stem>.txt", "pdf": "pdf/<stem>.pdf", "truth": "truth/<stem>.json",
                           "qa": "cases_qa.json", "search": "cases_search_<format>.json"}, "docs": []}
    for sub in ("txt", "pdf", "truth"):
        if sub in formats or sub == "truth":
            (out / sub).mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    truths: list[dict] = []
    for i, (a, y, k, stem) in enumerate(plan):
        doc = build_doc(world, a, y, k, stem, inconsistency_rate)
        files = {}
        if "txt" in formats:
            _atomic_write(out / "txt" / f"{stem}.txt", render_txt(doc).encode("utf-8"))
            files["txt"] = f"txt/{stem}.txt"
        if "pdf" in formats and i < pdf_count:
            _atomic_write(out / "pdf" / f"{stem}.pdf", render_pdf(doc))
            files["pdf"] = f"pdf/{stem}.pdf"
        _atomic_write(out / "truth" / f"{stem}.json",
                      json.dumps(doc.truth, ensure_ascii=False).encode("utf-8"))  # compact: C encoder
        files["truth"] = f"truth/{stem}.json"
        truths.append(doc.truth)
        manifest["docs"].append({"stem": stem, "title": doc.title, "agency": a.name, "agency_index": a.idx,
                                 "parent": a.parent, "unit_code": a.unit_code, "city_or_county": a.place,
                                 "fiscal_year": y, "kind": k, "unit": a.unit,
                                 "inconsistent": bool(doc.truth["inconsistencies"]), "files": files})
        if progress and (i + 1) % 1000 == 0:
            print(f"{i + 1}/{count} documents, {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    _prune(out, manifest)
    qa, search = eval_cases(truths, seed)
    _atomic_write(out / "cases_qa.json", json.dumps(qa, ensure_ascii=False, indent=1).encode("utf-8"))
    for fmt in sorted(formats):
        docs_with = {d["stem"] for d in manifest["docs"] if fmt in d["files"]}
        cases = [dict(c, doc=c["doc"].rsplit(".", 1)[0] + "." + fmt) for c in search
                 if c["doc"].rsplit(".", 1)[0] in docs_with]
        _atomic_write(out / f"cases_search_{fmt}.json", json.dumps(cases, ensure_ascii=False, indent=1).encode("utf-8"))
    _atomic_write(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write deterministic synthetic 部门预算/决算 disclosures with ground truth.")
    ap.add_argument("--out", required=True, help="output folder (txt/, pdf/, truth/, manifest.json)")
    ap.add_argument("--count", type=int, required=True, help="number of documents")
    ap.add_argument("--seed", type=int, default=20240101)
    ap.add_argument("--formats", default="txt,pdf", help="comma list of txt,pdf (default both)")
    ap.add_argument("--pdf-count", type=int, default=None, help="render PDFs for the first M documents only")
    ap.add_argument("--inconsistency-rate", type=float, default=INCONSISTENCY_RATE,
                    help=f"share of documents with a deliberate inconsistency (default {INCONSISTENCY_RATE})")
    args = ap.parse_args(argv)
    formats = {f.strip() for f in args.formats.split(",") if f.strip()}
    if not formats or formats - {"txt", "pdf"}:
        print(f"generate.py: --formats must list txt and/or pdf, got {args.formats!r}", file=sys.stderr)
        return 2
    if args.count < 0 or (args.pdf_count is not None and args.pdf_count < 0):
        print("generate.py: --count and --pdf-count must be >= 0", file=sys.stderr)
        return 2
    if "pdf" in formats and not Path(FONT_PATH).exists():
        print(f"generate.py: the CJK font {FONT_PATH} is missing (apt-get install fonts-wqy-zenhei, or make sysdeps)",
              file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    try:
        m = generate(Path(args.out), args.count, args.seed, formats, args.pdf_count, progress=True,
                     inconsistency_rate=args.inconsistency_rate)
    except OSError as e:
        print(f"generate.py: cannot write {args.out}: {e}", file=sys.stderr)
        return 1
    n_pdf = sum(1 for d in m["docs"] if "pdf" in d["files"])
    print(f"wrote {len(m['docs'])} documents ({n_pdf} PDFs) to {args.out} in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
