"""The document model every reader produces and every later stage reads.

Plain dataclasses, pdfplumber-style: each block knows the page it was printed on and,
for PDF input, its bounding box, so any extracted figure can be traced to where it
was printed. Readers (kg.readers.pdf, kg.readers.text) are the only producers; extraction, chunking and
the API only read it. Numbers stay as printed (strings); parsing is extraction's job.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points, page-relative

# Two versions travel with every Document into the archive (kg.archive) and onto its disclosure
# in the graph, so a database knows which of its files were read by an older reader and
# `budgetkg ingest` re-reads them although their bytes (sha256) did not change.
# MODEL_VERSION: the shape of this model (a field added, renamed or given a new meaning).
# READER_VERSION: what the readers (kg/readers) make of a file — bump it with any reader change
# that can read an unchanged file differently.
MODEL_VERSION = 1
READER_VERSION = 10  # 2: frames, filing lines kept as text, banner cells split; tab title rows, repeated-header continuations
# 3: a PDF grid's column lines ruled only by its banner or blank rows are dropped (spreadsheet sheets)
# 4: a closing mark hung past a PDF cell's column line is read in the cell it ends (hanging punctuation)
# 5: a PDF table's columns blank from head to foot at either edge are dropped (spreadsheet margins)
# 6: running headers: the cover title repeated at a later page's edge (PDF), running lines of form-feed text
# 7: a table's header printed again over a page break is dropped as deep as the table's header (forms whose
#    first rows are header); an empty PDF table keeps its last header row (under a group it divides)
# 8: PDF tables without column lines: cells apart by their padding alone, label rows with blank amounts, cells
#    wrapped over lines, group names over a header row; a unit wrapped in a narrow cell
# 9: PDF tables without column lines: a form label centred beside its wrapped value is a header row, a label
#    wrapped round its amounts after a row of amounts alone, a short name centred over wider amounts names them
# 10: PDF tables without column lines: group names over the columns they group (multi-row headers), names
#     centred in wide cells name the column beside them, tables printed empty; an amount alone at a page's
#     foot is no running line; a continuation under a repeated title tolerates wider edge drift; two-column
#     tables under a header naming both; a cell wrapped round a page's first or last row; a group's span bounded by
#     names spanning the rows below it; rows told apart by their words' gap (digits off the baseline); a page
#     continued without its header placed by its text; text exports: a headless page narrower than its table


def current_versions() -> tuple[int, int]:
    """(MODEL_VERSION, READER_VERSION) as they are now (read at call time)."""
    return (MODEL_VERSION, READER_VERSION)


@dataclass
class Heading:
    level: int  # 1 = 第一部分 / "#", 2 = 一、 / "##", 3 = （一） / "###" ...
    text: str
    page: int
    bbox: BBox | None = None
    type: str = "heading"


@dataclass
class Paragraph:
    text: str
    page: int
    bbox: BBox | None = None
    type: str = "paragraph"


@dataclass
class Table:
    """One logical table. A table continued over a page break is ONE Table whose
    `pages` lists every page it spans and whose `row_pages` gives each body row's page.

    `header` holds the header rows (merged cells repeated into every column they span,
    so each column's header path can be read top-down); `rows` holds body rows, each a
    list of cell strings as printed ("" for a blank cell: columns never shift).
    """

    header: list[list[str]]
    rows: list[list[str]]
    page: int  # first page
    title: str | None = None
    unit: str | None = None  # as printed: "万元", "元", ...
    pages: list[int] = field(default_factory=list)
    row_pages: list[int] = field(default_factory=list)
    bbox: BBox | None = None
    type: str = "table"

    def __post_init__(self) -> None:
        if not self.pages:
            self.pages = [self.page]
        if not self.row_pages:
            self.row_pages = [self.page] * len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.header + self.rows), default=0)

    def column_names(self) -> list[str]:
        """One name per column: the header path joined top-down with '/', duplicates
        from merged cells collapsed ("本年收入/一般公共预算")."""
        names = []
        for c in range(self.n_cols):
            parts: list[str] = []
            for hr in self.header:
                v = hr[c].strip() if c < len(hr) else ""
                if v and (not parts or parts[-1] != v):
                    parts.append(v)
            names.append("/".join(parts))
        return names


Block = Heading | Paragraph | Table


@dataclass
class Page:
    number: int  # 1-based, as the reader counts pages (text exports: form-feed pages or 1)
    blocks: list[Block] = field(default_factory=list)
    width: float | None = None
    height: float | None = None


@dataclass
class Document:
    source_file: str  # base name of the ingested file
    sha256: str
    pages: list[Page]
    media_type: str = "text/plain"  # or "application/pdf"
    warnings: list[str] = field(default_factory=list)
    # looked up when a Document is made, so a reader's version is the one in force then
    model_version: int = field(default_factory=lambda: MODEL_VERSION)
    reader_version: int = field(default_factory=lambda: READER_VERSION)

    @property
    def read_by_current_reader(self) -> bool:
        return (self.model_version, self.reader_version) >= current_versions()

    def blocks(self) -> Iterator[Block]:
        for p in self.pages:
            yield from p.blocks

    def tables(self) -> list[Table]:
        return [b for b in self.blocks() if isinstance(b, Table)]

    def text(self) -> str:
        """Plain text of headings and paragraphs, in reading order (no tables)."""
        return "\n".join(b.text for b in self.blocks() if not isinstance(b, Table))

    # --- serialization: the store keeps each document model as JSON -----------------
    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict) -> Document:
        pages = []
        for p in d["pages"]:
            blocks: list[Block] = []
            for b in p["blocks"]:
                kind = b.get("type")
                bb = tuple(b["bbox"]) if b.get("bbox") else None
                if kind == "heading":
                    blocks.append(Heading(b["level"], b["text"], b["page"], bb))
                elif kind == "paragraph":
                    blocks.append(Paragraph(b["text"], b["page"], bb))
                elif kind == "table":
                    blocks.append(Table(header=b["header"], rows=b["rows"], page=b["page"],
                                        title=b.get("title"), unit=b.get("unit"),
                                        pages=b.get("pages") or [], row_pages=b.get("row_pages") or [],
                                        bbox=bb))
                else:
                    raise ValueError(f"unknown block type {kind!r}")
            pages.append(Page(p["number"], blocks, p.get("width"), p.get("height")))
        # an archive entry written before the versions were recorded was read by version 0
        return cls(d["source_file"], d["sha256"], pages, d.get("media_type", "text/plain"),
                   list(d.get("warnings", [])), int(d.get("model_version", 0)), int(d.get("reader_version", 0)))

    @classmethod
    def from_json(cls, s: str) -> Document:
        return cls.from_dict(json.loads(s))


class ReadError(Exception):
    """A file that cannot become a Document; the message is one line naming the reason."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
