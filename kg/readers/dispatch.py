"""The one entry point from a file on disk to a Document: checks the file is what its
name says, decodes text, and hands off to the PDF or text reader. Every refusal is a
ReadError with a one-line reason, never a traceback."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

from kg import vocab as V
from kg.document import Document, ReadError, Table
from kg.readers.encoding import decode_text

TEXT_SUFFIXES = {".txt", ".md"}
PDF_SUFFIXES = {".pdf"}

# Signatures of binary formats people rename by mistake, to say what the file really is.
_MAGIC = [
    (b"%PDF-", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive (e.g. .docx/.xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (.doc/.xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document"),
]


def max_bytes() -> int:
    """Size limit in bytes: Settings.max_file_mb (BUDGETKG_MAX_FILE_MB, default 200)."""
    from kg.settings import get_settings

    return int(get_settings().max_file_mb * 1024 * 1024)


def sniff(data: bytes) -> str | None:
    """What a binary file is, from its first bytes; None when no known signature."""
    head = data[:1024]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if b"%PDF-" in head:  # PDFs may carry junk before the header
        return "a PDF"
    return None


def read_document(path: str | os.PathLike) -> Document:
    """Read one .pdf/.txt/.md file into the document model; ReadError when it cannot."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise ReadError(name, "no such file")
    if not p.is_file():
        raise ReadError(name, "not a regular file")
    suffix = p.suffix.lower()
    if suffix not in TEXT_SUFFIXES | PDF_SUFFIXES:
        raise ReadError(name, f"unsupported file type {p.suffix or '(none)'!r} (expected .pdf, .txt or .md)")
    size = p.stat().st_size
    limit = max_bytes()
    if size > limit:
        raise ReadError(name, f"file too large ({size / 1048576:.1f} MB; the limit is {limit / 1048576:.0f} MB, "
                              "setting BUDGETKG_MAX_FILE_MB)")
    if size == 0:
        raise ReadError(name, "empty file (0 bytes)")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise ReadError(name, f"cannot be read ({e.strerror or e})") from None
    sha = hashlib.sha256(data).hexdigest()
    what = sniff(data)
    if suffix in PDF_SUFFIXES:
        if what != "a PDF":
            found = what or ("text" if _looks_text(data) else "unknown binary data")
            raise ReadError(name, f"not a PDF (no %PDF header; content looks like {found})")
        try:
            from kg.readers.pdf import read_pdf
        except ImportError as e:
            raise ReadError(name, f"PDF reader unavailable ({e})") from None
        return read_pdf(str(p), sha)
    if what is not None:
        raise ReadError(name, f"named {suffix} but the content is {what}")
    try:
        text, enc = decode_text(data)
    except ValueError as e:
        raise ReadError(name, str(e)) from None
    if not text.strip():
        raise ReadError(name, "empty file (whitespace only)")
    from kg.readers.text import read_text
    media = "text/markdown" if suffix == ".md" else "text/plain"
    doc = read_text(text, p.name, sha, media_type=media)
    if enc not in ("utf-8", "ascii"):
        doc.warnings.append(f"decoded as {enc.upper()} (not UTF-8)")
    return doc


_KIND_WORD = f"{V.kind_pattern()}|{V.alternation(V.TRADITIONAL_KIND_WORDS)}"
_KIND_WORDS = re.compile(_KIND_WORD)
# a fiscal year (or a template's placeholder for one) before the kind, as titles put it:
# "2024年部门预算", "2017年度预算公开", "XXXX年度部门决算"
_KIND_TITLE = re.compile(r"(?:(?:19|20)\d{2}|20[XxＸ×]{2}|[XxＸ×*＊]{4})年度?.{0,40}?(?:" + _KIND_WORD + ")")
_TABLE_WORDS = re.compile(r"收入|支出|拨款|撥款|科目|经费|經費")
_AMOUNT = re.compile(r"[-−(（]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?[)）]?")


def not_a_disclosure(doc: Document) -> str | None:
    """Why `doc` is not a budget disclosure, or None when it may be one. Decided from the
    content, never the file name: a disclosure names its year and kind somewhere ("2024年
    部门预算", a template's "XXXX年度部门决算") or prints a budget table (预算/决算 in a
    table's title or header, or 收入/支出/拨款/科目 over figures). A README or notes file
    beside the PDFs that only mentions budgets does neither. Spaces are ignored ("预 算" in
    a spaced-out title)."""
    def squeeze(t: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", t or ""))

    for b in doc.blocks():
        if isinstance(b, Table):
            head = squeeze((b.title or "") + "".join(c for row in b.header for c in row))
            if _KIND_WORDS.search(head) or _KIND_TITLE.search(head):
                return None
            if _TABLE_WORDS.search(head) and any(_AMOUNT.fullmatch(squeeze(c)) for row in b.rows for c in row):
                return None
        elif _KIND_TITLE.search(squeeze(b.text)):
            return None
    return "not a budget disclosure (no year with 预算/决算 in its text and no budget table)"


def _looks_text(data: bytes) -> bool:
    try:
        decode_text(data[:4096])
        return True
    except ValueError:
        return False
