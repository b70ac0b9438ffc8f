"""The PDF reader on PDFs rendered here with reportlab and a CJK font: structure
(headings, joined paragraphs, running headers/footers dropped), ruled tables (merged
header cell, blank cells in place, wrapped cell text, unit, a table continued over a
page break) and bad input."""

from __future__ import annotations

import pytest

from kg.document import Heading, Paragraph, ReadError, Table
from kg.readers.pdf import read_pdf

FONT = "CJK"
W, H = 595.0, 842.0
LEFT, RIGHT = 72.0, 523.0


@pytest.fixture(scope="module")
def canvas_factory(cjk_font):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, cjk_font, subfontIndex=0))

    def make(path, **kw):
        return canvas.Canvas(str(path), pagesize=(W, H), **kw)

    return make


def _running(c, page: int) -> None:
    c.setFont(FONT, 9)
    c.drawCentredString(W / 2, H - 40, "测试市某某局2024年部门预算公开")
    c.drawCentredString(W / 2, 30, f"第 {page} 页")


def _watermark(c) -> None:
    c.saveState()
    c.translate(300, 420)
    c.rotate(40)
    c.setFont(FONT, 60)
    c.setFillGray(0.85)
    c.drawString(-120, 0, "样本水印")
    c.restoreState()


def _text(c, x: float, y: float, s: str, size: float = 12) -> None:
    c.setFont(FONT, size)
    c.drawString(x, y, s)


def _grid(c, x_edges, top, row_h, rows, merges=()):
    """Draw a ruled table. rows: list of cell-text lists (None = covered by a merge);
    merges: (row, col0, col1) horizontal spans in that row. A cell text may be a list
    of lines (wrapped inside the cell). Returns the bottom y."""
    n = len(rows)
    c.setLineWidth(0.5)
    for r in range(n + 1):
        y = top - r * row_h
        c.line(x_edges[0], y, x_edges[-1], y)
    for r in range(n):
        y0, y1 = top - r * row_h, top - (r + 1) * row_h
        inner = set(range(1, len(x_edges) - 1))
        for (mr, c0, c1) in merges:
            if mr == r:
                inner -= set(range(c0 + 1, c1 + 1))
        for i in [0, len(x_edges) - 1, *sorted(inner)]:
            c.line(x_edges[i], y0, x_edges[i], y1)
        for ci, cell in enumerate(rows[r]):
            if cell is None:
                continue
            lines = cell if isinstance(cell, list) else [cell]
            c.setFont(FONT, 9)
            for k, ln in enumerate(lines):
                c.drawString(x_edges[ci] + 3, y0 - 11 - k * 10, ln)
    return top - n * row_h


X = [LEFT, 140, 300, 410, RIGHT]
HEAD = [["项目", None, "预算数", None], ["科目编码", "科目名称", "基本支出", "项目支出"]]
MERGES = [(0, 0, 1), (0, 2, 3)]


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory, canvas_factory):
    path = tmp_path_factory.mktemp("pdf") / "sample.pdf"
    c = canvas_factory(path)
    # page 1: headings and a paragraph broken over three lines (justified: the first,
    # indented line and the second both end at the right margin)
    _running(c, 1)
    _text(c, LEFT, 760, "第一部分 部门概况", 16)
    _text(c, LEFT, 730, "一、主要职责")
    _text(c, LEFT, 705, "（一）机构设置")
    _text(c, LEFT + 24, 680, "本部门负责全市社会保险经办工作的综合管理，承担基金预算编制和")
    _text(c, LEFT, 662, "执行管理，按照有关规定认真做好信息公开工作，并完成上级交办的其他")
    _text(c, LEFT, 644, "事项。")
    _text(c, LEFT + 24, 620, "第二段从这里开始。")
    _watermark(c)
    c.showPage()
    # page 2: caption, unit, a ruled table with merged header cells that runs on
    _running(c, 2)
    _text(c, 230, 760, "收支预算总表", 14)
    _text(c, 450, 738, "单位：万元", 9)
    body = [
        ["201", "一般公共服务支出", "12.50", ""],
        ["20101", "人大事务", "", "3.00"],
        ["208", ["机关事业单位基本养老", "保险缴费支出"], "1,234.56", "0.00"],
    ]
    _grid(c, X, 730, 24, HEAD + body, MERGES)
    _watermark(c)
    c.showPage()
    # page 3: the continuation, repeating the header, ending with the total
    _running(c, 3)
    body2 = [["210", "卫生健康支出", "7.25", ""], ["合计", None, "1,254.31", "3.00"]]
    _grid(c, X, 780, 24, HEAD + body2, MERGES + [(3, 0, 1)])
    _text(c, LEFT, 640, "注：本表金额单位为万元。", 10)
    c.showPage()
    # page 4: blank
    c.showPage()
    # page 5: text again
    _running(c, 5)
    _text(c, LEFT, 760, "二、其他说明")
    _text(c, LEFT, 730, "加粗的一行")  # fake bold: the same glyphs drawn twice, 0.4pt apart
    _text(c, LEFT + 0.4, 730, "加粗的一行")
    c.showPage()
    c.save()
    return path


