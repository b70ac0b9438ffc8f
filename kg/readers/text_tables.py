"""Tables in text exports: tab-separated runs of lines, HTML <table> fragments, LaTeX
tabular environments and markdown pipe tables (pass 1: a page's lines -> table items and
text lines), and the Table blocks built from them (title and unit from the lines above,
pseudo-rows lifted out, tables continued over a page break)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from kg import vocab as V
from kg.document import Block, Heading, Paragraph, Table
from kg.readers.cells import (
    build_table_rows,
    clean_cell,
    detect_unit,
    expand_merged_header,
    filing_row,
    is_amount,
    is_meta_cell,
    normalize_width,
    split_header,
)
from kg.readers.outline import ends_sentence


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


# --- pass 1: a page's lines -> table items and text lines ---------------------------------------------------------------

@dataclass
class TableItem:
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


def split_items(lines: list[str]) -> list:
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
                out.append(TableItem(body, header=header))
            tail = re.split(r"</table>", rest, flags=re.I)[-1] if "</table>" in rest.lower() else ""
            if tail.strip():
                out.append(tail)
            i = j + 1
            continue
        if "\\begin{tabular" in s:
            j = _closing_line(lines, i, "\\end{tabular")
            rows = parse_latex_tabular("\n".join(lines[i:j + 1]))
            if rows:
                out.append(TableItem(rows))
            i = j + 1
            continue
        if s.startswith("|") and i + 1 < n and _MD_SEP_RE.match(lines[i + 1].strip()):
            header = [_md_row(s)]
            j = i + 2
            body = []
            while j < n and lines[j].strip().startswith("|"):
                body.append(_md_row(lines[j]))
                j += 1
            out.append(TableItem(body, header=header))
            i = j
            continue
        if "\t" in line.strip("\n") and len([c for c in line.split("\t") if c.strip()]) >= 2 or (
            "\t" in line and i + 1 < n and "\t" in lines[i + 1]
        ):
            rows = []
            j = i
            while j < n:
                if "\t" in lines[j] and rows and _starts_table(lines[j]):
                    break  # the next table's title row, tabs and all: that table starts here
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
            out.append(TableItem(rows))
            i = j
            continue
        out.append(None if not s else line)
        i += 1
    return out


def _starts_table(line: str) -> bool:
    """A tab row holding one cell that names a table ("项目支出绩效目标表\t\t\t"): the title of
    the table printed next, never a row of the one before."""
    cells = [c.strip() for c in line.split("\t") if c.strip()]
    return len(cells) == 1 and not is_amount(cells[0]) and _names_a_table(cells[0], strict=True)


def _title_unit_above(here: list[Block], prev_page: list[Block], title: str | None, unit: str | None,
                      blocks: list[Block] | None = None) -> tuple[str | None, str | None]:
    """Title and unit from the short lines printed just above a table ("一般公共预算支出表",
    "表5", "部门名称：…", "单位：万元"). The lines used up as title/unit/label are removed:
    they now live on the Table. Falls back to the nearest heading for the title. A table
    opening a page looks on into the end of the page before."""
    if blocks is None:
        blocks = here
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
        if "\n" in t or len(t) > 60 or ends_sentence(t):
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
    if (title is None or unit is None) and ran_off and blocks is here and prev_page:
        title, unit = _title_unit_above(here, prev_page, title, unit, prev_page)
    return title, unit


_LABEL_PREFIX_RE = re.compile(r"^(?:附)?表\s*[0-9一二三四五六七八九十]+(?:[-－—.][0-9]+)?\s*[:：.、]?\s*")


def t_strip_paren(t: str) -> str:
    """A title without its trailing qualifier: "…明细表（按功能科目分）" -> "…明细表"."""
    return re.sub(r"[（(][^（()）]*[)）]\s*$", "", t.strip())


_CELL_UNIT_RE = re.compile(rf"[（(]\s*({V.alternation(V.UNITS_LONGEST_FIRST)})\s*[)）]")


def _unit_in_cells(header: list[list[str]], body: list[list[str]]) -> str | None:
    """A unit printed inside a label cell ("资金金额（万元）") when the table has no unit line."""
    cells = [c for r in header for c in r] + [r[0] for r in body if r] + [c for r in body[:8] for c in r[:3]]
    for c in cells:
        m = _CELL_UNIT_RE.search(c)
        if m:
            return m.group(1)
    return None


def _continue_from_previous_page(here: list[Block], prev_page: list[Block], page: int, table: Table) -> bool:
    """An untitled table opening a page, right after a table that closed the page before with
    the same width, is that table continued over the page break: headless, or repeating the
    header it had."""
    if here or not prev_page or table.title:
        return False
    prev = prev_page[-1]
    if not isinstance(prev, Table) or not table.rows:
        return False
    if table.header and not _repeats_header(table, prev.header):
        return False
    if prev.n_cols != table.n_cols:
        # a text export drops the columns a page leaves blank at the right: the same header
        # printed again says it is the same table, as wide as its widest page; headless, a page
        # narrower than the table (its right-hand columns blank) continues it too
        if not table.header and table.n_cols > prev.n_cols:
            return False
        n = max(prev.n_cols, table.n_cols)
        prev.header = [list(r) + [""] * (n - len(r)) for r in prev.header]
        prev.rows = [list(r) + [""] * (n - len(r)) for r in prev.rows]
        table.rows = [list(r) + [""] * (n - len(r)) for r in table.rows]
    prev.rows.extend(table.rows)
    prev.row_pages.extend([page] * len(table.rows))
    if page not in prev.pages:
        prev.pages.append(page)
    return True


def norm_cell(c: str) -> str:
    return re.sub(r"\s+", "", c)


def _norm_rows(rows: list[list[str]]) -> list[tuple[str, ...]]:
    out = []
    for r in rows:
        key = [norm_cell(c) for c in r]
        while key and not key[-1]:
            key.pop()
        out.append(tuple(key))
    return out


def _repeats_header(table: Table, header: list[list[str]]) -> bool:
    """Whether `table`, read on a page of its own, opens with `header` printed again; if so its
    rows become those under it. The page's own header cut may fall short of the header the table
    had: a form's first rows ("项目名称 …", "主管部门 …") are header where figures follow them, but
    above the rows of indicators a page break leaves them the first line looks like header alone."""
    k = len(header)
    lead = table.header + table.rows
    if not k or len(table.header) > k or len(lead) <= k:
        return False
    want = _norm_rows(header)
    if _norm_rows(lead[:k]) != want and _norm_rows(expand_merged_header(lead[:k])) != want:
        return False
    table.header, table.rows = [list(r) for r in header], lead[k:]
    return True


def _merge_continuation(here: list[Block], table: Table) -> bool:
    """A table that repeats the previous table's title and header, with only title/meta
    lines between, is the same table continued after a page break: append its rows."""
    k = len(here) - 1
    while k >= 0 and isinstance(here[k], Paragraph) and is_meta_cell(here[k].text):
        k -= 1
    if k < 0 or not isinstance(here[k], Table):
        return False
    prev = here[k]
    if prev.title != table.title or prev.header != table.header or not table.rows or not prev.rows:
        return False
    if prev.n_cols != table.n_cols or prev.unit != table.unit:
        return False
    prev.rows.extend(table.rows)
    prev.row_pages.extend(table.row_pages)
    for p in table.pages:
        if p not in prev.pages:
            prev.pages.append(p)
    del here[k + 1:]
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
    filing: list[str] = []
    rows = list(rows)
    while len(rows) > 1:
        vals = [c for c in rows[0] if c]
        distinct = list(dict.fromkeys(vals))
        metas = [v for v in distinct if is_meta_cell(v)]
        others = [v for v in distinct if not is_meta_cell(v)]
        named = filing_row(distinct)
        if others and named:  # "部门：" | "某某办公厅" | "单位：万元"
            filing += named
            unit = unit or next((detect_unit(v) for v in metas if detect_unit(v)), None)
            rows.pop(0)
            continue
        if not others:
            filing += named or []
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
    return rows, title, unit, notes, filing


def table_blocks(item: TableItem, here: list[Block], prev_page: list[Block], page: int) -> list[Block]:
    """Build a Table from raw rows, lifting the title/unit pseudo-rows out of the grid and
    finding title and unit in the short lines just above when the grid has none. `here` is
    the page's blocks so far (the lines used as title or unit are taken out of it), `prev_page`
    the page before's (a table may continue one ending there). The blocks to append: the
    table, unless it continued an earlier one, then the notes printed under it."""
    title, unit = item.title, item.unit
    head_rows = [r for r in ([clean_cell(c) for c in r] for r in item.header or []) if any(r)]
    body_rows = [r for r in ([clean_cell(c) for c in r] for r in item.rows) if any(r)]
    rows = head_rows + body_rows
    n_all = len(rows)
    rows, title, unit, notes, filing = _lift_pseudo_rows(rows, title, unit)
    front = n_all - len(rows) - len(notes)
    n_head = max(0, len(head_rows) - front)
    if item.header is None or n_head == 0:
        # no header marked, or the marked one was only a title row: find it by content
        header, body = build_table_rows(rows, clean=False)
    else:
        # the notation said where the header ends (<th>, <thead>, markdown separator)
        rows = normalize_width(rows)
        header, body = expand_merged_header(rows[:n_head]), rows[n_head:]
    title, unit = _title_unit_above(here, prev_page, title, unit)
    if unit is None:
        unit = _unit_in_cells(header, body)
    if not header and not body:
        return [Paragraph(n, page) for n in notes]
    table = Table(header=header, rows=body, page=page, title=title, unit=unit)
    if _continue_from_previous_page(here, prev_page, page, table):
        return [Paragraph(n, page) for n in notes]
    # the filing line names the agency: a publication of tables alone says who it is nowhere else
    out: list[Block] = [] if _merge_continuation(here, table) else [*(Paragraph(x, page) for x in filing), table]
    out.extend(Paragraph(n, page) for n in notes)
    return out


