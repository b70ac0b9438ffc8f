"""Text exports (.txt / .md) -> Document. Pure: a string in, a Document out.

What the exports look like: a title, "第一部分 …" part headings, "一、…" / "（一）…"
outline lines, "- " bullets, paragraphs hard-wrapped mid-sentence (sometimes with a blank
line inside a sentence), and tables as runs of tab-separated lines whose first rows may
repeat the table's title and a "填报部门:\t\t单位: 万元" line. Markdown headings/pipe tables,
HTML <table> fragments and LaTeX tabular environments are read as well.

This module turns lines into headings and paragraphs (pass 2); kg.readers.text_tables finds
the tables (pass 1) and builds them, kg.readers.outline says which lines are headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.document import Block, Document, Heading, Page, Paragraph
from kg.readers.cells import detect_unit, is_meta_cell, strip_markup
from kg.readers.encoding import normalize_text
from kg.readers.outline import (
    BULLET_RE,
    HEADING_MAX,
    ends_sentence,
    heading_level,
    outline_marker,
    outline_start,
    strip_md_heading,
)
from kg.readers.text_tables import TableItem, split_items, table_blocks

_TOC_RE = re.compile(r"^目\s*录$")


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF


def _is_cjk_or_punct(ch: str) -> bool:
    o = ord(ch)
    return _is_cjk(ch) or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or ch in "“”‘’…—"


def _join(a: str, b: str) -> str:
    """Glue two pieces of one sentence: CJK has no spaces between words."""
    if not a:
        return b
    if not b:
        return a
    if _is_cjk_or_punct(a[-1]) or _is_cjk_or_punct(b[0]):
        return a + b
    return a + " " + b


_MD_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


_CJK_CHAR = r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’]"
_CJK_GAP_RE = re.compile(rf"(?<={_CJK_CHAR}) (?={_CJK_CHAR})")


def _despace(s: str) -> str:
    """Undo letter-spacing ("第 一 部 分 单 位 概 况"), which some PDF-to-text tools put
    between every CJK character; ordinary spacing (around numbers, after a part number)
    is left alone because only lines spaced almost throughout are touched."""
    gaps = len(_CJK_GAP_RE.findall(s))
    if gaps < 3:
        return s
    n_cjk = len(re.findall(_CJK_CHAR, s))
    return _CJK_GAP_RE.sub("", s) if gaps >= 0.6 * (n_cjk - 1) else s


_MD_EMPHASIS_RE = re.compile(r"(\*\*|__)(.+?)\1")


def _clean_line(s: str) -> str:
    s = _MD_LINK_RE.sub(r"\1", strip_markup(s)).replace("\u00a0", " ")
    if "**" in s or "__" in s:
        s = _MD_EMPHASIS_RE.sub(r"\2", s)
    return _despace(re.sub(r"[ \t]+", " ", s).strip())


# --- pass 2: items -> blocks ---------------------------------------------------------------

@dataclass
class _State:
    blocks: list[Block]
    page: int
    para: list[str] = field(default_factory=list)  # lines of the paragraph being built
    in_toc: bool = False
    toc_lines: list[str] = field(default_factory=list)
    toc_first: str | None = None
    seen_body: bool = False  # anything besides title lines yet?
    prev_page: list[Block] = field(default_factory=list)  # blocks of the page before
    carry: Paragraph | None = None  # a paragraph from the page before that this one finishes


def _flush(st: _State) -> None:
    if st.para:
        text = ""
        for ln in st.para:
            text = _join(text, ln)
        st.para = []
        if st.carry is not None:
            st.carry.text = text  # stays on the page where the sentence began
            st.carry = None
        elif text:
            st.blocks.append(Paragraph(text, st.page))


_KEY_RE = re.compile(r"^[^，。；,;:：]{1,14}[:：]")


def _continues(prev: Block | None, nxt: str) -> bool:
    """Was a sentence cut by a blank line ("…完成整\\n\\n理。")? The previous paragraph is
    running text without an end and the next line starts mid-sentence."""
    if not isinstance(prev, Paragraph) or "\n" in prev.text:
        return False
    p = prev.text
    if heading_level(nxt) is not None or outline_start(nxt) or detect_unit(nxt) or is_meta_cell(nxt):
        return False
    if _KEY_RE.match(nxt) and _KEY_RE.match(p):
        return False  # "单位名称：…" then "审查情况：…": a list of labelled values
    if ends_sentence(p):
        # long prose stopped on a semicolon, then a short clause closing with 。: one
        # sentence cut at a page break ("…查阅服务；" / "出具证明。三是…"); a list of
        # short items each ending in ； stays apart
        head = re.split(r"[。；！？;!?]", nxt, maxsplit=1)
        return p[-1] in "；;" and len(p) >= 120 and len(head) > 1 and len(head[0]) <= 30 \
            and _is_cjk(nxt[0])
    if p.endswith(("，", ",", "、")):
        return True  # stopped on a comma: the sentence goes on
    # short lines without an end are titles and labels, not half sentences
    if len(p) < 24 or p.endswith(("：", ":", "表", "）", ")")):
        return False
    if outline_start(p) and not re.search(r"[，、；：。,;:]", p):
        return False
    # the rest of a sentence reaches its punctuation soon, or runs on at length
    if not (re.search(r"[，。；：、,;]", nxt[:40]) or len(nxt) > HEADING_MAX):
        return False
    return _is_cjk_or_punct(nxt[0]) or nxt[0].isalnum()


def _end_toc(st: _State) -> None:
    st.in_toc = False
    if st.toc_lines:
        st.blocks.append(Paragraph("\n".join(st.toc_lines), st.page))
    st.toc_lines = []


def _toc_line(st: _State, s: str) -> bool:
    """Feed a line to an open table of contents; False when the line ends it. The TOC
    repeats the outline, so its lines must not become headings: it ends where the body
    restarts the outline (the first entry's marker comes back), at a sentence, or a table."""
    text = BULLET_RE.sub("", s)
    if st.toc_first is None:
        st.toc_first = outline_marker(text) or text
    elif (outline_marker(text) or text) == st.toc_first or (ends_sentence(text) and len(text) > HEADING_MAX) or len(st.toc_lines) > 80:
        _end_toc(st)
        return False
    st.toc_lines.append(text)
    return True


def _text_line(st: _State, raw: str, blank_before: bool) -> None:
    s = _clean_line(raw)
    if not s:
        return
    if st.in_toc and _toc_line(st, s):
        return
    if _TOC_RE.match(s.replace(" ", "")):
        _flush(st)
        st.blocks.append(Heading(1, "目录", st.page))
        st.in_toc, st.toc_lines, st.toc_first = True, [], None
        st.seen_body = True
        return
    level = heading_level(s)
    if level is not None:
        _flush(st)
        st.blocks.append(Heading(level, strip_md_heading(s), st.page))
        st.seen_body = True
        return
    body = BULLET_RE.sub("", s)
    if not st.seen_body and len(s) <= HEADING_MAX and not ends_sentence(s) and not detect_unit(s):
        # title lines before the outline starts: one heading per run of lines
        if st.blocks and isinstance(st.blocks[-1], Heading) and st.blocks[-1].level == 1 and not blank_before:
            # a title printed over lines, which may split the agency's name mid-word
            # ("…示例档案" / "服务站"): joined like a wrapped sentence
            st.blocks[-1].text = _join(st.blocks[-1].text, s)
        else:
            st.blocks.append(Heading(1, s, st.page))
        return
    st.seen_body = True
    if st.para:
        prev = st.para[-1]
        if blank_before or ends_sentence(prev) or outline_start(s) or s != body:
            _flush(st)
        elif _KEY_RE.match(prev) and _KEY_RE.match(body):
            _flush(st)  # "单位名称：…" / "审查情况：…": one labelled value per line
        elif len(prev) < 16 and not re.search(r"[，、；：,;:（(]", prev) and len(body) > len(prev):
            _flush(st)  # a short caption line ("主要职责") above its text, not a wrapped line
    if not st.para and blank_before and st.blocks and _continues(st.blocks[-1], body):
        prev_block = st.blocks.pop()
        st.para = [prev_block.text]
    elif not st.para and not st.blocks and st.prev_page and _continues(st.prev_page[-1], body):
        # a sentence running over a form feed: finish the paragraph on its first page
        st.carry = st.prev_page[-1]
        st.para = [st.carry.text]
    st.para.append(body)


_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|\d{1,3})$")


