"""Query time: BM25 + dense vectors (FAISS), fused by reciprocal rank fusion, over the
live segments of the index (a main segment, small deltas beside it, tombstones).

Every segment is searched and the results are merged on global ids (search.index.segments):
BM25 scores use the statistics of the live rows of all segments, tombstoned rows are never
returned, and ties are broken by global id, so the hits are the ones a single index of the
same corpus returns. Filters (year, agency, kind, document) become candidate ids BEFORE
ranking, so a filtered query ranks only what it may return (BM25 scores are read for the
candidates, FAISS searches with an IDSelector). A policy number or classification code
typed in the query puts the chunks that contain it first.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from search.embedder import BUILTIN, EmbedderError
from search.index import RRF_K, IndexError_, hold, index_dir, let_go, read_config, tidy
from search.index.bm25 import Postings, average_length, contributions, idf, length_norms
from search.index.generations import SegmentInfo
from search.index.segments import Layout, segment_names
from search.index.vectors import read_faiss
from search.tokenize import exact_terms, get_tokenizer, normalize

MODES = ("hybrid", "bm25", "dense")
BACKGROUND_OPEN_ROWS = 200_000  # a newer view that must open this many rows is opened off the query path
SCORE_CACHE_BYTES = 256 << 20  # per view: each term's per-posting BM25 scores, computed once
_shared: dict[str, Searcher] = {}
_shared_lock = threading.Lock()


@dataclass
class Hit:
    source_file: str
    page: int
    text: str
    score: float
    section: str = ""
    entities: list[str] = field(default_factory=list)
    agency: str = ""
    year: int | None = None
    kind: str = ""
    chunk_id: str = ""
    title: str = ""
    block: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def rrf(rankings: list[list[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion: score(d) = Σ 1/(k + rank); ties keep first-seen order."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for r, doc in enumerate(ranking, 1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + r)
    return sorted(scores.items(), key=lambda x: -x[1])


class _Gone(IndexError_):
    """A segment named by config.json was removed before it could be opened."""


class _Segment:
    """One open segment folder (chunk rows, postings, vectors), shared by the views that
    list it. It holds a shared lock on its folder (search.index.hold) until released, so
    the folder is not removed while it may be read."""

    def __init__(self, folder: Path):
        self.dir = folder
        self.name = folder.name
        self.refs = 0
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []  # read-only connections not in use
        self._all: list[sqlite3.Connection] = []
        self._closed = False
        fd = hold(folder)
        if fd is None:
            raise _Gone(f"{folder} is missing; run `budgetkg index --rebuild`")
        self._fd = fd
        try:
            self.info = SegmentInfo.read(folder)
            self.n = self.info.n
            self._idle.append(self._connect())  # opened now, so a missing or broken file fails here
            self.postings = Postings(folder / "bm25") if (folder / "bm25" / "vocab.json").exists() else None
            self.lens = np.fromfile(folder / "tf" / "lens.i32", dtype=np.int32)
            self.faiss = read_faiss(folder / "vectors.faiss") if (folder / "vectors.faiss").exists() else None
        except BaseException:
            self.release()
            raise

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(f"file:{self.dir / 'chunks.sqlite'}?mode=ro", uri=True, check_same_thread=False)
        with self._lock:
            self._all.append(con)
        return con

    def sql(self, q: str, args=()) -> list[tuple]:
        # A connection per concurrent search (pooled): one shared connection behind a lock
        # made every search wait for the others' row reads under load.
        with self._lock:
            if self._closed:
                raise sqlite3.ProgrammingError(f"segment {self.name} was released")
            con = self._idle.pop() if self._idle else None
        if con is None:
            con = self._connect()
        try:
            return con.execute(q, args).fetchall()
        finally:
            with self._lock:
                if not self._closed:
                    self._idle.append(con)

    def release(self) -> None:
        # only once no view uses the segment (refs 0), so no search holds a connection
        with self._lock:
            self._closed = True
            cons, self._all, self._idle = self._all, [], []
        for con in cons:
            con.close()
        if self._fd is not None:
            let_go(self._fd)
            self._fd = None

    def __del__(self):
        try:
            self.release()
        except Exception:  # noqa: BLE001 - at interpreter exit anything may be gone
            pass


class _Models:
    """The embedder of the index's model, loaded on the first dense query and kept while
    views come and go (they all use the same model until a rebuild changes it)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loaded: dict[tuple, object] = {}

    def get(self, cfg: dict, model_path: Path | None):
        m = cfg.get("model") or {}
        key = (m.get("name"), m.get("id"), str(model_path))
        emb = self._loaded.get(key)
        if emb is None:
            from search.embedder import load_embedder

            emb = load_embedder(m["name"], model_path)
            with self._lock:
                self._loaded = {key: emb}  # one model at a time
        return emb


