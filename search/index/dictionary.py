"""A new jieba dictionary changes how a text is cut only where an added or dropped word
occurs: the rule that lets cached terms (`reuse_terms`) and the previous generation's
term counts (`documents_containing`, for the incremental plan) outlive a dictionary change."""

from __future__ import annotations

import re
import sqlite3
import sys
import unicodedata
from pathlib import Path

from search.chunking import Chunk
from search.index.layout import load_json
from search.tokenize import TOKENIZER_VERSION, normalize


def reuse_terms(cache: Path, sha: str, key: str, cur_words: set[str], known: dict[str, set[str]],
                texts: list[str]) -> list[str] | None:
    """Cached terms made with another dictionary, valid when no added or dropped word
    occurs in this document."""
    joined = None
    for p in sorted(cache.glob(f"{sha}.{key}.t{TOKENIZER_VERSION}.*.terms.json")):
        h = p.name.split(".")[-3]
        if h not in known:
            df = cache / f"dict-{h}.txt"
            if not df.exists():
                continue
            known[h] = set(filter(None, df.read_text(encoding="utf-8").split("\n")))
        changed = known[h] ^ cur_words
        if joined is None:
            joined = normalize("\n".join(texts))
        if not any(w in joined for w in changed):
            t = load_json(p)
            if t is not None and len(t) == len(texts):
                return t
    return None


def _char_sources(word: str) -> list[set[str]]:
    """For each character of a (normalized) word that normalizing a text can only produce
    from itself or from characters NFKC maps onto it: those characters. A text whose
    normalized form contains the word contains one of each set (the converse need not
    hold). Brackets, spaces and composed characters are left out (no constraint)."""
    rev = _nfkc_sources()
    out = []
    for c in set(word):
        if c.isspace() or c in "〔〕" or unicodedata.decomposition(c) or "\uac00" <= c <= "\ud7a3":
            continue
        out.append({c} | rev.get(c, set()))
    return out


_nfkc_rev: dict[str, set[str]] | None = None


def _nfkc_sources() -> dict[str, set[str]]:
    """character → the characters whose NFKC form contains it (computed once, ~1 s)."""
    global _nfkc_rev
    if _nfkc_rev is None:
        rev: dict[str, set[str]] = {}
        for cp in range(sys.maxunicode + 1):
            x = chr(cp)
            if 0xD800 <= cp <= 0xDFFF:
                continue
            y = unicodedata.normalize("NFKC", x)
            if y != x:
                for c in y:
                    rev.setdefault(c, set()).add(x)
        _nfkc_rev = rev
    return _nfkc_rev


def documents_containing(chunks_db: Path, words: set[str]) -> set[str]:
    """sha256 of the documents in a generation whose normalized index text (as the terms
    were cut from) contains one of `words`."""
    rx = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    needs = [_char_sources(w) for w in words]
    con = sqlite3.connect(f"file:{chunks_db}?mode=ro", uri=True)
    hit: set[str] = set()
    cur, parts = None, []

    def flush():
        if cur is None or cur in hit:
            return
        joined = "\n".join(parts)
        chars = set(joined)
        # normalizing is the expensive part: only where a word's characters all occur
        if any(all(not chars.isdisjoint(src) for src in need) for need in needs) \
                and rx.search(normalize(joined)):
            hit.add(cur)

    try:
        for sha, section, text, agency, year, kind, title in con.execute(
                "SELECT sha256, section, text, agency, year, kind, title FROM chunks ORDER BY id"):
            if sha != cur:
                flush()
                cur, parts = sha, []
            parts.append(Chunk("", sha, "", 0, section, text, "", agency, year, kind, title).index_text())
        flush()
    finally:
        con.close()
    return hit
