"""A new jieba dictionary changes how a text is cut only where an added or dropped word
occurs (the tokenizer keeps jieba's `total` fixed, see search.tokenize): the rule that lets
cached terms (`reuse_terms`) outlive a dictionary change, and that tells a sync which live
chunks to cut again (`chunks_containing`).

A chunk's normalized index text is stored with it (chunks.sqlite's `norm`), so the check
never goes back to the documents, and a word's character bigrams, which every chunk that
contains the word also holds as BM25 terms, find the few chunks worth reading."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from search.index.layout import load_json
from search.tokenize import STOPWORDS, TOKENIZER_VERSION, char_bigrams, normalize

# Characters a question phrase (怎么, 我们 …) is made of: the tokenizer blanks such phrases out
# before it takes bigrams, so a bigram with one of these characters may be missing from a
# chunk that contains the word; only bigrams without them are evidence.
_STOP_PHRASE_CHARS = frozenset("".join(w for w in STOPWORDS if len(w) > 1))


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


def evidence_bigrams(word: str) -> list[str]:
    """Bigrams of a (normalized) dictionary word that the terms of every chunk whose
    normalized text contains the word include (search.tokenize.char_bigrams' rules)."""
    out = []
    for i in range(len(word) - 1):
        g = word[i:i + 2]
        if char_bigrams(g) == [g] and not _STOP_PHRASE_CHARS.intersection(g):
            out.append(g)
    return sorted(set(out))


def chunks_containing(segment_dir: Path, postings, live: np.ndarray, words: set[str]) -> dict[int, str]:
    """Own rows of one segment, among the `live` ones (a boolean mask over its own rows),
    whose normalized index text contains one of `words`: row → that text. Candidates are
    the rows holding every evidence bigram of a word (from the segment's postings); their
    stored text then decides. A word with no evidence bigram (all Latin letters, say) is
    looked for in every row's text."""
    n = len(live)
    found: dict[int, str] = {}
    con = sqlite3.connect(f"file:{segment_dir / 'chunks.sqlite'}?mode=ro", uri=True)
    try:
        for w in sorted(words):
            grams = evidence_bigrams(w)
            if not grams:
                for i, text in con.execute("SELECT id, norm FROM chunks WHERE instr(norm, ?) > 0", (w,)):
                    if i < n and live[i]:
                        found[int(i)] = text
                continue
            cand = None
            for g in grams:
                p = postings.get(g)
                if p is None:
                    cand = np.zeros(0, np.int64)
                    break
                rows = np.asarray(p[0], np.int64)
                rows = rows[rows < n]  # own rows: an override row repeats a chunk's bigrams
                cand = rows if cand is None else np.intersect1d(cand, rows, assume_unique=True)
                if not len(cand):
                    break
            cand = cand[live[cand]]
            cand = [int(x) for x in cand if int(x) not in found]
            for a in range(0, len(cand), 500):
                part = cand[a:a + 500]
                for i, text in con.execute(f"SELECT id, norm FROM chunks WHERE id IN ({','.join('?' * len(part))})",
                                           part):
                    if w in text:
                        found[int(i)] = text
    finally:
        con.close()
    return found
