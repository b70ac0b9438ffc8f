"""Issue 13 (checks that find real errors and nothing else): the consistency checks measured

  * on a generated corpus with planted errors (data/generate.py --plant): the share of planted
    errors found, per class, and the findings no planted error explains;
  * on the clean version of the same corpus (same seed, no plant): the share of documents with
    any finding (every one of them is false);
  * on the published PDFs (../shared/corpus/real and jiangsu): findings by rule and their
    precision by the hand review in tests/data/real_findings_review.json;
  * the time `findings_from_store` takes, with the cross-disclosure checks.

    .venv/bin/python bench/run.py --only bench_checks [--quick]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("BUDGETKG_SHARED", ROOT.parent / "shared"))
REVIEW = ROOT / "tests" / "data" / "real_findings_review.json"
SEED = 20240606


def _ingest(files, db: Path) -> tuple[list[dict], float, float]:
    from kg.checks import findings_from_store
    from kg.checks.versions import archive_documents
    from kg.pipeline import ingest
    from kg.store import open_store

    store = open_store(db)
    try:
        t0 = time.perf_counter()
        ingest(files, db, store, workers=2)
        t_ingest = time.perf_counter() - t0
        t0 = time.perf_counter()
        findings = findings_from_store(store, archive_documents(db))
        t_check = time.perf_counter() - t0
    finally:
        store.close()
    return findings, t_ingest, t_check


def _generated(out: Path, count: int, plant: bool):
    subprocess.run([sys.executable, str(ROOT / "data" / "generate.py"), "--out", str(out), "--count", str(count),
                    "--seed", str(SEED), "--formats", "txt", "--inconsistency-rate", "0"] + (["--plant"] if plant else []),
                   check=True, capture_output=True)
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "truth").glob("*.json"))]
    findings, t_ingest, t_check = _ingest(sorted((out / "txt").glob("*.txt")), out / "db")
    return truths, findings, t_check


def run(out_dir: Path, quick: bool) -> dict:
    from kg.checks.planted import score

    count = 60 if quick else 300
    res: dict = {"documents": count, "seed": SEED}
    with tempfile.TemporaryDirectory() as tmp:
        truths, findings, t_check = _generated(Path(tmp) / "planted", count, True)
        s = score(truths, findings)
        res["planted"] = {"recall": round(s.recall, 4), "found": sum(s.found.values()), "planted": sum(s.planted.values()),
                          "by_class": s.by_class(), "unexplained_findings": len(s.unexpected),
                          "missed": [(d, p["class"]) for d, p in s.missed], "check_seconds": round(t_check, 2)}
        truths, findings, _ = _generated(Path(tmp) / "clean", count, False)
        docs = {f["source_file"] for f in findings}
        res["clean"] = {"findings": len(findings), "documents_with_findings": len(docs),
                        "share": round(len(docs) / max(1, len(truths)), 4),
                        "rules": dict(Counter(f["rule"] for f in findings))}
        pdfs = sorted((SHARED / "corpus" / "real").glob("*.pdf")) + sorted((SHARED / "corpus" / "jiangsu").glob("*.pdf"))
        if pdfs:
            findings, _, t_check = _ingest(pdfs, Path(tmp) / "published")
            review = json.loads(REVIEW.read_text(encoding="utf-8"))
            verdicts = {(d, it["rule"], it["key"]): it["verdict"] for d, items in review["documents"].items() for it in items}
            got = [verdicts.get((f["source_file"], f["rule"], f["key"]), "unreviewed") for f in findings]
            res["published"] = {"files": len(pdfs), "findings": len(findings), "true": got.count("true"),
                                "false": got.count("false"), "unreviewed": got.count("unreviewed"),
                                "precision": round(got.count("true") / max(1, got.count("true") + got.count("false")), 4),
                                "rules": dict(Counter(f["rule"] for f in findings)), "check_seconds": round(t_check, 2)}
    p, c = res["planted"], res["clean"]
    md = [f"Generated corpus, {count} documents (seed {SEED}), one planted error each:",
          "", "| | value |", "|---|---|",
          f"| planted errors found | {p['found']}/{p['planted']} ({p['recall']:.1%}) |",
          f"| findings no planted error explains | {p['unexplained_findings']} |",
          f"| clean version: documents with a finding | {c['documents_with_findings']}/{count} ({c['share']:.1%}) |",
          f"| `findings_from_store` (with cross-disclosure checks) | {p['check_seconds']} s |", "",
          "| class | found |", "|---|---|"] + [f"| {k} | {v} |" for k, v in p["by_class"].items()]
    if "published" in res:
        q = res["published"]
        md += ["", f"Published PDFs ({q['files']} files): {q['findings']} findings, {q['true']} true, {q['false']} false, "
                   f"{q['unreviewed']} unreviewed — precision {q['precision']:.2f} by the hand review."]
    return {"name": "Consistency checks: planted errors, clean documents, published PDFs", "results": res,
            "markdown": "\n".join(md)}


if __name__ == "__main__":
    print(run(ROOT / "bench" / "out", "--quick" in sys.argv)["markdown"])
