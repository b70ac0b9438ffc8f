"""Issue 12: documents the project never saw, printed the ways publications print. Each shared seed
text (../shared/corpus/*.txt) is read with kg.readers.dispatch.read_document, its document model
turned into the generator's data.document.Doc (to_doc below), printed as a PDF by
data.renderers.render_pdf in several styles (STYLES), read back, ingested into a throwaway
database as `budgetkg ingest` does, exported, and scored against ../shared/eval/gold with
../shared/eval/score_graph.py (the yardsticks' path). Reports per style the macro F1, each
category's mean F1 and the header facts right.

    .venv/bin/python bench/run.py --only bench_unseen
    .venv/bin/python bench/bench_unseen.py [--style NAME ...] [--keep DIR]   (one style's PDFs kept)

Nothing of ../shared is kept in the repository: the PDFs are written to a temporary folder.

The adapter prints what the text printed, the way the generator prints its own documents: a
table's title, filing line (agency, unit) and column headers as the top rows of its grid, merged
header cells where the text repeated one cell's words over the columns or rows it spans, amounts
right-aligned from the first column after the row names (numeric_from) and classification codes
counted from the cells (code_width). It decides by the cells' shapes, never by their words, apart
from the filing line above a table, which it recognises with the readers' own label pattern.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from copy import deepcopy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("BUDGETKG_SHARED", ROOT.parent / "shared"))
CATEGORIES = ("header", "totals", "projects", "policies", "links", "functional", "economic", "units")

# style name -> (Doc.pdf_style, how long tables are cut over pages: None | "repeat" | "bare")
STYLES: dict[str, tuple[dict, str | None]] = {
    "portrait": ({}, None),
    "landscape": ({"table_pages": "landscape"}, None),
    "rotated": ({"table_pages": "rotated"}, None),
    "digit_rise_up": ({"digit_rise": 2}, None),
    "digit_rise_down": ({"digit_rise": -2}, None),
    "continued_repeat": ({}, "repeat"),
    "continued_bare": ({}, "bare"),
    "no_running_header": ({"running_header": False}, None),
    "horizontal_rules": ({"rules": "horizontal"}, None),
    "unruled": ({"rules": "none"}, None),
    # all at once, as a publication printed from a spreadsheet may be
    "combined": ({"table_pages": "rotated", "digit_rise": -2, "running_header": False}, "bare"),
    # ... and without column lines
    "unruled_combined": ({"rules": "none", "table_pages": "rotated", "digit_rise": -2, "running_header": False},
                         "bare"),
}
# a table this long is cut in two over a page break in the continued styles
CONTINUE_FROM_ROWS = 8


# ---------------------------------------------------------------- the adapter

def _merged_header(header: list[list[str]], ncol: int) -> list[list[str]]:
    """The reader's header (a merged cell's words repeated into every position it covers) in the
    generator's notation: "^" where a cell repeats the one above it, "<" the one on its left."""
    rows = [list(h) + [""] * (ncol - len(h)) for h in header]
    out = []
    for r, row in enumerate(rows):
        marked = []
        for c, x in enumerate(row):
            if x and r and rows[r - 1][c] == x:
                marked.append("^")
            elif x and c and row[c - 1] == x:
                marked.append("<")
            else:
                marked.append(x)
        out.append(marked)
    return out


def _numeric_from(rows: list[list[str]], ncol: int) -> int:
    """The first column of amounts: the one after the first column that names rows (holds a cell
    that is no number); 0 where every column holds numbers (a one-row table of totals)."""
    from kg.readers.cells import is_amount

    for c in range(ncol):
        if any(r[c].strip() and not is_amount(r[c]) for r in rows):
            return c + 1
    return 0


def _code_width(rows: list[list[str]], ncol: int) -> int:
    """How many leading columns print a classification code: a column of codes (3, 5 or 7
    digits), then the columns of 2-digit 款/项 parts a code split over columns prints."""
    from kg.readers.cells import is_code

    def column(c: int) -> list[str]:
        return [r[c].strip() for r in rows if r[c].strip()]

    if not ncol or not column(0) or not all(is_code(x) for x in column(0)):
        return 0
    w = 1
    while w < ncol and column(w) and all(x.isdigit() and len(x) == 2 for x in column(w)):
        w += 1
    return w


