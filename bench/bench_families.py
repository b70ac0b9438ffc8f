"""Issue 12, item 4, over more documents than the test: every layout family of the generator
(data/families.py), text and PDF, compared fact by fact with family a's text rendering of the
same disclosure (bench/family_compare.py), on seeds the metamorphic test (tests/kg/test_families.py,
seeds 13 and 15) does not use. Reports per family and format the documents whose graph differs
(and in which categories) and the reading report's verdicts that are wrong (a clean document
not complete, a planted inconsistency not flagged).

    .venv/bin/python bench/run.py --only bench_families
    .venv/bin/python bench/bench_families.py [--seeds 21 34 55 89 144] [--count 4] [--family unruled ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.family_compare import REFERENCE, differences, reading_complete  # noqa: E402
from data.families import FAMILIES  # noqa: E402
from data.family_output import generate_families  # noqa: E402

SEEDS = (21, 34, 55, 89, 144)
QUICK_SEEDS = (21,)
COUNT = 4


def verdicts(corpora: list[Path], family: str, fmt: str) -> list[str]:
    """Documents whose reading report says the wrong thing."""
    wrong = []
    for folder in corpora:
        for tf in sorted((folder / family / "truth").glob("*.json")):
            truth = json.loads(tf.read_text("utf-8"))
            complete = reading_complete(folder, family, fmt, tf.stem)
            if not truth["inconsistencies"] and complete is not True:
                wrong.append(f"{folder.name}/{tf.stem}: clean but not complete")
            elif truth["inconsistencies"] and complete is not False:
                wrong.append(f"{folder.name}/{tf.stem}: inconsistency not flagged")
    return wrong


def measure(seeds, count: int, families: list[str], work: Path) -> dict:
    corpora = []
    for seed in seeds:
        folder = work / f"seed_{seed}"
        generate_families(folder, count, seed, {"txt", "pdf"}, list(FAMILIES))
        corpora.append(folder)
    docs = sum(1 for folder in corpora for _ in (folder / "standard" / "truth").glob("*.json"))
    out = {}
    for family in families:
        for fmt in ("txt", "pdf"):
            if (family, fmt) == REFERENCE:
                continue
            diffs = differences(corpora, family, fmt)
            wrong = verdicts(corpora, family, fmt)
            out[f"{FAMILIES[family].letter}-{family}-{fmt}"] = {
                "documents": docs,
                "documents_differing": len({d.split(" ")[0] for d in diffs}),
                "categories": dict(Counter(d.split(" ")[1] for d in diffs)),
                "report_wrong": len(wrong),
                "details": diffs + wrong,
            }
    return {"seeds": list(seeds), "count": count, "documents": docs, "families": out}


def markdown(res: dict) -> str:
    rows = ["| family | format | documents differing | categories | report verdicts wrong |", "|---|---|---|---|---|"]
    for key, r in res["families"].items():
        letter, name, fmt = key.split("-", 2)[0], key.split("-", 1)[1].rsplit("-", 1)[0], key.rsplit("-", 1)[1]
        cats = ", ".join(f"{c} {n}" for c, n in sorted(r["categories"].items())) or "—"
        rows.append(f"| {letter} {name} | {fmt} | {r['documents_differing']}/{r['documents']} | {cats} | {r['report_wrong']} |")
    total = sum(r["documents_differing"] + r["report_wrong"] for r in res["families"].values())
    return "\n".join(rows) + (f"\n\nSeeds {', '.join(map(str, res['seeds']))}, {res['count']} disclosures each, "
                              f"every family against family a's text: {total} differences or wrong verdicts.")


def run(out_dir: Path, quick: bool, seeds=None, count: int = COUNT, families=None) -> dict:
    seeds = seeds or (QUICK_SEEDS if quick else SEEDS)
    with tempfile.TemporaryDirectory() as tmp:
        res = measure(seeds, count, families or list(FAMILIES), Path(tmp))
    return {"name": "layout families on unseen seeds (issue 12)", "results": res, "markdown": markdown(res)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="*", default=list(SEEDS))
    ap.add_argument("--count", type=int, default=COUNT)
    ap.add_argument("--family", nargs="*", choices=list(FAMILIES))
    a = ap.parse_args(argv)
    r = run(ROOT / "bench" / "out", False, a.seeds, a.count, a.family)
    for key, f in r["results"]["families"].items():
        for d in f["details"]:
            print(f"{key}: {d[:300]}")
    print(r["markdown"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
