"""Segments on disk: the folder a sync or a merge writes (`SegmentWriter`) and what a
reader needs to know of one without opening its indexes (`SegmentInfo`).

A segment folder holds:

    chunks.sqlite    chunks (text, metadata, the normalized index text `norm`), ids 0…n-1
                     in the order a full build gives them (documents by source file, sha256);
                     documents (sha256, source file, graph, chunk key, first id, chunk count,
                     dictionary words); overrides (BM25 rows n… that replace the term counts of
                     a chunk held by an older segment: sha256 and position in its document)
    tf/              term ids, counts, distinct terms and length per BM25 row (int32 files):
                     what a merge copies
    bm25/            the postings (bm25.write_postings) the query scores from
    vectors.faiss    the segment's own rows' vectors (FAISS id = row id)
    dictionary.txt   the jieba user dictionary as of this segment

The main segment is a `gen-<n>` folder (a complete generation); deltas are `delta-<n>`."""

from __future__ import annotations

import json
import shutil
import sqlite3
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from search.index.bm25 import write_postings
from search.index.layout import IndexError_
from search.index.tasks import IndexResult

CHUNK_COLUMNS = ("chunk_id, sha256, source_file, page, section, text, block, agency, year, kind, title, entities, "
                 "norm_agency, norm")


def new_segment_name(idx: Path, prefix: str, cfg: dict | None) -> str:
    """`<prefix>-<n>` after every number in use: in the live config, in the folder, or taken
    by a crashed or running writer's temporary folder."""
    used = [int((cfg or {}).get("seq", 0))]
    for s in (cfg or {}).get("segments", []):
        used.append(int(s["name"].split("-")[-1]))
    if (cfg or {}).get("generation"):
        used.append(int(cfg["generation"].split("-")[-1]))
    for p in idx.glob("*"):
        stem = p.name.lstrip(".").split(".")[0]
        if stem.startswith(("gen-", "delta-")) and stem.split("-")[-1].isdigit():
            used.append(int(stem.split("-")[-1]))
    return f"{prefix}-{max(used) + 1:06d}"


