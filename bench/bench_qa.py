"""Question answering on the generator's ground truth: accuracy and the confidently-wrong
rate per question type (docs/qa.md's table).

A corpus is generated (data/generate.py, text exports), ingested through the real pipeline,
and asked every question data/questions.py makes from its truth files — several wordings of
each. A case is confidently wrong when its answer is wrong and states a value with a
confidence at or above api.qa.confidence.CONFIDENT.

    .venv/bin/python bench/bench_qa.py [--count 60] [--seed 31415] [--qseed 7] [--out DIR] [--show-wrong] [--pdf]
    .venv/bin/python bench/run.py --only bench_qa [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(out: Path, count: int, seed: int, fmt: str = "txt") -> tuple[Path, list[dict]]:
    """Generate `count` disclosures in one format (txt, or pdf: the PDF reader in the loop)
    and ingest them."""
    from data.generate import generate
    from kg.pipeline import ingest
    from kg.store import open_store

    generate(out, count=count, seed=seed, formats={fmt}, pdf_count=None, inconsistency_rate=0.12)
    db = out / "db"
    store = open_store(db)
    try:
        results = ingest(sorted((out / fmt).glob(f"*.{fmt}")), db, store, workers=2)
    finally:
        store.close()
    failed = [r.error for r in results if r.status == "failed"]
    if failed:
        raise RuntimeError(f"ingest failed: {failed[:3]}")
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "truth").glob("*.json"))]
    return db, truths


def evaluate(db: Path, cases: list[dict]) -> tuple[dict, list[dict]]:
    """Per type: cases, questions, correct, confidently wrong; and the graded cases."""
    from api.qa.answerer import answer
    from api.qa.confidence import CONFIDENT
    from api.qa.context import Context
    from data.questions import grade

    ctx = Context.open(db)
    graded = []
    try:
        for c in cases:
            res = answer(c["q"], ctx)
            ok, sure_wrong = grade(c, res, CONFIDENT)
            graded.append({**c, "ok": ok, "confidently_wrong": sure_wrong, "answer": res["answer"],
                           "confidence": res.get("confidence"), "intent": res.get("intent")})
    finally:
        ctx.close()
    per: dict[str, dict] = defaultdict(lambda: {"cases": 0, "questions": set(), "correct": 0, "confidently_wrong": 0})
    for g in graded:
        p = per[g["type"]]
        p["cases"] += 1
        p["questions"].add(g["id"])
        p["correct"] += g["ok"]
        p["confidently_wrong"] += g["confidently_wrong"]
    table = {k: {"cases": v["cases"], "questions": len(v["questions"]), "accuracy": round(v["correct"] / v["cases"], 3),
                 "confidently_wrong": round(v["confidently_wrong"] / v["cases"], 3)} for k, v in sorted(per.items())}
    n = len(graded)
    table["all"] = {"cases": n, "questions": len({g["id"] for g in graded}),
                    "accuracy": round(sum(g["ok"] for g in graded) / n, 3) if n else 0.0,
                    "confidently_wrong": round(sum(g["confidently_wrong"] for g in graded) / n, 3) if n else 0.0}
    return table, graded


def markdown(table: dict, count: int, seed: int, qseed: int, seconds: float, fmt: str = "txt") -> str:
    lines = [f"Generated corpus: {count} {'text' if fmt == 'txt' else 'PDF'} disclosures (seed {seed}); questions seed {qseed}; "
             f"{table['all']['questions']} questions in {table['all']['cases']} wordings; {seconds:.0f} s.", "",
             "| type | questions | wordings | accuracy | confidently wrong |", "| --- | ---: | ---: | ---: | ---: |"]
    for k, v in table.items():
        name = f"**{k}**" if k == "all" else k
        lines.append(f"| {name} | {v['questions']} | {v['cases']} | {v['accuracy']:.3f} | {v['confidently_wrong']:.3f} |")
    return "\n".join(lines)


def main(count: int = 60, seed: int = 31415, qseed: int = 7, out: Path | None = None, show_wrong: bool = False,
         fmt: str = "txt") -> dict:
    from data.questions import make_questions

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench_qa_") as tmp:
        db, truths = build(Path(tmp), count, seed, fmt)
        cases = make_questions(truths, seed=qseed)
        table, graded = evaluate(db, cases)
    seconds = time.perf_counter() - t0
    md = markdown(table, count, seed, qseed, seconds, fmt)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "bench_qa_cases.json").write_text(json.dumps(graded, ensure_ascii=False, indent=1), encoding="utf-8")
    if show_wrong:
        for g in graded:
            if not g["ok"]:
                flag = "CONFIDENTLY WRONG" if g["confidently_wrong"] else "wrong"
                print(f"[{g['type']}] {flag} ({g['confidence']}): {g['q']}\n    → {g['answer'][:160]}", file=sys.stderr)
    return {"name": "bench_qa", "results": table, "markdown": md}


def run(out_dir: Path, quick: bool) -> dict:
    """bench/run.py's entry point."""
    return main(count=16 if quick else 60, out=out_dir)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=60)
    ap.add_argument("--seed", type=int, default=31415)
    ap.add_argument("--qseed", type=int, default=7)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--show-wrong", action="store_true")
    ap.add_argument("--pdf", action="store_true", help="PDF renderings instead of text exports (slower)")
    a = ap.parse_args()
    res = main(a.count, a.seed, a.qseed, a.out, a.show_wrong, "pdf" if a.pdf else "txt")
    print(res["markdown"])
