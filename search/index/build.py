"""A sync: the store's documents → the index. A first build (or a rebuild, or after a
change of model, chunker or tokenizer) writes one complete main segment from the
per-document caches; after that a sync writes only what changed, as a small delta segment
searched beside the others, and records removals as tombstones (see search.index.segments).
Deltas are folded into a new main segment by a merge (search.index.merge): in the
background once they are worth it, at once when the index is small or a full build would
choose another kind of vector index.

"Nothing changed" is decided from the store's document list (graph, file, sha256) against
config.json, without reading any graph metadata: a disclosure's graph is a function of
its file, which the sha256 names. `verify=True` reads every graph's metadata and labels
again and re-indexes the documents whose chunks they change (what a SPARQL update needs)."""

from __future__ import annotations

import bisect
import dataclasses
import os
import shutil
import time
from pathlib import Path

from kg.atomic import atomic_write_bytes
from search.chunking import CHUNKER_VERSION, DocMeta, lexicon_fingerprint
from search.index import vectors
from search.index.bm25 import BM25_B, BM25_K1, Postings
from search.index.cleanup import gc
from search.index.dictionary import chunks_containing
from search.index.generations import SegmentWriter, new_segment_name
from search.index.layout import (
    INDEX_FORMAT,
    RRF_K,
    documents_match,
    index_dir,
    model_setting,
    read_config,
    write_config,
    writer_lock,
)
from search.index.model import TRAIN_CHARS, ModelSpec, TrainingSample, choose_model, train_model
from search.index.segments import Layout, read_infos, tombstones
from search.index.tasks import DocTask, SyncContext, chunk_key, chunk_task, index_task, keep_tokenizer
from search.tokenize import TOKENIZER_VERSION, get_tokenizer

PARALLEL_MIN_DOCS = 8  # below this a process pool costs more than it saves
INCREMENTAL = True  # write deltas (tests turn it off to get the full build of the same corpus)
AUTO_MERGE = True  # start a background merge when `merge_due` says so (tests turn it off)
MERGE_INLINE_CHUNKS = 20_000  # below this many rows a merge is cheaper than searching beside deltas
MERGE_SHARE = 0.10  # merge once deltas and tombstones hold this share of the rows
MERGE_MAX_DELTAS = 8  # … or this many deltas are searched beside the main segment
_VOLATILE = ("dictionary_hash", "dictionary_words")


def sync(db, store, rebuild: bool = False, model: str | None = None, progress=None,
         workers: int | None = None, verify: bool = False) -> dict:
    """Bring db/index in line with the store's documents. Returns statistics.

    `workers` processes do the per-document work (default: every core, as ingest); the
    index is the same whatever their number. `verify` re-reads every graph's metadata."""
    from search.index.merge import start_merge

    idx = index_dir(db)
    with writer_lock(idx):
        stats = _sync(Path(db), idx, store, rebuild, model or model_setting(), progress,
                      max(1, workers or os.cpu_count() or 1), verify)
    if stats.pop("merge_due", False) and AUTO_MERGE:
        stats["merge_started"] = start_merge(db)
    return stats


def _sync(db: Path, idx: Path, store, rebuild: bool, model_name: str, progress, workers: int,
          verify: bool) -> dict:
    from search.embedder import BUILTIN

    old = None if rebuild else read_config(db)
    if model_name != BUILTIN:
        workers = 1  # a torch model runs its own threads, and fork after torch is unsafe
    if INCREMENTAL and old is not None and _compatible(idx, old, model_name):
        stats = _delta_sync(db, idx, store, old, progress, workers, verify)
        if stats is not None:
            return stats
    return _full_sync(db, idx, store, old, rebuild, model_name, progress, workers)


