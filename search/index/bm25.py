"""BM25 (Lucene variant, as bm25s computes it) over segments: the term counts of a
document's chunks, a segment's postings written straight from streamed (row, term, count)
triples, and the scores computed at query time from statistics over every live segment.

A segment keeps raw term counts, not scores: idf and the average chunk length are
corpus-wide, so a delta segment (or a tombstone) changes every chunk's score. The query
computes them from the live rows (N, document frequencies, total length) and then each
posting's score with the same float32/float64 steps `bm25s.BM25(method="lucene")` uses when
it indexes the whole corpus at once, so a set of segments scores exactly as one index of
the same chunks (a test compares them with bm25s)."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np

BM25_K1, BM25_B = 1.5, 0.75


def term_counts(terms: list[str]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Per chunk its distinct terms and their counts, flattened: (terms, counts, distinct
    terms per chunk, chunk lengths). An empty chunk is the one empty term, as bm25s has it."""
    flat: list[str] = []
    counts: list[int] = []
    nnz = np.empty(len(terms), np.int32)
    lens = np.empty(len(terms), np.int32)
    for i, t in enumerate(terms):
        toks = t.split(" ") if t else [""]
        c = Counter(toks)
        flat.extend(c)
        counts.extend(c.values())
        nnz[i] = len(c)
        lens[i] = len(toks)
    return flat, np.asarray(counts, np.int32), nnz, lens


def write_postings(path: Path, vocab: dict[str, int], term_ids: np.ndarray, term_counts_: np.ndarray,
                   nnz: np.ndarray, block: int = 1_000_000) -> None:
    """A segment's postings: for every term (a column, in vocabulary id order) the rows that
    hold it, ascending, and how often (CSC: indptr.npy int64, rows.npy int32, tf.npy uint16,
    or int32 should a count not fit), plus vocab.json. `term_ids`/`term_counts_` hold each
    row's distinct terms in row order, `nnz` how many per row; they may be memory-mapped:
    document frequencies give each column's extent, then each block of triples is scattered
    into its columns, so a million rows never become Python lists."""
    path.mkdir(parents=True, exist_ok=True)
    n_rows, n_vocab, total = len(nnz), len(vocab), len(term_ids)
    df = np.zeros(n_vocab, np.int64)
    big = 0
    for a in range(0, total, block):
        df += np.bincount(term_ids[a:a + block], minlength=n_vocab)
        big = max(big, int(np.asarray(term_counts_[a:a + block]).max(initial=0)))
    tf_dtype = np.uint16 if big <= np.iinfo(np.uint16).max else np.int32
    indptr = np.zeros(n_vocab + 1, np.int64)
    np.cumsum(df, out=indptr[1:])
    rows_out = np.lib.format.open_memmap(path / "rows.npy", mode="w+", dtype=np.int32, shape=(total,))
    tf_out = np.lib.format.open_memmap(path / "tf.npy", mode="w+", dtype=tf_dtype, shape=(total,))
    cursor = indptr[:-1].copy()
    ends = np.cumsum(nnz, dtype=np.int64)
    starts = ends - nnz
    row = 0
    while row < n_rows:
        a = int(starts[row])
        last = max(row, int(np.searchsorted(ends, a + block, side="right")) - 1)  # whole rows per block
        b = int(ends[last])
        rows = np.repeat(np.arange(row, last + 1, dtype=np.int32), nnz[row:last + 1])
        t = np.asarray(term_ids[a:b])
        order = np.argsort(t, kind="stable")
        ts = t[order]
        uniq, first, cnt = np.unique(ts, return_index=True, return_counts=True)
        pos = np.repeat(cursor[uniq], cnt) + (np.arange(len(ts)) - np.repeat(first, cnt))
        rows_out[pos] = rows[order]
        tf_out[pos] = np.asarray(term_counts_[a:b])[order]
        cursor[uniq] += cnt
        row = last + 1
    rows_out.flush()
    tf_out.flush()
    del rows_out, tf_out
    np.save(path / "indptr.npy", indptr)
    (path / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")


class Postings:
    """A segment's postings, memory-mapped (see `write_postings`)."""

    def __init__(self, path: Path):
        self.vocab: dict[str, int] = json.loads((path / "vocab.json").read_text(encoding="utf-8"))
        self.indptr = np.load(path / "indptr.npy")
        self.rows = np.load(path / "rows.npy", mmap_mode="r")
        self.tf = np.load(path / "tf.npy", mmap_mode="r")

    def get(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(rows, counts) of a term, or None when no row of this segment holds it."""
        t = self.vocab.get(term)
        if t is None:
            return None
        a, b = int(self.indptr[t]), int(self.indptr[t + 1])
        return self.rows[a:b], self.tf[a:b]


def idf(n_rows: int, df: int) -> np.float32:
    """Lucene's idf, in float64 and kept as float32 (as bm25s stores it)."""
    return np.float32(math.log(1 + (n_rows - df + 0.5) / (df + 0.5)))


def average_length(total_length: int, n_rows: int) -> np.float64:
    return np.float64(total_length) / n_rows


def length_norms(lengths: np.ndarray, avg_len: np.float64) -> np.ndarray:
    """Per row the length part of BM25's denominator, k1·(1 − b + b·dl/avgdl), in float64:
    the same operations, in the same order, as bm25s's indexer applies per posting."""
    return BM25_K1 * ((1 - BM25_B) + BM25_B * lengths / avg_len)


def contributions(idf32: np.float32, counts: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """float32 scores of one term in the rows whose counts and length norms are given."""
    tf = counts.astype(np.float32)
    return (idf32 * (tf / (norms + tf))).astype(np.float32)
