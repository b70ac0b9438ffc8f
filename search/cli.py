"""`budgetkg search`: one query as a readable listing, or JSON Lines on stdin/stdout
(one question per line in, one {"query", "hits"} object per line out, flushed, in order)."""

from __future__ import annotations

import json
import sys
import textwrap

from kg.vocab import KIND_WORDS
from search.index import IndexError_


def _hit_json(h) -> dict:
    return {"source_file": h.source_file, "page": h.page, "text": h.text, "score": h.score, "section": h.section,
            "entities": h.entities, "agency": h.agency, "year": h.year, "kind": h.kind, "chunk_id": h.chunk_id}


def run(args) -> int:
    from search.retrieve import Searcher

    try:
        searcher = Searcher.open(args.db)
    except IndexError_ as e:
        print(f"budgetkg: {e}", file=sys.stderr)
        return 2
    from kg.settings import get_settings

    k = getattr(args, "k", None) or get_settings().search_k
    filters = {"year": getattr(args, "year", None), "agency": getattr(args, "agency", None),
               "kind": getattr(args, "kind", None), "doc": getattr(args, "doc", None),
               "mode": getattr(args, "mode", None) or "hybrid"}

    def answer(q: str) -> list:
        return searcher.search(q, k=k, **filters)

    try:
        if args.json and not args.query:
            for line in sys.stdin:
                q = line.rstrip("\n")
                hits = answer(q) if q.strip() else []
                print(json.dumps({"query": q, "hits": [_hit_json(h) for h in hits]}, ensure_ascii=False), flush=True)
            return 0
        if not args.query:
            print("budgetkg search: give a QUERY (or --json to read queries from stdin)", file=sys.stderr)
            return 2
        hits = answer(args.query)
        if args.json:
            print(json.dumps({"query": args.query, "hits": [_hit_json(h) for h in hits]}, ensure_ascii=False))
            return 0
        if not hits:
            print("no hits", file=sys.stderr)
            return 0
        for n, h in enumerate(hits, 1):
            where = f"{h.source_file} p.{h.page}"
            meta = " · ".join(str(x) for x in (h.agency, h.year, KIND_WORDS.get(h.kind, h.kind)) if x)
            print(f"{n:2}. [{where}] {h.section}" + (f"  ({meta})" if meta else ""))
            print(textwrap.indent(textwrap.fill(h.text, width=100), "    "))
            print(f"    score {h.score:.4f}" + (f"  entities: {', '.join(h.entities[:5])}" if h.entities else ""))
        return 0
    finally:
        searcher.close()
