"""A family corpus written to a folder: each document built once with the extended facts and
printed by every family asked for, under DIR/<family>/txt|pdf|truth/, with one truth per family
file set (the same facts; its "doc" names that family's file and its "synthetic" says which
family printed it and what it could not print), the question cases and manifest.json."""

from __future__ import annotations

import copy
import json
import re
import sys
import time
from pathlib import Path

from data.corpus import build_disclosure, plan_corpus
from data.disclosure import INCONSISTENCY_RATE
from data.families import FAMILIES, family_docs
from data.output import _atomic_write
from data.renderers import render_pdf, render_txt
from data.truth import eval_cases
from data.world import YEARS

FILE = re.compile(r"\d{3,5}_[0-9a-f]{12}(_text|_tables)?\.(txt|pdf|json)")


def family_truth(truth: dict, name: str, files: list[str], unprintable: list[str]) -> dict:
    """The document's truth as one family's files state it. A publication in two files names
    the tables half (the half a scorer finds the disclosure by) and lists both."""
    t = copy.deepcopy(truth)
    t["doc"] = files[-1]
    t["synthetic"] |= {"family": name, "family_letter": FAMILIES[name].letter, "files": files,
                       "unprintable": sorted(unprintable)}
    return t


def _prune(out: Path, keep: set[str]) -> None:
    """Remove family files an earlier run left that this one did not write (any family)."""
    for name in FAMILIES:
        for sub in ("txt", "pdf", "truth"):
            folder = out / name / sub
            if folder.is_dir():
                for f in folder.iterdir():
                    if FILE.fullmatch(f.name) and f"{name}/{sub}/{f.name}" not in keep:
                        f.unlink()


def generate_families(out: Path, count: int, seed: int, formats: set[str], families: list[str],
                      pdf_count: int | None = None, progress: bool = False,
                      inconsistency_rate: float = INCONSISTENCY_RATE) -> dict:
    """Write the family corpus; returns the manifest (also written to out/manifest.json)."""
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown layout families: {', '.join(unknown)}")
    world, plan = plan_corpus(seed, count)
    pdf_count = count if pdf_count is None else pdf_count
    manifest = {"seed": seed, "count": count, "inconsistency_rate": inconsistency_rate, "years": list(YEARS),
                "generator": "budgetkg data/generate.py", "families": families,
                "layout": {"txt": "<family>/txt/<stem>[_text|_tables].txt", "pdf": "<family>/pdf/<stem>….pdf",
                           "truth": "<family>/truth/<stem>.json", "qa": "cases_qa.json"}, "docs": []}
    for name in families:
        for sub in ("txt", "pdf", "truth"):
            if sub in formats or sub == "truth":
                (out / name / sub).mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    truths: list[dict] = []
    keep: set[str] = set()
    for i, (a, y, k, stem) in enumerate(plan):
        b, doc = build_disclosure(world, a, y, k, stem, inconsistency_rate)
        files: dict[str, dict] = {}
        for name in families:
            printed = family_docs(name, b, doc)
            written: dict[str, list[str]] = {"txt": [], "pdf": []}
            for suffix, d in printed:
                if "txt" in formats:
                    written["txt"].append(f"{name}/txt/{stem}{suffix}.txt")
                    _atomic_write(out / written["txt"][-1], render_txt(d).encode("utf-8"))
                if "pdf" in formats and i < pdf_count:
                    written["pdf"].append(f"{name}/pdf/{stem}{suffix}.pdf")
                    _atomic_write(out / written["pdf"][-1], render_pdf(d))
            unprintable = sorted({u for _, d in printed for u in d.unprintable})
            truth = family_truth(doc.truth, name, [f"{stem}{s}.txt" for s, _ in printed], unprintable)
            written["truth"] = [f"{name}/truth/{stem}.json"]
            _atomic_write(out / written["truth"][0], json.dumps(truth, ensure_ascii=False).encode("utf-8"))
            files[name] = written
            keep |= {f for fs in written.values() for f in fs}
        truths.append(doc.truth)
        manifest["docs"].append({"stem": stem, "title": doc.title, "agency": a.name, "agency_index": a.idx,
                                 "fiscal_year": y, "kind": k, "unit": a.unit,
                                 "inconsistent": bool(doc.truth["inconsistencies"]), "files": files})
        if progress and (i + 1) % 100 == 0:
            print(f"{i + 1}/{count} documents, {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    _prune(out, keep)
    qa, _ = eval_cases(truths, seed)
    _atomic_write(out / "cases_qa.json", json.dumps(qa, ensure_ascii=False, indent=1).encode("utf-8"))
    _atomic_write(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    return manifest
