"""The search index under db/index: kept in line with the store, incrementally.

Layout (the directory describes itself, txtai-style):

    db/index/config.json          what is live: generation, model, dims, dictionary hash,
                                  tokenizer settings, FAISS type, documents (sha256, chunks)
    db/index/gen-<n>/             one complete, immutable generation:
        chunks.sqlite             chunk text + metadata (filters, hits)
        bm25/                     bm25s index (memory-mapped when loaded)
        vectors.faiss             FAISS index (IndexFlatIP; IVF above a size threshold)
        dictionary.txt            the jieba user dictionary queries are cut with
        tf/                       BM25 term counts per chunk (int32 files), the base of the
                                  next generation
    db/index/model/<id>/          the builtin sentence-transformers model (when used)
    db/index/cache/               per-document chunks, BM25 terms and vectors

Per-document work (chunking, embedding, tokenizing) is cached by document sha256 and a
key of everything it depends on, so adding or removing one disclosure embeds only that
disclosure; the next generation is built from the previous one: unchanged documents'
rows, term counts and vectors are copied from it, so a sync costs about one pass over
the generation's binary files, not a read of every cached document (see `_incremental_plan`
for when that is valid; otherwise every document comes from the caches, a "full" pass, with
the same result). A new generation is written into a temporary folder, renamed into place, and only
then does config.json (written atomically) point at it: a crash at any moment leaves the
previous generation live and usable.

The build streams, so memory does not grow with the corpus: worker processes do the
per-document work and the parent appends each document's rows, vectors and term counts to
the new generation as they arrive (in document order, so the index is the same whatever
the number of workers); BM25 and FAISS are then built from memory-mapped files.
"""

from __future__ import annotations

import fcntl
import hashlib
import heapq
import json
import math
import os
import shutil
import sqlite3
import time
from array import array
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from kg.pipeline import atomic_write_bytes as _atomic_write
from search.chunking import CHUNKER_VERSION, Chunk, DocMeta, Lexicon, chunk_document, lexicon_fingerprint
from search.tokenize import TOKENIZER_VERSION, get_tokenizer, normalize

INDEX_FORMAT = 1
ANN_THRESHOLD = 50_000  # chunks; below it exact search (IndexFlatIP) is fast enough
IVF_TRAIN_SAMPLE = 40  # training vectors per IVF list


class IndexError_(Exception):
    """The index is missing or unreadable (one-line message)."""


def index_dir(db) -> Path:
    return Path(db) / "index"


def read_config(db) -> dict | None:
    p = index_dir(db) / "config.json"
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise IndexError_(f"{p}: unreadable ({e}); run `budgetkg index --rebuild`") from e


def _atomic_json(path: Path, obj, indent: int | None = None) -> None:
    _atomic_write(path, json.dumps(obj, ensure_ascii=False, indent=indent, separators=None if indent else (",", ":"))
                  .encode("utf-8"))


@contextmanager
def _writer_lock(idx: Path):
    idx.mkdir(parents=True, exist_ok=True)
    with open(idx / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _model_setting() -> str:
    try:
        from kg.settings import get_settings

        return get_settings().embedding_model or "builtin"
    except Exception:  # noqa: BLE001 - an unreadable .env must not stop indexing
        return os.environ.get("BUDGETKG_EMBEDDING_MODEL", "builtin")


def _h(*parts) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:12]


# --- status ------------------------------------------------------------------------------

def status(db) -> dict:
    cfg = read_config(db)
    if cfg is None:
        return {"chunks": 0, "documents": 0, "model": None, "dims": 0, "state": "missing"}
    return {"chunks": cfg.get("chunks", 0), "documents": len(cfg.get("documents", {})),
            "model": (cfg.get("model") or {}).get("name"), "dims": (cfg.get("model") or {}).get("dims", 0),
            "ann": cfg.get("faiss", {}).get("type"), "generation": cfg.get("generation")}


def is_current(db, store) -> bool:
    """True when the live index holds exactly the store's documents with the configured
    model (cheap: no chunking, no SPARQL beyond the document list)."""
    try:
        cfg = read_config(db)
    except IndexError_:
        return False
    if cfg is None or not (index_dir(db) / cfg.get("generation", "-")).is_dir():
        return False
    if cfg.get("format") != INDEX_FORMAT or cfg.get("chunker_version") != CHUNKER_VERSION \
            or cfg.get("tokenizer", {}).get("version") != TOKENIZER_VERSION:
        return False
    want = _model_setting()
    have = (cfg.get("model") or {}).get("name")
    if have is not None and have != want:
        return False
    return set(cfg.get("documents", {})) == {d.sha256 for d in store.documents()}