@pytest.fixture(scope="module")
def doc(sample_pdf):
    return read_pdf(str(sample_pdf), "0" * 64)


def test_document_basics(doc):
    assert doc.media_type == "application/pdf"
    assert doc.source_file == "sample.pdf"
    assert [p.number for p in doc.pages] == [1, 2, 3, 4, 5]
    assert doc.pages[0].width == pytest.approx(W)


def test_headings_by_outline_marker(doc):
    heads = [(b.level, b.text) for b in doc.blocks() if isinstance(b, Heading)]
    assert heads == [(1, "第一部分部门概况"), (2, "一、主要职责"), (3, "（一）机构设置"), (2, "二、其他说明")]


def test_paragraph_lines_joined_without_spaces(doc):
    paras = [b.text for b in doc.blocks() if isinstance(b, Paragraph)]
    assert ("本部门负责全市社会保险经办工作的综合管理，承担基金预算编制和执行管理，"
            "按照有关规定认真做好信息公开工作，并完成上级交办的其他事项。") in paras
    assert "第二段从这里开始。" in paras


def test_running_header_footer_and_page_numbers_dropped(doc):
    text = doc.text()
    assert "测试市某某局" not in text
    assert "第 1 页" not in text and "第1页" not in text and "第3页" not in text


def test_ruled_table_with_merged_header_and_continuation(doc):
    tables = doc.tables()
    assert len(tables) == 1
    t = tables[0]
    assert t.title == "收支预算总表"
    assert t.unit == "万元"
    assert t.pages == [2, 3]
    assert t.header == [["项目", "项目", "预算数", "预算数"], ["科目编码", "科目名称", "基本支出", "项目支出"]]
    assert t.column_names() == ["项目/科目编码", "项目/科目名称", "预算数/基本支出", "预算数/项目支出"]
    # the repeated header on page 3 is dropped; each row knows its page
    assert [r[0] for r in t.rows] == ["201", "20101", "208", "210", "合计"]
    assert t.row_pages == [2, 2, 2, 3, 3]


def test_blank_cells_stay_in_their_column(doc):
    rows = {r[0]: r for r in doc.tables()[0].rows}
    assert rows["201"] == ["201", "一般公共服务支出", "12.50", ""]
    assert rows["20101"] == ["20101", "人大事务", "", "3.00"]
    assert rows["合计"] == ["合计", "", "1,254.31", "3.00"]


def test_wrapped_cell_text_rejoined_and_numbers_as_printed(doc):
    rows = {r[0]: r for r in doc.tables()[0].rows}
    assert rows["208"] == ["208", "机关事业单位基本养老保险缴费支出", "1,234.56", "0.00"]


def test_text_below_table_is_a_paragraph_not_a_cell(doc):
    paras = [b for b in doc.blocks() if isinstance(b, Paragraph)]
    note = [p for p in paras if p.text.startswith("注：")]
    assert note and note[0].page == 3


