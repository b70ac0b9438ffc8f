"""Generations: the folder a sync writes (`GenerationWriter`), the live generation as the
base of the next (`Previous`), and which documents can be taken from it as they are
(`incremental_plan`)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from search.chunking import CHUNKER_VERSION, lexicon_fingerprint
from search.index.bm25 import BM25_B, BM25_K1, write_bm25
from search.index.dictionary import documents_containing
from search.index.layout import INDEX_FORMAT, IndexError_
from search.index.tasks import DocTask, IndexResult, chunk_key

INCREMENTAL_MAX_CHANGED = 0.5  # above this share of changed documents a full pass is as cheap


def new_generation_name(idx: Path, cfg: dict | None) -> str:
    """The name after the live generation's, skipping any a crashed sync left behind (never
    live, but the number is taken)."""
    n = int(((cfg or {}).get("generation") or "gen-0").split("-")[-1]) + 1
    while (idx / f"gen-{n:06d}").exists():
        n += 1
    return f"gen-{n:06d}"


class GenerationWriter:
    """Appends documents to a new generation folder: chunk rows into chunks.sqlite (one
    transaction), vectors into a float32 file, BM25 (term id, count) pairs into int32
    files; the vocabulary is the only corpus-wide structure in memory (term → id, in
    first-seen order, so the same corpus gives the same ids).

    The term counts stay in the generation (tf/: term ids, counts, distinct terms and
    length per chunk) so that the next generation can take unchanged documents' counts
    from there (`add_previous`), with their rows, instead of from the per-document caches.
    In that mode term ids are first those of the previous vocabulary (new terms after
    them) and `finish_chunks` renumbers them into first-seen order, as a full build has
    them; vectors of new documents are kept for `vectors.write_faiss_incremental`."""

    def __init__(self, folder: Path, dims: int, prev: Previous | None = None):
        self.folder = folder
        self.scratch = folder / "scratch"
        self.scratch.mkdir()
        self.tf = folder / "tf"
        self.tf.mkdir()
        self.dims = dims
        self.n = 0
        self.prev = prev
        self.vocab: dict[str, int] = dict(prev.vocab) if prev is not None else {}
        self.old_map = np.full(prev.n, -1, np.int64) if prev is not None else None  # old id → new id
        self.new_vectors: list[tuple[int, np.ndarray]] = []  # (first id, vectors) when prev is given
        self._nnz = array("i")
        self._lens = array("i")
        self._ids = open(self.tf / "term_ids.i32", "wb")  # noqa: SIM115 - closed in close()
        self._tfs = open(self.tf / "term_counts.i32", "wb")  # noqa: SIM115
        self._vec = open(self.scratch / "vectors.f32", "wb") if dims and prev is None else None  # noqa: SIM115
        self._con = sqlite3.connect(folder / "chunks.sqlite")
        self._con.execute("""CREATE TABLE chunks (id INTEGER PRIMARY KEY, chunk_id TEXT, sha256 TEXT, source_file TEXT,
                             page INTEGER, section TEXT, text TEXT, block TEXT, agency TEXT, year INTEGER, kind TEXT,
                             title TEXT, entities TEXT, norm_agency TEXT)""")
        if prev is not None:
            self._con.execute("ATTACH DATABASE ? AS prev", (f"file:{prev.dir / 'chunks.sqlite'}?mode=ro",))

    def add(self, r: IndexResult) -> None:
        n0 = self.n
        self._con.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                              ((n0 + i, *row) for i, row in enumerate(r.rows)))
        if self.dims:
            v = r.vectors
            if v is None or v.shape != (r.n, self.dims):
                raise IndexError_(f"{r.source_file}: vectors of the wrong shape")
            if self._vec is not None:
                self._vec.write(v.tobytes())
            else:
                self.new_vectors.append((n0, v))
        flat, counts, nnz, lens = r.terms
        vocab = self.vocab
        ids = np.fromiter((vocab.setdefault(w, len(vocab)) for w in flat), dtype=np.int32, count=len(flat))
        self._ids.write(ids.tobytes())
        self._tfs.write(counts.tobytes())
        self._nnz.extend(nnz.tolist())
        self._lens.extend(lens.tolist())
        self.n += r.n

    def add_previous(self, a: int, n: int, block: int = 4_000_000) -> None:
        """The previous generation's chunks a … a+n-1 (one document or more), as they are."""
        prev, n0 = self.prev, self.n
        self._con.execute("""INSERT INTO chunks SELECT id + ?, chunk_id, sha256, source_file, page, section, text, block,
                             agency, year, kind, title, entities, norm_agency FROM prev.chunks
                             WHERE id >= ? AND id < ? ORDER BY id""", (n0 - a, a, a + n))
        e0, e1 = int(prev.starts[a]), int(prev.starts[a + n])
        for x in range(e0, e1, block):
            y = min(e1, x + block)
            self._ids.write(np.asarray(prev.ids[x:y]).tobytes())
            self._tfs.write(np.asarray(prev.counts[x:y]).tobytes())
        self._nnz.frombytes(prev.nnz[a:a + n].tobytes())
        self._lens.frombytes(prev.lens[a:a + n].tobytes())
        self.old_map[a:a + n] = np.arange(n0, n0 + n, dtype=np.int64)
        self.n += n

    def finish_chunks(self) -> None:
        for col in ("sha256", "source_file", "year", "kind", "norm_agency"):
            self._con.execute(f"CREATE INDEX ix_{col} ON chunks({col})")
        self._con.commit()
        if self.prev is not None:
            self._con.execute("DETACH DATABASE prev")
        self._con.close()
        self._con = None
        for f in (self._ids, self._tfs, self._vec):
            if f is not None:
                f.close()
        np.frombuffer(self._nnz, np.int32).tofile(self.tf / "nnz.i32")
        np.frombuffer(self._lens, np.int32).tofile(self.tf / "lens.i32")
        if self.prev is not None:
            self._first_seen_ids()

    def _first_seen_ids(self, block: int = 4_000_000) -> None:
        """Term ids renumbered in order of first occurrence (terms only removed documents
        had are dropped): the vocabulary a full build of this corpus makes."""
        size = (self.tf / "term_ids.i32").stat().st_size // 4
        new = np.full(len(self.vocab), -1, np.int64)
        nxt = 0
        if size:
            ids = np.memmap(self.tf / "term_ids.i32", dtype=np.int32, mode="r+", shape=(size,))
            for a in range(0, size, block):
                b = np.asarray(ids[a:a + block])
                unseen = b[new[b] < 0]
                if unseen.size:
                    u, first = np.unique(unseen, return_index=True)
                    order = u[np.argsort(first, kind="stable")]
                    new[order] = np.arange(nxt, nxt + len(order))
                    nxt += len(order)
                m = new[b]
                if not np.array_equal(m, b):
                    ids[a:a + block] = m.astype(np.int32)
            ids.flush()
            del ids
        words = sorted(((int(new[i]), w) for w, i in self.vocab.items() if new[i] >= 0))
        self.vocab = {w: i for i, w in words}

    def vectors(self) -> np.ndarray:
        """The corpus's vectors, memory-mapped (n, dims)."""
        return np.memmap(self.scratch / "vectors.f32", dtype=np.float32, mode="r", shape=(self.n, self.dims))

    def write_bm25(self, path: Path) -> bool:
        if not self.n:
            return False
        ids = np.memmap(self.tf / "term_ids.i32", dtype=np.int32, mode="r")
        tfs = np.memmap(self.tf / "term_counts.i32", dtype=np.int32, mode="r")
        write_bm25(path, self.vocab, ids, tfs, np.frombuffer(self._nnz, np.int32), np.frombuffer(self._lens, np.int32))
        return True

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
        for f in (self._ids, self._tfs, self._vec):
            if f is not None and not f.closed:
                f.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


