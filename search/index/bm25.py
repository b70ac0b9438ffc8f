"""BM25: the term counts of a document's chunks, and a bm25s index written straight from
streamed (chunk, term, count) triples."""

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


def write_bm25(path: Path, vocab: dict[str, int], term_ids: np.ndarray, term_counts: np.ndarray,
               nnz: np.ndarray, lengths: np.ndarray, block: int = 1_000_000) -> None:
    """A bm25s (0.3) index, Lucene BM25, written straight into its files — the same arrays
    `bm25s.BM25(method="lucene").index(tokens)` computes (a test compares them), but from
    (chunk, term, count) triples streamed through memory-mapped files, so a million chunks
    never become a million Python lists. `term_ids`/`term_counts` hold each chunk's distinct
    terms in chunk order, `nnz` how many per chunk, `lengths` the chunk lengths in terms.

    The score matrix is CSC (a column per term, chunks in order within it): document
    frequencies give each column's extent, then each block of triples is scattered into
    its columns."""
    path.mkdir(parents=True, exist_ok=True)
    n_docs, n_vocab, total = len(nnz), len(vocab), len(term_ids)
    df = np.zeros(n_vocab, np.int64)
    for a in range(0, total, block):
        df += np.bincount(term_ids[a:a + block], minlength=n_vocab)
    # as bm25s: idf in float64 (math.log), kept as float32; tf part in float64
    idf = np.array([math.log(1 + (n_docs - f + 0.5) / (f + 0.5)) for f in df.tolist()], dtype=np.float32)
    avg_len = lengths.astype(np.float64).sum() / n_docs
    indptr = np.zeros(n_vocab + 1, np.int64)
    np.cumsum(df, out=indptr[1:])
    data = np.lib.format.open_memmap(path / "data.csc.index.npy", mode="w+", dtype=np.float32, shape=(total,))
    indices = np.lib.format.open_memmap(path / "indices.csc.index.npy", mode="w+", dtype=np.int32, shape=(total,))
    cursor = indptr[:-1].copy()
    ends = np.cumsum(nnz, dtype=np.int64)
    starts = ends - nnz
    doc = 0
    while doc < n_docs:
        a = int(starts[doc])
        last = max(doc, int(np.searchsorted(ends, a + block, side="right")) - 1)  # whole chunks per block
        b = int(ends[last])
        rows = np.repeat(np.arange(doc, last + 1, dtype=np.int32), nnz[doc:last + 1])
        t = np.asarray(term_ids[a:b])
        tf = np.asarray(term_counts[a:b]).astype(np.float32)
        dl = lengths[rows]
        tfc = tf / (BM25_K1 * ((1 - BM25_B) + BM25_B * dl / avg_len) + tf)
        score = (idf[t] * tfc).astype(np.float32)
        order = np.argsort(t, kind="stable")
        ts = t[order]
        uniq, first, cnt = np.unique(ts, return_index=True, return_counts=True)
        pos = np.repeat(cursor[uniq], cnt) + (np.arange(len(ts)) - np.repeat(first, cnt))
        data[pos] = score[order]
        indices[pos] = rows[order]
        cursor[uniq] += cnt
        doc = last + 1
    data.flush()
    indices.flush()
    del data, indices
    np.save(path / "indptr.csc.index.npy", indptr)
    (path / "vocab.index.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    import bm25s

    (path / "params.index.json").write_text(json.dumps(
        {"k1": BM25_K1, "b": BM25_B, "delta": 0.5, "method": "lucene", "idf_method": "lucene", "dtype": "float32",
         "int_dtype": "int32", "num_docs": n_docs, "version": bm25s.__version__, "backend": "numpy"}, indent=4))