def _compatible(idx: Path, old: dict, model_name: str) -> bool:
    """Whether segments can be added to the live index: same format, chunker, tokenizer
    settings, BM25 parameters and model, and every segment still on disk."""
    from search.embedder import BUILTIN

    if old.get("format") != INDEX_FORMAT or old.get("chunker_version") != CHUNKER_VERSION:
        return False
    # the other tokenizer settings are compared once a sync builds its tokenizer (building
    # one here would cost a no-op sync a second); what the code changes bumps the version
    if (old.get("tokenizer") or {}).get("version") != TOKENIZER_VERSION:
        return False
    bm = old.get("bm25") or {}
    if bm.get("k1") != BM25_K1 or bm.get("b") != BM25_B:
        return False
    m = old.get("model") or {}
    if model_name == BUILTIN:
        if m.get("name") != BUILTIN or not (idx / (m.get("path") or "-")).is_dir():
            return False
    elif m.get("name") != model_name:
        return False
    return bool(old.get("segments")) and all((idx / s["name"] / "chunks.sqlite").exists() for s in old["segments"])


def _settings(tokenizer: dict) -> dict:
    return {k: v for k, v in tokenizer.items() if k not in _VOLATILE}


class _Clock:
    def __init__(self):
        self.t0 = self.t = time.perf_counter()
        self.phases: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = round(now - self.t, 2)
        self.t = now

    def seconds(self) -> float:
        return round(time.perf_counter() - self.t0, 2)


def _stored(store, listed=None) -> tuple[list, dict[str, object]]:
    """The store's documents in full-build order, one per sha256 (the others, which a full
    build would index twice, are skipped), and the skipped ones by graph."""
    stored, seen, dup = [], set(), {}
    for d in sorted(listed if listed is not None else store.documents(), key=lambda d: (d.source_file, d.sha256, d.graph)):
        if d.sha256 in seen:
            dup[d.graph] = d
            continue
        seen.add(d.sha256)
        stored.append(d)
    return stored, dup


def _words(labels: list[tuple[str, str]]) -> list[str]:
    from search import graphmeta

    return graphmeta.dictionary_words({"": labels})


def _new_stats() -> dict:
    return {"documents": 0, "chunks": 0, "added": 0, "removed": 0, "chunked": 0, "embedded": 0,
            "retokenized": 0, "trained": False, "workers": 1, "warnings": []}


def _index_docs(ex, ctx: SyncContext, spec, tasks: list[DocTask], writer: SegmentWriter, words: dict[str, list],
                stats: dict, progress, skipped: dict) -> None:
    from kg.parallel import SerialExecutor

    ex_ = ex if len(tasks) >= PARALLEL_MIN_DOCS else SerialExecutor()
    for t, r in zip(tasks, ex_.map(index_task, [(ctx, spec, t) for t in tasks]), strict=True):
        stats["chunked"] += r.chunked
        stats["embedded"] += r.embedded
        stats["retokenized"] += r.retokenized
        if r.warning:
            stats["warnings"].append(r.warning)
            skipped[t.meta.graph] = {"sha256": t.sha, "source_file": t.source_file, "words": words.get(t.sha, [])}
            continue
        writer.add(r, t.meta.graph, words.get(t.sha, []))
        if progress:
            progress("index", t.source_file)


# --- a full build ---------------------------------------------------------------------------

