"""The search index under db/index: kept in line with the store, incrementally.

Layout (the directory describes itself, txtai-style):

    db/index/config.json          what is live: generation, model, dims, dictionary hash,
                                  tokenizer settings, FAISS type, documents (sha256, chunks)
    db/index/gen-<n>/             one complete, immutable generation:
        chunks.sqlite             chunk text + metadata (filters, hits)
        bm25/                     bm25s index (memory-mapped when loaded)
        vectors.faiss             FAISS index (IndexFlatIP; IVF above a size threshold)
        dictionary.txt            the jieba user dictionary queries are cut with
    db/index/model/<id>/          the builtin sentence-transformers model (when used)
    db/index/cache/               per-document chunks, BM25 terms and vectors

Per-document work (chunking, embedding, tokenizing) is cached by document sha256 and a
key of everything it depends on, so adding or removing one disclosure embeds only that
disclosure; the BM25 and FAISS structures are then rebuilt from the caches, which is
cheap. A new generation is written into a temporary folder, renamed into place, and only
then does config.json (written atomically) point at it: a crash at any moment leaves the
previous generation live and usable.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from kg.pipeline import atomic_write_bytes as _atomic_write
from search.chunking import CHUNKER_VERSION, Chunk, DocMeta, Lexicon, chunk_document
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

def sync(db, store, rebuild: bool = False, model: str | None = None, progress=None) -> dict:
    """Bring db/index in line with the store's documents. Returns statistics."""
    idx = index_dir(db)
    with _writer_lock(idx):
        return _sync(Path(db), idx, store, rebuild, model or _model_setting(), progress)