def _widths(header: list[list[str]], rows: list[list[str]], ncol: int, numeric_from: int, unit: str = "") -> list[float]:
    """Column widths as a publisher sets them: an amount column as wide as its widest amount, a
    name column as wide as its names up to a limit (longer ones wrap), none narrower than two
    characters of its header, the last one wide enough for the unit printed above it."""
    from kg.readers.cells import is_amount

    def w(s: str) -> float:  # width at the renderer's 7.5 pt cell font, CJK ~1 em, others ~0.55 em
        return sum(7.5 if ord(ch) > 0x2E80 else 4.2 for ch in s)

    out = []
    for c in range(ncol):
        cells = [r[c] for r in rows if r[c].strip()]
        numeric = c >= numeric_from and cells and all(is_amount(x) for x in cells)
        widest = max((w(x) for x in cells), default=0.0)
        head = max((w(h[c]) for h in header if c < len(h) and h[c] not in ("<", "^")), default=0.0)
        if numeric:
            out.append(max(widest, 30.0) + 8)
        else:
            out.append(min(max(widest, min(head, 60.0), 22.0), 150.0) + 8)
    if out:
        out[-1] = max(out[-1], w(unit) + 8)
    total = sum(out)
    return [x / total for x in out]


def to_doc(model, stem: str, continued: str | None = None):
    """The generator's Doc for one document model (kg.document.Document). `continued` cuts
    every table of CONTINUE_FROM_ROWS body rows or more over a page break, its column headers
    printed again after it ("repeat") or not ("bare")."""
    from data.document import Doc
    from data.document import Table as GenTable
    from kg.document import Heading, Table
    from kg.readers.cells import AGENCY_LABEL_RE, detect_unit
    from kg.vocab import UNIT_LABEL

    blocks = [b for b in model.blocks() if isinstance(b, Table) or b.text.strip()]
    # the first line, when short, is the cover's title (printed once, in the cover's style) and the
    # running header's; the lines after it print as they read
    first = blocks[0] if blocks and not isinstance(blocks[0], Table) else None
    title = first.text.strip() if first and len(first.text.strip()) <= 40 and "\n" not in first.text.strip() else ""
    doc = Doc(stem, title)
    if title:
        doc.h1(title)
        blocks = blocks[1:]
    first_table = next((i for i, b in enumerate(blocks) if isinstance(b, Table)), None)
    # the tables' part starts at the level-1 heading above the first table (the landscape pages)
    part = None
    if first_table is not None:
        part = next((i for i in range(first_table, -1, -1) if isinstance(blocks[i], Heading)
                     and blocks[i].level == 1), first_table)
    for i, b in enumerate(blocks):
        first = len(doc.blocks)  # where this block's printing starts (the tables' part: a new page)
        if isinstance(b, Table) and b.n_cols < 2:  # no grid to print it in: a column of lines
            for line in (x for r in b.header + b.rows for x in r):
                if line.strip():
                    doc.p(line.strip())
        elif isinstance(b, Table):
            ncol = b.n_cols
            rows = [list(r) + [""] * (ncol - len(r)) for r in b.rows]
            agency_label, agency = "", ""
            prev = doc.blocks[-1] if doc.blocks else None
            # the filing line printed above the table goes into its grid, as the generator prints it
            if prev and prev[0] == "p":
                m = AGENCY_LABEL_RE.match(prev[1])
                if m and detect_unit(prev[1]) is None and prev[1][m.end():]:
                    agency_label, agency = m.group(0).strip(), prev[1][m.end():]
                    doc.blocks.pop()
                    first -= 1
            unit_label = f"{UNIT_LABEL}：" if b.unit else ""
            header = _merged_header(b.header, ncol) if b.header else [[""] * ncol]
            nf = _numeric_from(rows, ncol)
            t = GenTable(title=b.title or "", header=header, rows=rows, unit=b.unit or "", agency=agency,
                         numeric_from=nf, widths=_widths(b.header, rows, ncol, nf, unit_label + (b.unit or "")),
                         code_width=_code_width(rows, ncol), agency_label=agency_label, unit_label=unit_label)
            if continued and len(rows) >= CONTINUE_FROM_ROWS:
                t.breaks = [(len(rows) // 2, continued == "repeat")]
            doc.table(t)
        elif isinstance(b, Heading):
            doc.blocks.append((f"h{min(b.level, 3)}", b.text))
        elif i and b.page != blocks[i - 1].page and len(b.text.strip()) <= 48 and "\n" not in b.text.strip():
            # a short line atop a new page is that page's title (a section's own title page): the
            # pages are not kept, so it is printed as the title it is, centred and large
            doc.h1(b.text.strip())
        else:
            # a paragraph the text printed over several lines is printed line by line
            for line in b.text.split("\n"):
                if line.strip():
                    doc.p(line.strip())
        if i == part and first < len(doc.blocks):
            doc.tags[first] = ("tables_part", None)
        elif i == part:
            part += 1  # printed nothing: the part starts with the next block
    return doc


def render(model, stem: str, style: str) -> bytes:
    from data.renderers import render_pdf

    pdf_style, continued = STYLES[style]
    doc = to_doc(model, stem, continued)
    doc.pdf_style = deepcopy(pdf_style)
    return render_pdf(doc)


# ---------------------------------------------------------------- scoring

def _scorer():
    spec = importlib.util.spec_from_file_location("score_graph", SHARED / "eval" / "score_graph.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _score_headers(ttl: bytes, headers: Path) -> dict:
    """../shared/eval/score_headers.py on an exported graph: {"fields_right", "fields", "misses"}."""
    with tempfile.NamedTemporaryFile(suffix=".ttl") as f:
        f.write(ttl)
        f.flush()
        out = subprocess.run([sys.executable, str(SHARED / "eval" / "score_headers.py"), f.name, str(headers)],
                             capture_output=True, text=True, check=False).stdout.strip().splitlines()
    m = re.search(r"(\d+)/(\d+) fields right", out[-1] if out else "")
    if not m:
        raise RuntimeError(f"score_headers.py printed no summary: {out[-3:]}")
    return {"fields_right": int(m.group(1)), "fields": int(m.group(2)), "misses": out[:-1]}


def score_files(files: list[Path], gold: list[Path], headers: Path | None = None, workers: int = 2) -> dict:
    """Ingest `files` into a throwaway database, export it and score it against `gold`:
    {"macro_f1", "categories": {name: mean F1}, "header_right", "header_facts", "docs"}, and
    against the header list `headers` (score_headers.py) where one is given: "headers"."""
    import rdflib

    from kg.pipeline import ingest
    from kg.store import open_store

    with tempfile.TemporaryDirectory() as db:
        store = open_store(db)
        try:
            results = ingest([str(f) for f in files], db, store, workers=workers)
            ttl = store.dump("turtle")
        finally:
            store.close()
    failed = [r.error for r in results if r.status == "failed"]
    extra = {"headers": _score_headers(ttl, headers)} if headers else {}
    g = rdflib.Graph()
    g.parse(data=ttl, format="turtle")
    sg = _scorer()
    docs = [sg.score_doc(g, json.loads(p.read_text("utf-8"))) for p in gold]
    fs = [c["f"] for d in docs for c in d["categories"].values()]
    right = facts = 0
    for d in docs:
        detail = d["categories"]["header"].get("detail", "")
        if "/" in detail and detail.split("/")[0].isdigit():
            a, b = detail.split("/")
            right, facts = right + int(a), facts + int(b)
    return {
        "macro_f1": round(sum(fs) / len(fs), 4) if fs else 0.0,
        "categories": {c: round(sum(d["categories"][c]["f"] for d in docs) / len(docs), 4) if docs else 0.0
                       for c in CATEGORIES},
        "header_right": right,
        "header_facts": facts,
        "failed": failed,
        "doc_f1": {d["doc"]: round(sum(c["f"] for c in d["categories"].values()) / len(d["categories"]), 4)
                   for d in docs},
        "docs": {d["doc"]: {c: (round(v["f"], 3), v.get("detail", "")) for c, v in d["categories"].items()
                            if v["f"] < 1.0} for d in docs},
    } | extra


def table_rows(path: str | Path) -> Counter:
    """The body rows of every table of a file as read, blanks trimmed at the right, spaces dropped."""
    from kg.readers.dispatch import read_document

    out: Counter = Counter()
    for t in read_document(str(path)).tables():
        for row in t.rows:
            key = [re.sub(r"\s+", "", x) for x in row]
            while key and not key[-1]:
                key.pop()
            if key:
                out[tuple(key)] += 1
    return out


def rows_read(texts: list[Path], pdfs: list[Path]) -> dict:
    """How many of the table rows the texts read the PDFs read too (exactly, cell for cell)."""
    want = got = 0
    for t, p in zip(texts, pdfs, strict=True):
        a = table_rows(t)
        want += sum(a.values())
        got += sum((a & table_rows(p)).values())
    return {"rows_read": got, "rows": want}


def seed_files() -> tuple[list[Path], list[Path]]:
    return sorted((SHARED / "corpus").glob("*.txt")), sorted((SHARED / "eval" / "gold").glob("*.json"))


def published_files() -> dict[str, tuple[list[Path], list[Path], Path]]:
    """The published PDFs by folder: (files, graph gold, header list). Printed again in a style,
    a file keeps its name, which is how the header list finds it."""
    out = {}
    for name, gold in (("real", "gold_real"), ("jiangsu", None)):
        folder = SHARED / "corpus" / name
        golds = sorted((SHARED / "eval" / gold).glob("*.json")) if gold else []
        out[name] = (sorted(folder.glob("*.pdf")), golds, folder / "headers.json")
    return out


def render_style(texts: list[Path], style: str, folder: Path) -> list[Path]:
    """Each file (a seed text, a published PDF) read and printed in `style` as folder/<stem>.pdf
    (the gold finds a seed text's PDF by its stem)."""
    from kg.readers.dispatch import read_document

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for t in texts:
        pdf = folder / f"{t.stem}.pdf"
        pdf.write_bytes(render(read_document(str(t)), t.stem, style))
        out.append(pdf)
    return out


def _published(styles: list[str], keep: Path | None) -> dict:
    """Per style, the published PDFs printed again: graph F1 against gold_real, header fields
    right against each folder's headers.json."""
    out: dict = {}
    for style in ["as_published", *styles]:
        t0 = time.perf_counter()
        row: dict = {}
        for corpus, (files, gold, headers) in published_files().items():
            with tempfile.TemporaryDirectory() as tmp:
                folder = (keep / style / corpus) if keep else Path(tmp)
                pdfs = files if style == "as_published" else render_style(files, style, folder)
                row[corpus] = score_files(pdfs, gold, headers)
        row["seconds"] = round(time.perf_counter() - t0, 1)
        out[style] = row
    return out


def run(out_dir: Path, quick: bool, styles: list[str] | None = None, keep: Path | None = None) -> dict:
    name = "Unseen layouts: the seed texts and the published PDFs printed again in other layouts"
    texts, gold = seed_files()
    if not texts or not gold:
        return {"name": name, "results": {"skipped": "no ../shared/corpus"},
                "markdown": "skipped: ../shared/corpus is missing"}
    styles = styles or (["portrait", "landscape"] if quick else list(STYLES))
    res: dict = {"seed_texts": score_files(texts, gold) | rows_read(texts, texts)}
    for style in styles:
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            folder = (keep / "seed" / style) if keep else Path(tmp)
            pdfs = render_style(texts, style, folder)
            res[style] = score_files(pdfs, gold) | rows_read(texts, pdfs)
        res[style]["seconds"] = round(time.perf_counter() - t0, 1)
    rows = []
    for k, v in res.items():
        cats = " | ".join(f"{v['categories'][c]:.3f}" for c in CATEGORIES)
        rows.append(f"| {k} | {v['macro_f1']:.3f} | {v['header_right']}/{v['header_facts']} | "
                    f"{v['rows_read']}/{v['rows']} | {cats} |")
    md = ("| style | macro F1 | header facts | table rows | " + " | ".join(CATEGORIES) + " |\n|---|---|---|---|"
          + "---|" * len(CATEGORIES) + "\n" + "\n".join(rows)
          + f"\n\n{len(texts)} seed texts (../shared/corpus/*.txt) against ../shared/eval/gold; seed_texts is the texts"
          " themselves, every other row their document model printed as a PDF in that style and read back; table rows:"
          " the texts' table body rows the file reads cell for cell.\n\n")
    res["published"] = pub = _published(styles, keep)
    md += ("| style | published: graph macro F1 (gold_real) | header fields, district PDFs | header fields, provincial"
           " PDFs |\n|---|---|---|---|\n")
    for k, v in pub.items():
        md += (f"| {k} | {v['real']['macro_f1']:.3f} | {v['real']['headers']['fields_right']}/"
               f"{v['real']['headers']['fields']} | {v['jiangsu']['headers']['fields_right']}/"
               f"{v['jiangsu']['headers']['fields']} |\n")
    md += ("\nas_published: the PDFs themselves (the yardsticks' figures); every other row each PDF's document model"
           " printed again in that style.")
    return {"name": name, "results": res, "markdown": md}


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--style", nargs="*", choices=list(STYLES))
    ap.add_argument("--keep", type=Path, help="write the PDFs under this folder (one subfolder per style)")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    r = run(ROOT / "bench" / "out", a.quick, a.style, a.keep)
    print(json.dumps(r["results"], indent=1, ensure_ascii=False))
    print(r["markdown"])