# --- sync --------------------------------------------------------------------------------

TRAIN_CHARS = 3_000_000  # text the builtin model trains on at most (train_builtin's budget)
PARALLEL_MIN_DOCS = 8  # below this a process pool costs more than it saves
INCREMENTAL = True  # build a generation from the previous one when that is valid (tests turn it off)
INCREMENTAL_MAX_CHANGED = 0.5  # above this share of changed documents a full pass is as cheap
FAISS_ADD_BATCH = 65_536  # vectors handed to FAISS at a time


def sync(db, store, rebuild: bool = False, model: str | None = None, progress=None,
         workers: int | None = None) -> dict:
    """Bring db/index in line with the store's documents. Returns statistics.

    `workers` processes do the per-document work (default: every core, as ingest); the
    index is the same whatever their number."""
    idx = index_dir(db)
    with _writer_lock(idx):
        return _sync(Path(db), idx, store, rebuild, model or _model_setting(), progress,
                     max(1, workers or os.cpu_count() or 1))


def _sync(db: Path, idx: Path, store, rebuild: bool, model_name: str, progress, workers: int) -> dict:
    """Streams: every document is chunked, embedded and tokenized on its own (in a worker,
    through the per-document caches) and its result is appended to the new generation as
    it arrives, in document order; nothing holds the whole corpus's chunks, texts or terms."""
    from kg.parallel import ProcessExecutor, SerialExecutor
    from search import graphmeta
    from search.embedder import BUILTIN, EmbedderError, load_embedder

    t0 = time.perf_counter()
    phases: dict[str, float] = {}  # seconds per step, for the statistics
    clock = [t0]

    def lap(name: str) -> None:
        now = time.perf_counter()
        phases[name] = round(now - clock[0], 2)
        clock[0] = now

    cache = idx / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    old = None if rebuild else read_config(db)
    old_docs = (old or {}).get("documents", {})
    stored = sorted(store.documents(), key=lambda d: (d.source_file, d.sha256))
    metas = graphmeta.document_meta(store)
    labels = graphmeta.entity_labels(store)
    tok = get_tokenizer(graphmeta.dictionary_words(labels))
    dict_hash = tok.dictionary_hash
    dict_file = cache / f"dict-{dict_hash}.txt"
    if not dict_file.exists():
        _atomic_write(dict_file, "\n".join(tok.words).encode("utf-8"))
    _proc[("tok", dict_hash)] = tok  # forked workers inherit it instead of rebuilding it
    lap("graph")
    stats = {"documents": 0, "chunks": 0, "added": 0, "removed": 0, "chunked": 0, "embedded": 0,
             "retokenized": 0, "trained": False, "workers": 1, "warnings": []}

    # The embedding model: the builtin one is trained once, on the first build (or a
    # rebuild), and reused when documents come and go (unseen words fall back to their
    # characters and bigrams).
    model_info = None
    model_root = idx / "model"
    need_train = False
    if model_name == BUILTIN:
        prev = (old or {}).get("model") or {}
        prev_dir = model_root / prev["id"] if prev.get("name") == BUILTIN and prev.get("id") else None
        if prev_dir is not None and prev_dir.is_dir():
            model_info = prev
        else:
            need_train = True
    else:
        workers = 1  # a torch model runs its own threads, and fork after torch is unsafe
        try:
            emb = load_embedder(model_name)
            _proc[("emb", model_name, None)] = emb
            model_info = {"name": model_name, "id": _h(model_name), "dims": emb.dims}
        except EmbedderError as e:
            stats["warnings"].append(f"dense retrieval off: {e}")

    base = {"db": str(db), "cache": str(cache), "rebuild": rebuild, "dict_file": str(dict_file),
            "dict_hash": dict_hash}
    tasks = [{"sha": d.sha256, "source_file": d.source_file,
              "meta": metas.get(d.sha256) or DocMeta(d.sha256, d.source_file, d.graph),
              "labels": labels.get(d.graph, [])} for d in stored]
    parallel = workers > 1 and len(tasks) >= PARALLEL_MIN_DOCS
    stats["workers"] = workers if parallel else 1
    gen_n = int(((old or read_config(db) or {}).get("generation") or "gen-0").split("-")[-1]) + 1
    while (idx / f"gen-{gen_n:06d}").exists():  # a crashed sync's, never live: the number is taken
        gen_n += 1
    gen = f"gen-{gen_n:06d}"
    tmp = idx / f".{gen}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)

    with ProcessExecutor(workers) if parallel else SerialExecutor() as ex:
        if need_train:
            # Pass 1 (first build): chunks into the cache, and a fixed-size sample of their
            # texts for the model, which must exist before anything is embedded.
            sample = _TrainingSample(TRAIN_CHARS)
            kept = []
            for pos, (t, r) in enumerate(zip(tasks, ex.map(_chunk_task, [(base, t) for t in tasks]), strict=True)):
                stats["chunked"] += r["chunked"]
                if r["warning"]:
                    stats["warnings"].append(r["warning"])
                    continue
                kept.append(t)
                sample.add(pos, r["texts"])
                if progress:
                    progress("chunk", t["source_file"])
            tasks = kept
            base = {**base, "rechunk": False}  # pass 1 wrote them
            lap("chunk")
            model_info = _train_model(model_root, sample.texts(), tok.words, stats)
            lap("train")
        spec = None
        if model_info is not None:
            spec = {"name": model_info["name"], "id": model_info["id"], "dims": int(model_info["dims"]),
                    "path": str(idx / model_info["path"]) if model_info.get("path") else None}

        # Incremental: documents the previous generation holds as they are now are copied
        # from it (rows, term counts, vectors); only the others go through the caches.
        prev = None
        plan = None
        if INCREMENTAL and not need_train and old is not None:
            plan = _incremental_plan(idx, old, tasks, model_info, tok, stats)
            if plan is not None and not plan["changed"] and not plan["removed"]:
                shutil.rmtree(tmp, ignore_errors=True)
                stats.update(documents=len(old_docs), chunks=old.get("chunks", 0), generation=old["generation"],
                             model=(model_info or {}).get("name"), dims=(model_info or {}).get("dims", 0),
                             faiss=(old.get("faiss") or {}).get("type"), incremental=True, unchanged=True,
                             seconds=round(time.perf_counter() - t0, 2), phases=phases)
                if not stats["warnings"]:
                    del stats["warnings"]
                return stats
            if plan is not None:
                prev = plan["previous"]
        lap("plan")

        # Pass 2: per document chunks (cached) → vectors and BM25 terms (cached) → appended
        # to the generation in document order.
        writer = _GenerationWriter(tmp, spec["dims"] if spec else 0, prev)
        docs: dict[str, dict] = {}
        try:
            todo = tasks if plan is None else [t for t in tasks if t["sha"] in plan["changed"]]
            ex_ = ex if len(todo) >= PARALLEL_MIN_DOCS else SerialExecutor()
            results = iter(ex_.map(_index_task, [(base, spec, t) for t in todo]))
            for t in tasks:
                if plan is not None and t["sha"] not in plan["changed"]:
                    a, n = plan["reuse"][t["sha"]]
                    writer.add_previous(a, n)
                    docs[t["sha"]] = old_docs[t["sha"]]
                    continue
                r = next(results)
                for k in ("chunked", "embedded", "retokenized"):
                    stats[k] += r[k]
                if r["warning"]:
                    stats["warnings"].append(r["warning"])
                    continue
                writer.add(r)
                docs[t["sha"]] = {"source_file": r["source_file"], "chunks": r["n"], "chunk_key": r["key"]}
                if progress:
                    progress("index", t["source_file"])
            writer.finish_chunks()
            lap("documents")
            has_bm25 = writer.write_bm25(tmp / "bm25")
            lap("bm25")
            faiss_info = {"type": None}
            if spec is not None and writer.n:
                prev_cfg = old if old and (old.get("model") or {}).get("id") == spec["id"] else None
                previous = (idx / prev_cfg["generation"] / "vectors.faiss", prev_cfg.get("faiss") or {}) \
                    if prev_cfg else None
                if prev is not None:
                    faiss_info = _write_faiss_incremental(tmp / "vectors.faiss", writer, previous)
                else:
                    faiss_info = _write_faiss(tmp / "vectors.faiss", writer.vectors(), previous)
            lap("faiss")
        finally:
            writer.close()
    (tmp / "dictionary.txt").write_text("\n".join(tok.words), encoding="utf-8")
    os.replace(tmp, idx / gen)

    stats["added"] = len(set(docs) - set(old_docs))
    stats["removed"] = len(set(old_docs) - set(docs))
    cfg = {
        "format": INDEX_FORMAT,
        "generation": gen,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "chunks": writer.n,
        "chunker_version": CHUNKER_VERSION,
        "model": model_info,
        "tokenizer": tok.settings(),
        "bm25": {"library": "bm25s", "method": "lucene", "k1": BM25_K1, "b": BM25_B, "present": has_bm25},
        "faiss": faiss_info,
        "fusion": {"method": "reciprocal rank fusion", "k": RRF_K},
        "documents": docs,
    }
    _atomic_json(idx / "config.json", cfg, indent=1)
    _gc(idx, cfg)
    stats.update(documents=len(docs), chunks=writer.n, generation=gen, incremental=prev is not None,
                 model=(model_info or {}).get("name"), dims=(model_info or {}).get("dims", 0),
                 faiss=faiss_info.get("type"), seconds=round(time.perf_counter() - t0, 2), phases=phases)
    if not stats["warnings"]:
        del stats["warnings"]
    return stats


