"""search's commands for `budgetkg`: search and index."""

from __future__ import annotations

import json

from kg.commands import add_db


def cmd_search(args) -> int:
    from search.cli import run

    return run(args)


def cmd_index(args) -> int:
    from kg.store import open_store
    from search.index import sync

    store = open_store(args.db, read_only=True)
    stats = sync(args.db, store, rebuild=args.rebuild)
    print(json.dumps(stats, ensure_ascii=False))
    return 0


def register(sub) -> None:
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
    s.set_defaults(func=cmd_index)
