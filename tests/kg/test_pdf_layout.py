"""The PDF reader's pure helpers, on hand-made characters and grids (no PDF)."""

from __future__ import annotations

import pytest

from kg.readers.outline import heading_level
from kg.readers.pdf_layout import (
    Line,
    chars_to_lines,
    join_wrapped,
    running_lines,
    starts_paragraph,
    tidy,
)
from kg.readers.pdf_tables import GridTable, build_grid, column_map, count_header_rows, resolve


def ch(text, x0, top, size=10.0, dx=None):
    """One char dict per glyph of `text`, laid left to right from x0."""
    out = []
    for i, t in enumerate(text):
        x = x0 + i * (dx or size)
        out.append({"text": t, "x0": x, "x1": x + size, "top": top, "bottom": top + size})
    return out


@pytest.mark.parametrize("raw,want", [
    ("2024 年度部门决算", "2024年度部门决算"),
    ("收 入 总 计", "收入总计"),
    ("支出 307.82 万元", "支出307.82万元"),
    ("增长 73.62 %", "增长73.62%"),
    ("15217 15217", "15217 15217"),
    ("Annual  report", "Annual report"),
])
def test_tidy(raw, want):
    assert tidy(raw) == want


def test_join_wrapped():
    assert join_wrapped(["机关事业单位基本养老", "保险缴费支出"]) == "机关事业单位基本养老保险缴费支出"
    assert join_wrapped(["annual", "report"]) == "annual report"
    assert join_wrapped(["合计", "", "12.50"]) == "合计12.50"


def test_lines_group_by_overlap_not_exact_top():
    # digits set 1.7pt below the CJK baseline stay on the line
    chars = ch("行政运行", 100, 200) + ch("51.32", 300, 201.7, dx=5)
    [line] = [ln for ln in chars_to_lines(chars, split_gap=1e9)]
    assert line.text == "行政运行51.32"  # as paragraph text; the chunks keep the cells apart
    assert [c[0] for c in line.chunks] == ["行政运行", "51.32"]


def test_wide_gap_splits_segments_and_fake_bold_is_deduplicated():
    chars = ch("编制单位：某局", 60, 100) + ch("单位：元", 700, 100)
    chars += [dict(c, x0=c["x0"] + 0.4, x1=c["x1"] + 0.4) for c in ch("编制", 60, 100)]
    texts = [ln.text for ln in chars_to_lines(chars)]
    assert texts == ["编制单位：某局", "单位：元"]


def test_heading_levels():
    """The rule as the PDF reader applies it (kg.readers.pdf: no numbered-item headings)."""
    def level(s):
        return heading_level(s, numbered_items=False)

    assert level("第一部分 部门概况") == 1
    assert level("二、收入决算情况说明") == 2
    assert level("（三）公务接待费") == 3
    assert level("(三)公务接待费") == 3
    assert level("一、本年收入合计9746.50万元，其中财政拨款收入9746.50万元，占100.00%，比上年增加。") is None
    assert level("1、办公室") is None


def _line(text, x0, top, x1, size=10.0):
    return Line(text, x0, top, x1, top + size, size)


def test_running_lines_and_page_numbers():
    pages = []
    for n in range(1, 5):
        lines = [_line("某某局2024年部门预算", 200, 20, 400), _line(f"正文第{n}页内容", 60, 300, 500),
                 _line(f"- {n} -", 290, 820, 310)]
        pages.append((842.0, lines))
    pages.append((842.0, [_line("只有正文", 60, 300, 500)]))
    drop = running_lines(pages)
    assert drop[:4] == [{0, 2}] * 4
    assert drop[4] == set()


def test_running_lines_spare_a_line_on_one_page_only():
    pages = [(842.0, [_line("封面标题", 200, 40, 400)]), (842.0, [_line("第一部分 概况", 60, 40, 300)]),
             (842.0, [_line("正文", 60, 300, 500)])]
    assert running_lines(pages) == [set(), set(), set()]


def test_paragraph_breaks():
    left, right = 60.0, 500.0
    full = _line("这一行排满了整行文字", left, 100, 499)
    assert not starts_paragraph(full, _line("接着写", left, 115, 300), left, right)
    assert starts_paragraph(full, _line("缩进的新段", left + 20, 115, 300), left, right)
    assert starts_paragraph(full, _line("（二）新的一项", left, 115, 300), left, right)
    short = _line("这一段结束了。", left, 100, 300)
    assert starts_paragraph(short, _line("下一段", left, 115, 300), left, right)


def _grid_from(boxes_texts):
    """Build a GridTable from (bbox, text) pairs, one char per cell at its centre."""
    boxes = [b for b, _ in boxes_texts]
    chars = []
    for (x0, top, x1, bottom), text in boxes_texts:
        if text:
            cx, cy = (x0 + x1) / 2, (top + bottom) / 2
            chars.append({"text": text, "x0": cx - 4, "x1": cx + 4, "top": cy - 4, "bottom": cy + 4})
    return build_grid(1, (0, 0, 300, 60), boxes, chars)


