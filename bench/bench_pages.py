"""Entity pages built from the store with nothing kept (what a crawl of pages nobody asked for
yet pays): the time of views.entity per page, single-threaded, by kind of page, for the
views of this tree and for those of a baseline commit, measured in the same run.

    .venv/bin/python bench/bench_pages.py --db budgetkg-data [--base REV] [--reps 7]
    .venv/bin/python bench/bench_pages.py --db /tmp/db --dump pages.json   # the JSON of every page
    .venv/bin/python bench/run.py --only bench_pages [--quick]

Pages: every agency, policy and disclosure, and up to --per-type IRIs of every other type
(budget lines, projects, units, findings, classification codes…). Each page is built --reps
times after one warm-up; its time is the median; a kind's figure is the median over its
pages. The baseline runs in a child process whose `api` package is this tree's with
api/views replaced by the baseline commit's (git show), on a read-only handle of the same
database, the two alternating per round so whatever else loads the machine loads them alike.

`--dump` writes {iri: page} as the JSON twin serializes it (the page-equivalence check before
and after a change to the views: `--compare OLD.json` reports every page that differs).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KINDS = ("disclosure", "agency", "policy", "resource")


def sample_iris(store, per_type: int = 12) -> list[str]:
    """Every agency, policy and disclosure; up to `per_type` IRIs (by IRI) of every other type."""
    from api.views.query import terms
    from kg.store import BKG, ID

    whole = {BKG + "Agency", BKG + "Policy", BKG + "Disclosure"}
    by_type: dict[str, list[str]] = {}
    for r in terms(store, "SELECT DISTINCT ?t ?x WHERE { ?x a ?t FILTER(isIRI(?x)) }"):
        by_type.setdefault(r["t"]["value"], []).append(r["x"]["value"])
    out: list[str] = []
    for t in sorted(by_type):
        xs = sorted(x for x in by_type[t] if x.startswith(ID))
        out += xs if t in whole else xs[:per_type]
    return list(dict.fromkeys(out))


def _open(db: str):
    from kg.store import open_store

    return open_store(db, read_only=True, backend="oxigraph")


def time_pages(db: str, iris: list[str], reps: int) -> dict[str, dict]:
    """{iri: {"kind", "ms"}}: the median of `reps` builds after one warm-up."""
    from api import views

    store = _open(db)
    out = {}
    for iri in iris:
        kind = views.kind_of(store, iri)
        views.entity(store, iri)
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            views.entity(store, iri)
            times.append((time.perf_counter() - t0) * 1000)
        out[iri] = {"kind": kind, "ms": statistics.median(times)}
    return out


def dump_pages(db: str, iris: list[str]) -> dict[str, object]:
    """{iri: page} as the JSON twin sends it (views.entity through the JSON encoder the route uses)."""
    from api import views

    store = _open(db)
    return {iri: json.loads(_encode(views.entity(store, iri))) for iri in iris}


def _encode(data) -> str:
    from api.render import UJSONResponse

    return UJSONResponse(data).body.decode()


def baseline_tree(rev: str) -> Path:
    """A folder holding this tree's `api` package with api/views as it was at `rev`."""
    tmp = Path(tempfile.mkdtemp(prefix="bench_pages_"))
    shutil.copytree(ROOT / "api", tmp / "api", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.rmtree(tmp / "api" / "views")
    (tmp / "api" / "views").mkdir()
    names = subprocess.run(["git", "ls-tree", "--name-only", f"{rev}:api/views"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    for n in names:
        if n.endswith(".py"):
            text = subprocess.run(["git", "show", f"{rev}:api/views/{n}"], cwd=ROOT, check=True,
                                  capture_output=True, text=True).stdout
            (tmp / "api" / "views" / n).write_text(text)
    return tmp


def _child(tree: str | None, db: str, iris: list[str], reps: int) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (tree, str(ROOT)) if p)}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(iris, f)
    try:
        res = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", "--db", db, "--iris", f.name,
                              "--reps", str(reps)], env=env, check=True, capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    return json.loads(res.stdout)


def by_kind(times: dict[str, dict]) -> dict[str, dict]:
    out = {}
    for k in KINDS:
        ms = [t["ms"] for t in times.values() if t["kind"] == k]
        if ms:
            out[k] = {"pages": len(ms), "median_ms": round(statistics.median(ms), 2), "mean_ms": round(statistics.mean(ms), 2)}
    return out


