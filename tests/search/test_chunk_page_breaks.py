"""Running headers and footers never enter chunk text: the title a converted PDF repeats at
the head of every page and the page-number footers are furniture, and a sentence a page
break cuts reads on in one chunk. The readers take those lines out (kg.readers.pdf_layout
running_lines for PDFs, kg.readers.text for form-feed text exports), so every later stage
(extraction, search, the evidence quotes) sees the text as it is meant to be read."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from kg.readers.pdf_layout import Line, running_lines
from kg.readers.text import read_text
from search.chunking import chunk_document

TITLE = "示例县某某服务中心2024年年度报告"


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def _paragraph_texts(doc) -> list[str]:
    return [c.text for c in chunk_document(doc) if c.block == "paragraph"]


def _export(pages: list[str], footer) -> str:
    """A converted PDF: the title over every page after the cover, a footer under each."""
    out = []
    for n, body in enumerate(pages, start=1):
        head = TITLE + "\n\n" if n > 1 else TITLE + "\n\n" + "第一部分 概况\n\n"
        out.append(head + body + "\n\n" + footer(n) + "\n")
    return "\f".join(out)


@pytest.mark.parametrize("footer", [lambda n: f"第 {n} 页", lambda n: f"- {n} -", lambda n: f"{n}/3"])
def test_text_export_running_header_and_footer_stay_out_of_chunks(footer):
    pages = ["一、主要职责\n\n本中心负责全县服务工作的规划与组织实施，并开展相关研究工作，推进各项改革，",
             "指导各站点开展日常服务活动，提升服务能力和服务质量。\n\n二、机构设置\n\n本中心内设三个科室。",
             "三、其他事项\n\n本中心无其他需要说明的事项。"]
    doc = read_text(_export(pages, footer), "x.txt", "0" * 64)
    texts = _paragraph_texts(doc)
    assert not [t for t in texts if TITLE in _norm(t) or re.search(r"第\d+页|-\d+-|\d/3", _norm(t))], texts
    # the sentence cut by the first form feed reads on, and is cited on the page it starts
    joined = _norm("推进各项改革，指导各站点开展日常服务活动")
    [chunk] = [c for c in chunk_document(doc) if joined in _norm(c.text)]
    assert chunk.page == 1
    # the cover keeps its title
    assert doc.pages[0].blocks[0].text == TITLE


def test_text_export_keeps_a_table_title_repeated_over_its_pages():
    """A line repeated at the head of a few pages is a table's title on its continuation
    pages (that is how the reader knows the table goes on), not a running header."""
    rows = "\n".join(f"20{i:05d}\t项目{i}\t{i}.00" for i in range(1, 6))
    table = "某某支出明细表\n科目编码\t科目名称\t金额\n" + rows
    pages = ["正文第一页的说明文字，内容较长以便成段。", table, table, table, "最后一页的说明文字。"]
    doc = read_text("\f".join(pages), "t.txt", "0" * 64)
    assert {t.title for t in doc.tables()} == {"某某支出明细表"}
    assert sum(len(t.rows) for t in doc.tables()) == 15


def _line(text: str, top: float, x0: float = 60, x1: float = 500, size: float = 10.0) -> Line:
    return Line(text, x0, top, x1, top + size, size)


def test_two_page_pdf_running_header_is_the_cover_title():
    """Page 1 prints the title large, below the page edge, and no running header; page 2 has
    the title as its running header: printed once at an edge, yet it is the title again."""
    cover = [_line(TITLE, 135, 150, 450, 18), _line("第一部分 概况", 200), _line("正文接着写，", 736),
             _line("第 1 页", 807, 280, 320)]
    second = [_line(TITLE, 27, 200, 400), _line("正文写完。", 65), _line("第 2 页", 807, 280, 320)]
    assert running_lines([(842.0, cover), (842.0, second)]) == [{3}, {0, 2}]


def test_two_page_pdf_a_title_wrapped_on_the_cover():
    cover = [_line("示例县某某服务中心", 120, 150, 450, 18), _line("2024年年度报告", 145, 150, 450, 18),
             _line("正文。", 300)]
    second = [_line(TITLE, 27, 200, 400), _line("正文写完。", 300)]
    assert running_lines([(842.0, cover), (842.0, second)]) == [set(), {0}]


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> Path:
    from data.family_output import generate_families

    out = tmp_path_factory.mktemp("pair_pdf")
    generate_families(out, count=2, seed=7, formats={"txt", "pdf"}, families=["tables_only"])
    return out / "tables_only"


def test_generated_text_half_pdf_chunks_read_as_the_text_prints(pair):
    """The text half of a tables_only pair is a short PDF (two pages: the cover without a
    running header, then one with it). Every paragraph chunk of it must be text the same
    document's text rendering prints (no header, no footer, no break inside a sentence)."""
    from kg.readers.dispatch import read_document

    pdfs = sorted((pair / "pdf").glob("*_text.pdf"))
    assert len(pdfs) == 2
    for pdf in pdfs:
        printed = _norm((pair / "txt" / (pdf.stem + ".txt")).read_text(encoding="utf-8"))
        doc = read_document(pdf)
        assert len(doc.pages) >= 2
        stray = [t for t in _paragraph_texts(doc) if _norm(t) not in printed]
        assert not stray, (pdf.name, stray)
