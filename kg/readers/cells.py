"""Table helpers shared by every reader (kg.readers.text and kg.readers.pdf).

Pure functions over cell strings. Numbers are never reformatted: "45,928.08" stays
"45,928.08" — parsing amounts is extraction's job, and the printed form is the evidence.
Signatures here are a contract with the PDF reader; extend, don't change them.
"""

from __future__ import annotations

import html
import re

from kg.vocab import AGENCY_LABEL_PATTERN, BARE_UNITS, DECLARED_UNITS, UNIT_LABEL, UNIT_LABEL_QUALIFIERS, alternation

# --- units -----------------------------------------------------------------------------

# 单位 followed directly by a colon (so "单位名称：" never matches), then a money unit.
_UNIT_RE = re.compile(
    rf"(?:{alternation(UNIT_LABEL_QUALIFIERS)})?{UNIT_LABEL}\s*[:：]\s*(?:人民币\s*)?({alternation(DECLARED_UNITS)})"
)
# A bare parenthesised unit on a line of its own, e.g. "（单位：万元）" or "(万元)".
_BARE_UNIT_RE = re.compile(rf"^[（(]\s*({alternation(BARE_UNITS)})\s*[)）]$")


def detect_unit(text: str | None) -> str | None:
    """The money unit a line or cell declares ("单位：万元" -> "万元"), or None."""
    if not text:
        return None
    t = text.strip()
    m = _UNIT_RE.search(t)
    if m:
        return m.group(1)
    m = _BARE_UNIT_RE.match(t)
    return m.group(1) if m else None


# Lines/cells that only carry table metadata (who filled it in, the unit, a table label).
_META_RE = re.compile(
    r"^(?:填报(?:部门|单位|日期|人)|编制(?:部门|单位|日期)|部门(?:（单位）|\(单位\))?名称|单位名称|预算单位|部门"
    r"|(?:公开|报送|打印)?日期)\s*[:：]"
)
_TABLE_LABEL_RE = re.compile(r"^(?:附)?表\s*[0-9一二三四五六七八九十]+(?:[-－—.][0-9]+)?$")


def is_meta_cell(s: str) -> bool:
    """A cell like "填报部门：xx", "单位：万元" or "表3" that describes the table, not data."""
    s = s.strip()
    return bool(s) and (detect_unit(s) is not None or bool(_META_RE.match(s)) or bool(_TABLE_LABEL_RE.match(s)))


# What names the agency in a table's filing line ("部门：", "编制单位：", "单位名称："): a label
# that ends in 部门 or 单位 (单位：万元 is the unit's line, told apart by what follows it).
AGENCY_LABEL_RE = re.compile(rf"^{AGENCY_LABEL_PATTERN}\s*[:：]\s*")


def filing_row(cells: list[str], is_filing=is_meta_cell) -> list[str] | None:
    """The filing lines a leading table row holds ("部门：" | "某某办公厅" | "单位：万元"),
    as text ("部门：某某办公厅"), or None when the row says something else. A row of units
    and table numbers alone is a filing row with nothing to print. `is_filing` says which
    other cells only file the table (each reader has its own list)."""
    out: list[str] = []
    k = 0
    while k < len(cells):
        x = cells[k]
        m = AGENCY_LABEL_RE.match(x)
        if m and detect_unit(x) is None:
            name = x[m.end():]
            if not name and k + 1 < len(cells) and not is_filing(cells[k + 1]) and not is_amount(cells[k + 1]):
                k += 1
                name = cells[k]
            if name:
                out.append(m.group(0).strip() + name.strip())
        elif not is_filing(x):
            return None
        k += 1
    return out


def is_table_label(s: str) -> bool:
    """"表1", "附表3", "表2-1": a table's number printed on its own."""
    return bool(_TABLE_LABEL_RE.match(s.strip()))


