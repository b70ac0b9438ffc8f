"""Questions analysts ask (issue 14) on a hand-built database (qa_analyst_graph.py): everyday
names of agencies, namesakes told apart by year or listed, names and years that are not in
the graph (never another agency's figure, never a sum over everything), comparisons with both
figures cited, shares, rankings over a stated set, counts, 部门 vs 单位 and 预算 vs 决算 of one
agency, a project's own fields — and every answer's confidence and interpretation."""

from __future__ import annotations

import pytest
from qa_analyst_graph import build_db

from api.qa.answerer import answer
from api.qa.confidence import CONFIDENT
from api.qa.context import Context


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    c = Context.open(build_db(tmp_path_factory.mktemp("analyst")))
    yield c
    c.close()


def ask(ctx, q):
    r = answer(q, ctx)
    assert {"confidence", "interpretation", "source", "candidates"} <= set(r), r
    return r


def stated(r) -> bool:
    return r["value"] is not None and r["confidence"] >= CONFIDENT


# --- everyday names -------------------------------------------------------------------------

@pytest.mark.parametrize("q, label", [
    ("省检察院2019年部门预算支出总额是多少？", "江东省人民检察院"),  # place cut to its level, 人民检察院 → 检察院
    ("江东省检察院2019年部门预算支出总额是多少？", "江东省人民检察院"),
    ("省法院2019年部门预算支出总额是多少？", "江东省高级人民法院"),  # 高级人民法院 → 法院
    ("省委办2019年部门预算支出总额是多少？", "中共江东省委办公厅"),  # 委办公厅 → 委办
    ("江东省委办公厅2019年部门预算支出总额是多少？", "中共江东省委办公厅"),  # without 中共
    ("中国共产党江东省委员会办公厅2019年部门预算支出总额是多少？", "中共江东省委办公厅"),  # 中共 spelled out
    ("江东省委办公室2019年部门预算支出总额是多少？", "中共江东省委办公厅"),  # 办公厅 / 办公室 mixed up
    ("临水市社保局2024年部门预算支出总额是多少？", "临水市社会保险事业管理局"),  # abbreviated
    ("临水社保局2024年部门预算支出总额是多少？", "临水市社会保险事业管理局"),  # and the place without its level
    ("临水市人社局信息中心2024年部门预算支出总额是多少？", "临水市人力资源和社会保障信息中心"),  # through its parent
])
def test_everyday_names_link(ctx, q, label):
    r = ask(ctx, q)
    assert r["entities"] and r["entities"][0]["label"] == label, r
    assert r["value"] is not None and r["interpretation"].startswith(label), r


def test_namesakes_told_apart_by_year_or_listed(ctx):
    # Two counties' 疾病预防控制中心: only one published a 2024 budget.
    r = ask(ctx, "县疾控中心2024年预算支出总额是多少？")
    assert r["value"] == "1200.00" and "青山县疾病预防控制中心" in r["answer"], r
    assert r["entities"][0]["how"].endswith("+year")
    r = ask(ctx, "县疾控中心的基本支出是多少？")
    assert r["value"] is None and r["intent"] == "ambiguous", r
    assert {c["label"] for c in r["candidates"]} == {"青山县疾病预防控制中心", "白水县疾病预防控制中心"}
    assert "青山县疾病预防控制中心" in r["answer"] and "白水县疾病预防控制中心" in r["answer"]
    r = ask(ctx, "市人社局有几个下属单位？")
    assert r["value"] is None and len(r["candidates"]) == 2, r


# --- never confidently wrong -------------------------------------------------------------------

@pytest.mark.parametrize("q", [
    "上海市人民检察院2019年部门预算支出总额是多少？",  # another place's agency of the same kind
    "上海市社会保险事业管理局2024年支出总额是多少？",  # a near miss of a known label, other place
    "江东省某某局2019年支出总额是多少？",  # no such agency at all
    "临水市社会保险中心2024年支出总额是多少？",  # 险 is in no label there: not the 信息中心 by its other words
    "社保局2024年基本支出是多少？",  # a short name of no agency: not every agency's figure instead
])
def test_unknown_agency_is_not_found_with_nearest(ctx, q):
    r = ask(ctx, q)
    assert r["value"] is None and r["confidence"] == 0 and "未找到" in r["answer"], r
    # Not a sum or a list over every agency of the year instead.
    assert "合计" not in r["answer"] and "各单位" not in r["answer"]


def test_unknown_agency_offers_the_nearest(ctx):
    r = ask(ctx, "上海市人民检察院2019年部门预算支出总额是多少？")
    assert r["candidates"] and r["candidates"][0]["label"] == "江东省人民检察院", r


