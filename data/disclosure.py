"""One disclosure in the making: the state its parts share (random stream, money, printing
format, defect) and the record of what it printed, from which its ground truth is written."""

from __future__ import annotations

import random

from data.document import Doc, Table
from data.money import Fmt, ProjectYear, actual_money, extend, plan_money
from data.world import Agency, Policy, World, sub_rng
from kg import vocab as W

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# Bracket forms a 发文字号 year is printed in, with weights (〔〕 is the official one).
BRACKETS = [("〔", "〕", 40), ("【", "】", 20), ("[", "]", 14), ("（", "）", 14), ("(", ")", 12)]
INCONSISTENCY_RATE = 0.12


def print_number(p: Policy, r: random.Random) -> str:
    o, c, _ = r.choices(BRACKETS, [w for *_, w in BRACKETS])[0]
    year, serial = str(p.year), str(p.serial)
    if r.random() < 0.06:
        year, serial = year.translate(FULLWIDTH), serial.translate(FULLWIDTH)
    tail = " 号" if r.random() < 0.08 else "号"
    return f"{p.issuer}{o}{year}{c}{serial}{tail}"


class Disclosure:
    """One disclosure while it is written (agency, year, kind): its random stream, its money, and the
    record of what it printed (citations, aliases, name variants, inconsistencies) that becomes its
    ground truth. The parts (narrative, tables, truth) write through it in a fixed order, which is
    what keeps the random stream, and so every byte, the same for a seed."""

    def __init__(self, world: World, a: Agency, year: int, kind: str, stem: str,
                 inconsistency_rate: float = INCONSISTENCY_RATE, extended: bool = False):
        self.w, self.a, self.year, self.kind, self.stem = world, a, year, kind, stem
        self.extended = extended  # a family corpus: money with the components only some layouts print
        self.r = sub_rng(world.seed, "doc", a.idx, year, kind)
        self.q = 100 if a.unit == W.WAN_YUAN else 1
        self.fmt = Fmt(a.unit, self.r)
        self.plan = plan_money(world.seed, a, year, self.q)
        self.prev = plan_money(world.seed, a, year - 1, self.q)
        if extended:
            extend(world.seed, a, year, self.plan, self.q, budget=True)
            extend(world.seed, a, year - 1, self.prev, self.q, budget=True)
        self.m = self.plan if kind == "budget" else actual_money(world.seed, a, year, self.q, self.plan)
        if extended and kind != "budget":
            extend(world.seed, a, year, self.m, self.q, budget=False)
        self.printed: dict[str, str] = {}  # policy number -> form printed in this doc
        self.policies: dict[str, dict] = {}
        self.laws: list[str] = []
        self.links: list[dict] = []
        self.variants: dict[str, list[str]] = {}
        self._three_printed: int | None = None
        self.inconsistencies: list[dict] = []
        # the truth's functional/economic lines, filled by the tables that print them
        self.functional_lines: list[dict] = []
        self.economic_lines: list[dict] = []
        self.province_named = False
        self.aliases: list[str] = []
        self.parent_alias_used: list[str] = []
        self.split_codes = self.r.random() < 0.15
        self.basis_column = self.r.random() < 0.45
        self.quote = self.r.choice(W.THREE_PUBLIC_QUOTES)
        roll = self.r.random()
        self.defect = (self.r.choice(["row_basic_project", "three_public_sum", "parent_children", "econ_sum"])
                       if roll < inconsistency_rate else None)
        # a quarter of the agencies publish 单位预算/决算 (one unit) rather than 部门 (department)
        self.scope = "unit" if sub_rng(world.seed, "scope", a.idx).random() < 0.25 else "department"
        org = (W.UNIT if self.scope == W.UNIT.code else W.DEPARTMENT).word
        label = org + W.kind_by_code(kind).word
        self.org = org
        sp = self.r.choice([" ", ""])
        if kind == "budget":
            title = self.r.choice([f"{a.name}{sp}{year}{sp}年{label}公开", f"{a.name}{sp}{year}{sp}年{label}公开说明"])
        else:
            title = self.r.choice([f"{a.name}{sp}{year}{sp}年度{label}公开", f"{a.name}{sp}{year}{sp}年{label}"])
        self.label = label
        self.doc = Doc(stem, title)

    def tab(self, title, header, rows, numeric_from=2, note=None, widths=None, **meta) -> Table:
        return Table(title, header, rows, self.a.unit, self.a.name, numeric_from, note, widths, **meta)

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

    def three_total(self) -> int:
        """The 三公 total as printed (text and table): wrong on purpose in a three_public_sum defect."""
        if self._three_printed is None:
            t = sum(self.m.three.values())
            if self.defect == "three_public_sum":
                t += self.q * self.r.choice([100, 200, 500, 1000])
            self._three_printed = t
        return self._three_printed
