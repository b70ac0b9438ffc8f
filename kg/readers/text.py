"""Text exports (.txt / .md) -> Document. Pure: a string in, a Document out.

What the exports look like: a title, "第一部分 …" part headings, "一、…" / "（一）…"
outline lines, "- " bullets, paragraphs hard-wrapped mid-sentence (sometimes with a blank
line inside a sentence), and tables as runs of tab-separated lines whose first rows may
repeat the table's title and a "填报部门:\t\t单位: 万元" line. Markdown headings/pipe tables,
HTML <table> fragments and LaTeX tabular environments are read as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from kg.document import Block, Document, Heading, Page, Paragraph, Table
from kg.readers.cells import (
    build_table_rows,
    clean_cell,
    detect_unit,
    expand_merged_header,
    is_amount,
    is_meta_cell,
    normalize_width,
    split_header,
    strip_markup,
)

# --- line classification ---------------------------------------------------------------

_CN_NUM = "一二三四五六七八九十百零〇廿两"
_PART_RE = re.compile(rf"^第[{_CN_NUM}\d]+(部分|篇)\s*")
_CHAPTER_RE = re.compile(rf"^第[{_CN_NUM}\d]+章\s*")
_L2_RE = re.compile(rf"^[{_CN_NUM}]+\s*[、．.]\s*")
_L3_RE = re.compile(rf"^[（(]\s*[{_CN_NUM}]+\s*[)）]\s*")
_NUM_ITEM_RE = re.compile(r"^(?:\d{1,2}\s*[、．.](?!\d)|[（(]\d{1,2}[)）]|[①-⑳])\s*")
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_BULLET_RE = re.compile(r"^[-*•·●▪]\s+")
# Sentence-final punctuation: a line ending in one of these ends its sentence.
_TERMINAL = "。！？；!?;…"
_CLOSERS = "”’」』）)】》\"'"
_TOC_RE = re.compile(r"^目\s*录$")
_HEADING_MAX = 40
_AMOUNT_IN_TEXT_RE = re.compile(r"\d\s*(?:亿元|万元|千元|元|%|％)|\d\.\d|\d,\d{3}")


def _ends_sentence(s: str) -> bool:
    s = s.rstrip().rstrip(_CLOSERS)
    return bool(s) and s[-1] in _TERMINAL


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3FFFF


def _is_cjk_or_punct(ch: str) -> bool:
    o = ord(ch)
    return _is_cjk(ch) or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or ch in "“”‘’…—"


def heading_level(line: str) -> int | None:
    """The outline level a line prints, or None for body text. Only short lines without
    sentence punctuation count: "一、主要职责" is a heading, "一、本单位……。" is not."""
    s = line.strip()
    m = _MD_HEADING_RE.match(s)
    if m:
        return len(m.group(1))
    if len(s) > _HEADING_MAX or _ends_sentence(s) or s.endswith(("，", ",", "、", "：", ":")) or "。" in s:
        return None
    if _AMOUNT_IN_TEXT_RE.search(s):
        return None  # "一、收入预算 120.5 万元" states a figure; headings name things
    if _PART_RE.match(s):
        return 1
    if _CHAPTER_RE.match(s):
        return 2
    if _L2_RE.match(s) and not is_amount(s.split()[0]):
        return 2
    if _L3_RE.match(s):
        return 3
    rest = _NUM_ITEM_RE.sub("", s) if _NUM_ITEM_RE.match(s) else ""
    if rest and len(s) <= 30 and not re.search(r"[，,；;：:。！？]", s) and not is_amount(rest.split()[0]):
        return 4
    return None


def _strip_md_heading(s: str) -> str:
    m = _MD_HEADING_RE.match(s.strip())
    return m.group(2).strip() if m else s.strip()


def _outline_start(s: str) -> bool:
    """Does a line open a new item (so it must not be glued onto the previous line)?"""
    return bool(_PART_RE.match(s) or _CHAPTER_RE.match(s) or _L2_RE.match(s) or _L3_RE.match(s)
                or _NUM_ITEM_RE.match(s) or _BULLET_RE.match(s) or s.startswith(("#", "|"))
                or re.match(r"^第[" + _CN_NUM + r"\d]+条", s))


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


# --- tables in other notations -------------------------------------------------------

class _HTMLTableParser(HTMLParser):
    """Collects the cells of <table> elements; rowspan/colspan are expanded into repeated
    cells so every row has one entry per grid column."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[tuple[list[list[tuple[str, int, int]]], int]] = []  # (cells, n header rows)
        self._rows: list[list[tuple[str, int, int]]] | None = None
        self._row: list[tuple[str, int, int]] | None = None
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._thead_rows = 0
        self._in_thead = False
        self._all_th: list[bool] = []
        self._row_all_th = True

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._rows, self._thead_rows, self._all_th = [], 0, []
        elif self._rows is None:
            return
        elif tag == "thead":
            self._in_thead = True
        elif tag == "tr":
            self._row, self._row_all_th = [], True
        elif tag in ("td", "th"):
            if self._row is None:
                self._row, self._row_all_th = [], True
            self._cell = []
            self._row_all_th &= tag == "th"

            def num(k):
                try:
                    return max(1, int(str(a.get(k) or "1").strip()))
                except ValueError:
                    return 1
            self._span = (num("rowspan"), num("colspan"))
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")
        elif tag == "input" and self._cell is not None:
            self._cell.append("☑" if "checked" in a else "☐")

    def handle_endtag(self, tag):
        if self._rows is None:
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append((clean_cell("".join(self._cell)), *self._span))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._rows.append(self._row)
            self._all_th.append(self._row_all_th and bool(self._row))
            if self._in_thead:
                self._thead_rows += 1
            self._row = None
        elif tag == "thead":
            self._in_thead = False
        elif tag == "table":
            if self._row:
                self._rows.append(self._row)
                self._all_th.append(self._row_all_th)
            n_head = self._thead_rows
            if not n_head:
                for is_th in self._all_th:
                    if not is_th:
                        break
                    n_head += 1
            self.tables.append((self._rows, n_head))
            self._rows = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _grid(rows: list[list[tuple[str, int, int]]], repeat: bool = True) -> list[list[str]]:
    """Lay out (text, rowspan, colspan) cells on a grid. repeat=True copies a spanned
    cell into every position it covers; False leaves the text at its top-left position
    and "" elsewhere, which is how the tab-separated exports print merged cells."""
    grid: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in grid:
                c += 1
            for dr in range(rs):
                for dc in range(cs):
                    grid[(r + dr, c + dc)] = text if repeat or (dr == 0 and dc == 0) else ""
            c += cs
    if not grid:
        return []
    n_rows = max(r for r, _ in grid) + 1
    n_cols = max(c for _, c in grid) + 1
    return [[grid.get((r, c), "") for c in range(n_cols)] for r in range(n_rows)]


