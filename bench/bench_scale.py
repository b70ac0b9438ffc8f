"""Scale benchmark: how ingest, the store, the example queries, search and memory grow with
the number of disclosures, and what that projects to at 100k.

Method (docs/scale.md):
  * corpora come from `data/generate.py` (one text corpus of the largest size, prefixes of it
    for the smaller sizes; a PDF corpus for the worker speed-up);
  * every measurement runs in a child process (`python bench/bench_scale.py _ingest|_queries|
    _search ...`) whose process tree is sampled with psutil for peak RSS (sum over the tree);
  * ingest pages/s with 1 worker vs every core, on PDFs (readers + graph + store; the search
    index is timed separately);
  * store load triples/s: the same disclosure graphs through each write path;
  * p50/p95 of every ontology/queries/*.rq (read-only store, warm, `reps` runs) and of search;
  * a power law y = a·n^b fitted on log-log over the sizes, projected to 100k disclosures.

`python bench/bench_scale.py --sizes 100,1000,10000 --pdf-count 1000` runs it by hand;
`make bench` calls run(out_dir, quick).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

FULL = {"sizes": [100, 1000, 10000], "pdf_count": 1000, "query_reps": 30, "search_reps": 100}
QUICK = {"sizes": [20, 50, 100], "pdf_count": 12, "query_reps": 5, "search_reps": 20}
SEED = 20240607
PROJECT_TO = 100_000


# --- measuring child processes ------------------------------------------------------
def _tree_rss(proc) -> int:
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measured(cmd: list[str], timeout: float = 7200, env: dict | None = None) -> tuple[dict, float, int]:
    """Run a child, sample its process tree's RSS; returns (its JSON stdout, seconds, peak bytes)."""
    import psutil

    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                         env={**os.environ, **(env or {})})
    ps = psutil.Process(p.pid)
    peak = 0
    while p.poll() is None:
        peak = max(peak, _tree_rss(ps))
        if time.perf_counter() - t0 > timeout:
            p.kill()
            raise RuntimeError(f"{cmd[2:4]} ran past {timeout} s")
        time.sleep(0.1)
    out, err = p.communicate()
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[2:4])} failed ({p.returncode}): {err[-2000:]}")
    last = [ln for ln in out.splitlines() if ln.startswith("{")]
    return (json.loads(last[-1]) if last else {}), secs, peak


