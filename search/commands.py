"""search's commands for `budgetkg`: search and index. `search` reads only the index files
(generations a writer never changes in place), so it needs no care beside a service."""

from __future__ import annotations

import json

from kg.commands import add_db


def cmd_search(args) -> int:
    from search.cli import run

    return run(args)


def cmd_index(args, access=None) -> int:
    """Beside a running service the sync runs there (on its one writer queue, so it never
    races an ingest, and its searcher moves to the new generation when it is complete)."""
    from kg.store.access import Access
    from search.index import sync

    access = access or Access()
    service = access.service(args.db)
    if service is not None:
        try:
            stats = service.index(args.rebuild)
        finally:
            service.close()
    else:
        with access.reading(args.db) as store:
            stats = sync(args.db, store, rebuild=args.rebuild)
    print(json.dumps(stats, ensure_ascii=False))
    return 0


def register(sub, access=None) -> None:
    s = sub.add_parser("search", help="hybrid keyword + semantic search; with --json and no QUERY, JSON Lines on stdin/stdout")
    s.add_argument("query", nargs="?", help="the question (omit with --json to read one per line from stdin)")
    add_db(s)
    s.add_argument("--k", type=int, default=None, help="hits to return (default $BUDGETKG_SEARCH_K or 10)")
    s.add_argument("--year", type=int, help="only this fiscal year")
    s.add_argument("--agency", help="only this agency (name or part of it)")
    s.add_argument("--kind", choices=["budget", "final_account"], help="only budgets or final accounts")
    s.add_argument("--doc", help="only this source file")
    s.add_argument("--mode", choices=["hybrid", "bm25", "dense"], default="hybrid", help="retrieval mode (default hybrid)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser("index", help="bring the search index in line with the store (--rebuild: from scratch)")
    add_db(s)
    s.add_argument("--rebuild", action="store_true")
    s.set_defaults(func=lambda args: cmd_index(args, access))
