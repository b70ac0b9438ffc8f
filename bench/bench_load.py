"""Load test: N clients for T seconds of mixed traffic against a budgetkg service on the
loopback interface, reporting per kind of request the rate, the errors and the latency
(p50/p95/max, ms) as JSON.

    .venv/bin/python bench/bench_load.py --db budgetkg-data            # starts `budgetkg serve` itself
    .venv/bin/python bench/bench_load.py --url http://127.0.0.1:8000   # a service already running
    .venv/bin/python bench/bench_load.py --clients 20 --seconds 30 --out load.json
    .venv/bin/python bench/run.py --only bench_load [--quick]          # with the other benches

Each client is a thread with its own keep-alive connection; before every request it picks
one kind with equal odds (its own seeded generator, so a run is repeatable) and one item of
that kind:
  search  /api/search?q=…   agency names, policy titles and the home page's suggested questions
  sparql  /sparql           every ontology/queries/*.rq (JSON results)
  ask     /api/ask?q=…      the suggested questions, and the same question shapes over other
                            agencies and policy numbers
  pages   HTML pages        /, /agencies, /policies, /disclosures, /sparql and entity pages
The items are read from the service itself at start-up (its JSON twins), so any database
works. An error is a transport failure, a timeout or any status >= 400.

Bounded by construction: loopback only (any other host is refused), a fixed client count,
no request started after the deadline, a per-request timeout, and a hard stop on the
threads; nothing retries.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KINDS = ("search", "sparql", "ask", "pages")
REQUEST_TIMEOUT_S = 30.0


# --- where the service is ----------------------------------------------------------------------

def require_loopback(url: str) -> str:
    host = urlsplit(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise SystemExit(f"bench_load: {url} is not a loopback address; this load test only runs against 127.0.0.1")
    return url.rstrip("/")


def budgetkg_command() -> list[str]:
    """The `budgetkg` console script of this tree, as pyproject.toml declares it (the script
    installed in the venv may point at a module an unreinstalled checkout has moved)."""
    import tomllib

    target = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["budgetkg"]
    module, func = target.split(":")
    return [sys.executable, "-c", f"import sys; from {module} import {func}; sys.exit({func}())"]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Service:
    """`budgetkg serve --db DB` on a free loopback port, for as long as the block runs."""

    def __init__(self, db: Path, log: Path, env: dict | None = None):
        self.db, self.log = Path(db), Path(log)
        self.url = f"http://127.0.0.1:{free_port()}"
        self.env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
                    **(env or {})}

    def __enter__(self) -> Service:
        cmd = budgetkg_command()
        port = urlsplit(self.url).port
        self._log = open(self.log, "wb")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(cmd + ["serve", "--db", str(self.db), "--host", "127.0.0.1", "--port", str(port)],
                                     env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 300
        with httpx.Client(base_url=self.url, timeout=10, trust_env=False) as c:
            while True:
                if self.proc.poll() is not None:
                    raise SystemExit(f"bench_load: budgetkg serve exited ({self.proc.returncode}); see {self.log}")
                try:
                    if c.get("/sparql", params={"query": "ASK {}"}).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    self.__exit__()
                    raise SystemExit(f"bench_load: budgetkg serve did not answer in 300 s; see {self.log}")
                time.sleep(0.5)
        wait_warm(self.url)
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()


def wait_warm(url: str, limit_s: float = 120) -> None:
    """The service warms its caches in the background after start-up: wait (bounded) until
    the home page's JSON twin answers quickly, so the run measures the warm service."""
    deadline = time.monotonic() + limit_s
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S, trust_env=False) as c:
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                c.get("/index.json")
            except httpx.TransportError:
                pass
            if time.perf_counter() - t0 < 0.3:
                return
            time.sleep(1)


# --- what to ask ---------------------------------------------------------------------------------------

def sparql_examples() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "ontology" / "queries").glob("*.rq"))]


