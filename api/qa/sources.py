"""The archived document models (db/documents/<sha>.json) as a source of evidence.

Two uses: (1) find the page a graph fact was printed on when the graph does not record
one, so every answer can cite source_file + page; (2) read a table row the graph has no
term for ("一般公共预算拨款收入", a 三公 part, any labelled row), matched by label — a
generic row lookup, with the row itself as the evidence quote.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from api.qa.linking import Disclosure, Entry, align
from api.qa.text import squash
from kg import vocab as V
from kg.document import Document, Paragraph, Table
from kg.money import doc_unit, parse_decimal, table_factor
from kg.report import CONTENT_FULL, CONTENT_TABLES, CONTENT_TEXT
from kg.store import BKG

# Files of one disclosure in its combined document's order (kg.publication): the text first.
_CONTENT_ORDER = {CONTENT_FULL: 0, CONTENT_TEXT: 1, CONTENT_TABLES: 2}
_NUMBERING = re.compile(r"^(?:[（(]?[一二三四五六七八九十百\d]{1,3}[)）、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,3}\s)\s*")


def row_label(cell: str) -> str:
    """A row label without its list numbering: "（一）一般公共预算拨款" → "一般公共预算拨款"."""
    s = squash(cell)
    prev = None
    while prev != s:
        prev, s = s, _NUMBERING.sub("", s)
    return s


@dataclass
class RowHit:
    source_file: str
    page: int
    label: str
    value_yuan: Decimal
    quote: str
    score: float
    exact: bool
    table_title: str | None


class Archive:
    """Read-only view of db/documents, keyed by source file name. A disclosure printed in
    several files (kg.publication) has an archived document per file, each with its own pages."""

    def __init__(self, db: str | Path | None, store=None):
        self.db = Path(db) if db else None
        self._store = store
        self._sha_by_file: dict[str, str] | None = None
        self._files_by_graph: dict[str, list[str]] = {}
        self._ordered: dict[str, list[str]] = {}

    def _index(self) -> dict[str, str]:
        if self._sha_by_file is None:
            self._sha_by_file = {}
            if self._store is not None:
                try:
                    for d in self._store.documents():
                        self._sha_by_file[d.source_file] = d.sha256
                        self._files_by_graph.setdefault(d.graph, []).append(d.source_file)
                except Exception:  # noqa: BLE001 - a store without provenance: no archive lookups
                    pass
        return self._sha_by_file

    def files_of(self, iri: str | None, first: str | None = None) -> list[str]:
        """The files disclosure `iri` was read from, in the order its combined document lays
        them out (the running text before the tables); `first` alone when the store does not
        know the disclosure."""
        self._index()
        files = self._files_by_graph.get(iri or "", [])
        if len(files) < 2:
            return files or ([first] if first else [])
        if iri not in self._ordered:
            content: dict[str, str] = {}
            try:
                for r in self._store.select(f"""SELECT ?f ?c WHERE {{ <{iri}> <{BKG}hasFile> ?n .
                                                ?n <{BKG}fileName> ?f ; <{BKG}fileContent> ?c }}"""):
                    content[str(r["f"])] = str(r["c"])
            except Exception:  # noqa: BLE001 - no file nodes: the files by name
                pass
            self._ordered[iri] = sorted(files, key=lambda f: (_CONTENT_ORDER.get(content.get(f, ""), 9), f))
        return self._ordered[iri]

    def documents_of(self, iri: str | None, first: str | None = None) -> list[Document]:
        """The archived document of each file of disclosure `iri` (see files_of)."""
        return [doc for f in self.files_of(iri, first) if (doc := self.get(f)) is not None]

    def each_document(self, disclosures) -> Iterator[tuple[Disclosure, Document]]:
        """(disclosure, document) for every file of each disclosure, in order."""
        for d in disclosures:
            for doc in self.documents_of(d.iri, d.source_file):
                yield d, doc

    def get(self, source_file: str) -> Document | None:
        sha = self._index().get(source_file)
        if not sha or self.db is None:
            return None
        return _load(str(self.db / "documents" / f"{sha}.json"))

    def files(self) -> list[str]:
        return sorted(self._index())


@lru_cache(maxsize=64)
def _load(path: str) -> Document | None:
    p = Path(path)
    if not p.exists():
        return None
    try:
        return Document.from_json(p.read_text(encoding="utf-8"))
    except (ValueError, KeyError, OSError):
        return None


def _cells_text(row: list[str]) -> str:
    return " ".join(c.strip() for c in row if c and c.strip())


def number_forms(yuan: Decimal) -> list[str]:
    """How a yuan figure may be printed: in 万元 (2 or more decimals) or in 元."""
    wan = (yuan / V.YUAN_PER_WAN).normalize()
    forms = {format(wan.quantize(Decimal("0.01")), "f"), format(wan, "f")}
    y = yuan.normalize()
    forms.add(format(y.quantize(Decimal(1)), "f") if y == y.to_integral_value() else format(y, "f"))
    forms.add(format(yuan.quantize(Decimal("0.01")), "f"))
    return sorted((f for f in forms if f not in ("0", "0.00")), key=len, reverse=True)


def locate(doc: Document, words: list[str], yuan: Decimal | None = None) -> tuple[int, str] | None:
    """(page, quote) of the first table row or paragraph that carries all `words` (and the
    figure, when given); failing that, the first that carries the figure and any word."""
    hit = _locate(doc, words, yuan)
    return (hit[1], hit[2]) if hit else None


def locate_in(docs: list[Document], words: list[str], yuan: Decimal | None = None
              ) -> tuple[Document, int, str] | None:
    """locate over the files of one disclosure: (document, page, quote) of the first full
    match in any of them, else of the best partial one — so the quote names its own file."""
    best: tuple[int, Document, int, str] | None = None
    for doc in docs:
        hit = _locate(doc, words, yuan)
        if hit is not None and (best is None or hit[0] > best[0]):
            best = (hit[0], doc, hit[1], hit[2])
            if hit[0] == _FULL:
                break
    return best[1:] if best else None


_FULL = 4  # the rank of a block that carries every word and the figure


def _locate(doc: Document, words: list[str], yuan: Decimal | None) -> tuple[int, int, str] | None:
    keys = [squash(w) for w in words if w]
    forms = [f.replace(",", "") for f in number_forms(yuan)] if yuan is not None else []
    best: tuple[int, int, str] | None = None
    for blk in doc.blocks():
        if isinstance(blk, Table):
            items = [(blk.row_pages[i] if i < len(blk.row_pages) else blk.page, _cells_text(r)) for i, r in enumerate(blk.rows)]
        elif isinstance(blk, Paragraph):
            items = [(blk.page, s) for s in re.split(r"(?<=[。；;])", blk.text) if s.strip()]
        else:
            continue
        for page, text in items:
            t = squash(text).replace(",", "")
            has_num = not forms or any(_has_number(t, f) for f in forms)
            n_words = sum(k in t for k in keys)
            if has_num and n_words == len(keys):
                return _FULL, page, text.strip()
            rank = (2 if has_num else 0) + (1 if n_words else 0)
            if rank >= 2 and (best is None or rank > best[0]):
                best = (rank, page, text.strip())
    return best


def page_of(doc: Document | None, page: int, quote: str) -> int:
    """The page of `doc` that prints `quote`: `page` when it does (or nothing says otherwise),
    else the first that does — a passage found in a chunk that runs over a page break cites
    the page its sentence is on."""
    if doc is None or on_page(doc, page, quote):
        return page
    q = squash(quote).replace(",", "")
    for blk in doc.blocks():
        if isinstance(blk, Paragraph) and q and q in squash(blk.text).replace(",", ""):
            return blk.page
    return page


def on_page(doc: Document, page: int, quote: str) -> bool:
    """Whether `quote` (a sentence or a table row as the graph or a handler quotes it) is
    printed on page `page` of `doc`."""
    q = squash(quote).replace(",", "")
    if not q:
        return False
    for blk in doc.blocks():
        if isinstance(blk, Table):
            texts = [_cells_text(r) for i, r in enumerate(blk.rows)
                     if (blk.row_pages[i] if i < len(blk.row_pages) else blk.page) == page]
            texts += [blk.title] if blk.title and blk.page == page else []
        elif getattr(blk, "page", None) == page:
            texts = [getattr(blk, "text", "") or ""]
        else:
            continue
        if any(q in squash(t).replace(",", "") or squash(t).replace(",", "") in q and len(squash(t)) > 8 for t in texts):
            return True
    return False


def table_row(doc: Document, title: str, row: int, words: list[str] = ()) -> tuple[int, str] | None:
    """(page, text) of body row `row` (1-based) of the table titled `title` — the place the
    graph's provenance (bkg:tableTitle, bkg:rowNumber) points at. Several tables may share
    a title; the one whose row carries `words` wins."""
    want = squash(title)
    keys = [squash(w) for w in words if w]
    found = None
    for t in doc.tables():
        if squash(t.title or "") != want or not 1 <= row <= len(t.rows):
            continue
        text = _cells_text(t.rows[row - 1])
        page = t.row_pages[row - 1] if row - 1 < len(t.row_pages) else t.page
        if all(k in squash(text) for k in keys):
            return page, text
        found = found or (page, text)
    return found


def _has_number(t: str, form: str) -> bool:
    return re.search(r"(?<![\d.])" + re.escape(form) + r"(?![\d])", t) is not None


def _label_match(label: str, q: str, min_recall: float) -> tuple[float, bool] | None:
    """(score, exact) of a label printed in a table against the term asked for: 1.0 when
    they are the same, else how much of the term a near miss covers; None when too little."""
    if label == q:
        return 1.0, True
    m = align(Entry("", label, label, "row"), q, min_recall=min_recall, min_density=0.85, min_chars=3)
    if m is None or (m.end - m.start) < 0.75 * len(q):
        return None
    return m.recall * min(1.0, (m.end - m.start) / max(len(q), 1)), False


def row_lookup(doc: Document, term: str, min_recall: float = 0.75) -> list[RowHit]:
    """Rows whose label matches `term` (exactly or as a near miss), each with the figure
    printed right after the label (the row's first amount, i.e. its 合计)."""
    q = squash(term)
    if len(q) < 2:
        return []
    hits: list[RowHit] = []
    unit = doc_unit(doc)
    for t in doc.tables():
        factor = table_factor(t, unit)  # as extraction scaled it, so a row reads as the graph's figure
        for i, row in enumerate(t.rows):
            cells = [c or "" for c in row]
            for j, cell in enumerate(cells):
                label = row_label(cell)
                if not label or parse_decimal(cell) is not None or not re.search(r"[\u4e00-\u9fff]", label):
                    continue
                value = None
                for c in cells[j + 1:]:
                    v = parse_decimal(c)
                    if v is not None:
                        value = v
                        break
                    if c.strip() and re.search(r"[\u4e00-\u9fff]", c):
                        break
                if value is None:
                    continue
                matched = _label_match(label, q, min_recall)
                if matched is None:
                    continue
                score, exact = matched
                page = t.row_pages[i] if i < len(t.row_pages) else t.page
                hits.append(RowHit(doc.source_file, page, label, value * factor, _cells_text(row), score, exact, t.title))
    hits.extend(_column_lookup(doc, q, min_recall))
    hits.sort(key=lambda h: (-h.exact, -h.score))
    return hits


def _column_lookup(doc: Document, q: str, min_recall: float) -> list[RowHit]:
    """Small tables that name their figures in the header (the 三公 table: one row under
    因公出国（境）费 | 公务用车运行费 | 公务接待费 …): the column whose name matches."""
    hits: list[RowHit] = []
    unit = doc_unit(doc)
    for t in doc.tables():
        if not t.rows or len(t.rows) > 3:
            continue
        factor = table_factor(t, unit)
        for c, path in enumerate(t.column_names()):
            parts = [row_label(x) for x in path.split("/") if x]
            while parts and parts[-1] in ("小计", "合计", "金额", *V.FIGURE_COLUMNS):
                parts.pop()
            if not parts:
                continue
            label = parts[-1]
            matched = _label_match(label, q, min_recall)
            if matched is None:
                continue
            score, exact = matched
            for i, row in enumerate(t.rows):
                cells = [x or "" for x in row]
                figures = [parse_decimal(x) for x in cells]
                if c >= len(cells) or not any(v is not None for v in figures):
                    continue
                # A blank cell in a row of figures is a nil figure, as these tables print it.
                value = figures[c] if figures[c] is not None else (Decimal(0) if not cells[c].strip() else None)
                if value is None:
                    continue
                page = t.row_pages[i] if i < len(t.row_pages) else t.page
                quote = f"{path}：{cells[c].strip() or '（空）'}（{_cells_text(row)}）"
                hits.append(RowHit(doc.source_file, page, label, value * factor, quote, score * 0.95, exact, t.title))
                break
    return hits


def code_row_lookup(doc: Document, code: str) -> list[RowHit]:
    """Rows of a classification table whose code cell is `code` (printed whole, or split into
    类|款|项 cells), each with the row's first figure after its name (the 合计 column)."""
    hits: list[RowHit] = []
    unit = doc_unit(doc)
    for t in doc.tables():
        factor = table_factor(t, unit)
        for i, row in enumerate(t.rows):
            cells = [squash(c or "") for c in row]
            at = next((j for j, c in enumerate(cells) if c == code), None)
            if at is None:
                # 类|款|项 in three cells: 201 | 01 | 01
                for j in range(len(cells) - 2):
                    if cells[j] + cells[j + 1] + cells[j + 2] == code and len(cells[j]) == 3:
                        at = j + 2
                        break
            if at is None:
                continue
            label, value = "", None
            for c in cells[at + 1:]:
                v = parse_decimal(c)
                if v is not None and label:
                    value = v
                    break
                if re.search(r"[\u4e00-\u9fff]", c) and not label:
                    label = row_label(c)
            if value is None:
                continue
            page = t.row_pages[i] if i < len(t.row_pages) else t.page
            hits.append(RowHit(doc.source_file, page, label, value * factor, _cells_text(row), 1.0, True, t.title))
    return hits
