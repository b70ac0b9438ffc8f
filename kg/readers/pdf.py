"""PDF reader: a PDF file -> kg.document.Document.

One pass per page: pdfium (kg.readers.pdf_pdfium) gives the characters and the straight edges
of the page's paths; pdfplumber's lattice finder turns the edges into ruled tables once;
characters inside a table become its cells and the rest become lines of text. Pages
pdfium cannot represent faithfully, and files it cannot open, are read with pdfplumber
(same output, slower). Everything after that (running headers, captions, paragraphs,
tables continued over a page break, unruled tables) is pure assembly over the
extracted pages, in kg.readers.pdf_layout, kg.readers.pdf_tables and kg.readers.pdf_align.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field

from kg.document import Document, Heading, Page, Paragraph, ReadError, Table
from kg.readers.outline import heading_level, outline_marker
from kg.readers.pdf_align import aligned_column_map, find_aligned_tables
from kg.readers.pdf_layout import (
    CLAUSE_END,
    Line,
    chars_to_lines,
    garbled_share,
    join_wrapped,
    margins,
    new_paragraph_by_gap,
    readable_letters,
    running_lines,
    starts_paragraph,
    usual_gap,
)
from kg.readers.pdf_pdfium import page_chars, page_edges
from kg.readers.pdf_tables import (
    GridTable,
    build_grid,
    caption_above,
    column_map,
    compact_columns,
    count_header_rows,
    drop_empty_rows,
    drop_margin_columns,
    is_filing_line,
    norm_row,
    resolve,
    ruled_tables,
    same_columns,
    split_at_titles,
    strip_banner_rows,
)

MEDIA_TYPE = "application/pdf"
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
ADJACENT_GAP = 12.0  # points between two grids drawn as one table
GARBLED_REFUSE = 0.5  # share of unmapped characters above which the text layer is useless
GARBLED_WARN = 0.2


def _heading_level(text: str) -> int | None:
    """kg.readers.outline's heading rule without numbered items: a short "1、…" line in a PDF
    is a list entry or the first line of a wrapped item far more often than a heading."""
    return heading_level(text, numbered_items=False)


@dataclass
class RawPage:
    """What one page yields before document-level assembly."""

    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[GridTable] = field(default_factory=list)
    images: int = 0


def read_pdf(path: str, sha256: str) -> Document:
    """Read a PDF into the document model; ReadError (one line) for unusable files."""
    raw, warnings = _extract_pages(path)
    if not raw:
        raise ReadError(path, "PDF has zero pages")
    if not any(p.lines or p.tables for p in raw):
        images = sum(p.images for p in raw)
        what = f"{images} image(s), " if images else ""
        raise ReadError(path, f"no text layer (scanned?): {len(raw)} page(s), {what}no extractable text")
    text = "".join(ln.text for p in raw for ln in p.lines)
    text += "".join(x or "" for p in raw for g in p.tables for row in g.cells for x in row)
    share = garbled_share(text)
    if share > GARBLED_REFUSE:
        raise ReadError(path, f"text layer unreadable: {share:.0%} of the characters have no Unicode "
                              "mapping (fonts embedded without ToUnicode; OCR would be needed)")
    for p in raw:
        page_share = garbled_share("".join(ln.text for ln in p.lines))
        if page_share > GARBLED_WARN:
            warnings.append(f"page {p.number}: {page_share:.0%} of the text has no Unicode mapping (garbled font)")
    doc = assemble(os.path.basename(path), sha256, raw)
    _refuse_unreadable(path, doc)
    doc.warnings[:0] = warnings
    return doc


def _refuse_unreadable(path: str, doc: Document) -> None:
    """A document with no text a reader could read is not one: a damaged PDF (bit flips in
    its font or content streams) can still give characters, but only its fonts' raw codes
    (controls and stray Latin-1 letters where the CJK text was) or bare figures. Such a
    file would otherwise become an empty disclosure."""
    parts = [b.text for b in doc.blocks() if not isinstance(b, Table)]
    for t in doc.tables():
        parts += [t.title or ""] + [c for row in t.header + t.rows for c in row]
    letters, stray = readable_letters("".join(parts))
    pages = len(doc.pages)
    if letters == 0 and stray == 0:
        what = "nothing but figures and punctuation" if "".join(parts).strip() else "no text at all"
        raise ReadError(path, f"no readable text: {pages} page(s), {what}")
    if stray > letters:
        raise ReadError(path, f"no readable text: {pages} page(s), {stray} of {stray + letters} letters are a "
                              "font's raw codes (damaged or unmapped fonts)")


def _open_plumber(path: str):
    import pdfplumber

    try:
        return pdfplumber.open(path)
    except Exception as e:  # pdfminer raises many types; classify by name and message
        raise ReadError(path, _classify(e)) from None


def _classify(e: BaseException) -> str:
    chain = []
    while e is not None and len(chain) < 5:
        chain.append(e)
        e = e.__cause__ or e.__context__
    text = " ".join(f"{type(x).__name__} {x}" for x in chain).lower()
    if "password" in text or "encrypt" in text:
        return "encrypted PDF (password needed)"
    if isinstance(chain[0], FileNotFoundError):
        return "no such file"
    detail = str(chain[0]).splitlines()[0][:120] if str(chain[0]) else type(chain[0]).__name__
    return f"corrupt or unparseable PDF ({detail})"


# pdfium is not thread-safe (pypdfium2 does no locking): one document at a time per
# process, so a server reading uploads in worker threads cannot corrupt it.
_PDFIUM_LOCK = threading.Lock()


def _extract_pages(path: str) -> tuple[list[RawPage], list[str]]:
    """pdfium opens the file and reads each page (characters and the edges of its
    paths, for the lattice table finder); pages it cannot represent faithfully, and
    files it cannot open, are read with pdfplumber."""
    with _PDFIUM_LOCK:
        return _extract_pages_locked(path)


def _extract_pages_locked(path: str) -> tuple[list[RawPage], list[str]]:
    import pypdfium2 as pdfium

    plumber = None
    try:
        doc = pdfium.PdfDocument(path)
        n = len(doc)
    except Exception:
        # pdfium's error text is stale global state, so let pdfminer say what is wrong;
        # a file only pdfminer can open is read with pdfplumber throughout
        doc = None
        plumber = _open_plumber(path)
        try:
            n = len(plumber.pages)
        except Exception as e:
            plumber.close()
            raise ReadError(path, _classify(e)) from None
    pages: list[RawPage] = []
    warnings: list[str] = []
    try:
        for i in range(n):
            try:
                try:
                    rp = pdfium_page(doc, i) if doc is not None else None
                except Exception:  # noqa: BLE001 - a page pdfium trips on: try pdfminer
                    rp = None
                if rp is None:
                    plumber = plumber or _open_plumber(path)
                    ppage = plumber.pages[i]
                    rp = _plumber_page(ppage)
                    ppage.close()
                pages.append(rp)
            except ReadError:
                raise
            except Exception as e:  # one broken page should not lose the document
                if n == 1:
                    raise ReadError(path, _classify(e)) from None
                warnings.append(f"page {i + 1}: unreadable ({type(e).__name__}), skipped")
                pages.append(RawPage(i + 1, 0.0, 0.0))
    finally:
        if plumber is not None:
            plumber.close()
        if doc is not None:
            doc.close()
    return pages, warnings


def pdfium_page(doc, i: int) -> RawPage | None:
    """Page i through pdfium, or None when pdfium cannot represent it faithfully (a /Rotate
    page, paths inside a form XObject): pdfplumber reads that page instead."""
    fpage = doc[i]
    try:
        if fpage.get_rotation():
            return None  # pdfminer applies /Rotate; pdfium's boxes are unrotated
        left, bottom, right, top = fpage.get_mediabox()
        found = page_edges(fpage, left, top)
        if found is None:
            return None
        edges, images = found
        chars = page_chars(fpage, left, top)
        tables = ruled_tables(edges) if edges and chars else []
        return _raw_page(i + 1, right - left, top - bottom, chars, tables, images)
    finally:
        fpage.close()


def _plumber_page(page) -> RawPage:
    chars = page.chars
    for c in chars:
        a, b = c.get("matrix", (1, 0))[:2]
        c["level"] = abs(b) <= 0.05 * (abs(a) + abs(b))  # pdfminer's `upright` ignores rotation
    tables = []
    if chars and (page.lines or page.rects or page.curves):
        tables = [list(t.cells) for t in page.find_tables(TABLE_SETTINGS)]
    return _raw_page(page.page_number, page.width, page.height, chars, tables, len(page.images))


def _raw_page(number: int, width: float, height: float, chars: list[dict],
              tables: list[list[tuple]], images: int) -> RawPage:
    """Characters inside a ruled table become its cells, the rest lines of text."""
    rp = RawPage(number, float(width), float(height), images=images)
    if not chars:
        return rp
    grids: list[GridTable] = []
    for cells in tables:
        x0, top = min(c[0] for c in cells), min(c[1] for c in cells)
        x1, bottom = max(c[2] for c in cells), max(c[3] for c in cells)
        inside = [c for c in chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
        for g in split_at_titles(build_grid(number, (x0, top, x1, bottom), cells, inside)):
            if g.n_cols < 2 or g.is_empty():
                continue  # a box around text, or invisible rects on a blank page
            if len(g.cells) < 2:
                # one ruled row: a table only if it continues the previous one (the 合计
                # row alone on a page); otherwise its text is read as text
                g.weak = True
                g.source_lines = chars_to_lines([c for c in inside if c["level"]
                                                 and g.bbox[1] <= (c["top"] + c["bottom"]) / 2 <= g.bbox[3]])
            grids.append(g)

    def in_grid(c: dict) -> bool:
        cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
        return any(g.bbox[0] <= cx <= g.bbox[2] and g.bbox[1] <= cy <= g.bbox[3] for g in grids)

    # rotated glyphs outside tables are watermarks or stamps (inside, a rotated header)
    rp.lines = chars_to_lines([c for c in chars if c["level"] and not (grids and in_grid(c))])
    rp.tables = grids
    return rp


# ---------------------------------------------------------------- assembly (pure) --

def assemble(source_file: str, sha256: str, raw: list[RawPage]) -> Document:
    """Extracted pages -> Document: drop running lines, find unruled tables, then lay
    out each page's blocks in reading order."""
    drop = running_lines([(p.height, p.lines) for p in raw])
    for p, d in zip(raw, drop, strict=True):
        p.lines = [ln for i, ln in enumerate(p.lines) if i not in d]
    for p in raw:
        if not p.tables:
            p.tables = find_aligned_tables(p.number, p.lines)
            if p.tables:
                taken = {id(ln) for t in p.tables for ln in t.source_lines}
                p.lines = [ln for ln in p.lines if id(ln) not in taken]
    asm = _Assembler(raw)
    pages = [asm.page(p) for p in raw]
    asm.flow.flush()
    for t in (b for page in pages for b in page.blocks if isinstance(b, Table)):
        t.header, t.rows = drop_margin_columns(t.header, t.rows)
    return Document(source_file, sha256, pages, MEDIA_TYPE, asm.warnings)


