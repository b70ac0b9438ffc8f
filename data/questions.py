"""Questions analysts ask, made from a corpus's ground truth (truth/*.json), each in several
wordings, with the answer the truth gives — for measuring question answering on documents
nothing was tuned on (bench/bench_qa.py, tests/api/test_qa_generated.py, docs/qa.md).

    cases = make_questions(truths, seed)   # [{"id", "type", "q", "paraphrase", expectation}]
    grade(case, answer_dict, confident=0.6) -> (correct, confidently_wrong)

An expectation is one of (../shared/eval/score_queries.py's, plus two for what must not be
answered): "number_wan" (the answer text carries the figure in 万元, 元 or 亿元), "number"
(a count or a percentage), "text_all" (every string), "not_found" (no figure: the answer says
what was not found) and "candidates" (no figure: the answer lists these agencies).

Types: figures (total, staff, project, line), everyday names (alias, level), comparisons
(compare-years, growth, compare-kinds, compare-agencies), rankings (superlative, ranking-set,
top-n), share and ratio (share, times), counting (count-units, count-projects,
count-subordinates), the agency (parent, units), policies (policy, basis), sums (sum), and
what must not be answered (unknown-agency, unknown-year, ambiguous).

Only kg.vocab is imported (tools/check_layers.py): the measures' words are the domain's.
"""

from __future__ import annotations

import random
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from kg import vocab as V

KIND_WORD = {V.BUDGET.code: V.BUDGET.word, V.FINAL_ACCOUNT.code: V.FINAL_ACCOUNT.word}
# truth totals key → the words people ask a total with (first: its everyday name).
MEASURE_WORDS: dict[str, tuple[str, ...]] = {
    "income": (V.INCOME.name, V.INCOME.label, V.INCOME.short),
    "expenditure": (V.EXPENDITURE.name, V.EXPENDITURE.label, V.EXPENDITURE.short),
    "basic": (V.BASIC.label,),
    "project": (V.PROJECT.label,),
    "personnel": (V.PERSONNEL.label,),
    "public": (V.PUBLIC.label,),
    "three_public": (V.THREE_PUBLIC.label, V.THREE_PUBLIC_BARE),
    "operating": (V.OPERATING.label,),
}
# A share people ask: (part, whole).
SHARES = (("personnel", "basic"), ("public", "basic"), ("basic", "expenditure"), ("project", "expenditure"),
          ("three_public", "expenditure"))
LEVELS = ("自治区", "自治州", "自治县", "省", "市", "州", "县", "区", "旗", "盟")


def _d(x) -> Decimal:
    return Decimal(str(x))


