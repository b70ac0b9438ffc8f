"""A built document as files: the text export (tables as tab-separated lines, the quirks of
converted exports) and the PDF (reportlab, embedded CJK TrueType font, running header and page
footer; identical bytes on every run)."""

from __future__ import annotations

import io
import re

from data.document import Doc, Table

FONT_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FONT_NAME = "WQYZenHei"


def _clean_header(cell: str) -> str:
    return "" if cell in ("<", "^") else cell


def render_txt(doc: Doc) -> str:
    out = ["", ""]
    for i, (kind, x) in enumerate(doc.blocks):
        if i in doc.breaks:
            out += [x[:doc.breaks[i]], "", x[doc.breaks[i]:], ""]
            continue
        if doc.form_feeds and kind == "h1" and x.startswith(("第二部分", "第三部分", "第四部分")):
            out.append("\f")
        if kind == "table":
            t: Table = x
            ncol = len(t.header[0])
            out.append("\t".join([t.title] + [""] * (ncol - 1)))
            out.append("\t".join([f"填报单位：{t.agency}"] + [""] * (ncol - 2) + [f"单位：{t.unit}"]))
            for h in t.header:
                out.append("\t".join(_clean_header(c) for c in h))
            for row in t.rows:
                out.append("\t".join(row))
            if t.note:
                out.append(t.note)
            out.append("")
        elif kind == "h1" and x == doc.title:
            out.append(x)
            out.append("")
        else:
            out.append(x)
            out.append("")
    return "\n".join(out) + "\n"


_PDF_READY = False


def _pdf_setup():
    global _PDF_READY
    if _PDF_READY:
        return
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    rl_config.invariant = 1  # fixed dates and document id: identical bytes on every run
    pdfmetrics.registerFont(TTFont(FONT_NAME, FONT_PATH, subfontIndex=0))
    _PDF_READY = True


def _spans(header: list[list[str]]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    spans = []
    for r_, row in enumerate(header):
        for c, cell in enumerate(row):
            if cell in ("<", "^"):
                continue
            c2 = c
            while c2 + 1 < len(row) and row[c2 + 1] == "<":
                c2 += 1
            r2 = r_
            while r2 + 1 < len(header) and header[r2 + 1][c] == "^":
                r2 += 1
            if (c2, r2) != (c, r_):
                spans.append(((c, r_), (c2, r2)))
    return spans


TAG = re.compile(r"<[^>]+>")  # <p> fragments belong to the text export only


def _is_amount(s: str) -> bool:
    return not s or s.replace(",", "").replace(".", "", 1).isdigit()


def render_pdf(doc: Doc) -> bytes:
    _pdf_setup()
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as RLTable

    base = ParagraphStyle("base", fontName=FONT_NAME, fontSize=10.5, leading=16, wordWrap="CJK", firstLineIndent=21)
    styles = {
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=26, alignment=TA_CENTER, firstLineIndent=0,
                                spaceBefore=0, spaceAfter=24),
        "h1": ParagraphStyle("h1", parent=base, fontSize=14, leading=22, alignment=TA_CENTER, firstLineIndent=0,
                             spaceBefore=10, spaceAfter=6),
        "h2": ParagraphStyle("h2", parent=base, fontSize=12, leading=19, firstLineIndent=0, spaceBefore=6, spaceAfter=3),
        "h3": ParagraphStyle("h3", parent=base, fontSize=11, leading=17, firstLineIndent=21),
        "p": base,
    }
    cell = ParagraphStyle("cell", fontName=FONT_NAME, fontSize=7.5, leading=9.5, wordWrap="CJK")
    cell_r = ParagraphStyle("cellr", parent=cell, alignment=TA_RIGHT)
    cell_c = ParagraphStyle("cellc", parent=cell, alignment=TA_CENTER)
    width = A4[0] - 36 * mm

    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    story = []
    for kind, x in doc.blocks:
        if kind == "table":
            t: Table = x
            ncol = len(t.header[0])
            head = [[Paragraph(esc(t.title), ParagraphStyle("tt", parent=cell_c, fontSize=9))] + [""] * (ncol - 1),
                    [Paragraph(esc(f"填报单位：{t.agency}"), cell)] + [""] * (ncol - 2)
                    + [Paragraph(esc(f"单位：{t.unit}"), cell_r)]]
            for h in t.header:
                head.append([Paragraph(esc(c), cell_c) if c not in ("<", "^") else "" for c in h])
            widths = [w * width for w in t.widths] if t.widths else [width / ncol] * ncol
            nh = len(head)
            # amounts are plain strings (a wrapped number would break text extraction), in a
            # font size small enough for the widest one of the column
            numeric = [j for j in range(t.numeric_from, ncol)
                       if all(_is_amount(r[j]) for r in t.rows if j < len(r))]
            body = [[c if j in numeric else Paragraph(esc(TAG.sub("", c)), cell) for j, c in enumerate(row)]
                    for row in t.rows]
            num_style = []
            for j in numeric:
                widest = max((stringWidth(r[j], FONT_NAME, 1) for r in t.rows if r[j]), default=0)
                size = min(7.5, (widths[j] - 7) / widest) if widest else 7.5  # 3 + 3 padding
                num_style += [("FONT", (j, nh), (j, -1), FONT_NAME, size), ("ALIGN", (j, nh), (j, -1), "RIGHT")]
            style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                     ("SPAN", (0, 0), (-1, 0)), ("SPAN", (0, 1), (-2, 1)),
                     ("BACKGROUND", (0, 2), (-1, nh - 1), colors.HexColor("#eeeeee")),
                     ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                     ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
            for (c0, r0), (c1, r1) in _spans(t.header):
                style.append(("SPAN", (c0, r0 + 2), (c1, r1 + 2)))
            style += num_style
            tbl = RLTable(head + body, colWidths=widths, repeatRows=nh, style=TableStyle(style))
            story.append(tbl)
            if t.note:
                story.append(Paragraph(esc(t.note), ParagraphStyle("note", parent=base, fontSize=9, firstLineIndent=0)))
            story.append(Spacer(1, 8))
        elif kind == "h1" and x == doc.title:
            # a cover title sits well below the page edge (where running headers live)
            story.append(Spacer(1, 70))
            story.append(Paragraph(esc(x), styles["title"]))
        else:
            story.append(Paragraph(esc(x), styles[kind]))

    def page(canvas, _doc, running_header=True):
        canvas.saveState()
        canvas.setFont(FONT_NAME, 8.5)
        if running_header:  # not on the cover page, which prints the title itself
            canvas.drawCentredString(A4[0] / 2, A4[1] - 12 * mm, doc.title)
            canvas.setLineWidth(0.4)
            canvas.line(18 * mm, A4[1] - 13.5 * mm, A4[0] - 18 * mm, A4[1] - 13.5 * mm)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"第 {canvas.getPageNumber()} 页")
        canvas.restoreState()

    buf = io.BytesIO()
    tpl = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=20 * mm,
                            bottomMargin=18 * mm, title=doc.title, author="", subject="", creator="budgetkg data/generate.py")
    tpl.build(story, onFirstPage=lambda c, d: page(c, d, running_header=False), onLaterPages=page)
    return buf.getvalue()
