"""Document model → search chunks. Pure: no I/O, no store; metadata and the entity
lexicon come in as arguments (search.graphmeta reads them from the store).

* Paragraphs are packed per section (the heading path travels with every chunk), cut at
  sentence ends (。；！？ and line ends) under a size cap, with one sentence of overlap
  so a fact on a boundary is whole in at least one chunk.
* Every table row becomes one chunk, linearized with its column names and unit
  ("2080501 行政单位离退休 | 合计 123.45 万元 | 基本支出 …"): a row means nothing without
  its header, and the header is what a question names.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from kg.document import Document, Heading, Paragraph, Table
from kg.vocab import KIND_WORDS
from search.tokenize import normalize

CHUNKER_VERSION = 6  # bump when chunk text changes: cached chunks are keyed on it
MAX_CHARS = 300
OVERLAP_MAX = 100  # a trailing sentence longer than this is not repeated in the next chunk

_SENT_END = re.compile(r"(?<=[。；！？;!?])|\n+")
_SOFT_BREAK = re.compile(r"(?<=[，、,：:])")
_TAG = re.compile(r"</?(?:p|u|b|i|br|span|div|strong|em|td|tr|th|font)\b[^>]*>", re.I)
_NUMBER = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")
_CODE_HEADER = re.compile(r"编码|代码|编号|序号|行次|栏次|^类$|^款$|^项$|/类$|/款$|/项$")


@dataclass
class DocMeta:
    """What the graph says about one disclosure (filled from the store)."""

    sha256: str
    source_file: str
    graph: str = ""
    agency: str = ""  # the reporting agency's label
    agency_iri: str = ""
    year: int | None = None
    kind: str = ""  # "budget" | "final_account"
    reader: int = 0  # bkg:readerVersion: a document read again by a newer reader is chunked again

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]


@dataclass
class Chunk:
    chunk_id: str
    sha256: str
    source_file: str
    page: int
    section: str  # heading path, " > "-joined
    text: str  # what a hit shows: the paragraph text or the linearized row
    block: str  # "paragraph" | "table"
    agency: str = ""
    year: int | None = None
    kind: str = ""
    title: str = ""  # table title, for rows
    entities: list[str] = field(default_factory=list)

    def index_text(self, header: bool = True) -> str:
        """What is tokenized and embedded: the text in its context. The header names the
        disclosure (agency, year, kind) because most passages never repeat who wrote them,
        yet a question often says whose figures it wants ("某局 公务接待费")."""
        parts = [self.context_header()] if header else []
        return " ".join(p for p in (*parts, self.section, self.title, self.text) if p)

    def context_header(self) -> str:
        kind = KIND_WORDS.get(self.kind, self.kind)
        return " ".join(p for p in (self.agency, f"{self.year}年" if self.year else "", kind) if p)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Chunk:
        return cls(**d)


class Lexicon:
    """Entity labels → IRIs, matched in normalized text (longest label first)."""

    def __init__(self, entries: Iterable[tuple[str, str]] = ()):
        self.by_label = _by_label(entries)
        labels = sorted(self.by_label, key=len, reverse=True)
        parts = []
        for lab in labels:
            esc = re.escape(lab)
            # a code must not match inside a longer number (208 inside 2080501)
            parts.append(rf"(?<!\d){esc}(?!\d)" if lab[0].isdigit() or lab[-1].isdigit() else esc)
        self._re = re.compile("|".join(parts)) if parts else None

    def find(self, text: str) -> list[str]:
        if self._re is None:
            return []
        t = normalize(text)
        seen: dict[str, None] = {}
        for m in self._re.finditer(t):
            for iri in sorted(self.by_label.get(m.group(0), ())):
                seen.setdefault(iri, None)
        return list(seen)

    def fingerprint(self) -> str:
        return _fingerprint(self.by_label)


def _by_label(entries: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    by_label: dict[str, set[str]] = {}
    for label, iri in entries:
        lab = normalize(str(label)).strip()
        if len(lab) >= 2:
            by_label.setdefault(lab, set()).add(str(iri))
    return by_label


def _fingerprint(by_label: dict[str, set[str]]) -> str:
    h = hashlib.sha256()
    for lab in sorted(by_label):
        h.update(f"{lab}\t{','.join(sorted(by_label[lab]))}\n".encode())
    return h.hexdigest()[:12]


def lexicon_fingerprint(entries: Iterable[tuple[str, str]]) -> str:
    """Lexicon(entries).fingerprint() without compiling the matcher (the index checks
    every document's chunk key with it)."""
    return _fingerprint(_by_label(entries))


def clean(text: str) -> str:
    """HTML fragments some exports leave in cells (<p>, <u>) out; whitespace collapsed."""
    t = _TAG.sub(" ", text or "")
    t = t.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return re.sub(r"[ \t\u3000]+", " ", t).strip()


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT_END.split(text) if s and s.strip()]


def _hard_split(sentence: str, cap: int) -> list[str]:
    """A sentence longer than the cap: cut at commas, else every `cap` characters."""
    parts = [p for p in _SOFT_BREAK.split(sentence) if p]
    out, cur = [], ""
    for p in parts:
        while len(p) > cap:
            if cur:
                out.append(cur)
                cur = ""
            out.append(p[:cap])
            p = p[cap:]
        if len(cur) + len(p) > cap and cur:
            out.append(cur)
            cur = ""
        cur += p
    if cur:
        out.append(cur)
    return out


