"""The PDF reader on the seven published PDFs in ../shared/corpus/real (issue "Published
PDFs"). Each PDF is read once per module. Spot values were checked against the page
images (pdftoppm -png -r 60): blank cells in their column, joined continuation tables,
wrapped labels rejoined."""

from __future__ import annotations

import json

import pytest

from kg.document import Heading, Paragraph

# Logical tables per document (continued tables count once), counted on the page images.
TABLE_COUNTS = {
    "上海市普陀区司法局2026年单位预算.pdf": 9,
    "上海市普陀区司法局2026年部门预算.pdf": 9,
    "上海市普陀区商务委员会25年预算.pdf": 9,
    "上海市普陀区商务委员会单位25年预算.pdf": 9,
    "上海市普陀区规划和自然资源局 2024 年度部门决算.pdf": 10,
    "中共上海市普陀区委社会工作部 2024 年度部门决算.pdf": 10,
    "附件2：部门决算模板.pdf": 10,
}


@pytest.fixture(scope="module")
def docs(corpus_real):
    from kg.readers.dispatch import read_document

    return {p.name: read_document(p) for p in corpus_real}


@pytest.fixture(scope="module")
def facts(shared):
    return {d["doc"]: d for d in json.loads((shared / "corpus" / "real" / "headers.json").read_text("utf-8"))}


def _table(doc, title):
    found = [t for t in doc.tables() if t.title == title]
    assert len(found) == 1, [t.title for t in doc.tables()]
    return found[0]


def _row(table, *key):
    rows = [r for r in table.rows if r[: len(key)] == list(key)]
    assert len(rows) == 1, key
    return rows[0]


def test_all_read_with_pages_and_text(docs, facts):
    assert set(docs) == set(TABLE_COUNTS)
    for name, doc in docs.items():
        assert doc.media_type == "application/pdf"
        assert len(doc.pages) == facts[name]["pages"], name
        assert sum(isinstance(b, (Paragraph, Heading)) for b in doc.blocks()) > 10, name


def test_table_counts(docs):
    assert {n: len(d.tables()) for n, d in docs.items()} == TABLE_COUNTS


def test_continued_tables_are_joined(docs, facts):
    """Every table headers.json lists as continued across pages is one Table starting on
    that page, and no other table spans pages."""
    for name, doc in docs.items():
        starts = sorted(t.pages[0] for t in doc.tables() if len(t.pages) > 1)
        assert starts == facts[name]["tables_continued_across_pages"], name
        for t in doc.tables():
            assert len(t.row_pages) == len(t.rows)
            assert t.pages == sorted(set(t.row_pages) | {t.page})


def test_blank_page_is_a_warning(docs):
    doc = docs["上海市普陀区司法局2026年部门预算.pdf"]
    assert doc.pages[2].blocks == []
    assert any(w.startswith("page 3:") for w in doc.warnings)


def test_sifaju_unit_income_table(docs):
    t = _table(docs["上海市普陀区司法局2026年单位预算.pdf"], "2026年预算单位收入预算总表")
    assert t.unit == "元" and t.pages == [9, 10] and len(t.rows) == 22
    assert t.column_names()[3:6] == ["项目/功能分类科目名称", "收入预算/合计", "收入预算/财政拨款收入"]
    assert _row(t, "204", "06", "01") == ["204", "06", "01", "行政运行", "14,348,853.34", "14,348,853.34",
                                          "0.00", "0.00", "0.00"]
    assert t.rows[-1] == ["合计", "", "", "", "86,959,408.34", "86,959,408.34", "0.00", "0.00", "0.00"]
    assert t.row_pages[-1] == 10


def test_sifaju_three_public_in_wanyuan(docs):
    t = _table(docs["上海市普陀区司法局2026年单位预算.pdf"], "2026年单位“三公”经费和机关运行经费预算表")
    assert t.unit == "万元"
    assert t.rows == [["10.71", "0.00", "0.73", "9.98", "0.00", "9.98", "184.59"]]


def test_shangwu_blank_cells_keep_their_column(docs):
    doc = docs["上海市普陀区商务委员会单位25年预算.pdf"]
    t = _table(doc, "2025年预算单位支出预算总表")
    assert t.column_names()[4:] == ["支出预算/合计", "支出预算/基本支出", "支出预算/项目支出"]
    # the second figure is 项目支出: the 基本支出 cell is blank, not shifted
    assert _row(t, "201", "13", "02") == ["201", "13", "02", "一般行政管理事务", "4,545,000.00", "", "4,545,000.00"]
    three = _table(doc, "2025年单位“三公”经费和机关运行经费预算表")
    assert three.rows == [["1.00", "", "1.00", "", "", "", "171.01"]]


def test_guihua_wrapped_labels_and_continuation(docs):
    t = _table(docs["上海市普陀区规划和自然资源局 2024 年度部门决算.pdf"], "一般公共预算财政拨款支出决算表")
    assert t.unit == "万元" and t.pages == [14, 15] and len(t.rows) == 25
    assert _row(t, "2080505") == ["2080505", "机关事业单位基本养老保险缴费支出", "446.11", "446.11", "0.00"]
    r = t.rows.index(_row(t, "22102"))
    assert t.row_pages[r] == 15
    assert t.rows[-1] == ["合计", "", "9746.50", "5364.75", "4381.74"]


def test_shehui_income_table(docs):
    doc = docs["中共上海市普陀区委社会工作部 2024 年度部门决算.pdf"]
    t = _table(doc, "收入决算表")
    assert t.pages == [6, 7] and len(t.rows) == 18
    assert _row(t, "2080505") == ["2080505", "机关事业单位基本养老保险缴费支出", "6.18", "6.18", "", "", "", "", ""]
    # the text layer spaces CJK from digits ("307.82 万元"); the reader does not
    assert "307.82万元" in doc.text()


def test_template_reads_with_placeholders(docs):
    doc = docs["附件2：部门决算模板.pdf"]
    assert "XX" in doc.text()
    t = _table(doc, "财政拨款收入支出决算总表")
    assert t.pages == [8, 9]


def test_clipped_overflow_is_not_read_twice(docs):
    """The 主要职能 list overflows its page; the overflow is clipped there and printed on
    the next page (checked on the page images): read once, the broken item joined."""
    doc = docs["上海市普陀区商务委员会25年预算.pdf"]
    text = doc.text()
    assert text.count("主要职能包括") == 1
    item9 = [b.text for b in doc.pages[2].blocks if b.text.startswith("9、")]
    assert len(item9) == 1 and item9[0].endswith("规范流通秩序。") and "市场供应应急机制" in item9[0]