class _Assembler:
    """Reading-order layout of one page after another; carries what spans a page
    break: the open paragraph and the table that ended the previous page."""

    def __init__(self, raw: list[RawPage]):
        self.warnings: list[str] = []
        self.flow = _Flow()
        # the open table: (Table, its first grid, the grid it last grew by)
        self.last_table: tuple[Table, GridTable, GridTable] | None = None
        self.toc: _Toc | None = None  # an open table of contents
        # body text's right margin per page width: a page of short lines (a contents
        # page) has no full line to measure its own margin by
        self.doc_right: dict[int, float] = {}
        for w in {round(p.width) for p in raw}:
            xs = sorted(ln.x1 for p in raw if round(p.width) == w for ln in p.lines)
            self.doc_right[w] = xs[int(0.9 * (len(xs) - 1))] if xs else 0.0

    def page(self, p: RawPage) -> Page:
        page = Page(p.number, [], p.width or None, p.height or None)
        if not p.lines and not p.tables:
            self.warnings.append(f"page {p.number}: no text (blank or image-only page), skipped")
            return page
        items = self._items(p)
        lines = [it for _, it in items if isinstance(it, Line)]
        left, right = margins(lines)
        self.right = max(right, self.doc_right.get(round(p.width), 0.0))
        self.left = left
        self.flow.usual = usual_gap(lines)
        items, self.wrapped_heads = _join_wrapped_headings(items, self.right, self.flow.usual)
        if self.toc is not None:
            first = next((it for _, it in items), None)
            if not (isinstance(first, Line) and self.toc.entry_like(first, self.right)):
                self._end_toc()  # contents run onto the next page only as more entries
        for _, it in items:
            if not isinstance(it, GridTable):
                self._text(it, page)
                continue
            if self.toc is not None:
                self._end_toc()
            if self.last_table is not None and (cmap := _continues(self.last_table, it, p.number)) is not None:
                self.flow.flush()
                _append_continuation(self.last_table, it, cmap)
                self.last_table = (*self.last_table[:2], it)
            elif it.weak:
                for ln in it.source_lines:
                    self._text(ln, page)
            else:
                self.flow.flush()
                table = _to_table(it)
                page.blocks += [Paragraph(x, p.number, _bb_top(it)) for x in it.filing]
                page.blocks.append(table)
                self.last_table = (table, it, it)
        if items and isinstance(items[-1][1], GridTable):
            self.flow.flush()
        self.flow.new_page()
        return page

    def _items(self, p: RawPage) -> list[tuple[float, Line | GridTable]]:
        """Tables (with their captions and units taken from the lines above them) and
        the remaining lines, by vertical position."""
        items: list[tuple[float, Line | GridTable]] = []
        consumed: set[int] = set()
        floor = 0.0
        for g in sorted(p.tables, key=lambda g: g.bbox[1]):
            if not g.weak:
                title, unit, t_idx, u_idx = caption_above(p.lines, g.bbox[1], g.bbox[0], g.bbox[2], floor)
                is_heading = title is not None and _heading_level(title) is not None
                strip_banner_rows(g, title, is_heading)
                # the lines only the banner rows or blank rows were ruled by are no columns of the table
                compact_columns(g, trailing=False)
                consumed.update(i for i in t_idx if _heading_level(p.lines[i].text) is None)
                consumed.update(u_idx)
                g.title = g.title or title
                g.unit = unit or g.unit
                floor = g.bbox[3]
            items.append((g.bbox[1], g))
        items.extend((ln.top, ln) for i, ln in enumerate(p.lines) if i not in consumed)
        items.sort(key=lambda it: (it[0], 0 if isinstance(it[1], GridTable) else 1))
        return items

    def _text(self, ln: Line, page: Page) -> None:
        if self.toc is not None:
            if self.toc.add(ln, self.right):
                return
            self.toc = None
        if TOC_TITLE.match(ln.text.replace(" ", "")):
            # The contents repeat the outline: its entries must not become headings. As
            # in the text reader: a 目录 heading, then one paragraph of entries.
            self.flow.flush()
            page.blocks.append(Heading(1, "目录", page.number, _bb(ln)))
            self.toc = _Toc(page)
            return
        if not is_filing_line(ln.text):
            self.last_table = None  # real text between two tables: the first one has ended
        level = _heading_level(ln.text)
        if level is not None and (len(ln.text) <= 20 or ln.x1 < self.right - 2 * ln.size
                                  or id(ln) in self.wrapped_heads):
            self.flow.flush()
            page.blocks.append(Heading(level, ln.text, page.number, _bb(ln)))
            return
        self.flow.add(ln, page, self.left, self.right)


    def _end_toc(self) -> None:
        if self.toc is not None:
            self.toc.close()
        self.toc = None