def workload(url: str) -> dict[str, list[dict]]:
    """Requests of each kind, read from the service's own pages (any database works)."""
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S, trust_env=False) as c:
        def items(path: str) -> list[dict]:
            r = c.get(path)
            r.raise_for_status()
            return r.json().get("items", [])

        home = c.get("/index.json").json()
        agencies, policies, disclosures = items("/agencies.json"), items("/policies.json"), items("/disclosures.json")
    suggestions = list((home.get("overview") or {}).get("suggestions") or [])
    years = (home.get("facets") or {}).get("years") or []
    agency_names = [a["label"] for a in agencies if a.get("label")]
    numbers = [p["number"] for p in policies if p.get("number")]
    titles = [p["title"] for p in policies if p.get("title")]

    questions = list(suggestions)
    # the suggested questions' shapes, over the other agencies and policies of the database
    for i, name in enumerate(agency_names[:10]):
        questions.append(f"{name}有哪些内设机构？")
        if years:
            questions.append(f"{name}{years[i % len(years)]}年预算收入总额是多少？")
    questions += [f"哪些项目以{n}为依据？" for n in numbers[:10]]
    terms = agency_names[:10] + titles[:10] + suggestions

    json_accept = {"accept": "application/sparql-results+json"}
    html = {"accept": "text/html"}
    pages = ["/", "/agencies", "/policies", "/disclosures", "/sparql"]
    pages += [x["href"] for x in agencies[:8] + policies[:8] + disclosures[:8] if x.get("href")]
    return {
        "search": [{"path": "/api/search", "params": {"q": q}} for q in terms],
        "sparql": [{"path": "/sparql", "params": {"query": q}, "headers": json_accept, "name": n}
                   for n, q in sparql_examples()],
        "ask": [{"path": "/api/ask", "params": {"q": q}} for q in questions],
        "pages": [{"path": p, "headers": html} for p in pages],
    }


# --- the run ------------------------------------------------------------------------------------------

def client(url: str, work: dict, seed: int, end: float, out: list, lock: threading.Lock):
    rng = random.Random(seed)
    kinds = [k for k in KINDS if work.get(k)]
    local = []
    with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S, trust_env=False) as c:
        while time.monotonic() < end:
            kind = rng.choice(kinds)
            item = rng.choice(work[kind])
            t0 = time.perf_counter()
            status, note = 0, ""
            try:
                r = c.get(item["path"], params=item.get("params"), headers=item.get("headers"))
                status = r.status_code
                if status >= 400:
                    note = r.text[:200]
            except httpx.HTTPError as e:
                note = f"{type(e).__name__}: {e}"
            local.append((kind, t0, (time.perf_counter() - t0) * 1000, status, item["path"], note))
    with lock:
        out.extend(local)


def percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    return sorted_ms[min(len(sorted_ms) - 1, round(q * (len(sorted_ms) - 1)))]


def summarize(records: list, seconds: float) -> dict:
    out = {}
    for kind in (*KINDS, "all"):
        rs = [r for r in records if kind == "all" or r[0] == kind]
        ms = sorted(r[2] for r in rs)
        errors = [r for r in rs if not (200 <= r[3] < 400)]
        out[kind] = {
            "requests": len(rs), "per_s": round(len(rs) / seconds, 2) if seconds else 0.0,
            "errors": len(errors),
            "p50_ms": round(statistics.median(ms), 1) if ms else 0.0,
            "p95_ms": round(percentile(ms, 0.95), 1), "max_ms": round(ms[-1], 1) if ms else 0.0,
            "error_samples": [{"status": e[3], "path": e[4], "note": e[5]} for e in errors[:5]],
        }
    return out


