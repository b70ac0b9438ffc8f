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
# Tables without column lines (bench_unseen.py --style horizontal_rules unruled, both alike): the
# seed texts give macro F1 0.948, 14/16 header facts, 305 of 892 rows; the published PDFs printed
# again 40/45 provincial header fields.
NO_COLUMN_LINES = ("horizontal_rules", "unruled")
NOT_YET = {
    "floor": dict.fromkeys(NO_COLUMN_LINES, "multi-level headers of centred names over few amounts split or "
                                            "merge columns (macro F1 0.948)"),
    "rows": dict.fromkeys(NO_COLUMN_LINES, "form tables (performance targets) and multi-level headers: 305 of "
                                           "892 rows cell for cell"),
    "published": dict.fromkeys(NO_COLUMN_LINES, "a group name centred over its columns lands in one of them "
                                                "(provincial header fields 40/45)"),
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
