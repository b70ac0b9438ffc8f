"""Live corpus benchmark (issue 17): on databases of 1,000 and 10,000 disclosures,

  * seconds from "ingest of one disclosure starts" (and from "its graph is stored") to "a
    search finds it" (a query for its title and figures, restricted to its file, returns its
    passages): through a Searcher in another process polling every 20 ms, and through a
    running `budgetkg serve` (the CLI ingest goes to the service; /api/search is polled);
  * a sync with nothing to do (the call, and the whole `budgetkg index` command);
  * search latency p50/p95/max and recall@10 while a background merge runs, recall@10 being
    the share of each query's top 10 before the merge that the query returns during it (the
    merge must not change results: 1.0).

The corpus is left as it was found: the added disclosures are removed afterwards and the
index merged.

    .venv/bin/python bench/run.py --only bench_live [--quick]
    .venv/bin/python bench/bench_live.py --db /tmp/db10k --db bench/out/live/db-1000

Databases: BUDGETKG_LIVE_DBS (a comma list of database folders) or, by default, a generated
1,000-disclosure database under <out>/live/ and /tmp/db10k when it holds 10,000 disclosures
(else a generated one; generating and ingesting 10,000 takes about an hour). A database
without a search index gets one first (its build time is reported).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

SEED = 20261205
DEFAULT_10K = Path("/tmp/db10k")
POLL_S = 0.02
TIMEOUT_S = 300


# --- small helpers -------------------------------------------------------------------------
def pct(xs: list[float], q: float) -> float | None:
    xs = sorted(xs)
    if not xs:
        return None
    return round(xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))], 2)


def _child(*args: str, timeout: float = 7200) -> dict:
    """Run a child mode of this file; its last JSON line."""
    p = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], cwd=ROOT, env=_env(),
                       capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({p.returncode}): {p.stderr[-3000:]}")
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


def _documents(db: Path) -> int:
    return sum(1 for _ in (db / "documents").glob("*")) if (db / "documents").is_dir() else 0


def _new_files(work: Path, size: int, n: int = 2) -> list[Path]:
    """`n` generated disclosures no database of the run holds (their own seed)."""
    out = work / f"new-{size}"
    if not (out / ".done").exists():
        subprocess.run([sys.executable, str(ROOT / "data" / "generate.py"), "--out", str(out), "--count", str(n),
                        "--seed", str(SEED + size), "--formats", "txt"], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        (out / ".done").touch()
    return sorted(out.rglob("*.txt"))[:n]


def _probe(path: Path) -> str:
    """A query that finds this disclosure among thousands: its title line and a line of its
    own amounts (figures no other disclosure shares)."""
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    title = next((ln for ln in lines if "公开" in ln and len(ln) < 60), lines[0])
    money = next((ln for ln in lines if "万元" in ln and len(re.findall(r"\d+\.\d+", ln)) >= 2), "")
    first = re.split(r"[。；]", money)[0]  # whole sentences: a figure cut short reads as a classification code
    return f"{title} {first}".strip()


def _generated_db(work: Path, size: int) -> Path:
    """A database of `size` generated text disclosures (graph only; the index comes later)."""
    db = work / f"db-{size}"
    if (db / ".ingested").exists():
        return db
    corpus = work / f"corpus-{size}"
    if not (corpus / ".done").exists():
        subprocess.run([sys.executable, str(ROOT / "data" / "generate.py"), "--out", str(corpus), "--count",
                        str(size), "--seed", str(SEED), "--formats", "txt"], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        (corpus / ".done").touch()
    files = work / f"files-{size}.list"
    files.write_text("\n".join(str(p) for p in sorted(corpus.rglob("*.txt"))))
    _child("_ingest_corpus", "--db", str(db), "--list", str(files))
    (db / ".ingested").touch()
    return db


def databases(work: Path, quick: bool) -> list[Path]:
    env = os.environ.get("BUDGETKG_LIVE_DBS")
    if env:
        return [Path(p) for p in env.split(",") if p]
    if quick:
        return [_generated_db(work, 30)]
    big = DEFAULT_10K if _documents(DEFAULT_10K) >= 10_000 else _generated_db(work, 10_000)
    return [_generated_db(work, 1000), big]


# --- child modes (each opens what it needs; the embedded store admits one process) --------
def child_ingest_corpus(a) -> dict:
    from kg.pipeline import ingest
    from kg.store import open_store

    files = Path(a.list).read_text().splitlines()
    store = open_store(a.db)
    try:
        res = ingest(files, a.db, store, workers=os.cpu_count() or 1)
    finally:
        store.close()
    return {"failed": sum(r.status == "failed" for r in res)}


def child_prepare(a) -> dict:
    """An index over the whole database, as one main segment."""
    from kg.store import open_store
    from search.index import merge, read_config, sync

    out = {}
    store = open_store(a.db, read_only=True)
    try:
        t = time.perf_counter()
        stats = sync(a.db, store)
        if not stats.get("unchanged"):
            out["index_s"] = round(time.perf_counter() - t, 1)
            out["index_stats"] = {k: stats.get(k) for k in ("incremental", "documents", "chunks", "phases")}
    finally:
        store.close()
    merge.merge(a.db)
    cfg = read_config(a.db)
    out.update(documents=len(cfg["documents"]), chunks=cfg["chunks"], segments=len(cfg["segments"]),
               faiss=(cfg["faiss"] or {}).get("type"))
    return out


def child_poll(a) -> dict:
    """Open a Searcher, say "ready", then search every POLL_S until the file is among the hits."""
    from search.retrieve import Searcher

    s = Searcher.open(a.db)
    s.refresh_s = 0
    s.search(a.query, k=10)  # warm: the model, the mapped files
    print("ready", flush=True)
    t0 = time.time()
    while time.time() - t0 < TIMEOUT_S:
        if s.search(a.query, k=10, doc=a.file):
            t_hit = time.time()
            top = any(h.source_file == a.file for h in s.search(a.query, k=10))
            return {"t_hit": t_hit, "segments": s.segments, "in_unfiltered_top10": top}
        time.sleep(POLL_S)
    return {"t_hit": None}


def child_add(a) -> dict:
    """Ingest one file with the search index kept in step (as `budgetkg ingest` does), noting
    when its graph is stored and the sync's figures."""
    from kg.hooks import IngestHooks
    from kg.pipeline import ingest
    from kg.store import open_store
    from search.index import sync

    marks: dict = {}
    hooks = IngestHooks()
    hooks.stored.append(lambda r: marks.setdefault("t_stored", time.time()))
    hooks.batch_done.append(lambda db, store, changed: marks.update(stats=sync(db, store)))
    store = open_store(a.db)
    try:
        print("ready", flush=True)
        sys.stdin.readline()  # the parent's go, once the poller is ready
        t0 = time.time()
        res = ingest([a.file], a.db, store, workers=1, hooks=hooks)
        t1 = time.time()
    finally:
        store.close()
    st = marks.get("stats") or {}
    return {"t_start": t0, "t_end": t1, "t_stored": marks.get("t_stored"), "status": [r.status for r in res],
            "sync_s": st.get("seconds"), "phases": st.get("phases"), "overridden": st.get("overridden_chunks"),
            "dictionary_words_changed": st.get("dictionary_words_changed")}