def _full_sync(db: Path, idx: Path, store, old: dict | None, rebuild: bool, model_name: str, progress,
               workers: int) -> dict:
    """Streams: every document is chunked, embedded and tokenized on its own (in a worker,
    through the per-document caches) and its result is appended to the new main segment as
    it arrives, in document order; nothing holds the whole corpus's chunks, texts or terms."""
    from kg.parallel import ProcessExecutor, SerialExecutor
    from search import graphmeta

    clock = _Clock()
    cache = idx / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    stored, dup = _stored(store)
    metas = graphmeta.document_meta(store)
    labels = graphmeta.entity_labels(store)
    tok = get_tokenizer(graphmeta.dictionary_words(labels))
    dict_file = _dictionary_file(cache, tok)
    keep_tokenizer(tok)  # forked workers inherit it instead of rebuilding it
    clock.lap("graph")
    stats = _new_stats()
    model_info, need_train = choose_model(idx, old, model_name, stats["warnings"])
    ctx = SyncContext(str(db), str(cache), rebuild, str(dict_file), tok.dictionary_hash)
    tasks = [DocTask(d.sha256, d.source_file, metas.get(d.sha256) or DocMeta(d.sha256, d.source_file, d.graph),
                     labels.get(d.graph, [])) for d in stored]
    words = {t.sha: _words(t.labels) for t in tasks}
    skipped = {g: {"sha256": d.sha256, "source_file": d.source_file, "words": _words(labels.get(g, []))}
               for g, d in dup.items()}
    parallel = workers > 1 and len(tasks) >= PARALLEL_MIN_DOCS
    stats["workers"] = workers if parallel else 1
    name = new_segment_name(idx, "gen", old or read_config(db))
    tmp = idx / f".{name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)

    with ProcessExecutor(workers) if parallel else SerialExecutor() as ex:
        if need_train:
            # Pass 1 (first build): chunks into the cache, and a fixed-size sample of their
            # texts for the model, which must exist before anything is embedded.
            sample = TrainingSample(TRAIN_CHARS)
            for pos, (t, r) in enumerate(zip(tasks, ex.map(chunk_task, [(ctx, t) for t in tasks]), strict=True)):
                stats["chunked"] += r.chunked
                if not r.warning:
                    sample.add(pos, r.texts)
                if progress:
                    progress("chunk", t.source_file)
            ctx = dataclasses.replace(ctx, rechunk=False)  # pass 1 wrote them
            clock.lap("chunk")
            model_info = train_model(idx / "model", sample.texts(), tok.words, stats)
            clock.lap("train")
        spec = ModelSpec.of(idx, model_info) if model_info is not None else None
        writer = SegmentWriter(tmp, spec.dims if spec else 0)
        try:
            # Pass 2: per document chunks (cached) → vectors and BM25 terms (cached) →
            # appended to the segment in document order.
            _index_docs(ex, ctx, spec, tasks, writer, words, stats, progress, skipped)
            writer.finish()
            clock.lap("documents")
            faiss_info = {"type": None}
            if spec is not None and writer.n:
                previous = None
                if old and (old.get("model") or {}).get("id") == spec.id and old.get("generation"):
                    previous = (idx / old["generation"] / "vectors.faiss", old.get("faiss") or {})
                faiss_info = vectors.write_faiss(tmp / "vectors.faiss", writer.vectors(), previous)
            clock.lap("faiss")
        finally:
            writer.close()
    (tmp / "dictionary.txt").write_text("\n".join(tok.words), encoding="utf-8")
    os.replace(tmp, idx / name)

    old_docs = (old or {}).get("documents", {})
    docs = {sha: {**d, "segment": name} for sha, d in writer.documents.items()}
    seq = int((old or {}).get("seq", 0)) + 1
    cfg = _config(name, [{"name": name, "seq": seq, "rows": writer.n, "overrides": 0}], seq, docs, skipped,
                  model_info, tok, faiss_info, {})
    write_config(idx, cfg)
    gc(idx, cfg)
    stats.update(added=len(set(docs) - set(old_docs)), removed=len(set(old_docs) - set(docs)), documents=len(docs),
                 chunks=writer.n, generation=name, segment=name, incremental=False,
                 model=(model_info or {}).get("name"), dims=(model_info or {}).get("dims", 0),
                 faiss=faiss_info.get("type"), seconds=clock.seconds(), phases=clock.phases)
    if not stats["warnings"]:
        del stats["warnings"]
    return stats


def _dictionary_file(cache: Path, tok) -> Path:
    f = cache / f"dict-{tok.dictionary_hash}.txt"
    if not f.exists():
        atomic_write_bytes(f, "\n".join(tok.words).encode("utf-8"))
    return f