class _View:
    """The live index as one config.json describes it: its segments, the global ids of their
    rows, the BM25 statistics over the live rows, the query tokenizer (the newest segment's
    dictionary) and the model. Immutable once built; a newer config.json makes a new view."""

    def __init__(self, db: Path, models: _Models, cfg: dict, segments: list[_Segment]):
        self.models = models
        self.cfg = cfg
        self.segments = segments
        self.users = 0
        self.retired = False
        self._locks: list[int] = []
        idx = index_dir(db)
        m = cfg.get("model") or {}
        self.model_path = idx / m["path"] if m.get("name") == BUILTIN and m.get("path") else None
        if self.model_path is not None:
            fd = hold(self.model_path)
            if fd is not None:
                self._locks.append(fd)
        self.layout = Layout(cfg, {s.name: s.info for s in segments})
        self.n = self.layout.n
        self.bm25_live = [g >= 0 for g in self.layout.bm25_gid]
        self.bm25_all_live = [bool(m_.all()) for m_ in self.bm25_live]
        self.bm25_dead = [np.flatnonzero(~m_) for m_ in self.bm25_live]
        live_rows = sum(int(m_.sum()) for m_ in self.bm25_live)
        if live_rows != self.n:
            raise IndexError_(f"the index's BM25 rows ({live_rows}) do not match its chunks ({self.n})")
        total = sum(int(s.lens[m_].sum(dtype=np.int64)) for s, m_ in zip(segments, self.bm25_live, strict=True))
        avg = average_length(total, self.n) if self.n else np.float64(1)
        self.norms = [length_norms(s.lens, avg) for s in segments]
        self.own_live = [g >= 0 for g in self.layout.own_gid]
        self.all_live = [bool(m_.all()) for m_ in self.own_live]
        self._bitmaps = [np.packbits(m_, bitorder="little") for m_ in self.own_live]
        newest = max(zip(cfg["segments"], segments, strict=True), key=lambda x: int(x[0]["seq"]))[1]
        words = (newest.dir / "dictionary.txt").read_text(encoding="utf-8").split("\n")
        self.tokenizer = get_tokenizer([w for w in words if w])
        self.faiss_info = dict(cfg.get("faiss") or {})
        self.has_bm25 = any(s.postings is not None for s in segments)
        self.has_vectors = any(s.faiss is not None for s in segments)
        self._scores: dict[str, list | None] = {}  # term → per segment (rows, scores), insertion = age
        self._scores_bytes = 0
        self._sizes: dict[str, int] = {}
        self._scores_lock = threading.Lock()
        self.quantizer = None  # the main segment's coarse quantizer: one probe list for every IVF segment
        if self.faiss_info.get("type") == "IndexIVFFlat" and segments[0].faiss is not None:
            import faiss

            self.quantizer = faiss.extract_index_ivf(segments[0].faiss).quantizer

    @property
    def embedder(self):
        return self.models.get(self.cfg, self.model_path)

    def release(self) -> None:
        for fd in self._locks:
            let_go(fd)
        self._locks = []

    def __del__(self):
        try:
            self.release()
        except Exception:  # noqa: BLE001 - at interpreter exit anything may be gone
            pass

    # --- global ids ----------------------------------------------------------------------
    def split(self, gids: np.ndarray) -> list[np.ndarray]:
        """Per segment, the own rows of these (sorted) global ids."""
        out = [np.zeros(0, np.int64) for _ in self.segments]
        if len(gids) == 0:
            return out
        segs, rows = self.layout.locate(gids)
        for s in np.unique(segs):
            out[int(s)] = rows[segs == s]
        return out

    def bm25_rows(self, gids: np.ndarray) -> list[np.ndarray]:
        """Per segment, the BM25 rows that hold these global ids' term counts."""
        own = self.split(gids)
        out = []
        extra: dict[int, list[int]] = {}
        for s, rows in enumerate(own):
            live = self.bm25_live[s][rows]
            out.append(rows[live])
            for r in rows[~live]:
                g = int(self.layout.own_gid[s][r])
                ws, wr = self.layout.winner.get(g, (None, None))
                if ws is not None:
                    extra.setdefault(ws, []).append(wr)
        for s, rows in extra.items():
            out[s] = np.union1d(out[s], np.array(rows, np.int64))
        return out

    def term_scores(self, term: str) -> list | None:
        """Per segment (rows, float32 scores) of `term` under the live statistics (None where
        the segment lacks it), or None when no live row holds it. Statistics change only with
        the view, so each term's per-posting arithmetic is done once per view (kept up to
        SCORE_CACHE_BYTES; the oldest terms go first)."""
        with self._scores_lock:
            if term in self._scores:
                return self._scores[term]
        got = [seg.postings.get(term) if seg.postings is not None else None for seg in self.segments]
        df = sum(len(p[0]) if self.bm25_all_live[s] else int(np.count_nonzero(self.bm25_live[s][p[0]]))
                 for s, p in enumerate(got) if p is not None)
        out = None
        size = 64
        if df:
            w = idf(self.n, df)
            out = []
            for s, p in enumerate(got):
                if p is None:
                    out.append(None)
                    continue
                rows = np.asarray(p[0])
                x = contributions(w, np.asarray(p[1]), self.norms[s][rows])
                out.append((rows, x))
                size += x.nbytes  # the rows are a view of the mapped postings
        with self._scores_lock:
            if term not in self._scores:
                while self._scores and self._scores_bytes + size > SCORE_CACHE_BYTES:
                    old = next(iter(self._scores))
                    self._scores_bytes -= self._sizes.pop(old)
                    del self._scores[old]
                self._scores[term] = out
                self._sizes[term] = size
                self._scores_bytes += size
        return out