def parse_html_tables(fragment: str) -> list[tuple[list[list[str]], list[list[str]]]]:
    """Every <table> in an HTML fragment as (header, body). Header rows are <thead>/<th>
    rows, else the rows before the first data row; merged cells are repeated across their
    span in the header and printed once (top-left) in the body, as in the text exports,
    so a merged amount is never counted twice."""
    p = _HTMLTableParser()
    p.feed(fragment)
    p.close()
    if p._rows is not None:  # a fragment cut before </table>: keep what was read
        p.handle_endtag("table")
    out = []
    for cells, n_head in p.tables:
        rep, once = normalize_width(_grid(cells)), _grid(cells, repeat=False)
        once = [r + [""] * (len(rep[0]) - len(r)) if rep else r for r in once]
        keep = [i for i, r in enumerate(rep) if any(r)]
        rep, once = [rep[i] for i in keep], [once[i] for i in keep]
        if not n_head:
            n_head = len(split_header(once)[0])
        out.append((rep[:n_head], [r for r in once[n_head:] if any(r)]))
    return out


_LATEX_RULE_RE = re.compile(r"\\(?:hline|toprule|midrule|bottomrule|cline\{[^}]*\}|cmidrule(?:\([^)]*\))?\{[^}]*\})")
_MULTICOL_RE = re.compile(r"^\\multicolumn\{(\d+)\}\{[^}]*\}\{(.*)\}$", re.S)
_MULTIROW_RE = re.compile(r"^\\multirow\{(\d+)\}\{[^}]*\}\{(.*)\}$", re.S)


