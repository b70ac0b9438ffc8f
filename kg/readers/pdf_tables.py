"""Pure table helpers for the PDF reader: ruled cells + characters -> a text grid with
merged cells resolved, header/body split, caption and unit lookup, and the test that a
table on the next page continues this one.

Inputs are plain data (cell bboxes from pdfplumber's lattice finder, pdfplumber char
dicts, `Line`s), so these functions are tested without rendering a PDF.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from kg import vocab as V
from kg.readers.cells import (
    AGENCY_LABEL_RE,
    clean_cell,
    detect_unit,
    is_amount,
    is_meta_cell,
    is_percent,
    is_table_label,
    split_header,
)
from kg.readers.cells import filing_row as cells_filing_row
from kg.readers.pdf_layout import Line, chars_to_lines, join_wrapped, tidy

BBox = tuple[float, float, float, float]

# Lines printed between a caption and its table that are not the caption.
META_RE = re.compile(r"^(编制单位|编制部门|编制机关|填报单位|填报部门|填报日期|填报人|预算单位|预算部门|部门名称|单位名称|"
                     rf"{V.alternation(V.UNIT_LABELS)})\s*[:：]")
# "续表" / "续表3" / "（续）" on its own, or "…表（续）": the table goes on from the page before
CONTINUED_LINE = re.compile(r"^[（(]?续(?:上?表)?[）)]?\s*[0-9一二三四五六七八九十]*[：:]?$")
CONTINUED_SUFFIX = re.compile(r"\s*[（(]续(?:表)?[）)]$")
MAX_HEADER_ROWS = 4
TOTAL_LABELS = {"合计", "总计", "小计", V.INCOME.label, V.EXPENDITURE.label, V.GRAND_INCOME.label, V.GRAND_EXPENDITURE.label}
CAPTION_MAX_CHARS = 50
CAPTION_MAX_GAP = 90.0  # points between caption bottom and table top


def is_number(text: str | None) -> bool:
    return is_amount(text) or is_percent(text)


def is_filing_line(text: str) -> bool:
    """A line that files a table rather than saying something: "编制单位：…", "单位：万元",
    "表6". It neither captions a table nor ends one."""
    return is_meta_cell(text) or bool(META_RE.match(text))


@dataclass
class GridTable:
    """One ruled table on one page. `cells[r][c]` is the text of the cell whose top-left
    grid position is (r, c), or None where a merged cell covers the position;
    `owner[r][c]` is the top-left position of the cell covering (r, c)."""

    page: int
    bbox: BBox
    col_edges: list[float]
    cells: list[list[str | None]]
    owner: list[list[tuple[int, int]]]
    title: str | None = None
    unit: str | None = None
    header_rows: int = 0
    row_pages: list[int] = field(default_factory=list)
    aligned: bool = False  # found by text alignment (no rulings): column edges are looser
    weak: bool = False  # one ruled row: a table only as the continuation of another
    source_lines: list[Line] = field(default_factory=list, repr=False)
    # filing details printed inside the ruling ("部门：某某办公厅"): the reader prints them as
    # text above the table, where a table-only publication names its agency
    filing: list[str] = field(default_factory=list)
    row_edges: list[float] = field(default_factory=list)  # the grid's row lines, top to bottom (ruled tables)

    @property
    def n_cols(self) -> int:
        return len(self.col_edges) - 1

    def is_empty(self) -> bool:
        return not any(t for row in self.cells for t in row if t)


def _cluster(values: list[float], tol: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= tol:
            continue
        out.append(v)
    return out


# CJK typesetting lets a closing mark at the end of a line hang past the text's edge (Word's
# 允许标点溢出边界, on by default; reportlab's CJK wrap), so in a narrow cell it straddles the
# column line and its centre falls in the next cell.
HANGING_MARKS = frozenset("、，。；：！？）」』】〕》〉”’")


def build_grid(page: int, bbox: BBox, cell_boxes: list[BBox], chars: list[dict]) -> GridTable:
    """Lay pdfplumber cell boxes on a grid (every distinct cell edge is a grid line),
    so a merged cell knows which columns and rows it spans, and fill each cell with the
    characters whose centre falls in it (a hanging mark: the cell it starts in)."""
    xs = _cluster([b[0] for b in cell_boxes] + [b[2] for b in cell_boxes])
    ys = _cluster([b[1] for b in cell_boxes] + [b[3] for b in cell_boxes])
    n_rows, n_cols = len(ys) - 1, len(xs) - 1

    def idx(edges: list[float], v: float) -> int:
        # nearest grid line to v
        i = bisect_right(edges, v)
        if i == 0:
            return 0
        if i == len(edges):
            return len(edges) - 1
        return i if edges[i] - v < v - edges[i - 1] else i - 1

    owner = [[(-1, -1)] * n_cols for _ in range(n_rows)]
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for b in sorted(cell_boxes, key=lambda b: (b[1], b[0])):
        c0, c1 = idx(xs, b[0]), idx(xs, b[2])
        r0, r1 = idx(ys, b[1]), idx(ys, b[3])
        if c1 <= c0 or r1 <= r0 or owner[r0][c0] != (-1, -1):
            continue
        spans[(r0, c0)] = (r1, c1)
        for r in range(r0, r1):
            for c in range(c0, c1):
                if owner[r][c] == (-1, -1):
                    owner[r][c] = (r0, c0)
    # Positions no cell box covers (ragged rulings) become their own empty cells.
    for r in range(n_rows):
        for c in range(n_cols):
            if owner[r][c] == (-1, -1):
                owner[r][c] = (r, c)
                spans[(r, c)] = (r + 1, c + 1)

    buckets: dict[tuple[int, int], list[dict]] = {}
    for ch in chars:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        c = bisect_right(xs, cx) - 1
        if ch["text"] in HANGING_MARKS and 0 < c <= n_cols and ch["x0"] < xs[c] - 0.5:
            c -= 1
        r = bisect_right(ys, cy) - 1
        if 0 <= r < n_rows and 0 <= c < n_cols:
            buckets.setdefault(owner[r][c], []).append(ch)
    cells: list[list[str | None]] = [[None] * n_cols for _ in range(n_rows)]
    for (r, c) in spans:
        chs = buckets.get((r, c), [])
        cells[r][c] = clean_cell(join_wrapped([ln.text for ln in chars_to_lines(chs, split_gap=1e9)])) if chs else ""
    return GridTable(page, bbox, xs, cells, owner, row_edges=ys)


# A cell that names a table: "财政拨款政府性基金支出预算表", "收入预算总表（公开02表）".
_TITLE_CELL = re.compile(r"表(?:[（(][^）)]{0,12}[）)])?$")


def _title_row(row: list[str | None]) -> str | None:
    cells = [x for x in row if x]
    if len(cells) == 1 and 4 <= len(cells[0]) <= CAPTION_MAX_CHARS and _TITLE_CELL.search(cells[0]) \
            and not is_number(cells[0]) and not is_filing_line(cells[0]):
        return cells[0]
    return None


def _rows(g: GridTable, a: int, b: int) -> tuple[list[list[str | None]], list[list[tuple[int, int]]]]:
    """Rows a..b of a grid as a grid of their own: a cell merged from a row above a is cut,
    its part inside becomes an empty cell of its own."""
    cells = [list(row) for row in g.cells[a:b]]
    owner = []
    for r, row in enumerate(g.owner[a:b]):
        out = []
        for c, (r0, c0) in enumerate(row):
            if r0 >= a:
                out.append((r0 - a, c0))
            else:
                out.append((r, c))
                if cells[r][c] is None:
                    cells[r][c] = ""
        owner.append(out)
    return cells, owner


def compact_columns(g: GridTable, trailing: bool = True) -> GridTable:
    """Drop the column lines no cell of `g` ends at, and (with `trailing`) trailing columns with
    nothing in them: the rows of one table cut from a grid shared with another keep the other's
    lines, and would not line up with their own table's columns on the page before. A row with
    nothing printed in it keeps no line: a spreadsheet's ruled but unused rows are ruled by the
    sheet's own columns, which would cut in two every column of a table whose cells each span
    two of them (the row stays, as wide as the table's columns: an empty form's blank row is
    where its figures go). A grid with no rows left (a name and filing line whose table is
    overleaf) keeps its lines: they are all it has to meet its continuation by."""
    if not g.owner:
        return g
    n = g.n_cols
    printed = [r for r, row in enumerate(g.owner) if any(g.cells[r0][c0] for r0, c0 in row)]
    ruling = printed or range(len(g.owner))
    keep = [0] + [k for k in range(1, n) if any(g.owner[r][k] != g.owner[r][k - 1] for r in ruling)]
    while trailing and len(keep) > 1 and not any(row[c] for row in g.cells for c in range(keep[-1], n)):
        n = keep.pop()
    group = [bisect_right(keep, c) - 1 for c in range(n)]  # the kept column each column falls in
    owner = [[(row[k][0], group[row[k][1]]) for k in keep] for row in g.owner]
    cells = [[(g.cells[r][keep[j]] or "") if o == (r, j) else None for j, o in enumerate(row)]
             for r, row in enumerate(owner)]
    for r0, c0 in {o for row in owner for o in row}:
        if cells[r0][c0] is None:  # a blank row's cell begun at a line it did not keep
            cells[r0][c0] = ""
    g.col_edges, g.cells, g.owner = [g.col_edges[k] for k in keep] + [g.col_edges[n]], cells, owner
    g.bbox = (g.bbox[0], g.bbox[1], g.col_edges[-1], g.bbox[3])
    return g


def drop_margin_columns(header: list[list[str]], rows: list[list[str]]) -> tuple[list[list[str]], list[list[str]]]:
    """A table's first and last columns while nothing is printed in them, head or body, on any of
    its pages: a spreadsheet's margin columns ruled round its cells. Read once the table is whole
    (a column blank on one page may be filled on the next); inner blank columns stay."""
    grid = header + rows
    width = max((len(r) for r in grid), default=0)

    def blank(c: int) -> bool:
        return not any(c < len(r) and r[c].strip() for r in grid)
    a, b = 0, width
    while a < b and blank(a):
        a += 1
    while b > a and blank(b - 1):
        b -= 1
    if (a, b) in ((0, width), (width, width)):
        return header, rows
    return [r[a:b] for r in header], [r[a:b] for r in rows]


def split_at_titles(g: GridTable) -> list[GridTable]:
    """One ruling drawn round several tables (a spreadsheet printed page by page: the end of
    one table, then the next one's title, filing line and header in the same grid) → one grid
    per table, cut above each row that holds nothing but a table's title, which becomes the
    title of the table below it."""
    cuts = [r for r in range(1, len(g.cells)) if _title_row(g.cells[r])]
    if not cuts or len(g.row_edges) != len(g.cells) + 1:
        return [g]
    out = []
    for a, b in zip([0, *cuts], [*cuts, len(g.cells)], strict=True):
        title = g.title if a == 0 else _title_row(g.cells[a])
        first = a if a == 0 else a + 1
        if first >= b:
            continue
        cells, owner = _rows(g, first, b)
        out.append(compact_columns(GridTable(g.page, (g.bbox[0], g.row_edges[first], g.bbox[2], g.row_edges[b]),
                                             g.col_edges, cells, owner, title=title, unit=g.unit,
                                             row_edges=g.row_edges[first:b + 1])))
    return out


def strip_banner_rows(t: GridTable, caption: str | None = None, caption_is_heading: bool = False) -> None:
    """Leading rows that are not part of the table proper: empty rows, rows holding
    only the unit or filing details ("编制单位：…  单位：元") inside the ruling, and one
    cell across the whole table holding the table's name. Name and unit move to
    title/unit (the name inside the ruling beats a section heading printed above). When
    a proper caption is printed above and the full-width cell says something else with
    real header rows under it, it is a group header over every column and stays."""
    titled = False  # the name was taken from inside the ruling: a filing row may be all that is left
    while (len(t.cells) > 1 or (t.cells and titled)) and t.n_cols > 1:
        nonempty = [x for x in t.cells[0] if x]
        if not nonempty:
            _drop_first_row(t)
            continue
        text = nonempty[0]
        c0 = next(c for c, x in enumerate(t.cells[0]) if x)
        span = sum(1 for o in t.owner[0] if o == (0, c0))
        full_span = len(nonempty) == 1 and span >= 0.6 * t.n_cols
        filing = filing_row(nonempty)
        if filing is not None and not (full_span and split_banner(text)):
            unit = next((detect_unit(x) for x in nonempty if detect_unit(x)), None)
            t.unit = t.unit or unit
            t.filing += filing
            _drop_first_row(t)
            continue
        if full_span and len(t.cells) > 2 and (banner := split_banner(text)) is not None:
            # title, table number, 部门：… and 单位：… run together in one ruled cell
            title, filing, unit = banner
            t.title = t.title or title
            t.unit = t.unit or unit
            t.filing += filing
            _drop_first_row(t)
            continue
        below = [x for x in t.cells[1] if x] if len(t.cells) > 1 else []
        # a name and its filing line at the foot of a page, the table itself overleaf
        banner_only = len(t.cells) == 2 and filing_row(below) is not None
        if not (full_span and not is_number(text) and len(text) <= CAPTION_MAX_CHARS
                and (len(t.cells) > 2 or banner_only)):
            break
        if caption is None or caption_is_heading:
            t.title = t.title or text
        elif re.sub(r"\s+", "", caption) != re.sub(r"\s+", "", text):
            if filing_row(below) is None or not _title_row([text]):
                break  # a group header over every column
            t.title = text  # the table's own name, inside its ruling above its filing line
        titled = True
        _drop_first_row(t)


AGENCY_LABEL = V.AGENCY_LABEL_PATTERN
# "公开表一", "公开01表", "表3-1": a table's number beside its title
_TABLE_NUMBER = re.compile(rf"(?:公开|{V.kind_pattern()})?(?:附)?表\s*[0-9一二三四五六七八九十]+(?:[-－—.][0-9]+)?表?|公开\d+表")


def filing_row(cells: list[str]) -> list[str] | None:
    """cells.filing_row with the PDF reader's filing lines."""
    return cells_filing_row(cells, is_filing_line)


def split_banner(text: str) -> tuple[str | None, list[str], str | None] | None:
    """One ruled cell across a table holding its title, number and filing lines run together
    ("收支预算总表公开表一部门：某某办公厅单位：万元") → (title, ["部门：某某办公厅"], unit);
    None when the cell holds no filing label (a title or a group header alone)."""
    t = re.sub(r"\s+", "", text)
    label = re.search(rf"{AGENCY_LABEL}[:：]", t)
    if not label or not re.search(rf"{V.alternation(V.UNIT_LABELS)}[:：]", t):
        return None
    unit = detect_unit(t[t.rfind("：", label.end()) - 2:]) or detect_unit(t)
    title = _TABLE_NUMBER.sub("", t[: label.start()]).strip() or None
    rest = re.sub(rf"(?:{V.alternation(V.UNIT_LABELS)})[:：](?:{V.alternation(V.DECLARED_UNITS)})", "", t[label.start():])
    return title, [rest] if AGENCY_LABEL_RE.sub("", rest) else [], unit


def drop_empty_rows(rows: list[list[str]], pages: list[int]) -> tuple[list[list[str]], list[int]]:
    keep = [i for i, r in enumerate(rows) if any(x.strip() for x in r)]
    return [rows[i] for i in keep], [pages[i] for i in keep]


def _drop_first_row(t: GridTable) -> None:
    t.cells.pop(0)
    t.owner.pop(0)
    for r, row in enumerate(t.owner):
        for c, (r0, c0) in enumerate(row):
            if r0 == 0:  # covered by the dropped banner: becomes its own empty cell
                row[c] = (r, c)
                if t.cells[r][c] is None:
                    t.cells[r][c] = ""
            else:
                row[c] = (r0 - 1, c0)


def count_header_rows(t: GridTable) -> int:
    """Header = the leading rows without a number (at most MAX_HEADER_ROWS), and in a
    table with no numbers at all (an empty form or template) the rows implied by its
    structure: a row below a group cell spanning several columns, or one a header cell
    reaches down into, is still header."""
    n = len(t.cells)
    if n <= 1:
        return n
    rows = [[x or "" for x in row] for row in t.cells]
    # a total row ("合计" with its amounts left blank, as in a template) is never header
    total = next((r for r, row in enumerate(rows) if _is_total_row(row)), n)
    if any(is_number(x) for row in rows[: MAX_HEADER_ROWS + 1] for x in row):
        # the same rule as the text reader, so both readers cut the header alike
        header, _ = split_header(rows, MAX_HEADER_ROWS)
        return min(len(header), total)
    k = 1
    while k < min(n - 1, MAX_HEADER_ROWS):
        prev = t.owner[k - 1]
        group_above = any(prev[c] == prev[c + 1] and prev[c][0] == k - 1 for c in range(t.n_cols - 1))
        reaches = any(t.owner[k][c][0] < k for c in range(t.n_cols))
        if not (group_above or reaches):
            break
        k += 1
    if k == n - 1 and k < MAX_HEADER_ROWS and _splits_the_header(t, k):
        k = n  # a table printed with its header alone (nothing to report: an empty table and its note)
    return min(k, total) if total > 0 else k


def _splits_the_header(t: GridTable, k: int) -> bool:
    """Row k is the header's last row, not a body row: each of its positions is a header cell
    reaching down from above or lies under a cell of row k-1 spanning several columns, which it
    divides into columns of their own ("本年支出" over "合计 | 基本支出 | 项目支出"). A form's row
    under a merged value cell ("主管部门 | 某某局") has a label of its own in a column no group
    spans."""
    above, row = t.owner[k - 1], t.owner[k]
    under: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for c in range(t.n_cols):
        if row[c][0] < k:
            continue
        if sum(1 for o in above if o == above[c]) < 2:
            return False
        under.setdefault(above[c], set()).add(row[c])
    return bool(under) and all(len(cells) >= 2 for cells in under.values()) \
        and any(t.cells[r][c] for cells in under.values() for r, c in cells)


def _is_total_row(row: list[str]) -> bool:
    """"合计" / "总计" … followed by nothing but amounts or blanks."""
    cells = [x for x in row if x]
    return bool(cells) and cells[0] in TOTAL_LABELS and all(is_number(x) for x in cells[1:])


def resolve(t: GridTable, header_rows: int) -> tuple[list[list[str]], list[list[str]]]:
    """Header rows with merged cells repeated across their span (so each column reads
    its header path top-down); body rows with a merged cell's text printed once, in its
    first column, and "" elsewhere (columns never shift)."""
    header = [[t.cells[r0][c0] or "" for (r0, c0) in t.owner[r]] for r in range(header_rows)]
    body = [[(t.cells[r][c] or "") if t.owner[r][c] == (r, c) else "" for c in range(t.n_cols)]
            for r in range(header_rows, len(t.cells))]
    return header, body


def same_columns(a: list[float], b: list[float], tol: float = 4.0) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= tol for x, y in zip(a, b, strict=False))


