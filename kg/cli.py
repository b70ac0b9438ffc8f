"""The `budgetkg` command line. Each subcommand parses its arguments here and calls
one function of the package that does the work; nothing here computes anything."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from kg import __version__


def _db_default() -> str:
    return os.environ.get("BUDGETKG_DB", "budgetkg-data")


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=_db_default(), metavar="DIR",
                   help="database directory (default: $BUDGETKG_DB or ./budgetkg-data)")


def cmd_ingest(args) -> int:
    from kg.pipeline import ingest
    from kg.store import open_store

    store = open_store(args.db)
    bar = None
    if not args.json and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(unit="file", desc="ingest", file=sys.stderr)

    def report(r):
        if args.json:
            print(json.dumps(r.to_dict(), ensure_ascii=False), flush=True)
        else:
            if r.status == "failed":
                line = f"error: {r.error}"
            elif r.status == "skipped":
                line = f"skipped   {r.source_file}  ({r.note})"
            else:
                line = f"{r.status:9} {r.source_file}  ({r.pages} pages, {r.triples} triples)" if r.status != "unchanged" \
                    else f"unchanged {r.source_file}"
            if bar is not None:
                bar.update(1)
                bar.write(line, file=sys.stderr if r.status == "failed" else sys.stdout)
            else:
                print(line, file=sys.stderr if r.status == "failed" else sys.stdout, flush=True)
            for w in r.warnings:
                print(f"warning: {r.source_file}: {w}", file=sys.stderr)

    try:
        results = ingest(args.paths, args.db, store, workers=args.workers, on_result=report,
                         ray_address=args.ray_address)
    finally:
        store.close()
        if bar is not None:
            bar.close()
    failed = sum(r.status == "failed" for r in results)
    if not args.json:
        counts = {s: sum(r.status == s for r in results) for s in ("added", "replaced", "unchanged", "skipped", "failed")}
        print(", ".join(f"{n} {s}" for s, n in counts.items() if n or s != "skipped"), file=sys.stderr)
    return 1 if failed else 0


def cmd_export(args) -> int:
    from kg.store import open_store

    data = open_store(args.db, read_only=True).dump(args.format)
    if args.output:
        from kg.pipeline import atomic_write_bytes

        atomic_write_bytes(Path(args.output), data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_status(args) -> int:
    from kg.store import open_store

    store = open_store(args.db, read_only=True)
    docs = store.documents()
    info = {"db": str(args.db), "documents": len(docs), "triples": store.triple_count()}
    from search.index import status as index_status

    info["index"] = index_status(args.db)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
    else:
        print(f"database   {info['db']}")
        print(f"documents  {info['documents']}")
        print(f"triples    {info['triples']}")
        if info["index"]:
            for k, v in info["index"].items():
                print(f"index.{k:10} {v}")
    return 0


def cmd_check(args) -> int:
    from kg.checks import findings_from_store
    from kg.store import open_store

    store = open_store(args.db, read_only=True)
    findings = findings_from_store(store)
    if args.json:
        for f in findings:
            print(json.dumps(f, ensure_ascii=False, default=str))
    else:
        for f in findings:
            print(f"[{f.get('severity', '')}] {f.get('source_file', '')} p.{f.get('pages', '')}: {f.get('comment', '')}")
        print(f"{len(findings)} finding(s)", file=sys.stderr)
    return 0


def cmd_search(args) -> int:
    from search.cli import run

    return run(args)


def cmd_ask(args) -> int:
    from api.qa.cli import run

    return run(args)


def cmd_serve(args) -> int:
    from api.app import serve

    return serve(args)


def cmd_index(args) -> int:
    from kg.store import open_store
    from search.index import sync

    store = open_store(args.db, read_only=True)
    stats = sync(args.db, store, rebuild=args.rebuild)
    print(json.dumps(stats, ensure_ascii=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="budgetkg", description="Knowledge graph and search over Chinese budget disclosures (部门预算/决算).")
    p.add_argument("--version", action="version", version=f"budgetkg {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("ingest", help="read PDF/.txt/.md disclosures into the graph store and search index")
    s.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (.pdf .txt .md)")
    _add_db(s)
    s.add_argument("--workers", type=int, default=None, help="reader processes (default: every core)")
    s.add_argument("--ray-address", default=None, metavar="ADDR",
                   help="run the readers on Ray: local (a private runtime here), auto (this machine's cluster) or a cluster address")
    s.add_argument("--json", action="store_true", help="one JSON object per file on stdout instead of a progress display")
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser("export", help="write the whole graph as Turtle, N-Triples, TriG or JSON-LD")
    _add_db(s)
    s.add_argument("--format", choices=["turtle", "nt", "trig", "jsonld", "nq"], default="turtle")
    s.add_argument("-o", "--output", help="file to write (default: stdout)")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("status", help="documents, triples and index sizes of a database")
    _add_db(s)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)

    s = sub.add_parser("check", help="list consistency findings (places where a disclosure contradicts itself)")
    _add_db(s)
    s.add_argument("--json", action="store_true", help="one JSON object per finding")
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("search", help="hybrid keyword + semantic search; with --json and no QUERY, JSON Lines on stdin/stdout")
    s.add_argument("query", nargs="?", help="the question (omit with --json to read one per line from stdin)")
    _add_db(s)
    s.add_argument("--k", type=int, default=None, help="hits to return (default $BUDGETKG_SEARCH_K or 10)")
    s.add_argument("--year", type=int, help="only this fiscal year")
    s.add_argument("--agency", help="only this agency (name or part of it)")
    s.add_argument("--kind", choices=["budget", "final_account"], help="only budgets or final accounts")
    s.add_argument("--doc", help="only this source file")
    s.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid", help="retrieval mode (default hybrid)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("ask", help="answer a Chinese question from the graph (or the text), with evidence")
    s.add_argument("question", nargs="?", help="the question (omit with --json to read one per line from stdin)")
    _add_db(s)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("serve", help="start the web service (SPARQL endpoint, search, ask, pages)")
    _add_db(s)
    s.add_argument("--host", default=None, help="address (default 127.0.0.1 or $BUDGETKG_HOST)")
    s.add_argument("--port", type=int, default=None, help="port (default 8000 or $BUDGETKG_PORT)")
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("index", help="bring the search index in line with the store (--rebuild: from scratch)")
    _add_db(s)
    s.add_argument("--rebuild", action="store_true")
    s.set_defaults(func=cmd_index)
    return p


def main(argv: list[str] | None = None) -> int:
    from kg.store import StoreError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except StoreError as e:  # one line for every command: no database, locked store, bad endpoint
        print(f"budgetkg: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