class Searcher:
    """The live index. Thread-safe for concurrent searches.

    A long-running reader (the API) keeps one Searcher: it looks at config.json at most
    every `refresh_s` seconds (a stat) and moves to the newer view of the index when a sync
    or a merge has changed it, reusing the segments it has open; searches in flight finish
    on the view they started on, whose segments stay on disk until released. A view that
    must open a large new segment (after a merge) is opened in a background thread while
    searches go on with the current one. A read that fails on the files (OSError, SQLite)
    is retried once on a view opened afresh."""

    refresh_s = 0.25  # a stat of config.json: cheap enough that a new delta is seen at once

    def __init__(self, db, cfg: dict | None = None):
        self.db = Path(db)
        self._state = threading.Lock()
        self._reopen = threading.Lock()
        self._open: dict[str, _Segment] = {}
        self._models = _Models()
        self._pending: threading.Thread | None = None
        self._closed = False
        self._sig = self._config_sig()
        self._v = self._open_live(cfg)
        self._checked = time.monotonic()

    @classmethod
    def open(cls, db) -> Searcher:
        return cls(db)

    @classmethod
    def shared(cls, db) -> Searcher:
        """One open Searcher per database for long-running processes, moved to the live
        view on every call (besides its own look every `refresh_s`)."""
        key = str(Path(db).resolve())
        with _shared_lock:
            cur = _shared.get(key)
            if cur is None:
                cur = _shared[key] = cls(db)
                return cur
        cur.refresh()
        return cur

    def _config_sig(self):
        try:
            st = os.stat(index_dir(self.db) / "config.json")
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    # --- views ---------------------------------------------------------------------------
    def _make_view(self, cfg: dict, reuse: bool = True) -> _View:
        idx = index_dir(self.db)
        names = segment_names(cfg)
        with self._state:  # counted at once, so no other thread frees them meanwhile
            taken = {n: self._open[n] for n in names if reuse and n in self._open}
            for seg in taken.values():
                seg.refs += 1
        fresh: list[_Segment] = []
        try:
            for name in names:
                if name not in taken:
                    fresh.append(_Segment(idx / name))
            by_name = {**taken, **{seg.name: seg for seg in fresh}}
            view = _View(self.db, self._models, cfg, [by_name[n] for n in names])
        except BaseException:
            for seg in fresh:
                seg.release()
            self._unref(list(taken.values()))
            raise
        with self._state:
            for seg in fresh:
                seg.refs += 1
                self._open.setdefault(seg.name, seg)
        return view

    def _unref(self, segments: list[_Segment]) -> None:
        gone = []
        with self._state:
            for seg in segments:
                seg.refs -= 1
                if seg.refs <= 0:
                    if self._open.get(seg.name) is seg:
                        del self._open[seg.name]
                    gone.append(seg)
        for seg in gone:
            seg.release()
        if gone:
            tidy(self.db)

    def _open_live(self, cfg: dict | None = None, reuse: bool = True) -> _View:
        for attempt in range(5):
            if cfg is None:
                cfg = read_config(self.db)
            if cfg is None:
                raise IndexError_(f"no search index in {self.db} (run `budgetkg ingest --db {self.db} FILES` "
                                  f"or `budgetkg index`)")
            if not cfg.get("segments"):
                raise IndexError_(f"{index_dir(self.db)} was written by an older budgetkg; "
                                  f"run `budgetkg index --rebuild --db {self.db}`")
            try:
                return self._make_view(cfg, reuse)
            except _Gone:
                # a sync or merge replaced a segment between reading config.json and opening it
                if attempt == 4:
                    raise
                cfg = None
        raise AssertionError("unreachable")

    def _heavy(self, cfg: dict) -> bool:
        with self._state:
            opened = set(self._open)
        return sum(int(s.get("rows", 0)) for s in cfg.get("segments") or [] if s["name"] not in opened) \
            >= BACKGROUND_OPEN_ROWS

    def refresh(self, force: bool = False, wait: bool = True) -> bool:
        """Move to the view config.json describes if it changed (or, with `force`, reopen
        every segment anyway). True when the Searcher moved. With `wait=False` a view that
        must open a large segment is opened in a background thread (False is returned)."""
        self._checked = time.monotonic()
        sig = self._config_sig()
        if sig == self._sig and not force:
            return False
        with self._reopen:
            if sig == self._sig and not force:
                return False
            cfg = read_config(self.db)
            if cfg is None:
                self._sig = sig
                return False
            if not force and self._same(cfg, self._v.cfg):
                self._sig = sig
                return False
            if not wait and not force and self._heavy(cfg):
                if self._pending is None or not self._pending.is_alive():
                    self._pending = threading.Thread(target=self._switch_later, args=(sig, cfg), daemon=True)
                    self._pending.start()
                return False
            new = self._open_live(cfg, reuse=not force)
            self._sig = sig
            with self._state:
                old, self._v = self._v, new
        self._retire(old)
        return True

    def _switch_later(self, sig, cfg: dict) -> None:
        try:
            new = self._open_live(cfg)
        except (IndexError_, OSError, sqlite3.Error):
            return
        with self._reopen:
            if not self._closed and self._sig != sig and self._config_sig() == sig:
                self._sig = sig
                with self._state:
                    old, self._v = self._v, new
            else:
                old = new  # overtaken by a newer config.json
        self._retire(old)

    @staticmethod
    def _same(a: dict, b: dict) -> bool:
        return a.get("segments") == b.get("segments") and a.get("documents") == b.get("documents") \
            and (a.get("model") or {}).get("id") == (b.get("model") or {}).get("id")

    def _retire(self, v: _View) -> None:
        with self._state:
            v.retired = True
            done = v.users == 0
        if done:
            self._free(v)

    def _free(self, v: _View) -> None:
        v.release()
        self._unref(v.segments)

    @contextmanager
    def _using(self):
        if time.monotonic() - self._checked >= self.refresh_s:
            try:
                self.refresh(wait=False)
            except IndexError_:
                pass  # an unreadable or half-written config: stay on the view open now
        with self._state:
            v = self._v
            v.users += 1
        try:
            yield v
        finally:
            with self._state:
                v.users -= 1
                done = v.retired and v.users == 0
            if done:
                self._free(v)

    def _call(self, fn, *args, **kw):
        """fn(view, …), retried once on a view opened afresh when the files fail."""
        try:
            with self._using() as v:
                return fn(v, *args, **kw)
        except (OSError, sqlite3.Error, EmbedderError):
            try:
                self.refresh(force=True)
            except IndexError_:
                pass
            else:
                with self._using() as v:
                    return fn(v, *args, **kw)
            raise

    # --- what the open view holds (for callers and benchmarks) ---------------------------
    @property
    def cfg(self) -> dict:
        return self._v.cfg

    @property
    def dir(self) -> Path:
        return index_dir(self.db) / self._v.cfg["generation"]

    @property
    def n(self) -> int:
        return self._v.n

    @property
    def tokenizer(self):
        return self._v.tokenizer

    @property
    def faiss(self):
        """The main segment's FAISS index."""
        return self._v.segments[0].faiss

    @property
    def faiss_info(self) -> dict:
        return self._v.faiss_info

    @faiss_info.setter
    def faiss_info(self, info: dict) -> None:
        self._v.faiss_info = info

    @property
    def embedder(self):
        return self._v.embedder

    @property
    def segments(self) -> list[str]:
        return [s.name for s in self._v.segments]

    # --- pieces --------------------------------------------------------------------------
    def _sql(self, q: str, args=()) -> list[tuple]:
        """A query on every segment's chunk table, rows concatenated (tombstones included)."""
        return self._call(lambda v: [r for s in v.segments for r in s.sql(q, args)])

    def candidates(self, year=None, agency=None, kind=None, doc=None) -> np.ndarray | None:
        """Global ids of the chunks the filters allow (None: no filter)."""
        return self._call(_candidates, year, agency, kind, doc)

    def bm25_ranking(self, query: str, cand: np.ndarray | None, depth: int) -> list[tuple[int, float]]:
        return self._call(_bm25_ranking, query, cand, depth)

    def dense_ranking(self, query: str, cand: np.ndarray | None, depth: int) -> list[tuple[int, float]]:
        return self._call(_dense_ranking, query, cand, depth)

    def exact_ids(self, query: str, cand: np.ndarray | None) -> set[int]:
        """Chunks holding a policy number or classification code the query names."""
        return self._call(_exact_ids, query, cand)

    # --- the query -----------------------------------------------------------------------
    def search(self, query: str, k: int = 10, year=None, agency=None, kind=None, doc=None,
               mode: str = "hybrid") -> list[Hit]:
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
        query = (query or "").strip()
        if not query or k <= 0:
            return []
        return self._call(_search, query, k, year, agency, kind, doc, mode)

    def close(self) -> None:
        with self._reopen:
            self._closed = True
        self._retire(self._v)


