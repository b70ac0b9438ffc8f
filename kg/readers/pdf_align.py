"""Tables printed without rulings, found by text alignment.

Used on pages where the lattice finder found no table. Rows are lines grouped by
vertical overlap (digits are sometimes set on a different baseline from the CJK text
beside them); a row with two or more separate chunks, one of them a number, is a table
row. Columns are the x-ranges that the data rows' chunks occupy (numbers are
right-aligned, labels left-aligned, so each column's chunks overlap one another and
columns are separated by white space), plus any header chunk standing over no data.
Every chunk is then placed by its x-position, which is what keeps a blank cell in its
column. A label wrapped around its number row (half above, half below, closer to it than
the row pitch) is joined back onto that row. A header printed as tiers of lines (group names
over the names of the columns they group, names spanning the rows between) is laid out as
the rows it was (_HeaderBand), and a table printed empty is read as its column names.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from statistics import median

from kg.readers.cells import detect_unit
from kg.readers.pdf_layout import Line, join_wrapped
from kg.readers.pdf_tables import GridTable, is_filing_line, is_number

MIN_COLUMNS = 3
MAX_HEADER_ROWS = 3
WRAP_GAP = 0.45  # glyph sizes between the lines of one wrapped cell


class _Row:
    def __init__(self, lines: list[Line]):
        self.lines = lines
        self.top = min(ln.top for ln in lines)
        self.bottom = max(ln.bottom for ln in lines)
        self.size = max(ln.size for ln in lines)
        self.chunks = sorted((c for ln in lines for c in ln.chunks), key=lambda c: c[1])
        self.x0 = min(ln.x0 for ln in lines)
        self.x1 = max(ln.x1 for ln in lines)
        # the extent of its words: digits set above or below the CJK baseline stretch the row,
        # and rows set close would seem to touch
        words = [ln for ln in lines if not all(is_number(t) for t, _, _ in ln.chunks)] or lines
        self.text_top = min(ln.top for ln in words)
        self.text_bottom = max(ln.bottom for ln in words)

    @property
    def numbers(self) -> int:
        return sum(1 for t, _, _ in self.chunks if is_number(t))

    def is_data(self) -> bool:
        return len(self.chunks) >= 2 and self.numbers >= 1

    def is_header_like(self) -> bool:
        return len(self.chunks) >= 2 and self.numbers == 0 and all(len(t) <= 20 for t, _, _ in self.chunks)


def visual_rows(lines: list[Line]) -> list[_Row]:
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: (ln.top, ln.x0)):
        if rows:
            last = rows[-1]
            top, bottom = min(x.top for x in last), max(x.bottom for x in last)
            if min(bottom, ln.bottom) - max(top, ln.top) >= 0.5 * min(ln.height, bottom - top):
                last.append(ln)
                continue
        rows.append([ln])
    return [_Row(r) for r in rows]


def find_aligned_tables(page: int, lines: list[Line]) -> list[GridTable]:
    rows = visual_rows(lines)
    tables: list[GridTable] = []
    used: set[int] = set()
    i = done = 0
    while i < len(rows):
        if not rows[i].is_data():
            i += 1
            continue
        last = i
        starts = {round(x0) for _, x0, _ in rows[i].chunks}
        k = i + 1
        while k < len(rows):
            if rows[k].top - rows[k - 1].bottom > 2.0 * rows[k - 1].size:
                break
            if rows[k].is_data() or (_label_fragment(rows[k]) and _aligned(rows[k], starts, rows[i].size)) \
                    or _code_end(rows[k], rows[k - 1], min(starts)):
                # a row of labels whose amounts are blank still starts where the table's cells start;
                # label rows passed over on the way here are inside the table now, and so are
                # the columns they start ("本级支出 | a name" wrapped round its amounts)
                starts.update(round(x0) for r in rows[last + 1:k + 1] for _, x0, _ in r.chunks)
                last = k
            elif k - last > 2 or not _label_fragment(rows[k]):
                break
            k += 1
        # rows of labels alone over the first row with amounts (a table continued from the page
        # before, its first rows' amounts blank) start where the table's labels start
        labels = {round(x0) for r in rows[i:last + 1] for t, x0, _ in r.chunks if not is_number(t)}
        first = i
        # (or the first lines of a cell wrapped round the amounts, closer above than rows are)
        while (first > done and _label_fragment(rows[first - 1])
               and ((_aligned(rows[first - 1], labels, rows[i].size)
                     and rows[first].top - rows[first - 1].bottom <= 0.8 * rows[first].size)
                    or _wrapped(rows[first - 1], rows[first]))):
            first -= 1
        # the last lines of the last row's wrapped cell, just as close under it
        while last + 1 < len(rows) and _label_fragment(rows[last + 1]) and _wrapped(rows[last], rows[last + 1]):
            last += 1
        h = _header_start(rows, first)
        t = _build(page, _header_bands(rows[max(h, done):first]), rows[first:last + 1])
        if t is not None:
            tables.append(t)
            used.update(range(max(h, done), last + 1))
        i = done = last + 1
    tables += _header_only_tables(page, rows, used)
    tables.sort(key=lambda t: t.bbox[1])
    return tables


def _header_only_tables(page: int, rows: list[_Row], used: set[int]) -> list[GridTable]:
    """Tables printed empty (nothing to report): a filing or unit line, then the column names in
    the table's type size, and no row of amounts under them (a note, the next title, the page's
    end). Their names are all there is to tell the table was printed."""
    out: list[GridTable] = []
    j = 0
    while j < len(rows):
        r = rows[j]
        if j in used or not r.chunks or not any(_meta(t) for t, _, _ in r.chunks):
            j += 1
            continue
        k = j + 1
        while (k < len(rows) and k not in used and _label_fragment(rows[k])
               and abs(rows[k].size - r.size) <= 0.1 * r.size
               and rows[k].top - rows[k - 1].bottom <= 2.0 * r.size
               and not any(_meta(t) for t, _, _ in rows[k].chunks)):
            k += 1
        if k < len(rows) and k not in used and rows[k].is_data():
            j = k  # a table's header, its rows under it: the main finder's (or no table)
            continue
        names = rows[j + 1:k]
        if names and sum(len(x.chunks) for x in names) >= 3 and any(len(x.chunks) >= 2 for x in names):
            t = _build_header_only(page, _header_bands(rows[j:k]))
            if t is not None:
                out.append(t)
                used.update(range(j, k))
        j = max(k, j + 1)
    return out


def _meta(text: str) -> bool:
    """A filing or unit line printed among the header's rows: no column's name."""
    return bool(detect_unit(text)) or is_filing_line(text)


def _names(bands: list[_HeaderBand]) -> list[tuple[float, float]]:
    """Where the header's column names stand: every name but a group's (it stands over the
    columns it groups, centred) and a filing or unit line."""
    return [(it.x0, it.x1) for b in bands for it in b.items if id(it) not in b.groups and not _meta(it.text)]


def _header_grid(cols: list[list[float]], bands: list[_HeaderBand]):
    """The column edges, the column finder, and the header bands laid out as GridTable rows."""
    n = len(cols)
    edges = [cols[0][0]] + [(cols[j][1] + cols[j + 1][0]) / 2 for j in range(n - 1)] + [cols[-1][1]]

    def col_of(x0: float, x1: float) -> int:
        return min(max(bisect_right(edges, (x0 + x1) / 2) - 1, 0), n - 1)

    cells: list[list[str | None]] = []
    owner: list[list[tuple[int, int]]] = []
    for b in bands:
        b.place(cols, col_of, cells, owner)
    return edges, col_of, cells, owner


def _build_header_only(page: int, header: list[_Row]) -> GridTable | None:
    size = median(r.size for r in header)
    bands = _group_bands(header)
    cols = _merge(_names(bands), 0.5 * size)
    if len(cols) < MIN_COLUMNS:
        return None
    edges, _, cells, owner = _header_grid(cols, bands)
    bbox = (min(r.x0 for r in header), header[0].top, max(r.x1 for r in header), header[-1].bottom)
    return GridTable(page, bbox, edges, cells, owner, aligned=True, source_lines=[ln for r in header for ln in r.lines])


def aligned_column_map(first: GridTable, g: GridTable) -> list[int] | None:
    """Where the columns of `g`, a page of a table printed without rules, fall among those of
    the table's first page `first`: found by where g's text stands, since a table keeps its
    columns' places from page to page while the edges measured from text move (a page without
    the header, or whose columns are blank, has fewer of them). None when g's columns do not
    fall one by one, in order, into first's."""
    if g.n_cols > first.n_cols:
        return None
    edges, tol = first.col_edges, 0.5 * median(ln.size for ln in g.source_lines) if g.source_lines else 4.0
    votes: list[Counter] = [Counter() for _ in range(g.n_cols)]
    for ln in g.source_lines:
        for _, x0, x1 in ln.chunks:
            centre = (x0 + x1) / 2
            if centre < edges[0] - tol or centre > edges[-1] + tol:
                return None
            j = min(max(bisect_right(g.col_edges, centre) - 1, 0), g.n_cols - 1)
            votes[j][min(max(bisect_right(edges, centre) - 1, 0), first.n_cols - 1)] += 1
    if not all(votes):
        return None
    cmap = [v.most_common(1)[0][0] for v in votes]
    return cmap if all(a < b for a, b in zip(cmap, cmap[1:], strict=False)) else None


