"""kg.readers.outline: one set of outline/heading rules, and both readers giving the same
outline for the same printed lines (invented lines written here)."""

from __future__ import annotations

import pytest

from kg.document import Heading
from kg.readers.outline import heading_level, outline_marker, outline_start, strip_outline_number
from kg.readers.pdf import read_pdf
from kg.readers.text import read_text


@pytest.mark.parametrize("line,want", [
    ("第一部分 单位概况", "第一部分"),
    ("第三篇 附录", "第三篇"),
    ("第二章 公开主体", "第二章"),
    ("第一节 总体情况", "第一节"),
    ("第十二条 本办法自印发之日起施行。", "第十二条"),
    ("十一、其他说明", "十一、"),
    ("二 . 收支情况", "二."),
    ("(三)公务接待费", "（三）"),
    ("（十二）其他", "（十二）"),
    ("1、办公室", "1、"),
    ("12. 项目名称", "12."),
    ("(4)差旅费", "（4）"),
    ("③维修费", "③"),
    ("1.5万元用于购置设备", ""),  # a figure, not an item number
    ("本单位共有职工八人", ""),
])
def test_outline_marker(line, want):
    assert outline_marker(line) == want
    assert outline_start(line) == bool(want)


def test_strip_outline_number():
    assert strip_outline_number("一、主要职责") == "主要职责"
    assert strip_outline_number("（二） 机构设置") == "机构设置"
    assert strip_outline_number("主要职责") == "主要职责"


def test_heading_levels_with_and_without_numbered_items():
    assert heading_level("第一章 总则") == 2
    assert heading_level("1、办公室") == 4
    assert heading_level("1、办公室", numbered_items=False) is None
    # a line that states a figure or runs on as a sentence is never a heading, at any level
    for line in ("（一）收入预算 37.89 万元，包括：", "（四）名词解释。主要对专业名称进行解释", "（二）讨论、决定重大事项、"):
        assert heading_level(line) is None
        assert heading_level(line, numbered_items=False) is None


# Short lines that each reader sees as one line: the PDF reader must give them the levels the
# text reader gives (before the rules were one set, the PDF reader made the chapter lines
# paragraphs and the "（一）… 万元，包括：" line a level-3 heading).
LINES = ["第一部分 单位概况", "第一章 总则", "（一）收入预算 37.89 万元，包括：", "一、主要职责", "（二）机构设置",
         "第二章 附则"]


@pytest.fixture(scope="module")
def outline_pdf(tmp_path_factory, cjk_font):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "CJK" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("CJK", cjk_font, subfontIndex=0))
    path = tmp_path_factory.mktemp("outline") / "outline.pdf"
    c = canvas.Canvas(str(path), pagesize=(595.0, 842.0))
    c.setFont("CJK", 12)
    for i, line in enumerate(LINES):
        c.drawString(72, 760 - 30 * i, line)
    c.showPage()
    c.save()
    return path


def _outline(doc) -> list[tuple[int, str]]:
    return [(b.level, b.text.replace(" ", "")) for b in doc.blocks() if isinstance(b, Heading)]


def test_pdf_and_text_readers_give_one_outline(outline_pdf):
    from_text = _outline(read_text("\n\n".join(LINES), "outline.txt", "0" * 64))
    from_pdf = _outline(read_pdf(str(outline_pdf), "0" * 64))
    assert from_text == [(1, "第一部分单位概况"), (2, "第一章总则"), (2, "一、主要职责"), (3, "（二）机构设置"), (2, "第二章附则")]
    assert from_pdf == from_text
