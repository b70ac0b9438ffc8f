"""What the `/sparql` endpoint adds to the store's own query time (issue 15: p95 under 20 ms
at 10,000 disclosures).

Method (docs/scale.md, "SPARQL endpoint overhead at 10,000 disclosures"):
  * (a) store time: each ontology/queries/*.rq on a read-only pyoxigraph handle, every
    solution and every term fetched, as a query worker does before it converts them. The
    service owns the store, so the handle is on a checkpoint it lends (kg.store.access),
    the same data its workers' snapshots hold;
  * (b) endpoint time: the same text through a real `budgetkg serve --db DB` (read-only, on a
    free loopback port) as GET /sparql with `Accept: application/sparql-results+json`, over
    one keep-alive httpx connection, the body read in full;
  * (c) the same text through a QueryPool driven from this process (worker and pipe, no HTTP);
  * overhead = (b) - (a) of the same round, p50/p95 per query and pooled. (a), (b) and (c)
    run back to back, their order rotating, the queries shuffled per round, so whatever
    else loads the machine loads them alike;
  * warm-up rounds first: the service's pool hands requests to its workers in turn, and each
    worker opens its snapshot and fills its own caches on first use;
  * where the time goes: per request, CPU, time runnable but waiting for a core, and
    wake-ups, from the scheduler's per-thread accounts (store thread; service process,
    workers, client thread); the CPU of the steps a worker adds (parse check, term
    conversion, JSON) on this thread's clock; floors (`ASK {}` over HTTP and through the
    pool, a request refused before the pool); the service's idle CPU and wake-ups;
  * the service's RSS (its process and every query worker), whether any worker was replaced
    and whether the snapshots changed during the run (either would put a spawn or a store
    opening on some request's clock).

`python bench/bench_sparql_overhead.py --db /tmp/db10k --out bench/out/sparql10k` measures a
built database; without --db it builds a small generated one (`make bench` runs that).
Linux only (/proc).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from bench_scale import _child, _tree_rss, pct  # noqa: E402

QUERIES = ROOT / "ontology" / "queries"
TARGET_P95_MS = 20.0  # issue 15, acceptance
SEED = 20240101
FULL = {"count": 100, "reps": 30, "warmup": 4}
QUICK = {"count": 20, "reps": 8, "warmup": 4}
ACCEPT = {"Accept": "application/sparql-results+json"}


# --- a small database for `make bench` -----------------------------------------------------
def small_db(work: Path, count: int) -> Path:
    """A generated corpus of `count` text disclosures ingested without a search index (kept)."""
    db = work / f"db-{count}"
    if (db / ".done").exists():
        return db
    import shutil

    corpus = work / f"corpus-{count}"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(db, ignore_errors=True)
    subprocess.run([sys.executable, str(ROOT / "data" / "generate.py"), "--out", str(corpus), "--count", str(count),
                    "--seed", str(SEED), "--formats", "txt"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    lst = work / f"txt-{count}.list"
    lst.write_text("\n".join(map(str, sorted((corpus / "txt").glob("*.txt")))))
    subprocess.run(_child("_ingest", "--db", str(db), "--list", str(lst), "--workers", "2"), check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    (db / ".done").touch()
    return db


# --- the service ---------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """`budgetkg serve --db DB` read-only on a loopback port, stopped with SIGTERM so that it
    removes the snapshots it made under DB/snapshots."""

    def __init__(self, db: Path, log: Path):
        import psutil

        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k != "BUDGETKG_WRITE_TOKEN"}  # read-only, as the public one
        self.log = open(log, "wb")  # noqa: SIM115 - lives as long as the service
        exe = Path(sys.executable).parent / "budgetkg"
        self.proc = subprocess.Popen([str(exe), "serve", "--db", str(db), "--host", "127.0.0.1",
                                      "--port", str(self.port)], cwd=ROOT, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.ps = psutil.Process(self.proc.pid)

    def wait_ready(self, client, timeout_s: float = 600) -> float:
        """Seconds until `ASK {}` is answered (the pool is up and has its snapshot)."""
        import httpx

        t0 = time.monotonic()
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"budgetkg serve exited ({self.proc.returncode}); see {self.log.name}")
            try:
                r = client.get(self.base + "/sparql", params={"query": "ASK {}"}, headers=ACCEPT, timeout=60)
                if r.status_code == 200:
                    return time.monotonic() - t0
            except httpx.HTTPError:
                pass
            if time.monotonic() - t0 > timeout_s:
                raise RuntimeError(f"budgetkg serve did not answer within {timeout_s:g} s")
            time.sleep(0.3)

    def wait_settled(self, timeout_s: float = 300, quiet_cpu_s: float = 0.05) -> float:
        """Seconds until the service's start-up warming (home page summaries, QA lexicon)
        stops using CPU: measured while it runs, it would load the endpoint's side only."""
        t0 = time.monotonic()
        quiet = 0
        last = self.cpu_s()
        while time.monotonic() - t0 < timeout_s and quiet < 3:
            time.sleep(1.0)
            now = self.cpu_s()
            quiet = quiet + 1 if now - last < quiet_cpu_s else 0
            last = now
        return time.monotonic() - t0

    def cpu_s(self, procs: list | None = None) -> float:
        """CPU seconds used so far by the service and its workers (`procs`: a cached list)."""
        import psutil

        total = 0.0
        for p in procs or [self.ps, *self.ps.children(recursive=True)]:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.Error:
                pass
        return total

    def pids(self) -> list[int]:
        """The service process first, then its workers."""
        return [self.ps.pid, *sorted(p.pid for p in self.ps.children(recursive=True))]

    def memory(self) -> dict:
        import psutil

        workers = []
        for p in self.ps.children(recursive=True):
            try:
                workers.append((p.pid, p.memory_info().rss))
            except psutil.Error:
                pass
        return {"service_rss_mb": self.ps.memory_info().rss / 2**20,
                "worker_rss_mb": [round(r / 2**20, 1) for _, r in sorted(workers)],
                "tree_rss_mb": _tree_rss(self.ps) / 2**20, "worker_pids": sorted(p for p, _ in workers)}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# --- where the time goes: the scheduler's own accounts ------------------------------------
