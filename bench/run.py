"""`make bench`: runs every bench/bench_*.py module and writes one JSON file per module
plus results.json and results.md (the tables pasted into the README) under --out.

A bench module exposes `run(out_dir: Path, quick: bool) -> dict` returning
{"name": str, "results": {...}, "markdown": str}. Figures are ratios against a baseline
measured in the same run where the issue asks for one; no unit test asserts a time.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))  # bench modules import by name, so pool workers can unpickle their functions


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=str(HERE / "out"))
    ap.add_argument("--only", nargs="*", help="module names to run (e.g. bench_search)")
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    mods = sorted(HERE.glob("bench_*.py"))
    if args.only:
        mods = [m for m in mods if m.stem in args.only]
    all_results, md = {}, []
    for m in mods:
        mod = importlib.import_module(m.stem)
        t0 = time.perf_counter()
        print(f"bench: {m.stem} ...", file=sys.stderr, flush=True)
        res = mod.run(out, args.quick)
        res["seconds"] = round(time.perf_counter() - t0, 1)
        (out / f"{m.stem}.json").write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str))
        all_results[m.stem] = res
        md.append(f"### {res.get('name', m.stem)}\n\n{res.get('markdown', '')}\n")
    (out / "results.json").write_text(json.dumps(all_results, ensure_ascii=False, indent=1, default=str))
    (out / "results.md").write_text("\n".join(md))
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