class SegmentWriter:
    """Appends to a new segment folder: chunk rows into chunks.sqlite (one transaction),
    vectors into a float32 file, BM25 (term id, count) pairs into int32 files. The
    vocabulary (term → id, first-seen order) is the only structure that grows with the
    segment's terms; everything else streams to disk.

    Rows come from the per-document caches (`add`) or, in a merge, are copied from other
    segments (`add_rows_sql` / `add_term_rows`, term ids already in this writer's
    vocabulary, which then starts as the main segment's and is renumbered into first-seen
    order by `finish`). Override rows (`add_override`) follow the segment's own rows."""

    def __init__(self, folder: Path, dims: int, vocab: dict[str, int] | None = None, keep_vectors: bool = True):
        self.folder = folder
        self.scratch = folder / "scratch"
        self.scratch.mkdir(parents=True)
        self.tf = folder / "tf"
        self.tf.mkdir()
        self.dims = dims
        self.n = 0  # own rows
        self.rows = 0  # BM25 rows: own rows, then overrides
        self.renumber = vocab is not None
        self.vocab: dict[str, int] = dict(vocab) if vocab is not None else {}
        self._nnz = array("i")
        self._lens = array("i")
        self._ids = open(self.tf / "term_ids.i32", "wb")  # noqa: SIM115 - closed in close()
        self._tfs = open(self.tf / "term_counts.i32", "wb")  # noqa: SIM115
        self._vec = open(self.scratch / "vectors.f32", "wb") if dims and keep_vectors else None  # noqa: SIM115
        self.con = sqlite3.connect(folder / "chunks.sqlite")
        self.con.execute("""CREATE TABLE chunks (id INTEGER PRIMARY KEY, chunk_id TEXT, sha256 TEXT, source_file TEXT,
                            page INTEGER, section TEXT, text TEXT, block TEXT, agency TEXT, year INTEGER, kind TEXT,
                            title TEXT, entities TEXT, norm_agency TEXT, norm TEXT)""")
        self.con.execute("""CREATE TABLE documents (sha256 TEXT PRIMARY KEY, source_file TEXT, graph TEXT,
                            chunk_key TEXT, first INTEGER, chunks INTEGER, words TEXT)""")
        self.con.execute("CREATE TABLE overrides (row INTEGER PRIMARY KEY, sha256 TEXT, pos INTEGER)")
        self.documents: dict[str, dict] = {}  # sha → {"source_file", "chunks", "chunk_key", "graph"}, in order

    # --- own rows --------------------------------------------------------------------------
    def add(self, r: IndexResult, graph: str, words: list[str]) -> None:
        """One document from the per-document caches."""
        if self.rows != self.n:
            raise IndexError_("a segment's own rows come before its overrides")
        n0 = self.n
        self.con.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                             ((n0 + i, *row) for i, row in enumerate(r.rows)))
        self.add_document(r.sha, r.source_file, graph, r.key, n0, r.n, words)
        if self.dims:
            v = r.vectors
            if v is None or v.shape != (r.n, self.dims):
                raise IndexError_(f"{r.source_file}: vectors of the wrong shape")
            if self._vec is not None:
                self._vec.write(v.tobytes())
        self._add_terms(*r.terms)
        self.n += r.n

    def add_document(self, sha: str, source_file: str, graph: str, key: str, first: int, n: int, words) -> None:
        self.con.execute("INSERT INTO documents VALUES (?,?,?,?,?,?,?)",
                         (sha, source_file, graph, key, first, n, json.dumps(sorted(words), ensure_ascii=False)))
        self.documents[sha] = {"source_file": source_file, "chunks": n, "chunk_key": key, "graph": graph}

    def _add_terms(self, flat: list[str], counts: np.ndarray, nnz: np.ndarray, lens: np.ndarray) -> None:
        vocab = self.vocab
        ids = np.fromiter((vocab.setdefault(w, len(vocab)) for w in flat), dtype=np.int32, count=len(flat))
        self._ids.write(ids.tobytes())
        self._tfs.write(np.asarray(counts, np.int32).tobytes())
        self._nnz.extend(nnz.tolist())
        self._lens.extend(lens.tolist())
        self.rows += len(nnz)

    # --- rows copied by a merge ------------------------------------------------------------
    def add_rows_sql(self, source_db: Path, runs: list[tuple[int, int, int]]) -> None:
        """Chunk rows of another segment, `runs` of (first source id, count, first new id)."""
        self.con.execute("ATTACH DATABASE ? AS src", (f"file:{source_db}?mode=ro",))
        try:
            for a, n, to in runs:
                self.con.execute(f"INSERT INTO chunks SELECT id + ?, {CHUNK_COLUMNS} FROM src.chunks "
                                 "WHERE id >= ? AND id < ? ORDER BY id", (to - a, a, a + n))
            self.con.commit()
        finally:
            self.con.execute("DETACH DATABASE src")

    def add_term_rows(self, ids: np.ndarray, counts: np.ndarray, nnz: np.ndarray, lens: np.ndarray) -> None:
        """BM25 rows whose term ids are already this writer's."""
        self._ids.write(np.asarray(ids, np.int32).tobytes())
        self._tfs.write(np.asarray(counts, np.int32).tobytes())
        self._nnz.frombytes(np.asarray(nnz, np.int32).tobytes())
        self._lens.frombytes(np.asarray(lens, np.int32).tobytes())
        self.rows += len(nnz)

    def advance(self, n: int) -> None:
        """`n` own rows were copied in (their BM25 rows come through `add_term_rows`)."""
        self.n += n

    # --- overrides -------------------------------------------------------------------------
    def add_override(self, sha: str, pos: int, terms: str) -> None:
        """New term counts for chunk `pos` of document `sha`, held by an older segment."""
        self.con.execute("INSERT INTO overrides VALUES (?,?,?)", (self.rows, sha, pos))
        from search.index.bm25 import term_counts

        self._add_terms(*term_counts([terms]))

    # --- finishing -------------------------------------------------------------------------
    def finish(self) -> None:
        """Indexes, term counts and postings; call once every row is in."""
        for col in ("sha256", "source_file", "year", "kind", "norm_agency"):
            self.con.execute(f"CREATE INDEX ix_{col} ON chunks({col})")
        self.con.commit()
        self.con.close()
        self.con = None
        for f in (self._ids, self._tfs, self._vec):
            if f is not None:
                f.close()
        np.frombuffer(self._nnz, np.int32).tofile(self.tf / "nnz.i32")
        np.frombuffer(self._lens, np.int32).tofile(self.tf / "lens.i32")
        if self.renumber:
            self._first_seen_ids()
        ids = np.memmap(self.tf / "term_ids.i32", dtype=np.int32, mode="r") if self.rows else np.zeros(0, np.int32)
        tfs = np.memmap(self.tf / "term_counts.i32", dtype=np.int32, mode="r") if self.rows else np.zeros(0, np.int32)
        write_postings(self.folder / "bm25", self.vocab, ids, tfs, np.frombuffer(self._nnz, np.int32))

    def _first_seen_ids(self, block: int = 4_000_000) -> None:
        """Term ids renumbered in order of first occurrence (terms no row holds are dropped):
        the vocabulary a full build of this corpus makes."""
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
        """The own rows' vectors, memory-mapped (n, dims)."""
        return np.memmap(self.scratch / "vectors.f32", dtype=np.float32, mode="r", shape=(self.n, self.dims))

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None
        for f in (self._ids, self._tfs, self._vec):
            if f is not None and not f.closed:
                f.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