RRF_K = 60
BM25_K1, BM25_B = 1.5, 0.75


def _train_model(model_root: Path, texts: list[str], dictionary: list[str], stats: dict) -> dict | None:
    from search.embedder import BUILTIN, EmbedderError, load_embedder, train_builtin

    if not any(texts):
        return None
    mid = _h("builtin", time.time_ns(), os.getpid())
    tmp = model_root / f".{mid}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model_root.mkdir(parents=True, exist_ok=True)
    try:
        train_builtin(texts, dictionary, tmp)
    except EmbedderError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        stats["warnings"].append(f"dense retrieval off: {e}")
        return None
    os.replace(tmp, model_root / mid)
    embedder = load_embedder(BUILTIN, model_root / mid)
    stats["trained"] = True
    return {"name": BUILTIN, "id": mid, **embedder.describe(), "path": f"model/{mid}", "dims": embedder.dims}


class _TrainingSample:
    """The texts the builtin model trains on: all of them while they fit `budget`
    characters, else those with the smallest content hashes that fit (deterministic, and
    independent of document order and worker count), returned in corpus order. Holds at
    most `budget` characters however large the corpus."""

    def __init__(self, budget: int):
        self.budget = budget
        self.chars = 0
        self._heap: list[tuple[int, int, int, str]] = []

    def add(self, pos: int, texts: list[str]) -> None:
        for j, t in enumerate(texts):
            h = int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "big")
            heapq.heappush(self._heap, (-h, -pos, -j, t))  # the root is the first to drop
            self.chars += len(t)
        while self.chars > self.budget and self._heap:
            self.chars -= len(heapq.heappop(self._heap)[3])

    def texts(self) -> list[str]:
        return [x[3] for x in sorted(self._heap, key=lambda x: (-x[1], -x[2]))]


