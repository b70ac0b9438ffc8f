"""The domain's words, written once: the measures a disclosure states (with their ontology
terms), the standard tables, the two document kinds, the two scopes and the money units.

Extraction, checks, search, question answering, the pages and the synthetic generator all
import these instead of spelling them, so a wording added here is read (and written) the same
way everywhere. The contract labels are the ontology's (ontology/budget.ttl, rdfs:label@zh);
tests/test_vocab.py checks they agree and that no other module spells a word defined here.

Tuples are ordered: where a consumer tries alternatives in turn (a regex alternation, a
first-match loop) the order written here is the order tried, so longer wordings come first
where a shorter one is contained in them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from rdflib import URIRef

from ontology.namespace import BKG

# --- document kinds and scopes ---------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A document kind: budget (预算) or final account (决算)."""

    code: str  # bkg:documentKind
    word: str  # as titles and questions print it
    figure_type: str  # bkg:figureType of the document's own figures
    column: str  # the header of a column of such figures (预算数 / 决算数)


BUDGET = Kind("budget", "预算", "budget", "预算数")
FINAL_ACCOUNT = Kind("final_account", "决算", "outturn", "决算数")
KINDS = (BUDGET, FINAL_ACCOUNT)
KIND_WORDS = {k.code: k.word for k in KINDS}  # "budget" -> "预算"
FIGURE_WORDS = {k.figure_type: k.word for k in KINDS}  # "outturn" -> "决算"
# Headers that name which figure a column holds, not what it is for (预算数 under 公务接待费).
FIGURE_COLUMNS = (BUDGET.column, FINAL_ACCOUNT.column)


def kind_of(word: str | None) -> Kind:
    """The kind a printed word names (决算 → final account; anything else a budget)."""
    return FINAL_ACCOUNT if word == FINAL_ACCOUNT.word else BUDGET


def kind_by_code(code: str | None) -> Kind:
    """The kind of a bkg:documentKind value ("final_account"; anything else a budget)."""
    return FINAL_ACCOUNT if code == FINAL_ACCOUNT.code else BUDGET


# Columns of a final account that print the year's budget beside the outturn (年初预算数 …).
OPENING_BUDGET = "年初预算"
BUDGET_FIGURE_WORDS = (OPENING_BUDGET, "调整预算", "全年预算")
ACTUAL = "实际"  # actual, as against planned: 实际支出 (an outturn column), 实际人数


def kind_pattern() -> str:
    """Regex alternation of the kind words ("预算|决算")."""
    return "|".join(k.word for k in KINDS)


@dataclass(frozen=True)
class Scope:
    """Who a disclosure covers: a department with its units (部门) or one unit (单位)."""

    code: str  # bkg:disclosureScope
    word: str


DEPARTMENT = Scope("department", "部门")
UNIT = Scope("unit", "单位")
SCOPES = (DEPARTMENT, UNIT)
COMPREHENSIVE = "综合"  # "部门综合预算": the same department scope


def scope_of(word: str | None) -> Scope:
    return UNIT if word == UNIT.word else DEPARTMENT


def scope_pattern() -> str:
    return "|".join(s.word for s in SCOPES)


def scope_kind(scope: Scope, kind: Kind) -> str:
    """"部门预算", "单位决算": how a title names what it discloses."""
    return scope.word + kind.word


# --- money units and number formats ----------------------------------------------------

YUAN = "元"
WAN_YUAN = "万元"
QIAN_YUAN = "千元"
YI_YUAN = "亿元"
WAN = "万"  # "207万" in running text means 207 万元
DEFAULT_UNIT = WAN_YUAN  # what a document that never says prints its figures in
YUAN_PER_WAN = Decimal(10000)
BAIWAN_YUAN = "百万元"
SHIWAN_YUAN = "十万元"
QIANWAN_YUAN = "千万元"
UNIT_FACTORS = {YUAN: Decimal(1), WAN_YUAN: YUAN_PER_WAN, YI_YUAN: Decimal(100000000), QIAN_YUAN: Decimal(1000),
                BAIWAN_YUAN: Decimal(1000000), SHIWAN_YUAN: Decimal(100000), QIANWAN_YUAN: Decimal(10000000)}