def pack(sents: list[str] | list[tuple[int, str]], cap: int = MAX_CHARS) -> list:
    """Sentences → chunk texts of at most ~cap characters, with one sentence of overlap.
    Given (page, sentence) pairs, returns (page, text) pairs: a chunk's page is the page
    of its first sentence."""
    paged = bool(sents) and isinstance(sents[0], tuple)
    items: list[tuple[int, str]] = list(sents) if paged else [(0, s) for s in sents]  # type: ignore[arg-type]
    units: list[tuple[int, str]] = []
    for p, s in items:
        units.extend((p, x) for x in (_hard_split(s, cap) if len(s) > cap else [s]))
    out: list[tuple[int, str]] = []
    cur: list[tuple[int, str]] = []
    size = 0
    for u in units:
        if cur and size + len(u[1]) > cap:
            out.append((cur[0][0], _join(x for _, x in cur)))
            last = cur[-1]
            keep = len(last[1]) <= OVERLAP_MAX and len(last[1]) + len(u[1]) <= cap
            cur, size = ([last], len(last[1])) if keep else ([], 0)
        cur.append(u)
        size += len(u[1])
    if cur:
        out.append((cur[0][0], _join(x for _, x in cur)))
    return out if paged else [t for _, t in out]


def _join(parts: Iterable[str]) -> str:
    s = ""
    for p in parts:
        # Chinese runs on without spaces; a line that ended without punctuation
        # (a list item, a Latin sentence) keeps a space so words do not fuse.
        s += p if not s or s[-1] in "。；！？;!?，、：:" else " " + p
    return s


def _is_number(v: str) -> bool:
    return bool(_NUMBER.match(v.replace(" ", "")))


def linearize_row(row: list[str], names: list[str], unit: str | None) -> tuple[str, list[str]]:
    """One body row → (label, ["列名 值 单位", …]). The label is the leading run of
    descriptive cells (codes, names) that identifies the row."""
    label: list[str] = []
    parts: list[str] = []
    in_label = True
    prev = None
    for c, raw in enumerate(row):
        v = clean(raw)
        if not v or v == prev:  # blank, or a merged cell repeated across its span
            prev = v or prev
            continue
        prev = v
        name = clean(names[c]) if c < len(names) else ""
        # identifiers (codes, row numbers) belong to the label wherever their column is,
        # and never get a money unit
        is_code = v.isdigit() and (bool(_CODE_HEADER.search(name)) or (c < 3 and (c == 0 or not name) and len(v) >= 2))
        if is_code or (in_label and not _is_number(v) and len(v) <= 60):
            label.append(v)
            continue
        in_label = False
        if _is_number(v):
            # no unit on percentages, nor on long digit strings (phone numbers, codes)
            u = "" if v.endswith("%") or (v.isdigit() and len(v) > 8) else (unit or "")
            parts.append(" ".join(x for x in (name, v, u) if x))
        else:
            parts.append(f"{name}：{v}" if name and name != v else v)
    return " ".join(label), parts


def _table_row_chunks(t: Table, cap: int) -> list[tuple[int, str]]:
    names = t.column_names()
    out: list[tuple[int, str]] = []
    for i, row in enumerate(t.rows):
        page = t.row_pages[i] if i < len(t.row_pages) else t.page
        label, parts = linearize_row(row, names, t.unit)
        if not label and not parts:
            continue
        body = " | ".join(parts)
        text = f"{label} | {body}" if label and body else (label or body)
        if len(text) <= cap:
            out.append((page, text))
            continue
        # A long descriptive row (a performance-target table): its label heads every piece.
        head = f"{label} | " if label else ""
        for piece in pack(sentences(body.replace(" | ", "\n")), max(cap - len(head), cap // 2)):
            out.append((page, head + piece))
    return out


def chunk_document(doc: Document, meta: DocMeta | None = None, lexicon: Lexicon | None = None,
                   max_chars: int = MAX_CHARS) -> list[Chunk]:
    meta = meta or DocMeta(doc.sha256, doc.source_file)
    lexicon = lexicon or Lexicon()
    path: list[tuple[int, str]] = []
    raw: list[tuple[int, str, str, str, str]] = []  # page, section, text, block, title
    pending: list[tuple[int, str]] = []  # (page, sentence) of the current section

    def section() -> str:
        return " > ".join(t for _, t in path)

    def flush() -> None:
        if not pending:
            return
        sec = section()
        for p, txt in pack(list(pending), max_chars):
            raw.append((p, sec, txt, "paragraph", ""))
        pending.clear()

    for b in doc.blocks():
        if isinstance(b, Heading):
            flush()
            text = clean(b.text)
            if not text:
                continue
            while path and path[-1][0] >= b.level:
                path.pop()
            path.append((b.level, text))
        elif isinstance(b, Paragraph):
            text = clean(b.text)
            pending.extend((b.page, s) for s in sentences(text))
        elif isinstance(b, Table):
            flush()
            title = clean(b.title or "")
            for page, text in _table_row_chunks(b, max_chars):
                raw.append((page, section(), text, "table", title))
    flush()

    chunks: list[Chunk] = []
    for n, (page, sec, text, block, title) in enumerate(raw):
        c = Chunk(chunk_id=f"{doc.sha256[:12]}-{n:05d}", sha256=doc.sha256, source_file=doc.source_file,
                  page=page, section=sec, text=text, block=block, agency=meta.agency, year=meta.year,
                  kind=meta.kind, title=title)
        c.entities = lexicon.find(c.index_text(header=False))
        chunks.append(c)
    return chunks
