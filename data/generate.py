#!/usr/bin/env python3
"""Deterministic synthetic 部门预算 / 部门决算公开 disclosures with ground truth: the command line.

    python data/generate.py --out DIR --count N --seed S [--formats txt,pdf] [--pdf-count M]
                            [--family all|NAME,…]
    python -m data.generate ...   (the same, from the repository root)

Writes DIR/txt/<stem>.txt (tables as tab-separated lines), DIR/pdf/<stem>.pdf (reportlab,
embedded CJK TrueType font), DIR/truth/<stem>.json (../shared/eval/GOLD-SCHEMA.md format)
and DIR/manifest.json. The same seed gives byte-identical files. See docs/generator.md; the
work is done by the other modules of this package (data/__init__.py lists them).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if not __package__:
    # Run as a file (python data/generate.py, or loaded by path): Python put data/ itself first on
    # the path, where its modules (tables, document, ...) would shadow same-named top-level ones.
    # The repository root takes its place, so that the package imports below resolve.
    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    sys.path.insert(0, str(_here.parent))

from data.disclosure import INCONSISTENCY_RATE  # noqa: E402
from data.families import FAMILIES  # noqa: E402
from data.family_output import generate_families  # noqa: E402
from data.output import generate  # noqa: E402
from data.renderers import FONT_PATH  # noqa: E402

__all__ = ["generate", "main"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write deterministic synthetic 部门预算/决算 disclosures with ground truth.")
    ap.add_argument("--out", required=True, help="output folder (txt/, pdf/, truth/, manifest.json)")
    ap.add_argument("--count", type=int, required=True, help="number of documents")
    ap.add_argument("--seed", type=int, default=20240101)
    ap.add_argument("--formats", default="txt,pdf", help="comma list of txt,pdf (default both)")
    ap.add_argument("--pdf-count", type=int, default=None, help="render PDFs for the first M documents only")
    ap.add_argument("--inconsistency-rate", type=float, default=INCONSISTENCY_RATE,
                    help=f"share of documents with a deliberate inconsistency (default {INCONSISTENCY_RATE})")
    ap.add_argument("--family", "--families", dest="family", default=None,
                    help="write a family corpus: the same facts in these layout families (comma list, or all: "
                         + ", ".join(f"{f.letter} {f.name}" for f in FAMILIES.values()) + ") under DIR/<family>/")
    ap.add_argument("--plant", action="store_true",
                    help="plant one error of a known class in every document (recorded in its truth's 'planted'); "
                         "no other inconsistency")
    args = ap.parse_args(argv)
    formats = {f.strip() for f in args.formats.split(",") if f.strip()}
    if not formats or formats - {"txt", "pdf"}:
        print(f"generate.py: --formats must list txt and/or pdf, got {args.formats!r}", file=sys.stderr)
        return 2
    if args.count < 0 or (args.pdf_count is not None and args.pdf_count < 0):
        print("generate.py: --count and --pdf-count must be >= 0", file=sys.stderr)
        return 2
    if "pdf" in formats and not Path(FONT_PATH).exists():
        print(f"generate.py: the CJK font {FONT_PATH} is missing (apt-get install fonts-wqy-zenhei, or make sysdeps)",
              file=sys.stderr)
        return 2
    families = None
    if args.family is not None:
        names = {f.letter: f.name for f in FAMILIES.values()}
        families = list(FAMILIES) if args.family.strip() == "all" else \
            [names.get(x.strip(), x.strip()) for x in args.family.split(",") if x.strip()]
        unknown = [f for f in families if f not in FAMILIES]
        if not families or unknown:
            print(f"generate.py: --family takes all or a comma list of {', '.join(FAMILIES)} (or their letters), "
                  f"got {args.family!r}", file=sys.stderr)
            return 2
        if args.plant:  # a planted error is placed in the default layout's tables, which families reshape
            print("generate.py: --plant and --family cannot be combined", file=sys.stderr)
            return 2
    t0 = time.perf_counter()
    try:
        if families:
            m = generate_families(Path(args.out), args.count, args.seed, formats, families, args.pdf_count,
                                  progress=True, inconsistency_rate=args.inconsistency_rate)
        else:
            m = generate(Path(args.out), args.count, args.seed, formats, args.pdf_count, progress=True,
                         inconsistency_rate=args.inconsistency_rate, plant=args.plant)
    except OSError as e:
        print(f"generate.py: cannot write {args.out}: {e}", file=sys.stderr)
        return 1
    if families:
        n_pdf = sum(1 for d in m["docs"] if d["files"][families[0]]["pdf"])
        print(f"wrote {len(m['docs'])} documents in {len(families)} layout families ({n_pdf} with PDFs) to {args.out} "
              f"in {time.perf_counter() - t0:.1f}s")
        return 0
    n_pdf = sum(1 for d in m["docs"] if "pdf" in d["files"])
    print(f"wrote {len(m['docs'])} documents ({n_pdf} PDFs) to {args.out} in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
