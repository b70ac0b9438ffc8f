"""Publications of tables alone, and tables whose ruling holds more than the table: the agency
from the filing line above each table, the year from the tables' titles or the file name, a
title and filing line run together in one ruled cell, a frame drawn round the page, the
whole expenditure printed as one uncoded row, and a 三公 table that also carries 会议费 and
培训费 (its 合计 is not the 三公 total)."""

from __future__ import annotations

from decimal import Decimal

from kg.document import Document, Page, Paragraph, Table
from kg.extract import extract
from kg.readers.pdf_tables import GridTable, drop_frames, filing_row, split_banner, strip_banner_rows

AGENCY = "青禾市档案馆"

SUMMARY = Table(
    header=[["收入", "收入", "支出", "支出"], ["项目名称", "金额", "项目名称", "金额"]],
    rows=[["一、财政拨款", "120.00", "一、基本支出", "80.00"], ["二、财政专户管理资金", "", "二、项目支出", "30.00"],
          ["", "", "三、单位预留机动经费", "10.00"], ["当年收入小计", "120.00", "当年支出小计", "120.00"],
          ["上年结转资金", "", "结转下年资金", ""], ["收入合计", "120.00", "支出合计", "120.00"]],
    page=1, title="收支预算总表", unit="万元")
EXPENDITURE = Table(header=[["合计", "基本支出", "项目支出", "单位预留机动经费", "结转下年资金"]],
                    rows=[["120.00", "80.00", "30.00", "10.00", ""]], page=2, title="支出预算总表", unit="万元")
THREE_PUBLIC = Table(
    header=[["合计", "“三公”经费", "“三公”经费", "“三公”经费", "“三公”经费", "“三公”经费", "“三公”经费", "会议费", "培训费"],
            ["合计", "小计", "因公出国（境）费", "公务用车购置及运行维护费", "公务用车购置及运行维护费", "公务用车购置及运行维护费",
             "公务接待费", "会议费", "培训费"],
            ["合计", "小计", "因公出国（境）费", "小计", "公务用车购置费", "公务用车运行维护费", "公务接待费", "会议费", "培训费"]],
    rows=[["9.00", "6.00", "1.00", "2.00", "", "2.00", "3.00", "2.50", "0.50"]],
    page=3, title="“三公”经费、会议费、培训费支出预算表", unit="万元")


def tables_only(name: str = "青禾市档案馆2031年部门预算公开表.pdf") -> Document:
    pages = []
    for n, t in enumerate((SUMMARY, EXPENDITURE, THREE_PUBLIC), 1):
        pages.append(Page(n, [Paragraph(f"部门：{AGENCY}", n), t]))
    return Document(name, "0" * 64, pages, "application/pdf")


def wan(x: str) -> Decimal:
    return Decimal(x) * 10000


def test_a_tables_only_publication_names_its_agency_and_year():
    f = extract(tables_only())
    assert f.agency == AGENCY
    assert f.fiscal_year == 2031


def test_totals_of_a_tables_only_publication():
    t = extract(tables_only()).totals
    assert t["expenditure"].value == wan("120")
    assert t["income"].value == wan("120")
    # the whole expenditure printed as one row without codes: 基本 and 项目 beside a reserve
    assert t["basic"].value == wan("80") and t["project"].value == wan("30")
    assert t["basic"].prov.table == "支出预算总表"


def test_three_public_total_is_its_three_parts_beside_meeting_and_training():
    t = extract(tables_only()).totals
    assert t["three_public"].value == wan("6")
    assert t["abroad"].value == wan("1") and t["reception"].value == wan("3") and t["vehicles"].value == wan("2")


def test_three_public_parts_stated_in_the_text_give_the_total():
    text = ("本部门2031年度一般公共预算拨款安排的“三公”经费预算支出中，因公出国（境）费支出 70 万元，占“三公”经费的"
            "13.75%；公务用车购置及运行费支出 411.20 万元，占“三公”经费的 80.75%；公务接待费支出 28 万元，占“三公”经费的 5.50%。")
    doc = Document("x.txt", "0" * 64, [Page(1, [Paragraph(f"{AGENCY}2031年部门预算", 1), Paragraph(text, 1)])])
    t = extract(doc).totals
    assert t["three_public"].value == wan("509.2")


def _grid(cells, owner=None, n_cols=None):
    n_cols = n_cols or len(cells[0])
    owner = owner or [[(r, c) for c in range(n_cols)] for r in range(len(cells))]
    return GridTable(1, (0, 0, 100, 100), [float(x) for x in range(n_cols + 1)], cells, owner)


def test_filing_lines_inside_the_ruling_are_kept_as_text():
    assert filing_row(["部门：", AGENCY, "单位：万元"]) == [f"部门：{AGENCY}"]
    assert filing_row(["编制单位：" + AGENCY, "单位：元"]) == [f"编制单位：{AGENCY}"]
    assert filing_row(["单位：万元"]) == []
    assert filing_row(["收入", "支出"]) is None
    g = _grid([["部门：", AGENCY, "单位：万元"], ["科目编码", "科目名称", "金额"], ["301", "工资福利支出", "5"]])
    strip_banner_rows(g)
    assert g.filing == [f"部门：{AGENCY}"] and g.unit == "万元" and g.cells[0][0] == "科目编码"