def test_merged_header_repeated_and_body_blank_kept():
    # row 0: "收" over columns 0-1, "支" over column 2; row 1: three cells; row 2: body with a blank
    g = _grid_from([
        ((0, 0, 200, 20), "收"), ((200, 0, 300, 40), "支"),
        ((0, 20, 100, 40), "甲"), ((100, 20, 200, 40), "乙"),
        ((0, 40, 100, 60), "1"), ((100, 40, 200, 60), ""), ((200, 40, 300, 60), "3"),
    ])
    assert g.n_cols == 3 and len(g.cells) == 3
    n = count_header_rows(g)
    assert n == 2
    header, body = resolve(g, n)
    assert header == [["收", "收", "支"], ["甲", "乙", "支"]]
    assert body == [["1", "", "3"]]


def test_column_map():
    prev = [72.0, 140.0, 300.0, 410.0, 523.0]
    assert column_map(prev, prev) == [0, 1, 2, 3]
    assert column_map(prev, [72.0, 300.0, 410.0, 523.0]) == [0, 2, 3]  # 合计 merged over two columns
    assert column_map(prev, [72.0, 200.0, 523.0]) is None
    assert column_map(prev, [60.0, 140.0, 300.0, 410.0, 523.0]) is None


def test_table_without_numbers_keeps_structural_header():
    g = GridTable(1, (0, 0, 1, 1), [0, 1, 2, 3],
                  cells=[["项目", None, "预算"], ["名称", "编码", None], ["无", "", ""], ["合计", "", ""]],
                  owner=[[(0, 0), (0, 0), (0, 2)], [(1, 0), (1, 1), (0, 2)],
                         [(2, 0), (2, 1), (2, 2)], [(3, 0), (3, 1), (3, 2)]])
    assert count_header_rows(g) == 2


def test_caption_above_skips_filing_lines_and_continuation_marks():
    from kg.readers.pdf_tables import caption_above

    lines = [_line("一般公共预算支出表", 200, 60, 380, 14), _line("表6", 60, 80, 80),
             _line("编制单位：某局", 60, 100, 200), _line("单位：万元", 450, 100, 500)]
    title, unit, t_idx, u_idx = caption_above(lines, 120, 60, 520, 0)
    assert (title, unit) == ("一般公共预算支出表", "万元")
    assert sorted(t_idx) == [0, 1] and u_idx == [3]  # the filing line stays text
    cont = [_line("一般公共预算支出表（续）", 200, 60, 380, 14)]
    assert caption_above(cont, 90, 60, 520, 0)[0] == "一般公共预算支出表"
    assert caption_above([_line("续表", 60, 70, 90)], 90, 60, 520, 0)[0] is None


def test_caption_wrapped_onto_two_lines():
    from kg.readers.pdf_tables import caption_above

    lines = [_line("2024年一般公共预算基本支出明细表（按经济分类科目分）（不含上", 80, 60, 520, 14),
             _line("年结转）", 250, 76, 310, 14), _line("单位：元", 460, 96, 500)]
    assert caption_above(lines, 110, 60, 520, 0)[0] == "2024年一般公共预算基本支出明细表（按经济分类科目分）（不含上年结转）"


def test_garbled_share():
    from kg.readers.pdf_layout import garbled_share

    assert garbled_share("部门预算2024") == 0.0
    assert garbled_share("\ue001\ue002\ue003部") == 0.75
    assert garbled_share("(cid:12)(cid:13)年") == pytest.approx(2 / 3)
    assert garbled_share("") == 0.0


def test_line_short_before_an_unbreakable_number_continues():
    left, right = 60.0, 500.0
    prev = _line("其中支持企业协同化发展", left, 100, right - 35)  # 3.5 glyphs short
    assert not starts_paragraph(prev, _line("180.00万，支持企业国际化发展", left, 115, 300), left, right)
    assert starts_paragraph(prev, _line("以下为第二段。", left, 115, 300), left, right)
    done = _line("合计1170.00万。", left, 100, right - 35)
    assert starts_paragraph(done, _line("2025年度的安排如下", left, 115, 300), left, right)


def test_an_amount_alone_at_the_page_foot_is_not_a_running_line():
    """Digits are ignored when running lines are matched ("- 3 -", "第3页"), so every amount
    looks alike: a table's last amount printed alone at the foot of many pages is data, not a
    running footer."""
    pages = []
    for n, amount in enumerate(["32.87", "10.91", "1,305.25", "6.22"], start=1):
        pages.append((842.0, [_line("某某局2024年部门预算", 200, 20, 400), _line(f"正文第{n}页内容", 60, 300, 500),
                              _line(amount, 440, 780, 462)]))
    drop = running_lines(pages)
    assert drop == [{0}] * 4