def _config(main: str, segments: list[dict], seq: int, docs: dict, skipped: dict, model_info, tok,
            faiss_info: dict, dead: dict) -> dict:
    ordered = dict(sorted(docs.items(), key=lambda kv: (kv[1]["source_file"], kv[0])))
    return {
        "format": INDEX_FORMAT,
        "generation": main,
        "segments": segments,
        "seq": seq,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "chunks": sum(int(d["chunks"]) for d in ordered.values()),
        "chunker_version": CHUNKER_VERSION,
        "model": model_info,
        "tokenizer": tok.settings(),
        "bm25": {"method": "lucene", "k1": BM25_K1, "b": BM25_B, "scored": "at query time over the live segments",
                 "present": any(int(s.get("rows", 0)) + int(s.get("overrides", 0)) for s in segments)},
        "faiss": faiss_info,
        "fusion": {"method": "reciprocal rank fusion", "k": RRF_K},
        "documents": ordered,
        "skipped": skipped,
        "tombstones": dead,
    }


# --- a delta --------------------------------------------------------------------------------

def _delta_sync(db: Path, idx: Path, store, old: dict, progress, workers: int, verify: bool) -> dict | None:
    """The changes since the live index as a delta segment plus tombstones; None when the
    live index cannot take them that way (then a full build runs)."""
    from kg.parallel import ProcessExecutor, SerialExecutor
    from search import graphmeta
    from search.index.merge import fold_now

    clock = _Clock()
    listed = store.documents()
    clock.lap("documents_list")
    if not verify and documents_match(old, listed):
        return _unchanged(old, clock)
    stored, dup = _stored(store, listed)
    old_docs: dict = old["documents"]
    old_skipped: dict = old.get("skipped") or {}
    want = {(d.sha256, d.graph, d.source_file) for d in listed}

    cur = {d.sha256: d for d in stored}
    # a document stays when its sha256, graph and file are the same (and, verifying, its chunk key)
    keep = {sha for sha, d in old_docs.items()
            if sha in cur and cur[sha].graph == d["graph"] and cur[sha].source_file == d["source_file"]}
    skipped = {g: s for g, s in old_skipped.items() if (s["sha256"], g, s["source_file"]) in want}
    known_skipped = {s["sha256"] for s in skipped.values()}
    if verify:
        metas = graphmeta.document_meta(store)
        labels = graphmeta.entity_labels(store)
        for sha in list(keep):
            t = cur[sha]
            meta = metas.get(sha) or DocMeta(sha, t.source_file, t.graph)
            if chunk_key(meta, lexicon_fingerprint(labels.get(t.graph, []))) != old_docs[sha]["chunk_key"]:
                keep.discard(sha)
        skipped = {g: {**s, "words": _words(labels.get(g, []))} for g, s in skipped.items()}
        new_words = set(graphmeta.dictionary_words(labels))
    # a graph is trusted as it was only while none of its files changed: a disclosure read
    # from two files (kg.publication) is rebuilt whole when one of them is replaced
    touched = {d.graph for d in stored if d.sha256 not in keep and d.sha256 not in known_skipped} | \
        {d["graph"] for sha, d in old_docs.items() if sha not in keep}
    keep = {sha for sha in keep if old_docs[sha]["graph"] not in touched}
    added = [d for d in stored if d.sha256 not in keep and d.sha256 not in known_skipped]
    if not verify:
        graphs = [d.graph for d in added] + [g for g in dup if g not in skipped]
        metas = graphmeta.document_meta(store, graphs) if graphs else {}
        labels = graphmeta.entity_labels(store, graphs) if graphs else {}
        for g in graphs:
            if g in dup:
                skipped[g] = {"sha256": dup[g].sha256, "source_file": dup[g].source_file,
                              "words": _words(labels.get(g, []))}
    removed = set(old_docs) - keep
    clock.lap("graph")

    # the dictionary: every live document's words (the removed ones' words may go)
    old_words = set(filter(None, (idx / _newest(old) / "dictionary.txt").read_text(encoding="utf-8").split("\n")))
    infos = read_infos(idx, old)
    if not verify:
        if removed or old_skipped.keys() - skipped.keys():
            new_words = _live_words(idx, old, keep)
        else:
            new_words = set(old_words)
        for d in added:
            new_words.update(_words(labels.get(d.graph, [])))
        for s in skipped.values():
            new_words.update(s["words"])
    tok = get_tokenizer(sorted(new_words))
    if _settings(old.get("tokenizer") or {}) != _settings(tok.settings()):
        return None
    cache = idx / "cache"
    dict_file = _dictionary_file(cache, tok)
    keep_tokenizer(tok)
    changed_words = set(tok.words) ^ old_words
    clock.lap("dictionary")

    stats = _new_stats()
    stats["dictionary_words_changed"] = len(changed_words)
    model_info = old.get("model")
    spec = ModelSpec.of(idx, model_info) if model_info is not None else None
    ctx = SyncContext(str(db), str(cache), False, str(dict_file), tok.dictionary_hash)
    tasks = [DocTask(d.sha256, d.source_file, metas.get(d.sha256) or DocMeta(d.sha256, d.source_file, d.graph),
                     labels.get(d.graph, [])) for d in added]
    words = {t.sha: _words(t.labels) for t in tasks}

    # chunks of documents that stay, cut differently under the new dictionary: overridden
    layout = Layout(old, infos)
    overrides = _overrides(idx, layout, keep, changed_words) if changed_words else []
    clock.lap("plan")

    if not tasks and not overrides and not changed_words and not removed and skipped == old_skipped:
        return _unchanged(old, clock)

    name = None
    seq = int(old.get("seq", 0))
    segments = [dict(s) for s in old["segments"]]
    docs = {sha: d for sha, d in old_docs.items() if sha in keep}
    parallel = workers > 1 and len(tasks) >= PARALLEL_MIN_DOCS
    stats["workers"] = workers if parallel else 1
    if tasks or overrides or changed_words:
        seq += 1
        name = new_segment_name(idx, "delta", old)
        tmp = idx / f".{name}.{os.getpid()}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        writer = SegmentWriter(tmp, spec.dims if spec else 0)
        try:
            with ProcessExecutor(workers) if parallel else SerialExecutor() as ex:
                _index_docs(ex, ctx, spec, tasks, writer, words, stats, progress, skipped)
            for sha, p, norm in overrides:
                writer.add_override(sha, p, " ".join(tok.terms(norm)))
            writer.finish()
            clock.lap("documents")
            if spec is not None and writer.n:
                main = old["generation"]
                vectors.write_delta_faiss(tmp / "vectors.faiss", writer.vectors(),
                                          (idx / main / "vectors.faiss", old.get("faiss") or {}))
            clock.lap("faiss")
        finally:
            writer.close()
        (tmp / "dictionary.txt").write_text("\n".join(tok.words), encoding="utf-8")
        os.replace(tmp, idx / name)
        segments.append({"name": name, "seq": seq, "rows": writer.n, "overrides": len(overrides)})
        docs.update({sha: {**d, "segment": name} for sha, d in writer.documents.items()})
        stats["retokenized"] += len({sha for sha, _, _ in overrides})
        stats["overridden_chunks"] = len(overrides)

    cfg = _config(old["generation"], segments, seq, docs, skipped, model_info, tok, old.get("faiss") or {}, {})
    infos = read_infos(idx, cfg, infos)
    cfg["tombstones"] = tombstones(cfg, infos)
    # a full build of this corpus would choose another kind of vector index (or the main
    # segment holds nothing to search beside): fold everything into a new main segment now
    live_main = sum(1 for d in docs.values() if d["segment"] == old["generation"])
    must_fold = spec is not None and cfg["chunks"] and (not vectors.keeps_index(cfg["chunks"], cfg["faiss"])
                                                        or not live_main)
    rows = sum(int(s.get("rows", 0)) for s in segments)
    small = rows < MERGE_INLINE_CHUNKS
    stats.update(added=len(set(docs) - set(old_docs)), removed=len(set(old_docs) - set(docs)),
                 reindexed=len((set(old_docs) - keep) & set(docs)),
                 documents=len(docs), chunks=cfg["chunks"], segment=name, incremental=True,
                 model=(model_info or {}).get("name"), dims=(model_info or {}).get("dims", 0))
    if must_fold or (small and len(segments) > 1) or (small and cfg["tombstones"]):
        stats["merged"] = fold_now(idx, cfg, clock)
        cfg = read_config(db)
    else:
        write_config(idx, cfg)
        gc(idx, cfg)
        stats["merge_due"] = merge_due(cfg)
    stats.update(generation=cfg["generation"], segments=len(cfg["segments"]), faiss=(cfg["faiss"] or {}).get("type"),
                 seconds=clock.seconds(), phases=clock.phases)
    if not stats["warnings"]:
        del stats["warnings"]
    return stats


