"""The one entry point from a file on disk to a Document: checks the file is what its
name says, decodes text, and hands off to the PDF or text reader. Every refusal is a
ReadError with a one-line reason, never a traceback."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from pathlib import Path

from kg.document import Document, ReadError

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


def _plausible(text: str, slack: int = 2) -> bool:
    """Does decoded text look like text? Binary data that happens to decode comes out as
    control characters and unassigned/private-use code points."""
    if not text:
        return True
    sample = text[:200_000]
    bad = 0
    for ch in sample:
        if ch in "\n\r\t\f":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Co", "Cn", "Cs"):
            bad += 1
    return bad <= max(slack, len(sample) // 1000)


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding). UTF-8 (BOM or not), UTF-16/32 with BOM, then GB18030 (a superset
    of GBK and GB2312). Strict decoding decides: UTF-8 is tried first because valid
    GB18030 byte sequences are rarely valid UTF-8, while the reverse happens often."""
    boms = [
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ]
    for bom, enc in boms:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.replace("-sig", "")
            except UnicodeDecodeError as e:
                raise ValueError(f"starts with a {enc} byte-order mark but is not valid {enc} (byte {e.start})") from None
    if b"\x00" in data[:65536]:
        # UTF-16 without a BOM: the NULs of its ASCII characters (spaces, digits, newlines)
        # all fall on one byte parity; NULs scattered anywhere mean binary data
        head = data[:65536]
        even = head[0::2].count(0)
        odd = head[1::2].count(0)
        if len(data) % 2 or max(even, odd) < len(head) // 20 or min(even, odd) > max(even, odd) // 4:
            raise ValueError("binary content (NUL bytes), not a text file")
        for enc in (("utf-16-le",) if odd > even else ("utf-16-be",)):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _plausible(text, slack=0):
                return text, enc
        raise ValueError("binary content (NUL bytes), not a text file")
    candidates = ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible(text):
            return text, enc
    try:  # last resort for other legacy encodings (Big5, ...)
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
        if best is not None:
            text = str(best)
            if _plausible(text) and best.coherence > 0.2:
                return text, best.encoding
    except ImportError:
        pass
    raise ValueError("not decodable as UTF-8, UTF-16 or GB18030 text (binary or unknown encoding)")


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
            from kg.pdf import read_pdf
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
    from kg.text import read_text
    media = "text/markdown" if suffix == ".md" else "text/plain"
    doc = read_text(text, p.name, sha, media_type=media)
    if enc not in ("utf-8", "ascii"):
        doc.warnings.append(f"decoded as {enc.upper()} (not UTF-8)")
    return doc


def _looks_text(data: bytes) -> bool:
    try:
        decode_text(data[:4096])
        return True
    except ValueError:
        return False
