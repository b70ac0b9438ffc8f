"""Each check family on invented mini-documents (no corpus): what it finds, what it lets pass
as rounding or as the document's own structure, and the tolerance and pages it reports.

Names and figures are made up; the shapes are those published disclosures take."""

from __future__ import annotations

from decimal import Decimal

import pytest
from test_extract_synthetic import H, P, T, make_doc

from kg.checks import check_document, findings_from_store
from kg.checks.precision import Printed, decimals
from kg.document import Document, Page, Paragraph
from kg.extract import extract
from kg.rdf.build import build_graph
from kg.store import OxigraphStore

TITLE = "青禾市测试局 2024 年部门预算"


def rules(doc: Document) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in extract(doc).findings:
        out.setdefault(f.rule, []).append(f)
    return out


def summary(basic: str, project: str, reserve: str | None, total: str, unit: str = "万元"):
    rows = [["一、一般公共预算", total, "一、基本支出", basic], ["", "", "二、项目支出", project]]
    if reserve is not None:
        rows.append(["", "", "三、单位预留机动经费", reserve])
    rows.append(["收入合计", total, "支出合计", total])
    return T("财政拨款收支总表", [["收入", "", "支出", ""], ["项目名称", "金额", "项目名称", "金额"]], rows, unit)


def spending(basic: str, project: str, reserve: str | None, total: str):
    head = ["合计", "基本支出", "项目支出"] + (["单位预留机动经费"] if reserve is not None else [])
    return T("支出总表", [head], [[total, basic, project] + ([reserve] if reserve is not None else [])])


# --- precision and arithmetic ----------------------------------------------------------------


def test_decimals_are_read_as_printed():
    assert [decimals(x) for x in ("9,746.50", "207", "0.5", "22,118,861")] == [2, 0, 1, 0]


def test_a_sum_tolerates_half_a_unit_of_each_printed_digit_and_reports_it():
    def doc(total):
        return make_doc(P(TITLE), T("支出总表", [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]],
                                    [["", "合计", total, "33.33", "66.67"], ["213", "农林水支出", total, "33.33", "66.67"],
                                     ["21301", "农业农村", "33.33", "33.33", ""],
                                     ["21302", "林业", "33.33", "", "33.33"], ["21303", "水利", "33.33", "", "33.34"]]))
    assert "functional_children_sum" not in rules(doc("100.00"))  # 33.33 × 3 = 99.99, within ±0.02 (4 figures)
    bad = rules(doc("100.00").__class__("x.txt", "1" * 64, [Page(1, [
        P(TITLE), T("支出总表", [["科目编码", "科目名称", "合计"]],
                    [["213", "农林水支出", "100.10"], ["21301", "农业农村", "33.33"], ["21302", "林业", "33.33"],
                     ["21303", "水利", "33.33"]])])]))
    f = bad["functional_children_sum"][0]
    assert f.tolerance == Decimal("200") and f.expected == Decimal("999900") and f.found == Decimal("1001000")
    assert f.severity == "error" and f.pages == [1] and "±0.02" in f.comment


def test_a_figure_printed_without_its_decimals_is_rounding_not_an_error():
    """A 元 table printing 基本支出 as 22,118,861 beside 86,959,408.34: within half a yuan."""
    doc = make_doc(P(TITLE), T("支出总表", [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]],
                               [["", "合计", "86,959,408.34", "22,118,861", "64,840,547.00"],
                                ["204", "公共安全支出", "86,959,408.34", "22,118,861.34", "64,840,547.00"]], "元"))
    assert not {"basic_plus_project", "table_total_splits", "row_splits_sum"} & set(rules(doc))


def test_one_quantity_printed_twice_must_agree_to_the_digit_unless_in_another_unit():
    doc = make_doc(P(TITLE), P("部门：青禾市测试局"),
                   T("收支总表", [["项目", "预算数", "项目", "预算数"]],
                     [["一般公共预算拨款收入", "236.63", "卫生健康支出", "236.63"],
                      ["本年收入合计", "236.63", "本年支出合计", "236.63"]]),
                   T("支出总表", [["科目编码", "科目名称", "合计"]], [["", "合计", "236.64"], ["210", "卫生健康支出", "236.64"]]))
    f = rules(doc)["class_tables_agree"][0]
    assert f.tolerance == 0 and f.pages == [1]