TOC_TITLE = re.compile(r"^目录$|^目\s*次$")
# an entry's dot leaders and page number: "一、主要职能……3", "一、主要职能  3"
TOC_ENTRY_END = re.compile(r"(?:[.．…·\-_ ]{2,}|\s)\d{1,3}$|[.．…·]{3,}$")


class _Toc:
    """An open table of contents: collects entries (leaders and page numbers dropped)
    until the body restarts the outline (the first entry's marker comes back), a
    sentence, a table, a page without numbered entries, or 80 entries."""

    def __init__(self, page: Page):
        self.page = page
        self.entries: list[str] = []
        self.first: str | None = None
        self.bbox: tuple[float, float, float, float] | None = None

    @staticmethod
    def entry_like(ln: Line, right: float) -> bool:
        """Numbered or page-numbered, and not a line of body text running to the margin."""
        if TOC_ENTRY_END.search(ln.text):
            return True
        return bool(outline_marker(ln.text)) and ln.x1 < right - 2 * ln.size and not ln.text.endswith("。")

    def add(self, ln: Line, right: float) -> bool:
        text = TOC_ENTRY_END.sub("", ln.text).strip()
        marker = outline_marker(text)
        if self.first is None:
            self.first = marker
        elif (marker and marker == self.first) or len(self.entries) >= 80 or text.endswith("。") or (
                not TOC_ENTRY_END.search(ln.text) and not marker and ln.x1 >= right - 2 * ln.size):
            self.close()
            return False
        self.entries.append(text)
        b = _bb(ln)
        self.bbox = b if self.bbox is None else (min(self.bbox[0], b[0]), self.bbox[1], max(self.bbox[2], b[2]), b[3])
        return True

    def close(self) -> None:
        if self.entries:
            self.page.blocks.append(Paragraph("\n".join(self.entries), self.page.number, self.bbox))
        self.entries = []