# --- on one view -------------------------------------------------------------------------------

def _candidates(v: _View, year=None, agency=None, kind=None, doc=None) -> np.ndarray | None:
    where, args = [], []
    if year is not None:
        where.append("year = ?")
        args.append(int(year))
    if kind:
        where.append("kind = ?")
        args.append(kind)
    if agency:
        where.append("instr(norm_agency, ?) > 0")
        args.append(normalize(agency).strip())
    if doc:
        # a file name, a sha256 or a prefix of one (8 hex digits or more); each alternative
        # indexed (a LIKE would scan a million rows: a second at 10,000 disclosures)
        if len(doc) >= 8:
            where.append("(source_file = ? OR sha256 = ? OR (sha256 >= ? AND sha256 < ?))")
            args += [doc, doc, doc.lower(), doc.lower() + "~"]
        else:
            where.append("(source_file = ? OR sha256 = ?)")
            args += [doc, doc]
    if not where:
        return None
    parts = []
    for s, seg in enumerate(v.segments):
        rows = np.array([r[0] for r in seg.sql(f"SELECT id FROM chunks WHERE {' AND '.join(where)}", args)], np.int64)
        g = v.layout.own_gid[s][rows] if len(rows) else rows
        parts.append(g[g >= 0])
    return np.sort(np.concatenate(parts)) if parts else np.zeros(0, np.int64)