def test_printed_precision_reads_each_tables_own_unit():
    t = T("甲表", [["项目", "金额"]], [["甲", "1,234.5"]], "元")
    doc = make_doc(P(TITLE), t, T("乙表", [["项目", "金额"]], [["乙", "12.34"]]))
    p = Printed(doc, "万元")
    from kg.extract.base import Prov
    assert p.step(Decimal("1234.5"), Prov(1, "甲表", 1)) == Decimal("0.1")
    assert p.step(Decimal("123400"), Prov(1, "乙表", 1)) == Decimal("100")


# --- structure ---------------------------------------------------------------------------------


def test_a_reserve_the_document_states_is_a_third_part_of_expenditure():
    ok = make_doc(P(TITLE), summary("7877.76", "6333.96", "1685.72", "15897.44"),
                  spending("7877.76", "6333.96", "1685.72", "15897.44"))
    assert not {"basic_plus_project", "table_total_splits"} & set(rules(ok))
    bad = make_doc(P(TITLE), summary("7877.76", "6333.96", "1685.72", "15897.44"),
                   spending("7877.76", "6333.96", "1785.72", "15897.44"))
    f = rules(bad)["table_total_splits"][0]
    assert f.expected - f.found == Decimal("1000000") and "单位预留机动经费" in f.comment


def test_the_three_public_subtotal_is_its_three_parts_only():
    head = [["合计", "“三公”经费", "", "", "", "", "", "会议费", "培训费"],
            ["", "小计", "因公出国（境）费", "公务用车购置及运行费", "", "", "公务接待费", "", ""],
            ["", "", "", "小计", "公务用车购置费", "公务用车运行维护费", "", "", ""]]

    def doc(grand, sub):
        return make_doc(P(TITLE), T("“三公”经费、会议费、培训费支出预算表", head,
                                    [[grand, sub, "222.50", "183.60", "", "183.60", "427.50", "1305.25", "403.75"]]))
    assert "three_public_parts" not in rules(doc("2542.60", "833.60"))
    found = rules(doc("2542.60", "933.60"))["three_public_parts"]
    assert {f.where for f in found} == {"three_public:row:total", "three_public:row:grand"}


def test_a_blank_part_in_the_budget_row_of_a_final_account():
    head = [["项目", "“三公”经费合计", "因公出国（境）费", "公务用车购置及运行费", "", "", "公务接待费"],
            ["", "", "", "小计", "公务用车购置费", "公务用车运行费", ""]]
    doc = make_doc(P("青禾市测试局 2024 年度部门决算"),
                   T("一般公共预算财政拨款“三公”经费支出决算表", head,
                     [["预算数", "2.87", "", "", "", "", ""], ["决算数", "1.91", "0.00", "0.00", "0.00", "0.00", "1.91"]]))
    found = rules(doc)["three_public_parts"]
    assert [f.where for f in found] == ["three_public:预算数:total"]


# --- narrative ----------------------------------------------------------------------------------


def test_a_percentage_change_the_figures_do_not_give():
    doc = make_doc(P(TITLE), P("单位预留机动经费预算数为 1685.72 万元。与上年相比增加1557.29万元，增长1312.56 %。"),
                   P("基本支出预算数为 7877.76 万元。与上年相比增加211.08万元，增长2.75 %。"))
    (f,) = rules(doc)["change_percent"]
    assert f.expected_text == "1212.56%" and f.found_text == "1312.56%" and f.pages == [1]


def test_a_percentage_may_be_truncated_but_not_wrong_in_its_digits():
    ok = make_doc(P(TITLE), P("财政拨款支出年初预算为 10210.34 万元，支出决算为 9746.50 万元，完成年初预算的 95.45%。"),
                  P("行政运行（项）支出 6106.99 万元，与上年相比增加 101.48 万元，增长 1.68%。"))
    assert "completion_rate" not in rules(ok) and "change_percent" not in rules(ok)
    bad = make_doc(P(TITLE), P("行政运行（项）支出 6106.99 万元，与上年相比增加 101.48 万元，增长 1.66%。"))
    assert rules(bad)["change_percent"][0].expected_text == "1.69%"


