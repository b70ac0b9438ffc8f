"""Bytes -> text for the text reader: which encoding a file is in, and the newline/BOM/
zero-width clean-up every export needs before its lines are read."""

from __future__ import annotations

import re
import unicodedata


def plausible_text(text: str, slack: int = 2) -> bool:
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
            if plausible_text(text, slack=0):
                return text, enc
        raise ValueError("binary content (NUL bytes), not a text file")
    candidates = ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if plausible_text(text):
            return text, enc
    try:  # last resort for other legacy encodings (Big5, ...)
        from charset_normalizer import from_bytes
        best = from_bytes(data).best()
        if best is not None:
            text = str(best)
            if plausible_text(text) and best.coherence > 0.2:
                return text, best.encoding
    except ImportError:
        pass
    raise ValueError("not decodable as UTF-8, UTF-16 or GB18030 text (binary or unknown encoding)")


_INVISIBLE_HTML_RE = re.compile(r"<(script|style|head)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.S | re.I)


def normalize_text(text: str) -> str:
    """Newlines to \\n, BOM and zero-width characters dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.lstrip("\ufeff").replace("\u200b", "").replace("\ufeff", "")
    if "<" in text:  # an HTML export: what is inside <script>/<style>/comments is not text
        text = _INVISIBLE_HTML_RE.sub("", text)
    return text