@dataclass
class SegmentInfo:
    """What a segment holds, from its chunks.sqlite: its documents (sha → first row, chunk
    count), its override rows (owner sha and position, for rows n, n+1, …) and its size."""

    name: str
    dir: Path
    n: int  # own rows
    docs: dict[str, tuple[int, int]] = field(default_factory=dict)
    override_sha: list[str] = field(default_factory=list)
    override_pos: list[int] = field(default_factory=list)

    @classmethod
    def read(cls, folder: Path) -> SegmentInfo:
        con = sqlite3.connect(f"file:{folder / 'chunks.sqlite'}?mode=ro", uri=True)
        try:
            docs = {sha: (int(a), int(n)) for sha, a, n in
                    con.execute("SELECT sha256, first, chunks FROM documents ORDER BY first, sha256")}
            ovr = con.execute("SELECT sha256, pos FROM overrides ORDER BY row").fetchall()
        except sqlite3.Error as e:
            raise IndexError_(f"{folder}: not a segment ({e}); run `budgetkg index --rebuild`") from e
        finally:
            con.close()
        n = max((a + k for a, k in docs.values()), default=0)
        return cls(folder.name, folder, n, docs, [s for s, _ in ovr], [int(p) for _, p in ovr])


def document_words(folder: Path, shas: list[str] | None = None) -> dict[str, list[str]]:
    """sha → the dictionary words its graph brought, for the documents of a segment."""
    con = sqlite3.connect(f"file:{folder / 'chunks.sqlite'}?mode=ro", uri=True)
    try:
        if shas is None:
            rows = con.execute("SELECT sha256, words FROM documents").fetchall()
        else:
            rows = []
            for a in range(0, len(shas), 500):
                part = shas[a:a + 500]
                rows += con.execute(f"SELECT sha256, words FROM documents WHERE sha256 IN ({','.join('?' * len(part))})",
                                    part).fetchall()
    finally:
        con.close()
    return {sha: json.loads(w or "[]") for sha, w in rows}