def _bm25_scores(v: _View, terms: list[str]) -> list[np.ndarray] | None:
    """Per segment, each BM25 row's score (float32), or None when no live row holds a term.
    Each occurrence of a term adds its scores, in query order, as bm25s accumulates them."""
    if not v.has_bm25 or not v.n:
        return None
    scores: list[np.ndarray] | None = None
    for term in terms:
        per_segment = v.term_scores(term)
        if per_segment is None:
            continue
        if scores is None:
            scores = [np.zeros(len(s.lens), np.float32) for s in v.segments]
        for s, got in enumerate(per_segment):
            if got is not None:
                rows, x = got
                np.add.at(scores[s], rows, x)  # a float32 add per row, as bm25s does
    return scores


def _rank(gids: np.ndarray, scores: np.ndarray, depth: int, positive: bool = True) -> list[tuple[int, float]]:
    """The `depth` best (global id, score), by score then id (ties go to the lower id)."""
    if positive:
        keep = scores > 0
        gids, scores = gids[keep], scores[keep]
    if len(gids) == 0:
        return []
    if len(gids) > depth:
        t = -np.partition(-scores, depth - 1)[depth - 1]
        above = scores > t
        tie = np.nonzero(scores == t)[0]
        tie = tie[np.argsort(gids[tie], kind="stable")][:depth - int(above.sum())]
        sel = np.concatenate([np.nonzero(above)[0], tie])
        gids, scores = gids[sel], scores[sel]
    order = np.lexsort((gids, -scores))
    return [(int(gids[i]), float(scores[i])) for i in order]