def test_rotated_watermark_and_fake_bold(doc):
    assert "水印" not in doc.text() and "样本" not in doc.text()
    assert "加粗的一行" in [b.text for b in doc.blocks() if isinstance(b, Paragraph)]


def test_blank_page_warned_and_skipped(doc):
    assert doc.pages[3].blocks == []
    assert any("page 4" in w for w in doc.warnings)


# --- bad input -------------------------------------------------------------------------

def test_corrupt_pdf(tmp_path):
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.4\n" + b"\x00garbage\xff" * 200)
    with pytest.raises(ReadError) as e:
        read_pdf(str(p), "x")
    assert "corrupt or unparseable PDF" in e.value.reason
    assert "\n" not in str(e.value)


def test_encrypted_pdf(tmp_path, canvas_factory):
    from reportlab.lib.pdfencrypt import StandardEncryption

    p = tmp_path / "locked.pdf"
    c = canvas_factory(p, encrypt=StandardEncryption("user-secret", ownerPassword="owner-secret"))
    _text(c, LEFT, 760, "加密文件")
    c.showPage()
    c.save()
    with pytest.raises(ReadError) as e:
        read_pdf(str(p), "x")
    assert "encrypted" in e.value.reason and "password" in e.value.reason


def test_image_only_pdf(tmp_path, canvas_factory):
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    p = tmp_path / "scan.pdf"
    c = canvas_factory(p)
    c.drawImage(ImageReader(Image.new("RGB", (60, 80), (200, 200, 200))), 50, 50, 400, 600)
    c.showPage()
    c.save()
    with pytest.raises(ReadError) as e:
        read_pdf(str(p), "x")
    assert "no text layer (scanned?)" in e.value.reason


def test_zero_page_pdf(tmp_path):
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    p = tmp_path / "empty.pdf"
    p.write_bytes(out)
    with pytest.raises(ReadError) as e:
        read_pdf(str(p), "x")
    assert "zero pages" in e.value.reason


def test_table_model_roundtrips_through_json(doc):
    from kg.document import Document

    again = Document.from_json(doc.to_json())
    t = again.tables()[0]
    assert isinstance(t, Table) and t.pages == [2, 3] and t.row_pages == [2, 2, 2, 3, 3]


# --- a table printed without rulings ----------------------------------------------------

@pytest.fixture(scope="module")
def unruled_doc(tmp_path_factory, canvas_factory):
    """Columns only by alignment: codes and labels left-aligned, amounts right-aligned,
    blank cells, digits set 1.7pt off the CJK baseline, and a label wrapped around its
    number row (half above, half below)."""
    path = tmp_path_factory.mktemp("pdf") / "unruled.pdf"
    c = canvas_factory(path)
    _text(c, 220, 780, "一般公共预算支出表", 14)
    _text(c, 460, 760, "单位：万元", 9)
    right = [370, 440, 510]
    c.setFont(FONT, 10)
    y = 730
    for x, s in [(72, "科目编码"), (140, "科目名称")]:
        c.drawString(x, y, s)
    for x, s in zip(right, ["合计", "基本支出", "项目支出"], strict=True):
        c.drawRightString(x, y, s)

    def row(y, code, label, values):
        c.setFont(FONT, 10)
        if code:
            c.drawString(72, y - 1.7, code)
        if label:
            c.drawString(140, y, label)
        for x, v in zip(right, values, strict=True):
            if v:
                c.drawRightString(x, y - 1.7, v)

    row(700, "201", "一般公共服务支出", ["12.50", "12.50", ""])
    row(676, "20101", "人大事务", ["3.00", "", "3.00"])
    row(652, "2080505", "", ["6.18", "6.18", ""])
    c.drawString(140, 659, "机关事业单位基本养老保险缴费")
    c.drawString(140, 645, "支出")
    row(628, "合计", "", ["21.68", "18.68", "3.00"])
    _text(c, LEFT, 580, "注：本表为示例，金额按实际填列，空白表示无此项支出。", 10)
    c.showPage()
    c.save()
    return read_pdf(str(path), "1" * 64)


