"""The document model every part writes into and every renderer reads: a title and a list of
blocks (headings, paragraphs, tables), plus the quirks of converted text exports."""

from __future__ import annotations

from dataclasses import dataclass, field

CN_NUM = "一二三四五六七八九十"


def cn(n: int) -> str:
    """1..99 as Chinese numerals (section numbering)."""
    if n <= 10:
        return CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUM[tens - 1]) + "十" + (CN_NUM[ones - 1] if ones else "")


@dataclass
class Table:
    title: str  # the table's own title row (收支总表 …)
    header: list[list[str]]  # "<" = merged with the cell on the left, "^" = with the cell above
    rows: list[list[str]]
    unit: str
    agency: str
    numeric_from: int = 2  # first column that holds amounts (right-aligned in the PDF)
    note: str | None = None
    widths: list[float] | None = None


@dataclass
class Doc:
    stem: str
    title: str
    blocks: list = field(default_factory=list)  # ("h1"|"h2"|"h3"|"p", text) or ("table", Table)
    truth: dict = field(default_factory=dict)
    # text-export quirks of converted documents: a paragraph cut by a page break (block
    # index -> cut position) and form feeds before the parts
    breaks: dict = field(default_factory=dict)
    form_feeds: bool = False

    def h1(self, t):
        self.blocks.append(("h1", t))

    def h2(self, t):
        self.blocks.append(("h2", t))

    def h3(self, t):
        self.blocks.append(("h3", t))

    def p(self, t):
        self.blocks.append(("p", t))

    def table(self, t: Table):
        self.blocks.append(("table", t))