def _wrapped(a: _Row, b: _Row, limit: float | None = None) -> bool:
    """b sits closer under a than two table rows ever do (cell padding keeps those apart): the
    next line of a cell wrapped over several lines. (A line of small digits alone measures a
    small glyph size: the larger of the two sizes counts.)"""
    return _gap(a, b) <= (WRAP_GAP * max(a.size, b.size) if limit is None else limit)


def _gap(a: _Row, b: _Row) -> float:
    """White space between a row and the next, measured between their words where both have
    some (so amounts set off the baseline do not close it)."""
    return b.text_top - a.text_bottom


def _wrap_bands(body: list[_Row]) -> list[_Row]:
    """Rows closer than the table's rows are to one another merged into one: the lines of a
    label or a code wrapped in a narrow cell around its amounts. A table set with no space
    between its rows (every gap alike) merges none."""
    gaps = [_gap(a, b) for a, b in zip(body, body[1:], strict=False)]
    if not gaps:
        return body
    limit = min(WRAP_GAP * max(r.size for r in body), 0.6 * max(gaps))
    out = [body[0]]
    for r in body[1:]:
        if _wrapped(out[-1], r, limit):
            out[-1] = _Row(out[-1].lines + r.lines)
        else:
            out.append(r)
    return out


def _header_start(rows: list[_Row], i: int) -> int:
    """The first header row over the data row rows[i]: up to MAX_HEADER_ROWS bands of column
    names, a band being rows so close they are one printed row whose cells wrap (a name wrapped
    onto a line of its own is a row of one piece), each band holding a row of several names."""
    h, bands = i, 0
    while h > 0 and bands < MAX_HEADER_ROWS:
        if rows[h].top - rows[h - 1].bottom > 2.0 * rows[h].size:
            break
        k = h - 1
        while k > 0 and _wrapped(rows[k - 1], rows[k]) and _label_fragment(rows[k - 1]):
            k -= 1
        band = rows[k:h]
        if not all(_label_fragment(r) for r in band) or not (any(r.is_header_like() for r in band)
                                                             or _side_by_side(band)
                                                             or (h < i and _group_name(band, rows[h]))):
            break
        h, bands = k, bands + 1
    return h


