"""Pure layout helpers for the PDF reader: characters -> lines, running headers and
footers and paragraphs (which lines are headings: kg.readers.outline).

Everything here works on plain dicts/dataclasses (pdfplumber's char dicts in, `Line`s
out) so it can be tested without a PDF. Positions are PDF points, top-down.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from kg.readers.outline import outline_marker

# CJK ideographs, CJK punctuation and full-width forms: no space belongs between these.
_CJK = "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_CJK_RE = re.compile(f"[{_CJK}]")
_SPACE_CJK_CJK = re.compile(f"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
# "2024 年" / "年 2024" / "307.82 万元": PDF writers (WPS) put real spaces between CJK and digits.
_SPACE_CJK_NUM = re.compile(f"(?<=[{_CJK}])[ \t]+(?=[0-9%])|(?<=[0-9%])[ \t]+(?=[{_CJK}])")

# A line ending in one of these closes a clause: the next line may well start a paragraph.
CLAUSE_END = tuple("。！？；：!?;:")
_LEADING_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,%／/\-]*")

PAGE_NUMBER = re.compile(
    r"^(第\s*\d+\s*页(\s*[/，,]?\s*共\s*\d+\s*页)?|[-—–－]\s*\d+\s*[-—–－]|\d{1,4}|\d+\s*/\s*\d+"
    r"|page\s*\d+(\s*of\s*\d+)?)$",
    re.IGNORECASE,
)


_SPACE_PERCENT = re.compile(r"(?<=[0-9])[ \t]+(?=%)")


def tidy(text: str) -> str:
    """Collapse whitespace and drop spaces that a PDF puts between CJK characters (and
    between CJK and digits), keeping spaces between Latin words and between numbers."""
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    text = _SPACE_CJK_CJK.sub("", text)
    text = _SPACE_PERCENT.sub("", text)
    return _SPACE_CJK_NUM.sub("", text)


def join_wrapped(parts: list[str]) -> str:
    """Join pieces of one logical text that were broken over lines: no space where
    either side is CJK, one space otherwise (Latin words, numbers)."""
    out = ""
    for p in (tidy(p) for p in parts):
        if not p:
            continue
        if out and not (_CJK_RE.match(out[-1]) or _CJK_RE.match(p[0])):
            out += " "
        out += p
    return out


@dataclass
class Line:
    """One printed line segment: characters on the same baseline band with no wide gap."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float  # median glyph height, a stand-in for the font size
    # pieces separated by at least CHUNK_GAP glyphs of white space: the cells of a row
    # when the line belongs to a table printed without rulings
    chunks: list[tuple[str, float, float]] = field(default_factory=list, repr=False, compare=False)

    @property
    def height(self) -> float:
        return self.bottom - self.top


def group_rows(items: list[dict], key_top: str = "top", key_bottom: str = "bottom") -> list[list[dict]]:
    """Group boxes into rows by vertical overlap, not exact `top`: some writers set
    digits on a different baseline from the CJK text beside them."""
    rows: list[list[dict]] = []
    bands: list[tuple[float, float]] = []
    for it in sorted(items, key=lambda c: (c[key_top], c["x0"])):
        t, b = it[key_top], it[key_bottom]
        h = max(b - t, 0.1)
        if bands:
            bt, bb = bands[-1]
            overlap = min(b, bb) - max(t, bt)
            if overlap >= 0.5 * min(h, bb - bt):
                rows[-1].append(it)
                bands[-1] = (min(bt, t) if len(rows[-1]) < 3 else bt, max(bb, b) if len(rows[-1]) < 3 else bb)
                continue
        rows.append([it])
        bands.append((t, b))
    return rows