def _join_wrapped_headings(items: list, right: float, usual: float) -> tuple[list, set[int]]:
    """A heading too long for one line ("第三部分 … 部门决算" / "情况说明"): a line with
    a heading marker that runs to the margin, followed closely by a short line that
    ends the title, becomes one heading line. (A full-width line with a marker followed
    by more text is the start of a numbered paragraph and stays one.)"""
    out: list = []
    heads: set[int] = set()
    k = 0
    while k < len(items):
        top, it = items[k]
        nxt = items[k + 1][1] if k + 1 < len(items) else None
        if (isinstance(it, Line) and isinstance(nxt, Line) and _heading_level(it.text) is not None
                and it.x1 >= right - 2 * it.size and nxt.x1 < right - 2 * nxt.size
                and not new_paragraph_by_gap(it, nxt, usual) and _heading_level(nxt.text) is None):
            text = join_wrapped([it.text, nxt.text])
            if _heading_level(text) is not None:
                merged = Line(text, min(it.x0, nxt.x0), it.top, max(it.x1, nxt.x1), nxt.bottom, it.size)
                out.append((top, merged))
                heads.add(id(merged))
                k += 2
                continue
        out.append((top, it))
        k += 1
    return out, heads


def _bb_top(g: GridTable) -> tuple[float, float, float, float]:
    """Where a filing line printed inside a table's ruling sits: the table's top edge."""
    x0, top, x1, _ = (round(v, 2) for v in g.bbox)
    return (x0, top, x1, top)