# --- cells -----------------------------------------------------------------------------

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_CJK_GAP_RE = re.compile(rf"(?<=[{_CJK}“”‘’])[ \u3000]+(?=[{_CJK}“”‘’])")
_CHECKED_RE = re.compile(r"<input\b[^>]*\bchecked\b[^>]*>", re.I)
_INPUT_RE = re.compile(r"<input\b[^>]*>", re.I)
_BREAK_TAG_RE = re.compile(r"</?(?:p|br|div|li|tr)\b[^>]*>", re.I)
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")
_LATEX = [
    (re.compile(r"\\geq?\b|\\geqslant\b"), "≥"),
    (re.compile(r"\\leq?\b|\\leqslant\b"), "≤"),
    (re.compile(r"\\neq?\b"), "≠"),
    (re.compile(r"\\times\b"), "×"),
    (re.compile(r"\\pm\b"), "±"),
    (re.compile(r"\\%"), "%"),
    (re.compile(r"\\([&$#_{}])"), r"\1"),
]
_LATEX_MATH_RE = re.compile(r"\$([^$]{0,80})\$")


def strip_markup(s: str) -> str:
    """Remove HTML tags (keeping their text; checkboxes become ☑/☐ because whether a
    box is ticked is the information), unescape entities, turn inline LaTeX math
    (\\geq, $...$) into the symbols it prints."""
    if "<" in s:
        s = _CHECKED_RE.sub("☑", s)
        s = _INPUT_RE.sub("☐", s)
        s = _BREAK_TAG_RE.sub(" ", s)
        s = _TAG_RE.sub("", s)
    if "&" in s:
        s = html.unescape(s)
    if "\\" in s or "$" in s:
        s = _LATEX_MATH_RE.sub(lambda m: m.group(1), s)
        for rx, rep in _LATEX:
            s = rx.sub(rep, s)
    return s


_NEEDS_WORK_RE = re.compile(r"[<&\\$\s\u00a0\u3000]")


def clean_cell(s: str | None) -> str:
    """A cell as printed, minus markup and layout spacing: tags stripped, whitespace
    collapsed, and the letter-spacing PDFs/exports put between CJK characters
    ("收 入 总 计" -> "收入总计") removed. Numbers are left untouched."""
    if not s:
        return ""
    if not _NEEDS_WORK_RE.search(s):
        return s  # the common case: a plain label or number
    s = strip_markup(s)
    s = s.replace("\u00a0", " ").replace("\r", " ").replace("\n", " ")
    s = re.sub(r"[ \t\u3000]+", " ", s).strip()
    if " " in s:
        s = _CJK_GAP_RE.sub("", s)
    return s


# --- numbers ---------------------------------------------------------------------------

_AMOUNT_RE = re.compile(
    r"^[-−–+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^\((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\)$"
)
_PERCENT_RE = re.compile(r"^(?:[≥≤><]=?)?[-−+]?\d+(?:\.\d+)?\s*%$")  # a target's "≥98%" is a figure too
_CODE_RE = re.compile(r"^\d{3}(?:\d{2}){0,2}$")  # 类 208 / 款 20801 / 项 2080109 ...
_YEAR_RE = re.compile(r"^(?:19|20)\d\d\s*年?(?:度)?$")


_FULLWIDTH = str.maketrans("０１２３４５６７８９，．－％（）", "0123456789,.-%()")


def is_amount(s: str | None) -> bool:
    """A number as budget tables print amounts: 1234, 1,234.56, -3.5, (12.00); full-width
    digits count too (the cell itself is never rewritten)."""
    return bool(s) and bool(_AMOUNT_RE.match(s.strip().translate(_FULLWIDTH)))


def is_percent(s: str | None) -> bool:
    return bool(s) and bool(_PERCENT_RE.match(s.strip().translate(_FULLWIDTH)))


def is_code(s: str | None) -> bool:
    """A classification code (功能/经济分类科目编码, 单位编码): 3, 5 or 7 digits."""
    return bool(s) and bool(_CODE_RE.match(s.strip()))


