"""A sync: the store's documents → a new generation, built in full or from the previous
one, then made live and what it replaced cleaned up (see the package's docstring)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from pathlib import Path

from kg.atomic import atomic_write_bytes
from search.chunking import CHUNKER_VERSION, DocMeta
from search.index import vectors
from search.index.bm25 import BM25_B, BM25_K1
from search.index.cleanup import gc
from search.index.generations import GenerationWriter, incremental_plan, new_generation_name
from search.index.layout import INDEX_FORMAT, RRF_K, atomic_json, index_dir, model_setting, read_config, writer_lock
from search.index.model import TRAIN_CHARS, ModelSpec, TrainingSample, choose_model, train_model
from search.index.tasks import DocTask, SyncContext, chunk_task, index_task, keep_tokenizer
from search.tokenize import get_tokenizer

PARALLEL_MIN_DOCS = 8  # below this a process pool costs more than it saves
INCREMENTAL = True  # build a generation from the previous one when that is valid (tests turn it off)


def sync(db, store, rebuild: bool = False, model: str | None = None, progress=None,
         workers: int | None = None) -> dict:
    """Bring db/index in line with the store's documents. Returns statistics.

    `workers` processes do the per-document work (default: every core, as ingest); the
    index is the same whatever their number."""
    idx = index_dir(db)
    with writer_lock(idx):
        return _sync(Path(db), idx, store, rebuild, model or model_setting(), progress,
                     max(1, workers or os.cpu_count() or 1))


def _sync(db: Path, idx: Path, store, rebuild: bool, model_name: str, progress, workers: int) -> dict:
    """Streams: every document is chunked, embedded and tokenized on its own (in a worker,
    through the per-document caches) and its result is appended to the new generation as
    it arrives, in document order; nothing holds the whole corpus's chunks, texts or terms."""
    from kg.parallel import ProcessExecutor, SerialExecutor
    from search import graphmeta
    from search.embedder import BUILTIN

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
        atomic_write_bytes(dict_file, "\n".join(tok.words).encode("utf-8"))
    keep_tokenizer(tok)  # forked workers inherit it instead of rebuilding it
    lap("graph")
    stats = {"documents": 0, "chunks": 0, "added": 0, "removed": 0, "chunked": 0, "embedded": 0,
             "retokenized": 0, "trained": False, "workers": 1, "warnings": []}

    model_root = idx / "model"
    if model_name != BUILTIN:
        workers = 1  # a torch model runs its own threads, and fork after torch is unsafe
    model_info, need_train = choose_model(idx, old, model_name, stats["warnings"])

    ctx = SyncContext(str(db), str(cache), rebuild, str(dict_file), dict_hash)
    tasks = [DocTask(d.sha256, d.source_file, metas.get(d.sha256) or DocMeta(d.sha256, d.source_file, d.graph),
                     labels.get(d.graph, [])) for d in stored]
    parallel = workers > 1 and len(tasks) >= PARALLEL_MIN_DOCS
    stats["workers"] = workers if parallel else 1
    gen = new_generation_name(idx, old or read_config(db))
    tmp = idx / f".{gen}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)

    with ProcessExecutor(workers) if parallel else SerialExecutor() as ex:
        if need_train:
            # Pass 1 (first build): chunks into the cache, and a fixed-size sample of their
            # texts for the model, which must exist before anything is embedded.
            sample = TrainingSample(TRAIN_CHARS)
            kept = []
            for pos, (t, r) in enumerate(zip(tasks, ex.map(chunk_task, [(ctx, t) for t in tasks]), strict=True)):
                stats["chunked"] += r.chunked
                if r.warning:
                    stats["warnings"].append(r.warning)
                    continue
                kept.append(t)
                sample.add(pos, r.texts)
                if progress:
                    progress("chunk", t.source_file)
            tasks = kept
            ctx = dataclasses.replace(ctx, rechunk=False)  # pass 1 wrote them
            lap("chunk")
            model_info = train_model(model_root, sample.texts(), tok.words, stats)
            lap("train")
        spec = ModelSpec.of(idx, model_info) if model_info is not None else None

        # Incremental: documents the previous generation holds as they are now are copied
        # from it (rows, term counts, vectors); only the others go through the caches.
        prev = None
        plan = None
        if INCREMENTAL and not need_train and old is not None:
            plan = incremental_plan(idx, old, tasks, model_info, tok, stats)
            if plan is not None and not plan.changed and not plan.removed:
                shutil.rmtree(tmp, ignore_errors=True)
                stats.update(documents=len(old_docs), chunks=old.get("chunks", 0), generation=old["generation"],
                             model=(model_info or {}).get("name"), dims=(model_info or {}).get("dims", 0),
                             faiss=(old.get("faiss") or {}).get("type"), incremental=True, unchanged=True,
                             seconds=round(time.perf_counter() - t0, 2), phases=phases)
                if not stats["warnings"]:
                    del stats["warnings"]
                return stats
            if plan is not None:
                prev = plan.previous
        lap("plan")

        # Pass 2: per document chunks (cached) → vectors and BM25 terms (cached) → appended
        # to the generation in document order.
        writer = GenerationWriter(tmp, spec.dims if spec else 0, prev)
        docs: dict[str, dict] = {}
        try:
            todo = tasks if plan is None else [t for t in tasks if t.sha in plan.changed]
            ex_ = ex if len(todo) >= PARALLEL_MIN_DOCS else SerialExecutor()
            results = iter(ex_.map(index_task, [(ctx, spec, t) for t in todo]))
            for t in tasks:
                if plan is not None and t.sha not in plan.changed:
                    a, n = plan.reuse[t.sha]
                    writer.add_previous(a, n)
                    docs[t.sha] = old_docs[t.sha]
                    continue
                r = next(results)
                stats["chunked"] += r.chunked
                stats["embedded"] += r.embedded
                stats["retokenized"] += r.retokenized
                if r.warning:
                    stats["warnings"].append(r.warning)
                    continue
                writer.add(r)
                docs[t.sha] = {"source_file": r.source_file, "chunks": r.n, "chunk_key": r.key}
                if progress:
                    progress("index", t.source_file)
            writer.finish_chunks()
            lap("documents")
            has_bm25 = writer.write_bm25(tmp / "bm25")
            lap("bm25")
            faiss_info = {"type": None}
            if spec is not None and writer.n:
                prev_cfg = old if old and (old.get("model") or {}).get("id") == spec.id else None
                previous = (idx / prev_cfg["generation"] / "vectors.faiss", prev_cfg.get("faiss") or {}) \
                    if prev_cfg else None
                if prev is not None:
                    faiss_info = vectors.write_faiss_incremental(tmp / "vectors.faiss", writer, previous)
                else:
                    faiss_info = vectors.write_faiss(tmp / "vectors.faiss", writer.vectors(), previous)
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
    atomic_json(idx / "config.json", cfg, indent=1)
    gc(idx, cfg)
    stats.update(documents=len(docs), chunks=writer.n, generation=gen, incremental=prev is not None,
                 model=(model_info or {}).get("name"), dims=(model_info or {}).get("dims", 0),
                 faiss=faiss_info.get("type"), seconds=round(time.perf_counter() - t0, 2), phases=phases)
    if not stats["warnings"]:
        del stats["warnings"]
    return stats