def parse_latex_tabular(src: str) -> list[list[str]]:
    """Rows of a \\begin{tabular}…\\end{tabular} body. Like the tab exports, a merged cell
    (\\multicolumn, \\multirow) is printed once at its top-left position; the header
    expansion then repeats it over its span."""
    body = re.sub(r"^.*?\\begin\{tabular\*?\}(?:\{[^}]*\})?\{(?:[^{}]|\{[^}]*\})*\}", "", src, count=1, flags=re.S)
    body = re.split(r"\\end\{tabular\*?\}", body)[0]
    body = _LATEX_RULE_RE.sub("", body)
    rows: list[list[str]] = []
    for raw in re.split(r"\\\\(?:\[[^\]]*\])?", body):
        if not raw.strip():
            continue
        cells: list[str] = []
        for part in re.split(r"(?<!\\)&", raw):
            part = part.strip()
            m = _MULTICOL_RE.match(part)
            span, text = (int(m.group(1)), m.group(2)) if m else (1, part)
            m = _MULTIROW_RE.match(text.strip())
            if m:
                text = m.group(2)
            cells.extend([text] + [""] * (span - 1))
        rows.append([clean_cell(re.sub(r"\\text(?:bf|it|rm)\b", "", c).replace("{", "").replace("}", "")) for c in cells])
    return rows