def test_a_change_against_last_years_execution_in_the_wrong_direction():
    doc = make_doc(P(TITLE), P("2023年当年预算执行数为241.76万元，2024年预算安排170.03万元，比2023年预算执行数增加21.74%。"))
    assert "change_percent" in rules(doc)


def test_shares_of_the_total_before_其中_and_of_a_named_total():
    doc = make_doc(P(TITLE), P("本年支出合计 9759.38 万元，其中：基本支出 5377.64 万元，占 55.10%；项目支出 4381.74 万元，占 44.90%。"),
                   T("“三公”经费支出预算表", [["“三公”经费合计", "因公出国（境）费", "公务用车购置及运行费", "公务接待费"]],
                     [["833.60", "222.50", "183.60", "427.50"]]),
                   P("因公出国（境）费支出 222.5 万元，占“三公”经费的 8.75%；公务接待费支出 427.5 万元，占“三公”经费的 51.28%。"))
    found = rules(doc)["share_of_total"]
    assert [f.found_text for f in found] == ["8.75%"] and found[0].expected_text == "26.69%"


def test_a_completion_rate_of_a_zero_budget():
    doc = make_doc(P("青禾市测试局 2024 年度部门决算"),
                   P("一般公共预算财政拨款支出年初预算为 0 万元，全年预算为 321.02 万元，支出决算为 307.82 万元，"
                     "完成年初预算的 95.89%。"))
    assert rules(doc)["completion_rate"][0].found_text == "95.89%"


@pytest.mark.parametrize("word, expect", [("小于", False), ("大于", True), ("持平", True)])
def test_a_comparison_word_against_the_two_figures(word, expect):
    said = f"决算数{word}预算数" if word != "持平" else "决算数同预算数持平"
    doc = make_doc(P("青禾市测试局 2024 年度部门决算"),
                   P(f"“三公”经费财政拨款支出年初预算为 2.85 万元，支出决算为 0.39 万元，完成预算的 13.68%。{said}的主要原因是压减开支。"))
    assert ("comparison_word" in rules(doc)) is expect


def test_an_amount_the_text_gives_the_wrong_line():
    doc = make_doc(P(TITLE), T("财政拨款支出预算表", [["功能科目代码", "功能科目名称", "金额"]],
                                [["", "合计", "13,649.07"], ["201", "一般公共服务支出", "10,528.33"], ["20101", "人大事务", "10,528.33"],
                                 ["2010101", "行政运行", "4,545.94"], ["2010102", "一般行政管理事务", "5,982.39"],
                                 ["208", "社会保障和就业支出", "3,120.74"]]),
                   P("1. 人大事务行政运行（项）支出 10528.33 万元，与上年相比减少 17.89 万元，减少 0.17%。"),
                   P("2. 人大事务（款）一般行政管理事务（项）支出 5982.39 万元。"))
    (f,) = rules(doc)["line_text_vs_table"]
    assert f.where == "functional:2010101:text:10528.33" and "201（一般公共服务支出）" in f.comment


# --- completeness -------------------------------------------------------------------------------


def _contents(*tables: str):
    return [H("目录", 1), P("第一部分 部门概况\n第二部分 2024年部门预算表\n" + "\n".join(tables) + "\n第三部分 情况说明"),
            H("第一部分 部门概况", 1)]


def test_a_table_the_contents_list_but_the_document_lacks():
    tables = ["一、收支总表", "二、支出总表", "三、政府采购预算表"]
    present = [T("收支总表", [["项目", "金额"]], [["本年收入合计", "1.00"]]),
               T("支出总表", [["项目", "金额"]], [["合计", "1.00"]])]
    doc = make_doc(P(TITLE), *_contents(*tables), *present)
    (f,) = rules(doc)["contents_table_missing"]
    assert f.expected_text == "三、政府采购预算表" and f.where == "contents:政府采购预算表"
    assert "contents_table_missing" not in rules(make_doc(P(TITLE), *_contents(*tables), *present,
                                                         T("2024年政府采购预算表", [["项目", "金额"]], [["合计", "1.00"]])))
    # a text-only file of a publication whose tables are in another file: nothing is missing from it
    assert "contents_table_missing" not in rules(make_doc(P(TITLE), *_contents(*tables), P("具体公开表样附后。")))


