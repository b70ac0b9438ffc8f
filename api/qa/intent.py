"""Intent parsing: what kind of fact a question asks for, read from its wording.

Only the question's own words are used here — which agency, project or line it names is
the linker's job (api.qa.linking). The vocabulary below is the budget-disclosure domain's
(收入总额, 基本支出, 编制 …), the same in every disclosure, never a corpus name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from api.qa.text import find_codes, find_years, squash

# Disclosure-level totals (bkg: properties of a bkg:Disclosure), longest wording first
# so "预算收入总额" is read as income, not as an unqualified 预算.
TOTALS: list[tuple[str, str]] = [
    ("机关运行经费", "operatingExpenses"),
    ("运行经费", "operatingExpenses"),
    ("机关运行费", "operatingExpenses"),
    ("三公经费", "threePublicExpenses"),
    ("三公", "threePublicExpenses"),
    ("政府采购", "procurementBudget"),
    ("采购预算", "procurementBudget"),
    ("人员经费", "personnelExpenditure"),
    ("公用经费", "publicExpenditure"),
    ("日常公用", "publicExpenditure"),
    ("基本支出", "basicExpenditure"),
    ("项目支出", "projectExpenditure"),
    ("收入总额", "totalIncome"),
    ("收入合计", "totalIncome"),
    ("总收入", "totalIncome"),
    ("预算收入", "totalIncome"),
    ("决算收入", "totalIncome"),
    ("本年收入", "totalIncome"),
    ("当年收入", "totalIncome"),
    ("收入预算", "totalIncome"),
    ("收入是多少", "totalIncome"),
    ("支出总额", "totalExpenditure"),
    ("支出合计", "totalExpenditure"),
    ("总支出", "totalExpenditure"),
    ("预算支出", "totalExpenditure"),
    ("决算支出", "totalExpenditure"),
    ("本年支出", "totalExpenditure"),
    ("当年支出", "totalExpenditure"),
    ("支出预算", "totalExpenditure"),
    ("支出是多少", "totalExpenditure"),
]

# Parts of the 三公 total and carry-overs: their own disclosure-level terms (read before
# the generic wording, since "公务用车运行费" is not the 三公 total).
PARTS: list[tuple[str, str]] = [
    ("因公出国", "threePublicAbroad"),
    ("出国（境）", "threePublicAbroad"),
    ("出国境", "threePublicAbroad"),
    ("公务用车购置及运行", "threePublicVehicles"),
    ("公务用车购置", "threePublicVehiclePurchase"),
    ("车辆购置", "threePublicVehiclePurchase"),
    ("公务用车运行", "threePublicVehicleOperation"),
    ("公车运行", "threePublicVehicleOperation"),
    ("公务用车", "threePublicVehicles"),
    ("公务接待", "threePublicReception"),
    ("上年结转", "carryOverIncome"),
    ("年初结转", "carryOverIncome"),
    ("年末结转", "carryForward"),
    ("年终结转", "carryForward"),
    ("收入总计", "grandTotalIncome"),
    ("支出总计", "grandTotalExpenditure"),
]

# Wording that names a total only when nothing more specific is named: "住房公积金支出是多少"
# asks for the line, "收入是多少" alone for the total.
WEAK_TOTAL_WORDS = {"收入是多少", "支出是多少", "预算支出", "决算支出", "本年支出", "当年支出", "支出预算"}

TOTAL_NAMES = {
    "totalIncome": "收入总额", "totalExpenditure": "支出总额", "basicExpenditure": "基本支出",
    "projectExpenditure": "项目支出", "personnelExpenditure": "人员经费", "publicExpenditure": "公用经费",
    "threePublicExpenses": "“三公”经费", "operatingExpenses": "机关运行经费", "procurementBudget": "政府采购预算",
    "threePublicAbroad": "因公出国（境）费", "threePublicVehicles": "公务用车购置及运行费",
    "threePublicVehiclePurchase": "公务用车购置费", "threePublicVehicleOperation": "公务用车运行费",
    "threePublicReception": "公务接待费", "carryOverIncome": "年初结转和结余", "carryForward": "年末结转和结余",
    "grandTotalIncome": "收入总计", "grandTotalExpenditure": "支出总计",
    "authorizedStaff": "编制人数", "actualStaff": "实有人数", "retiredStaff": "离退休人数",
}

# Funding-source qualifiers: "一般公共预算拨款收入" is one income line, not the year's total.
SOURCE_QUALIFIERS = ("一般公共预算", "政府性基金", "国有资本经营", "财政拨款", "事业收入", "经营收入", "其他收入",
                     "上年结转", "年初结转", "结转和结余", "结转结余", "上级补助", "附属单位")

# Parts of the 三公 total: a question naming one asks for that line, not the total.
THREE_PUBLIC_PARTS = ("因公出国", "出国（境）", "出国境", "公务接待", "公务用车", "车辆购置", "公车")

# Line-level columns: "X科目的基本支出" reads the line's column, not the disclosure total.
LINE_COLUMNS = {"基本支出": "basicExpenditure", "项目支出": "projectExpenditure",
                "人员经费": "personnelExpenditure", "公用经费": "publicExpenditure"}

STAFF = [("离退休", "retiredStaff"), ("退休", "retiredStaff"), ("编制", "authorizedStaff"),
         ("实有", "actualStaff"), ("在职", "actualStaff"), ("在编", "actualStaff"), ("实际", "actualStaff")]
_COUNT_WORDS = re.compile(r"人数|多少人|几人|几名|多少名|几个人|多少个人|人员数|名额")
_MONEY_WORDS = re.compile(r"经费|资金|万元|金额|费用|支出|收入|预算是|补助|费是")

_PARENT = re.compile(r"主管部门|主管单位|上级(?:单位|部门|主管)?|隶属|归属于?哪|所属部门|所属单位|二级单位|归口")
_UNITS = re.compile(r"内设机构|内设|科室|机构设置|下设|设有哪些|有哪些部门|有哪些科")
_DUTY = re.compile(r"负责|职责|承担|主管|管理|办理|经办|哪个单位|哪个部门|哪家单位")
_SUPER_HI = re.compile(r"最高|最多|最大|最贵|第一")
_SUPER_LO = re.compile(r"最低|最少|最小")
_WHICH = re.compile(r"哪个|哪家|哪一|哪些|什么单位|什么部门|谁")
_COMPARE = re.compile(r"相比|对比|比较|增加|减少|增长|下降|变化|差额|相差|多多少|少多少|差多少|高多少|低多少|比|"
                      r"哪个(?:更)?(?:高|多|大|低|少|小)|谁(?:更)?(?:高|多|大|低|少)|更高|更多|更大|更低|更少|较高|较多")
_PROJECT_LIST = re.compile(r"(?:有|包括|安排了?|涉及)哪些(?:项目|专项)|项目(?:有哪些|清单|名单)|哪些项目|"
                           r"(?:多少|几)个(?:项目|专项)|项目(?:个数|数量)")
_BASIS = re.compile(r"依据|根据|政策文件|文件依据|政策依据|测算依据|以什么|哪个文件|什么文件|哪些文件")
_CODE = re.compile(r"单位代码|单位编码|部门代码|部门编码|预算代码|单位编号|代码是|编码是")
_PURPOSE = re.compile(r"占比|比例|比重|百分比|增长率|增幅|用于什么|用途|用在哪|做什么|干什么|主要用于|目的是|绩效目标|实施内容|主要内容|为什么|原因")
_PREV_YEAR = re.compile(r"上年|上一年|去年|前一年")
_SUM = re.compile(r"合计|总共|一共|总计|加起来|共计")
_PROJECT_Q = re.compile(r"项目|资金|经费")
_AGENCY_Q = re.compile(r"单位|部门|机构")


@dataclass
class Intent:
    kind: str  # policy | code | parent | units | staff | superlative | compare | projects | basis | sum | amount | duty
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
    doc_kind = "final_account" if "决算" in q else ("budget" if "预算" in q else None)
    total, total_word = find_total(q)
    it = Intent("amount", total=total, total_word=total_word, years=years, doc_kind=doc_kind, codes=find_codes(q))
    it.qualified = total is None and any(s in q for s in SOURCE_QUALIFIERS)
    if re.search(r"单位(?:预算|决算)", q):
        it.scope = "unit"
    elif re.search(r"部门(?:综合)?(?:预算|决算)", q):
        it.scope = "department"
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
    if _PARENT.search(q):
        it.kind = "parent"
        return it
    if _UNITS.search(q) and not _MONEY_WORDS.search(q):
        it.kind = "units"
        return it
    if _PURPOSE.search(q) and not _COUNT_WORDS.search(q):
        it.kind = "duty"  # what money is for, why it changed: the text says it
        return it
    for word, prop in STAFF:
        if word in q and (_COUNT_WORDS.search(q) or (prop == "authorizedStaff" and not _MONEY_WORDS.search(q))):
            it.kind, it.staff = "staff", prop
            break
    hi, lo = _SUPER_HI.search(q), _SUPER_LO.search(q)
    if (hi or lo) and _WHICH.search(q):
        it.kind = "superlative" if it.kind == "amount" else it.kind
        it.direction = "max" if hi and not (lo and lo.start() < hi.start()) else "min"
        return it
    if it.kind == "staff":
        return it
    if _COMPARE.search(q) and (len(years) >= 2 or "和" in q or "与" in q or _PREV_YEAR.search(q) or "比" in q):
        it.kind = "compare"
        it.previous_year = bool(_PREV_YEAR.search(q))
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


_TRAIL = re.compile(r"(?:是多少|为多少|有多少|是几|多少钱|多少|是什么|有哪些|情况|如何|怎样|怎么样|\?|？|。|!|！|吗|呢|"
                    r"是?哪(?:个|一个|家)(?:单位|部门|机构)?|是谁|"
                    r"分别|各|共|一共|总共|数额|金额|数|的|资金量|安排了?|预算数?|决算数?|万元|元|科目上?|上)$")
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
