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
    # What the table is (summary, income, functional, gpb_functional, economic, three_public,
    # gov_fund, project, procurement, performance) and how many leading columns print its
    # classification code: the layout families reshape tables by these, never by their words.
    role: str = ""
    code_width: int = 0
    # the line above the grid: "填报单位：…" by default, "部门：…" in some layouts
    agency_label: str = "填报单位："
    unit_label: str = "单位："
    # Body row indexes a page break falls before, and whether the column headers repeat
    # after it (the PDF starts a new page, the text export prints a form feed).
    breaks: list[int] = field(default_factory=list)
    repeat_header: bool = True


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
    # block index -> (what it says, detail): units, units_item …, for the layout families to find
    tags: dict = field(default_factory=dict)
    # set by a layout family: how the PDF is drawn (data/renderers.py PdfStyle fields)
    pdf_style: dict = field(default_factory=dict)
    hard_wraps: dict = field(default_factory=dict)  # block index -> width: a paragraph broken into lines
    # set by a layout family: facts of the truth it cannot print ("functional.code", "units")
    unprintable: list = field(default_factory=list)

    def tag(self, what: str, detail=None):
        """Name the last block for the layout families: (what, detail)."""
        self.tags[len(self.blocks) - 1] = (what, detail)

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
