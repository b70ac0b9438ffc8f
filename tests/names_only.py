"""Names-only renderings of text disclosures, made at test/bench time (never stored): every
classification table's code columns are dropped and each name is set in by its level, two
ideographic spaces a level, the way disclosures that print names only lay them out.

`python -m tests.names_only` scores the names-only versions of ../shared/corpus/*.txt against
../shared/eval/gold with score_graph.py's own functions and prints the F1 per category.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

IDEOGRAPHIC_SPACE = "\u3000"
# A header cell naming a classification code column (科目编码, 功能科目编码, 部门经济科目编码 …),
# not a unit's code column (单位编码).
_CODE_HEAD = re.compile(r"科目(编码|代码)$")
_CODE = re.compile(r"\d{3}(\d{2}){0,2}")


def _drop(cells: list[str], i: int) -> list[str]:
    """`cells` without column i; a spanning header label that began there moves to the next cell."""
    cells = list(cells)
    if i >= len(cells):
        return cells
    if cells[i] and i + 1 < len(cells) and not cells[i + 1]:
        cells[i + 1] = cells[i]
    del cells[i]
    return cells


def names_only_text(text: str) -> str:
    """`text` with its classification tables printed by name only (tab-separated tables as the
    text export prints them: a table is a run of non-blank lines)."""
    lines = text.split("\n")
    out = list(lines)
    i = 0
    while i < len(lines):
        cells = lines[i].split("\t")
        cols = [k for k, c in enumerate(cells) if _CODE_HEAD.search(c.strip()) and "单位" not in c]
        if not cols or len(cells) < 3:
            i += 1
            continue
        start = i
        while start > 0 and lines[start - 1].strip():
            start -= 1
        end = i + 1
        while end < len(lines) and lines[end].strip():
            end += 1
        for j in range(start, end):
            row = lines[j].split("\t")
            if j <= i:  # the header rows: the code column's labels go, spans keep theirs
                for k in sorted(cols, reverse=True):
                    row = _drop(row, k)
                out[j] = "\t".join(row)
                continue
            level = None
            for k in sorted(cols, reverse=True):
                cell = row[k].strip() if k < len(row) else ""
                if k == cols[0] and _CODE.fullmatch(cell):
                    level = (len(cell) - 3) // 2
                row = _drop(row, k) if not (cell == "" or _CODE.fullmatch(cell)) else row[:k] + row[k + 1:]
            if level is not None and cols[0] < len(row):
                row[cols[0]] = IDEOGRAPHIC_SPACE * 2 * level + row[cols[0]].strip()
            out[j] = "\t".join(row)
        i = end
    return "\n".join(out)


def scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("score_graph", shared / "eval" / "score_graph.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_names_only(shared: Path, out: Path) -> list[Path]:
    """The names-only versions of the shared seed texts under `out`, same file names."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for src in sorted((shared / "corpus").glob("*.txt")):
        dst = out / src.name
        dst.write_text(names_only_text(src.read_text(encoding="utf-8")), encoding="utf-8")
        paths.append(dst)
    return paths


def scores(shared: Path, paths: list[Path]) -> tuple[float, dict[str, float], list[dict]]:
    """(macro F1, F1 per category averaged over documents, score_doc's results) of the graphs
    ingest would store for `paths`, against ../shared/eval/gold."""
    import rdflib

    from kg.pipeline import prepare

    sg = scorer(shared)
    g = rdflib.Graph()
    for p in paths:
        prep = prepare(str(p))
        assert not prep.error, prep.error
        g.parse(data=prep.ntriples, format="nt")
    gold = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((shared / "eval" / "gold").glob("*.json"))]
    results = [sg.score_doc(g, x) for x in gold]
    per_cat: dict[str, list[float]] = {}
    for r in results:
        for name, c in r["categories"].items():
            per_cat.setdefault(name, []).append(c["f"])
    fs = [f for v in per_cat.values() for f in v]
    return sum(fs) / len(fs), {k: sum(v) / len(v) for k, v in per_cat.items()}, results


def main(argv: list[str]) -> int:
    import tempfile

    from tests.conftest import SHARED

    with tempfile.TemporaryDirectory() as tmp:
        paths = write_names_only(SHARED, Path(tmp))
        if "--show" in argv:
            print(paths[int(argv[argv.index("--show") + 1])].read_text(encoding="utf-8"))
            return 0
        macro, cats, results = scores(SHARED, paths)
    for r in results:
        for name, c in r["categories"].items():
            if c["f"] < 1.0 and name in ("functional", "economic"):
                print(f"{r['doc'][:24]:24} {name:10} F1={c['f']:.2f} {c['detail']}")
    print("  ".join(f"{k}={v:.3f}" for k, v in cats.items()))
    print(f"macro F1 (names-only seed texts): {macro:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
