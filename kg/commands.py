"""kg's commands for `budgetkg` (the entry point is api.cli, above every package): ingest,
export and check. Each parses its arguments here and calls one function that does the work.

Each reaches the store through a kg.store.access.Access: beside a running `budgetkg serve`
an ingest is sent to the service and a read gets a snapshot from it, with the same output
as when the command runs alone."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def db_default() -> str:
    return os.environ.get("BUDGETKG_DB", "budgetkg-data")


def add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", default=db_default(), metavar="DIR",
                   help="database directory (default: $BUDGETKG_DB or ./budgetkg-data)")


def _access(access):
    from kg.store.access import Access

    return access or Access()


def cmd_ingest(args, hooks_factory=None, access=None) -> int:
    from kg.pipeline import ingest

    access = _access(access)
    service = access.service(args.db)
    store = access.writable(args.db) if service is None else None
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
            if r.reading:  # the disclosure's reading report (kg.report): never silently incomplete
                line += f"\n{'':10}{r.reading}" + (f" — one disclosure of {' + '.join(r.files)}" if r.files else "")
            if bar is not None:
                bar.update(1)
                bar.write(line, file=sys.stderr if r.status == "failed" else sys.stdout)
            else:
                print(line, file=sys.stderr if r.status == "failed" else sys.stdout, flush=True)
            for w in r.warnings:
                print(f"warning: {r.source_file}: {w}", file=sys.stderr)

    try:
        if service is not None:
            results = service.ingest(args.paths, args.workers, args.ray_address, report)
        else:
            results = ingest(args.paths, args.db, store, workers=args.workers, on_result=report,
                             hooks=hooks_factory() if hooks_factory else None, ray_address=args.ray_address)
    finally:
        (service or store).close()
        if bar is not None:
            bar.close()
    failed = sum(r.status == "failed" for r in results)
    if not args.json:
        counts = {s: sum(r.status == s for r in results) for s in ("added", "replaced", "unchanged", "skipped", "failed")}
        line = ", ".join(f"{n} {s}" for s, n in counts.items() if n or s != "skipped")
        # one count per disclosure: a half later read with its other half counts as that pair
        read = [r for r in results if r.complete is not None]
        read = [r for i, r in enumerate(read)
                if not any(r.source_file in later.files and later.graph != r.graph for later in read[i + 1:])]
        if read:
            line += f"; {sum(r.complete for r in read)} of {len(read)} read completely"
        print(line, file=sys.stderr)
    return 1 if failed else 0


def cmd_export(args, access=None) -> int:
    with _access(access).reading(args.db) as store:
        data = store.dump(args.format)
    if args.output:
        from kg.atomic import atomic_write_bytes

        atomic_write_bytes(Path(args.output), data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_check(args, access=None) -> int:
    from kg.checks import findings_from_store
    from kg.checks.versions import archive_documents

    with _access(access).reading(args.db) as store:
        # the archive lets the narrative's year-on-year claims be read against last year's file
        findings = findings_from_store(store, archive_documents(args.db))
    if args.severity:
        findings = [f for f in findings if f["severity"] == args.severity]
    if args.json:
        for f in findings:
            print(json.dumps(f, ensure_ascii=False, default=str))
    else:
        for f in findings:
            other = f" (↔ {f['other']['source_file']})" if f.get("other") else ""
            print(f"[{f['severity']}] {f['rule']} {f['source_file']}{other} p.{','.join(map(str, f['pages']))}: "
                  f"{f['comment']}")
        errors = sum(f["severity"] == "error" for f in findings)
        print(f"{len(findings)} finding(s), {errors} error(s)", file=sys.stderr)
    return 0


def register(sub, ingest_hooks=None, access=None) -> None:
    """Add kg's subcommands. `ingest_hooks` (a callable returning kg.hooks.IngestHooks)
    is how the layers above take part in an ingest, e.g. the search index keeping in step;
    `access` (kg.store.access.Access) how they reach a running service."""
    s = sub.add_parser("ingest", help="read PDF/.txt/.md disclosures into the graph store and search index")
    s.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (.pdf .txt .md)")
    add_db(s)
    s.add_argument("--workers", type=int, default=None, help="reader processes (default: every core)")
    s.add_argument("--ray-address", default=None, metavar="ADDR",
                   help="run the readers on Ray: local (a private runtime here), auto (this machine's cluster) or a cluster address")
    s.add_argument("--json", action="store_true", help="one JSON object per file on stdout instead of a progress display")
    s.set_defaults(func=lambda args: cmd_ingest(args, ingest_hooks, access))

    s = sub.add_parser("export", help="write the whole graph as Turtle, N-Triples, TriG or JSON-LD")
    add_db(s)
    s.add_argument("--format", choices=["turtle", "nt", "trig", "jsonld", "nq"], default="turtle")
    s.add_argument("-o", "--output", help="file to write (default: stdout)")
    s.set_defaults(func=lambda args: cmd_export(args, access))

    s = sub.add_parser("check", help="list consistency findings (a disclosure contradicting itself or another stored disclosure)")
    add_db(s)
    s.add_argument("--json", action="store_true", help="one JSON object per finding (rule, severity, expected, found, "
                   "tolerance, pages, disclosure, source_file, comment; other: the second disclosure of a finding across two)")
    s.add_argument("--severity", choices=["error", "warning"], help="only findings of this severity")
    s.set_defaults(func=lambda args: cmd_check(args, access))
