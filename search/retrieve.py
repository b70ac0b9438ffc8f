"""Query time: BM25 (bm25s) + dense vectors (FAISS), fused by reciprocal rank fusion.

Filters (year, agency, kind, document) become a candidate id set BEFORE ranking, so a
filtered query ranks only what it may return (BM25 scores are read for the candidates,
FAISS searches with an IDSelector). A policy number or classification code typed in the
query puts the chunks that contain it first.
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
from search.tokenize import exact_terms, get_tokenizer, normalize

MODES = ("hybrid", "bm25", "dense")
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


class _Generation:
    """One open index generation. It holds shared locks on its folder and its model's
    folder (search.index.hold) until released, so neither is removed while it may read them."""

    def __init__(self, db: Path, cfg: dict):
        idx = index_dir(db)
        self.cfg = cfg
        self.dir = idx / cfg["generation"]
        self.users = 0
        self.retired = False
        self._released = False
        self._locks: list[int] = []
        fd = hold(self.dir)
        if fd is None:
            raise _Gone(f"{self.dir} is missing; run `budgetkg index --rebuild --db {db}`")
        self._locks.append(fd)
        try:
            m = cfg.get("model") or {}
            self.model_path = idx / m["path"] if m.get("name") == BUILTIN and m.get("path") else None
            if self.model_path is not None:
                mfd = hold(self.model_path)
                if mfd is not None:
                    self._locks.append(mfd)
            self.n = int(cfg.get("chunks", 0))
            self._lock = threading.Lock()
            self._con = sqlite3.connect(f"file:{self.dir / 'chunks.sqlite'}?mode=ro", uri=True,
                                        check_same_thread=False)
            words = (self.dir / "dictionary.txt").read_text(encoding="utf-8").split("\n")
            self.tokenizer = get_tokenizer([w for w in words if w])
            self.bm25 = None
            if cfg.get("bm25", {}).get("present"):
                import bm25s

                self.bm25 = bm25s.BM25.load(str(self.dir / "bm25"), mmap=True, load_corpus=False)
            self.faiss = None
            self.faiss_info = cfg.get("faiss") or {}
            if self.faiss_info.get("type") and (self.dir / "vectors.faiss").exists():
                self.faiss = _read_faiss(self.dir / "vectors.faiss")
            self._embedder = None
        except BaseException:
            self.release()
            raise

    @property
    def embedder(self):
        if self._embedder is None:
            from search.embedder import load_embedder

            m = self.cfg.get("model") or {}
            self._embedder = load_embedder(m["name"], self.model_path)
        return self._embedder

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        con = getattr(self, "_con", None)
        if con is not None:
            with self._lock:
                con.close()
        for fd in self._locks:
            let_go(fd)
        self._locks = []

    def __del__(self):
        try:
            self.release()
        except Exception:  # noqa: BLE001 - at interpreter exit anything may be gone
            pass


class _Gone(IndexError_):
    """The generation named by config.json was removed before it could be opened."""


class Searcher:
    """The live index generation. Thread-safe for concurrent searches.

    A long-running reader (the API) keeps one Searcher: it looks at config.json at most
    every `refresh_s` seconds (a stat) and moves to a newer generation when a sync has
    switched to one; searches in flight finish on the generation they started on, which
    stays on disk until released. A read that fails on the files (OSError, SQLite) is
    retried once on the generation config.json names."""

    refresh_s = 2.0

    def __init__(self, db, cfg: dict | None = None):
        self.db = Path(db)
        self._state = threading.Lock()
        self._reopen = threading.Lock()
        self._sig = self._config_sig()
        self._g = self._open_live(cfg)
        self._checked = time.monotonic()

    @classmethod
    def open(cls, db) -> Searcher:
        return cls(db)

    @classmethod
    def shared(cls, db) -> Searcher:
        """One open Searcher per database for long-running processes, moved to the live
        generation on every call (besides its own look every `refresh_s`)."""
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

    def _open_live(self, cfg: dict | None = None) -> _Generation:
        for attempt in range(5):
            if cfg is None:
                cfg = read_config(self.db)
            if cfg is None:
                raise IndexError_(f"no search index in {self.db} (run `budgetkg ingest --db {self.db} FILES` "
                                  f"or `budgetkg index`)")
            try:
                return _Generation(self.db, cfg)
            except _Gone:
                # a sync replaced that generation between reading config.json and locking it
                if attempt == 4:
                    raise
                cfg = None
        raise AssertionError("unreachable")

    # --- following the live generation ---------------------------------------------------
    def refresh(self, force: bool = False) -> bool:
        """Move to the generation config.json names if it is another one (or, with
        `force`, reopen it anyway). True when the Searcher moved."""
        self._checked = time.monotonic()
        sig = self._config_sig()
        if sig == self._sig and not force:
            return False
        with self._reopen:
            if sig == self._sig and not force:
                return False
            cfg = read_config(self.db)
            self._sig = sig
            cur = self._g
            if cfg is None or (not force and cfg.get("generation") == cur.cfg.get("generation")
                               and (cfg.get("model") or {}).get("id") == (cur.cfg.get("model") or {}).get("id")):
                return False
            new = self._open_live(cfg)
            with self._state:
                old, self._g = self._g, new
        self._retire(old)
        return True

    def _retire(self, g: _Generation) -> None:
        with self._state:
            g.retired = True
            done = g.users == 0
        if done:
            g.release()
            tidy(self.db)

    @contextmanager
    def _using(self):
        if time.monotonic() - self._checked >= self.refresh_s:
            try:
                self.refresh()
            except IndexError_:
                pass  # an unreadable or half-written config: stay on the generation open now
        with self._state:
            g = self._g
            g.users += 1
        try:
            yield g
        finally:
            with self._state:
                g.users -= 1
                done = g.retired and g.users == 0
            if done:
                g.release()
                tidy(self.db)

    def _call(self, fn, *args, **kw):
        """fn(generation, …), retried once on a newly opened generation when the files fail."""
        try:
            with self._using() as g:
                return fn(g, *args, **kw)
        except (OSError, sqlite3.Error, EmbedderError):
            try:
                self.refresh(force=True)
            except IndexError_:
                pass
            else:
                with self._using() as g:
                    return fn(g, *args, **kw)
            raise

    # --- what the open generation holds (for callers and benchmarks) ---------------------
    @property
    def cfg(self) -> dict:
        return self._g.cfg

    @property
    def dir(self) -> Path:
        return self._g.dir

    @property
    def n(self) -> int:
        return self._g.n

    @property
    def tokenizer(self):
        return self._g.tokenizer

    @property
    def bm25(self):
        return self._g.bm25

    @property
    def faiss(self):
        return self._g.faiss

    @property
    def faiss_info(self) -> dict:
        return self._g.faiss_info

    @faiss_info.setter
    def faiss_info(self, info: dict) -> None:
        self._g.faiss_info = info

    @property
    def embedder(self):
        return self._g.embedder

    # --- pieces ------------------------------------------------------------------------
    def _sql(self, q: str, args=()) -> list[tuple]:
        return self._call(_sql, q, args)

    def candidates(self, year=None, agency=None, kind=None, doc=None) -> np.ndarray | None:
        """Chunk ids the filters allow (None: no filter)."""
        return self._call(_candidates, year, agency, kind, doc)

    def bm25_ranking(self, query: str, cand: np.ndarray | None, depth: int) -> list[tuple[int, float]]:
        return self._call(_bm25_ranking, query, cand, depth)

    def dense_ranking(self, query: str, cand: np.ndarray | None, depth: int) -> list[tuple[int, float]]:
        return self._call(_dense_ranking, query, cand, depth)

    def exact_ids(self, query: str, cand: np.ndarray | None) -> set[int]:
        """Chunks holding a policy number or classification code the query names."""
        return self._call(_exact_ids, query, cand)

    # --- the query ---------------------------------------------------------------------
    def search(self, query: str, k: int = 10, year=None, agency=None, kind=None, doc=None,
               mode: str = "hybrid") -> list[Hit]:
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
        query = (query or "").strip()
        if not query or k <= 0:
            return []
        return self._call(_search, query, k, year, agency, kind, doc, mode)

    def close(self) -> None:
        self._retire(self._g)


# --- on one generation ---------------------------------------------------------------------

def _sql(g: _Generation, q: str, args=()) -> list[tuple]:
    with g._lock:
        return g._con.execute(q, args).fetchall()


def _candidates(g: _Generation, year=None, agency=None, kind=None, doc=None) -> np.ndarray | None:
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
        where.append("(source_file = ? OR sha256 = ? OR (length(?) >= 8 AND sha256 LIKE ? || '%'))")
        args += [doc, doc, doc, doc]
    if not where:
        return None
    rows = _sql(g, f"SELECT id FROM chunks WHERE {' AND '.join(where)}", args)
    return np.array(sorted(r[0] for r in rows), dtype=np.int64)


def _bm25_scores(g: _Generation, terms: list[str]) -> np.ndarray | None:
    if g.bm25 is None:
        return None
    ids = g.bm25.get_tokens_ids(terms)
    if not ids:
        return None
    return g.bm25.get_scores_from_ids(ids)


def _bm25_ranking(g: _Generation, query: str, cand: np.ndarray | None, depth: int) -> list[tuple[int, float]]:
    scores = _bm25_scores(g, g.tokenizer.terms(query))
    if scores is None:
        return []
    return _top(scores, cand, depth)


def _dense_ranking(g: _Generation, query: str, cand: np.ndarray | None, depth: int) -> list[tuple[int, float]]:
    if g.faiss is None or g.n == 0:
        return []
    qv = g.embedder.encode([query])
    if not np.any(qv):
        return []
    import faiss

    k = min(depth, g.n if cand is None else len(cand))
    if k <= 0:
        return []
    params = None
    if cand is not None:
        sel = faiss.IDSelectorBatch(cand)
        if g.faiss_info.get("type") == "IndexIVFFlat":
            params = faiss.SearchParametersIVF(sel=sel, nprobe=int(g.faiss_info.get("nprobe", 8)))
        else:
            params = faiss.SearchParameters(sel=sel)
    elif g.faiss_info.get("type") == "IndexIVFFlat":
        params = faiss.SearchParametersIVF(nprobe=int(g.faiss_info.get("nprobe", 8)))
    dist, ids = g.faiss.search(qv, k, params=params) if params is not None else g.faiss.search(qv, k)
    return [(int(i), float(d)) for i, d in zip(ids[0], dist[0], strict=True) if i >= 0]


def _exact_ids(g: _Generation, query: str, cand: np.ndarray | None) -> set[int]:
    if g.bm25 is None:
        return set()
    out: set[int] = set()
    for term in exact_terms(query):
        scores = _bm25_scores(g, [term])
        if scores is None:
            continue
        hit = np.nonzero(scores > 0)[0]
        if cand is not None:
            hit = np.intersect1d(hit, cand, assume_unique=True)
        out.update(int(i) for i in hit)
    return out


def _search(g: _Generation, query: str, k: int, year, agency, kind, doc, mode: str) -> list[Hit]:
    if g.n == 0:
        return []
    cand = _candidates(g, year, agency, kind, doc)
    if cand is not None and len(cand) == 0:
        return []
    depth = max(100, 10 * k)
    lists: list[list[tuple[int, float]]] = []
    if mode in ("hybrid", "bm25"):
        lists.append(_bm25_ranking(g, query, cand, depth))
    if mode in ("hybrid", "dense"):
        lists.append(_dense_ranking(g, query, cand, depth))
    if mode == "hybrid":
        ranked = rrf([[i for i, _ in lst] for lst in lists if lst])
    else:
        ranked = lists[0]
    exact = _exact_ids(g, query, cand)
    if exact:
        pos = {i: r for r, (i, _) in enumerate(ranked)}
        score = dict(ranked)
        first = sorted(exact, key=lambda i: (pos.get(i, len(pos)), i))
        ranked = [(i, score.get(i, 0.0)) for i in first] + [(i, s) for i, s in ranked if i not in exact]
    return _hits(g, ranked[:3 * k], k)


def _hits(g: _Generation, ranked: list[tuple[int, float]], k: int) -> list[Hit]:
    """The first k distinct hits: a document that prints the same passage or row twice
    (a repeated table, a boilerplate glossary) shows it once."""
    if not ranked:
        return []
    ids = [i for i, _ in ranked]
    rows = _sql(g, f"SELECT id, source_file, page, text, section, entities, agency, year, kind, chunk_id, "
                   f"title, block FROM chunks WHERE id IN ({','.join('?' * len(ids))})", ids)
    by_id = {r[0]: r for r in rows}
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


def _top(scores: np.ndarray, cand: np.ndarray | None, depth: int) -> list[tuple[int, float]]:
    if cand is not None:
        sub = scores[cand]
        ids = cand
    else:
        sub = scores
        ids = np.arange(len(scores))
    pos = np.nonzero(sub > 0)[0]
    if len(pos) == 0:
        return []
    if len(pos) > depth:
        part = np.argpartition(-sub[pos], depth - 1)[:depth]
        pos = pos[part]
    order = pos[np.lexsort((ids[pos], -sub[pos]))]
    return [(int(ids[p]), float(sub[p])) for p in order]


def _read_faiss(path: Path):
    """Memory-mapped where FAISS supports it for the index type; read into memory otherwise."""
    import faiss

    for flag in (getattr(faiss, "IO_FLAG_MMAP_IFC", None), getattr(faiss, "IO_FLAG_MMAP", None)):
        if flag is None:
            continue
        try:
            return faiss.read_index(str(path), flag)
        except RuntimeError:
            continue
    return faiss.read_index(str(path))