def test_unruled_table_by_alignment(unruled_doc):
    tables = unruled_doc.tables()
    assert len(tables) == 1
    t = tables[0]
    assert t.title == "一般公共预算支出表" and t.unit == "万元"
    assert t.header == [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]
    assert t.rows == [
        ["201", "一般公共服务支出", "12.50", "12.50", ""],
        ["20101", "人大事务", "3.00", "", "3.00"],
        ["2080505", "机关事业单位基本养老保险缴费支出", "6.18", "6.18", ""],
        ["合计", "", "21.68", "18.68", "3.00"],
    ]
    paras = [b.text for b in unruled_doc.blocks() if isinstance(b, Paragraph)]
    assert paras == ["注：本表为示例，金额按实际填列，空白表示无此项支出。"]


def test_orphan_total_row_joins_the_table_above(tmp_path, canvas_factory):
    """A page holding nothing but the 合计 row (no caption, no repeated header)."""
    p = tmp_path / "orphan.pdf"
    c = canvas_factory(p)
    _text(c, 230, 780, "项目支出表", 14)
    rows = [[f"{i:03d}", f"项目{i}", f"{i}.00", ""] for i in range(1, 29)]
    bottom = _grid(c, X, 760, 24, HEAD[1:] + rows)
    assert bottom < 90  # the table fills the page
    c.showPage()
    _grid(c, X, 780, 24, [["合计", None, "406.00", ""]], [(0, 0, 1)])
    _text(c, LEFT, 700, "二、其他说明")
    c.showPage()
    c.save()
    doc = read_pdf(str(p), "x")
    [t] = doc.tables()
    assert t.title == "项目支出表" and t.pages == [1, 2]
    assert len(t.rows) == 29 and t.rows[-1] == ["合计", "", "406.00", ""] and t.row_pages[-1] == 2


def test_pdfplumber_backend_reads_the_same(sample_pdf, doc, monkeypatch):
    """Pages pdfium cannot represent (rotated, paths inside forms) and files it cannot
    open go through pdfplumber; both backends must give the same document."""
    import kg.readers.pdf

    monkeypatch.setattr(kg.readers.pdf, "pdfium_page", lambda pdf, i: None)
    again = read_pdf(str(sample_pdf), "0" * 64)
    assert [(type(b).__name__, getattr(b, "text", None)) for b in again.blocks()] == \
        [(type(b).__name__, getattr(b, "text", None)) for b in doc.blocks()]
    t, u = again.tables()[0], doc.tables()[0]
    assert (t.header, t.rows, t.pages, t.row_pages, t.title, t.unit) == (u.header, u.rows, u.pages, u.row_pages, u.title, u.unit)
    assert again.warnings == doc.warnings