def _bm25_ranking(v: _View, query: str, cand: np.ndarray | None, depth: int) -> list[tuple[int, float]]:
    scores = _bm25_scores(v, v.tokenizer.terms(query))
    if scores is None:
        return []
    gid_parts, score_parts = [], []
    rows_by_seg = v.bm25_rows(cand) if cand is not None else None
    for s, sc in enumerate(scores):
        if not v.bm25_all_live[s]:
            sc[v.bm25_dead[s]] = 0  # tombstones and overridden rows never rank
        if rows_by_seg is not None:
            rows = rows_by_seg[s]
            sub = sc[rows]
        else:
            rows = np.flatnonzero(sc >= score_floor(sc, depth))
            sub = sc[rows]
            if len(rows) > depth:
                # this segment's part of the global top `depth` is among its `depth` best
                # scores, ties at the threshold included (they are then ordered by global id)
                t = np.partition(sub, len(sub) - depth)[len(sub) - depth]
                keep = sub >= t
                rows, sub = rows[keep], sub[keep]
        gid_parts.append(v.layout.bm25_gid[s][rows])
        score_parts.append(sub)
    return _rank(np.concatenate(gid_parts), np.concatenate(score_parts), depth)


def score_floor(scores: np.ndarray, depth: int, block: int = 1024) -> np.float32:
    """A positive score that at least `depth` rows reach, when there is one (else the least
    positive float32): the `depth`-th largest of the block maxima. Every row of the top
    `depth` scores at least that much, so only the rows above it need sorting; on a million
    rows that spares a partition of all the positive scores (5 ms a query at 10k)."""
    tiny = np.float32(np.finfo(np.float32).tiny)
    m = len(scores) // block
    if m < depth:
        return tiny
    maxima = scores[:m * block].reshape(m, block).max(axis=1)
    t = np.partition(maxima, m - depth)[m - depth]
    return t if t > 0 else tiny


def _dense_ranking(v: _View, query: str, cand: np.ndarray | None, depth: int) -> list[tuple[int, float]]:
    if not v.has_vectors or v.n == 0:
        return []
    qv = v.embedder.encode([query])
    if not np.any(qv):
        return []
    import faiss

    k = min(depth, v.n if cand is None else len(cand))
    if k <= 0:
        return []
    ivf = v.faiss_info.get("type") == "IndexIVFFlat"
    nprobe = int(v.faiss_info.get("nprobe", 8))
    probes = None
    if ivf and v.quantizer is not None:
        dq, iq = v.quantizer.search(qv, nprobe)  # the lists to probe, the same in every segment
        probes = (np.ascontiguousarray(iq), np.ascontiguousarray(dq))
    allowed = v.split(cand) if cand is not None else None
    gid_parts, score_parts = [], []
    for s, seg in enumerate(v.segments):
        if seg.faiss is None or seg.faiss.ntotal == 0:
            continue
        sel = None
        ks = k
        if allowed is not None:
            rows = allowed[s]
            if not len(rows):
                continue
            sel = faiss.IDSelectorBatch(rows)
            ks = min(k, len(rows))
        elif not v.all_live[s]:
            sel = faiss.IDSelectorBitmap(seg.n, faiss.swig_ptr(v._bitmaps[s]))
        ks = min(ks, seg.n)
        if ivf:
            params = faiss.SearchParametersIVF(sel=sel, nprobe=nprobe) if sel is not None \
                else faiss.SearchParametersIVF(nprobe=nprobe)
        else:
            params = faiss.SearchParameters(sel=sel) if sel is not None else None
        if probes is not None:
            dist, ids = np.empty((1, ks), np.float32), np.empty((1, ks), np.int64)
            # the wrapper's search_preassigned takes no parameters (the selector); the C++ call does
            seg.faiss.search_preassigned_c(1, faiss.swig_ptr(qv), ks, faiss.swig_ptr(probes[0]),
                                           faiss.swig_ptr(probes[1]), faiss.swig_ptr(dist), faiss.swig_ptr(ids),
                                           False, params)
        elif params is not None:
            dist, ids = seg.faiss.search(qv, ks, params=params)
        else:
            dist, ids = seg.faiss.search(qv, ks)
        ok = ids[0] >= 0
        g = v.layout.own_gid[s][ids[0][ok]]
        live = g >= 0
        gid_parts.append(g[live])
        score_parts.append(dist[0][ok][live])
    if not gid_parts:
        return []
    return _rank(np.concatenate(gid_parts), np.concatenate(score_parts), k, positive=False)