def test_title_number_and_filing_line_run_together_in_one_cell():
    assert split_banner(f"收支预算总表公开表一部门：{AGENCY}单位：万元") == ("收支预算总表", [f"部门：{AGENCY}"], "万元")
    assert split_banner("2031年部门收支总表") is None
    g = _grid([[f"收入预算总表部门：{AGENCY}单位：万元", None, None], ["项目名称", "项目名称", "金额"],
               ["收入总计", "", "5.00"]], owner=[[(0, 0)] * 3, [(1, 0), (1, 1), (1, 2)], [(2, 0), (2, 1), (2, 2)]])
    strip_banner_rows(g)
    assert g.title == "收入预算总表" and g.filing == [f"部门：{AGENCY}"] and g.cells[0][2] == "金额"


def test_a_frame_round_the_page_is_not_a_cell():
    frame = (0.0, 0.0, 100.0, 100.0)
    inner = [(10.0, 40.0, 50.0, 50.0), (50.0, 40.0, 90.0, 50.0), (10.0, 50.0, 50.0, 60.0), (50.0, 50.0, 90.0, 60.0)]
    assert drop_frames([frame, *inner]) == inner
    assert drop_frames(inner) == inner


def test_a_text_export_of_tables_alone_says_who_when_and_what_in_its_tables():
    from kg.readers.text import read_text

    text = ("2023年度单位收入支出决算总表\t\t\t\n部门名称：青禾市档案馆\t\t\t单位：万元\n收入\t\t支出\t\n项目\t决算数\t项目\t决算数\n"
            "一、一般公共预算财政拨款收入\t12.00\t一、文化旅游体育与传媒支出\t12.00\n本年收入合计\t12.00\t本年支出合计\t12.00\n\n"
            "2023年度单位一般公共预算财政拨款支出决算表\t\t\t\n部门名称：青禾市档案馆\t\t\t单位：万元\n"
            "科目编码\t科目名称\t合计\t基本支出\n\t合计\t12.00\t12.00\n207\t文化旅游体育与传媒支出\t12.00\t12.00\n")
    f = extract(read_text(text, "tables.txt", "0" * 64))
    assert (f.agency, f.fiscal_year, f.kind, f.scope) == (AGENCY, 2023, "final_account", "unit")


def test_the_disclosures_own_title_is_not_a_project_section():
    from kg.extract.base import Facts
    from kg.extract.projects import narrative_projects

    paras = [f"{AGENCY}2031年部门预算公开说明", "一、立项依据", "档案馆预算安排 0.52 万元，用于档案整理。"]
    doc = Document("x.pdf", "0" * 64, [Page(1, [Paragraph(x, 1) for x in paras])])
    assert narrative_projects(doc, Facts()) == []


def test_one_ruling_round_the_end_of_a_table_and_the_next_table():
    from kg.readers.pdf_tables import split_at_titles

    cells = [["上年结转资金", "", "结转下年资金", ""], ["收入合计", "5.00", "支出合计", "5.00"],
             ["收入预算总表", None, None, None], [f"部门：{AGENCY}", None, None, "单位：万元"],
             ["项目名称", None, "金额", None], ["收入总计", None, "5.00", None]]
    owner = [[(0, 0), (0, 1), (0, 2), (0, 3)], [(1, 0), (1, 1), (1, 2), (1, 3)], [(2, 0)] * 4,
             [(3, 0), (3, 0), (3, 0), (3, 3)], [(4, 0), (4, 0), (4, 2), (4, 2)], [(5, 0), (5, 0), (5, 2), (5, 2)]]
    g = GridTable(1, (0, 0, 100, 60), [0.0, 25.0, 50.0, 75.0, 100.0], cells, owner,
                  row_edges=[0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0])
    tail, income = split_at_titles(g)
    assert tail.cells[-1] == ["收入合计", "5.00", "支出合计", "5.00"] and tail.bbox[3] == 20.0
    assert income.title == "收入预算总表" and income.bbox[1] == 30.0
    # the income table's own columns only: a line no cell of it ends at is not one of its columns
    assert income.col_edges == [0.0, 50.0, 75.0, 100.0]
    strip_banner_rows(income)
    assert income.filing == [f"部门：{AGENCY}"] and income.cells[0][:2] == ["项目名称", "金额"]


def test_a_name_and_filing_line_at_the_foot_of_a_page():
    g = _grid([["财政拨款基本支出预算表", None, None], ["部门：", AGENCY, "单位：万元"]],
              owner=[[(0, 0)] * 3, [(1, 0), (1, 1), (1, 2)]])
    strip_banner_rows(g, caption="财政拨款收支预算总表")  # the caption above belongs to the table before
    assert g.title == "财政拨款基本支出预算表" and g.filing == [f"部门：{AGENCY}"] and g.cells == []


def test_a_filing_line_broken_in_a_narrow_cell_is_not_the_caption():
    from kg.readers.pdf_layout import Line
    from kg.readers.pdf_tables import caption_above

    lines = [Line("收支预算总表", 260, 170, 340, 182, 12), Line("部门名称：青禾市", 79, 203, 160, 212, 9),
             Line("单位：万元", 508, 211, 550, 220, 9), Line("档案馆", 79, 219, 110, 228, 9)]
    title, unit, _, _ = caption_above(lines, 232, 74, 556, 0)
    assert title == "收支预算总表" and unit == "万元"