# --- per-document work (runs in worker processes) ------------------------------------------

_proc: dict = {}  # per process: tokenizers, embedders and dictionaries, by hash / model


def _worker_tokenizer(base: dict):
    key = ("tok", base["dict_hash"])
    tok = _proc.get(key)
    if tok is None:
        words = Path(base["dict_file"]).read_text(encoding="utf-8").split("\n")
        tok = _proc[key] = get_tokenizer([w for w in words if w])
    return tok


def _worker_embedder(spec: dict):
    from search.embedder import load_embedder

    key = ("emb", spec["name"], spec["path"])
    emb = _proc.get(key)
    if emb is None:
        emb = _proc[key] = load_embedder(spec["name"], spec["path"])
    return emb


def _doc_chunks(base: dict, t: dict, rechunk: bool) -> tuple[str, list[Chunk] | None, bool, str | None]:
    """(cache key, chunks, whether they were made now, warning) for one document."""
    from kg.pipeline import DocumentArchive

    meta = t["meta"]
    lex = Lexicon(t["labels"])
    key = _h(CHUNKER_VERSION, meta.fingerprint(), lex.fingerprint())
    path = Path(base["cache"]) / f"{t['sha']}.{key}.chunks.json"
    chunks = None if rechunk else _load_chunks(path)
    if chunks is not None:
        return key, chunks, False, None
    try:
        doc = DocumentArchive(base["db"]).get(t["sha"])
    except (OSError, ValueError) as e:
        return key, None, False, f"{t['source_file']}: document model unavailable ({type(e).__name__}); not indexed"
    chunks = chunk_document(doc, meta, lex)
    _atomic_json(path, [c.to_dict() for c in chunks])
    return key, chunks, True, None


