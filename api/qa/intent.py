"""Intent parsing: what kind of fact a question asks for, read from its wording.

Only the question's own words are used here — which agency, project or line it names is
the linker's job (api.qa.linking). The vocabulary below is the budget-disclosure domain's
(收入总额, 基本支出, 编制 …), the same in every disclosure, never a corpus name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from api.qa.text import find_codes, find_years, squash
from kg import vocab as V

# The wording tables live in kg.vocab (the domain's words, shared with extraction); here
# they are read as (word, bkg property name) in the order they are tried.
TOTALS: list[tuple[str, str]] = [(w, m.prop) for w, m in V.ASKED_TOTALS]
PARTS: list[tuple[str, str]] = [(w, m.prop) for w, m in V.ASKED_PARTS]
WEAK_TOTAL_WORDS = set(V.WEAK_TOTAL_WORDS)
# What an answer calls each measure (收入总额 for bkg:totalIncome, whose contract label is 本年收入合计).
TOTAL_NAMES = {m.prop: m.name for m in V.MEASURES}
SOURCE_QUALIFIERS = V.FUND_QUALIFIERS
THREE_PUBLIC_PARTS = V.ASKED_THREE_PUBLIC_PARTS
# Line-level columns: "X科目的基本支出" reads the line's column, not the disclosure total.
LINE_COLUMNS = {m.label: m.prop for m in V.LINE_SPLITS}
STAFF = [(w, m.prop) for w, m in V.ASKED_STAFF]

_COUNT_WORDS = re.compile(r"人数|多少人|几人|几名|多少名|几个人|多少个人|人员数|名额")
_MONEY_WORDS = re.compile(rf"经费|资金|{V.WAN_YUAN}|金额|费用|支出|收入|预算是|补助|费是")

_PARENT = re.compile(r"主管部门|主管单位|上级(?:单位|部门|主管)?|隶属|归属于?哪|所属部门|所属单位|二级单位|归口|"
                     r"归哪|哪个(?:部门|单位)(?:管|主管|管理)(?:的|着)?(?:？|\?|$)|主管机关")
_UNITS = re.compile(r"内设机构|内设|科室|机构设置|下设|设有哪些|有哪些部门|有哪些科")
_DUTY = re.compile(r"负责|职责|承担|主管|管理|办理|经办|哪个单位|哪个部门|哪家单位")
_SUPER_HI = re.compile(r"最高|最多|最大|最贵|第一")
_SUPER_LO = re.compile(r"最低|最少|最小")
_WHICH = re.compile(r"哪个|哪家|哪一|哪些|什么单位|什么部门|谁")
_COMPARE = re.compile(r"相比|对比|比较|增加|减少|增长|下降|变化|增减|差额|相差|多多少|少多少|差多少|高多少|低多少|比|较|"
                      r"哪个(?:更)?(?:高|多|大|低|少|小)|谁(?:更)?(?:高|多|大|低|少)|更高|更多|更大|更低|更少|较高|较多")
_PROJECT_LIST = re.compile(rf"(?:有|包括|安排了?|涉及)哪些(?:项目|{V.SPECIAL})|项目(?:有哪些|清单|名单)|哪些项目|"
                           rf"(?:多少|几)个(?:项目|{V.SPECIAL})|项目(?:个数|数量)")
_BASIS = re.compile(r"依据|根据|政策文件|文件依据|政策依据|测算依据|以什么|哪个文件|什么文件|哪些文件")
_CODE = re.compile(r"单位代码|单位编码|部门代码|部门编码|预算代码|单位编号|代码是|编码是")
_PURPOSE = re.compile(r"用于什么|用途|用在哪|做什么|干什么|主要用于|目的是|实施内容|主要内容|为什么|原因")
# A share or ratio of two figures: "人员经费占基本支出的比重", "A的项目支出是B的几倍".
_RATIO = re.compile(r"占比|所占比|比例|比重|百分比|占.{0,16}(?:多少|几成|%|％)|几倍|多少倍|倍数|比值")
# A rate of change, not an amount of change: "增长率", "增长了百分之几", "增幅".
_GROWTH = re.compile(r"增长率|增幅|降幅|增速|下降率|减少率|百分之几|百分比|幅度|(?:增长|下降|减少|增加)了?多少?(?:%|％)")
_ACTUAL_SPENT = re.compile(rf"{V.ACTUAL}(?:支出|执行|完成|花了|使用)|执行数|完成数|执行情况")
_COUNTING = re.compile(r"(?:几|多少)(?:个|家|项|所)|个数|数量|总数")
_LISTING = re.compile(r"有哪些|是哪些|哪几个|名单|包括哪|都有|列出|分别是")
_SUBORDINATE = re.compile("|".join(V.SUBORDINATE_WORDS))
_RANKING = re.compile(r"排名|排序|排行|前(?:[一二三四五六七八九十]|\d{1,2})(?:名|位|个)?|从高到低|从低到高|从大到小|从小到大")
_PROJECT_FIELD = re.compile(rf"{V.alternation(V.QUARTERLY_PLAN_WORDS + V.PERFORMANCE_WORDS + V.PROJECT_BASIS_WORDS)}")
_PREV_YEAR = re.compile(r"上年|上一年|去年|前一年|同比")
_SUM = re.compile(r"合计|总共|一共|总计|加起来|共计")
_PROJECT_Q = re.compile(r"项目|资金|经费")
_AGENCY_Q = re.compile(r"单位|部门|机构")


@dataclass
class Intent:
    kind: str  # policy | code | parent | units | subordinates | staff | superlative | compare | ratio | projects
    #            | project_field | basis | sum | amount | duty
    total: str | None = None  # bkg: property of a disclosure total, when the wording names one
    total_word: str | None = None
    staff: str | None = None
    years: list[int] = field(default_factory=list)
    doc_kind: str | None = None  # budget | final_account | None (either)
    scope: str | None = None  # department (部门预算) | unit (单位预算) | None (either)
    direction: str = "max"
    codes: list[str] = field(default_factory=list)
    asks_agency: bool = False
    asks_project: bool = False
    line_column: str | None = None  # basicExpenditure … of a classification line
    qualified: bool = False  # a funding-source qualifier makes the total a table line
    previous_year: bool = False  # "比上年…": compare with the year before
    growth: bool = False  # a rate of change is asked ("增长率"), not only the difference
    count: bool = False  # "几个": the number of things, not their list
    both_kinds: bool = False  # 预算 and 决算 of the same agency compared
    both_scopes: bool = False  # 部门预算 and 单位预算 of the same agency compared
    top_n: int | None = None  # "排名前三": how many of a ranking to list
    field: str | None = None  # a project's own field: plan | performance | basis


def find_total(q: str) -> tuple[str | None, str | None]:
    """The disclosure total the question's wording names, unless a funding-source
    qualifier makes it a narrower line; a 三公 part or a carry-over is its own term."""
    for word, prop in PARTS:
        if word in q:
            return prop, word
    if any(p in q for p in THREE_PUBLIC_PARTS):
        return None, None
    if any(s in q for s in SOURCE_QUALIFIERS):
        return None, None
    for word, prop in TOTALS:
        if word in q:
            return prop, word
    return None, None


def parse(question: str, has_policy: bool = False) -> Intent:
    """Classify a question. `has_policy`: the linker found a 文号/policy title in it."""
    q = squash(question)
    years = find_years(q)
    doc_kind = V.FINAL_ACCOUNT.code if V.FINAL_ACCOUNT.word in q else (V.BUDGET.code if V.BUDGET.word in q else None)
    if doc_kind is None and _ACTUAL_SPENT.search(q):
        doc_kind = V.FINAL_ACCOUNT.code  # what was actually spent is the final account's figure
    total, total_word = find_total(q)
    it = Intent("amount", total=total, total_word=total_word, years=years, doc_kind=doc_kind, codes=find_codes(q))
    it.qualified = total is None and any(s in q for s in SOURCE_QUALIFIERS)
    if re.search(rf"{_NOT_A_SCOPE}{V.UNIT.word}(?:{V.kind_pattern()})", q):
        it.scope = V.UNIT.code
    elif re.search(rf"{V.DEPARTMENT.word}(?:{V.COMPREHENSIVE})?(?:{V.kind_pattern()})", q):
        it.scope = V.DEPARTMENT.code
    it.both_kinds = V.FINAL_ACCOUNT.word in q and V.BUDGET.word in q
    it.both_scopes = bool(re.search(rf"{_NOT_A_SCOPE}{V.UNIT.word}(?:{V.kind_pattern()})", q)
                          and re.search(rf"{V.DEPARTMENT.word}(?:{V.COMPREHENSIVE})?(?:{V.kind_pattern()})", q))
    it.count = bool(_COUNTING.search(q))
    it.growth = bool(_GROWTH.search(q))
    it.top_n = _top_n(q)
    it.asks_agency = bool(_WHICH.search(q) and _AGENCY_Q.search(q))
    it.asks_project = bool(_WHICH.search(q) and _PROJECT_Q.search(q))
    for word, prop in LINE_COLUMNS.items():
        if word in q:
            it.line_column = prop
    if has_policy:
        it.kind = "policy"
        return it
    if _CODE.search(q):
        it.kind = "code"
        return it
    if _SUBORDINATE.search(q) and (it.count or _LISTING.search(q)) and not _MONEY_WORDS.search(q):
        it.kind = "subordinates"  # the agencies under one: "X有几个下属单位"
        return it
    if _PARENT.search(q):
        it.kind = "parent"
        return it
    if _UNITS.search(q) and not _MONEY_WORDS.search(q):
        it.kind = "units"
        return it
    if _RATIO.search(q) and not _COUNT_WORDS.search(q):
        it.kind = "ratio"
        return it
    field = _PROJECT_FIELD.search(q)
    if field and not (total and "多少" in q):
        word = field.group(0)
        it.kind = "project_field"
        it.field = ("plan" if word in V.QUARTERLY_PLAN_WORDS else "performance" if word in V.PERFORMANCE_WORDS
                    else "basis")
        return it
    if _PURPOSE.search(q) and not _COUNT_WORDS.search(q) and not re.search(r"哪些项目|哪几个项目", q):
        it.kind = "duty"  # what money is for, why it changed: the text says it
        return it
    for word, prop in STAFF:
        if word in q and (_COUNT_WORDS.search(q) or (prop == "authorizedStaff" and not _MONEY_WORDS.search(q))):
            it.kind, it.staff = "staff", prop
            break
    hi, lo = _SUPER_HI.search(q), _SUPER_LO.search(q)
    if _RANKING.search(q) and it.kind == "amount":
        it.kind = "superlative"
        it.direction = "min" if re.search(r"从低到高|从小到大|最低|最少|最小", q) else "max"
        it.top_n = it.top_n or 99
        return it
    if (hi or lo) and _WHICH.search(q):
        it.kind = "superlative" if it.kind == "amount" else it.kind
        it.direction = "max" if hi and not (lo and lo.start() < hi.start()) else "min"
        return it
    if it.kind == "staff":
        return it
    if (_COMPARE.search(q) or it.growth) and (len(years) >= 2 or "和" in q or "与" in q or _PREV_YEAR.search(q)
                                              or "比" in q or "同比" in q or it.growth):
        it.kind = "compare"
        it.previous_year = bool(_PREV_YEAR.search(q)) or (len(years) < 2 and "同比" in q)
        return it
    if _PROJECT_LIST.search(q) and not _SUPER_HI.search(q) and not _SUPER_LO.search(q):
        it.kind = "projects"
        return it
    if _BASIS.search(q) and not total and "多少" not in q:
        it.kind = "basis"
        return it
    if _SUM.search(q) and re.search(r"所有|全部|各|全体|共", q):
        it.kind = "sum"
        return it
    if it.asks_agency and _DUTY.search(q) and total is None:
        it.kind = "duty"
    return it


# "各单位预算", "所有单位的预算": every agency's, not the unit scope (单位预算).
_NOT_A_SCOPE = "(?<!各)(?<!每个)(?<!所有)(?<!全部)(?<!哪个)(?<!哪家)(?<!哪些)(?<!其他)"
_CN_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}


def _top_n(q: str) -> int | None:
    """"前三" / "前5名": how many of a ranking the question asks for."""
    m = re.search(r"前([一二三四五六七八九十]|\d{1,2})(?:名|位|个|家)?", q)
    if not m:
        return None
    g = m.group(1)
    return int(g) if g.isdigit() else _CN_DIGITS[g]


_TRAIL = re.compile(r"(?:是多少|为多少|有多少|是几|多少钱|多少|是什么|有哪些|情况|如何|怎样|怎么样|\?|？|。|!|！|吗|呢|"
                    r"是?哪(?:个|一个|家)(?:单位|部门|机构)?|是谁|"
                    rf"分别|各|共|一共|总共|数额|金额|数|的|资金量|安排了?|{V.BUDGET.word}数?|{V.FINAL_ACCOUNT.word}数?|"
                    rf"{V.WAN_YUAN}|{V.YUAN}|科目上?|上)$")
_LEAD = re.compile(r"^(?:请问|在|的|年度|年|中|里|其中|于|对|关于|用于)")


def asked_term(text: str) -> str:
    """The phrase a question asks the figure of, once agency, year and question words
    are gone: "…中心2024年一般公共预算拨款收入是多少？" → "一般公共预算拨款收入"."""
    t = re.sub(r"(?:19|20)\d{2}(?:年度|年)", "\u3000", text)
    parts = [p for p in re.split(r"[\u3000\s,，、]+", t) if p]
    best = ""
    for p in parts:
        prev = None
        while prev != p:
            prev = p
            p = _TRAIL.sub("", p)
            p = _LEAD.sub("", p)
        if "的" in p:
            p = p.split("的")[-1] or p
        if len(p) > len(best):
            best = p
    return best if len(best) >= 2 else ""
