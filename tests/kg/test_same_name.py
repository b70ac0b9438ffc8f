"""A national crawl has many folders holding a file of the same name (部门预算.pdf). A new
version of a file replaces the stored disclosure of the same name only when it is the same
disclosure (agency, year, kind, scope); other same-named disclosures stay."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _generated(tmp_path: Path, n: int) -> list[Path]:
    out = tmp_path / "gen"
    subprocess.run([sys.executable, str(ROOT / "data" / "generate.py"), "--out", str(out), "--count", str(n),
                    "--seed", "3", "--formats", "txt"], check=True, capture_output=True)
    return sorted((out / "txt").glob("*.txt"))


def _docs(store) -> list[tuple[str, str]]:
    return sorted((d.source_file, d.sha256) for d in store.documents())


def test_same_file_name_in_two_folders_keeps_both(tmp_path):
    from kg.pipeline import file_sha256, ingest
    from kg.store import open_store

    a, b = _generated(tmp_path, 2)
    corpus = tmp_path / "crawl"
    for folder, src in (("agency-a", a), ("agency-b", b)):
        (corpus / folder).mkdir(parents=True)
        shutil.copy(src, corpus / folder / "部门预算.txt")
    db = tmp_path / "db"
    store = open_store(db)
    try:
        res = ingest([corpus], db, store, workers=1)
        assert [r.status for r in res] == ["added", "added"], [r.to_dict() for r in res]
        assert any("kept" in w for w in res[1].warnings)
        assert _docs(store) == sorted(("部门预算.txt", file_sha256(p)) for p in (a, b))

        # a corrected version of agency-a's file replaces agency-a's disclosure only
        fixed = corpus / "agency-a" / "部门预算.txt"
        fixed.write_text(fixed.read_text(encoding="utf-8") + "\n备注：本表为更正版。\n", encoding="utf-8")
        res = ingest([fixed], db, store, workers=1)
        assert [r.status for r in res] == ["replaced"], [r.to_dict() for r in res]
        assert _docs(store) == sorted([("部门预算.txt", file_sha256(fixed)), ("部门预算.txt", file_sha256(b))])

        # and ingesting the whole crawl again changes nothing
        res = ingest([corpus], db, store, workers=1)
        assert [r.status for r in res] == ["unchanged", "unchanged"]
    finally:
        store.close()
