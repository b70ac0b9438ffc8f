"""Search benchmark: BM25 only / dense only / hybrid on ../shared/eval/search_dev.json over
the four ../shared/corpus/*.txt (recall@5, MRR@5, the matching rule of score_queries.py),
index build time, query latency p50/p95 there and on generated disclosures, and the cost
of adding one disclosure to a built index.

    .venv/bin/python bench/run.py --only bench_search [--quick]
"""

from __future__ import annotations

import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

MODES = ("bm25", "dense", "hybrid")


def norm(s) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(s or "")))


def quality(searcher, cases, k=5) -> dict:
    out = {}
    for mode in MODES:
        found, rr = 0, 0.0
        for c in cases:
            for i, h in enumerate(searcher.search(c["q"], k=k, mode=mode), 1):
                if h.source_file == c["doc"] and norm(c["key"]) in norm(h.text):
                    found += 1
                    rr += 1 / i
                    break
        out[mode] = {"recall@5": round(found / len(cases), 3), "mrr@5": round(rr / len(cases), 3)}
    return out


def latency(searcher, queries, repeats=1) -> dict:
    out = {}
    for mode in MODES:
        searcher.search(queries[0], k=10, mode=mode)  # warm-up (lazy model load)
        ts = []
        for _ in range(repeats):
            for q in queries:
                t = time.perf_counter()
                searcher.search(q, k=10, mode=mode)
                ts.append((time.perf_counter() - t) * 1000)
        ts.sort()
        out[mode] = {"p50_ms": round(statistics.median(ts), 2), "p95_ms": round(ts[int(0.95 * (len(ts) - 1))], 2),
                     "queries": len(ts)}
    return out


def _ingest(files, db: Path) -> float:
    from kg.pipeline import ingest
    from kg.store import open_store

    store = open_store(db)
    try:
        t = time.perf_counter()
        res = ingest(files, db, store, workers=2)
        failed = [r.error for r in res if r.status == "failed"]
        if failed:
            raise RuntimeError(f"ingest failed: {failed[:3]}")
        return time.perf_counter() - t
    finally:
        store.close()


def _sync(db: Path) -> tuple[dict, float]:
    from kg.store import open_store
    from search.index import sync

    store = open_store(db)
    try:
        t = time.perf_counter()
        stats = sync(db, store)
        return stats, time.perf_counter() - t
    finally:
        store.close()


def _sample_queries(searcher, n: int, seed: int = 1) -> list[str]:
    """Partial phrases cut from random chunks: what a user types after skimming a report."""
    rng = random.Random(seed)
    rows = searcher._sql("SELECT text FROM chunks WHERE block = 'paragraph' AND length(text) > 30")
    qs = []
    for (text,) in rng.sample(rows, min(n, len(rows))):
        start = rng.randrange(0, max(1, len(text) - 14))
        qs.append(text[start:start + rng.randint(4, 12)])
    return qs


def run(out_dir: Path, quick: bool) -> dict:
    from search.retrieve import Searcher

    work = Path(out_dir) / "bench_search_work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cases = json.loads((SHARED / "eval" / "search_dev.json").read_text(encoding="utf-8"))
    results: dict = {}

    # 1. the four real disclosures
    db = work / "corpus"
    files = sorted((SHARED / "corpus").glob("*.txt"))
    results["corpus_ingest_s"] = round(_ingest(files, db), 2)
    stats, build_s = _sync(db)
    results["corpus_index"] = {"build_s": round(build_s, 2), "chunks": stats["chunks"], "documents": stats["documents"]}
    s = Searcher.open(db)
    results["quality"] = quality(s, cases)
    results["corpus_latency"] = latency(s, [c["q"] for c in cases], repeats=3)
    s.close()

    # 2. generated disclosures
    n = 100 if quick else 1000
    gen = work / "generated"
    subprocess.run([sys.executable, str(ROOT / "data" / "generate.py"), "--out", str(gen), "--count", str(n + 1),
                    "--seed", "20240601", "--formats", "txt"], check=True, capture_output=True)
    txts = sorted((gen / "txt").glob("*.txt"))
    gdb = work / "gen"
    results["generated_ingest_s"] = round(_ingest(txts[:n], gdb), 2)
    stats, build_s = _sync(gdb)
    results["generated_index"] = {"documents": stats["documents"], "chunks": stats["chunks"],
                                  "build_s": round(build_s, 2), "faiss": stats.get("faiss")}
    s = Searcher.open(gdb)
    queries = [c["q"] for c in cases] + _sample_queries(s, 84)
    results["generated_latency"] = latency(s, queries)
    s.close()
    # one more disclosure into the built index: only it is chunked and embedded
    _ingest(txts[n:], gdb)
    stats, add_s = _sync(gdb)
    results["add_one"] = {"sync_s": round(add_s, 2), "embedded": stats["embedded"], "chunked": stats["chunked"],
                          "retokenized": stats["retokenized"], "trained": stats["trained"]}
    shutil.rmtree(work, ignore_errors=True)
    return {"name": "Semantic search", "results": results, "markdown": markdown(results, n)}


def markdown(r: dict, n: int) -> str:
    q = r["quality"]
    lines = ["| retrieval | recall@5 | MRR@5 | p50 ms (4 docs) | p95 ms (4 docs) | p50 ms "
             f"({n} docs) | p95 ms ({n} docs) |", "|---|---|---|---|---|---|---|"]
    for m in MODES:
        cl, gl = r["corpus_latency"][m], r["generated_latency"][m]
        lines.append(f"| {m} | {q[m]['recall@5']:.3f} | {q[m]['mrr@5']:.3f} | {cl['p50_ms']} | {cl['p95_ms']} | "
                     f"{gl['p50_ms']} | {gl['p95_ms']} |")
    ci, gi, a = r["corpus_index"], r["generated_index"], r["add_one"]
    lines += ["", "| index | documents | chunks | build s (chunk + train + embed + BM25 + FAISS) |", "|---|---|---|---|",
              f"| ../shared/corpus/*.txt | {ci['documents']} | {ci['chunks']} | {ci['build_s']} |",
              f"| generated | {gi['documents']} | {gi['chunks']} | {gi['build_s']} ({gi['faiss']}) |",
              f"| + 1 generated disclosure | | | {a['sync_s']} (embedded {a['embedded']} document, "
              f"re-tokenized {a['retokenized']}, model retrained: {a['trained']}) |"]
    return "\n".join(lines)
