"""Issue 12: documents the project never saw, in the layouts publications print them in.

The shared seed texts (../shared/corpus/*.txt) are read, their document model printed as a PDF in
each style of bench/bench_unseen.py (portrait, landscape and rotated table pages, digits on a
shifted baseline, tables continued over pages with and without their headers, no running
header), read back, ingested and scored against ../shared/eval/gold with the yardsticks' scorer:
every style must keep the floor the project is held to (macro F1 0.95, 95% of the header facts).
A style must also read every table row the plain portrait rendering reads, a stricter measure
than the graph's (the narrative restates many figures the tables hold).
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from bench.bench_unseen import STYLES, published_files, render_style, score_files, seed_files, table_rows

FLOOR = 0.95

# Styles read below the floor so far (strict: a fix shows as XPASS and its entry must go), by test.
# Tables without column lines (bench_unseen.py --style horizontal_rules unruled, both alike) keep the
# graph's floor (seed texts macro F1 1.000, 16/16 header facts; published PDFs printed again 43/43 and
# 45/45 header fields, gold_real 1.000) but read 581 of the seed texts' 892 table rows cell for cell.
# Without column lines and with everything else at once (rotated pages, digits 2 pt below the
# baseline, tables continued without their header, no running header): macro F1 0.943, 15/16 header
# facts, 522 of 892 rows (projects 0.783: a project table continued bare loses its rows; links
# 0.917; functional 0.909); published PDFs printed that way 0.993, 42/43 and 45/45 (they pass).
NO_COLUMN_LINES = ("horizontal_rules", "unruled")
NOT_YET = {
    "floor": {"unruled_combined": "unruled + rotated + digits off the baseline + bare continuations: macro F1 "
                                  "0.943, 15/16 header facts"},
    "rows": {**dict.fromkeys(NO_COLUMN_LINES, "form tables (performance targets, project forms): 581 of 892 "
                                              "rows cell for cell"),
             "unruled_combined": "522 of 892 rows cell for cell"},
    "published": {},
}


def styles(test: str, names) -> list:
    return [pytest.param(s, marks=pytest.mark.xfail(reason=NOT_YET[test][s], strict=True))
            if s in NOT_YET[test] else s for s in names]


def _chars(text: str, x0: float, top: float = 5.0, size: float = 7.5) -> list[dict]:
    return [{"text": ch, "x0": x0 + k * size, "x1": x0 + (k + 1) * size, "top": top, "bottom": top + size}
            for k, ch in enumerate(text)]


def test_a_hanging_mark_stays_in_the_cell_it_ends():
    """A closing mark hung past a column line at a line's end (CJK typesetting's hanging
    punctuation) is read in the cell it starts in, at the table's right edge too; any other
    character straddling a line (an amount overflowing leftwards) goes by its centre."""
    from kg.readers.pdf_tables import build_grid

    boxes = [(0.0, 0.0, 50.0, 20.0), (50.0, 0.0, 100.0, 20.0)]
    # "人员、" ends at 55.0: the mark starts at 47.5, its centre (51.25) is right of the line at 50;
    # "经费。" ends at 104.5, past the table's right edge at 100
    chars = _chars("人员、", 32.5) + _chars("经费。", 82.0)
    g = build_grid(1, (0.0, 0.0, 100.0, 20.0), boxes, chars)
    assert g.cells[0] == ["人员、", "经费。"]
    g = build_grid(1, (0.0, 0.0, 100.0, 20.0), boxes, _chars("12", 46.5))
    assert g.cells[0] == ["", "12"]


def test_a_table_set_by_alignment_alone_reads_cell_for_cell():
    """A table printed with no column lines (nor row lines): cells apart by their padding alone
    (an amount ending 6 pt before the next column's label) are separate cells, a row of labels
    whose amounts are blank stays a row of the table, and a label wrapped over two lines in its
    narrow cell, its amount beside the second line, is one row."""
    from kg.readers.pdf_align import find_aligned_tables
    from kg.readers.pdf_layout import chars_to_lines

    def right(text: str, x1: float, top: float) -> list[dict]:
        return _chars(text, x1 - 7.5 * len(text), top)

    chars = _chars("项目", 91.5, 100) + _chars("预算数", 188.75, 100) + _chars("项目", 262, 100) + _chars("预算数", 348, 100)
    rows = [["一、一般公共预算拨款收入", "45928.08", "一、一般公共服务支出", ""],
            ["专项收入", "", "三、教育支出", ""],
            ["四、其他收入", "12.50", "六、社会保障和就业支出", "45852.97"]]
    for n, (a, b, c, d) in enumerate(rows):
        top = 112.5 + 12.5 * n  # 7.5 pt type, 5 pt between rows
        chars += _chars(a, 54, top) + right(b, 230, top) + _chars(c, 236, top) + right(d, 400, top)
    # 2 pt between the lines of one cell
    chars += _chars("天门市人力资", 54, 150) + _chars("源和社会保障局", 54, 159.5) + right("30.00", 230, 159.5)
    tables = find_aligned_tables(1, chars_to_lines(chars))
    assert len(tables) == 1
    assert tables[0].cells == [["项目", "预算数", "项目", "预算数"], *rows,
                               ["天门市人力资源和社会保障局", "30.00", "", ""]]


def _digits(text: str, x1: float, top: float, width: float = 4.0, size: float = 7.5) -> list[dict]:
    """Amounts set flush right at x1, digits narrower than CJK glyphs."""
    x0 = x1 - width * len(text)
    return [{"text": ch, "x0": x0 + k * width, "x1": x0 + (k + 1) * width, "top": top, "bottom": top + size}
            for k, ch in enumerate(text)]


def _aligned_cells(chars: list[dict]) -> list[list[list[str | None]]]:
    from kg.readers.pdf_align import find_aligned_tables
    from kg.readers.pdf_layout import chars_to_lines

    return [t.cells for t in find_aligned_tables(1, chars_to_lines(chars))]


def test_a_form_label_centred_beside_its_wrapped_value_is_one_header_row():
    """A form row printed without rules: its label centred between the two lines of a value
    wrapped in the next cell. No line holds two pieces, yet the pieces stand side by side: the
    row is the table's header, the value's lines one cell."""
    chars = (_chars("013002青禾市农业技术推广", 131, 100) + _chars("部门（单位）名称", 58, 104.8)
             + _chars("站-210300000", 157, 109.5)
             + _chars("年度主要任务", 66, 122) + _chars("对应项目", 171, 122) + _chars("预算资金", 410, 122))
    for n, name in enumerate(["基本支出人员经费", "基本支出公用经费"]):
        chars += _chars(name, 129, 134.5 + 12.5 * n) + _digits("265.62", 440, 134.5 + 12.5 * n)
    (cells,) = _aligned_cells(chars)
    assert cells[0] == ["部门（单位）名称", "013002青禾市农业技术推广站-210300000", ""]
    assert cells[2:] == [["", "基本支出人员经费", "265.62"], ["", "基本支出公用经费", "265.62"]]


def test_a_label_wrapped_round_its_amounts_after_a_row_of_amounts_alone_stays_whole():
    """The 合计 row printed as amounts alone, then a row whose two labels wrap round its amounts
    (half above, half below): the labels' columns belong to the table, so the lines below the
    amounts are not cut off as text after it."""
    chars = _chars("项目分类", 55, 100) + _chars("项目名称", 115, 100) + _chars("合计", 200, 100)
    chars += _digits("15.00", 220, 112.5) + _digits("15.00", 260, 112.5)
    chars += _chars("本级支出", 54, 124) + _chars("青禾市植保服务", 92, 124)
    chars += _digits("15.00", 220, 129.3) + _digits("15.00", 260, 129.3)
    chars += _chars("项目", 54, 133.4) + _chars("中心经费", 92, 133.4)
    (cells,) = _aligned_cells(chars)
    assert cells[-1][:2] == ["本级支出项目", "青禾市植保服务中心经费"], cells
    assert cells[-1][-2:] == ["15.00", "15.00"]


def test_a_short_name_centred_over_wider_amounts_names_their_column():
    """A one-row table of totals: "合计" centred in its cell ends before the amount set flush
    right under it starts. It names that column (nothing else stands over it); a name over a
    column blank in every row (结转下年资金) still makes a column of its own."""
    chars = (_chars("合计", 95, 100) + _chars("基本支出", 185, 100) + _chars("项目支出", 279, 100)
             + _chars("结转下年资金", 462, 100))
    chars += _digits("13,649.07", 151, 112.5) + _digits("7,666.68", 244, 112.5) + _digits("5,982.39", 337, 112.5)
    (cells,) = _aligned_cells(chars)
    assert cells == [["合计", "基本支出", "项目支出", "结转下年资金"], ["13,649.07", "7,666.68", "5,982.39", ""]]


def _header_of(cells: list[list[str | None]], owner, rows: int) -> list[list[str]]:
    from kg.readers.pdf_tables import GridTable, resolve

    g = GridTable(1, (0, 0, 1, 1), list(range(len(cells[0]) + 1)), cells, owner)
    return resolve(g, rows)[0]


def test_a_group_name_over_the_columns_it_groups_heads_them_all():
    """A two-row header printed without rules: "基本支出" centred over 小计 | 人员经费 | 公用经费
    on the row under it, names spanning both rows ("合计", "项目支出") centred between the
    rows. The group heads its three columns and makes none of its own; the others reach down."""
    from kg.readers.pdf_align import find_aligned_tables
    from kg.readers.pdf_layout import chars_to_lines

    def centred(text: str, middle: float, top: float) -> list[dict]:
        return _chars(text, middle - 3.75 * len(text), top)

    chars = (centred("科目编码", 74.5, 106.25) + centred("科目名称", 142.5, 106.25) + centred("合计", 212.5, 106.25)
             + centred("基本支出", 310, 100) + centred("项目支出", 410, 106.25)
             + centred("小计", 260, 112.5) + centred("人员经费", 310, 112.5) + centred("公用经费", 360, 112.5))
    for n, (code, name, amounts) in enumerate([("", "合计", ["300.00", "120.00", "100.00", "20.00", "180.00"]),
                                               ("301", "工资福利支出", ["100.00", "100.00", "100.00", "", ""])]):
        top = 125 + 12.5 * n
        chars += _digits(code, 54 + 4 * len(code), top) + _chars(name, 100, top)
        for k, a in enumerate(amounts):
            chars += _digits(a, 232 + 50 * k, top)
    (t,) = find_aligned_tables(1, chars_to_lines(chars))
    assert _header_of(t.cells, t.owner, 2) == [
        ["科目编码", "科目名称", "合计", "基本支出", "基本支出", "基本支出", "项目支出"],
        ["科目编码", "科目名称", "合计", "小计", "人员经费", "公用经费", "项目支出"]]
    assert t.cells[2:] == [["", "合计", "300.00", "120.00", "100.00", "20.00", "180.00"],
                           ["301", "工资福利支出", "100.00", "100.00", "100.00", "", ""]]


def test_names_over_no_column_find_theirs():
    """Names centred in wide cells: "科目名称" right of the short labels it names (left-aligned),
    "合计" left of its amounts (right-aligned); names over columns blank in every row each make
    a column of their own, side by side."""
    chars = (_chars("科目编码", 55, 100) + _chars("科目名称", 144, 100) + _chars("合计", 245, 100)
             + _chars("基本支出", 279, 100) + _chars("项目支出", 320, 100) + _chars("事业单位经营支出", 361, 100))
    for n, (code, name) in enumerate([("21011", "行政单位医疗"), ("221", "住房保障支出")]):
        top = 112.5 + 12.5 * n
        chars += _digits(code, 54 + 4 * len(code), top) + _chars(name, 92, top)
        chars += _digits("29.49", 272, top) + _digits("29.49", 309, top)
    (cells,) = _aligned_cells(chars)
    assert cells == [["科目编码", "科目名称", "合计", "基本支出", "项目支出", "事业单位经营支出"],
                     ["21011", "行政单位医疗", "29.49", "29.49", "", ""],
                     ["221", "住房保障支出", "29.49", "29.49", "", ""]]


def test_a_table_printed_empty_is_its_column_names():
    """A table with nothing to report prints its unit line and its column names, then a note:
    it is read as a table of header rows and no body, so the reading report sees it printed."""
    chars = _chars("单位：万元", 504, 90)
    chars += _chars("本年政府性基金预算支出", 355, 105) + _chars("科目编码", 85, 111) + _chars("科目名称", 184, 111)
    chars += _chars("合计", 290, 118) + _chars("基本支出", 381, 118) + _chars("项目支出", 480, 118)
    chars += _chars("备注：本单位无政府性基金预算支出，此表为空表。", 57, 135, size=9.2)
    (cells,) = _aligned_cells(chars)
    assert [c for c in cells[-1] if c] == ["合计", "基本支出", "项目支出"]
    assert not any("备注" in (c or "") for row in cells for c in row)
    # a unit line over running text is no table
    assert _aligned_cells(_chars("单位：万元", 504, 90) + _chars("本部门无政府性基金预算支出。", 57, 105, size=9.2)) == []


def test_a_two_column_table_needs_a_header_naming_both_columns():
    """"项目 | 预算数" printed without rules is a table of two columns under its header; two lines
    of prose each ending in an amount are not."""
    chars = _chars("项目", 160, 100) + _chars("预算数", 400, 100)
    for n, (name, amount) in enumerate([("合计", "2.84"), ("1、因公出国（境）费", ""), ("2、公务用车购置及运行费", "2.84")]):
        chars += _chars(name, 54, 112.5 + 12.5 * n) + _digits(amount, 541, 112.5 + 12.5 * n)
    (cells,) = _aligned_cells(chars)
    assert cells == [["项目", "预算数"], ["合计", "2.84"], ["1、因公出国（境）费", ""], ["2、公务用车购置及运行费", "2.84"]]
    prose = _chars("本年收入合计", 54, 100) + _digits("346.38", 300, 100) + _chars("本年支出合计", 54, 112.5) \
        + _digits("346.38", 300, 112.5)
    assert _aligned_cells(prose) == []


def test_a_cell_wrapped_round_the_only_row_of_a_page_stays_with_it():
    """A page holding one row under its header, its basis cell wrapped over four lines with the
    amounts centred between them: the lines above and below the amounts, closer than rows are,
    are that cell's, and the row is the page's table."""
    chars = (_chars("项目分类", 66, 95) + _chars("项目名称", 179, 95) + _chars("年初预算数", 294, 95)
             + _chars("决算数", 370, 95) + _chars("政策依据", 465, 95))
    chars += _chars("《关于企业职工基本养", 419, 107.8) + _chars("老保险的通知》（冀财", 419, 117.5)
    chars += _chars("特定目标类", 54, 122.1) + _chars("根治欠薪专项经费", 113, 122.1) + _digits("424,729.00", 344, 122.1)
    chars += _digits("334,148.00", 413, 122.1)
    chars += _chars("社发【2022】80号）", 419, 127.0) + _chars("195号", 419, 136.7)
    (cells,) = _aligned_cells(chars)
    assert cells[-1] == ["特定目标类", "根治欠薪专项经费", "424,729.00", "334,148.00",
                         "《关于企业职工基本养老保险的通知》（冀财社发【2022】80号）195号"]


def test_a_group_over_three_rows_spans_between_the_names_that_span_them_all():
    """"“三公”经费" on the first of three header rows; "合计" and "会议费" span all three, centred
    on the middle one, sharing none of the group's height; under the group, "小计" and "公务接待费"
    span rows two and three, "公务用车" groups 购置费 | 运行费. The group spans from 小计 to 公务接待费."""
    from kg.readers.pdf_align import find_aligned_tables
    from kg.readers.pdf_layout import chars_to_lines

    def centred(text: str, middle: float, top: float) -> list[dict]:
        return _chars(text, middle - 3.75 * len(text), top)

    xs = [80, 160, 240, 320, 400, 480]  # 合计, 小计, 购置费, 运行费, 公务接待费, 会议费
    chars = (centred("“三公”经费", 280, 100) + centred("合计", xs[0], 113.5) + centred("会议费", xs[5], 113.5)
             + centred("小计", xs[1], 121) + centred("公务接待费", xs[4], 121) + centred("公务用车", 280, 115)
             + centred("购置费", xs[2], 127) + centred("运行费", xs[3], 127))
    for k, x in enumerate(xs):
        chars += _digits(f"{k + 1}.00", x + 15, 145)
    (t,) = find_aligned_tables(1, chars_to_lines(chars))
    assert _header_of(t.cells, t.owner, 3) == [
        ["合计", "“三公”经费", "“三公”经费", "“三公”经费", "“三公”经费", "会议费"],
        ["合计", "小计", "公务用车", "公务用车", "公务接待费", "会议费"],
        ["合计", "小计", "购置费", "运行费", "公务接待费", "会议费"]]


def test_rows_set_close_with_their_digits_lowered_stay_apart():
    """Amounts set 2 pt below the CJK baseline stretch each row down towards the next: rows are
    told apart by the space between their words, not between their lowest glyphs."""
    chars = _chars("科目编码", 54, 100) + _chars("科目名称", 128, 100) + _chars("合计", 420, 100) + _chars("基本支出", 500, 100)
    for n, (code, name, a, b) in enumerate([("", "合计", "3,773.89", "3,066.38"), ("208", "社会保障和就业支出", "3,323.72", "2,616.21"),
                                            ("20801", "人力资源和社会保障管理事务", "2,774.07", "2,303.93")]):
        top = 112.5 + 8.8 * n  # 1.3 pt between the words of two rows
        chars += _digits(code, 54 + 4 * len(code), top + 2) + _chars(name, 128, top)
        chars += _digits(a, 460, top + 2) + _digits(b, 540, top + 2)
    (cells,) = _aligned_cells(chars)
    assert [r[1] for r in cells[1:]] == ["合计", "社会保障和就业支出", "人力资源和社会保障管理事务"]


def test_a_page_continued_without_its_header_keeps_its_columns_places():
    """A table printed without rules, continued on a page without its header: that page's
    blank columns are gone from the edges measured from its text, so its columns are placed by
    where their text stands among the first page's columns."""
    from kg.readers.pdf_align import aligned_column_map
    from kg.readers.pdf_layout import chars_to_lines
    from kg.readers.pdf_tables import GridTable

    first = GridTable(1, (0, 0, 400, 50), [0, 100, 200, 300, 400], [["a", "b", "c", "d"]], [[(0, c) for c in range(4)]],
                      aligned=True)
    lines = chars_to_lines(_chars("住房公积金", 10, 10) + _digits("45.63", 190, 10) + _digits("45.63", 390, 10))
    g = GridTable(2, (0, 0, 400, 20), [10, 130, 330, 390], [["住房公积金", "45.63", "45.63"]],
                  [[(0, c) for c in range(3)]], aligned=True, source_lines=lines)
    assert aligned_column_map(first, g) == [0, 1, 3]
    wide = GridTable(2, (0, 0, 400, 20), [0, 80, 160, 240, 320, 400], [[""] * 5], [[(0, c) for c in range(5)]],
                     aligned=True, source_lines=lines)
    assert aligned_column_map(first, wide) is None


def test_a_centred_title_after_an_open_line_is_its_own_paragraph():
    """A PDF line set well right of the paragraph above it on the same page (a centred section
    title after a line with no full stop) is no wrapped continuation of it; a line starting at
    the margin still is."""
    from kg.document import Document, Page, Paragraph
    from kg.extract.base import logical_paragraphs

    open_line = Paragraph("各项目的绩效目标详见附表", 3, (78.0, 560.0, 204.0, 571.0))
    title = Paragraph("某某专项经费情况说明", 3, (171.6, 586.9, 423.6, 601.5))
    wrapped = Paragraph("的说明", 3, (57.0, 575.0, 90.0, 586.0))
    doc = Document("x.pdf", "0", [Page(3, [open_line, title])], "application/pdf")
    assert [t for _, t in logical_paragraphs(doc)] == [open_line.text, title.text]
    doc = Document("x.pdf", "0", [Page(3, [open_line, wrapped])], "application/pdf")
    assert [t for _, t in logical_paragraphs(doc)] == [open_line.text + wrapped.text]


# ---------------------------------------------------------------- the seed texts, printed

@pytest.fixture(scope="module")
def seeds(shared) -> tuple[list[Path], list[Path]]:
    texts, gold = seed_files()
    assert len(texts) == 4 and len(gold) == 4, (texts, gold)
    return texts, gold


@pytest.fixture(scope="module")
def printed(seeds, tmp_path_factory, cjk_font) -> dict[str, list[Path]]:
    out = tmp_path_factory.mktemp("unseen")
    return {style: render_style(seeds[0], style, out / style) for style in STYLES}


@cache
def rows_of(path: str) -> Counter:
    return table_rows(path)


@pytest.mark.slow
@pytest.mark.parametrize("style", styles("floor", STYLES))
def test_a_layout_keeps_the_floor(seeds, printed, style):
    got = score_files(printed[style], seeds[1])
    assert not got["failed"], got["failed"]
    bad = {d: x for d, x in got["docs"].items() if x}
    assert got["macro_f1"] >= FLOOR, (got["macro_f1"], got["categories"], bad)
    assert got["header_right"] >= FLOOR * got["header_facts"], (got["header_right"], got["header_facts"], bad)


@pytest.mark.slow
@pytest.mark.parametrize("style", styles("rows", [s for s in STYLES if s != "portrait"]))
def test_a_layout_reads_the_rows_portrait_reads(seeds, printed, style):
    lost = []
    for text, plain, other in zip(seeds[0], printed["portrait"], printed[style], strict=True):
        want = rows_of(str(text)) & rows_of(str(plain))  # what printing itself keeps
        missing = want - rows_of(str(other))
        lost += [f"{text.stem}: {row}" for row in missing.elements()]
    assert not lost, "\n".join(lost[:12])


# ---------------------------------------------------------------- the published PDFs, printed again

@pytest.fixture(scope="module")
def published(shared, tmp_path_factory, cjk_font) -> dict:
    corpora = published_files()
    assert len(corpora["real"][0]) == 7 and len(corpora["jiangsu"][0]) == 5, corpora
    return corpora


@pytest.mark.slow
@pytest.mark.parametrize("style", styles("published", STYLES))
def test_a_published_pdf_printed_again_keeps_its_header_facts(published, tmp_path, style):
    """The district and provincial PDFs, each document model printed again in the style: 95% of
    headers.json's fields (agency, year, kind, scope, totals) stay right, and each document of
    gold_real (a budget, a final account: 决算 with shifted digits among them) keeps its graph
    above the floor. Printed again, a project's section title no longer opens a page of its own
    but follows the last line of the section before it, centred: the budget's projects keep
    their names only while extraction tells such a title from a wrapped line."""
    for corpus, (files, gold, headers) in published.items():
        got = score_files(render_style(files, style, tmp_path / corpus), gold, headers)
        assert not got["failed"], got["failed"]
        h = got["headers"]
        assert h["fields_right"] >= FLOOR * h["fields"], (corpus, h)
        low = {doc: got["docs"][doc] for doc, f in got["doc_f1"].items() if f < FLOOR}
        assert not low, low


@pytest.mark.slow
def test_the_score_drops_when_tables_are_misread(seeds, tmp_path, monkeypatch):
    """The measure can fail: the seed texts printed with two amount columns of every table
    swapped fall below the floor."""
    import bench.bench_unseen as B

    to_doc = B.to_doc

    def swapped(model, stem, continued=None):
        doc = to_doc(model, stem, continued)
        for kind, t in doc.blocks:
            if kind == "table":
                a = t.numeric_from
                for row in t.rows:
                    if len(row) > a + 1 and max(len(row[a]), len(row[a + 1])) < 14:
                        row[a], row[a + 1] = row[a + 1], row[a]
        return doc

    monkeypatch.setattr(B, "to_doc", swapped)
    got = score_files(render_style(seeds[0], "portrait", tmp_path), seeds[1])
    assert got["macro_f1"] < FLOOR, got["categories"]