def column_map(prev: list[float], cont: list[float], tol: float = 4.0) -> list[int] | None:
    """Where each column of a continuation lies in the previous table's columns, when
    the continuation's column edges are a subset of the previous table's (fewer edges:
    its only rows have merged cells, like a 合计 label across the code columns); None
    when the grids do not fit. Same edges give the identity."""
    if len(cont) > len(prev) or abs(prev[0] - cont[0]) > tol or abs(prev[-1] - cont[-1]) > tol:
        return None
    out: list[int] = []
    for x in cont[:-1]:
        j = min(range(len(prev)), key=lambda k: abs(prev[k] - x))
        if abs(prev[j] - x) > tol or (out and j <= out[-1]) or j == len(prev) - 1:
            return None
        out.append(j)
    return out


def norm_row(row: list[str]) -> tuple[str, ...]:
    return tuple(re.sub(r"\s+", "", x) for x in row)


def caption_above(lines: list[Line], table_top: float, x0: float, x1: float,
                  floor: float) -> tuple[str | None, str | None, list[int], list[int]]:
    """Caption and unit printed above a table: scan upward from the table through the
    lines between `floor` (the previous block's bottom) and the table top. Returns
    (title, unit, indices of the caption lines, indices of pure unit lines)."""
    above = [(i, ln) for i, ln in enumerate(lines)
             if floor - 1 <= ln.top and ln.bottom <= table_top + 2 and ln.x1 > x0 - 20 and ln.x0 < x1 + 20]
    above.sort(key=lambda p: -p[1].bottom)
    unit = None
    title = None
    title_idx: list[int] = []
    unit_idx: list[int] = []
    label = None
    lowest_top = table_top
    skip: set[int] = set()
    for k, (i, ln) in enumerate(above):
        if i in skip:
            continue
        if table_top - ln.bottom > CAPTION_MAX_GAP or lowest_top - ln.bottom > CAPTION_MAX_GAP / 2:
            break
        u = detect_unit(ln.text)
        if not u and unit is None and k + 1 < len(above):
            # the unit wrapped in a narrow cell ("单位：" / "万元"): its halves read as one line
            j, up = above[k + 1]
            joined = join_wrapped([up.text, ln.text])
            if (0 <= ln.top - up.bottom <= 0.5 * ln.size and len(joined) <= 12 and ln.x1 > up.x0 and ln.x0 < up.x1
                    and detect_unit(joined)):
                unit = detect_unit(joined)
                unit_idx += [i, j]
                skip.add(j)
                lowest_top = up.top
                continue
        if u and unit is None:
            unit = u
            if len(ln.text) <= 12:  # a line that only states the unit
                unit_idx.append(i)
            lowest_top = ln.top
            continue
        if CONTINUED_LINE.match(ln.text.replace(" ", "")):
            title_idx.append(i)
            lowest_top = ln.top
            continue
        if is_filing_line(ln.text):
            if is_table_label(ln.text):
                title_idx.append(i)
                label = label or tidy(ln.text)
            lowest_top = ln.top
            continue
        if len(ln.text) <= CAPTION_MAX_CHARS and not ln.text.endswith(("。", "；", "，", "：", ":")):
            up = next((u for _, u in above[k + 1:] if u.bottom <= ln.top + 1 and not detect_unit(u.text)), None)
            if up is not None and AGENCY_LABEL_RE.match(up.text) and abs(up.x0 - ln.x0) <= ln.size \
                    and ln.top - up.bottom <= ln.size:
                lowest_top = ln.top  # the end of a filing line broken in a narrow cell ("部门名称：江苏省人大 / 常委会办公厅")
                continue
            title = tidy(ln.text)
            title_idx.append(i)
            # a caption wrapped onto a second line: the line just above, in the same
            # type size, with no sentence end, is its first half
            if k + 1 < len(above):
                j, up = above[k + 1]
                if (ln.top - up.bottom <= 0.8 * ln.size and abs(up.size - ln.size) <= 0.1 * ln.size
                        and not up.text.endswith(("。", "；", "：", ":")) and not is_filing_line(up.text)
                        and len(up.text) + len(title) <= 2 * CAPTION_MAX_CHARS):
                    title = join_wrapped([up.text, title])
                    title_idx.append(j)
            title = CONTINUED_SUFFIX.sub("", title)
        break
    return title or label, unit, title_idx, unit_idx