def _side_by_side(band: list[_Row]) -> bool:
    """A band whose lines each hold one piece, but pieces that stand side by side: a label
    centred beside a value wrapped over two lines (a form's "名称 | code and name" row),
    which no single line shows as a row of several names. Pieces stacked in one column (a
    unit line over its "万元") are not."""
    if len(band) < 2:
        return False
    merged = _Row([ln for r in band for ln in r.lines])
    if not merged.is_header_like() or any(_meta(t) for t, _, _ in merged.chunks):
        return False
    spans = _merge([(x0, x1) for _, x0, x1 in merged.chunks], 0.0)
    return len(spans) >= 2


def _group_name(band: list[_Row], below: _Row) -> bool:
    """A name alone on its row straight over a header row, in the header's type size: a header
    cell spanning the columns it groups ("“三公”经费" over its kinds), not the table's title
    (larger type), unit or filing line."""
    r = band[0]
    text = r.chunks[0][0]
    return (len(band) == 1 and len(r.chunks) == 1 and abs(r.size - below.size) <= 0.1 * below.size
            and below.top - r.bottom <= below.size and not _meta(text))


def _header_bands(rows: list[_Row]) -> list[_Row]:
    """Rows of one header band merged into one row, its wrapped pieces in reading order."""
    out: list[_Row] = []
    for r in rows:
        if out and _wrapped(out[-1], r):
            out[-1] = _Row(out[-1].lines + r.lines)
        else:
            out.append(r)
    return out