# Longest first: "百万元" contains "万元", which contains "元".
UNITS_LONGEST_FIRST = (YI_YUAN, QIANWAN_YUAN, BAIWAN_YUAN, SHIWAN_YUAN, WAN_YUAN, QIAN_YUAN, YUAN)
# What readers accept as a table's declared unit.
DECLARED_UNITS = UNITS_LONGEST_FIRST
BARE_UNITS = (YI_YUAN, QIANWAN_YUAN, BAIWAN_YUAN, WAN_YUAN, QIAN_YUAN, YUAN)  # "(万元)" alone on a line
UNIT_LABEL = "单位"  # "单位：万元"
UNIT_LABELS = (UNIT_LABEL, "金额单位", "计量单位")
UNIT_LABEL_QUALIFIERS = ("金额", "计量", "货币")  # what may precede 单位 in "金额单位："
# Units a figure in running text may carry ("207万元", "1,234元", "207万"), as a regex alternation.
TEXT_UNITS = (WAN_YUAN, YUAN, WAN)


def unit_word(printed: str) -> str:
    """The unit a figure in text means: "万" is short for 万元."""
    return WAN_YUAN if printed == WAN else printed


def alternation(words) -> str:
    """A regex alternation matching any of `words` literally, in the order given."""
    return "|".join(re.escape(w) for w in words)


# --- funds and the year's own figures ---------------------------------------------------

GPB = "一般公共预算"  # the general public budget fund
GOV_FUND = "政府性基金"
STATE_CAPITAL = "国有资本"  # 国有资本经营预算
FISCAL_GRANT = "财政拨款"  # money granted by the government, as against 事业收入 …
SERVICE_INCOME = "事业收入"  # income of a public service unit's own services
OTHER_INCOME = "其他收入"
SPECIAL = "专项"  # earmarked: how some tables name project expenditure (专项业务经费)
CURRENT_INCOME = "本年收入"  # the year's own income, before carry-overs
CURRENT_EXPENDITURE = "本年支出"
INCOME_SUM = "收入合计"
EXPENDITURE_SUM = "支出合计"
CARRIED_OVER = "上年结转"  # brought in from earlier years
CARRIED_FORWARD = "年末结转"  # left for the next year


