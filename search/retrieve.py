"""Query time: BM25 (bm25s) + dense vectors (FAISS), fused by reciprocal rank fusion.

Filters (year, agency, kind, document) become a candidate id set BEFORE ranking, so a
filtered query ranks only what it may return (BM25 scores are read for the candidates,
FAISS searches with an IDSelector). A policy number or classification code typed in the
query puts the chunks that contain it first.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from search.index import RRF_K, IndexError_, index_dir, read_config
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


class Searcher:
    """An open index generation. Thread-safe for concurrent searches."""

    def __init__(self, db, cfg: dict):
        self.db = Path(db)
        self.cfg = cfg
        self.dir = index_dir(db) / cfg["generation"]
        if not self.dir.is_dir():
            raise IndexError_(f"{self.dir} is missing; run `budgetkg index --rebuild --db {db}`")
        self.n = int(cfg.get("chunks", 0))
        self._con = sqlite3.connect(f"file:{self.dir / 'chunks.sqlite'}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
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

    @classmethod
    def open(cls, db) -> Searcher:
        cfg = read_config(db)
        if cfg is None:
            raise IndexError_(f"no search index in {db} (run `budgetkg ingest --db {db} FILES` or `budgetkg index`)")
        return cls(db, cfg)

    @classmethod
    def shared(cls, db) -> Searcher:
        """One open Searcher per database for long-running processes (the API): reopened
        when `budgetkg ingest`/`index` has switched the index to a new generation."""
        key = str(Path(db).resolve())
        cfg = read_config(db)
        if cfg is None:
            raise IndexError_(f"no search index in {db} (run `budgetkg ingest --db {db} FILES` or `budgetkg index`)")
        with _shared_lock:
            cur = _shared.get(key)
            if cur is None or cur.cfg.get("generation") != cfg.get("generation"):
                cur = _shared[key] = cls(db, cfg)
            return cur

    # --- pieces ------------------------------------------------------------------------
    @property
    def embedder(self):
        if self._embedder is None:
            from search.embedder import BUILTIN, load_embedder

            m = self.cfg.get("model") or {}
            path = index_dir(self.db) / m["path"] if m.get("name") == BUILTIN else None
            self._embedder = load_embedder(m["name"], path)
        return self._embedder

    def _sql(self, q: str, args=()) -> list[tuple]:
        with self._lock:
            return self._con.execute(q, args).fetchall()

    def candidates(self, year=None, agency=None, kind=None, doc=None) -> np.ndarray | None:
        """Chunk ids the filters allow (None: no filter)."""
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
        rows = self._sql(f"SELECT id FROM chunks WHERE {' AND '.join(where)}", args)
        return np.array(sorted(r[0] for r in rows), dtype=np.int64)

    def _bm25_scores(self, terms: list[str]) -> np.ndarray | None:
        if self.bm25 is None:
            return None
        ids = self.bm25.get_tokens_ids(terms)
        if not ids:
            return None
        return self.bm25.get_scores_from_ids(ids)

    def bm25_ranking(self, query: str, cand: np.ndarray | None, depth: int) -> list[tuple[int, float]]:
        scores = self._bm25_scores(self.tokenizer.terms(query))
        if scores is None:
            return []
        return _top(scores, cand, depth)

    def dense_ranking(self, query: str, cand: np.ndarray | None, depth: int) -> list[tuple[int, float]]:
        if self.faiss is None or self.n == 0:
            return []
        qv = self.embedder.encode([query])
        if not np.any(qv):
            return []
        import faiss

        k = min(depth, self.n if cand is None else len(cand))
        if k <= 0:
            return []
        params = None
        if cand is not None:
            sel = faiss.IDSelectorBatch(cand)
            if self.faiss_info.get("type") == "IndexIVFFlat":
                params = faiss.SearchParametersIVF(sel=sel, nprobe=int(self.faiss_info.get("nprobe", 8)))
            else:
                params = faiss.SearchParameters(sel=sel)
        elif self.faiss_info.get("type") == "IndexIVFFlat":
            params = faiss.SearchParametersIVF(nprobe=int(self.faiss_info.get("nprobe", 8)))
        dist, ids = self.faiss.search(qv, k, params=params) if params is not None else self.faiss.search(qv, k)
        return [(int(i), float(d)) for i, d in zip(ids[0], dist[0], strict=True) if i >= 0]

    def exact_ids(self, query: str, cand: np.ndarray | None) -> set[int]:
        """Chunks holding a policy number or classification code the query names."""
        if self.bm25 is None:
            return set()
        out: set[int] = set()
        for term in exact_terms(query):
            scores = self._bm25_scores([term])
            if scores is None:
                continue
            hit = np.nonzero(scores > 0)[0]
            if cand is not None:
                hit = np.intersect1d(hit, cand, assume_unique=True)
            out.update(int(i) for i in hit)
        return out

    # --- the query ---------------------------------------------------------------------
    def search(self, query: str, k: int = 10, year=None, agency=None, kind=None, doc=None,
               mode: str = "hybrid") -> list[Hit]:
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
        query = (query or "").strip()
        if not query or k <= 0 or self.n == 0:
            return []
        cand = self.candidates(year, agency, kind, doc)
        if cand is not None and len(cand) == 0:
            return []
        depth = max(100, 10 * k)
        lists: list[list[tuple[int, float]]] = []
        if mode in ("hybrid", "bm25"):
            lists.append(self.bm25_ranking(query, cand, depth))
        if mode in ("hybrid", "dense"):
            lists.append(self.dense_ranking(query, cand, depth))
        if mode == "hybrid":
            ranked = rrf([[i for i, _ in lst] for lst in lists if lst])
        else:
            ranked = lists[0]
        exact = self.exact_ids(query, cand)
        if exact:
            pos = {i: r for r, (i, _) in enumerate(ranked)}
            score = dict(ranked)
            first = sorted(exact, key=lambda i: (pos.get(i, len(pos)), i))
            ranked = [(i, score.get(i, 0.0)) for i in first] + [(i, s) for i, s in ranked if i not in exact]
        return self._hits(ranked[:3 * k], k)

    def _hits(self, ranked: list[tuple[int, float]], k: int) -> list[Hit]:
        """The first k distinct hits: a document that prints the same passage or row twice
        (a repeated table, a boilerplate glossary) shows it once."""
        if not ranked:
            return []
        ids = [i for i, _ in ranked]
        rows = self._sql(f"SELECT id, source_file, page, text, section, entities, agency, year, kind, chunk_id, "
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

    def close(self) -> None:
        with self._lock:
            self._con.close()


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