def _aligned(row: _Row, starts: set[int], size: float) -> bool:
    """Every piece of the row starts where a piece of the table's rows started (left-aligned
    labels)."""
    return all(any(abs(x0 - s) <= 0.5 * size for s in starts) for _, x0, _ in row.chunks)


def _code_end(row: _Row, above: _Row, left: float) -> bool:
    """The end of a code wrapped in the table's first column: digits alone at its left edge,
    closer under the line above than rows are."""
    return (len(row.chunks) == 1 and row.chunks[0][0].isdigit() and abs(row.chunks[0][1] - left) <= 0.5 * row.size
            and _wrapped(above, row))


def _label_fragment(row: _Row) -> bool:
    """A text-only row that may be part of a table: short pieces, no sentence end."""
    return row.numbers == 0 and all(len(t) <= 24 and not t.endswith("。") for t, _, _ in row.chunks)


def _merge(intervals: list[tuple[float, float]], tol: float) -> list[list[float]]:
    out: list[list[float]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1] + tol:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return out


def _build(page: int, header: list[_Row], body: list[_Row]) -> GridTable | None:
    body = _wrap_bands(body)
    data = [r for r in body if r.is_data()]
    if len(data) < 1 or len(header) + len(body) < 2:
        return None
    size = median(r.size for r in body)
    cols = _merge([(x0, x1) for r in data for _, x0, x1 in r.chunks], 0.3 * size)
    bands = _group_bands(header)
    # a group name stands over the columns it groups, centred: it makes no column of its own
    # (nor does a filing or unit line printed as the header's first row)
    _name_columns(cols, _names(bands), size)
    cols.sort()
    # two columns (a name and its amount, "项目 | 预算数") make a table only under a header naming both
    two = len(cols) == 2 and len(data) >= 2 and any(sum(1 for it in b.items if not _meta(it.text)) >= 2 for b in bands)
    if (len(cols) < MIN_COLUMNS and not two) or sum(r.numbers for r in data) < 2:
        return None
    n = len(cols)
    edges, col_of, cells, owner = _header_grid(cols, bands)

    # the row pitch: rows of labels alone (blank amounts) are rows too, so all rows measure it
    pitch = median([b.top - a.top for a, b in zip(body, body[1:], strict=False)] or [3 * size])
    body_rows: list[list[str]] = []
    prefix: list[str] | None = None
    for k, r in enumerate(body):
        row = _place(r, col_of, n)
        if r.is_data():
            if prefix is not None:
                row = [join_wrapped([p, v]) if p else v for p, v in zip(prefix, row, strict=True)]
                prefix = None
            body_rows.append(row)
            continue
        nxt = body[k + 1] if k + 1 < len(body) else None
        prev = body[k - 1] if k > 0 else None
        # lines closer than rows ever are: a label wrapped over the lines of its row
        if nxt is not None and nxt.is_data() and _wrapped(r, nxt):
            prefix = row if prefix is None else [join_wrapped([p, v]) for p, v in zip(prefix, row, strict=True)]
            continue
        if prev is not None and body_rows and prefix is None and _wrapped(prev, r):
            body_rows[-1] = [join_wrapped([a, v]) if v else a for a, v in zip(body_rows[-1], row, strict=True)]
            continue
        # a label wrapped around its number row: the first half sits just above the row
        # (closer than the row pitch) over a blank label cell, the rest just below it
        d_prev = r.top - prev.top if prev is not None and prev.is_data() else float("inf")
        d_next = nxt.top - r.top if nxt is not None and nxt.is_data() else float("inf")
        if d_next < min(d_prev, 0.8 * pitch):
            below = _place(nxt, col_of, n)
            if all(not below[c] for c, v in enumerate(row) if v):
                prefix = row
                continue
        if d_prev < 0.8 * pitch and body_rows:
            body_rows[-1] = [join_wrapped([a, v]) if v else a for a, v in zip(body_rows[-1], row, strict=True)]
            continue
        body_rows.append(row)
    if prefix is not None:
        body_rows.append(prefix)
    for row in body_rows:
        cells.append(list(row))
        owner.append([(len(cells) - 1, c) for c in range(n)])

    top = (header[0] if header else body[0]).top
    bbox = (min(r.x0 for r in header + body), top, max(r.x1 for r in header + body), body[-1].bottom)
    return GridTable(page, bbox, edges, cells, owner, aligned=True,
                     source_lines=[ln for r in header + body for ln in r.lines])