# /proc/PID/task/TID/schedstat: ns on a CPU, ns runnable but waiting for one, time slices.
# Exact per thread (no tick sampling), so one request's CPU and its waiting for a core can
# be told apart: on a shared machine the second is what an extra process hop costs.
def task_stats(pids) -> list[str]:
    out = []
    for pid in pids:
        try:
            out += [f"/proc/{pid}/task/{t}/schedstat" for t in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            pass
    return out


def sched_ms(paths: list[str]) -> tuple[float, float, int]:
    """(CPU ms, ms waiting for a CPU, time slices) so far, summed over the threads. A thread
    that blocks and is woken starts a new slice, so slices count the wake-ups."""
    run = wait = slices = 0
    for path in paths:
        try:
            with open(path) as f:
                a, b, c = f.read().split()
        except (OSError, ValueError):
            continue
        run += int(a)
        wait += int(b)
        slices += int(c)
    return run / 1e6, wait / 1e6, slices


def mine() -> tuple[float, float, int]:
    """sched_ms of the calling thread. Its CPU from the thread clock: schedstat's figure for
    a thread that is running when it is read lags by up to a scheduler tick."""
    import threading

    _, wait, slices = sched_ms([f"/proc/self/task/{threading.get_native_id()}/schedstat"])
    return time.thread_time() * 1000, wait, slices


# --- the two timings -----------------------------------------------------------------------
def store_run(store, text: str, sched: list | None = None) -> tuple[float, int]:
    """ms and rows: the query to completion with every term fetched from the store (the
    store evaluates in the calling thread: `sched` gets that thread's (CPU ms, wait ms))."""
    c = mine()
    t = time.perf_counter()
    res = store.query(text)
    kind = type(res).__name__
    if kind == "QuerySolutions":
        names = [v.value for v in res.variables]
        n = 0
        for sol in res:
            for v in names:
                sol[v]
            n += 1
    elif kind == "QueryBoolean":
        bool(res)
        n = 1
    else:
        n = sum(1 for _ in res)
    ms = (time.perf_counter() - t) * 1000
    if sched is not None:
        d = mine()
        sched.append(tuple(y - x for x, y in zip(c, d, strict=True)))
    return ms, n


def endpoint_run(client, base: str, text: str) -> tuple[float, int, bytes]:
    t = time.perf_counter()
    r = client.get(base + "/sparql", params={"query": text}, headers=ACCEPT)
    body = r.content
    ms = (time.perf_counter() - t) * 1000
    if r.status_code != 200:
        raise RuntimeError(f"/sparql answered {r.status_code}: {body[:300]!r}")
    doc = json.loads(body)
    return ms, (len(doc["results"]["bindings"]) if "results" in doc else 1), body


def breakdown(store, text: str, reps: int) -> dict:
    """Median CPU ms (this thread's, so other load does not enter) of each step a worker adds
    to the store's own work: the parse check, converting the store's terms to SPARQL-JSON
    terms with the byte count (api.sparql.evaluate's loop), and writing the JSON."""
    from api import sparql as sp
    from api.sparql_check import check

    res = store.query(text)
    if type(res).__name__ != "QuerySolutions":
        return {"parse_ms": None, "convert_ms": None, "serialize_ms": None, "json_bytes": None}
    names = [v.value for v in res.variables]
    terms = [[sol[v] for v in names] for sol in res]
    parse, convert, serialize = [], [], []
    for _ in range(reps):
        t = time.thread_time()
        check(text)
        parse.append((time.thread_time() - t) * 1000)
        t = time.thread_time()
        rows, size = [], 0
        for row in terms:
            row = [sp.term_json(x) for x in row]
            size += 8 + sum(sp._term_bytes(x) for x in row)
            rows.append(row)
        convert.append((time.thread_time() - t) * 1000)
        t = time.thread_time()
        body = sp.serialize(sp.QueryResult("select", names, rows, count=len(rows)), "json")
        serialize.append((time.thread_time() - t) * 1000)
    return {"parse_ms": pct(parse, 0.5), "convert_ms": pct(convert, 0.5), "serialize_ms": pct(serialize, 0.5),
            "json_bytes": len(body)}


def _snapshots(db: Path) -> list[str]:
    d = Path(db) / "snapshots"
    return sorted(p.name for p in d.iterdir()) if d.is_dir() else []


def pool_run(pool, text: str) -> tuple[float, int]:
    """ms and rows through a query worker pool driven from this process: the worker's part
    and the pipe, without HTTP or the web framework."""
    t = time.perf_counter()
    _status, meta, _body = pool.run(text, {"select": "json", "graph": "nt"})
    return (time.perf_counter() - t) * 1000, meta["count"]


def floors(client, svc: Service, pool, reps: int) -> dict:
    """p50/p95 ms of requests that evaluate nothing: `ASK {}` over HTTP and through the pool
    alone, and a /sparql request the route refuses before the pool (HTTP and framework only);
    for the HTTP ones also the service's CPU ms per request (its process and workers)."""
    base = svc.base
    tasks = task_stats(svc.pids())

    def timed(fn) -> dict:
        xs = []
        c = sched_ms(tasks)[0]
        for _ in range(reps):
            t = time.perf_counter()
            fn()
            xs.append((time.perf_counter() - t) * 1000)
        return {"p50": pct(xs, 0.5), "p95": pct(xs, 0.95), "service_cpu_ms": (sched_ms(tasks)[0] - c) / reps}

    def refused():
        r = client.get(base + "/sparql", params={"query": ""}, headers={"Accept": "text/csv"})
        assert r.status_code == 400, r.status_code

    return {"http_ask": timed(lambda: client.get(base + "/sparql", params={"query": "ASK {}"},
                                                 headers=ACCEPT).raise_for_status()),
            "pool_ask": timed(lambda: pool_run(pool, "ASK {}")),
            "http_no_pool": timed(refused)}


def measure(db: Path, reps: int, warmup: int, out_dir: Path, queries: list[Path] | None = None) -> dict:
    import contextlib

    import httpx

    from api.control import find_service
    from api.query_workers import Limits, QueryPool, Snapshots
    from kg.store.access import Access

    queries = queries or sorted(QUERIES.glob("*.rq"))
    texts = {q.stem: q.read_text(encoding="utf-8") for q in queries}
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    res: dict = {"db": str(db), "reps": reps, "warmup_rounds": warmup, "target_p95_ms": TARGET_P95_MS,
                 "cpus": os.cpu_count(), "loadavg_before": os.getloadavg()[0]}
    kinds = ("store", "pool", "endpoint")
    with contextlib.ExitStack() as stack:
        svc = Service(db, out_dir / "sparql_overhead_serve.log")
        stack.callback(svc.stop)
        client = stack.enter_context(httpx.Client(timeout=120))
        res["ready_s"] = svc.wait_ready(client)
        # The service owns the store (read-write), so this process reads a checkpoint it
        # lends, as every reading command beside it does (kg.store.access): the same data
        # the workers' snapshots hold, on a read-only pyoxigraph handle.
        store = stack.enter_context(Access(service=find_service).reading(db))
        # the service's pool classes on a snapshot of that handle (one more checkpoint under
        # DB/snapshots, removed on close), so the endpoint's time splits into pool and HTTP
        snaps = Snapshots(store, db)
        stack.callback(snaps.close)
        pool = QueryPool(snaps, Limits(timeout_s=120))
        stack.callback(pool.close)
        pool.start()
        res["settle_s"] = svc.wait_settled()
        res["memory_after_start"] = svc.memory()
        res["snapshots_after_start"] = _snapshots(db)
        # what the service process does with no request (its own timers): the per-request
        # figures of "main" include this much per second of the request's duration
        main = task_stats(svc.pids()[:1])
        a, t = sched_ms(main), time.perf_counter()
        time.sleep(3)
        b, secs = sched_ms(main), time.perf_counter() - t
        res["service_idle_per_s"] = {k: (y - x) / secs for k, x, y in zip(("cpu_ms", "wait_ms", "slices"), a, b,
                                                                           strict=True)}
        times: dict[str, dict[str, list[float]]] = {k: {kind: [] for kind in kinds} for k in texts}
        rows: dict[str, int] = {}
        peak_tree = 0.0
        # (CPU ms, ms waiting for a core) per request: the store's thread; for the endpoint the
        # service process ("main": HTTP, the framework, the pool's parent side), its workers,
        # and this process's client thread
        cpu = {k: {"store": [], "main": [], "workers": [], "client": []} for k in texts}
        tasks: dict[str, list[str]] = {}

        def endpoint(name: str, text: str):
            before = {k: sched_ms(v) for k, v in tasks.items()} | {"client": mine()}
            got = endpoint_run(client, svc.base, text)[:2]
            after = {"client": mine()} | {k: sched_ms(v) for k, v in tasks.items()}
            for k, b in before.items():
                cpu[name][k].append(tuple(y - x for x, y in zip(b, after[k], strict=True)))
            return got

        run = {"store": lambda name, text: store_run(store, text, cpu[name]["store"]),
               "pool": lambda name, text: pool_run(pool, text), "endpoint": endpoint}
        for rnd in range(warmup + reps):
            pids = svc.pids()  # threads come and go (the framework's pool): listed every round
            tasks.update(main=task_stats(pids[:1]), workers=task_stats(pids[1:]))
            if rnd == warmup:
                for c in cpu.values():
                    for xs in c.values():
                        xs.clear()
            names = list(texts)
            rng.shuffle(names)
            order = kinds[rnd % 3:] + kinds[:rnd % 3]  # each goes first, second and last in turn
            for name in names:
                got = {kind: run[kind](name, texts[name]) for kind in order}
                counts = {kind: n for kind, (_, n) in got.items()}
                if len(set(counts.values())) != 1:  # capped, or a different answer: not comparable
                    raise RuntimeError(f"{name}: rows differ {counts}")
                rows[name] = counts["store"]
                if rnd >= warmup:
                    for kind, (ms, _) in got.items():
                        times[name][kind].append(ms)
            peak_tree = max(peak_tree, svc.memory()["tree_rss_mb"])
        res["floor_ms"] = floors(client, svc, pool, max(reps, 100))
        res["memory_after_run"] = mem = svc.memory()
        res["peak_tree_rss_mb"] = max(peak_tree, mem["tree_rss_mb"])
        res["workers_replaced"] = mem["worker_pids"] != res["memory_after_start"]["worker_pids"]
        # the same checkpoints as at the start: no worker reopened a store on any request's clock
        res["snapshots_after_run"] = _snapshots(db)
        steps = {name: breakdown(store, texts[name], max(5, reps // 2)) for name in texts}
    per, pooled = {}, []
    for name, t in times.items():
        over = [e - s for s, e in zip(t["store"], t["endpoint"], strict=True)]
        via_pool = [p - s for s, p in zip(t["store"], t["pool"], strict=True)]
        pooled += over
        c = {k: [sum(x[i] for x in xs) / len(xs) for i in (0, 1, 2)] for k, xs in cpu[name].items()}
        per[name] = {"rows": rows[name],
                     "store_p50_ms": pct(t["store"], 0.5), "store_p95_ms": pct(t["store"], 0.95),
                     "endpoint_p50_ms": pct(t["endpoint"], 0.5), "endpoint_p95_ms": pct(t["endpoint"], 0.95),
                     "overhead_p50_ms": pct(over, 0.5), "overhead_p95_ms": pct(over, 0.95),
                     "pool_overhead_p50_ms": pct(via_pool, 0.5), "pool_overhead_p95_ms": pct(via_pool, 0.95),
                     **{f"{k}_cpu_ms": v[0] for k, v in c.items()}, **{f"{k}_wait_ms": v[1] for k, v in c.items()},
                     **{f"{k}_slices": v[2] for k, v in c.items()},
                     **steps[name]}
    n_req = sum(len(c["store"]) for c in cpu.values())
    res["queries"] = per
    res["pooled"] = {"n": len(pooled), "overhead_p50_ms": pct(pooled, 0.5), "overhead_p95_ms": pct(pooled, 0.95),
                     "overhead_max_ms": max(pooled) if pooled else None,
                     **{f"{k}_{what}_per_request": sum(x[i] for c in cpu.values() for x in c[k]) / n_req
                        for k in ("store", "main", "workers", "client")
                        for i, what in ((0, "cpu_ms"), (1, "wait_ms"), (2, "slices"))}}
    res["loadavg_after"] = os.getloadavg()[0]
    res["meets_target"] = res["pooled"]["overhead_p95_ms"] < TARGET_P95_MS and all(
        v["overhead_p95_ms"] < TARGET_P95_MS for v in per.values())
    return res


def markdown(res: dict) -> str:
    def cpu_wait(v: dict, suffix: str = "") -> tuple[str, str]:
        parts = [v[f"{k}_cpu_ms{suffix}"] for k in ("main", "workers", "client")]
        waits = sum(v[f"{k}_wait_ms{suffix}"] for k in ("main", "workers", "client"))
        wakes = " + ".join(f"{v[f'{k}_slices{suffix}']:.0f}" for k in ("main", "workers"))
        return (f"{v[f'store_cpu_ms{suffix}']:.1f} → {sum(parts):.1f} ({' + '.join(f'{x:.1f}' for x in parts)})",
                f"{v[f'store_wait_ms{suffix}']:.1f} → {waits:.1f} ({wakes})")

    lines = [f"Database `{res['db']}`; {res['reps']} measured rounds after {res['warmup_rounds']} warm-up rounds; "
             f"load average {res['loadavg_before']:.1f} → {res['loadavg_after']:.1f} on {res['cpus']} cores.\n",
             "| query | rows | store p50 / p95 ms | endpoint p50 / p95 ms | **overhead p50 / p95 ms** | "
             "pool alone: overhead p50 / p95 ms | CPU ms: store → endpoint (service + workers + client) | "
             "waiting for a core ms: store → endpoint (service + workers wake-ups) | parse / convert / JSON ms | JSON KB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, v in sorted(res["queries"].items()):
        c, w = cpu_wait(v)
        steps = " / ".join("–" if v[k] is None else f"{v[k]:.2f}" for k in ("parse_ms", "convert_ms", "serialize_ms"))
        lines.append(f"| {name} | {v['rows']} | {v['store_p50_ms']:.1f} / {v['store_p95_ms']:.1f} | "
                     f"{v['endpoint_p50_ms']:.1f} / {v['endpoint_p95_ms']:.1f} | "
                     f"**{v['overhead_p50_ms']:.1f} / {v['overhead_p95_ms']:.1f}** | "
                     f"{v['pool_overhead_p50_ms']:.1f} / {v['pool_overhead_p95_ms']:.1f} | {c} | {w} | {steps} | "
                     f"{(v['json_bytes'] or 0) / 1024:.1f} |")
    p = res["pooled"]
    c, w = cpu_wait(p, "_per_request")
    lines.append(f"| **pooled** ({p['n']} requests) | | | | **{p['overhead_p50_ms']:.1f} / "
                 f"{p['overhead_p95_ms']:.1f}** (max {p['overhead_max_ms']:.1f}) | | {c} | {w} | | |")
    m = res["memory_after_run"]
    f = res["floor_ms"]
    lines.append(f"\nFloors, p50 / p95 ms (service CPU ms per request): `ASK {{}}` over HTTP {f['http_ask']['p50']:.1f} / "
                 f"{f['http_ask']['p95']:.1f} ({f['http_ask']['service_cpu_ms']:.1f}), `ASK {{}}` through the pool "
                 f"alone {f['pool_ask']['p50']:.1f} / {f['pool_ask']['p95']:.1f}, HTTP only (a request refused "
                 f"before the pool) {f['http_no_pool']['p50']:.1f} / {f['http_no_pool']['p95']:.1f} "
                 f"({f['http_no_pool']['service_cpu_ms']:.1f}).")
    i = res["service_idle_per_s"]
    lines.append(f"The service process with no request, per second: {i['cpu_ms']:.1f} ms CPU, {i['wait_ms']:.1f} ms "
                 f"waiting for a core, {i['slices']:.0f} wake-ups.")
    lines.append(f"Service RSS after the run: {m['service_rss_mb']:.0f} MB, "
                 f"workers {', '.join(f'{w:.0f}' for w in m['worker_rss_mb'])} MB (tree {m['tree_rss_mb']:.0f} MB, "
                 f"peak {res['peak_tree_rss_mb']:.0f} MB); workers replaced during the run: "
                 f"{'yes' if res['workers_replaced'] else 'no'}; snapshots unchanged: "
                 f"{'yes' if res['snapshots_after_start'] == res['snapshots_after_run'] else 'no'}. Target p95 < "
                 f"{res['target_p95_ms']:g} ms: **{'met' if res['meets_target'] else 'not met'}**.")
    return "\n".join(lines)


def run(out_dir: Path, quick: bool) -> dict:
    cfg = QUICK if quick else FULL
    work = Path(out_dir) / "sparql_overhead"
    work.mkdir(parents=True, exist_ok=True)
    db = small_db(work, cfg["count"])
    res = measure(db, cfg["reps"], cfg["warmup"], work)
    return {"name": f"SPARQL endpoint overhead over the store ({cfg['count']} generated disclosures)",
            "results": res, "markdown": markdown(res)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="a built database (default: a small generated one under --out)")
    ap.add_argument("--out", default=str(HERE / "out"))
    ap.add_argument("--reps", type=int, default=FULL["reps"])
    ap.add_argument("--warmup", type=int, default=FULL["warmup"])
    ap.add_argument("--count", type=int, default=FULL["count"], help="disclosures in the generated database")
    ap.add_argument("--only", nargs="*", help="query names (file stems) to measure")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    db = Path(args.db) if args.db else small_db(out / "sparql_overhead", args.count)
    queries = sorted(QUERIES.glob("*.rq"))
    if args.only:
        queries = [q for q in queries if q.stem in args.only]
    res = measure(db, args.reps, args.warmup, out, queries)
    md = markdown(res)
    (out / "bench_sparql_overhead.json").write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str))
    (out / "bench_sparql_overhead.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