def test_placeholder_heading_year_asset_date_and_doubled_full_stop():
    doc = make_doc(P("青禾市测试局 2024 年度部门决算"), H("一、XX局部门决算单位构成"), H("2023 年度部门决算表", 1),
                   P("截至 2024 年 6 月 30 日，本单位共有车辆 3 辆。"), P("主要用于办公支出。。2024年无变化。"),
                   H("2024 年度部门决算表", 1), P("截至 2024 年 12 月 31 日，本单位共有车辆 3 辆。"))
    r = rules(doc)
    assert [f.found_text for f in r["template_placeholder"]] and "XX" in r["template_placeholder"][0].comment
    assert [f.found_text for f in r["heading_year"]] == ["2023年决算"]
    assert [f.found_text for f in r["asset_date"]] == ["2024年6月30日"]
    assert [f.severity for f in r["doubled_full_stop"]] == ["warning"]


def test_a_budget_counts_its_assets_before_its_year_starts():
    ok = make_doc(P(TITLE), P("截至2023年8月31日，本单位共有车辆3辆。"))
    bad = make_doc(P(TITLE), P("截至2024年12月31日，本单位共有车辆3辆。"))
    assert "asset_date" not in rules(ok) and rules(bad)["asset_date"][0].expected_text == "2023年内"


# --- across disclosures -------------------------------------------------------------------------


def _store(*docs):
    s = OxigraphStore(None)
    for d in docs:
        iri, g = build_graph(d)
        s.replace_graph(iri, g.serialize(format="nt"))
    return s


def _disclosure(name: str, year: int, total: str, text: str = "", scope: str = "部门", kind: str = "预算"):
    return make_doc(P(f"青禾市测试局 {year} 年{scope}{kind}"), H("第二部分 情况说明", 1), P(text) if text else P("说明。"),
                    T("收支总表", [["项目", "预算数", "项目", "预算数"]],
                      [["本年收入合计", total, "本年支出合计", total]]), name=name)


def test_two_versions_of_one_disclosure_with_different_figures():
    rows = findings_from_store(_store(_disclosure("a.txt", 2024, "100.00"), _disclosure("b.txt", 2024, "100.50")))
    versions = [r for r in rows if r["rule"] == "conflicting_versions"]
    assert versions and versions[0]["source_file"] == "b.txt" and versions[0]["other"]["source_file"] == "a.txt"
    assert versions[0]["tolerance"] == 0
    assert not [r for r in findings_from_store(_store(_disclosure("a.txt", 2024, "100.00"),
                                                      _disclosure("b.txt", 2024, "100.00")))]


def test_a_department_smaller_than_its_head_unit():
    rows = findings_from_store(_store(_disclosure("d.txt", 2024, "90.00"), _disclosure("u.txt", 2024, "100.00", scope="单位")))
    assert [r["rule"] for r in rows if r["rule"] == "department_vs_unit"] and rows[0]["source_file"] == "d.txt"
    assert not findings_from_store(_store(_disclosure("d.txt", 2024, "120.00"),
                                          _disclosure("u.txt", 2024, "100.00", scope="单位")))


def test_the_narratives_change_against_last_years_disclosure():
    last = _disclosure("2023.txt", 2023, "90.00")
    right = _disclosure("2024.txt", 2024, "100.00", "2024年本年支出合计 100.00 万元，比上年增加 10.00 万元，增长11.11%。")
    wrong = _disclosure("2024.txt", 2024, "100.00", "2024年本年支出合计 100.00 万元，比上年增加 12.00 万元，增长13.64%。")
    for doc, n in ((right, 0), (wrong, 1)):
        docs = {d.sha256: d for d in (last, doc)}
        rows = [r for r in findings_from_store(_store(last, doc), docs.get) if r["rule"] == "year_on_year"]
        assert len(rows) == n
    assert rows[0]["expected"] == Decimal("900000") and rows[0]["found"] == Decimal("880000")
    assert rows[0]["other"]["source_file"] == "2023.txt"