def measure(db: str, base: str | None, reps: int, rounds: int, per_type: int) -> dict:
    store = _open(db)
    iris = sample_iris(store, per_type)
    del store
    tree = baseline_tree(base) if base else None
    try:
        runs: dict[str, list[dict]] = {"new": [], "base": []}
        for _ in range(rounds):
            runs["new"].append(_child(None, db, iris, reps))
            if tree:
                runs["base"].append(_child(str(tree), db, iris, reps))
    finally:
        if tree:
            shutil.rmtree(tree, ignore_errors=True)

    def merged(rs):  # per page, the best round's median: the rounds differ by what else ran
        return {i: {"kind": rs[0][i]["kind"], "ms": min(r[i]["ms"] for r in rs)} for i in rs[0]} if rs else {}

    new, old = by_kind(merged(runs["new"])), by_kind(merged(runs["base"]))
    for k, v in new.items():
        if k in old:
            v["base_median_ms"] = old[k]["median_ms"]
            v["speedup"] = round(old[k]["median_ms"] / v["median_ms"], 2) if v["median_ms"] else None
    return {"db": db, "base": base, "pages": len(iris), "reps": reps, "rounds": rounds, "by_kind": new}


def markdown(res: dict) -> str:
    rows = ["| page | pages | ms (median) | baseline ms | speed-up |", "|---|---:|---:|---:|---:|"]
    for k, v in res["by_kind"].items():
        rows.append(f"| {k} | {v['pages']} | {v['median_ms']} | {v.get('base_median_ms', '')} | {v.get('speedup', '')} |")
    return f"{res['db']}, baseline {res['base'] or '(none)'}, {res['reps']} reps × {res['rounds']} rounds\n\n" + "\n".join(rows)


# the views before entity pages were made cheaper to build (the baseline of that work)
BASE = "4fae091f83c17bdc65cf338b49d17899d7ea3147"


def _known(rev: str) -> bool:
    return subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd=ROOT,
                          capture_output=True).returncode == 0


def run(out_dir: Path, quick: bool) -> dict:
    """For bench/run.py: a small generated database, against the views of BASE (or of the
    revision BENCH_PAGES_BASE names; none where the checkout lacks it, a shallow clone)."""
    with tempfile.TemporaryDirectory() as tmp:
        corpus, db = Path(tmp) / "corpus", Path(tmp) / "db"
        n = 10 if quick else 40
        subprocess.run([sys.executable, "-m", "data.generate", "--out", str(corpus), "--count", str(n), "--formats", "txt"],
                       cwd=ROOT, check=True, capture_output=True)
        subprocess.run([str(Path(sys.executable).parent / "budgetkg"), "ingest", "--db", str(db), "--workers", "1",
                        str(corpus / "txt")], cwd=ROOT, check=True, capture_output=True)
        base = os.environ.get("BENCH_PAGES_BASE", BASE)
        res = measure(str(db), base if _known(base) else None, 3 if quick else 7, 1 if quick else 2, 8)
    return {"name": "Entity pages, uncached (views.entity, single thread)", "results": res, "markdown": markdown(res)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", required=True)
    ap.add_argument("--base", help="git revision whose api/views is the baseline (none: no baseline)")
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--per-type", type=int, default=12)
    ap.add_argument("--dump", help="write {iri: page JSON} here instead of timing")
    ap.add_argument("--compare", help="with --dump: the pages of an earlier dump, to report those that differ")
    ap.add_argument("--out", help="write the JSON result here too")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--iris", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        sys.path.insert(0, os.environ.get("PYTHONPATH", "").split(os.pathsep)[0])
        print(json.dumps(time_pages(args.db, json.loads(Path(args.iris).read_text()), args.reps)))
        return 0
    if args.dump:
        store = _open(args.db)
        pages = dump_pages(args.db, sample_iris(store, args.per_type))
        Path(args.dump).write_text(json.dumps(pages, ensure_ascii=False, indent=0, sort_keys=True))
        if args.compare:
            old = json.loads(Path(args.compare).read_text())
            differ = sorted(i for i in old.keys() | pages.keys() if old.get(i) != pages.get(i))
            print(json.dumps({"pages": len(pages), "compared": len(old), "differ": differ}, ensure_ascii=False))
            return 1 if differ else 0
        print(json.dumps({"pages": len(pages)}))
        return 0
    res = measure(args.db, args.base, args.reps, args.rounds, args.per_type)
    text = json.dumps(res, ensure_ascii=False, indent=1)
    if args.out:
        Path(args.out).write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