def _child(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


# --- corpora -----------------------------------------------------------------------
def corpus(work: Path, count: int, pdf_count: int) -> tuple[list[Path], list[Path]]:
    """(text files, pdf files) of a generated corpus, generated once and kept under `work`."""
    d = work / f"corpus-{count}-{pdf_count}"
    stamp = d / ".done"
    if not stamp.exists():
        cmd = [sys.executable, str(ROOT / "data" / "generate.py"), "--out", str(d), "--count", str(count),
               "--seed", str(SEED), "--formats", "txt,pdf", "--pdf-count", str(pdf_count)]
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        stamp.touch()
    return sorted(d.rglob("*.txt")), sorted(d.rglob("*.pdf"))


# --- statistics --------------------------------------------------------------------
def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * q
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def fit_power(sizes: list[int], ys: list[float]) -> dict | None:
    """Least squares of log y = log a + b log n; None with fewer than two usable points."""
    pts = [(math.log(n), math.log(y)) for n, y in zip(sizes, ys, strict=True) if y and y > 0 and math.isfinite(y)]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    if sxx == 0:
        return None
    b = sum((x - mx) * (y - my) for x, y in pts) / sxx
    a = math.exp(my - b * mx)
    return {"a": a, "b": round(b, 3), "at_100k": a * PROJECT_TO ** b}


# --- child modes -------------------------------------------------------------------
def child_ingest(args) -> dict:
    from kg.pipeline import ingest
    from kg.store import open_store
    from search.hooks import sync_index

    files = Path(args.list).read_text().splitlines()
    store = open_store(args.db, backend="oxigraph")
    c0 = os.times()
    try:
        t = time.perf_counter()
        res = ingest(files, args.db, store, workers=args.workers,
                     ray_address=args.ray_address or None)
        ingest_s = time.perf_counter() - t
        c1 = os.times()  # pool workers have exited by now, so their CPU is in children_*
        cpu_s = (c1.user - c0.user) + (c1.system - c0.system) + (c1.children_user - c0.children_user) + (
            c1.children_system - c0.children_system)
        failed = [r.error for r in res if r.status == "failed"]
        index_s = None
        if args.index:
            t = time.perf_counter()
            sync_index(args.db, store)
            index_s = time.perf_counter() - t
        triples = store.triple_count()
    finally:
        store.close()
    return {"files": len(files), "failed": len(failed), "first_errors": failed[:3],
            "pages": sum(r.pages for r in res), "triples": triples, "ingest_s": ingest_s, "index_s": index_s,
            "cpu_s": cpu_s, "loadavg_after": os.getloadavg()[0]}


def child_queries(args) -> dict:
    from kg.store import open_store

    store = open_store(args.db, read_only=True, backend="oxigraph")
    out = {}
    for q in sorted(Path(args.queries).glob("*.rq")):
        text = q.read_text(encoding="utf-8")
        try:
            rows = len(store.select(text))  # warm-up, and the row count
        except Exception as e:  # noqa: BLE001 - report the broken query, keep measuring others
            out[q.stem] = {"error": f"{type(e).__name__}: {e}"[:200]}
            continue
        times = []
        spent = time.perf_counter()
        # `reps` runs, but at most ~budget seconds per query (a slow query gets fewer, >= 2)
        while len(times) < args.reps and (len(times) < 2 or time.perf_counter() - spent < args.budget_s):
            t = time.perf_counter()
            store.select(text)
            times.append((time.perf_counter() - t) * 1000)
        out[q.stem] = {"rows": rows, "p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "runs": len(times)}
    return out


def _search_queries(n: int) -> list[str]:
    """Search questions: the development cases' questions (generic budget vocabulary)."""
    dev = ROOT.parent / "shared" / "eval" / "search_dev.json"
    qs: list[str] = []
    if dev.exists():
        data = json.loads(dev.read_text(encoding="utf-8"))
        cases = data.get("cases", data) if isinstance(data, dict) else data
        qs = [c.get("query") or c.get("question") for c in cases if isinstance(c, dict)]
        qs = [q for q in qs if q]
    qs = qs or ["一般公共预算财政拨款支出", "三公经费", "政府采购", "机关运行经费", "项目支出绩效目标"]
    return [qs[i % len(qs)] for i in range(n)]


def child_search(args) -> dict:
    from search.retrieve import Searcher

    t = time.perf_counter()
    s = Searcher.open(args.db)
    load_s = time.perf_counter() - t
    queries = _search_queries(args.reps)
    s.search(queries[0], k=10)  # warm-up (loads the embedder)
    times = []
    for q in queries:
        t = time.perf_counter()
        s.search(q, k=10)
        times.append((time.perf_counter() - t) * 1000)
    # recall@10 of the dense index against exhaustive (flat) search over the same vectors:
    # an IVF index searched with nprobe = nlist visits every list, i.e. it is flat search.
    info = dict(s.faiss_info)
    recall = None
    if info.get("type") == "IndexIVFFlat":
        rs = []
        for q in dict.fromkeys(queries):
            approx = {i for i, _ in s.dense_ranking(q, None, 10)}
            s.faiss_info = {**info, "nprobe": int(info.get("nlist", 1))}
            flat = {i for i, _ in s.dense_ranking(q, None, 10)}
            s.faiss_info = info
            if flat:
                rs.append(len(approx & flat) / len(flat))
        recall = sum(rs) / len(rs) if rs else None
    elif info.get("type") == "IndexFlatIP":
        recall = 1.0  # the index is flat: exact by construction
    return {"load_s": load_s, "p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "chunks": s.n,
            "faiss": info.get("type"), "recall10_vs_flat": recall}


# --- the service's memory ----------------------------------------------------------
def serve_rss(db: Path, queries: list[Path], search_qs: list[str]) -> dict:
    import httpx
    import psutil

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    p = subprocess.Popen([str(Path(sys.executable).parent / "budgetkg"), "serve", "--db", str(db), "--host", "127.0.0.1",
                          "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ps = psutil.Process(p.pid)
    peak, ok, failed = 0, 0, 0
    try:
        deadline = time.monotonic() + 120
        while True:
            if p.poll() is not None:
                return {"error": f"serve exited: {p.stderr.read().decode(errors='replace')[-300:]}"}
            try:
                httpx.get(base + "/", timeout=30)  # the first page may be slow; startup is what we wait for
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    return {"error": "serve did not answer within 120 s"}
                time.sleep(0.3)
        reqs = [("GET", "/sparql", {"query": q.read_text(encoding="utf-8")}) for q in queries]
        reqs += [("GET", "/api/search", {"q": q}) for q in search_qs]
        reqs += [("GET", "/api/ask", {"q": q}) for q in search_qs[:3]]
        for method, path, params in reqs:
            try:
                r = httpx.request(method, base + path, params=params, timeout=60,
                                  headers={"Accept": "application/sparql-results+json, application/json, text/html"})
                ok += r.status_code < 400
                failed += r.status_code >= 400
            except httpx.HTTPError:
                failed += 1
            peak = max(peak, _tree_rss(ps))
        peak = max(peak, _tree_rss(ps))
    finally:
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
    return {"peak_rss_mb": peak / 2**20, "requests_ok": ok, "requests_failed": failed}


# --- store load paths --------------------------------------------------------------
def store_load(db: Path, max_graphs: int, server: bool = True) -> dict:
    """Triples/s of each write path on the same graphs (taken from a built database)."""
    import pyoxigraph as ox

    from kg.store import OxigraphStore

    src = OxigraphStore(db / "graph", read_only=True)
    graphs = sorted(str(g.value) for g in src._store.named_graphs())[:max_graphs]
    docs = []
    for g in graphs:
        buf = src._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(g))
        docs.append((g, buf.decode("utf-8")))
    src.close()
    n = sum(nt.count("\n") for _, nt in docs)
    out = {"graphs": len(docs), "triples": n}
    with tempfile.TemporaryDirectory() as tmp:
        def timed(name, fn):
            st = ox.Store(str(Path(tmp) / name))
            t = time.perf_counter()
            fn(st)
            st.flush()
            out[f"{name}_triples_per_s"] = n / (time.perf_counter() - t)

        timed("sparql_insert_data", lambda st: [st.update(f"INSERT DATA {{ GRAPH <{g}> {{ {nt} }} }}") for g, nt in docs])
        timed("load_per_graph", lambda st: [st.load(nt, ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(g)) for g, nt in docs])

        def bulk(st):
            for k in range(0, len(docs), 100):
                st.bulk_load("".join(_nquads(g, nt) for g, nt in docs[k:k + 100]), ox.RdfFormat.N_QUADS)

        timed("bulk_load_batch100", bulk)
        if server:
            out.update(_server_load(docs, n, Path(tmp)))
    return out


def _nquads(graph: str, nt: str) -> str:
    return "".join(line[:-1] + f"<{graph}> .\n" for line in nt.splitlines() if line.endswith("."))


def _server_load(docs, n: int, tmp: Path) -> dict:
    import httpx

    binary = Path(sys.executable).parent / "oxigraph"
    if not binary.exists():
        return {"server": "oxigraph binary missing"}
    from kg.store.remote import SparqlStore

    out = {}
    for mode in ("update", "gsp_put"):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        p = subprocess.Popen([str(binary), "serve", "--location", str(tmp / f"srv-{mode}"), "--bind",
                              f"127.0.0.1:{port}", "--union-default-graph"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    httpx.get(base + "/query", params={"query": "ASK{}"}, timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            st = SparqlStore(base + "/query", base + "/update", base + "/store" if mode == "gsp_put" else None)
            t = time.perf_counter()
            for g, nt in docs:
                st.replace_graph(g, nt)
            out[f"server_{mode}_triples_per_s"] = n / (time.perf_counter() - t)
            st.close()
        finally:
            p.terminate()
            p.wait(timeout=10)
    return out


def server_queries(db: Path, queries: list[Path], reps: int = 5, timeout_s: float = 20.0) -> dict:
    """Example queries against Oxigraph server holding the database's graphs two ways: the
    materialized union default graph (plain server, `sparql_default_graph=materialized`) and
    the server's on-the-fly union (`--union-default-graph`). Median ms and row counts."""
    import httpx
    import pyoxigraph as ox

    from kg.store import StoreError
    from kg.store.remote import SparqlStore

    binary = Path(sys.executable).parent / "oxigraph"
    if not binary.exists():
        return {"error": "oxigraph binary missing"}
    out: dict = {"timeout_s": timeout_s, "reps": reps, "queries": {}}
    with tempfile.TemporaryDirectory() as tmp:
        src = ox.Store.read_only(str(db / "graph"))
        for name, keep_default in (("materialized", True), ("union", False)):
            nq = Path(tmp) / f"{name}.nq"
            with open(nq, "wb") as f:
                quads = (q for q in src if keep_default or not isinstance(q.graph_name, ox.DefaultGraph))
                ox.serialize(quads, f, ox.RdfFormat.N_QUADS)
            subprocess.run([str(binary), "load", "--location", str(Path(tmp) / name), "--file", str(nq)],
                           check=True, capture_output=True)
            nq.unlink()
        del src

        def start(name):
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            flags = ["--union-default-graph"] if name == "union" else []
            proc = subprocess.Popen([str(binary), "serve-read-only", "--location", str(Path(tmp) / name),
                                     "--bind", f"127.0.0.1:{port}", *flags],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            base = f"http://127.0.0.1:{port}/query"
            for _ in range(300):
                try:
                    httpx.get(base, params={"query": "ASK {}"}, timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            return proc, base

        for name in ("materialized", "union"):
            proc, base = start(name)
            try:
                for q in queries:
                    text = q.read_text(encoding="utf-8")
                    st = SparqlStore(base, read_only=True, timeout_s=timeout_s)
                    try:
                        rows = len(st.select(text))  # warm-up, and the row count
                        times = []
                        for _ in range(reps):
                            t = time.perf_counter()
                            st.select(text)
                            times.append((time.perf_counter() - t) * 1000)
                        res = {"rows": rows, "p50_ms": pct(times, 0.5)}
                    except StoreError:
                        res = {"rows": None, "p50_ms": None, "timed_out": True}
                        proc.terminate()  # the server goes on with the abandoned query
                        proc.wait()
                        proc, base = start(name)
                    finally:
                        st.close()
                    out["queries"].setdefault(q.stem, {})[name] = res
            finally:
                proc.terminate()
                proc.wait()
    return out


# --- the benchmark -----------------------------------------------------------------
def bench(out_dir: Path, sizes: list[int], pdf_count: int, query_reps: int, search_reps: int,
          workers: int | None = None, skip: set[str] = frozenset(), corpus_count: int | None = None) -> dict:
    work = out_dir / "scale"
    work.mkdir(parents=True, exist_ok=True)
    workers = workers or os.cpu_count() or 1
    corpus_count = max(corpus_count or 0, *sizes)  # the smaller sizes are prefixes of this corpus
    txt, pdf = corpus(work, corpus_count, pdf_count)
    results: dict = {"sizes": sizes, "workers": workers, "pdf_count": len(pdf), "per_size": {}}

    # 1. worker speed-up on PDFs
    if "pdf" not in skip and pdf:
        lst = work / "pdf.list"
        lst.write_text("\n".join(map(str, pdf[:pdf_count])))
        speed = {}
        for w in sorted({1, workers}):
            load_before = os.getloadavg()[0]
            with tempfile.TemporaryDirectory(dir=work) as db:
                r, secs, peak = measured(_child("_ingest", "--db", db, "--list", str(lst), "--workers", str(w)))
            speed[w] = {**r, "pages_per_s": r["pages"] / r["ingest_s"], "files_per_s": r["files"] / r["ingest_s"],
                        "cpu_ms_per_page": 1000 * r["cpu_s"] / max(1, r["pages"]), "peak_rss_mb": peak / 2**20,
                        "loadavg_before": load_before}
        results["pdf_ingest"] = speed
        if workers > 1:
            results["pdf_speedup"] = speed[workers]["pages_per_s"] / speed[1]["pages_per_s"]

    # 2. per size: text ingest (+ index), queries, search, serve
    queries = sorted((ROOT / "ontology" / "queries").glob("*.rq"))
    for n in ([] if "sizes" in skip else sizes):
        row: dict = {}
        db = work / f"db-{n}-of-{corpus_count}"
        if not (db / ".done").exists():
            import shutil

            shutil.rmtree(db, ignore_errors=True)
            lst = work / f"txt-{n}.list"
            lst.write_text("\n".join(map(str, txt[:n])))
            r, secs, peak = measured(_child("_ingest", "--db", str(db), "--list", str(lst), "--workers",
                                            str(workers), "--index"))
            (db / ".done").write_text(json.dumps({**r, "peak": peak}))
        r = json.loads((db / ".done").read_text())
        row["ingest"] = {"files": r["files"], "failed": r["failed"], "pages": r["pages"], "triples": r["triples"],
                         "pages_per_s": r["pages"] / r["ingest_s"], "index_s": r["index_s"],
                         "peak_rss_mb": r["peak"] / 2**20, "first_errors": r["first_errors"]}
        if queries:
            qr, _, qpeak = measured(_child("_queries", "--db", str(db), "--queries", str(queries[0].parent),
                                           "--reps", str(query_reps)))
            row["queries"] = qr
            row["query_peak_rss_mb"] = qpeak / 2**20
        if "search" not in skip:
            try:
                sr, _, speak = measured(_child("_search", "--db", str(db), "--reps", str(search_reps)))
                row["search"] = {**sr, "peak_rss_mb": speak / 2**20}
            except RuntimeError as e:
                row["search"] = {"error": str(e)[-300:]}
        if "serve" not in skip:
            row["serve"] = serve_rss(db, queries, _search_queries(5))
        results["per_size"][n] = row

    # 3. store write paths, on the graphs of the largest database
    biggest = work / f"db-{max(sizes)}-of-{corpus_count}"
    if "load" not in skip and (biggest / ".done").exists():
        results["store_load"] = store_load(biggest, max_graphs=2000 if max(sizes) > 1000 else 500)
    server_db = work / f"db-{min(1000, max(sizes))}-of-{corpus_count}"
    if "server" not in skip and (server_db / ".done").exists():
        results["server_queries"] = {"db": server_db.name, **server_queries(server_db, queries)}

    results["fits"] = fits(results)
    return results


def _figures(results: dict) -> dict[str, list[float | None]]:
    """Every per-size figure, as name -> values in size order."""
    figs: dict[str, list] = {}
    sizes = results["sizes"]
    for i, n in enumerate(sizes):
        row = results["per_size"].get(n, {})
        vals = {
            "ingest pages/s (text)": row.get("ingest", {}).get("pages_per_s"),
            "ingest peak RSS MB": row.get("ingest", {}).get("peak_rss_mb"),
            "index build s": row.get("ingest", {}).get("index_s"),
            "triples": row.get("ingest", {}).get("triples"),
            "search p50 ms": row.get("search", {}).get("p50_ms"),
            "search p95 ms": row.get("search", {}).get("p95_ms"),
            "search recall@10 vs flat": row.get("search", {}).get("recall10_vs_flat"),
            "search peak RSS MB": row.get("search", {}).get("peak_rss_mb"),
            "serve peak RSS MB": row.get("serve", {}).get("peak_rss_mb"),
        }
        for q, v in sorted(row.get("queries", {}).items()):
            vals[f"query {q} p95 ms"] = v.get("p95_ms")
            vals[f"query {q} p50 ms"] = v.get("p50_ms")
        for k, v in vals.items():
            figs.setdefault(k, [None] * len(sizes))[i] = v
    return figs


def fits(results: dict) -> dict:
    sizes = results["sizes"]
    return {k: fit_power(sizes, [v if v is not None else float("nan") for v in vs])
            for k, vs in _figures(results).items()}


def markdown(results: dict) -> str:
    sizes = results["sizes"]
    lines = []
    if "pdf_ingest" in results:
        lines.append(f"Ingest of {results['pdf_count']} generated PDFs (readers + graph + store, no index):\n")
        lines.append("| workers | pages | pages/s | files/s | CPU ms/page | peak RSS MB | load avg before → after |")
        lines.append("|---|---|---|---|---|---|---|")
        for w, r in sorted(results["pdf_ingest"].items(), key=lambda kv: int(kv[0])):
            lines.append(f"| {w} | {r['pages']} | {r['pages_per_s']:.1f} | {r['files_per_s']:.2f} | "
                         f"{r['cpu_ms_per_page']:.0f} | {r['peak_rss_mb']:.0f} | "
                         f"{r['loadavg_before']:.1f} → {r['loadavg_after']:.1f} |")
        if "pdf_speedup" in results:
            lines.append(f"\nSpeed-up {results['workers']} workers / 1 worker: **{results['pdf_speedup']:.2f}×**\n")
    if "store_load" in results:
        sl = results["store_load"]
        lines.append(f"\nStore write paths ({sl['graphs']} disclosure graphs, {sl['triples']} triples):\n")
        lines.append("| path | triples/s |")
        lines.append("|---|---|")
        for k, v in sl.items():
            if k.endswith("_triples_per_s"):
                lines.append(f"| {k.removesuffix('_triples_per_s')} | {v:,.0f} |")
    if "server_queries" in results and "queries" in results["server_queries"]:
        sq = results["server_queries"]
        lines.append(f"\nExample queries on Oxigraph server ({sq['db']}; median ms of {sq['reps']} warm runs, "
                     f"{sq['timeout_s']:g} s timeout):\n")
        lines.append("| query | rows materialized / union | materialized default graph | --union-default-graph |")
        lines.append("|---|---|---|---|")
        for q, v in sorted(sq["queries"].items()):
            m, u = v.get("materialized", {}), v.get("union", {})

            def ms(r):
                return f"> {sq['timeout_s'] * 1000:,.0f}" if r.get("timed_out") else f"{r.get('p50_ms', 0):.1f}"
            lines.append(f"| {q} | {m.get('rows', '–')} / {u.get('rows') if u.get('rows') is not None else '–'} | "
                         f"{ms(m)} | {ms(u)} |")
    fs = results.get("fits") or fits(results)
    lines.append("\nPer corpus size (text exports), with a power law y = a·n^b fitted across sizes:\n")
    lines.append("| figure | " + " | ".join(f"n={n}" for n in sizes) + " | b | projected n=100k |")
    lines.append("|---|" + "---|" * len(sizes) + "---|---|")

    def f(v):
        return "–" if v is None or (isinstance(v, float) and not math.isfinite(v)) else (
            f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}")

    for k, vs in _figures(results).items():
        fit = fs.get(k)
        lines.append(f"| {k} | " + " | ".join(f(v) for v in vs) + f" | {fit['b'] if fit else '–'} | "
                     f"{f(fit['at_100k']) if fit else '–'} |")
    errs = [(n, q, v["error"]) for n, row in results["per_size"].items()
            for q, v in row.get("queries", {}).items() if "error" in v]
    for n, q, e in errs[:10]:
        lines.append(f"\nquery {q} failed at n={n}: {e}")
    return "\n".join(lines)


def run(out_dir: Path, quick: bool) -> dict:
    cfg = QUICK if quick else FULL
    res = bench(Path(out_dir), cfg["sizes"], cfg["pdf_count"], cfg["query_reps"], cfg["search_reps"])
    return {"name": "Scale: ingest, store, queries, search and memory vs corpus size", "results": res,
            "markdown": markdown(res)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode")
    c = sub.add_parser("_ingest")
    c.add_argument("--db", required=True)
    c.add_argument("--list", required=True)
    c.add_argument("--workers", type=int, default=1)
    c.add_argument("--ray-address", default="")
    c.add_argument("--index", action="store_true")
    c = sub.add_parser("_queries")
    c.add_argument("--db", required=True)
    c.add_argument("--queries", required=True)
    c.add_argument("--reps", type=int, default=20)
    c.add_argument("--budget-s", type=float, default=10.0)
    c = sub.add_parser("_search")
    c.add_argument("--db", required=True)
    c.add_argument("--reps", type=int, default=50)
    ap.add_argument("--out", default=str(HERE / "out"))
    ap.add_argument("--sizes", default=",".join(map(str, FULL["sizes"])))
    ap.add_argument("--pdf-count", type=int, default=FULL["pdf_count"])
    ap.add_argument("--query-reps", type=int, default=FULL["query_reps"])
    ap.add_argument("--search-reps", type=int, default=FULL["search_reps"])
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--corpus-count", type=int, default=None,
                    help="generate this many disclosures (default: the largest size); sizes are its prefixes")
    ap.add_argument("--skip", default="", help="comma list of parts to leave out: pdf,sizes,search,serve,load,server")
    args = ap.parse_args(argv)
    if args.mode:
        fn = {"_ingest": child_ingest, "_queries": child_queries, "_search": child_search}[args.mode]
        print(json.dumps(fn(args), ensure_ascii=False, default=str))
        return 0
    out = Path(args.out)
    res = bench(out, [int(x) for x in args.sizes.split(",")], args.pdf_count, args.query_reps, args.search_reps,
                args.workers, set(filter(None, args.skip.split(","))), args.corpus_count)
    md = markdown(res)
    (out / "bench_scale.json").write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str))
    (out / "bench_scale.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