class Previous:
    """The live generation as the base of the next: its rows (chunks.sqlite, attached),
    term counts (tf/, memory-mapped) and BM25 vocabulary. ValueError/OSError when it
    lacks them (a generation written before tf/ existed)."""

    def __init__(self, gen_dir: Path, n: int):
        tf = gen_dir / "tf"
        self.dir = gen_dir
        self.n = n
        self.nnz = np.fromfile(tf / "nnz.i32", dtype=np.int32)
        self.lens = np.fromfile(tf / "lens.i32", dtype=np.int32)
        if n <= 0 or len(self.nnz) != n or len(self.lens) != n:
            raise ValueError(f"{tf}: term counts for {len(self.nnz)} chunks, not {n}")
        self.starts = np.zeros(n + 1, np.int64)
        np.cumsum(self.nnz, out=self.starts[1:])
        self.ids = np.memmap(tf / "term_ids.i32", dtype=np.int32, mode="r")
        self.counts = np.memmap(tf / "term_counts.i32", dtype=np.int32, mode="r")
        if len(self.ids) != self.starts[-1] or len(self.counts) != self.starts[-1]:
            raise ValueError(f"{tf}: term count files do not match")
        self.vocab = json.loads((gen_dir / "bm25" / "vocab.index.json").read_text(encoding="utf-8"))