def _pct(a, b) -> float | None:
    if b in (None, 0) or a is None or _d(b) == 0:
        return None
    return float((_d(a) / _d(b) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _level_form(name: str, place: str | None) -> str | None:
    """"源州县学生资助管理中心" → "县学生资助管理中心": the place cut to its level word."""
    if not place or not name.startswith(place):
        return None
    level = next((lv for lv in LEVELS if place.endswith(lv)), "")
    rest = name[len(place):]
    return level + rest if level and len(rest) >= 3 else None


class _Maker:
    def __init__(self, truths: list[dict], seed: int):
        self.truths = truths
        self.rng = random.Random(f"questions:{seed}")
        self.cases: list[dict] = []
        self.n = 0

    def add(self, kind: str, wordings: list[str], **expect) -> None:
        """One question in several wordings: each wording is a case, all with one id."""
        self.n += 1
        for i, q in enumerate(dict.fromkeys(wordings)):
            self.cases.append({"id": self.n, "type": kind, "q": q, "paraphrase": i, **expect})


def make_questions(truths: list[dict], seed: int = 0, per_doc: int = 3) -> list[dict]:
    """Questions over every document's truth and across documents (see the module doc).
    `per_doc` bounds the figure questions drawn per document and type."""
    mk = _Maker(truths, seed)
    rng = mk.rng
    by_agency: dict[str, list[dict]] = {}
    for t in truths:
        by_agency.setdefault(t["agency"]["name"], []).append(t)
    places = {t["agency"]["city_or_county"] for t in truths if t["agency"].get("city_or_county")}

    def body(name: str, place: str | None) -> str:
        """The name without its place, keeping the place's level word (县社会福利中心)."""
        return _level_form(name, place) or name

    # Agencies of one kind in places of one level: a short name without the place (县福利中心)
    # is all of theirs.
    namesakes: dict[str, set[str]] = {}
    for t in truths:
        namesakes.setdefault(body(t["agency"]["name"], t["agency"].get("city_or_county")), set()).add(t["agency"]["name"])
    published = {(t["agency"]["name"], t["fiscal_year"], t["kind"]) for t in truths}
    level_owners: dict[str, set[str]] = {}
    for t in truths:
        f = _level_form(t["agency"]["name"], t["agency"].get("city_or_county"))
        if f:
            level_owners.setdefault(f, set()).add(t["agency"]["name"])

    for t in truths:
        a, y, kind = t["agency"]["name"], t["fiscal_year"], t["kind"]
        k = KIND_WORD[kind]
        tot = t["totals"]
        keys = [key for key in MEASURE_WORDS if tot.get(key) is not None]
        for key in rng.sample(keys, min(per_doc, len(keys))):
            w = rng.choice(MEASURE_WORDS[key])
            mk.add("total", [f"{a}{y}年{k}{w}是多少？", f"请问{a}在{y}年度的{k}{w}有多少万元？",
                             f"{y}年{a}{k}中{w}为多少", f"{a}{y}年的{w}（{k}数）是多少？"], number_wan=tot[key])
        # Everyday names: the agency's own short name (the documents' "以下简称"), its place cut
        # to the level word — with year and kind, which tell namesakes apart.
        key = rng.choice(keys)
        w = MEASURE_WORDS[key][0]
        for short in t["agency"].get("aliases") or []:
            wordings = [f"{short}{y}年{k}{w}是多少？", f"{y}年{short}的{k}{w}为多少万元？"]
            place = t["agency"].get("city_or_county") or ""
            same = sorted(n for n in namesakes[body(a, place)] if (n, y, kind) in published)
            if place and place in short or len(same) == 1:
                mk.add("alias", wordings, number_wan=tot[key])
            else:  # a short name without the place, and a namesake published that year too
                mk.add("ambiguous", wordings, candidates=same)
        lf = _level_form(a, t["agency"].get("city_or_county"))
        if lf and len(level_owners.get(lf, ())) == 1:
            mk.add("level", [f"{lf}{y}年{k}{w}是多少？", f"{y}年{lf}{k}{w}有多少？"], number_wan=tot[key])
        staff = t["agency"].get("staff") or {}
        if staff.get("authorized") is not None:
            label, core = V.AUTHORIZED_STAFF.label, V.AUTHORIZED_STAFF.text[2]  # 编制人数, 核定编制
            mk.add("staff", [f"{a}{y}年的{label}是多少？", f"{a}{y}年{core}多少名？", f"{y}年{a}有多少个编制？"],
                   number=staff["authorized"])
        for p in rng.sample(t["projects"], min(per_doc - 1, len(t["projects"]))):
            spent = "安排了多少资金" if kind == V.BUDGET.code else "实际支出多少"
            mk.add("project", [f"{a}{y}年{k}中{p['name']}的金额是多少？", f"{a}{y}年{p['name']}{spent}？",
                               f"{y}年{a}的{p['name']}{k}数是多少万元？"], number_wan=p["amount"])
        lines = [x for x in t.get("functional_lines", []) if len(x["code"]) == 7 and x.get("total") is not None]
        econ_names = {x["name"] for x in t.get("economic_lines", [])}
        for line in rng.sample(lines, min(1, len(lines))):
            ws = [f"{a}{y}年{k}在{line['name']}（{line['code']}）科目上是多少？", f"{a}{y}年{k}{line['code']}科目的金额是多少？"]
            if line["name"] not in econ_names:
                ws.append(f"{a}{y}年{k}中{line['name']}支出是多少？")
            mk.add("line", ws, number_wan=line["total"])
        for part, whole in rng.sample(SHARES, 2):
            pct = _pct(tot.get(part), tot.get(whole))
            if pct is None:
                continue
            wp, ww = MEASURE_WORDS[part][0], MEASURE_WORDS[whole][0]
            mk.add("share", [f"{a}{y}年{k}{wp}占{ww}的比重是多少？", f"{a}{y}年{k}中{wp}占{ww}的比例为多少？",
                             f"{y}年{a}{k}{wp}在{ww}中所占比例是多少？"], number=pct)
        units = t["agency"].get("internal_units") or []
        if units:
            mk.add("count-units", [f"{a}有几个内设机构？", f"{a}的内设机构有多少个？", f"{a}共设多少个科室？"],
                   number=len(units))
        if t["projects"]:
            mk.add("count-projects", [f"{a}{y}年{k}有多少个项目？", f"{a}{y}年{k}共列了几个项目？"],
                   number=len(t["projects"]))
        for link in t.get("policy_project_links", [])[:1]:
            pols = sorted({lk["policy"] for lk in t["policy_project_links"] if lk["project"] == link["project"]})
            mk.add("basis", [f"{a}{y}年{k}中{link['project']}的立项依据是什么？",
                             f"{a}{y}年{link['project']}依据的政策文件是哪个？"], text_all=pols)
        # A year the agency did not publish.
        years = {x["fiscal_year"] for x in by_agency[a]}
        missing = min(years) - 5
        mk.add("unknown-year", [f"{a}{missing}年{k}{w}是多少？", f"{missing}年{a}的{k}{w}为多少万元？"], not_found=True)

    for a, ts in sorted(by_agency.items()):
        first = ts[0]
        if first["agency"].get("parent"):
            mk.add("parent", [f"{a}的主管部门是哪个单位？", f"{a}隶属于哪个部门？", f"{a}的上级主管部门是？"],
                   text_all=[first["agency"]["parent"]])
        units = first["agency"].get("internal_units") or []
        if units:
            mk.add("units", [f"{a}设有哪些内设机构？", f"{a}有哪些科室？"], text_all=units[:3])
        # Two years of one kind: the change and the rate of change.
        by_kind: dict[str, dict[int, dict]] = {}
        for t in ts:
            by_kind.setdefault(t["kind"], {})[t["fiscal_year"]] = t
        for kind, per_year in sorted(by_kind.items()):
            if len(per_year) < 2:
                continue
            y0, y1 = sorted(per_year)[-2:]
            k = KIND_WORD[kind]
            key = rng.choice([x for x in MEASURE_WORDS if per_year[y0]["totals"].get(x) and per_year[y1]["totals"].get(x)])
            w = MEASURE_WORDS[key][0]
            v0, v1 = _d(per_year[y0]["totals"][key]), _d(per_year[y1]["totals"][key])
            if v1 != v0:
                mk.add("compare-years", [f"{a}{y1}年{k}{w}比{y0}年增加了多少？", f"与{y0}年相比，{a}{y1}年{k}{w}变化了多少？",
                                         f"{a}{k}{w}{y1}年较{y0}年增减多少万元？"], number_wan=float(abs(v1 - v0)))
                mk.add("growth", [f"{a}{y1}年{k}{w}比{y0}年增长了百分之几？", f"{a}{y1}年{k}{w}的增长率是多少（与{y0}年比）？"],
                       number=abs(_pct(v1 - v0, v0)))  # the answer says 增长 or 下降
        # A budget and the final account of the same year.
        for y in sorted({t["fiscal_year"] for t in ts}):
            pair = {t["kind"]: t for t in ts if t["fiscal_year"] == y}
            if len(pair) < 2:
                continue
            b, f = pair[V.BUDGET.code], pair[V.FINAL_ACCOUNT.code]
            key = rng.choice([x for x in ("expenditure", "basic", "project", "personnel") if b["totals"].get(x)
                              and f["totals"].get(x) and _d(b["totals"][x]) != _d(f["totals"][x])] or ["expenditure"])
            w = MEASURE_WORDS[key][0]
            diff = abs(_d(f["totals"][key]) - _d(b["totals"][key]))
            if diff:
                mk.add("compare-kinds", [f"{a}{y}年{w}{V.FINAL_ACCOUNT.word}比{V.BUDGET.word}多多少？",
                                         f"{a}{y}年{w}的{V.FINAL_ACCOUNT.word}数与{V.BUDGET.word}数相差多少？"],
                       number_wan=float(diff))

    # Across agencies: pairs, a stated set, every agency of a year and kind.
    groups: dict[tuple, list[dict]] = {}
    for t in truths:
        groups.setdefault((t["fiscal_year"], t["kind"]), []).append(t)
    for (y, kind), ts in sorted(groups.items()):
        ts = sorted({t["agency"]["name"]: t for t in ts}.values(), key=lambda t: t["agency"]["name"])
        if len(ts) < 2:
            continue
        k = KIND_WORD[kind]
        for _ in range(min(3, len(ts) // 2)):
            ta, tb = rng.sample(ts, 2)
            key = rng.choice(["expenditure", "basic", "project", "personnel"])
            w = MEASURE_WORDS[key][0]
            va, vb = _d(ta["totals"][key]), _d(tb["totals"][key])
            a, b = ta["agency"]["name"], tb["agency"]["name"]
            if va != vb:
                mk.add("compare-agencies", [f"{a}和{b}{y}年{k}{w}相差多少？", f"{y}年{k}{w}，{a}比{b}多多少？",
                                            f"{a}与{b}{y}年的{k}{w}差额是多少？"], number_wan=float(abs(va - vb)))
            if vb:
                r = float((va / vb).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
                mk.add("times", [f"{a}{y}年{k}{w}是{b}的几倍？", f"{y}年{a}的{k}{w}是{b}的多少倍？"], number=r)
        for key in rng.sample(["expenditure", "basic", "project", "personnel", "income"], 2):
            w = MEASURE_WORDS[key][0]
            vals = sorted(ts, key=lambda t: _d(t["totals"][key]))
            if len({_d(t["totals"][key]) for t in ts}) < len(ts):
                continue  # a tie has no single answer
            hi, lo = vals[-1]["agency"]["name"], vals[0]["agency"]["name"]
            mk.add("superlative", [f"{y}年哪个单位的{w}{k}最高？", f"{y}年{k}{w}最多的是哪个单位？",
                                   f"{y}年{k}中，{w}最大的单位是哪家？"], text_all=[hi])
            mk.add("superlative", [f"{y}年哪个单位的{w}{k}最低？", f"{y}年{k}{w}最少的是哪个单位？"], text_all=[lo])
            if len(ts) >= 3:
                top = [t["agency"]["name"] for t in vals[::-1][:3]]
                mk.add("top-n", [f"{y}年{k}{w}排名前三的单位是哪些？", f"{y}年各单位{k}{w}从高到低排名前3"],
                       text_all=top)
                trio = rng.sample(ts, 3)
                names = [t["agency"]["name"] for t in trio]
                best = max(trio, key=lambda t: _d(t["totals"][key]))["agency"]["name"]
                mk.add("ranking-set", [f"{names[0]}、{names[1]}和{names[2]}中，{y}年{k}{w}最高的是哪个？",
                                       f"{y}年{names[0]}、{names[1]}、{names[2]}哪个单位的{k}{w}最多？"], text_all=[best])
        key = rng.choice(["project", "basic", "expenditure"])
        w = MEASURE_WORDS[key][0]
        total = sum((_d(t["totals"][key]) for t in ts), Decimal(0))
        mk.add("sum", [f"{y}年所有单位的{k}{w}合计是多少？", f"{y}年全部单位{k}{w}一共多少万元？"], number_wan=float(total))

    # The agencies under a parent bureau.
    children: dict[str, set[str]] = {}
    for t in truths:
        if t["agency"].get("parent"):
            children.setdefault(t["agency"]["parent"], set()).add(t["agency"]["name"])
    for parent, kids in sorted(children.items()):
        mk.add("count-subordinates", [f"{parent}有几个下属单位？", f"{parent}的下属单位有多少个？"], number=len(kids))

    # Policies: which projects a 文号 is the basis of.
    by_policy: dict[str, set[str]] = {}
    for t in truths:
        for lk in t.get("policy_project_links", []):
            by_policy.setdefault(lk["policy"], set()).add(lk["project"])
    for number in sorted(by_policy)[:40]:
        printed = number.replace("〔", "【").replace("〕", "】") if rng.random() < 0.5 else number
        mk.add("policy", [f"哪些项目以{number}为依据？", f"{printed}文件支持了哪些项目？"], text_all=sorted(by_policy[number]))

    # Names no agency has: an agency's words in a place the corpus does not have.
    agencies = sorted(by_agency)
    for a in agencies:
        t = by_agency[a][0]
        place = t["agency"].get("city_or_county") or ""
        if not place or not a.startswith(place) or len(place) < 3:
            continue
        fake = place[1::-1] + place[2:]  # the place's first two characters swapped: no real place
        if fake in places:
            continue
        w = MEASURE_WORDS["expenditure"][0]
        y, k = t["fiscal_year"], KIND_WORD[t["kind"]]
        mk.add("unknown-agency", [f"{fake}{a[len(place):]}{y}年{k}{w}是多少？", f"{y}年{fake}{a[len(place):]}的{k}{w}为多少万元？"],
               not_found=True)
    # Names several agencies share: a level form without the year and kind that would tell them apart.
    for form, owners in sorted(level_owners.items()):
        if len(owners) > 1:
            mk.add("ambiguous", [f"{form}的{V.BASIC.label}是多少？", f"{form}有几个内设机构？"], candidates=sorted(owners))
    return mk.cases


# --- grading -------------------------------------------------------------------------------


def _norm(s) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(s or "")))


_YI = V.YI_YUAN[0]  # "3.2亿" is 亿元
_MONEY = re.compile(rf"(-?\d+(?:\.\d+)?)\s*({V.alternation((V.YI_YUAN, V.WAN_YUAN, V.YUAN, _YI, V.WAN))})?")
_TO_WAN = {V.YI_YUAN: V.YUAN_PER_WAN, _YI: V.YUAN_PER_WAN, V.YUAN: 1 / V.YUAN_PER_WAN, V.WAN_YUAN: 1, V.WAN: 1, "": 1}


def _has_money(text: str, wan) -> bool:
    """The shared scorer's rule: the figure in 万元, or the same sum in 元 or 亿元."""
    want = _d(wan)
    t = unicodedata.normalize("NFKC", text).replace(",", "")
    for m in _MONEY.finditer(t):
        v, unit = Decimal(m.group(1)), m.group(2) or ""
        in_wan = v * _TO_WAN[unit]
        if abs(in_wan - want) <= Decimal("0.01"):
            return True
    return False


def correct(case: dict, res: dict) -> bool:
    """Is the answer right? A figure stated as the value must be the figure; a list answer by
    the shared scorer's rules (the figure or every string in the text); what must not be
    answered by having no value, and saying so or listing the names."""
    text = res.get("answer") or ""
    if case.get("not_found"):
        return res.get("value") is None and "未找到" in text
    if "candidates" in case:
        return res.get("value") is None and all(_norm(c) in _norm(text) for c in case["candidates"])
    value = res.get("value")
    if value is None:
        return False
    want = case.get("number_wan", case.get("number"))
    if want is not None and isinstance(value, (str, int, float)):
        # A figure stated as the value must be the figure (a rate's sign is in its words: 增长/下降).
        try:
            return abs(abs(Decimal(str(value))) - abs(_d(want))) <= Decimal("0.01")
        except ArithmeticError:
            return False
    if "number_wan" in case:
        return _has_money(text, case["number_wan"])
    if "number" in case:
        want = _d(case["number"])
        return any(abs(Decimal(m) - want) <= Decimal("0.01")
                   for m in re.findall(r"-?\d+(?:\.\d+)?", unicodedata.normalize("NFKC", text).replace(",", "")))
    return all(_norm(t) in _norm(text) for t in case["text_all"])


def grade(case: dict, res: dict, confident: float = 0.6) -> tuple[bool, bool]:
    """(correct, confidently wrong): a wrong answer that states a value with confidence."""
    ok = correct(case, res)
    sure = res.get("value") is not None and (res.get("confidence") or 0) >= confident
    return ok, (not ok) and sure