def _bb(ln: Line) -> tuple[float, float, float, float]:
    return (round(ln.x0, 2), round(ln.top, 2), round(ln.x1, 2), round(ln.bottom, 2))


class _Flow:
    """Joins lines into paragraphs, also across a page break."""

    def __init__(self) -> None:
        self.para: Paragraph | None = None
        self.parts: list[str] = []
        self.last: Line | None = None
        self.crossed = False
        self.usual = 0.0

    def add(self, ln: Line, page: Page, left: float, right: float) -> None:
        if self.para is not None and self.last is not None:
            cont = not starts_paragraph(self.last, ln, left, right)
            if cont and not self.crossed:
                cont = not new_paragraph_by_gap(self.last, ln, self.usual)
            elif cont:  # across a page break only a sentence visibly cut mid-way continues
                cont = not self.last.text.endswith(CLAUSE_END) and not is_filing_line(ln.text)
            if cont:
                self.parts.append(ln.text)
                if not self.crossed:
                    b = self.para.bbox
                    self.para.bbox = (min(b[0], ln.x0), b[1], max(b[2], ln.x1), round(ln.bottom, 2))
                self.last = ln
                return
        self.flush()
        self.para = Paragraph(ln.text, page.number, _bb(ln))
        page.blocks.append(self.para)
        self.parts = [ln.text]
        self.last = ln
        self.crossed = False

    def flush(self) -> None:
        if self.para is not None:
            self.para.text = join_wrapped(self.parts)
        self.para = None
        self.parts = []
        self.last = None

    def new_page(self) -> None:
        self.crossed = True