def _chunk_task(arg: tuple[dict, dict]) -> dict:
    base, t = arg
    key, chunks, made, warning = _doc_chunks(base, t, base.get("rechunk", base["rebuild"]))
    return {"key": key, "chunked": int(made), "warning": warning,
            "texts": [c.index_text() for c in chunks] if chunks is not None else []}


def _index_task(arg: tuple[dict, dict | None, dict]) -> dict:
    """One document's rows, vectors and BM25 term counts, through the caches."""
    base, spec, t = arg
    rebuild = base["rebuild"]
    cache = Path(base["cache"])
    sha = t["sha"]
    key, chunks, made, warning = _doc_chunks(base, t, base.get("rechunk", rebuild))
    out = {"key": key, "chunked": int(made), "embedded": 0, "retokenized": 0, "warning": warning}
    if chunks is None:
        return out
    texts = [c.index_text() for c in chunks]
    out["n"] = len(chunks)
    out["source_file"] = chunks[0].source_file if chunks else t["source_file"]
    out["rows"] = [(c.chunk_id, c.sha256, c.source_file, c.page, c.section, c.text, c.block, c.agency, c.year,
                    c.kind, c.title, json.dumps(c.entities, ensure_ascii=False), normalize(c.agency)) for c in chunks]
    out["vectors"] = None
    if spec is not None:
        path = cache / f"{sha}.{key}.{spec['id']}.npy"
        v = None if rebuild else _load_npy(path, len(texts), spec["dims"])
        if v is None:
            v = _worker_embedder(spec).encode(texts) if texts else np.zeros((0, spec["dims"]), np.float32)
            _save_npy(path, v)
            out["embedded"] = 1
        out["vectors"] = np.ascontiguousarray(v, dtype=np.float32)

    # BM25 terms: a new dictionary word changes the cut only where it occurs, so cached
    # terms are reused for documents that contain no changed word.
    tok = _worker_tokenizer(base)
    dict_hash = base["dict_hash"]
    path = cache / f"{sha}.{key}.t{TOKENIZER_VERSION}.{dict_hash}.terms.json"
    terms = None if rebuild else _load_json(path)
    if terms is None and not rebuild:
        known = _proc.setdefault("dict_words", {})
        known.setdefault(dict_hash, set(tok.words))
        terms = _reuse_terms(cache, sha, key, known[dict_hash], known, texts)
        if terms is not None:
            _atomic_json(path, terms)
    if terms is None or len(terms) != len(texts):
        terms = [" ".join(tok.terms(x)) for x in texts]  # terms never contain spaces
        _atomic_json(path, terms)
        out["retokenized"] = 1
    out["terms"] = _term_counts(terms)
    return out


def _term_counts(terms: list[str]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
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


# --- the generation being written ------------------------------------------------------------

class _GenerationWriter:
    """Appends documents to a new generation folder: chunk rows into chunks.sqlite (one
    transaction), vectors into a float32 file, BM25 (term id, count) pairs into int32
    files; the vocabulary is the only corpus-wide structure in memory (term → id, in
    first-seen order, so the same corpus gives the same ids).

    The term counts stay in the generation (tf/: term ids, counts, distinct terms and
    length per chunk) so that the next generation can take unchanged documents' counts
    from there (`add_previous`), with their rows, instead of from the per-document caches.
    In that mode term ids are first those of the previous vocabulary (new terms after
    them) and `finish_chunks` renumbers them into first-seen order, as a full build has
    them; vectors of new documents are kept for `_write_faiss_incremental`."""

    def __init__(self, folder: Path, dims: int, prev: _Previous | None = None):
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

    def add(self, r: dict) -> None:
        n0 = self.n
        self._con.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                              ((n0 + i, *row) for i, row in enumerate(r["rows"])))
        if self.dims:
            v = r["vectors"]
            if v is None or v.shape != (r["n"], self.dims):
                raise IndexError_(f"{r['source_file']}: vectors of the wrong shape")
            if self._vec is not None:
                self._vec.write(v.tobytes())
            else:
                self.new_vectors.append((n0, v))
        flat, counts, nnz, lens = r["terms"]
        vocab = self.vocab
        ids = np.fromiter((vocab.setdefault(w, len(vocab)) for w in flat), dtype=np.int32, count=len(flat))
        self._ids.write(ids.tobytes())
        self._tfs.write(counts.tobytes())
        self._nnz.extend(nnz.tolist())
        self._lens.extend(lens.tolist())
        self.n += r["n"]

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


