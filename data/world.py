"""The invented world a corpus is drawn from: places, parent bureaus, agencies with their
projects, and the policies they cite, all derived from the seed alone (so an agency keeps its
projects and policies from year to year and from budget to final account)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from data import vocab as V
from kg.vocab import WAN_YUAN, YUAN

YEARS = (2023, 2024)


def sub_rng(seed: int, *key) -> random.Random:
    # str seeds are hashed with SHA-512 by random.Random: stable across runs and platforms.
    return random.Random(":".join([str(seed), *map(str, key)]))


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
        unit = YUAN if i % 5 == 3 else WAN_YUAN  # one agency in five prints yuan; small samples get one too
        q = 100 if unit == WAN_YUAN else 1
        projects = []
        for name, func, size, purpose in r.sample(ut["projects"], r.randint(min(3, len(ut["projects"])), len(ut["projects"]))):
            size_yuan = int(size * 10000 * math.exp(r.uniform(-0.6, 0.6)))
            size_yuan = max(q, size_yuan // (1000 if size >= 10 else 100) * (1000 if size >= 10 else 100))
            pols = pick_policies(r, name + purpose, national + provincial + local, r.choices([0, 1, 1, 2], k=1)[0])
            projects.append(ProjectDef(name, func, size_yuan, purpose, pols,
                                       YEARS[1] if r.random() < 0.12 else YEARS[0]))
        authorized = r.randint(8, 60)
        return Agency(
            idx=i, name=place + ut["name"], short=suffix + V.SHORT_NAMES.get(ut["name"], ut["name"]),
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


def issuer_org(level: str, prefix: str, issuer: str) -> str:
    """Who issued a document, from its issuer code: 财社 -> 财政部, 闽人社发 -> 福建省人力资源和社会保障厅."""
    if level == "national":
        return next((o for k, o in V.NATIONAL_ORGS if issuer.startswith(k)), "国务院有关部门")
    code = issuer[1:]
    dept = next((o for k, o in V.LOCAL_DEPTS if code.startswith(k)), "有关部门{d}")
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

