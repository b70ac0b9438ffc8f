"""Standard tables recognised by what they say (kg/extract/tables.py): title, header cells and
the codes in the rows, wherever the table sits — not by its position or by its title alone."""

from __future__ import annotations

import pytest

from kg import vocab as V
from kg.document import Document, Heading, Page, Paragraph, Table
from kg.extract.tables import TableContext, classify, classify_document, expected_tables, row_code


def T(header, rows, title=None):
    return Table(header=header, rows=rows, page=1, title=title)


FUNC_ROWS = [["", "合计", "300.00"], ["201", "一般公共服务支出", "300.00"], ["20101", "人大事务", "300.00"],
             ["2010101", "行政运行", "300.00"]]
ECON_ROWS = [["", "合计", "80.00"], ["301", "工资福利支出", "50.00"], ["30101", "基本工资", "50.00"],
             ["302", "商品和服务支出", "30.00"], ["30201", "办公费", "30.00"]]


def key(t, ctx=None):
    k = classify(t, ctx)
    return k.key if k else None


def test_untitled_tables_are_read_by_their_content():
    assert key(T([["科目编码", "科目名称", "金额"]], ECON_ROWS)) == "gpb_basic"
    assert key(T([["功能科目编码", "功能科目名称", "金额"]], FUNC_ROWS)) == "gpb_expenditure"
    assert key(T([["科目编码", "科目名称", "合计", "基本支出", "项目支出"]],
                 [r + ["200.00", "100.00"] for r in FUNC_ROWS])) == "expenditure"
    summary = T([["收入", "收入", "支出", "支出"], ["项目", "金额", "项目", "金额"]],
                [["一、一般公共预算拨款收入", "10", "一、一般公共服务支出", "10"], ["五、事业收入", "2", "", ""],
                 ["本年收入合计", "12", "本年支出合计", "12"]])
    assert key(summary) == "summary"
    fiscal = T(summary.header, [["一、一般公共预算", "10", "一、基本支出", "8"], ["二、政府性基金预算", "", "二、项目支出", "2"]])
    assert key(fiscal) == "fiscal_summary"
    income = T([["项目名称", "项目名称", "金额"]],
               [["收入总计", "", "18.00"], ["一般公共预算资金", "小计", "18.00"], ["政府性基金资金", "小计", ""]])
    assert key(income) == "income"
    assert key(T([["合计", "基本支出", "项目支出", "单位预留机动经费"]], [["10", "6", "3", "1"]])) == "expenditure"


def test_three_public_with_meeting_and_training_columns_and_one_item_per_row():
    wide = T([["合计", "“三公”经费", "“三公”经费", "会议费", "培训费"], ["合计", "小计", "因公出国（境）费", "会议费", "培训费"]],
             [["9", "5", "5", "3", "1"]])
    assert key(wide) == "three_public"
    tall = T([["项目", "预算数"]], [["因公出国（境）费", "1"], ["公务用车购置及运行费", "2"], ["公务接待费", "3"]])
    assert key(tall) == "three_public"
    # an economic table names the same items as its lines: it stays the basic table
    econ = T([["科目编码", "科目名称", "金额"]], ECON_ROWS + [["30217", "公务接待费", "3.00"], ["30231", "公务用车运行维护费", "1.00"]])
    assert key(econ) == "gpb_basic"
    # by names alone (no codes) too: 因公出国（境）费 and 公务接待费 are two lines of many
    names = T([["科目名称", "合计", "人员经费", "公用经费"]],
              [[n, "1.00", "", "1.00"] for n in ("合计", "工资福利支出", "基本工资", "商品和服务支出", "办公费",
                                                 "因公出国（境）费", "公务接待费", "公务用车运行维护费", "差旅费")],
              title="一般公共预算财政拨款基本支出决算表")
    assert key(names) == "gpb_basic"


