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
        if i in doc.hard_wraps:  # a paragraph as a converted file prints it: one line per printed line
            w = doc.hard_wraps[i]
            out += [x[k:k + w] for k in range(0, len(x), w)] + [""]
            continue
        if doc.form_feeds and kind == "h1" and x.startswith(("第二部分", "第三部分", "第四部分")):
            out.append("\f")
        if kind == "table":
            t: Table = x
            ncol = len(t.header[0])
            out.append("\t".join([t.title] + [""] * (ncol - 1)))
            out.append("\t".join([f"{t.agency_label}{t.agency}"] + [""] * (ncol - 2) + [f"{t.unit_label}{t.unit}"]))
            header = ["\t".join(_clean_header(c) for c in h) for h in t.header]
            out += header
            breaks = dict(t.breaks)
            for j, row in enumerate(t.rows):
                if j in breaks:  # a page break: a form feed, and the column headers again where they repeat
                    out.append("\f")
                    if breaks[j]:
                        out += header
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


class _Shifted:
    """An amount drawn right-aligned with its baseline moved by `rise` points: digits set on
    another baseline than the CJK text around them, as documents typeset with two fonts print."""

    def __new__(cls, text: str, size: float, rise: float):
        from reportlab.platypus.flowables import Flowable

        class Shifted(Flowable):
            def wrap(self, avail_w, avail_h):
                self.avail_w = avail_w
                return avail_w, size * 1.2

            def draw(self):
                self.canv.setFont(FONT_NAME, size)
                self.canv.drawRightString(self.avail_w, rise, text)

        return Shifted()


DIGITS = re.compile(r"[0-9][0-9,.]*")
IDEOGRAPHIC_SPACE = "\u3000"