class _Previous:
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


def _incremental_plan(idx: Path, old: dict, tasks: list[dict], model_info: dict | None, tok, stats: dict) -> dict | None:
    """Which documents the previous generation can give as they are, or None when it
    cannot be the base (other format, chunker, tokenizer settings, BM25 parameters or
    model; no term counts; too much changed). A document is reused when its chunk key
    is the same and, if the dictionary changed, none of the added or dropped words
    occurs in its text (the rule the terms cache follows, see `_reuse_terms`)."""
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
            d = old_docs.get(t["sha"])
            key = _h(CHUNKER_VERSION, t["meta"].fingerprint(), lexicon_fingerprint(t["labels"]))
            if d is not None and d.get("chunk_key") == key and ranges[t["sha"]][1] > 0:
                reuse[t["sha"]] = ranges[t["sha"]]
            else:
                changed.add(t["sha"])
        removed = set(old_docs) - {t["sha"] for t in tasks}
        if not changed and not removed and old.get("tokenizer", {}).get("dictionary_hash") == tok.dictionary_hash:
            return {"changed": changed, "removed": removed, "reuse": reuse, "previous": None}
        if len(changed) > INCREMENTAL_MAX_CHANGED * max(1, len(tasks)):
            return None
        previous = _Previous(gen_dir, a)  # before the text scan below: raises if it has no term counts
        old_words = set(filter(None, (gen_dir / "dictionary.txt").read_text(encoding="utf-8").split("\n")))
        diff = old_words ^ set(tok.words)
        if diff:
            stats["dictionary_words_changed"] = len(diff)
            for sha in _documents_containing(gen_dir / "chunks.sqlite", diff) & set(reuse):
                del reuse[sha]
                changed.add(sha)
            if len(changed) > INCREMENTAL_MAX_CHANGED * max(1, len(tasks)):
                return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return {"changed": changed, "removed": removed, "reuse": reuse, "previous": previous}


def _documents_containing(chunks_db: Path, words: set[str]) -> set[str]:
    """sha256 of the documents in a generation whose normalized index text (as the terms
    were cut from) contains one of `words`."""
    import re

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


