"""The `budgetkg` command line: the entry point sits above every package, and each package
registers its own commands (kg: ingest, export, check; search: search, index; here: ask,
query, serve, status), so no lower layer imports a higher one to offer a command."""

from __future__ import annotations

import argparse
import json
import sys

from kg import __version__
from kg.commands import add_db


def _live_service(db):
    from api.control import find_service  # here: `budgetkg --help` need not load httpx

    return find_service(db)


def access():
    """How every command reaches the store: through a running service when one answers."""
    from kg.store.access import Access

    return Access(service=_live_service)


def cmd_status(args) -> int:
    from kg.report import INCOMPLETE, stored_readings

    with access().reading(args.db) as store:
        docs = store.documents()
        info = {"db": str(args.db), "documents": len(docs), "triples": store.triple_count()}
        readings = stored_readings(store)
    # the reading reports (kg.report): a disclosure is complete only when its report says so
    complete = [x for x in readings if x.complete]
    info["disclosures"] = len(readings)
    info["reading"] = {
        "complete": len(complete),
        "share_complete": round(len(complete) / len(readings), 4) if readings else None,
        "incomplete": [{"disclosure": x.disclosure, "files": x.files,
                        "reading": x.reading or "no reading report: read by an older reader"}
                       for x in readings if not x.complete],
    }
    info["older_reader"] = sum(x.older_reader for x in readings)
    from search.index import status as index_status

    info["index"] = index_status(args.db)
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
    else:
        print(f"database   {info['db']}")
        print(f"documents  {info['documents']}")
        print(f"disclosures {info['disclosures']}")
        print(f"triples    {info['triples']}")
        if readings:
            print(f"complete   {len(complete)} of {len(readings)} disclosures read completely "
                  f"({100 * len(complete) / len(readings):.1f}%)")
            for x in info["reading"]["incomplete"]:
                why = x["reading"].removeprefix(f"{INCOMPLETE}: ")
                print(f"{INCOMPLETE} {' + '.join(x['files'])}: {why}")
        if info["older_reader"]:
            print(f"older reader {info['older_reader']} disclosure(s) read by an older reader "
                  "(read again when their files are ingested again)")
        if info["index"]:
            for k, v in info["index"].items():
                print(f"index.{k:10} {v}")
    return 0


def cmd_ask(args) -> int:
    from api.qa.cli import run

    with access().reading(args.db) as store:
        return run(args, store=store)


def cmd_serve(args) -> int:
    from api.app import serve

    return serve(args)


def _ingest_hooks():
    from search.hooks import index_hooks

    return index_hooks()


def build_parser() -> argparse.ArgumentParser:
    from kg import commands as kg_commands
    from search import commands as search_commands

    p = argparse.ArgumentParser(prog="budgetkg", description="Knowledge graph and search over Chinese budget disclosures (部门预算/决算).")
    p.add_argument("--version", action="version", version=f"budgetkg {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    kg_commands.register(sub, ingest_hooks=_ingest_hooks, access=access())
    s = sub.add_parser("status", help="documents, triples and index sizes of a database")
    add_db(s)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)

    search_commands.register(sub, access=access())
    s = sub.add_parser("ask", help="answer a Chinese question from the graph (or the text), with evidence")
    s.add_argument("question", nargs="?", help="the question (omit with --json to read one per line from stdin)")
    add_db(s)
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_ask)

    from api import query_cli

    query_cli.register(sub, add_db)

    s = sub.add_parser("serve", help="start the web service (SPARQL endpoint, search, ask, pages)")
    add_db(s)
    s.add_argument("--host", default=None, help="address (default 127.0.0.1 or $BUDGETKG_HOST)")
    s.add_argument("--port", type=int, default=None, help="port (default 8000 or $BUDGETKG_PORT)")
    s.set_defaults(func=cmd_serve)

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