def test_unknown_year_lists_the_years_there_are(ctx):
    r = ask(ctx, "江东省人民检察院2015年支出总额是多少？")
    assert r["value"] is None and "未找到" in r["answer"] and "2019年部门预算" in r["answer"], r
    assert r["candidates"] and all(c["type"] == "disclosure" for c in r["candidates"])


def test_a_figure_only_the_text_states_is_offered_not_stated(ctx):
    r = ask(ctx, "江东省人民检察院2019年支出预算为什么增加？")
    assert r["source"] == "text" and r["value"] is None and 0 < r["confidence"] < CONFIDENT, r
    assert r["evidence"][0]["page"] == 2 and "原文" in r["interpretation"]


def test_open_kind_or_scope_says_both(ctx):
    r = ask(ctx, "江东省人民检察院2019年的基本支出是多少？")
    assert r["value"] == "18000.00" and "单位预算数为6000.00万元" in r["answer"], r
    assert "部门预算" in r["interpretation"]


# --- comparisons, shares, rankings, counts ----------------------------------------------------

def test_year_over_year_difference_with_both_figures_cited(ctx):
    r = ask(ctx, "江东省人民检察院2019年部门预算比2018年增加了多少万元？")
    assert r["intent"] == "compare" and r["value"] == "5000.00", r
    assert "25000.00万元" in r["answer"] and "20000.00万元" in r["answer"] and "增长25.00%" in r["answer"]
    files = [e["source_file"] for e in r["evidence"]]
    assert "江东省人民检察院2019年部门预算.txt" in files and "江东省人民检察院2018年部门预算.txt" in files
    assert "本年支出合计" in r["interpretation"] and "2019" in r["interpretation"] and "2018" in r["interpretation"]


def test_growth_rate(ctx):
    r = ask(ctx, "江东省人民检察院2019年支出总额比上年增长了百分之几？")
    assert r["value"] == "25.00" and r["unit"] == "%", r


def test_department_vs_unit_and_budget_vs_final(ctx):
    r = ask(ctx, "江东省人民检察院2019年部门预算和单位预算的支出总额相差多少？")
    assert r["value"] == "16000.00" and "部门预算" in r["interpretation"] and "单位预算" in r["interpretation"], r
    r = ask(ctx, "江东省人民检察院2018年支出决算比预算多多少？")
    assert r["value"] == "1234.56" and "部门决算" in r["interpretation"], r


def test_two_agencies(ctx):
    r = ask(ctx, "江东省高级人民法院和江东省人民检察院2019年的项目支出相差多少？")
    assert r["value"] == "2000.00" and "9000.00万元" in r["answer"] and "7000.00万元" in r["answer"], r
    r = ask(ctx, "江东省高级人民法院2019年项目支出是江东省人民检察院的几倍？")
    assert r["value"] == "1.29" and r["unit"] == "倍", r


def test_a_total_its_parts_do_not_add_up_to_is_not_stated(ctx):
    r = ask(ctx, "江东省高级人民法院2019年“三公”经费是多少？")
    assert r["value"] == "300.00" and "之和为200.00万元" in r["answer"] and r["confidence"] < CONFIDENT, r
    r = ask(ctx, "江东省人民检察院2019年“三公”经费是多少？")  # no parts printed: nothing to doubt
    assert r["value"] == "200.00" and stated(r), r


def test_parent_in_everyday_words(ctx):
    r = ask(ctx, "临水市社会保险事业管理局归哪个部门管？")
    assert r["intent"] == "parent" and r["value"] == "临水市人力资源和社会保障局", r


def test_shares(ctx):
    r = ask(ctx, "江东省人民检察院2019年人员经费占基本支出的比重是多少？")
    assert r["value"] == "83.33" and r["unit"] == "%", r
    r = ask(ctx, "江东省人民检察院2019年人员经费在基本支出中所占比例是多少？")
    assert r["value"] == "83.33", r
    r = ask(ctx, "江东省人民检察院2019年基本支出中人员经费占多少？")  # the whole first
    assert r["value"] == "83.33", r
    r = ask(ctx, "江东省人民检察院2019年人员经费占比是多少？")  # no whole named: of the expenditure total
    assert r["value"] == "60.00" and "支出总额" in r["answer"], r


def test_ranking_over_a_stated_set_and_over_a_year(ctx):
    r = ask(ctx, "江东省人民检察院、江东省高级人民法院和中共江东省委办公厅中2019年支出总额最高的是哪个？")
    assert r["value"] == "江东省高级人民法院" and "所列3个单位" in r["interpretation"], r
    r = ask(ctx, "2019年哪个单位的项目支出最少？")
    assert r["value"] == "中共江东省委办公厅", r
    r = ask(ctx, "2019年各单位项目支出排名前二")
    assert r["value"] == ["江东省高级人民法院", "江东省人民检察院"], r