def child_noop(a) -> dict:
    from kg.store import open_store
    from search.index import sync

    store = open_store(a.db, read_only=True)
    try:
        sync(a.db, store)  # imports, page cache
        times = []
        for _ in range(5):
            t = time.perf_counter()
            stats = sync(a.db, store)
            times.append(time.perf_counter() - t)
            assert stats.get("unchanged"), stats
    finally:
        store.close()
    return {"median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}


def _queries(searcher, n: int = 100) -> list[str]:
    """The dev questions, generic budget phrases and phrases sampled from chunk texts."""
    qs: list[str] = []
    dev = ROOT.parent / "shared" / "eval" / "search_dev.json"
    if dev.exists():
        data = json.loads(dev.read_text(encoding="utf-8"))
        cases = data.get("cases", data) if isinstance(data, dict) else data
        qs = [c.get("query") or c.get("question") for c in cases if isinstance(c, dict)]
        qs = [q for q in qs if q]
    qs += ["一般公共预算财政拨款支出", "三公经费", "政府采购", "机关运行经费", "项目支出绩效目标"]
    rows = searcher._sql("SELECT text FROM chunks WHERE block = 'paragraph' AND length(text) > 30 LIMIT 20000")
    rng = random.Random(7)
    for (t,) in rng.sample(rows, min(len(rows), max(0, n - len(qs)))):
        a = rng.randrange(0, max(1, len(t) - 12))
        qs.append(t[a:a + 12])
    return list(dict.fromkeys(qs))[:n]


def _merge_log(db) -> list[dict]:
    log = Path(db) / "index" / "merge.log"
    return [json.loads(ln) for ln in log.read_text().splitlines() if ln.startswith(("{", "null"))] \
        if log.exists() else []


def child_merge_search(a) -> dict:
    """Searches, one after another, while a background merge folds the deltas."""
    from search.index import merge, read_config
    from search.retrieve import Searcher

    s = Searcher.open(a.db)
    qs = _queries(s)
    for q in qs:
        s.search(q, k=10)  # warm
    before = {q: [h.chunk_id for h in s.search(q, k=10)] for q in qs}
    cfg0 = read_config(a.db)
    logged = len(_merge_log(a.db))
    started = merge.start_merge(a.db)
    t0 = time.perf_counter()
    times, recall, same, i = [], [], 0, 0
    finished_at = switched_at = None
    while time.perf_counter() - t0 < 3600:
        q = qs[i % len(qs)]
        i += 1
        t = time.perf_counter()
        got = [h.chunk_id for h in s.search(q, k=10)]
        ms = (time.perf_counter() - t) * 1000
        if finished_at is None:
            times.append(ms)
            if len(_merge_log(a.db)) > logged:  # the merge process wrote its line and exited
                finished_at = time.perf_counter() - t0
        want = before[q]
        recall.append(len(set(got) & set(want)) / len(want) if want else 1.0)
        same += got == want
        if switched_at is None and s.cfg["generation"] != cfg0["generation"]:
            switched_at = time.perf_counter() - t0
        merged = read_config(a.db)["generation"] != cfg0["generation"]
        if finished_at is not None and (switched_at is not None or not merged) and i >= len(qs):
            break
    result = _merge_log(a.db)[logged:]
    return {"merge_started": started, "segments_before": len(cfg0["segments"]),
            "tombstones_before": sum(len(v) for v in cfg0.get("tombstones", {}).values()),
            "queries_during_merge": len(times), "p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95),
            "max_ms": pct(times, 1.0), "recall@10": round(sum(recall) / len(recall), 4) if recall else None,
            "identical_share": round(same / max(1, i), 4), "queries": i,
            "merge_finished_after_s": round(finished_at, 1) if finished_at is not None else None,
            "searcher_switched_after_s": round(switched_at, 1) if switched_at is not None else None,
            "merge": result[-1] if result else None}


def child_dictionary(a) -> dict:
    """What a dictionary change costs when its words occur in many chunks: six agency names
    of the corpus taken as added words (each is in the header of every chunk of its agency's
    disclosures). Found through bigram postings and the stored normalized text, then cut
    again, as a sync does; against scanning every chunk's text for them."""
    import sqlite3

    import numpy as np

    from search.index import read_config
    from search.index.bm25 import Postings
    from search.index.dictionary import chunks_containing
    from search.tokenize import get_tokenizer, normalize

    cfg = read_config(a.db)
    seg = Path(a.db) / "index" / cfg["generation"]
    con = sqlite3.connect(f"file:{seg / 'chunks.sqlite'}?mode=ro", uri=True)
    try:
        n = con.execute("SELECT count(*) FROM chunks").fetchone()[0]
        agencies = sorted({r[0] for r in con.execute("SELECT DISTINCT agency FROM chunks WHERE agency != ''")})
        words = {normalize(w) for w in random.Random(11).sample(agencies, min(6, len(agencies)))}
        words_file = (seg / "dictionary.txt").read_text(encoding="utf-8").split("\n")
        tok = get_tokenizer([w for w in words_file if w])
        t = time.perf_counter()
        found = chunks_containing(seg, Postings(seg / "bm25"), np.ones(n, bool), words)
        find_s = time.perf_counter() - t
        t = time.perf_counter()
        for text in found.values():
            tok.terms(text)
        cut_s = time.perf_counter() - t
        t = time.perf_counter()
        scanned = set()
        for w in words:
            scanned |= {r[0] for r in con.execute("SELECT id FROM chunks WHERE instr(norm, ?) > 0", (w,))}
        scan_s = time.perf_counter() - t
    finally:
        con.close()
    return {"words": len(words), "chunks": len(found), "find_s": round(find_s, 2), "cut_again_s": round(cut_s, 2), "scan_every_chunk_s": round(scan_s, 2),
            "same_as_scan": set(found) == scanned}


def child_remove(a) -> dict:
    from kg.archive import DocumentArchive
    from kg.store import open_store
    from search.index import merge, sync

    names = set(a.names.split(","))
    store = open_store(a.db)
    try:
        gone = [d for d in store.documents() if d.source_file in names]
        store.drop_graphs([d.graph for d in gone])
        for d in gone:
            DocumentArchive(a.db).remove(d.sha256)
        stats = sync(a.db, store)
    finally:
        store.close()
    merge.merge(a.db)
    return {"removed": len(gone), "sync_s": stats.get("seconds")}


# --- the service variant -------------------------------------------------------------------
def _budgetkg(*args: str) -> list[str]:
    """The command line of this checkout's `budgetkg` (not whichever one is installed)."""
    return [sys.executable, "-m", "api.cli", *args]


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_variant(db: Path, file: Path, query: str) -> dict:
    """`budgetkg serve` running; `budgetkg ingest` (which goes through the service) of one
    file; /api/search polled until the file is among the hits."""
    import httpx

    port = _free_port()
    serve = subprocess.Popen(_budgetkg("serve", "--db", str(db), "--port", str(port)), cwd=ROOT, env=_env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 600
        while time.time() < deadline:
            if serve.poll() is not None:
                return {"error": f"serve exited: {serve.stderr.read()[-500:]}"}
            try:
                if httpx.get(f"{base}/api/search", params={"q": query, "k": 10}, timeout=30).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            return {"error": "serve did not answer in 600 s"}
        if not (db / "service.sock").exists():
            return {"error": "no control socket (DB/service.sock): the CLI would not reach the service"}
        found: dict = {}

        def poll():
            with httpx.Client(timeout=30) as c:
                while "t_hit" not in found and time.time() - t0 < TIMEOUT_S:
                    r = c.get(f"{base}/api/search", params={"q": query, "k": 10, "doc": file.name})
                    if r.status_code == 200 and r.json()["hits"]:
                        found["t_hit"] = time.time()
                        return
                    time.sleep(POLL_S)

        t0 = time.time()
        th = threading.Thread(target=poll, daemon=True)
        th.start()
        ing = subprocess.Popen(_budgetkg("ingest", "--db", str(db), "--json", str(file)), cwd=ROOT, env=_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first_line = None
        for line in ing.stdout:
            if first_line is None and line.strip():
                first_line = time.time()
        ing.wait(timeout=TIMEOUT_S)
        t_end = time.time()
        th.join(TIMEOUT_S)
        if ing.returncode != 0:
            return {"error": f"ingest failed: {ing.stderr.read()[-500:]}"}
        hit = found.get("t_hit")
        return {"ingest_to_searchable_s": round(hit - t0, 2) if hit else None,
                "stored_to_searchable_s": round(hit - first_line, 2) if hit and first_line else None,
                "cli_ingest_s": round(t_end - t0, 2)}
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()


# --- one database --------------------------------------------------------------------------
def searchable_via_searcher(db: Path, file: Path, query: str) -> dict:
    poller = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "_poll", "--db", str(db),
                               "--query", query, "--file", file.name], cwd=ROOT, env=_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    adder = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "_add", "--db", str(db), "--file",
                              str(file)], cwd=ROOT, env=_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    for p in (poller, adder):
        line = p.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError(f"child not ready: {line!r} {p.stderr.read()[-2000:]}")
    adder.stdin.write("go\n")
    adder.stdin.flush()
    out_a, err_a = adder.communicate(timeout=TIMEOUT_S)
    out_p, err_p = poller.communicate(timeout=TIMEOUT_S)
    if adder.returncode or poller.returncode:
        raise RuntimeError(f"add/poll failed: {err_a[-2000:]} {err_p[-2000:]}")
    add = json.loads([ln for ln in out_a.splitlines() if ln.startswith("{")][-1])
    hit = json.loads([ln for ln in out_p.splitlines() if ln.startswith("{")][-1])["t_hit"]
    found = json.loads([ln for ln in out_p.splitlines() if ln.startswith("{")][-1])
    return {"ingest_to_searchable_s": round(hit - add["t_start"], 2) if hit else None,
            "stored_to_searchable_s": round(hit - add["t_stored"], 2) if hit and add.get("t_stored") else None,
            "in_unfiltered_top10": found.get("in_unfiltered_top10"),
            "ingest_s": round(add["t_end"] - add["t_start"], 2), "status": add["status"], "sync_s": add["sync_s"],
            "sync_phases": add["phases"], "overridden_chunks": add["overridden"],
            "dictionary_words_changed": add["dictionary_words_changed"]}


def noop_command(db: Path) -> float | None:
    t = time.perf_counter()
    p = subprocess.run(_budgetkg("index", "--db", str(db)), cwd=ROOT, env=_env(), capture_output=True, text=True)
    return round(time.perf_counter() - t, 2) if p.returncode == 0 and '"unchanged": true' in p.stdout else None


def bench_db(db: Path, work: Path, service: bool) -> dict:
    res: dict = {"db": str(db), "prepare": _child("_prepare", "--db", str(db))}
    size = res["prepare"]["documents"]
    files = _new_files(work, size)
    query = _probe(files[0])
    added = [files[0].name]
    try:
        res["searchable"] = searchable_via_searcher(db, files[0], query)
        res["noop_sync"] = _child("_noop", "--db", str(db))
        res["noop_sync"]["budgetkg_index_s"] = noop_command(db)
        res["dictionary_change"] = _child("_dictionary", "--db", str(db))
        res["during_merge"] = _child("_merge_search", "--db", str(db))
        if service:
            added.append(files[1].name)
            res["service"] = service_variant(db, files[1], _probe(files[1]))
    finally:
        res["cleanup"] = _child("_remove", "--db", str(db), "--names", ",".join(added))
    return res


def markdown(results: dict) -> str:
    rows = ["| disclosures | chunks | ingest → searchable s (Searcher) | stored → searchable s | sync s | "
            "service: ingest → searchable s | no-op sync s (call / `budgetkg index`) | search p50 / p95 / max ms "
            "during merge | recall@10 during merge | merge s | dictionary change: chunks, find s (scan s) |",
            "|" + "---|" * 11]
    for r in results["databases"]:
        p, s, n, m = r["prepare"], r.get("searchable", {}), r.get("noop_sync", {}), r.get("during_merge", {})
        sv, d = r.get("service") or {}, r.get("dictionary_change") or {}
        rows.append(f"| {p['documents']:,} | {p['chunks']:,} | {s.get('ingest_to_searchable_s')} | "
                    f"{s.get('stored_to_searchable_s')} | {s.get('sync_s')} | "
                    f"{sv.get('ingest_to_searchable_s', sv.get('error', '–'))} | "
                    f"{n.get('median_s')} / {n.get('budgetkg_index_s')} | {m.get('p50_ms')} / {m.get('p95_ms')} / "
                    f"{m.get('max_ms')} | {m.get('recall@10')} | {(m.get('merge') or {}).get('seconds')} | "
                    f"{d.get('chunks')}, {d.get('find_s')} ({d.get('scan_every_chunk_s')}) |")
    return "\n".join(rows)


def run(out_dir: Path, quick: bool) -> dict:
    work = out_dir / "live"
    work.mkdir(parents=True, exist_ok=True)
    service = os.environ.get("BUDGETKG_LIVE_SERVICE", "1") != "0"
    results = {"databases": [bench_db(db, work, service) for db in databases(work, quick)],
               "cores": os.cpu_count(), "loadavg": os.getloadavg()}
    return {"name": "Live corpus: searchable after ingest, no-op sync, search during a merge",
            "results": results, "markdown": markdown(results)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", nargs="?", default="run")
    ap.add_argument("--db", action="append")
    ap.add_argument("--out", default=str(HERE / "out"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-service", action="store_true")
    ap.add_argument("--query")
    ap.add_argument("--file")
    ap.add_argument("--list")
    ap.add_argument("--names")
    a = ap.parse_args(argv)
    modes = {"_ingest_corpus": child_ingest_corpus, "_prepare": child_prepare, "_poll": child_poll, "_add": child_add,
             "_noop": child_noop, "_merge_search": child_merge_search, "_remove": child_remove,
             "_dictionary": child_dictionary}
    if a.mode in modes:
        a.db = a.db[0]
        print(json.dumps(modes[a.mode](a), ensure_ascii=False, default=str), flush=True)
        return 0
    out = Path(a.out)
    work = out / "live"
    work.mkdir(parents=True, exist_ok=True)
    dbs = [Path(d) for d in a.db] if a.db else databases(work, a.quick)
    results = {"databases": [bench_db(db, work, not a.no_service) for db in dbs], "cores": os.cpu_count(),
               "loadavg": os.getloadavg()}
    (out / "bench_live.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