def chars_to_lines(chars: list[dict], split_gap: float = 2.5) -> list[Line]:
    """Characters -> lines in reading order. A horizontal gap wider than `split_gap`
    times the glyph size splits a row into separate segments ("编制单位：…" on the left,
    "单位：元" on the right)."""
    lines: list[Line] = []
    visible = [c for c in chars if c.get("text", "").strip()]
    for row in group_rows(visible):
        row.sort(key=lambda c: c["x0"])
        size = sorted(c["bottom"] - c["top"] for c in row)[len(row) // 2] or 1.0
        row = dedupe(row, size)
        seg: list[dict] = []
        for c in row:
            if seg and c["x0"] - seg[-1]["x1"] > split_gap * size:
                lines.append(_make_line(seg, size))
                seg = []
            seg.append(c)
        if seg:
            lines.append(_make_line(seg, size))
    lines.sort(key=lambda ln: (round(ln.top), ln.x0))
    return lines


CHUNK_GAP = 0.7


def dedupe(row: list[dict], size: float) -> list[dict]:
    """Drop a glyph printed again on top of itself (fake bold: the same character
    drawn twice a fraction of a point apart), which would otherwise read "预预算算"."""
    out: list[dict] = []
    for c in row:
        if out:
            p = out[-1]
            if (c["text"] == p["text"] and abs(c["x0"] - p["x0"]) < 0.3 * size
                    and abs(c["top"] - p["top"]) < 0.3 * size):
                continue
        out.append(c)
    return out


def _make_line(seg: list[dict], size: float) -> Line:
    parts = [seg[0]["text"]]
    chunks: list[tuple[str, float, float]] = []
    start = 0
    for k, (prev, c) in enumerate(zip(seg, seg[1:], strict=False), 1):
        gap = c["x0"] - prev["x1"]
        if gap > 0.25 * size:
            parts.append(" ")
        if gap >= CHUNK_GAP * size:
            chunks.append(_chunk(seg[start:k], size))
            start = k
        parts.append(c["text"])
    chunks.append(_chunk(seg[start:], size))
    return Line(tidy("".join(parts)), min(c["x0"] for c in seg), min(c["top"] for c in seg),
                max(c["x1"] for c in seg), max(c["bottom"] for c in seg), size, chunks)


def _chunk(seg: list[dict], size: float) -> tuple[str, float, float]:
    parts = [seg[0]["text"]]
    for prev, c in zip(seg, seg[1:], strict=False):
        if c["x0"] - prev["x1"] > 0.25 * size:
            parts.append(" ")
        parts.append(c["text"])
    return tidy("".join(parts)), seg[0]["x0"], max(c["x1"] for c in seg)


_CID = re.compile(r"\(cid:\d+\)")


def garbled_share(text: str) -> float:
    """Share of characters with no usable Unicode mapping: U+FFFD, private-use code
    points, control characters, and pdfminer's "(cid:123)" placeholders. Fonts
    embedded without a ToUnicode map give text like this."""
    cids = _CID.findall(text)
    text = _CID.sub("", text)
    bad = sum(1 for ch in text if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff" or (ord(ch) < 32 and ch not in "\t\n\r"))
    total = len(text) + len(cids)
    return (bad + len(cids)) / total if total else 0.0


def _stray(ch: str) -> bool:
    """A character a font without its Unicode map yields in place of CJK text: its
    one-byte codes read as themselves (C0/C1 controls, Latin-1 and Latin Extended
    letters, spacing modifiers), private-use code points and U+FFFD."""
    o = ord(ch)
    return (o < 32 and ch not in "\t\n\r") or 0x7F <= o <= 0x24F or 0x2B0 <= o <= 0x2FF \
        or 0xE000 <= o <= 0xF8FF or ch == "\ufffd"


def readable_letters(text: str) -> tuple[int, int]:
    """(letters a reader can read, stray characters) in `text`: the first are CJK
    ideographs and ASCII letters; digits and punctuation count as neither (a page of
    numbers alone says nothing). "(cid:N)" placeholders are stray."""
    stray = len(_CID.findall(text))
    text = _CID.sub("", text)
    letters = 0
    for ch in text:
        if ("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"
                or ch.isascii() and ch.isalpha()):
            letters += 1
        elif _stray(ch):
            stray += 1
    return letters, stray


def _running_key(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def running_lines(pages: list[tuple[float, list[Line]]], margin: float = 0.12,
                  edge_lines: int = 2, min_share: float = 0.3) -> list[set[int]]:
    """Indices (per page) of running headers/footers and page numbers.

    A line counts when it is among the first or last `edge_lines` lines of its page, lies
    in the top or bottom `margin` of the page, and either looks like a page number or
    (digits ignored) recurs at the page edge on at least `min_share` of the pages (and on
    two or more)."""
    candidates: list[list[tuple[int, str]]] = []
    counts: Counter = Counter()
    for height, lines in pages:
        cand = []
        n = len(lines)
        edge = set(range(min(edge_lines, n))) | set(range(max(0, n - edge_lines), n))
        for i in sorted(edge):
            ln = lines[i]
            if ln.bottom <= height * margin or ln.top >= height * (1 - margin):
                cand.append((i, _running_key(ln.text)))
        candidates.append(cand)
        counts.update({k for _, k in cand})
    n_pages = sum(1 for _, lines in pages if lines)
    need = max(2, min_share * n_pages)
    # The cover prints the title below the edge, the later pages repeat it as their running
    # header: in a two-page file that header is on one page only, so the title counts as a
    # second printing of it (page 1's first line, or its first two when the title wraps).
    cover = next((i for i, (_, lines) in enumerate(pages) if lines), None)
    if cover is not None:
        first = pages[cover][1]
        on_edge = {k for _, k in candidates[cover]}
        for title in {_running_key(first[0].text), _running_key(first[0].text + "".join(ln.text for ln in first[1:2]))}:
            if title in counts and title not in on_edge:
                counts[title] += 1
    drop: list[set[int]] = []
    for (_height, lines), cand in zip(pages, candidates, strict=False):
        d = set()
        for i, k in cand:
            # an amount alone at a page's foot is a table's last row, however often one ends there
            # (digits ignored, every amount looks alike): only a line with words can run
            if PAGE_NUMBER.match(lines[i].text) or (counts[k] >= need and re.search(r"[^\W\d_]", k)):
                d.add(i)
        drop.append(d)
    return drop


def margins(lines: list[Line]) -> tuple[float, float]:
    """Left and right text margins of a page: the most common left edge (body text is
    flush left) and a high percentile of right edges (full lines reach the margin)."""
    if not lines:
        return 0.0, 0.0
    xs = Counter(round(ln.x0) for ln in lines)
    common = [x for x, c in xs.most_common() if c >= 2]
    left = min(common[:3]) if common else min(round(ln.x0) for ln in lines)
    rights = sorted(ln.x1 for ln in lines)
    right = rights[int(0.9 * (len(rights) - 1))]
    return float(left), right


def starts_paragraph(prev: Line, cur: Line, left: float, right: float) -> bool:
    """Whether `cur` begins a new paragraph rather than continuing `prev`."""
    size = max(cur.size, 1.0)
    if cur.x0 - left >= 1.2 * size:  # indented first line
        return True
    if outline_marker(cur.text):
        return True
    if abs(cur.size - prev.size) > 0.25 * size:
        return True
    if prev.x1 < right - 2.0 * size:  # previous line stopped short of the margin ...
        # ... unless the next line opens with a number or Latin word too wide to have
        # fitted in the space left ("…支持企业协同化发展" / "180.00万，…")
        m = _LEADING_TOKEN.match(cur.text)
        room = (0.6 * len(m.group()) + 2.5) * size if m else 0.0
        if prev.text.endswith(CLAUSE_END) or right - prev.x1 >= room:
            return True
    # a sentence end short of the margin (by more than ragged-right wrapping leaves)
    if prev.text.endswith(CLAUSE_END) and prev.x1 < right - 1.5 * size:
        return True
    return False


def usual_gap(lines: list[Line]) -> float:
    """The page's ordinary white space between consecutive lines of text (documents
    set anywhere from single to double line spacing)."""
    gaps = sorted(b.top - a.bottom for a, b in zip(lines, lines[1:], strict=False)
                  if 0 <= b.top - a.bottom < 3 * max(a.size, 1.0))
    return gaps[len(gaps) // 2] if gaps else 0.0


def new_paragraph_by_gap(prev: Line, cur: Line, usual: float = 0.0) -> bool:
    gap = cur.top - prev.bottom
    limit = max(1.0 * max(prev.height, cur.height), usual + 0.6 * cur.size)
    return gap > limit or gap < -0.5 * cur.height