def test_concurrent_reads_in_threads(sample_pdf, doc):
    """pdfium is not thread-safe; the reader serializes it, so threads get whole documents."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        docs = list(pool.map(lambda _: read_pdf(str(sample_pdf), "0" * 64), range(8)))
    assert all(d.to_json() == doc.to_json() for d in docs)


def test_two_grids_drawn_as_one_table(tmp_path, canvas_factory):
    """A table whose last rows are drawn as a second grid right under the first, with
    slightly different column widths and no caption, is one table."""
    p = tmp_path / "two_grids.pdf"
    c = canvas_factory(p)
    _text(c, 230, 780, "收支总表", 14)
    bottom = _grid(c, X, 760, 24, HEAD[1:] + [["201", "一般公共服务支出", "12.50", ""]])
    _grid(c, [LEFT, 144, 296, 414, RIGHT], bottom - 6, 24, [["合计", None, "12.50", "0.00"]], [(0, 0, 1)])
    _text(c, LEFT, 600, "二、其他说明")
    c.showPage()
    c.save()
    [t] = read_pdf(str(p), "x").tables()
    assert t.title == "收支总表"
    assert t.rows == [["201", "一般公共服务支出", "12.50", ""], ["合计", "", "12.50", "0.00"]]


def test_text_layer_without_unicode_mapping_is_refused(sample_pdf, monkeypatch):
    """Fonts embedded without a ToUnicode map give private-use code points: the reader
    refuses such a text layer rather than indexing garbage. (reportlab cannot write such
    a font, so the characters pdfium returns are remapped here.)"""
    import kg.readers.pdf

    real = kg.readers.pdf.page_chars

    def garbled(fpage, left, top):
        return [dict(c, text=chr(0xE000 + ord(c["text"]) % 6000)) for c in real(fpage, left, top)]

    monkeypatch.setattr(kg.readers.pdf, "page_chars", garbled)
    with pytest.raises(ReadError) as e:
        read_pdf(str(sample_pdf), "x")
    assert "text layer unreadable" in e.value.reason and "no Unicode mapping" in e.value.reason


def test_clipped_overflow_text_is_not_read(tmp_path, canvas_factory):
    """Word processors keep text that overflows a frame in the file, clipped away;
    only what the page shows is read."""
    p = tmp_path / "clipped.pdf"
    c = canvas_factory(p)
    c.saveState()
    frame = c.beginPath()
    frame.rect(LEFT, 600, 450, 200)
    c.clipPath(frame, stroke=0, fill=0)
    _text(c, LEFT, 760, "框内可见的文字。")
    _text(c, LEFT, 560, "框外被裁掉的文字。")
    c.restoreState()
    _text(c, LEFT, 500, "框外正常的文字。")
    c.showPage()
    c.save()
    text = read_pdf(str(p), "x").text()
    assert "框内可见的文字。" in text and "框外正常的文字。" in text
    assert "裁掉" not in text


def test_contents_page_is_one_paragraph_not_headings(tmp_path, canvas_factory):
    """As in the text reader: a 目录 heading, then the entries as one paragraph (they
    repeat the outline, so they must not become headings); the body's outline is read."""
    p = tmp_path / "toc.pdf"
    c = canvas_factory(p)
    _text(c, 270, 780, "目  录", 16)
    for k, entry in enumerate(["第一部分 部门概况", "一、主要职能……………………3", "二、机构设置……………………4",
                               "第二部分 预算说明", "一、收支预算……………………6"]):
        _text(c, LEFT, 740 - 24 * k, entry)
    c.showPage()
    _text(c, LEFT, 780, "第一部分 部门概况", 16)
    _text(c, LEFT, 750, "一、主要职能")
    _text(c, LEFT + 24, 725, "负责本区的有关工作。")
    c.showPage()
    c.save()
    doc = read_pdf(str(p), "x")
    heads = [(b.page, b.level, b.text) for b in doc.blocks() if isinstance(b, Heading)]
    assert heads == [(1, 1, "目录"), (2, 1, "第一部分部门概况"), (2, 2, "一、主要职能")]
    toc = [b.text for b in doc.pages[0].blocks if isinstance(b, Paragraph)]
    assert toc == ["第一部分部门概况\n一、主要职能\n二、机构设置\n第二部分预算说明\n一、收支预算"]


def test_table_drawn_inside_a_form_xobject(tmp_path, canvas_factory):
    """Paths inside a form XObject nest transforms pdfium's object walk does not
    compose; such a page is read with pdfplumber, and its table is still found."""
    p = tmp_path / "form.pdf"
    c = canvas_factory(p)
    _text(c, 230, 780, "收支预算总表", 14)
    c.beginForm("grid")
    _grid(c, X, 760, 24, HEAD + [["201", "一般公共服务支出", "12.50", ""]], MERGES)
    c.endForm()
    c.doForm("grid")
    c.showPage()
    c.save()
    [t] = read_pdf(str(p), "x").tables()
    assert t.title == "收支预算总表"
    assert t.header[0] == ["项目", "项目", "预算数", "预算数"]
    assert t.rows == [["201", "一般公共服务支出", "12.50", ""]]