def _newest(cfg: dict) -> str:
    return max(cfg["segments"], key=lambda s: int(s["seq"]))["name"]


def _unchanged(old: dict, clock: _Clock) -> dict:
    return {"documents": len(old["documents"]), "chunks": old.get("chunks", 0), "added": 0, "removed": 0,
            "chunked": 0, "embedded": 0, "retokenized": 0, "trained": False, "generation": old["generation"],
            "segments": len(old["segments"]), "model": (old.get("model") or {}).get("name"),
            "dims": (old.get("model") or {}).get("dims", 0), "faiss": (old.get("faiss") or {}).get("type"),
            "incremental": True, "unchanged": True, "seconds": clock.seconds(), "phases": clock.phases}


def _live_words(idx: Path, cfg: dict, keep: set[str]) -> set[str]:
    """The dictionary words of the documents in `keep`, from the segments that hold them."""
    from search.index.generations import document_words

    by_segment: dict[str, list[str]] = {}
    for sha in keep:
        by_segment.setdefault(cfg["documents"][sha]["segment"], []).append(sha)
    out: set[str] = set()
    for name, shas in by_segment.items():
        for ws in document_words(idx / name, shas).values():
            out.update(ws)
    return out


def _overrides(idx: Path, layout: Layout, keep: set[str], words: set[str]) -> list[tuple[str, int, str]]:
    """(sha256, position in its document, normalized text) of every live chunk of a staying
    document whose text contains an added or dropped dictionary word, in global order."""
    found: list[tuple[int, str]] = []
    for s, name in enumerate(layout.names):
        live = layout.own_gid[s] >= 0
        if live.any():
            hits = chunks_containing(idx / name, Postings(idx / name / "bm25"), live, words)
            found += [(int(layout.own_gid[s][row]), text) for row, text in hits.items()]
    found.sort()
    starts = [d[4] for d in layout.docs]
    out = []
    for g, text in found:
        sha, _, _, _, g0 = layout.docs[bisect.bisect_right(starts, g) - 1]
        if sha in keep:
            out.append((sha, g - g0, text))
    return out


def merge_due(cfg: dict) -> bool:
    """Whether the deltas and tombstones are worth a merge into the main segment."""
    segs = cfg.get("segments") or []
    if len(segs) <= 1 and not cfg.get("tombstones"):
        return False
    rows = sum(int(s.get("rows", 0)) for s in segs)
    extra = sum(int(s.get("rows", 0)) + int(s.get("overrides", 0)) for s in segs[1:]) + (rows - int(cfg["chunks"]))
    return len(segs) - 1 >= MERGE_MAX_DELTAS or extra >= MERGE_SHARE * max(1, rows)