def ruled_tables(edges: list[dict]) -> list[list[BBox]]:
    """pdfplumber's lattice finder (lines strategy, default tolerances) on edges given
    directly, so pages read with pdfium find the same tables as pages read with
    pdfplumber: edges snapped and joined, crossings, cells, cells grouped into tables."""
    from pdfplumber.table import (
        TableSettings,
        cells_to_tables,
        edges_to_intersections,
        intersections_to_cells,
        merge_edges,
    )
    from pdfplumber.utils import filter_edges

    s = TableSettings.resolve({"vertical_strategy": "lines", "horizontal_strategy": "lines"})
    edges = [e for e in edges if (e["height"] if e["orientation"] == "v" else e["width"]) >= s.edge_min_length_prefilter]
    edges = merge_edges(edges, snap_x_tolerance=s.snap_x_tolerance, snap_y_tolerance=s.snap_y_tolerance,
                        join_x_tolerance=s.join_x_tolerance, join_y_tolerance=s.join_y_tolerance)
    edges = filter_edges(edges, min_length=s.edge_min_length)
    cells = intersections_to_cells(edges_to_intersections(edges, s.intersection_x_tolerance,
                                                          s.intersection_y_tolerance))
    return cells_to_tables(drop_frames(cells))


def drop_frames(cells: list[BBox]) -> list[BBox]:
    """Cells that enclose other cells are frames, not cells: a box drawn round the whole
    page or round a table and its title (spreadsheet exports) would otherwise own every
    cell inside it and read the page as one cell."""
    def inside(a: BBox, b: BBox) -> bool:
        return a is not b and b[0] - 1 <= a[0] and a[2] <= b[2] + 1 and b[1] - 1 <= a[1] and a[3] <= b[3] + 1

    return [b for b in cells if sum(1 for a in cells if inside(a, b)) < 2]
