"""`budgetkg ask`: one question from the command line, or — with --json and no question —
JSON Lines: one question per stdin line in, one answer object per stdout line out, in
order and flushed per line (the protocol ../shared/eval/score_queries.py drives)."""

from __future__ import annotations

import json
import sys

FIELDS = ("question", "answer", "value", "unit", "evidence", "sparql", "intent", "entities", "confidence",
          "interpretation", "source", "candidates")
SOURCE_WORDS = {"graph": "图谱", "table": "公开表格", "text": "原文段落"}


def _line(res: dict) -> str:
    return json.dumps({k: res.get(k) for k in FIELDS}, ensure_ascii=False, default=str)


def run(args, store=None) -> int:
    """`store`: the store to read (a service's snapshot, kg.store.access); else DB's own."""
    from api.qa.answerer import answer
    from api.qa.context import Context
    from kg.store import StoreError

    try:
        ctx = Context(store, args.db) if store is not None else Context.open(args.db)
    except StoreError as e:
        print(f"budgetkg: {e}", file=sys.stderr)
        return 2
    try:
        if args.question is None:
            if not args.json:
                print("budgetkg ask: give a QUESTION, or --json to read questions from stdin", file=sys.stderr)
                return 2
            for line in sys.stdin:
                q = line.strip()
                try:
                    res = answer(q, ctx)
                except Exception as e:  # noqa: BLE001 - one bad question must not end the stream
                    res = {"question": q, "answer": f"出错：{e}", "value": None, "unit": None, "evidence": [],
                           "sparql": None, "confidence": 0.0}
                print(_line(res), flush=True)
            return 0
        res = answer(args.question, ctx)
        if args.json:
            print(_line(res), flush=True)
            return 0
        print(res["answer"])
        if res.get("interpretation"):
            print(f"  理解为：{res['interpretation']}")
        if res.get("confidence") is not None:
            src = SOURCE_WORDS.get(res.get("source") or "", "无")
            print(f"  置信度：{res['confidence']:.2f}（来源：{src}）")
        for c in res.get("candidates") or []:
            print(f"  候选：{c.get('label')}" + (f"（{c['why']}）" if c.get("why") else ""))
        for i, e in enumerate(res["evidence"], 1):
            quote = (e.get("quote") or "").replace("\n", " ")
            print(f"  [{i}] {e.get('source_file')} 第{e.get('page')}页：{quote[:120]}")
        if res.get("sparql"):
            print("\nSPARQL:\n" + res["sparql"])
        return 0
    finally:
        ctx.close()