def _sync(db: Path, idx: Path, store, rebuild: bool, model_name: str, progress) -> dict:
    from kg.pipeline import DocumentArchive
    from search import graphmeta
    from search.embedder import BUILTIN, EmbedderError, load_embedder, train_builtin

    t0 = time.perf_counter()
    cache = idx / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    old = None if rebuild else read_config(db)
    old_docs = (old or {}).get("documents", {})
    stored = store.documents()
    metas = graphmeta.document_meta(store)
    labels = graphmeta.entity_labels(store)
    dictionary = graphmeta.dictionary_words(labels)
    tok = get_tokenizer(dictionary)
    archive = DocumentArchive(db)
    stats = {"documents": 0, "chunks": 0, "added": 0, "removed": 0, "chunked": 0, "embedded": 0,
             "retokenized": 0, "trained": False, "warnings": []}

    # 1. chunks, per document (cached on what they depend on)
    per_doc: dict[str, tuple[str, list[Chunk]]] = {}
    for d in sorted(stored, key=lambda d: (d.source_file, d.sha256)):
        meta = metas.get(d.sha256) or DocMeta(d.sha256, d.source_file, d.graph)
        lex = Lexicon(labels.get(d.graph, []))
        key = _h(CHUNKER_VERSION, meta.fingerprint(), lex.fingerprint())
        path = cache / f"{d.sha256}.{key}.chunks.json"
        chunks = None if rebuild else _load_chunks(path)
        if chunks is None:
            try:
                doc = archive.get(d.sha256)
            except (OSError, ValueError) as e:
                stats["warnings"].append(f"{d.source_file}: document model unavailable ({type(e).__name__}); not indexed")
                continue
            chunks = chunk_document(doc, meta, lex)
            _atomic_json(path, [c.to_dict() for c in chunks])
            stats["chunked"] += 1
        per_doc[d.sha256] = (key, chunks)
        if progress:
            progress("chunk", d.source_file)
    stats["added"] = len(set(per_doc) - set(old_docs))
    stats["removed"] = len(set(old_docs) - set(per_doc))
    all_texts = {sha: [c.index_text() for c in ch] for sha, (_k, ch) in per_doc.items()}

    # 2. the embedding model: the builtin one is trained once, on the first build (or a
    #    rebuild), and reused when documents come and go (unseen words fall back to their
    #    characters and bigrams).
    model_info = None
    embedder = None
    model_root = idx / "model"
    if model_name == BUILTIN:
        prev = (old or {}).get("model") or {}
        prev_dir = model_root / prev["id"] if prev.get("name") == BUILTIN and prev.get("id") else None
        if prev_dir is not None and prev_dir.is_dir():
            embedder = load_embedder(BUILTIN, prev_dir)
            model_info = prev
        elif any(all_texts.values()):
            mid = _h("builtin", time.time_ns(), os.getpid())
            tmp = model_root / f".{mid}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)
            model_root.mkdir(parents=True, exist_ok=True)
            try:
                texts = [t for sha in sorted(all_texts) for t in all_texts[sha]]
                train_builtin(texts, dictionary, tmp)
                os.replace(tmp, model_root / mid)
                embedder = load_embedder(BUILTIN, model_root / mid)
                model_info = {"name": BUILTIN, "id": mid, "path": f"model/{mid}", "dims": embedder.dims,
                              **embedder.describe()}
                model_info["path"] = f"model/{mid}"
                stats["trained"] = True
            except EmbedderError as e:
                shutil.rmtree(tmp, ignore_errors=True)
                stats["warnings"].append(f"dense retrieval off: {e}")
    else:
        try:
            embedder = load_embedder(model_name)
            model_info = {"name": model_name, "id": _h(model_name), "dims": embedder.dims}
        except EmbedderError as e:
            stats["warnings"].append(f"dense retrieval off: {e}")

    # 3. vectors, per document
    vectors: dict[str, np.ndarray] = {}
    if embedder is not None:
        for sha, (key, _chunks) in per_doc.items():
            path = cache / f"{sha}.{key}.{model_info['id']}.npy"
            v = None if rebuild else _load_npy(path, len(all_texts[sha]), embedder.dims)
            if v is None:
                v = embedder.encode(all_texts[sha]) if all_texts[sha] else np.zeros((0, embedder.dims), np.float32)
                _save_npy(path, v)
                stats["embedded"] += 1
            vectors[sha] = v

    # 4. BM25 terms, per document: a new dictionary word changes the cut only where it
    #    occurs, so cached terms are reused for documents that contain no changed word.
    dict_hash = tok.dictionary_hash
    dict_file = cache / f"dict-{dict_hash}.txt"
    if not dict_file.exists():
        _atomic_write(dict_file, "\n".join(tok.words).encode("utf-8"))
    terms: dict[str, list[str]] = {}
    cur_words = set(tok.words)
    dict_words_cache: dict[str, set[str]] = {dict_hash: cur_words}
    for sha, (key, _chunks) in per_doc.items():
        path = cache / f"{sha}.{key}.t{TOKENIZER_VERSION}.{dict_hash}.terms.json"
        t = None if rebuild else _load_json(path)
        if t is None and not rebuild:
            t = _reuse_terms(cache, sha, key, cur_words, dict_words_cache, all_texts[sha])
            if t is not None:
                _atomic_json(path, t)
        if t is None or len(t) != len(all_texts[sha]):
            t = [" ".join(tok.terms(x)) for x in all_texts[sha]]  # terms never contain spaces
            _atomic_json(path, t)
            stats["retokenized"] += 1
        terms[sha] = t

    # 5. a new generation, then the switch
    order = sorted(per_doc, key=lambda s: (per_doc[s][1][0].source_file if per_doc[s][1] else "", s))
    gen_n = int(((old or read_config(db) or {}).get("generation") or "gen-0").split("-")[-1]) + 1
    gen = f"gen-{gen_n:06d}"
    tmp = idx / f".{gen}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    chunks_all = [c for sha in order for c in per_doc[sha][1]]
    _write_chunks_db(tmp / "chunks.sqlite", chunks_all)
    corpus_terms = [t.split(" ") if t else [] for sha in order for t in terms[sha]]
    has_bm25 = _write_bm25(tmp / "bm25", corpus_terms)
    faiss_info = {"type": None}
    if embedder is not None and chunks_all:
        mat = np.vstack([vectors[sha] for sha in order]).astype(np.float32)
        prev_cfg = old if old and (old.get("model") or {}).get("id") == (model_info or {}).get("id") else None
        previous = (idx / prev_cfg["generation"] / "vectors.faiss", prev_cfg.get("faiss") or {}) if prev_cfg else None
        faiss_info = _write_faiss(tmp / "vectors.faiss", mat, previous)
    (tmp / "dictionary.txt").write_text("\n".join(tok.words), encoding="utf-8")
    os.replace(tmp, idx / gen)

    cfg = {
        "format": INDEX_FORMAT,
        "generation": gen,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "chunks": len(chunks_all),
        "chunker_version": CHUNKER_VERSION,
        "model": model_info,
        "tokenizer": tok.settings(),
        "bm25": {"library": "bm25s", "method": "lucene", "k1": 1.5, "b": 0.75, "present": has_bm25},
        "faiss": faiss_info,
        "fusion": {"method": "reciprocal rank fusion", "k": RRF_K},
        "documents": {sha: {"source_file": per_doc[sha][1][0].source_file if per_doc[sha][1] else "",
                            "chunks": len(per_doc[sha][1]), "chunk_key": per_doc[sha][0]} for sha in order},
    }
    _atomic_json(idx / "config.json", cfg, indent=1)
    _gc(idx, cfg)
    stats.update(documents=len(per_doc), chunks=len(chunks_all), generation=gen,
                 model=(model_info or {}).get("name"), dims=(model_info or {}).get("dims", 0),
                 faiss=faiss_info.get("type"), seconds=round(time.perf_counter() - t0, 2))
    if not stats["warnings"]:
        del stats["warnings"]
    return stats