def _is_column_number_row(row: list[str]) -> bool:
    """The "1 2 3 4 ..." row some tables print under the header to number columns."""
    vals = [c.strip() for c in row if c.strip()]
    if len(vals) < 3 or not all(v.isdigit() for v in vals):
        return False
    nums = [int(v) for v in vals]
    return nums == list(range(nums[0], nums[0] + len(nums)))


def _is_data_row(row: list[str]) -> bool:
    cells = [c.strip() for c in row]
    if _is_column_number_row(cells):
        return False
    first = next((c for c in cells if c), "")
    if is_code(first) and any(c and not is_code(c) for c in cells[1:]):
        return True
    filled = [i for i, c in enumerate(cells) if c]
    if len(filled) == 1 and filled[0] <= 1 and re.sub(r"\s", "", first) in ("合计", "总计"):
        return True  # the total row of an empty table: data, even with no figures
    return any((is_amount(c) and not _YEAR_RE.match(c)) or is_percent(c) for c in cells)


def split_header(rows: list[list[str]], max_header: int = 6) -> tuple[list[list[str]], list[list[str]]]:
    """(header_rows, body_rows): the header is the leading rows before the first row that
    carries an amount/percentage or starts with a classification code. A table with no
    such row in reach is a form or an empty table: short ones are all header, longer
    ones keep only their first row as header."""
    if not rows:
        return [], []
    for i, row in enumerate(rows[: max_header + 1]):
        if _is_data_row(row):
            if i == 0:
                return [], [list(r) for r in rows]
            return [list(r) for r in rows[:i]], [list(r) for r in rows[i:]]
    if len(rows) <= 3:
        return [list(r) for r in rows], []
    return [list(rows[0])], [list(r) for r in rows[1:]]


# --- shape -----------------------------------------------------------------------------

def normalize_width(rows: list[list[str]]) -> list[list[str]]:
    """Pad every row to the table's width and drop trailing blank columns no row uses,
    so a column index means the same column in every row."""
    width = 0
    for r in rows:
        last = max((i for i, c in enumerate(r) if c.strip()), default=-1)
        width = max(width, last + 1)
    return [(list(r[:width]) + [""] * (width - len(r)))[:width] for r in rows]


def expand_merged_header(header: list[list[str]]) -> list[list[str]]:
    """Repeat merged header cells over their span, as the document model wants.

    Text exports print a merged cell once and leave its span blank. A cell spans the
    blank cells to its right when a lower header row has sub-column labels under them
    (that is what a horizontally merged group header looks like); a cell with nothing
    under it in the rows below spans downwards."""
    if not header:
        return []
    n = max(len(r) for r in header)
    rows = [list(r) + [""] * (n - len(r)) for r in header]
    out = [list(r) for r in rows]
    for r in range(len(rows) - 1):
        for c in range(n):
            if not rows[r][c].strip():
                continue
            j = c + 1
            while j < n and not rows[r][j].strip() and any(rows[k][j].strip() for k in range(r + 1, len(rows))):
                # don't swallow a column that has its own label higher up
                if any(rows[k][j].strip() for k in range(r)):
                    break
                out[r][j] = rows[r][c]
                j += 1
    # downward: a label with only blanks below it in the header covers those rows too
    for c in range(n):
        for r in range(len(out) - 1):
            if out[r][c].strip() and all(not out[k][c].strip() for k in range(r + 1, len(out))):
                for k in range(r + 1, len(out)):
                    out[k][c] = out[r][c]
                break
    return out


def build_table_rows(rows: list[list[str]], clean: bool = True) -> tuple[list[list[str]], list[list[str]]]:
    """Raw rows -> (header with merged cells expanded, body). The common tail of every
    reader's table construction; clean=False when the cells went through clean_cell already."""
    rows = normalize_width([[clean_cell(c) for c in r] for r in rows] if clean else rows)
    rows = [r for r in rows if any(c for c in r)]
    header, body = split_header(rows)
    # a "1 2 3 …" column-numbering row names nothing; keeping it would block merged-cell expansion
    header = [r for r in header if not _is_column_number_row(r)]
    return expand_merged_header(header), body
