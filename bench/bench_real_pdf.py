"""Issue "Published PDFs" item 7: reading the seven published PDFs with
kg.readers.dispatch.read_document in a 2-process pool, against plain pdfplumber (extract_text +
extract_tables on every page, one process), timed in the same run.

    .venv/bin/python bench/run.py --only bench_real_pdf
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("BUDGETKG_SHARED", ROOT.parent / "shared"))


def _read(path: str) -> tuple[int, int]:
    from kg.readers.dispatch import read_document

    doc = read_document(path)
    return len(doc.pages), len(doc.tables())


def _plumber(path: str) -> int:
    import pdfplumber

    n = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.extract_tables()
            page.close()
            n += 1
    return n


def run(out_dir: Path, quick: bool) -> dict:
    files = sorted(str(p) for p in (SHARED / "corpus" / "real").glob("*.pdf"))
    if not files:
        return {"name": "Published PDFs: reading and ingest time", "results": {"skipped": "no ../shared/corpus/real"},
                "markdown": "skipped: ../shared/corpus/real is missing"}
    if quick:
        files = files[:2]

    t0, c0 = time.perf_counter(), time.process_time()
    pages = sum(_plumber(f) for f in files)
    base, base_cpu = time.perf_counter() - t0, time.process_time() - c0

    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_read, files[:1]))  # start the workers and import the readers outside the timing
        t0 = time.perf_counter()
        got = list(pool.map(_read, files))
        ours = time.perf_counter() - t0

    t0, c0 = time.perf_counter(), time.process_time()
    for f in files:
        _read(f)
    ours_1, ours_1_cpu = time.perf_counter() - t0, time.process_time() - c0

    # the whole ingest (read + extract + store write + search index), 2 workers, fresh db
    import tempfile

    from kg.pipeline import ingest
    from kg.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(tmp, backend="oxigraph")
        t0 = time.perf_counter()
        ingest(files, tmp, store, workers=2)
        graph_s = time.perf_counter() - t0
        from search.hooks import sync_index

        sync_index(tmp, store)
        ingest_s = time.perf_counter() - t0
        store.close()

    res = {
        "ingest_graph_2workers_s": round(graph_s, 2),
        "ingest_with_index_2workers_s": round(ingest_s, 2),
        "ratio_ingest_graph_vs_pdfplumber": round(graph_s / base, 2),
        "ratio_ingest_with_index_vs_pdfplumber": round(ingest_s / base, 2),
        "files": len(files),
        "pages": pages,
        "tables": sum(t for _, t in got),
        "pdfplumber_1proc_s": round(base, 2),
        "read_document_2proc_s": round(ours, 2),
        "read_document_1proc_s": round(ours_1, 2),
        "pdfplumber_1proc_cpu_s": round(base_cpu, 2),
        "read_document_1proc_cpu_s": round(ours_1_cpu, 2),
        "cpu_ratio_1proc_vs_pdfplumber": round(ours_1_cpu / base_cpu, 2),
        "load_average_1min": round(os.getloadavg()[0], 1),
        "ratio_2proc_vs_pdfplumber": round(ours / base, 2),
        "ratio_1proc_vs_pdfplumber": round(ours_1 / base, 2),
        "pages_per_s_2proc": round(pages / ours, 1),
        "cpus": os.cpu_count(),
    }
    md = (
        "| reader | processes | wall s | pages/s | wall × pdfplumber | CPU s | CPU × pdfplumber |\n"
        "|---|---|---|---|---|---|---|\n"
        f"| pdfplumber extract_text + extract_tables | 1 | {base:.2f} | {pages / base:.1f} | 1.00 | {base_cpu:.2f} | 1.00 |\n"
        f"| kg.readers.dispatch.read_document | 1 | {ours_1:.2f} | {pages / ours_1:.1f} | {ours_1 / base:.2f} | "
        f"{ours_1_cpu:.2f} | {ours_1_cpu / base_cpu:.2f} |\n"
        f"| kg.readers.dispatch.read_document | 2 | {ours:.2f} | {pages / ours:.1f} | {ours / base:.2f} | | |\n"
        f"| budgetkg ingest: read + graph + store | 2 | {graph_s:.2f} | {pages / graph_s:.1f} | {graph_s / base:.2f} | | |\n"
        f"| budgetkg ingest + search index (builtin model trained) | 2 | {ingest_s:.2f} | {pages / ingest_s:.1f} | "
        f"{ingest_s / base:.2f} | | |\n"
        f"\n{len(files)} PDFs, {pages} pages, {res['tables']} tables; {os.cpu_count()} CPUs, "
        f"load average {res['load_average_1min']} (shared machine: wall times vary with it, CPU times less)."
    )
    return {"name": "Published PDFs: reading and ingest time", "results": res, "markdown": md}


if __name__ == "__main__":
    import json

    r = run(ROOT / "bench" / "out", "--quick" in sys.argv)
    print(json.dumps(r["results"], indent=1))
    print(r["markdown"])
