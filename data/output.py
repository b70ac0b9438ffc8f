"""A corpus written to a folder: txt/, pdf/ and truth/ per document, the question and search
cases, and manifest.json; every file written atomically, and files of an earlier run that this
one did not write removed, so the folder always matches its manifest."""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
from pathlib import Path

from data import plant as planting
from data.corpus import build_doc, plan_corpus
from data.disclosure import INCONSISTENCY_RATE
from data.renderers import render_pdf, render_txt
from data.truth import eval_cases
from data.world import YEARS


def _atomic_write(path: Path, data: bytes) -> None:
    # a fixed temp name beside the target (cheaper than mkstemp at 10 000 files); the
    # rename makes the file appear complete or not at all
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


STEM = re.compile(r"\d{3,5}_[0-9a-f]{12}\.(txt|pdf|json)")


def _prune(out: Path, manifest: dict) -> None:
    """Remove generated files an earlier run left that this run did not write (another
    --count, no PDFs this time), so the folder always matches its manifest. Only names of
    the generator's own pattern are touched."""
    keep = {f for d in manifest["docs"] for f in d["files"].values()}
    for sub in ("txt", "pdf", "truth"):
        folder = out / sub
        if folder.is_dir():
            for f in folder.iterdir():
                if STEM.fullmatch(f.name) and f"{sub}/{f.name}" not in keep:
                    f.unlink()


def generate(out: Path, count: int, seed: int, formats: set[str], pdf_count: int | None = None,
             progress: bool = False, inconsistency_rate: float = INCONSISTENCY_RATE, plant: bool = False) -> dict:
    """Write the corpus; returns the manifest (also written to out/manifest.json). With `plant`,
    every document carries one planted error (data/plant.py) and no other inconsistency."""
    world, plan = plan_corpus(seed, count)
    if plant:
        inconsistency_rate = 0.0
        budgets = {(a.idx, y) for a, y, k, _ in plan if k == "budget"}
    pdf_count = count if pdf_count is None else pdf_count
    manifest = {"seed": seed, "count": count, "inconsistency_rate": inconsistency_rate, "years": list(YEARS), "generator": "budgetkg data/generate.py",
                **({"plant": True} if plant else {}),
                "layout": {"txt": "txt/<stem>.txt", "pdf": "pdf/<stem>.pdf", "truth": "truth/<stem>.json",
                           "qa": "cases_qa.json", "search": "cases_search_<format>.json"}, "docs": []}
    for sub in ("txt", "pdf", "truth"):
        if sub in formats or sub == "truth":
            (out / sub).mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    truths: list[dict] = []
    for i, (a, y, k, stem) in enumerate(plan):
        doc = build_doc(world, a, y, k, stem, inconsistency_rate)
        if plant:
            rng = random.Random(f"{seed}:plant:{stem}")
            record = next(filter(None, (planting.plant(doc, cls, k, y, rng)
                                        for cls in planting.choose(i, k, (a.idx, y - 1) in budgets))), None)
            doc.truth["planted"] = [record] if record else []
        files = {}
        if "txt" in formats:
            _atomic_write(out / "txt" / f"{stem}.txt", render_txt(doc).encode("utf-8"))
            files["txt"] = f"txt/{stem}.txt"
        if "pdf" in formats and i < pdf_count:
            _atomic_write(out / "pdf" / f"{stem}.pdf", render_pdf(doc))
            files["pdf"] = f"pdf/{stem}.pdf"
        _atomic_write(out / "truth" / f"{stem}.json",
                      json.dumps(doc.truth, ensure_ascii=False).encode("utf-8"))  # compact: C encoder
        files["truth"] = f"truth/{stem}.json"
        truths.append(doc.truth)
        manifest["docs"].append({"stem": stem, "title": doc.title, "agency": a.name, "agency_index": a.idx,
                                 "parent": a.parent, "unit_code": a.unit_code, "city_or_county": a.place,
                                 "fiscal_year": y, "kind": k, "unit": a.unit,
                                 "inconsistent": bool(doc.truth["inconsistencies"]), "files": files})
        if progress and (i + 1) % 1000 == 0:
            print(f"{i + 1}/{count} documents, {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    _prune(out, manifest)
    qa, search = eval_cases(truths, seed)
    _atomic_write(out / "cases_qa.json", json.dumps(qa, ensure_ascii=False, indent=1).encode("utf-8"))
    for fmt in sorted(formats):
        docs_with = {d["stem"] for d in manifest["docs"] if fmt in d["files"]}
        cases = [dict(c, doc=c["doc"].rsplit(".", 1)[0] + "." + fmt) for c in search
                 if c["doc"].rsplit(".", 1)[0] in docs_with]
        _atomic_write(out / f"cases_search_{fmt}.json", json.dumps(cases, ensure_ascii=False, indent=1).encode("utf-8"))
    _atomic_write(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    return manifest