class _Item:
    """One name of a header band: a chunk, or the lines of one name wrapped in its cell."""

    def __init__(self, text: str, x0: float, x1: float, top: float, bottom: float):
        self.text, self.x0, self.x1, self.top, self.bottom = text, x0, x1, top, bottom

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


def _group_bands(header: list[_Row]) -> list[_HeaderBand]:
    """The header's bands, a band of group names alone joined to the band under it: without a
    name spanning both rows between them, the row of groups ("收入 | 支出") and the row of
    their columns' names are bands apart."""
    out: list[_HeaderBand] = []
    k = 0
    while k < len(header):
        if k + 1 < len(header):
            joined = _HeaderBand(_Row(header[k].lines + header[k + 1].lines))
            upper = {id(ln) for ln in header[k].lines}
            tops = [it for it in joined.items if any(id(ln) in upper and ln.top <= it.top < ln.bottom
                                                         for ln in header[k].lines)]
            if tops and all(id(it) in joined.groups and not _meta(it.text) for it in tops):
                out.append(joined)
                k += 2
                continue
        out.append(_HeaderBand(header[k]))
        k += 1
    return out


class _HeaderBand:
    """A header band's names and how they nest. Printed without rules, a header of several rows
    is one band of lines: a group name ("基本支出") sits on the upper row, centred over the names
    of the columns it groups (小计, 人员经费, 公用经费) on the lower one, and a name spanning
    both rows ("合计") is centred between them. A group is a name with two or more names wholly
    below it between its neighbours on its own level (the nearest names beside it that share
    some of its height): the band then prints as one header row per level, a group's cell
    spanning its members' columns, any other name reaching down to the last row."""

    def __init__(self, r: _Row):
        self.size = r.size
        items: list[_Item] = []
        for ln in sorted(r.lines, key=lambda ln: ln.top):
            for text, x0, x1 in ln.chunks:
                # the next line of a name wrapped in its cell: just under it, about as centred
                above = next((it for it in reversed(items)
                              if 0 <= ln.top - it.bottom <= WRAP_GAP * r.size
                              and abs((x0 + x1) / 2 - it.centre) <= r.size and x0 < it.x1 and x1 > it.x0), None)
                if above is not None:
                    above.text = join_wrapped([above.text, text])
                    above.x0, above.x1, above.bottom = min(above.x0, x0), max(above.x1, x1), max(above.bottom, ln.bottom)
                else:
                    items.append(_Item(text, x0, x1, ln.top, ln.bottom))
        self.items = items
        below: dict[int, list[_Item]] = {}
        bottom = max((it.bottom for it in items), default=0.0)

        def alone(it: _Item) -> bool:  # nothing above or below it: a name spanning the rows it stands in
            return not any(o is not it and o.x0 < it.x1 and o.x1 > it.x0 and (o.bottom <= it.top or o.top >= it.bottom)
                           for o in items)

        for g in items:
            # its neighbours: names sharing some of its height, and names spanning the rows from its
            # own down to the header's last (centred between them, they may share none of it)
            middle = (g.top + bottom) / 2
            beside = [it for it in items if it is not g and ((it.top < g.bottom and it.bottom > g.top)
                      or (alone(it) and abs((it.top + it.bottom) / 2 - middle) <= 0.5 * r.size))]
            left = max((it.x1 for it in beside if it.x1 <= g.centre), default=float("-inf"))
            right = min((it.x0 for it in beside if it.x0 >= g.centre), default=float("inf"))
            under = [it for it in items if it.top >= g.bottom - 0.1 * r.size and left <= it.centre <= right]
            if len(under) >= 2:
                below[id(g)] = under
        # a name under two groups of one level ("项目" of 支出, left of where "支出" starts) is
        # the nearer one's
        self.groups: dict[int, list[_Item]] = {}
        for g in items:
            if id(g) not in below:
                continue
            rivals = [o for o in items if id(o) in below and o is not g and o.top < g.bottom and o.bottom > g.top]
            mine = [it for it in below[id(g)]
                    if all(it not in below[id(o)] or abs(it.centre - g.centre) <= abs(it.centre - o.centre)
                           for o in rivals)]
            if len(mine) >= 2:
                self.groups[id(g)] = mine

    def place(self, cols: list[list[float]], col_of, cells: list, owner: list) -> None:
        """Append the band's header rows to cells/owner (GridTable's merged-cell layout)."""
        n = len(cols)
        depth = {id(it): sum(1 for g in self.items if id(g) in self.groups and it in self.groups[id(g)])
                 for it in self.items}
        levels = 1 + max(depth.values(), default=0)
        first = len(cells)
        rows: list[list[str | None]] = [[""] * n for _ in range(levels)]
        own = [[(first + k, c) for c in range(n)] for k in range(levels)]
        for it in sorted(self.items, key=lambda it: (it.top, it.x0)):
            k = depth[id(it)] if levels > 1 else 0
            if id(it) in self.groups and levels > 1:
                members = [col_of(m.x0, m.x1) for m in self.groups[id(it)]]
                span, down = list(range(min(members), max(members) + 1)), k
            else:
                span = [c for c in range(n) if it.x0 < cols[c][1] and it.x1 > cols[c][0]] or [col_of(it.x0, it.x1)]
                down = levels - 1
            c0 = span[0]
            rows[k][c0] = join_wrapped([rows[k][c0] or "", it.text])
            for kk in range(k, down + 1):
                for c in span:
                    if (kk, c) != (k, c0):
                        rows[kk][c] = None
                        own[kk][c] = (first + k, c0)
        cells.extend(rows)
        owner.extend(own)