def test_codes_split_over_columns_or_inside_the_name():
    split = T([["科目编码", "科目编码", "科目编码", "科目名称", "金额"], ["类", "款", "项", "科目名称", "金额"]],
              [["301", "", "", "工资福利支出", "5"], ["301", "01", "", "基本工资", "5"], ["302", "01", "", "办公费", "1"]])
    assert row_code(split.rows[1]) == "30101"
    assert key(split) == "gpb_basic"
    merged = T([["科目", "金额"]], [["301 工资福利支出", "5"], ["30101 基本工资", "5"], ["30201 办公费", "1"]])
    assert key(merged) == "gpb_basic"
    # an amount is not a code followed by a name
    assert row_code(["128.43", "7.00"]) is None


def test_title_narrows_the_shape_and_a_contradicting_title_loses():
    econ = T([["科目编码", "科目名称", "金额"]], ECON_ROWS, title="财政拨款基本支出预算表")
    assert key(econ) == "fiscal_basic"
    # a title read from the wrong place (the previous table's) does not turn economic rows functional
    wrong = T([["科目编码", "科目名称", "金额"]], ECON_ROWS, title="一般公共预算支出表")
    assert key(wrong) == "gpb_basic"
    gov = T([["科目编码", "科目名称", "合计", "基本支出", "项目支出"]], [], title="2026年部门政府性基金预算支出功能分类预算表")
    assert key(gov) == "gov_fund"
    assert key(T([["单位名称", "项目名称", "总计", "一般公共预算", "政府性基金预算"]], [], title="债务支出预算表")) is None
    final = T([["科目编码", "科目名称", "年初预算数", "决算数"]], [r + ["1"] for r in ECON_ROWS],
              title="一般公共预算财政拨款基本支出决算表")
    assert key(final) == "gpb_basic"


def test_title_printed_inside_the_table_or_in_the_text_above_it():
    inside = T([["财政拨款基本支出预算表", "财政拨款基本支出预算表", "财政拨款基本支出预算表"]],
               [["部门：", "某某办公厅", "单位：万元"], ["科目编码", "科目名称", "金额"]] + ECON_ROWS)
    assert key(inside) == "fiscal_basic"
    empty = T([["功能科目编码", "功能科目名称", "金额"]], [["合计", "", ""]])
    assert key(empty) is None
    assert key(empty, TableContext(before="政府性基金预算支出表\n部门：某某办公厅")) == "gov_fund"


def test_classify_document_carries_a_continuation_and_reads_text_above():
    head = [["科目编码", "科目名称", "金额"]]
    doc = Document("x.pdf", "0", [
        Page(1, [Paragraph("部门：某某办公厅", 1), Heading(2, "一般公共预算基本支出表", 1),
                 Table(head, ECON_ROWS[:3], 1)]),
        Page(2, [Table(head, [["", "", "2.00"]], 2)]),
    ])
    kinds = [k.key if k else None for _, k in classify_document(doc)]
    assert kinds == ["gpb_basic", "gpb_basic"]


@pytest.mark.parametrize("kind", [V.BUDGET.code, V.FINAL_ACCOUNT.code])
def test_expected_tables(kind):
    keys = {k.key for k in expected_tables(kind, V.DEPARTMENT.code)}
    assert keys == {"summary", "income", "expenditure", "fiscal_summary", "gpb_expenditure", "gpb_basic",
                    "three_public", "gov_fund"}
    assert all(k.name(kind) for k in expected_tables(kind))
    assert V.TABLE_KINDS["summary"].name(V.FINAL_ACCOUNT.code) == V.SUMMARY_TABLE.final


def test_every_district_pdf_shows_every_expected_table(corpus_real):
    """The shared published PDFs (budgets and final accounts of several agencies) each print the
    whole standard set; the classifier finds each of them by content and title."""
    from kg.extract.base import Facts
    from kg.extract.header import extract_header
    from kg.readers.dispatch import read_document

    for path in corpus_real:
        doc = read_document(path)
        f = Facts()
        extract_header(doc, f)
        kind = f.kind
        found = {k.key for _, k in classify_document(doc, kind) if k}
        missing = {k.key for k in expected_tables(kind)} - found
        assert not missing, (path.name, missing)