# --- measures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A figure a disclosure states once (a total, a 三公 part, a head count) and its ontology term.

    `label` is the contract's; `name` what answers and messages call it where that differs;
    `short` what a document calls it beside its siblings (本年收入 beside 上年结转, 购置费 beside
    运行费); `rows` the labels of the table rows that print it, `text` the wordings the narrative
    states it with, `cells` the words a table column or header cell names it by.
    """

    key: str  # extraction's name for it (Facts.totals, Facts.staff)
    prop: str  # the ontology property's local name (bkg:totalIncome)
    label: str
    name: str = ""
    short: str = ""
    rows: tuple[str, ...] = ()
    text: tuple[str, ...] = ()
    cells: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.label)
        if not self.short:
            object.__setattr__(self, "short", self.label)

    @property
    def term(self) -> URIRef:
        return BKG[self.prop]


INCOME = Measure(
    "income", "totalIncome", "本年收入合计", name="收入总额", short=CURRENT_INCOME,
    rows=("本年收入合计", "本年收入小计", "当年收入小计"),
    text=("本年收入合计", "预算收入总额", "收入预算总额", "当年预算收入", "收入预算", "收支总预算", "收入总额",
          CURRENT_INCOME))
EXPENDITURE = Measure(
    "expenditure", "totalExpenditure", "本年支出合计", name="支出总额", short=CURRENT_EXPENDITURE,
    rows=("本年支出合计", "本年支出小计", "当年支出小计"),
    text=("本年支出合计", "预算支出总额", "支出预算总额", "当年预算支出", "支出预算", "收支总预算", "支出总额",
          CURRENT_EXPENDITURE))
BASIC = Measure("basic", "basicExpenditure", "基本支出", text=("基本支出",), cells=("基本支出",))
PROJECT = Measure("project", "projectExpenditure", "项目支出", text=("项目支出",), cells=("项目支出", SPECIAL))
PERSONNEL = Measure("personnel", "personnelExpenditure", "人员经费", rows=("人员经费合计", "人员经费"),
                    text=("人员经费",), cells=("人员经费", "人员支出", "工资福利"))
PUBLIC = Measure("public", "publicExpenditure", "公用经费", rows=("公用经费合计", "公用经费", "日常公用经费合计"),
                 text=("公用经费",), cells=("公用经费", "公用支出", "日常公用"))
THREE_PUBLIC = Measure("three_public", "threePublicExpenses", "“三公”经费")
OPERATING = Measure("operating", "operatingExpenses", "机关运行经费", text=("机关运行经费",), cells=("机关运行经费",))
PROCUREMENT = Measure("procurement", "procurementBudget", "政府采购预算")
CARRY_OVER = Measure(
    "carry_over", "carryOverIncome", "上年结转结余", name="年初结转和结余",
    rows=("上年结转结余", "上年结转和结余", "年初结转和结余", "年初结转结余", CARRIED_OVER, "上年结余结转", "上年结转资金"))
CARRY_FORWARD = Measure(
    "carry_forward", "carryForward", "年末结转和结余",
    rows=("年终结转结余", "年末结转和结余", "年末结转结余", "年终结转和结余", "结转下年", "年末结余", "结转下年资金"))
GRAND_INCOME = Measure("grand_income", "grandTotalIncome", "收入总计", rows=("收入总计", INCOME_SUM))
GRAND_EXPENDITURE = Measure("grand_expenditure", "grandTotalExpenditure", "支出总计", rows=("支出总计", EXPENDITURE_SUM))
ABROAD = Measure("abroad", "threePublicAbroad", "因公出国（境）费", cells=("出国",))
VEHICLES = Measure("vehicles", "threePublicVehicles", "公务用车购置及运行费",
                   cells=("公务用车购置及运行", "公务用车购置和运行"))
VEHICLE_PURCHASE = Measure("vehicle_purchase", "threePublicVehiclePurchase", "公务用车购置费", short="购置费",
                           cells=("购置费",))
VEHICLE_OPERATION = Measure("vehicle_operation", "threePublicVehicleOperation", "公务用车运行费", short="运行费",
                            cells=("运行费", "运行维护费"))
RECEPTION = Measure("reception", "threePublicReception", "公务接待费", cells=("公务接待",))

AUTHORIZED_STAFF = Measure("authorized", "authorizedStaff", "编制人数",
                           text=("编制人数", "人员编制", "核定编制", "编制数", "编制总数", "事业编制", "行政编制"))
ACTUAL_STAFF = Measure("actual", "actualStaff", "实有人数",
                       text=("实有人数", "实有人员", "在职人员", "在职实有人数", "在职人数"))
RETIRED_STAFF = Measure("retired", "retiredStaff", "离退休人数", text=("离退休人员", "离退休人数", "退休人员"))

# Money a disclosure states, in the order extraction reports them.
MONEY_MEASURES = (INCOME, EXPENDITURE, BASIC, PROJECT, PERSONNEL, PUBLIC, THREE_PUBLIC, OPERATING, PROCUREMENT,
                  CARRY_OVER, CARRY_FORWARD, GRAND_INCOME, GRAND_EXPENDITURE, ABROAD, VEHICLES, VEHICLE_PURCHASE,
                  VEHICLE_OPERATION, RECEPTION)
STAFF_MEASURES = (AUTHORIZED_STAFF, ACTUAL_STAFF, RETIRED_STAFF)
MEASURES = MONEY_MEASURES + STAFF_MEASURES
# A classification line's own split columns (bkg:BudgetLine), beside its 合计.
LINE_SPLITS = (BASIC, PROJECT, PERSONNEL, PUBLIC)

# The 三公 total has no single printed form: the word in quotes of either kind, then 经费.
THREE_PUBLIC_WORD = "三公"
THREE_PUBLIC_QUOTES = ("“三公”", "\"三公\"")  # the two ways disclosures quote it
THREE_PUBLIC_BARE = "三公经费"  # unquoted, as a header cell or a question prints it
# "三公经费预算" / "三公经费决算" / "三公经费支出": the narrative's wordings of the total.
THREE_PUBLIC_SUFFIXES = (BUDGET.word, FINAL_ACCOUNT.word, "支出")
PROCUREMENT_WORD = "政府采购"
# "政府采购预算" … "政府采购金额": how the narrative introduces the procurement figure.
PROCUREMENT_SUFFIXES = (BUDGET.word, "支出", FINAL_ACCOUNT.word, "合同", "金额")
# Labels of the row that closes a table of expenditure (its 合计 row), besides a bare 合计/总计.
EXPENDITURE_TOTAL_LABELS = (EXPENDITURE.label, EXPENDITURE_SUM)
# The 总计 row of an uncoded summary table, as extraction reads it (after list numbering is removed).
SUMMARY_TOTAL_LABELS = (GRAND_EXPENDITURE.label, EXPENDITURE_SUM, CURRENT_EXPENDITURE + "总计", EXPENDITURE.label, "总计",
                        "合计")


def three_public_pattern() -> str:
    """The 三公 total in running text, quoted either way or not at all ("“三公”经费")."""
    return f"[“\"]?{THREE_PUBLIC_WORD}[”\"]?经费"


# --- standard tables -------------------------------------------------------------------


@dataclass(frozen=True)
class ByKind:
    """A name a budget and a final account print differently (a table's title, a row's label)."""

    budget: str
    final: str

    def title(self, kind_code: str) -> str:
        return self.final if kind_code == FINAL_ACCOUNT.code else self.budget


# The tables every disclosure publishes, by their titles in each kind.
SUMMARY_TABLE = ByKind("收支总表", "收入支出决算总表")
INCOME_TABLE = ByKind("收入总表", "收入决算表")
EXPENDITURE_TABLE = ByKind("支出总表", "支出决算表")
FISCAL_SUMMARY_TABLE = ByKind("财政拨款收支总表", "财政拨款收入支出决算总表")
GPB_EXPENDITURE_TABLE = ByKind("一般公共预算支出表", "一般公共预算财政拨款支出决算表")
GPB_BASIC_TABLE = ByKind("一般公共预算基本支出表", "一般公共预算财政拨款基本支出决算表")
# {quote}: the 三公 word as the document quotes it (THREE_PUBLIC_QUOTES).
THREE_PUBLIC_TABLE = ByKind("一般公共预算{quote}经费支出表", "一般公共预算财政拨款{quote}经费支出决算表")
GOV_FUND_TABLE = ByKind("政府性基金预算支出表", "政府性基金预算财政拨款支出决算表")
PROJECT_TABLE = ByKind("项目支出表", "项目支出决算表")
PROCUREMENT_TABLE = ByKind("政府采购预算表", "政府采购支出决算表")
STANDARD_TABLES = (SUMMARY_TABLE, INCOME_TABLE, EXPENDITURE_TABLE, FISCAL_SUMMARY_TABLE, GPB_EXPENDITURE_TABLE,
                   GPB_BASIC_TABLE, THREE_PUBLIC_TABLE, GOV_FUND_TABLE, PROJECT_TABLE, PROCUREMENT_TABLE)

# Rows of the 收支总表 whose label depends on the kind.
CARRY_OVER_ROW = ByKind("上年结转结余", "年初结转和结余")
CARRY_FORWARD_ROW = ByKind("年终结转结余", "年末结转和结余")
OPENING_BUDGET_COLUMN = "年初预算数"  # a final account's budget column
ECONOMIC_CLASSIFICATION = "部门预算支出经济分类科目"  # bkg:EconomicClassification's label
# How titles of a basic-expenditure table end: such a table's total is the basic total only.
BASIC_TABLE_TITLES = (BASIC.label + "表", BASIC.label + "明细表", BASIC.label + FINAL_ACCOUNT.word + "表",
                      BASIC.label + BUDGET.word + "表")


# --- standard tables, recognised by what they say (kg/extract/tables.py) ---------------


@dataclass(frozen=True)
class TableKind:
    """One standard table of a disclosure, whatever its region calls it.

    `names` are the titles the national templates give it; `title` the regex a printed title
    matches when it names this table (read after every more specific kind: STANDARD_KINDS is
    in the order tried); `expected` the kinds of disclosure (Kind.code) that must publish it.
    """

    key: str
    names: ByKind
    title: str
    expected: tuple[str, ...] = ()

    def name(self, kind_code: str) -> str:
        return self.names.title(kind_code).format(quote=THREE_PUBLIC_QUOTES[0])


_BOTH = (BUDGET.code, FINAL_ACCOUNT.code)
# 收支 printed whole or spelled out: 收支总表, 收入支出决算总表, 收支预算总表.
_IN_OUT = "收(?:入)?支(?:出)?"
_TABLE_END = rf"(?:{BUDGET.word}|{FINAL_ACCOUNT.word})?(?:总|明细)?表"
# What may precede 收入/支出 in the title of the whole income or expenditure table: the year, the
# scope (部门, 单位, 综合), the kind — never another noun (债务支出表 is not the 支出总表).
_WHOLE = r"(?:^|(?<=[年门位合算]))"
TK_THREE_PUBLIC = TableKind("three_public", THREE_PUBLIC_TABLE, THREE_PUBLIC_WORD, _BOTH)
TK_PERFORMANCE = TableKind("performance", ByKind("项目支出绩效目标表", "项目支出绩效自评表"), "绩效")
TK_PROCUREMENT = TableKind("procurement", PROCUREMENT_TABLE, PROCUREMENT_WORD)
TK_OPERATING = TableKind("operating", ByKind("机关运行经费支出表", "机关运行经费支出决算表"), OPERATING.label)
TK_FISCAL_SUMMARY = TableKind("fiscal_summary", FISCAL_SUMMARY_TABLE, rf"{FISCAL_GRANT}{_IN_OUT}.*总表", _BOTH)
TK_SUMMARY = TableKind("summary", SUMMARY_TABLE, rf"{_IN_OUT}.*总表", _BOTH)
TK_INCOME = TableKind("income", INCOME_TABLE, rf"{_WHOLE}收入{_TABLE_END}", _BOTH)
TK_GOV_FUND = TableKind("gov_fund", GOV_FUND_TABLE, GOV_FUND, _BOTH)
TK_STATE_CAPITAL = TableKind("state_capital", ByKind("国有资本经营预算支出表", "国有资本经营预算财政拨款支出决算表"),
                             STATE_CAPITAL)
TK_GPB_BASIC = TableKind("gpb_basic", GPB_BASIC_TABLE, rf"{GPB}.*{BASIC.label}", _BOTH)
TK_FISCAL_BASIC = TableKind("fiscal_basic", ByKind("财政拨款基本支出表", "财政拨款基本支出决算表"),
                            rf"{FISCAL_GRANT}.*{BASIC.label}")
TK_BASIC = TableKind("basic", ByKind("基本支出表", "基本支出决算表"), BASIC.label)
TK_PROJECT = TableKind("project", PROJECT_TABLE, rf"{PROJECT.label}|{SPECIAL}|项目{BUDGET.word}|项目明细")
TK_GPB_EXPENDITURE = TableKind("gpb_expenditure", GPB_EXPENDITURE_TABLE, rf"{GPB}.*支出", _BOTH)
TK_FISCAL_EXPENDITURE = TableKind("fiscal_expenditure", ByKind("财政拨款支出表", "财政拨款支出决算表"),
                                  rf"{FISCAL_GRANT}.*支出")
TK_EXPENDITURE = TableKind("expenditure", EXPENDITURE_TABLE, rf"{_WHOLE}支出{_TABLE_END}", _BOTH)
# In the order a title is tried: the narrower names first (财政拨款收支总表 before 收支总表,
# 一般公共预算基本支出表 before 一般公共预算支出表, anything naming a fund before 支出总表).
STANDARD_KINDS = (TK_THREE_PUBLIC, TK_PERFORMANCE, TK_PROCUREMENT, TK_OPERATING, TK_FISCAL_SUMMARY, TK_SUMMARY,
                  TK_INCOME, TK_GOV_FUND, TK_STATE_CAPITAL, TK_GPB_BASIC, TK_FISCAL_BASIC, TK_BASIC, TK_PROJECT,
                  TK_GPB_EXPENDITURE, TK_FISCAL_EXPENDITURE, TK_EXPENDITURE)
TABLE_KINDS = {k.key: k for k in STANDARD_KINDS}
# What a table's content says, when its title does not: the header cells of each shape.
INCOME_SIDE, EXPENDITURE_SIDE = "收入", "支出"  # the two halves of a 收支总表's header
INCOME_SOURCE_WORDS = (FISCAL_GRANT, GPB, GOV_FUND, SERVICE_INCOME, OTHER_INCOME, CARRIED_OVER, "经营收入",
                       "上级补助", "附属单位", "财政专户", "其他资金")
PROJECT_NAME_CELLS = ("项目名称", "（项目）名称", "(项目)名称")
PROCUREMENT_CELLS = ("采购品目", "采购物品", "采购组织", "采购类别", "采购项目", PROCUREMENT_WORD)
# The label a table's filing line names the agency with ("部门：", "编制单位：", "部门（单位）名称："),
# as a regex: 单位 also labels the unit ("单位：万元"), told apart by the name after it.
AGENCY_LABEL_PATTERN = r"(?:填报|编制|预算)?(?:部门|单位)(?:（单位）|\(单位\))?(?:名称)?"
# A performance-target table's columns, in the order of the target's fields (bkg:PerformanceTarget).
TARGET_LEVEL_CELLS = (("一级指标",), ("二级指标",), ("三级指标", "指标名称", "绩效指标"), ("指标值", "目标值"))
# A column of a quarterly spending plan: 一季度 … 四季度 (or 第1季度); the quarter's number is group 1.
QUARTER_PATTERN = r"^(?:第)?([一二三四1-4])季度"
PERFORMANCE_CELLS = ("绩效目标", "绩效指标", "产出指标", "效益指标", "满意度指标", "指标值", "一级指标", "二级指标")


# --- question wording ------------------------------------------------------------------
# Words people ask with, which documents need not print. Each is only ever compared with a
# question, so they may be loose ("三公", "收入是多少"): the tables are tried in order,
# first match wins.

# Disclosure totals, longest wording first so "预算收入总额" is read as income, not as an
# unqualified 预算.
ASKED_TOTALS: tuple[tuple[str, Measure], ...] = (
    ("机关运行经费", OPERATING), ("运行经费", OPERATING), ("机关运行费", OPERATING),
    (THREE_PUBLIC_BARE, THREE_PUBLIC), (THREE_PUBLIC_WORD, THREE_PUBLIC),
    (PROCUREMENT_WORD, PROCUREMENT), ("采购预算", PROCUREMENT),
    ("人员经费", PERSONNEL),
    ("公用经费", PUBLIC), ("日常公用", PUBLIC),
    ("基本支出", BASIC),
    ("项目支出", PROJECT),
    ("收入总额", INCOME), (INCOME_SUM, INCOME), ("总收入", INCOME), ("预算收入", INCOME), ("决算收入", INCOME),
    (CURRENT_INCOME, INCOME), ("当年收入", INCOME), ("收入预算", INCOME), ("收入决算", INCOME), ("收入是多少", INCOME),
    ("支出总额", EXPENDITURE), (EXPENDITURE_SUM, EXPENDITURE), ("总支出", EXPENDITURE), ("预算支出", EXPENDITURE),
    ("决算支出", EXPENDITURE), (CURRENT_EXPENDITURE, EXPENDITURE), ("当年支出", EXPENDITURE), ("支出预算", EXPENDITURE),
    ("支出决算", EXPENDITURE), ("支出是多少", EXPENDITURE),
)
# Parts of the 三公 total and carry-overs: their own terms, read before the wording above
# ("公务用车运行费" is not the 三公 total).
ASKED_PARTS: tuple[tuple[str, Measure], ...] = (
    ("因公出国", ABROAD), ("出国（境）", ABROAD), ("出国境", ABROAD),
    ("公务用车购置及运行", VEHICLES),
    ("公务用车购置", VEHICLE_PURCHASE), ("车辆购置", VEHICLE_PURCHASE),
    ("公务用车运行", VEHICLE_OPERATION), ("公车运行", VEHICLE_OPERATION),
    ("公务用车", VEHICLES),
    ("公务接待", RECEPTION),
    (CARRIED_OVER, CARRY_OVER), ("年初结转", CARRY_OVER),
    (CARRIED_FORWARD, CARRY_FORWARD), ("年终结转", CARRY_FORWARD),
    ("收入总计", GRAND_INCOME),
    ("支出总计", GRAND_EXPENDITURE),
)
# Wording that names a total only when nothing more specific is named: "住房公积金支出是多少"
# asks for the line, "收入是多少" alone for the total.
WEAK_TOTAL_WORDS = frozenset({"收入是多少", "支出是多少", "预算支出", "决算支出", CURRENT_EXPENDITURE, "当年支出", "支出预算",
                              "支出决算"})
# A question naming one of these asks for that part's line, not the 三公 total.
ASKED_THREE_PUBLIC_PARTS = ("因公出国", "出国（境）", "出国境", "公务接待", "公务用车", "车辆购置", "公车")
# Funding-source qualifiers: "一般公共预算拨款收入" is one income line, not the year's total.
FUND_QUALIFIERS = (GPB, GOV_FUND, STATE_CAPITAL + "经营", FISCAL_GRANT, SERVICE_INCOME, "经营收入", OTHER_INCOME,
                   CARRIED_OVER, "年初结转", "结转和结余", "结转结余", "上级补助", "附属单位")
# Head counts: "离退休" before "退休", so a question about retirees is not read as one about staff.
ASKED_STAFF: tuple[tuple[str, Measure], ...] = (
    ("离退休", RETIRED_STAFF), ("退休", RETIRED_STAFF), ("编制", AUTHORIZED_STAFF), ("实有", ACTUAL_STAFF),
    ("在职", ACTUAL_STAFF), ("在编", ACTUAL_STAFF), (ACTUAL, ACTUAL_STAFF),
)


# --- what tests/test_vocab.py guards ---------------------------------------------------


def document_words() -> set[str]:
    """Every wording of a measure, table or kind that documents print (guarded as a substring
    elsewhere when it is distinctive enough, see tests/test_vocab.py)."""
    words: set[str] = set()
    for m in MEASURES:
        words |= {m.label, m.name, m.short, *m.rows, *m.text, *m.cells}
    for t in STANDARD_TABLES:
        words |= {t.budget, t.final}
    words |= {k.word for k in KINDS} | {k.column for k in KINDS} | set(BASIC_TABLE_TITLES) | set(BUDGET_FIGURE_WORDS)
    words |= {CURRENT_INCOME, CURRENT_EXPENDITURE, OPENING_BUDGET_COLUMN, ECONOMIC_CLASSIFICATION}
    for row in (CARRY_OVER_ROW, CARRY_FORWARD_ROW):
        words |= {row.budget, row.final}
    words |= {THREE_PUBLIC_WORD, THREE_PUBLIC_BARE, PROCUREMENT_WORD, *THREE_PUBLIC_QUOTES}
    words |= {scope_kind(s, k) for s in SCOPES for k in KINDS}
    words |= set(UNIT_FACTORS) | set(DECLARED_UNITS) | set(UNIT_LABELS)
    return {w for w in words if "{" not in w}


def question_words() -> set[str]:
    """Every question wording, and the words that are also parts of longer names (the funds:
    一般公共预算拨款收入, 一般公共预算基本支出表): guarded only as a whole string or a whole regex
    alternative."""
    words = {w for w, _ in ASKED_TOTALS + ASKED_PARTS + ASKED_STAFF}
    words |= set(WEAK_TOTAL_WORDS) | set(ASKED_THREE_PUBLIC_PARTS) | set(FUND_QUALIFIERS)
    return words | {GPB, GOV_FUND, STATE_CAPITAL, FISCAL_GRANT, SPECIAL, ACTUAL}


# --- the readers (kg/readers) ------------------------------------------------------------

# The kind words as documents set in traditional characters print them (预算/决算 above).
TRADITIONAL_KIND_WORDS = ("預算", "決算")


# --- agency names as people write them (question answering) ---------------------------
# (formal part, everyday part) of an agency's name: question answering derives each agency's
# everyday names from its label and the documents' own spellings with these, read both ways
# (a label may print the short form and the question the long one). Longer parts first.
NAME_FORMS: tuple[tuple[str, str], ...] = (
    ("中国共产党", "中共"),
    ("中国人民政治协商会议", "政协"),
    ("人民代表大会常务委员会", "人大常委会"),
    ("人民代表大会", "人大"),
    ("常务委员会", "常委会"),
    ("高级人民法院", "高院"), ("高级人民法院", "法院"), ("中级人民法院", "中院"), ("中级人民法院", "法院"),
    ("人民法院", "法院"),
    ("人民检察院", "检察院"),
    ("人民政府", "政府"),
    ("委员会", "委"),
    ("委办公厅", "委办"), ("委办公室", "委办"),
    ("办公厅", "办公室"),  # people mix up the provincial 厅 and the local 室
)
# Names of subordinate bodies: "下属单位", "二级单位", "所属单位" ask for the agencies under one.
SUBORDINATE_WORDS = ("下属单位", "所属单位", "二级单位", "下级单位", "直属单位", "下设单位")
# A project's own fields beside its amount, as tables head their columns.
QUARTERLY_PLAN_WORDS = ("用款计划", "季度")
PERFORMANCE_WORDS = ("绩效目标", "绩效指标", "产出指标", "效益指标", "满意度指标")
PROJECT_BASIS_WORDS = ("立项依据", "政策依据", "项目依据", "设立依据")


# --- consistency checks (kg/checks) ------------------------------------------------------
# The words the checks read a document's own structure and claims with.

SUM_WORDS = ("合计", "小计", "总计")  # a row or column that sums the others
# A carry-forward beside the year's expenditure: not a part of it.
CARRY_FORWARD_WORDS = (CARRIED_FORWARD, "结转下年", "年终结转")
ID_COLUMN_WORDS = ("编码", "代码", "名称", "序号")  # columns that name a row rather than print a figure
LINE_SPLIT_WORDS = PERSONNEL.cells + PUBLIC.cells  # columns under 基本支出 that split it
# A third part of the year's expenditure some documents state beside 基本支出 and 项目支出.
RESERVE = "单位预留机动经费"
RESERVE_WORDS = (RESERVE, "预留机动经费")
# What a 三公 table may carry beside the three parts without their being 三公.
MEETING_FEE = "会议费"
TRAINING_FEE = "培训费"
NOT_THREE_PUBLIC = (MEETING_FEE, TRAINING_FEE)

# The narrative's comparisons: "与上年相比增加 844.15 万元，增长 6.59%", "占 49.55%",
# "完成年初预算的 95.45%", "决算数小于预算数", "与上年持平".
RISE_WORDS = ("增加", "增长", "上升", "提高", "增多", "多")
FALL_WORDS = ("减少", "下降", "降低", "减", "少")
FLAT_WORDS = ("持平", "相同", "一致", "无变化", "不变")
PREVIOUS_YEAR_WORDS = ("上年度", "上一年度", "上一年", "上年", "去年")
SHARE_WORD = "占"
COMPLETION_WORD = "完成"
GREATER_WORDS = ("大于", "高于", "超过", "多于")
LESS_WORDS = ("小于", "低于", "少于")
OF_WHICH_WORDS = ("其中", "主要用于以下方面", "具体如下", "分别为", "包括")
CLASS_MARK, SECTION_MARK, ITEM_MARK = "类", "款", "项"  # "一般公共服务（类）", "人大事务（款）"

# Completeness and identity.
CONTENTS_WORD = "目录"
PART_WORD = "部分"  # "第二部分 … 预算表" heads a part of the document, not a table
TABLE_WORD = "表"
ASSET_DATE_WORDS = ("截至", "截止", "截止到", "截至到")
YEAR_END = (12, 31)
FULL_STOP = "。"
ASSET_WORDS = ("资产", "车辆", "公务用车", "设备", "房屋")  # what an asset reporting date is followed by
EXECUTION_WORD = "执行数"  # "2025年预算执行数": last year's spending so far, not its budget


# --- funds, labels and schemes some layouts print (the generator's layout families) ------
SPECIAL_ACCOUNT = "财政专户管理资金"  # income managed in a fiscal special account, beside 财政拨款
OTHER_FUNDS = "其他资金"  # 事业收入, 经营收入 and 其他收入 grouped under one head
# 政府预算支出经济分类科目 (bkg:GovernmentEconomicClassification: 501, 50101 …), printed beside
# the department's own economic classification in some basic-expenditure tables.
GOV_ECONOMIC_CLASSIFICATION = "政府预算支出经济分类科目"
# What a table's filing line names the agency with, before its name ("部门：…"). 单位 also
# labels the amounts' unit ("单位：万元"); the name after it tells them apart.
AGENCY_LABELS = ("填报单位", "编制部门", "编制单位", "部门名称", "单位名称", "部门", "单位")


# --- the national classification lists (政府收支分类科目) ----------------------------------
# kg/data/classification.tsv: the codes and names of 支出功能分类 and 支出经济分类 as the
# national standard lists them, read by kg.classification to give a table printed by names
# only its codes. The names are data the vocabulary loads, kept beside it in one file.
CLASSIFICATION_FILE = "data/classification.tsv"
# A classification name is printed with or without this ending ("其他对个人和家庭的补助支出").
CLASSIFICATION_NAME_ENDING = "支出"


# --- disclosure titles and covers (kg/extract/header.py) --------------------------------
# The forms a disclosure's title and cover take across regions: "<agency>2024年部门预算公开",
# "关于<agency>2024年度部门决算的说明", the year in Chinese numerals ("二〇二四年"), the agency
# on a line of its own or in a cover field ("编制单位：…"), a publication date under it.

# Digits of a year printed in Chinese numerals: 〇 is often set as ○ (a circle) or the letter O.
YEAR_NUMERALS = {"〇": 0, "○": 0, "零": 0, "O": 0, "Ｏ": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
                 "六": 6, "七": 7, "八": 8, "九": 9}
MONTH_NUMERALS = "一二三四五六七八九十"  # "二〇二五年八月": a month in words
# Words a title is wrapped in around "<agency><year>年<scope><kind>": before the agency
# ("关于…的说明") or between it and the year ("<agency>关于2024年…").
TITLE_LEADS = ("关于公开", "关于公布", "关于印发", "关于发布", "关于")
TITLE_NAME_TAILS = ("关于公开", "关于公布", "关于印发", "关于发布", "关于", "的")
# What a title says of its scope when it prints no 部门/单位: the agency's own office alone
# (本级, one unit) or the department with its units added up (汇总). Printed after the name,
# often bracketed: "<agency>（本级）2024年预算".
SCOPE_HINTS = (("机关本级", UNIT), ("本级", UNIT), ("汇总", DEPARTMENT))
# Words a title may print between the scope and the kind: "部门综合预算", "单位收支预算",
# "部门财务收支预算" (longer first). None changes the scope or the kind.
TITLE_KIND_QUALIFIERS = (COMPREHENSIVE, "财务收支", "收支")
# Cover fields that name the publishing agency ("编制单位：…"); 主管部门 names the agency only on
# a cover, where no parent is printed (上海: 预算主管部门：…). Longer labels first.
COVER_AGENCY_LABELS = ("部门（单位）名称", "部门(单位)名称", "预算主管部门", "预算单位", "决算单位", "主管部门",
                       "部门名称", "单位名称", "编制单位", "编制部门", "填报单位", "报送单位", "公开单位")
# What a party organ's or a people's organization's name starts with, before its region
# ("中共青禾市委组织部", "共青团青禾市委员会", "民盟青禾市委员会"). Longer forms first.
ORGAN_PREFIXES = ("中国共产党", "中共", "中国共产主义青年团", "共青团", "民革", "民盟", "民建", "民进", "农工党", "致公党",
                  "九三学社", "台盟")
# A line above a title that is not part of it: an attachment's number ("附件2：").
ATTACHMENT_WORD = "附件"