RRF_K = 60


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


def _write_chunks_db(path: Path, chunks: list[Chunk]) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute("""CREATE TABLE chunks (id INTEGER PRIMARY KEY, chunk_id TEXT, sha256 TEXT, source_file TEXT,
                       page INTEGER, section TEXT, text TEXT, block TEXT, agency TEXT, year INTEGER, kind TEXT,
                       title TEXT, entities TEXT, norm_agency TEXT)""")
        con.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", [
            (i, c.chunk_id, c.sha256, c.source_file, c.page, c.section, c.text, c.block, c.agency, c.year, c.kind,
             c.title, json.dumps(c.entities, ensure_ascii=False), normalize(c.agency))
            for i, c in enumerate(chunks)])
        for col in ("sha256", "source_file", "year", "kind", "norm_agency"):
            con.execute(f"CREATE INDEX ix_{col} ON chunks({col})")
        con.commit()
    finally:
        con.close()


def _write_bm25(path: Path, corpus_terms: list[list[str]]) -> bool:
    import bm25s

    if not corpus_terms:
        return False
    # bm25s wants at least one token per document; an empty chunk gets the empty token
    retr = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    retr.index([t if t else [""] for t in corpus_terms], show_progress=False)
    retr.save(str(path), show_progress=False)
    return True


def _write_faiss(path: Path, mat: np.ndarray, previous: tuple[Path, dict] | None = None) -> dict:
    """IndexFlatIP below ANN_THRESHOLD; above it IndexIVFFlat, whose coarse quantizer is
    trained once on a fixed sample and reused by later generations while the model and
    the corpus size stay in range (adding a disclosure then costs an `add`, not a k-means)."""
    import faiss

    n, d = mat.shape
    if n < ANN_THRESHOLD:
        index = faiss.IndexFlatIP(d)
        index.add(mat)
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
            sample = mat[rng.choice(n, size=min(n, nlist * IVF_TRAIN_SAMPLE), replace=False)]
            index.train(sample)
            info = {"type": "IndexIVFFlat", "metric": "inner_product", "vectors": n, "nlist": nlist,
                    "nprobe": max(8, nlist // 16), "trained_on": len(sample)}
        index.add(mat)
    faiss.write_index(index, str(path))
    return info


def _gc(idx: Path, cfg: dict) -> None:
    """Drop generations, models and cache entries nothing live refers to. Readers that
    still hold an old generation keep their open files (POSIX unlink semantics)."""
    live_gen = cfg["generation"]
    for p in idx.glob("gen-*"):
        if p.name != live_gen:
            shutil.rmtree(p, ignore_errors=True)
    for p in idx.glob(".gen-*.tmp"):
        shutil.rmtree(p, ignore_errors=True)
    model = cfg.get("model") or {}
    if (idx / "model").is_dir():
        for p in (idx / "model").iterdir():
            if p.name != model.get("id"):
                shutil.rmtree(p, ignore_errors=True)
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