def _reuse_terms(cache: Path, sha: str, key: str, cur_words: set[str], known: dict[str, set[str]],
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
            t = _load_json(p)
            if t is not None and len(t) == len(texts):
                return t
    return None


def _char_sources(word: str) -> list[set[str]]:
    """For each character of a (normalized) word that normalizing a text can only produce
    from itself or from characters NFKC maps onto it: those characters. A text whose
    normalized form contains the word contains one of each set (the converse need not
    hold). Brackets, spaces and composed characters are left out (no constraint)."""
    import unicodedata

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
        import sys
        import unicodedata

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


def _load_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _load_chunks(path: Path) -> list[Chunk] | None:
    d = _load_json(path)
    if d is None:
        return None
    try:
        return [Chunk.from_dict(x) for x in d]
    except TypeError:
        return None


def _load_npy(path: Path, n: int, dims: int) -> np.ndarray | None:
    try:
        v = np.load(path)
    except (OSError, ValueError):
        return None
    return v if v.shape == (n, dims) else None


def _save_npy(path: Path, v: np.ndarray) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp.npy")
    np.save(tmp, v)
    os.replace(tmp, path)


def _write_faiss(path: Path, mat: np.ndarray, previous: tuple[Path, dict] | None = None) -> dict:
    """IndexFlatIP below ANN_THRESHOLD; above it IndexIVFFlat, whose coarse quantizer is
    trained once on a fixed sample and reused by later generations while the model and
    the corpus size stay in range (adding a disclosure then costs an `add`, not a k-means)."""
    import faiss

    n, d = mat.shape
    if n < ANN_THRESHOLD:
        index = faiss.IndexFlatIP(d)
        info = {"type": "IndexFlatIP", "metric": "inner_product", "vectors": n}
    else:
        nlist = max(1, min(int(4 * np.sqrt(n)), n // 39))  # FAISS wants >= 39 training points per list
        index = None
        if previous is not None:
            prev_path, prev_info = previous
            # keep the old lists while the ideal list count is within a factor of two
            if prev_info.get("type") == "IndexIVFFlat" and prev_path.exists() and \
                    nlist / 2 <= prev_info.get("nlist", 0) <= nlist * 2:
                try:
                    index = faiss.read_index(str(prev_path))
                except RuntimeError:
                    index = None
                if index is not None and index.d == d:
                    index.reset()  # drops the vectors, keeps the trained centroids
                    nlist = prev_info["nlist"]
                    info = {**prev_info, "vectors": n, "reused_quantizer": True}
                else:
                    index = None
        if index is None:
            quantizer = faiss.IndexFlatIP(d)
            index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
            rng = np.random.default_rng(0)  # deterministic training sample
            sample = np.ascontiguousarray(mat[rng.choice(n, size=min(n, nlist * IVF_TRAIN_SAMPLE), replace=False)])
            index.train(sample)
            info = {"type": "IndexIVFFlat", "metric": "inner_product", "vectors": n, "nlist": nlist,
                    "nprobe": max(8, nlist // 16), "trained_on": len(sample)}
    for a in range(0, n, FAISS_ADD_BATCH):  # `mat` may be memory-mapped: add it a slice at a time
        index.add(np.ascontiguousarray(mat[a:a + FAISS_ADD_BATCH], dtype=np.float32))
    faiss.write_index(index, str(path))
    return info


def _write_faiss_incremental(path: Path, writer: _GenerationWriter, previous: tuple[Path, dict]) -> dict:
    """The FAISS index of a generation built on the previous one: its vectors are taken
    from the previous index (removed documents' dropped, the others renumbered), the new
    documents' added. An IVF index whose list count is still in range keeps its lists:
    each is rewritten in id order, which is what filling the reset index with the whole
    corpus gives (`_write_faiss`), without adding a million vectors again."""
    import faiss

    n, d = writer.n, writer.dims
    prev_path, prev_info = previous
    old = faiss.read_index(str(prev_path))
    if old.d != d or old.ntotal != len(writer.old_map):
        raise IndexError_(f"{prev_path}: {old.ntotal} vectors of {old.d} dims, expected {len(writer.old_map)} of {d}")
    if writer.new_vectors:
        new_ids = np.concatenate([np.arange(a, a + len(v), dtype=np.int64) for a, v in writer.new_vectors])
        new_vecs = np.ascontiguousarray(np.concatenate([v for _, v in writer.new_vectors]), dtype=np.float32)
    else:
        new_ids, new_vecs = np.zeros(0, np.int64), np.zeros((0, d), np.float32)
    omap = writer.old_map
    nlist = max(1, min(int(4 * np.sqrt(n)), n // 39))
    is_ivf = prev_info.get("type") == "IndexIVFFlat"
    if is_ivf and n >= ANN_THRESHOLD and nlist / 2 <= prev_info.get("nlist", 0) <= nlist * 2:
        ivf = faiss.extract_index_ivf(old)
        inv, cs = ivf.invlists, ivf.invlists.code_size
        assign = ivf.quantizer.search(new_vecs, 1)[1].ravel() if len(new_vecs) else np.zeros(0, np.int64)
        order = np.argsort(assign, kind="stable")
        bounds = np.searchsorted(assign[order], np.arange(ivf.nlist + 1))
        new_codes = new_vecs.view(np.uint8).reshape(len(new_vecs), cs)
        for lst in range(ivf.nlist):
            sel = order[bounds[lst]:bounds[lst + 1]]
            sz = inv.list_size(lst)
            ids = faiss.rev_swig_ptr(inv.get_ids(lst), sz).copy() if sz else np.zeros(0, np.int64)
            tgt = omap[ids]
            if not len(sel) and np.array_equal(tgt, ids):
                continue  # nothing in this list moved
            keep = tgt >= 0
            codes = faiss.rev_swig_ptr(inv.get_codes(lst), sz * cs).reshape(sz, cs) if sz else np.zeros((0, cs), np.uint8)
            ids2 = np.concatenate([tgt[keep], new_ids[sel]])
            codes2 = np.concatenate([codes[keep], new_codes[sel]])
            o = np.argsort(ids2, kind="stable")
            ids2, codes2 = np.ascontiguousarray(ids2[o]), np.ascontiguousarray(codes2[o])
            inv.resize(lst, 0)
            if len(ids2):
                inv.add_entries(lst, len(ids2), faiss.swig_ptr(ids2), faiss.swig_ptr(codes2))
        ivf.ntotal = n
        old.ntotal = n
        faiss.write_index(old, str(path))
        return {**prev_info, "vectors": n, "reused_quantizer": True}
    # otherwise every vector into one matrix, and the ordinary build from it
    mat = np.memmap(writer.scratch / "vectors.f32", dtype=np.float32, mode="w+", shape=(n, d))
    if is_ivf:
        ivf = faiss.extract_index_ivf(old)
        inv, cs = ivf.invlists, ivf.invlists.code_size
        for lst in range(ivf.nlist):
            sz = inv.list_size(lst)
            if sz:
                ids = faiss.rev_swig_ptr(inv.get_ids(lst), sz)
                tgt = omap[ids]
                keep = tgt >= 0
                mat[tgt[keep]] = faiss.rev_swig_ptr(inv.get_codes(lst), sz * cs).view(np.float32).reshape(sz, d)[keep]
    else:
        xb = faiss.vector_to_array(old.codes).view(np.float32).reshape(old.ntotal, d)
        keep = omap >= 0
        mat[omap[keep]] = xb[keep]
    if len(new_ids):
        mat[new_ids] = new_vecs
    mat.flush()
    del old
    return _write_faiss(path, mat, previous)


def _gc(idx: Path, cfg: dict) -> None:
    """Drop generations, models and cache entries nothing live refers to (the caller holds
    the writer lock). A generation or model an open Searcher still reads is kept until it
    is given back (see `hold`)."""
    drop_unused(idx, cfg)
    for p in idx.glob(".gen-*.tmp"):
        shutil.rmtree(p, ignore_errors=True)
    model = cfg.get("model") or {}
    docs = cfg["documents"]
    dict_hash = cfg["tokenizer"]["dictionary_hash"]
    for p in (idx / "cache").iterdir():
        name = p.name
        parts = name.split(".")
        if name.startswith("dict-"):
            if name != f"dict-{dict_hash}.txt":
                p.unlink(missing_ok=True)
            continue
        sha = parts[0]
        if name.startswith(".") or sha not in docs or len(parts) < 3 or parts[1] != docs[sha]["chunk_key"]:
            p.unlink(missing_ok=True)
        elif name.endswith(".npy") and parts[2] != model.get("id"):
            p.unlink(missing_ok=True)
        elif name.endswith(".terms.json") and parts[-3] != dict_hash:
            p.unlink(missing_ok=True)


# --- readers and the files they use -----------------------------------------------------
#
# A Searcher reads its generation's folder and its model's folder for as long as it is
# open: the embedder is loaded on the first dense query, and a rebuild beside a running
# service must not take them away under it. Each open Searcher holds a shared flock on
# both folders; a folder is removed only by whoever gets an exclusive lock on it, so the
# last reader to let go of an old generation (or the next sync) removes it. flock belongs
# to the open file, so this works between processes and between Searchers of one process,
# and a killed reader's locks go with it.


def hold(path: Path) -> int | None:
    """A shared lock on a generation or model folder (a descriptor for `let_go`), or None
    when the folder is not there (any more)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except (FileNotFoundError, NotADirectoryError):
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits only while a remover is deleting it
        a, b = os.fstat(fd), os.stat(path)
        if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def let_go(fd: int | None) -> None:
    if fd is not None:
        try:
            os.close(fd)  # closing the last descriptor of the open file releases the flock
        except OSError:
            pass


def _remove_if_unread(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # a reader holds it
        shutil.rmtree(path, ignore_errors=True)
        return True
    finally:
        os.close(fd)


def drop_unused(idx: Path, cfg: dict) -> None:
    """Remove the generations and models `cfg` (the live config) does not use and no
    reader holds. Only under the writer lock: a sync in progress has folders that are not
    live yet."""
    live_gen = cfg.get("generation")
    for p in idx.glob("gen-*"):
        if p.name != live_gen:
            _remove_if_unread(p)
    model_id = (cfg.get("model") or {}).get("id")
    if (idx / "model").is_dir():
        for p in (idx / "model").iterdir():
            if p.name != model_id and not p.name.startswith("."):
                _remove_if_unread(p)
            elif p.name.startswith(".") and p.name.endswith(".tmp"):
                shutil.rmtree(p, ignore_errors=True)


def tidy(db) -> None:
    """What a reader calls after letting go of an old generation: removes what nothing
    uses any more, unless a sync is running (it will) or the index is not writable."""
    idx = index_dir(db)
    try:
        f = open(idx / ".lock", "a")
    except OSError:
        return
    with f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return
        try:
            cfg = read_config(db)
            if cfg is not None:
                drop_unused(idx, cfg)
        except (IndexError_, OSError):
            pass
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