def _exact_ids(v: _View, query: str, cand: np.ndarray | None) -> set[int]:
    if not v.has_bm25:
        return set()
    out: set[int] = set()
    for term in exact_terms(query):
        for s, seg in enumerate(v.segments):
            p = seg.postings.get(term) if seg.postings is not None else None
            if p is None:
                continue
            g = v.layout.bm25_gid[s][np.asarray(p[0])]
            g = g[g >= 0]
            if cand is not None:
                g = np.intersect1d(g, cand, assume_unique=True)
            out.update(int(i) for i in g)
    return out


def _search(v: _View, query: str, k: int, year, agency, kind, doc, mode: str) -> list[Hit]:
    if v.n == 0:
        return []
    cand = _candidates(v, year, agency, kind, doc)
    if cand is not None and len(cand) == 0:
        return []
    depth = max(100, 10 * k)
    lists: list[list[tuple[int, float]]] = []
    if mode in ("hybrid", "bm25"):
        lists.append(_bm25_ranking(v, query, cand, depth))
    if mode in ("hybrid", "dense"):
        lists.append(_dense_ranking(v, query, cand, depth))
    if mode == "hybrid":
        ranked = rrf([[i for i, _ in lst] for lst in lists if lst])
    else:
        ranked = lists[0]
    exact = _exact_ids(v, query, cand)
    if exact:
        pos = {i: r for r, (i, _) in enumerate(ranked)}
        score = dict(ranked)
        first = sorted(exact, key=lambda i: (pos.get(i, len(pos)), i))
        ranked = [(i, score.get(i, 0.0)) for i in first] + [(i, s) for i, s in ranked if i not in exact]
    return _hits(v, ranked[:3 * k], k)


def _hits(v: _View, ranked: list[tuple[int, float]], k: int) -> list[Hit]:
    """The first k distinct hits: a document that prints the same passage or row twice
    (a repeated table, a boilerplate glossary) shows it once."""
    if not ranked:
        return []
    gids = np.array([i for i, _ in ranked], np.int64)
    segs, rows = v.layout.locate(gids)
    by_id: dict[int, tuple] = {}
    for s in np.unique(segs):
        sel = segs == s
        local = {int(r): int(g) for r, g in zip(rows[sel], gids[sel], strict=True)}
        ids = list(local)
        for r in v.segments[int(s)].sql(
                f"SELECT id, source_file, page, text, section, entities, agency, year, kind, chunk_id, "
                f"title, block FROM chunks WHERE id IN ({','.join('?' * len(ids))})", ids):
            by_id[local[r[0]]] = r
    hits: list[Hit] = []
    seen: set[tuple[str, str]] = set()
    for i, score in ranked:
        r = by_id.get(i)
        if r is None:
            continue
        key = (r[1], "".join(normalize(r[3]).split()))
        if key in seen:
            continue
        seen.add(key)
        if len(hits) == k:
            break
        hits.append(Hit(source_file=r[1], page=r[2], text=r[3], score=round(float(score), 6), section=r[4] or "",
                        entities=json.loads(r[5] or "[]"), agency=r[6] or "", year=r[7], kind=r[8] or "",
                        chunk_id=r[9], title=r[10] or "", block=r[11] or ""))
    return hits