def load(url: str, clients: int = 20, seconds: float = 30.0, seed: int = 15, warmup: bool = True) -> dict:
    url = require_loopback(url)
    work = workload(url)
    if warmup:  # one request of each item, so lazily loaded models and caches are not timed
        with httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT_S, trust_env=False) as c:
            for items in work.values():
                for item in items:
                    try:
                        c.get(item["path"], params=item.get("params"), headers=item.get("headers"))
                    except httpx.HTTPError:
                        pass
    records: list = []
    lock = threading.Lock()
    start = time.monotonic()
    end = start + seconds
    threads = [threading.Thread(target=client, args=(url, work, seed * 1000 + i, end, records, lock), daemon=True,
                                name=f"load-{i}") for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:  # no request starts after `end`; one started just before it ends by the timeout
        t.join(max(0.0, end + REQUEST_TIMEOUT_S + 5 - time.monotonic()))
    elapsed = time.monotonic() - start
    stuck = sum(t.is_alive() for t in threads)
    return {"url": url, "clients": clients, "seconds": seconds, "elapsed_s": round(elapsed, 1),
            "cpu_count": os.cpu_count(), "items": {k: len(v) for k, v in work.items()}, "stuck_clients": stuck,
            "kinds": summarize(records, elapsed)}


def markdown(res: dict) -> str:
    lines = [f"{res['clients']} clients for {res['seconds']:g} s on {res['url']} ({res['cpu_count']} cores)", "",
             "| kind | requests | req/s | errors | p50 ms | p95 ms | max ms |", "|---|---:|---:|---:|---:|---:|---:|"]
    for kind, s in res["kinds"].items():
        lines.append(f"| {kind} | {s['requests']} | {s['per_s']} | {s['errors']} | {s['p50_ms']} | {s['p95_ms']} "
                     f"| {s['max_ms']} |")
    return "\n".join(lines)


# --- bench/run.py ---------------------------------------------------------------------------------------

def demo_db(out_dir: Path) -> Path:
    """The demo database: BUDGETKG_BENCH_DB, or `make db`'s budgetkg-data, or the same thing
    built here (the generator's sample plan, 8 PDFs, ingested) when neither exists."""
    for cand in (os.environ.get("BUDGETKG_BENCH_DB"), ROOT / "budgetkg-data"):
        if cand and (Path(cand) / "graph").is_dir():
            return Path(cand)
    db, sample = out_dir / "load_db", out_dir / "load_sample"
    if not (db / "graph").is_dir():
        subprocess.run([sys.executable, str(ROOT / "data" / "generate.py"), "--out", str(sample), "--count", "8",
                        "--seed", "20240101", "--inconsistency-rate", "0.2"], check=True, capture_output=True)
        subprocess.run(budgetkg_command() + ["ingest", "--db", str(db), str(sample / "pdf")], check=True, capture_output=True)
    return db


def run(out_dir: Path, quick: bool) -> dict:
    clients, seconds = (5, 5.0) if quick else (20, 30.0)
    out_dir = Path(out_dir)
    db = demo_db(out_dir)
    with Service(db, out_dir / "bench_load_serve.log") as svc:
        res = load(svc.url, clients, seconds)
    res["db"] = str(db)
    return {"name": f"Load: {clients} loopback clients for {seconds:g} s of mixed traffic", "results": res,
            "markdown": markdown(res)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--url", help="a running service on the loopback interface")
    where.add_argument("--db", help="start `budgetkg serve --db DB` on a free loopback port for the run")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--no-warmup", action="store_true")
    ap.add_argument("--out", help="also write the JSON here")
    args = ap.parse_args(argv)
    if args.clients < 1 or args.clients > 200 or not 0 < args.seconds <= 600:
        ap.error("--clients 1..200 and --seconds up to 600: this test is bounded")
    if args.url:
        res = load(args.url, args.clients, args.seconds, args.seed, not args.no_warmup)
    else:
        db = Path(args.db) if args.db else demo_db(HERE / "out")
        log = Path(args.out).with_suffix(".serve.log") if args.out else HERE / "out" / "bench_load_serve.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with Service(db, log) as svc:
            res = load(svc.url, args.clients, args.seconds, args.seed, not args.no_warmup)
        res["db"] = str(db)
    text = json.dumps(res, ensure_ascii=False, indent=1)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    print(markdown(res), file=sys.stderr)
    return 0 if all(s["errors"] == 0 for s in res["kinds"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