def _to_table(g: GridTable) -> Table:
    g.header_rows = count_header_rows(g)
    header, body = resolve(g, g.header_rows)
    body, row_pages = drop_empty_rows(body, [g.page] * len(body))
    return Table(header=header, rows=body, page=g.page, title=g.title, unit=g.unit,
                 pages=[g.page], row_pages=row_pages,
                 bbox=tuple(round(v, 2) for v in g.bbox))


def _continues(prev: tuple[Table, GridTable, GridTable], g: GridTable, page: int) -> list[int] | None:
    """Whether `g` continues the open table, with nothing but filing lines between:
    at the top of the next page without a caption of its own; under a caption that
    repeats the table's; or straight under it on the same page, uncaptioned (one table
    drawn as two grids). Returns where g's columns fall among the table's (None: not a
    continuation). Columns must line up (within 4 pt, 10 pt for two grids on one page,
    25 pt for unruled tables), some possibly hidden by merged cells; units must agree."""
    table, first, last = prev
    if g.unit and table.unit and g.unit != table.unit:
        return None
    if not g.title and page == last.page and 0 <= g.bbox[1] - last.bbox[3] <= ADJACENT_GAP:
        tol = 10.0
    elif g.title and g.title != table.title:
        return None
    elif not g.title and page != table.pages[-1] + 1:
        return None
    elif page not in (table.pages[-1], table.pages[-1] + 1):
        return None
    else:
        tol = 4.0
    if first.aligned or g.aligned:  # edges from text positions shift with the widest value
        # (under its title printed again, as far as a page's longest name moves a column's edge)
        loose = 45.0 if g.title and g.title == table.title else 25.0
        if same_columns(first.col_edges, g.col_edges, tol=loose):
            return list(range(g.n_cols))
        return aligned_column_map(first, g)
    return column_map(first.col_edges, g.col_edges, tol=tol)


def _append_continuation(prev: tuple[Table, GridTable, GridTable], g: GridTable, cmap: list[int]) -> None:
    table = prev[0]
    # Treat every row as a body row first, then drop leading rows that repeat the header.
    n_hdr = count_header_rows(g)
    _, body = resolve(g, 0)
    if not table.header and not table.rows:
        # only the name and filing line were printed before the page break: the header is here
        table.header, _ = resolve(g, n_hdr)
        _append_rows(table, g, body[n_hdr:], cmap)
        return
    # The header printed again may be deeper than this page's own rows tell: a form's first rows
    # ("项目名称 | …", "主管部门 | …") read as header by the page that had the figures under them,
    # while the rows under them here look like header too, or the page's figures start sooner.
    # Every leading row that repeats a header row of the table is the header printed again.
    depth = min(len(body), max(n_hdr, len(table.header)))
    hdr, _ = resolve(g, depth)
    known = {norm_row(r) for r in table.header}
    skip = 0
    while skip < depth and (norm_row(hdr[skip]) in known or norm_row(body[skip]) in known):
        skip += 1
    _append_rows(table, g, body[skip:], cmap)


def _append_rows(table: Table, g: GridTable, body: list[list[str]], cmap: list[int]) -> None:
    rows, row_pages = drop_empty_rows(body, [g.page] * len(body))
    if len(cmap) < table.n_cols:  # spread onto the table's grid
        wide = []
        for r in rows:
            w = [""] * table.n_cols
            for j, v in zip(cmap, r, strict=True):
                w[j] = v
            wide.append(w)
        rows = wide
    table.rows.extend(rows)
    table.row_pages.extend(row_pages)
    if g.page not in table.pages:
        table.pages.append(g.page)
    if g.unit and not table.unit:
        table.unit = g.unit