def test_findings_carry_their_tolerance_and_texts_into_the_graph():
    text = make_doc(P(TITLE), P("单位预留机动经费预算数为 1685.72 万元。与上年相比增加1557.29万元，增长1312.56 %。"))
    table = make_doc(P(TITLE), T("支出总表", [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]],
                                 [["", "合计", "100.10", "60.00", "40.00"]]), name="t.txt")
    rows = {r["rule"]: r for r in findings_from_store(_store(text, table))}
    assert rows["change_percent"]["expected_text"] == "1212.56%" and rows["change_percent"]["found_text"] == "1312.56%"
    assert rows["change_percent"]["tolerance"] > 0
    assert rows["basic_plus_project"]["tolerance"] == Decimal("150")  # three figures printed to 0.01 万元


def test_a_reserve_stated_only_in_the_text_is_the_rest_of_each_row():
    """The text says 单位预留机动经费 is a part of the year's spending; the table prints 基本/项目
    only, its rows' 合计 carrying the reserve's share: no finding, unless a row exceeds it."""
    def doc(row_total):
        return make_doc(P(TITLE), P("本年支出合计 130.00 万元，其中：基本支出 60.00 万元；项目支出 40.00 万元；单位预留机动经费 30.00 万元。"),
                        T("支出总表", [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]],
                          [["", "合计", "130.00", "60.00", "40.00"], ["213", "农林水支出", row_total, "60.00", "40.00"]]))
    assert not {"row_splits_sum", "basic_plus_project"} & set(rules(doc("130.00")))
    assert "row_splits_sum" in rules(doc("140.00"))


def test_check_document_is_what_extraction_stores():
    doc = make_doc(P(TITLE), P("单位预留机动经费预算数为 1685.72 万元。与上年相比增加1557.29万元，增长1312.56 %。"))
    f = extract(doc)
    assert [(x.rule, x.where) for x in check_document(doc, f)] == [(x.rule, x.where) for x in f.findings]
    assert Paragraph  # the model the checks read


def test_budgetkg_check_json_and_severity(tmp_path, capsys):
    """`budgetkg check --json`: one object per finding with rule, severity, expected/found,
    tolerance and pages, including the year-on-year claims the archive lets it read."""
    import json

    from api.cli import main
    from kg.archive import DocumentArchive
    from kg.store import open_store

    last = _disclosure("2023.txt", 2023, "90.00")
    this = _disclosure("2024.txt", 2024, "100.00", "2024年本年支出合计 100.00 万元，比上年增加 12.00 万元，增长13.64%。"
                       "主要用于办公支出。。")
    store = open_store(tmp_path)
    try:
        for d in (last, this):
            DocumentArchive(tmp_path).put(d)
            iri, g = build_graph(d)
            store.replace_graph(iri, g.serialize(format="nt"))
    finally:
        store.close()
    assert main(["check", "--db", str(tmp_path), "--json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    by_rule = {r["rule"]: r for r in rows}
    assert set(by_rule) == {"year_on_year", "doubled_full_stop"}
    y = by_rule["year_on_year"]
    assert (y["expected"], y["found"], y["tolerance"]) == ("900000", "880000", "150")
    assert y["pages"] == [1] and y["other"]["source_file"] == "2023.txt" and y["severity"] == "error"
    assert main(["check", "--db", str(tmp_path), "--severity", "warning"]) == 0
    out = capsys.readouterr()
    assert "doubled_full_stop" in out.out and "year_on_year" not in out.out and "1 finding(s), 0 error(s)" in out.err


def test_a_check_that_fails_on_a_layout_costs_its_findings_not_the_graph(monkeypatch):
    from kg.checks import narrative

    def boom(*_):
        raise IndexError("an unforeseen layout")

    monkeypatch.setattr(narrative, "check", boom)
    doc = make_doc(P(TITLE), P("主要用于办公支出。。"))
    f = extract(doc)
    assert [x.rule for x in f.findings] == ["doubled_full_stop"]
    assert any("narrative" in w and "IndexError" in w for w in f.warnings)
