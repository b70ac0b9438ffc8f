"""A table printed from a spreadsheet (issue 12): each printed column over two sheet columns, one
cell spanning both in every row; an empty margin column ruled either side; ruled blank rows under
the table with every sheet column a cell of its own. The blank rows' lines are no columns of the
table: read with them, the code column is two columns both headed 科目编码, which reads as two
code|name blocks side by side and loses every figure. End to end in PDFs: tests/kg/test_families.py,
family m (spreadsheet)."""

from __future__ import annotations

from kg.document import Table
from kg.extract.lines import read_table_lines
from kg.readers.pdf import RawPage, assemble
from kg.readers.pdf_tables import GridTable, compact_columns, drop_margin_columns

PRINTED = [["科目编码", "科目名称", "金额"], ["", "合计", "30.00"], ["208", "社会保障和就业支出", "30.00"],
           ["20805", "行政事业单位养老支出", "30.00"], ["2080505", "机关事业单位基本养老保险缴费支出", "30.00"]]
BLANK_ROWS = 2


def sheet_grid() -> GridTable:
    """Sheet columns: margin, then two per printed column, then margin (8 in all). Rows: the
    title across the table, the filing line, the header and body (PRINTED), blank rows."""
    n = 2 * len(PRINTED[0]) + 2
    rows = [["某某表"], ["部门：某某局", "单位：万元"]] + PRINTED
    spans = [[(1, n - 1)], [(1, n - 3), (n - 3, n - 1)]] + [[(1 + 2 * j, 3 + 2 * j) for j in range(3)]] * len(PRINTED)
    cells, owner = [], []
    for r, (texts, where) in enumerate(zip(rows, spans, strict=True)):
        row, own = [""] + [None] * (n - 2) + [""], [(r, 0)] + [None] * (n - 2) + [(r, n - 1)]
        for text, (a, b) in zip(texts, where, strict=True):
            row[a] = text
            for c in range(a, b):
                own[c] = (r, a)
        cells.append(row)
        owner.append(own)
    for r in range(len(rows), len(rows) + BLANK_ROWS):
        cells.append([""] * n)
        owner.append([(r, c) for c in range(n)])
    return GridTable(1, (0.0, 0.0, 80.0 * n, 20.0 * len(cells)), [80.0 * c for c in range(n + 1)], cells, owner)


def read(g: GridTable) -> Table:
    doc = assemble("sheet.pdf", "0" * 64, [RawPage(1, 595.0, 842.0, tables=[g])])
    (table,) = doc.tables()
    return table


def test_a_spreadsheet_table_reads_one_column_per_printed_column():
    t = read(sheet_grid())
    assert t.title == "某某表"
    assert t.header == [PRINTED[0]] and t.rows == PRINTED[1:]
    lines = {ln.code: ln.amount for ln in read_table_lines(t, "万元", "budget")}
    assert lines == {"208": 300000, "20805": 300000, "2080505": 300000}


def test_blank_rows_keep_their_place_as_wide_as_the_table():
    """The blank rows stay (an empty form's blank row is where its figures go), one cell per
    column of the table; the outer lines are kept for the table's continuation to meet."""
    g = compact_columns(sheet_grid(), trailing=False)
    assert g.n_cols == 5 and len(g.cells) == 2 + len(PRINTED) + BLANK_ROWS
    assert g.cells[-1] == [""] * 5 and g.owner[-1] == [(len(g.cells) - 1, c) for c in range(5)]
    assert g.col_edges[0] == 0.0 and g.col_edges[-1] == 80.0 * 8


def test_only_blank_edge_columns_go():
    header, rows = [["", "科目编码", "", "金额", ""]], [["", "301", "", "5.00", ""], ["", "", "", "", ""]]
    assert drop_margin_columns(header, rows) == ([["科目编码", "", "金额"]], [["301", "", "5.00"], ["", "", ""]])
    # a last column blank on this page but headed is a column
    assert drop_margin_columns([["a", "备注"]], [["1", ""]]) == ([["a", "备注"]], [["1", ""]])
    assert drop_margin_columns([["", ""]], [["", ""]]) == ([["", ""]], [["", ""]])