def test_a_publication_in_two_files_is_one_agency(ctx):
    # 中共江东省委办公厅 printed its 2019 budget as a narrative and a table file.
    r = ask(ctx, "2019年所有单位的部门预算项目支出合计是多少？")
    assert r["value"] == "20000.00" and "3个单位" in r["answer"], r


def test_each_of_several_agencies(ctx):
    r = ask(ctx, "江东省人民检察院和江东省高级人民法院2019年的项目支出分别是多少？")
    assert r["value"] == ["7000.00", "9000.00"] and stated(r), r
    assert len({e["source_file"] for e in r["evidence"]}) == 2


def test_projects_above_or_below_an_amount(ctx):
    r = ask(ctx, "中共江东省委办公厅2019年有哪些项目超过500万元？")
    assert r["value"] == ["机要通信保障经费"], r
    r = ask(ctx, "中共江东省委办公厅2019年有几个项目低于500万元？")
    assert r["value"] == 1 and "档案数字化专项经费" in r["answer"], r


def test_a_project_several_agencies_have(ctx):
    r = ask(ctx, "2019年工会经费是多少？")  # no agency named: each one's, never one of them
    assert r["value"] == ["20.00", "30.00"] and "江东省人民检察院" in r["answer"] and "江东省高级人民法院" in r["answer"], r
    r = ask(ctx, "江东省高级人民法院2019年工会经费是多少？")
    assert r["value"] == "30.00", r


def test_a_count_the_document_states_otherwise(ctx):
    r = ask(ctx, "江东省高级人民法院有几个内设机构？")
    assert r["value"] == 5 and r["source"] == "text" and r["evidence"][0]["page"] == 2, r
    assert "图谱列出2个" in r["answer"] and r["confidence"] < CONFIDENT
    r = ask(ctx, "江东省高级人民法院有哪些内设机构？")  # the list is the graph's, with the doubt said
    assert set(r["value"]) == {"立案庭", "审判管理办公室"} and "称内设机构5个" in r["answer"], r
    assert r["confidence"] < CONFIDENT


def test_counts(ctx):
    r = ask(ctx, "江东省人民检察院有几个内设机构？")
    assert r["value"] == 3 and r["unit"] == "个" and r["intent"] == "count", r
    r = ask(ctx, "中共江东省委办公厅2019年有多少个项目？")
    assert r["value"] == 2, r
    r = ask(ctx, "临水市人社局有几个下属单位？")
    assert r["value"] == 2 and "临水市社会保险事业管理局" in r["answer"], r
    r = ask(ctx, "临水市人社局有哪些下属单位？")
    assert r["value"] == ["临水市人力资源和社会保障信息中心", "临水市社会保险事业管理局"], r


# --- a project's own fields ----------------------------------------------------------------

def test_project_fields(ctx):
    r = ask(ctx, "机要通信保障经费的季度用款计划是什么？")
    assert r["source"] == "table" and r["evidence"][0]["page"] == 4, r
    assert r["value"] == ["一季度：200.00", "二季度：200.00", "三季度：250.00", "四季度：150.00"]
    r = ask(ctx, "省委办档案数字化专项经费的绩效目标是什么？")
    assert "完成馆藏档案数字化" in r["answer"] and r["evidence"][0]["page"] == 5, r
    r = ask(ctx, "机要通信保障经费的立项依据是什么？")  # the graph's bkg:basedOnPolicy
    assert r["source"] == "graph" and r["value"] == ["江财行〔2018〕12号"], r
    r = ask(ctx, "档案数字化专项经费的立项依据是什么？")  # the table's column, no graph term
    assert r["source"] == "table" and "《江东省档案条例》" in r["answer"], r


def test_operating_personnel_public(ctx):
    for q, v in (("江东省人民检察院2019年部门预算人员经费是多少？", "15000.00"),
                 ("江东省人民检察院2019年部门预算公用经费是多少？", "3000.00"),
                 ("江东省人民检察院2019年部门预算机关运行经费是多少？", "3000.00")):
        r = ask(ctx, q)
        assert r["value"] == v and stated(r), r


def test_every_answer_has_a_reading_and_a_confidence(ctx):
    for q in ("江东省人民检察院2019年部门预算支出总额是多少？", "县疾控中心的基本支出是多少？", "哪些项目以江财行〔2018〕12号为依据？",
              "江东省人民检察院有哪些内设机构？", "今天天气怎么样"):
        r = ask(ctx, q)
        assert isinstance(r["confidence"], float) and 0 <= r["confidence"] <= 1
        if r["value"] is not None:
            assert r["interpretation"], r