@dataclass
class Plan:
    """An incremental sync: the documents to go through the caches (`changed`), those gone
    (`removed`), and for each of the others its (first chunk, chunk count) in `previous`."""

    changed: set[str]
    removed: set[str]
    reuse: dict[str, tuple[int, int]]
    previous: Previous | None  # None when nothing changed (the live generation stays)


def incremental_plan(idx: Path, old: dict, tasks: list[DocTask], model_info: dict | None, tok,
                     stats: dict) -> Plan | None:
    """Which documents the previous generation can give as they are, or None when it
    cannot be the base (other format, chunker, tokenizer settings, BM25 parameters or
    model; no term counts; too much changed). A document is reused when its chunk key
    is the same and, if the dictionary changed, none of the added or dropped words
    occurs in its text (the rule the terms cache follows, see `dictionary.reuse_terms`)."""
    try:
        if old.get("format") != INDEX_FORMAT or old.get("chunker_version") != CHUNKER_VERSION:
            return None
        volatile = ("dictionary_hash", "dictionary_words")
        if {k: v for k, v in (old.get("tokenizer") or {}).items() if k not in volatile} != \
                {k: v for k, v in tok.settings().items() if k not in volatile}:
            return None
        bm = old.get("bm25") or {}
        if bm.get("k1") != BM25_K1 or bm.get("b") != BM25_B or not bm.get("present"):
            return None
        if (old.get("model") or {}).get("id") != (model_info or {}).get("id"):
            return None
        if model_info is not None and not (old.get("faiss") or {}).get("type"):
            return None
        gen_dir = idx / old["generation"]
        if not all((gen_dir / f).exists() for f in ("chunks.sqlite", "dictionary.txt", "bm25")):
            return None
        old_docs = old.get("documents", {})
        ranges, a = {}, 0
        for sha, d in old_docs.items():  # the generation holds them in this order
            ranges[sha] = (a, int(d["chunks"]))
            a += int(d["chunks"])
        if a != int(old.get("chunks", -1)):
            return None
        reuse, changed = {}, set()
        for t in tasks:
            d = old_docs.get(t.sha)
            key = chunk_key(t.meta, lexicon_fingerprint(t.labels))
            if d is not None and d.get("chunk_key") == key and ranges[t.sha][1] > 0:
                reuse[t.sha] = ranges[t.sha]
            else:
                changed.add(t.sha)
        removed = set(old_docs) - {t.sha for t in tasks}
        if not changed and not removed and old.get("tokenizer", {}).get("dictionary_hash") == tok.dictionary_hash:
            return Plan(changed, removed, reuse, None)
        if len(changed) > INCREMENTAL_MAX_CHANGED * max(1, len(tasks)):
            return None
        previous = Previous(gen_dir, a)  # before the text scan below: raises if it has no term counts
        old_words = set(filter(None, (gen_dir / "dictionary.txt").read_text(encoding="utf-8").split("\n")))
        diff = old_words ^ set(tok.words)
        if diff:
            stats["dictionary_words_changed"] = len(diff)
            for sha in documents_containing(gen_dir / "chunks.sqlite", diff) & set(reuse):
                del reuse[sha]
                changed.add(sha)
            if len(changed) > INCREMENTAL_MAX_CHANGED * max(1, len(tasks)):
                return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Plan(changed, removed, reuse, previous)