def render_pdf(doc: Doc) -> bytes:
    """doc.pdf_style (set by a layout family) may ask for: `table_pages` "landscape" (part three
    on landscape pages) or "rotated" (on portrait pages turned by /Rotate 90, the content drawn
    turned the other way, so it reads upright), `digit_rise` (points the digits sit above (+) or
    below (-) the CJK baseline), `running_header` False (no title above the pages; a file of
    tables only), `sheet` {"split", "blank_rows"} (tables printed from a spreadsheet: each
    column over two sheet columns split at that share, blank ruled rows under each table) and
    `rules` "grid" (default), "horizontal" (a rule under every row, no column lines) or "none"
    (tables set by alignment alone)."""
    _pdf_setup()
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import (
        BaseDocTemplate,
        Frame,
        NextPageTemplate,
        PageBreak,
        PageTemplate,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )
    from reportlab.platypus import Table as RLTable

    pdf_style = doc.pdf_style
    rise = pdf_style.get("digit_rise", 0)
    table_pages = pdf_style.get("table_pages")
    running_header = pdf_style.get("running_header", True)
    sheet = pdf_style.get("sheet")
    rules = pdf_style.get("rules", "grid")
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

    def para(s: str, style) -> Paragraph:
        """A paragraph, its digits on their own baseline where the style asks for it."""
        s = esc(s)
        if rise:
            tag = "sup" if rise > 0 else "sub"
            s = DIGITS.sub(lambda m_: f"<{tag} rise='{abs(rise)}' size='{style.fontSize}'>{m_.group(0)}</{tag}>", s)
        return Paragraph(s, style)

    def table_flowables(t: Table, width: float) -> list:
        ncol = len(t.header[0])
        head = [[para(t.title, ParagraphStyle("tt", parent=cell_c, fontSize=9))] + [""] * (ncol - 1),
                [para(f"{t.agency_label}{t.agency}", cell)] + [""] * (ncol - 2)
                + [para(f"{t.unit_label}{t.unit}", cell_r)]]
        for h in t.header:
            head.append([para(c, cell_c) if c not in ("<", "^") else "" for c in h])
        widths = [w * width for w in t.widths] if t.widths else [width / ncol] * ncol
        nh = len(head)
        # amounts are plain strings (a wrapped number would break text extraction), in a
        # font size small enough for the widest one of the column
        numeric = [j for j in range(t.numeric_from, ncol)
                   if all(_is_amount(r[j]) for r in t.rows if j < len(r))]
        sizes = {}
        for j in numeric:
            widest = max((stringWidth(r[j], FONT_NAME, 1) for r in t.rows if r[j]), default=0)
            sizes[j] = min(7.5, (widths[j] - 7) / widest) if widest else 7.5  # 3 + 3 padding
        indents = []  # (column, row, ideographic spaces): an indented name is set in from the cell's edge

        def body_cell(j: int, c: str, r_: int):
            if j in numeric:
                return _Shifted(c, sizes[j], rise) if rise and c else c
            text = TAG.sub("", c)
            n = len(text) - len(text.lstrip(IDEOGRAPHIC_SPACE))
            if n:
                indents.append((j, r_, n))
            return para(text[n:], cell)
        body = [[body_cell(j, c, r_) for j, c in enumerate(row)] for r_, row in enumerate(t.rows)]
        spans = [("SPAN", (c0, r0 + 2), (c1, r1 + 2)) for (c0, r0), (c1, r1) in _spans(t.header)]
        ruling = {"grid": [("GRID", (0, 0), (-1, -1), 0.5, colors.black)],
                  "horizontal": [("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.black),
                                 ("LINEABOVE", (0, 0), (-1, 0), 0.5, colors.black)],
                  "none": []}[rules]
        common = [*ruling, ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                  ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                  ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)]

        def part(rows: list, first_row: int, head_rows: list) -> RLTable:
            """One printed piece of the table: `head_rows` (all of head, its column headers, or
            none) above the body rows from `first_row` on."""
            k = len(head_rows)
            style = list(common)
            if k == nh:
                style += [("SPAN", (0, 0), (-1, 0)), ("SPAN", (0, 1), (-2, 1)),
                          ("BACKGROUND", (0, 2), (-1, nh - 1), colors.HexColor("#eeeeee")), *spans]
            elif k:
                style += [("BACKGROUND", (0, 0), (-1, k - 1), colors.HexColor("#eeeeee"))]
                style += [("SPAN", (c0, r0 - 2), (c1, r1 - 2)) for _, (c0, r0), (c1, r1) in spans]
            if not rise:
                for j in numeric:
                    style += [("FONT", (j, k), (j, -1), FONT_NAME, sizes[j]), ("ALIGN", (j, k), (j, -1), "RIGHT")]
            for j, r_, n in indents:
                if first_row <= r_ < first_row + len(rows):
                    style.append(("LEFTPADDING", (j, k + r_ - first_row), (j, k + r_ - first_row), 3 + 7.5 * n))
            return RLTable(head_rows + rows, colWidths=widths, repeatRows=k, style=TableStyle(style))

        if sheet:
            out = [_sheet_table(t, head, body, widths, nh, numeric, sizes, indents, common)]
        elif not t.breaks:
            out = [_plain_table(head, body, widths, nh, numeric, sizes, indents, spans, common, rise)]
        else:
            out, cuts = [], [0] + [j for j, _ in t.breaks] + [len(body)]
            repeat = dict(t.breaks)
            for n_, (a, b_) in enumerate(zip(cuts, cuts[1:], strict=False)):
                head_rows = head if n_ == 0 else (head[2:] if repeat[a] else [])
                if n_:
                    out.append(PageBreak())
                out.append(part(body[a:b_], a, head_rows))
        if t.note:
            out.append(para(t.note, ParagraphStyle("note", parent=base, fontSize=9, firstLineIndent=0)))
        out.append(Spacer(1, 8))
        return out

    def _sheet_table(t, head, body, widths, nh, numeric, sizes, indents, common):
        """The table as a spreadsheet prints it: column j over sheet columns 2j+1 and 2j+2 (one
        cell spanning both in every row), an empty sheet column either side, and blank rows
        under it with every sheet column a cell of its own."""
        n = len(widths)
        margin = 0.025 * sum(widths)
        scale = (sum(widths) - 2 * margin) / sum(widths)
        split = sheet["split"]
        sheet_w = [margin] + [x for w in widths for x in (w * scale * split, w * scale * (1 - split))] + [margin]

        def spread(row):
            return [""] + [x for c in row for x in (c, "")] + [""]
        rows = [spread(r) for r in head + body] + [[""] * (2 * n + 2) for _ in range(sheet["blank_rows"])]
        style = list(common) + [("BACKGROUND", (1, 2), (-2, nh - 1), colors.HexColor("#eeeeee")),
                                ("SPAN", (1, 0), (2 * n, 0)), ("SPAN", (1, 1), (2 * n - 2, 1)),
                                ("SPAN", (2 * n - 1, 1), (2 * n, 1))]
        covered = set()
        for (c0, r0), (c1, r1) in _spans(t.header):
            style.append(("SPAN", (2 * c0 + 1, r0 + 2), (2 * c1 + 2, r1 + 2)))
            covered |= {(c, r_) for c in range(c0, c1 + 1) for r_ in range(r0, r1 + 1)}
        for r_ in range(len(t.header)):
            style += [("SPAN", (2 * c + 1, r_ + 2), (2 * c + 2, r_ + 2)) for c in range(n) if (c, r_) not in covered]
        for r_ in range(nh, nh + len(body)):
            style += [("SPAN", (2 * c + 1, r_), (2 * c + 2, r_)) for c in range(n)]
        for j in numeric:
            widest = max((stringWidth(r[j], FONT_NAME, 1) for r in t.rows if r[j]), default=0)
            size = min(sizes[j], (widths[j] * scale - 7) / widest) if widest else sizes[j]
            style += [("FONT", (2 * j + 1, nh), (2 * j + 1, -1), FONT_NAME, size),
                      ("ALIGN", (2 * j + 1, nh), (2 * j + 1, -1), "RIGHT")]
        for j, r_, k in indents:
            style.append(("LEFTPADDING", (2 * j + 1, nh + r_), (2 * j + 1, nh + r_), 3 + 7.5 * k))
        return RLTable(rows, colWidths=sheet_w, repeatRows=nh, style=TableStyle(style))

    def _plain_table(head, body, widths, nh, numeric, sizes, indents, spans, common, rise):
        # the default table, built exactly as before the layout families (same bytes)
        num_style = []
        for j in numeric:
            if not rise:
                num_style += [("FONT", (j, nh), (j, -1), FONT_NAME, sizes[j]), ("ALIGN", (j, nh), (j, -1), "RIGHT")]
        style = [common[0], common[1], ("SPAN", (0, 0), (-1, 0)), ("SPAN", (0, 1), (-2, 1)),
                 ("BACKGROUND", (0, 2), (-1, nh - 1), colors.HexColor("#eeeeee")), *common[2:]]
        style += spans
        style += num_style
        for j, r_, n in indents:
            style.append(("LEFTPADDING", (j, nh + r_), (j, nh + r_), 3 + 7.5 * n))
        return RLTable(head + body, colWidths=widths, repeatRows=nh, style=TableStyle(style))

    landscape_width = landscape(A4)[0] - 36 * mm
    story = []
    in_tables = False
    for i, (kind, x) in enumerate(doc.blocks):
        if table_pages and doc.tags.get(i, (None,))[0] == "tables_part":
            story += [NextPageTemplate("tables"), PageBreak()]
            in_tables = True
        if kind == "table":
            story += table_flowables(x, landscape_width if in_tables else width)
        elif kind == "h1" and x == doc.title:
            # a cover title sits well below the page edge (where running headers live)
            story.append(Spacer(1, 70))
            story.append(para(x, styles["title"]))
        elif i in doc.hard_wraps:  # the lines as the text export breaks them
            w = doc.hard_wraps[i]
            story.append(Paragraph("<br/>".join(esc(x[k:k + w]) for k in range(0, len(x), w)), styles[kind]))
        else:
            story.append(para(x, styles[kind]))

    def page(canvas, _doc, running_header=True, size=A4):
        canvas.saveState()
        canvas.setFont(FONT_NAME, 8.5)
        if running_header:  # not on the cover page, which prints the title itself
            canvas.drawCentredString(size[0] / 2, size[1] - 12 * mm, doc.title)
            canvas.setLineWidth(0.4)
            canvas.line(18 * mm, size[1] - 13.5 * mm, size[0] - 18 * mm, size[1] - 13.5 * mm)
        canvas.drawCentredString(size[0] / 2, 10 * mm, f"第 {canvas.getPageNumber()} 页")
        canvas.restoreState()

    def rotated_page(canvas, _doc):
        # a portrait sheet shown turned a quarter clockwise (the template's rotation): the
        # landscape page is drawn turned back onto it (reportlab writes the MediaBox of a page
        # turned by 90 with width and height swapped, so the canvas is given them swapped)
        canvas.setPageSize(landscape(A4))
        canvas.translate(A4[0], 0)
        canvas.rotate(90)
        page(canvas, _doc, running_header, landscape(A4))

    buf = io.BytesIO()
    meta = dict(title=doc.title if running_header else "", author="", subject="", creator="budgetkg data/generate.py")
    margins = dict(leftMargin=18 * mm, rightMargin=18 * mm, topMargin=20 * mm, bottomMargin=18 * mm)
    if not table_pages:
        tpl = SimpleDocTemplate(buf, pagesize=A4, **margins, **meta)
        tpl.build(story, onFirstPage=lambda c, d: page(c, d, running_header=False),
                  onLaterPages=lambda c, d: page(c, d, running_header))
        return buf.getvalue()
    tpl = BaseDocTemplate(buf, pagesize=A4, **margins, **meta)
    wide = landscape(A4)

    def frame(size, name):
        return Frame(18 * mm, 18 * mm, size[0] - 36 * mm, size[1] - 38 * mm, id=name, leftPadding=6, rightPadding=6,
                     topPadding=6, bottomPadding=6)
    text_pages = PageTemplate("text", [frame(A4, "text")], pagesize=A4,
                              onPage=lambda c, d: page(c, d, running_header and c.getPageNumber() > 1))
    if table_pages == "rotated":
        tables = PageTemplate("tables", [frame(wide, "tables")], onPage=rotated_page)
        tables.rotation = 90
    else:
        tables = PageTemplate("tables", [frame(wide, "tables")], pagesize=wide,
                              onPage=lambda c, d: page(c, d, running_header, wide))
    tpl.addPageTemplates([text_pages, tables])
    tpl.build(story)
    return buf.getvalue()