def _page_blocks(text: str, number: int, st: _State) -> list[Block]:
    # a page whose every row went to the table it continues leaves that table open: the page
    # before the next one is still the page that table is on
    st.prev_page = st.blocks if st.blocks else st.prev_page
    st.blocks = []
    st.page = number
    blank = True  # a page break separates like a blank line
    for item in split_items(text.split("\n")):
        if item is None:
            blank = True
            continue
        if isinstance(item, TableItem):
            _flush(st)
            if st.in_toc:
                _end_toc(st)
            st.seen_body = True
            st.blocks.extend(table_blocks(item, st.blocks, st.prev_page, st.page))
            blank = True
            continue
        for sub in item.split("\n"):
            if _PAGE_NUMBER_RE.match(sub.strip()):
                blank = True  # a running page number: a break, never text
                continue
            _text_line(st, sub, blank)
            blank = False
    _flush(st)
    return st.blocks


def _running_key(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", _clean_line(line)))


def _drop_running_lines(pages: list[str]) -> list[str]:
    """Pages with their running header and footer lines taken out (page numbers are dropped
    where lines are read). A converted PDF repeats the title at the head of every page, and
    left in, it lands inside the sentence a page break cuts. A running line is the first or
    last line of a page after the first that repeats the title (page 1's first line, or its
    first two when the title wraps), or that stands at the same edge of at least half the
    pages (three or more). Table rows (tabs), headings and the line over a table never count
    as recurring: a table's title repeated over its continuation pages is how the table is
    found to continue."""
    lines = [p.split("\n") for p in pages]

    def edges(ls: list[str]) -> list[tuple[str, int]]:
        idx = [i for i, ln in enumerate(ls) if ln.strip() and not _PAGE_NUMBER_RE.match(ln.strip())]
        return [("head", idx[0]), ("foot", idx[-1])] if idx else []

    def eligible(ln: str) -> bool:
        s = _clean_line(ln)
        return bool(s) and "\t" not in ln and len(s) <= 2 * HEADING_MAX and heading_level(s) is None

    def over_table(ls: list[str], i: int) -> bool:
        nxt = next((ln for ln in ls[i + 1:] if ln.strip()), "")
        return "\t" in nxt or nxt.lstrip().startswith("|")

    counts: dict[tuple[str, str], int] = {}
    for ls in lines:
        for key in {(side, _running_key(ls[i])) for side, i in edges(ls) if eligible(ls[i]) and not over_table(ls, i)}:
            counts[key] = counts.get(key, 0) + 1
    first = [ln for ln in lines[0] if ln.strip()][:2] if lines else []
    titles = {_running_key(first[0]), _running_key(first[0] + "".join(first[1:]))} if first else set()
    need = max(3, len(pages) / 2)
    out = [pages[0]] if pages else []
    for ls in lines[1:]:
        drop = {i for side, i in edges(ls) if eligible(ls[i])
                and (_running_key(ls[i]) in titles or counts.get((side, _running_key(ls[i])), 0) >= need)}
        out.append("\n".join("" if i in drop else ln for i, ln in enumerate(ls)))
    return out


def read_text(text: str, source_file: str, sha256: str, media_type: str = "text/plain") -> Document:
    """Parse a text export into the document model. Form feeds separate pages; without
    them the whole text is page 1."""
    text = normalize_text(text)
    st = _State([], 1)
    pages = []
    chunks = _drop_running_lines(text.split("\f"))
    for i, chunk in enumerate(chunks, start=1):
        blocks = _page_blocks(chunk, i, st)
        if st.in_toc and i == len(chunks):
            _end_toc(st)
            blocks = st.blocks
        pages.append(Page(i, blocks))
    # drop trailing empty pages a final form feed leaves behind
    while len(pages) > 1 and not pages[-1].blocks:
        pages.pop()
    doc = Document(source_file, sha256, pages, media_type)
    if not doc.tables():
        doc.warnings.append("no tables found")
    return doc
