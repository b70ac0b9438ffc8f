"""Issue 12: a table's header rows where the page does not say how deep the header is.

* A form whose first rows read as header ("项目名称 | …", "主管部门 | …": no figures in them, figures
  under them) printed over a page break with its header again: the continued page's rows under the
  repeated header (indicators, no figures either) leave its own header cut at the first row, and
  the second repeated row was read as a body row.
* A table printed with its header alone (an empty table and its note): the last header row, under
  a group cell it divides into columns, was read as a body row.

Hand-built grids for the PDF reader's assembly (as tests/kg/test_pdf_sheet.py builds them), and
the generator's PDF and text renderings (data/renderers.py) of both tables, read back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.readers.pdf import RawPage, assemble
from kg.readers.pdf_tables import GridTable

W = 90.0  # points per column
H = 18.0  # points per row


def grid(page: int, rows: list[list[str]], spans: dict[tuple[int, int], tuple[int, int]] | None = None,
         top: float = 100.0) -> GridTable:
    """A ruled grid; `spans` maps a cell's top-left (row, col) to the (rows, cols) it covers."""
    n_rows, n_cols = len(rows), len(rows[0])
    owner = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    cells: list[list[str | None]] = [list(r) for r in rows]
    for (r0, c0), (dr, dc) in (spans or {}).items():
        for r in range(r0, r0 + dr):
            for c in range(c0, c0 + dc):
                owner[r][c] = (r0, c0)
                if (r, c) != (r0, c0):
                    cells[r][c] = None
    return GridTable(page, (50.0, top, 50.0 + W * n_cols, top + H * n_rows), [50.0 + W * c for c in range(n_cols + 1)],
                     cells, owner, row_edges=[top + H * r for r in range(n_rows + 1)])


def read(*grids: GridTable):
    pages = sorted({g.page for g in grids})
    raw = [RawPage(p, 595.0, 842.0, tables=[g for g in grids if g.page == p]) for p in pages]
    return assemble("t.pdf", "0" * 64, raw).tables()


FORM_HEAD = [["项目名称", "某某工作经费", ""], ["主管部门", "某某局", ""]]


def test_a_form_header_printed_again_is_dropped_whole():
    """Page 1 cuts the header after the form's two label rows (figures follow them); page 2 prints
    both again above rows without figures, which alone would cut it after the first."""
    first = grid(1, FORM_HEAD + [["资金金额", "实施期资金总额", "12.50"], ["年度绩效指标", "一级指标", "指标值"]])
    body = [["", "产出指标", "=6次"], ["", "效益指标", "有效改善"]]
    cont = grid(2, FORM_HEAD + body)
    (t,) = read(first, cont)
    assert t.header == FORM_HEAD
    assert t.rows == [["资金金额", "实施期资金总额", "12.50"], ["年度绩效指标", "一级指标", "指标值"], *body]
    assert t.pages == [1, 2]


def test_a_continued_row_like_a_header_row_of_another_table_stays():
    """Only rows repeating this table's header go: a first row that merely looks like header (no
    figures) but is not the table's stays a body row."""
    first = grid(1, FORM_HEAD + [["资金金额", "实施期资金总额", "12.50"]])
    cont = grid(2, [["总体目标", "保障某某工作", ""], ["", "产出指标", "=6次"]])
    (t,) = read(first, cont)
    assert t.rows[-2:] == [["总体目标", "保障某某工作", ""], ["", "产出指标", "=6次"]]


EMPTY = [["科目编码", "科目名称", "本年支出", "", ""], ["", "", "合计", "基本支出", "项目支出"]]
EMPTY_SPANS = {(0, 0): (2, 1), (0, 1): (2, 1), (0, 2): (1, 3)}


def test_an_empty_table_keeps_both_header_rows():
    (t,) = read(grid(1, EMPTY, EMPTY_SPANS))
    assert t.header == [["科目编码", "科目名称", "本年支出", "本年支出", "本年支出"],
                        ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]
    assert t.rows == []


def test_a_form_row_under_a_merged_value_stays_a_body_row():
    """A two-row form without figures whose first row's value spans the columns: the row under it
    has a label of its own where no group spans, so it is a body row."""
    (t,) = read(grid(1, [["项目名称", "某某工作经费", ""], ["主管部门", "某某局", "某某中心"]], {(0, 1): (1, 2)}))
    assert t.header == [["项目名称", "某某工作经费", "某某工作经费"]]
    assert t.rows == [["主管部门", "某某局", "某某中心"]]


# ---------------------------------------------------------------- the generator's renderings

def _doc():
    from data.document import Doc
    from data.document import Table as GenTable

    form_rows = [["资金金额（万元）", "实施期资金总额：", "", "12.50", ""], ["", "其中：财政拨款", "", "12.50", ""],
                 ["总体目标", "保障某某工作顺利开展", "", "", ""],
                 ["年度绩效指标", "一级指标", "二级指标", "指标内容", "指标值"]]
    form_rows += [["", "产出指标", "数量指标", f"完成事项{i}", f"={i}次"] for i in range(1, 15)]
    # the form's label rows printed as its header, as a reader reads them (bench/bench_unseen.py)
    form = GenTable(title="项目绩效目标表", header=[["项目名称", "", "某某工作经费", "", ""],
                                                  ["主管部门", "", "某某局", "", ""]],
                    rows=form_rows, unit="万元", agency="某某局", numeric_from=5, role="performance")
    empty = GenTable(title="政府性基金预算支出表", unit="万元", agency="某某局", rows=[],
                     header=[["科目编码", "科目名称", "本年支出", "<", "<"], ["^", "^", "合计", "基本支出", "项目支出"]],
                     note="备注：本单位无政府性基金预算支出，本表为空表。")
    doc = Doc("x", "某某局2024年部门预算")
    doc.h1("某某局2024年部门预算")
    doc.p("一、部门职责。某某局负责某某工作。")
    doc.table(form)
    doc.p("二、其他说明。")
    doc.table(empty)
    return doc, form, empty


def _trim(rows: list[list[str]]) -> list[list[str]]:
    out = []
    for r in rows:
        r = list(r)
        while r and not r[-1]:
            r.pop()
        out.append(r)
    return out


@pytest.mark.parametrize("fmt", ["txt", "pdf"])
@pytest.mark.parametrize("cut", [2, 9])
def test_generated_tables_read_their_rows(tmp_path: Path, cjk_font, fmt, cut):
    """The form cut over a page break with its header printed again (after the rows with figures,
    and after the first indicators), and the empty table: each reads its printed rows, no more."""
    from data.renderers import render_pdf, render_txt
    from kg.readers.dispatch import read_document

    doc, form, empty = _doc()
    form.breaks = [(cut, True)]
    path = tmp_path / f"x.{fmt}"
    if fmt == "txt":
        path.write_text(render_txt(doc), "utf-8")
    else:
        path.write_bytes(render_pdf(doc))
    tables = read_document(str(path)).tables()
    assert [t.title for t in tables] == [form.title, empty.title]
    got_form, got_empty = tables
    assert _trim(got_form.rows) == _trim(form.rows) and len(got_form.header) == 2
    assert got_empty.rows == [] and _trim(got_empty.header) == _trim(
        [["科目编码", "科目名称", "本年支出", "本年支出", "本年支出"], ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]])