def _md_row(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [c.replace("\\|", "|") for c in re.split(r"(?<!\\)\|", s)]


_MD_SEP_RE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


# --- pass 1: lines -> items ---------------------------------------------------------------

@dataclass
class _TableItem:
    rows: list[list[str]]  # raw cells (tab table) or already-structured
    header: list[list[str]] | None = None  # set when the notation says where the header is
    title: str | None = None
    unit: str | None = None
    notes: list[str] = field(default_factory=list)


def _closing_line(lines: list[str], i: int, marker: str, lower: bool = False, limit: int = 5000) -> int:
    """Index of the line that closes a multi-line construct opened on line i; i itself when
    it never closes within reach."""
    for j in range(i, min(len(lines), i + limit)):
        if marker in (lines[j].lower() if lower else lines[j]):
            return j
    return i


def _items(lines: list[str]) -> list:
    """Split a page's lines into table items, blank markers (None) and text lines (str)."""
    out: list = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        s = line.strip()
        low = s.lower()
        if "<table" in low:
            # an unclosed <table> swallows only its own line, never the rest of the page
            j = _closing_line(lines, i, "</table>", lower=True)
            frag = "\n".join(lines[i:j + 1])
            at = frag.lower().index("<table")
            pre, rest = frag[:at], frag[at:]
            if pre.strip():
                out.append(pre)
            for header, body in parse_html_tables(rest):
                out.append(_TableItem(body, header=header))
            tail = re.split(r"</table>", rest, flags=re.I)[-1] if "</table>" in rest.lower() else ""
            if tail.strip():
                out.append(tail)
            i = j + 1
            continue
        if "\\begin{tabular" in s:
            j = _closing_line(lines, i, "\\end{tabular")
            rows = parse_latex_tabular("\n".join(lines[i:j + 1]))
            if rows:
                out.append(_TableItem(rows))
            i = j + 1
            continue
        if s.startswith("|") and i + 1 < n and _MD_SEP_RE.match(lines[i + 1].strip()):
            header = [_md_row(s)]
            j = i + 2
            body = []
            while j < n and lines[j].strip().startswith("|"):
                body.append(_md_row(lines[j]))
                j += 1
            out.append(_TableItem(body, header=header))
            i = j
            continue
        if "\t" in line.strip("\n") and len([c for c in line.split("\t") if c.strip()]) >= 2 or (
            "\t" in line and i + 1 < n and "\t" in lines[i + 1]
        ):
            rows = []
            j = i
            while j < n:
                if "\t" in lines[j]:
                    rows.append(lines[j].split("\t"))
                    j += 1
                elif not lines[j].strip():
                    # a blank line inside a tab block: the table goes on if tab rows follow
                    k = j
                    while k < n and not lines[k].strip():
                        k += 1
                    if k < n and "\t" in lines[k]:
                        j = k
                    else:
                        break
                else:
                    break
            out.append(_TableItem(rows))
            i = j
            continue
        out.append(None if not s else line)
        i += 1
    return out


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
    if heading_level(nxt) is not None or _outline_start(nxt) or detect_unit(nxt) or is_meta_cell(nxt):
        return False
    if _KEY_RE.match(nxt) and _KEY_RE.match(p):
        return False  # "单位名称：…" then "审查情况：…": a list of labelled values
    if _ends_sentence(p):
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
    if _outline_start(p) and not re.search(r"[，、；：。,;:]", p):
        return False
    # the rest of a sentence reaches its punctuation soon, or runs on at length
    if not (re.search(r"[，。；：、,;]", nxt[:40]) or len(nxt) > _HEADING_MAX):
        return False
    return _is_cjk_or_punct(nxt[0]) or nxt[0].isalnum()


def _marker(s: str) -> str:
    for rx in (_PART_RE, _CHAPTER_RE, _L2_RE, _L3_RE):
        m = rx.match(s)
        if m:
            return re.sub(r"\s", "", m.group(0))
    return s


def _end_toc(st: _State) -> None:
    st.in_toc = False
    if st.toc_lines:
        st.blocks.append(Paragraph("\n".join(st.toc_lines), st.page))
    st.toc_lines = []


def _toc_line(st: _State, s: str) -> bool:
    """Feed a line to an open table of contents; False when the line ends it. The TOC
    repeats the outline, so its lines must not become headings: it ends where the body
    restarts the outline (the first entry's marker comes back), at a sentence, or a table."""
    text = _BULLET_RE.sub("", s)
    if st.toc_first is None:
        st.toc_first = _marker(text)
    elif _marker(text) == st.toc_first or (_ends_sentence(text) and len(text) > _HEADING_MAX) or len(st.toc_lines) > 80:
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
        st.blocks.append(Heading(level, _strip_md_heading(s), st.page))
        st.seen_body = True
        return
    body = _BULLET_RE.sub("", s)
    if not st.seen_body and len(s) <= _HEADING_MAX and not _ends_sentence(s) and not detect_unit(s):
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
        if blank_before or _ends_sentence(prev) or _outline_start(s) or s != body:
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


def _title_unit_above(st: _State, title: str | None, unit: str | None,
                      blocks: list[Block] | None = None) -> tuple[str | None, str | None]:
    """Title and unit from the short lines printed just above a table ("一般公共预算支出表",
    "表5", "部门名称：…", "单位：万元"). The lines used up as title/unit/label are removed:
    they now live on the Table. Falls back to the nearest heading for the title. A table
    opening a page looks on into the end of the page before."""
    if blocks is None:
        blocks = st.blocks
    window: list[int] = []
    heading_title = None
    k = len(blocks) - 1
    while k >= 0 and len(window) < 6:
        b = blocks[k]
        if isinstance(b, Table):
            break
        if isinstance(b, Heading):
            heading_title = b.text
            break
        t = b.text.strip()
        if "\n" in t or len(t) > 60 or _ends_sentence(t):
            break
        window.append(k)
        k -= 1
    ran_off = k < 0  # nothing above on this page stopped the search
    consumed: list[int] = []
    candidates: list[tuple[int, str]] = []
    for k in window:  # nearest first
        t = blocks[k].text.strip()
        u = detect_unit(t)
        if u:
            unit = unit or u
            consumed.append(k)
            t = _UNIT_FRAGMENT_RE.sub("", t).strip()  # "收支总表 单位：万元" still names the table
            if not t or is_meta_cell(t):
                continue
        core = _LABEL_PREFIX_RE.sub("", t)  # "表3：收支总表" -> "收支总表"
        if not core or re.match(r"^填报(?:部门|单位)\s*[:：]\s*$", t):
            if k not in consumed:
                consumed.append(k)
        elif not is_meta_cell(core) and not re.search(r"[:：]", core) and len(core) <= 50:
            candidates.append((k, t))
    if title is None:
        named = [c for c in candidates if _names_a_table(c[1])]
        pick = named[0] if named else (candidates[0] if candidates and window.index(candidates[0][0]) <= 2 else None)
        if pick is not None:
            title = pick[1]
            if pick[0] not in consumed:
                consumed.append(pick[0])
    if title is None:
        title = heading_title
    if title is None:
        # no caption nearby: the section heading names the table only if it says so
        end = window[-1] if window else len(blocks)
        for b in reversed(blocks[max(0, end - 50): end]):
            if isinstance(b, Table):
                break
            if isinstance(b, Heading):
                title = b.text if _names_a_table(b.text, strict=True) else None
                break
    for idx in sorted(set(consumed), reverse=True):
        del blocks[idx]
    if (title is None or unit is None) and ran_off and blocks is st.blocks and st.prev_page:
        title, unit = _title_unit_above(st, title, unit, st.prev_page)
    return title, unit


_LABEL_PREFIX_RE = re.compile(r"^(?:附)?表\s*[0-9一二三四五六七八九十]+(?:[-－—.][0-9]+)?\s*[:：.、]?\s*")


def t_strip_paren(t: str) -> str:
    """A title without its trailing qualifier: "…明细表（按功能科目分）" -> "…明细表"."""
    return re.sub(r"[（(][^（()）]*[)）]\s*$", "", t.strip())


_CELL_UNIT_RE = re.compile(r"[（(]\s*(亿元|万元|千元|元)\s*[)）]")


def _unit_in_cells(header: list[list[str]], body: list[list[str]]) -> str | None:
    """A unit printed inside a label cell ("资金金额（万元）") when the table has no unit line."""
    cells = [c for r in header for c in r] + [r[0] for r in body if r] + [c for r in body[:8] for c in r[:3]]
    for c in cells:
        m = _CELL_UNIT_RE.search(c)
        if m:
            return m.group(1)
    return None


def _continue_from_previous_page(st: _State, table: Table) -> bool:
    """A headless, untitled table opening a page, right after a table that closed the page
    before with the same width, is that table continued over the page break."""
    if st.blocks or not st.prev_page or table.header or table.title:
        return False
    prev = st.prev_page[-1]
    if not isinstance(prev, Table) or prev.n_cols != table.n_cols or not table.rows:
        return False
    prev.rows.extend(table.rows)
    prev.row_pages.extend([st.page] * len(table.rows))
    if st.page not in prev.pages:
        prev.pages.append(st.page)
    return True


def _merge_continuation(st: _State, table: Table) -> bool:
    """A table that repeats the previous table's title and header, with only title/meta
    lines between, is the same table continued after a page break: append its rows."""
    k = len(st.blocks) - 1
    while k >= 0 and isinstance(st.blocks[k], Paragraph) and is_meta_cell(st.blocks[k].text):
        k -= 1
    if k < 0 or not isinstance(st.blocks[k], Table):
        return False
    prev = st.blocks[k]
    if prev.title != table.title or prev.header != table.header or not table.rows or not prev.rows:
        return False
    if prev.n_cols != table.n_cols or prev.unit != table.unit:
        return False
    prev.rows.extend(table.rows)
    prev.row_pages.extend(table.row_pages)
    for p in table.pages:
        if p not in prev.pages:
            prev.pages.append(p)
    del st.blocks[k + 1:]
    return True


_NOTE_RE = re.compile(r"^(?:备注|注|说明)\s*[0-9]*\s*[:：]")


_TITLE_WORD_RE = re.compile(r"(表|明细|一览|汇总|情况)$")
_UNIT_FRAGMENT_RE = re.compile(r"\s*[（(]?\s*(?:金额)?单位\s*[:：][^）)]*[)）]?\s*$")


def _names_a_table(s: str, strict: bool = False) -> bool:
    """Does a line read like a table's name? Strict: it must end in 表 (for section
    headings, where "…情况" names a section, not a table)."""
    core = t_strip_paren(_UNIT_FRAGMENT_RE.sub("", s))
    return core.endswith("表") if strict else bool(_TITLE_WORD_RE.search(core))


def _split_title_unit(s: str) -> tuple[str, str | None]:
    """"收支总表（单位：万元）" -> ("收支总表", "万元")."""
    u = detect_unit(s)
    if u is None:
        return s, None
    rest = _UNIT_FRAGMENT_RE.sub("", s).strip()
    return (rest or s), u


def _lift_pseudo_rows(rows: list[list[str]], title: str | None, unit: str | None):
    """Strip the rows that describe the table instead of holding data: leading title
    rows ("收支总表" alone, or spanned over every column), "填报部门：… 单位：万元" rows and
    "表3" labels; trailing notes ("备注：本单位无…"), returned as prose."""
    notes: list[str] = []
    rows = list(rows)
    while len(rows) > 1:
        vals = [c for c in rows[0] if c]
        distinct = list(dict.fromkeys(vals))
        metas = [v for v in distinct if is_meta_cell(v)]
        others = [v for v in distinct if not is_meta_cell(v)]
        if not others:
            for v in metas:
                unit = unit or detect_unit(v)
                rest = _UNIT_FRAGMENT_RE.sub("", v).strip()  # "收支总表（单位：万元）"
                if title is None and rest and rest != v and not is_meta_cell(rest) and _names_a_table(rest):
                    title = rest
            rows.pop(0)
        elif len(others) == 1 and title is None and len(others[0]) <= 50 \
                and not is_amount(others[0]) and _names_a_table(others[0]):
            title, u = _split_title_unit(others[0])
            unit = unit or u
            for v in metas:
                unit = unit or detect_unit(v)
            rows.pop(0)
        else:
            break
    while rows:
        vals = list(dict.fromkeys(c for c in rows[-1] if c))
        if len(vals) == 1 and _NOTE_RE.match(vals[0]):
            notes.insert(0, vals[0])
            rows.pop()
        else:
            break
    return rows, title, unit, notes


def _table_block(item: _TableItem, st: _State) -> list[Block]:
    """Build a Table from raw rows, lifting the title/unit pseudo-rows out of the grid and
    finding title and unit in the short lines just above when the grid has none."""
    title, unit = item.title, item.unit
    head_rows = [r for r in ([clean_cell(c) for c in r] for r in item.header or []) if any(r)]
    body_rows = [r for r in ([clean_cell(c) for c in r] for r in item.rows) if any(r)]
    rows = head_rows + body_rows
    n_all = len(rows)
    rows, title, unit, notes = _lift_pseudo_rows(rows, title, unit)
    front = n_all - len(rows) - len(notes)
    n_head = max(0, len(head_rows) - front)
    if item.header is None or n_head == 0:
        # no header marked, or the marked one was only a title row: find it by content
        header, body = build_table_rows(rows, clean=False)
    else:
        # the notation said where the header ends (<th>, <thead>, markdown separator)
        rows = normalize_width(rows)
        header, body = expand_merged_header(rows[:n_head]), rows[n_head:]
    title, unit = _title_unit_above(st, title, unit)
    if unit is None:
        unit = _unit_in_cells(header, body)
    if not header and not body:
        return [Paragraph(n, st.page) for n in notes]
    table = Table(header=header, rows=body, page=st.page, title=title, unit=unit)
    if _continue_from_previous_page(st, table):
        return [Paragraph(n, st.page) for n in notes]
    out: list[Block] = [] if _merge_continuation(st, table) else [table]
    out.extend(Paragraph(n, st.page) for n in notes)
    return out


_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}|\d{1,3})$")


def _page_blocks(text: str, number: int, st: _State) -> list[Block]:
    st.prev_page = st.blocks
    st.blocks = []
    st.page = number
    blank = True  # a page break separates like a blank line
    for item in _items(text.split("\n")):
        if item is None:
            blank = True
            continue
        if isinstance(item, _TableItem):
            _flush(st)
            if st.in_toc:
                _end_toc(st)
            st.seen_body = True
            st.blocks.extend(_table_block(item, st))
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


_INVISIBLE_HTML_RE = re.compile(r"<(script|style|head)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.S | re.I)


def normalize_text(text: str) -> str:
    """Newlines to \\n, BOM and zero-width characters dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.lstrip("\ufeff").replace("\u200b", "").replace("\ufeff", "")
    if "<" in text:  # an HTML export: what is inside <script>/<style>/comments is not text
        text = _INVISIBLE_HTML_RE.sub("", text)
    return text


def read_text(text: str, source_file: str, sha256: str, media_type: str = "text/plain") -> Document:
    """Parse a text export into the document model. Form feeds separate pages; without
    them the whole text is page 1."""
    text = normalize_text(text)
    st = _State([], 1)
    pages = []
    chunks = text.split("\f")
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