def _name_columns(cols: list[list[float]], named: list[tuple[float, float]], size: float) -> None:
    """Fit the header's names to the data's columns. A name standing over part of a column names
    it. A name over no column is centred in its cell while the cell's contents are set flush to
    one side (labels left, amounts right): it names the column beside it that no other name
    stands over, when the cell that centring implies (from that column's flush edge, as far
    again past the name's centre) keeps clear of the column on the other side. A name fitting
    neither neighbour stands over a column blank in every row, which it makes."""
    def over(x0: float, x1: float, c: list[float]) -> bool:
        return x0 < c[1] + 0.5 * size and x1 > c[0] - 0.5 * size

    claimed = {id(c) for c in cols if any(over(x0, x1, c) for x0, x1 in named)}
    for x0, x1 in sorted(named):
        if any(over(x0, x1, c) for c in cols):
            continue
        centre = (x0 + x1) / 2
        left = max((c for c in cols if c[1] <= x0), key=lambda c: c[1], default=None)
        right = min((c for c in cols if c[0] >= x1), key=lambda c: c[0], default=None)
        options = []
        if right is not None and id(right) not in claimed \
                and (left is None or left[1] <= 2 * centre - right[1] + 0.5 * size):
            options.append((right[0] - x1, right))
        if left is not None and id(left) not in claimed \
                and (right is None or right[0] >= 2 * centre - left[0] - 0.5 * size):
            options.append((x0 - left[1], left))
        if options:
            _, c = min(options, key=lambda o: o[0])
            c[0], c[1] = min(c[0], x0), max(c[1], x1)
            claimed.add(id(c))
        else:
            cols.append([x0, x1])
            claimed.add(id(cols[-1]))


def _place(r: _Row, col_of, n: int) -> list[str]:
    row = [""] * n
    for text, x0, x1 in (c for ln in sorted(r.lines, key=lambda ln: ln.top) for c in ln.chunks):
        c = col_of(x0, x1)
        row[c] = join_wrapped([row[c], text])
    return row
