"""Pure parts of question answering: number formatting, 文号 and year parsing, intent
classification and the near-miss name matcher."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api.qa.intent import parse
from api.qa.linking import Entry, NameIndex, align, mask
from api.qa.sources import row_label
from api.qa.text import (
    find_codes,
    find_policy_numbers,
    find_years,
    format_count,
    format_signed_wan,
    format_wan,
    normalize_policy_number,
)


@pytest.mark.parametrize("yuan,text", [
    (Decimal("459280800"), "45928.08万元"),
    (Decimal("133491208"), "13349.1208万元"),
    (Decimal("1000"), "0.10万元"),
    (Decimal("80000"), "8.00万元"),
    (Decimal("0"), "0.00万元"),
    (Decimal("12345.6"), "1.23456万元"),
    ("52881935", "5288.1935万元"),
])
def test_format_wan_keeps_every_digit(yuan, text):
    assert format_wan(yuan) == text


def test_counts_and_differences():
    assert format_count(37) == "37人"
    assert format_signed_wan(Decimal("200000")) == "增加20.00万元"
    assert format_signed_wan(Decimal("-35000")) == "减少3.50万元"
    assert format_signed_wan(Decimal("0")) == "持平"


@pytest.mark.parametrize("printed", ["财社【2016】101号", "财社[2016]101号", "财社（2016）101号", "财社(2016)101号",
                                     "财社〔２０１６〕１０１号", "财社〔2016〕第101号", "财社 〔2016〕 101 号"])
def test_policy_numbers_normalize(printed):
    assert normalize_policy_number(printed) == "财社〔2016〕101号"
    (before, year, serial, _s, _e), = find_policy_numbers("哪些项目以" + printed + "为依据？")
    assert before.endswith("财社") and year == 2016 and serial == 101


def test_years_and_codes():
    assert find_years("X单位2024年和2023年度的项目支出") == [2024, 2023]
    assert find_years("财社〔2016〕101号文件2024年支持了哪个项目") == [2024]
    assert find_years("某委员会单位25年预算收入") == [2025]
    assert find_years("近25年来的变化") == []
    assert find_codes("社会保险经办机构（2080109）科目2024年") == ["2080109"]
    assert find_codes("30113住房公积金") == ["30113"]


@pytest.mark.parametrize("q,kind,extra", [
    ("某局2024年预算收入总额是多少？", "amount", {"total": "totalIncome", "doc_kind": "budget", "years": [2024]}),
    ("某局2023年决算支出总额是多少？", "amount", {"total": "totalExpenditure", "doc_kind": "final_account"}),
    ("某局“三公”经费是多少？", "amount", {"total": "threePublicExpenses"}),
    ("某局“三公”经费中公务接待费是多少？", "amount", {"total": "threePublicReception"}),
    ("某局公务用车运行费是多少？", "amount", {"total": "threePublicVehicleOperation"}),
    ("某局年初结转和结余是多少？", "amount", {"total": "carryOverIncome", "qualified": False}),
    ("某中心一般公共预算拨款收入是多少？", "amount", {"total": None, "qualified": True}),
    ("某局的编制人数是多少？", "staff", {"staff": "authorizedStaff"}),
    ("某局离退休人员有多少人？", "staff", {"staff": "retiredStaff"}),
    ("某中心的退休人员入户认证专项经费是多少？", "amount", {"staff": None}),
    ("某中心的主管部门是哪个单位？", "parent", {}),
    ("某局有哪些内设机构？", "units", {}),
    ("2024年哪个单位的住房公积金预算最高？", "superlative", {"direction": "max", "asks_agency": True}),
    ("2024年哪个单位的项目支出最少？", "superlative", {"direction": "min"}),
    ("某局2024年和2023年的项目支出相比增加了多少？", "compare", {"years": [2024, 2023]}),
    ("某局有哪些项目？", "projects", {}),
    ("机关养老保险财政补助的依据是什么文件？", "basis", {}),
    ("某局的单位代码是多少？", "code", {}),
    ("社会保障卡的发行由哪个单位负责？", "duty", {}),
    ("某局2026年单位预算收入是多少？", "amount", {"scope": "unit"}),
    ("某局2026年部门预算收入是多少？", "amount", {"scope": "department"}),
])
def test_intents(q, kind, extra):
    it = parse(q)
    assert it.kind == kind, it
    for k, v in extra.items():
        assert getattr(it, k) == v, (k, it)


def test_policy_intent_wins():
    assert parse("哪些项目以财社〔2016〕101号为依据？", has_policy=True).kind == "policy"


def _e(name, kind="agency"):
    return Entry(name, name, name, kind)


def test_align_exact_and_near_misses():
    full = _e("东川县机关事业单位和城乡居民养老保险经办中心")
    q = "东川县养老保险经办中心的宣传经费是多少"
    m = align(full, q)
    assert m is not None and not m.exact and q[m.start:m.end] == "东川县养老保险经办中心"
    assert align(_e("宣传经费"), q).exact
    # A suffix swap on a project name.
    assert align(_e("退休人员上门认证专项经费", "project"), "退休人员上门认证经费是多少", min_recall=0.6) is not None
    # Scattered shared characters are not a match.
    assert align(_e("东川县人力资源和社会保障局"), q) is None


def test_index_prefers_the_name_that_explains_more():
    idx = NameIndex([_e("西岭市城乡居民医疗保险服务中心"), _e("西岭市医疗保障局"), _e("医保中心")])
    best = idx.best("西岭市医疗保险服务中心2025年收入总额")
    assert best.entry.name == "西岭市城乡居民医疗保险服务中心"
    best = idx.best("西岭市医保中心的编制")
    assert best is not None


def test_mask_keeps_positions():
    assert mask("甲乙丙丁", [(1, 3)]) == "甲\u3000\u3000丁"


def test_row_label_strips_numbering():
    assert row_label("（一）一般公共预算拨款") == "一般公共预算拨款"
    assert row_label("1、一般公共预算拨款") == "一般公共预算拨款"
    assert row_label("二、事业收入") == "事业收入"


def test_agency_near_miss_keeps_the_kind_of_body():
    from api.qa.linking import Lexicon

    idx = NameIndex([_e("东川县机关事业单位和城乡居民养老保险经办中心"), _e("东川县社会保险事业管理局")])
    lex = Lexicon(idx, NameIndex([]), NameIndex([]), [], NameIndex([]))
    # A line's name sharing a long stretch with an agency is not that agency.
    q = "东川县社会保险事业管理局2024年机关事业单位基本养老保险缴费支出是多少"
    assert [m.entry.name for m in lex.link_agencies(q)] == ["东川县社会保险事业管理局"]
    assert [m.entry.name for m in lex.link_agencies("东川县养老保险经办中心的收入")] == [
        "东川县机关事业单位和城乡居民养老保险经办中心"]


def test_abbreviations_and_distinctive_endings():
    from api.qa.linking import Lexicon

    idx = NameIndex([_e("东川县社会保险事业管理局"), _e("东川县人力资源和社会保障局"), _e("东川县人力资源和社会保障信息中心")])
    lex = Lexicon(idx, NameIndex([]), NameIndex([]), [], NameIndex([]))
    assert [m.entry.name for m in lex.link_agencies("东川县社保局的编制人数")] == ["东川县社会保险事业管理局"]
    assert [m.entry.name for m in lex.link_agencies("东川县人社局有哪些内设机构")] == ["东川县人力资源和社会保障局"]
    assert [m.entry.name for m in lex.link_agencies("信息中心2024年收入")] == ["东川县人力资源和社会保障信息中心"]
    assert lex.link_agencies("保障中心2024年收入") == []  # no unique ending, no place: not linked
