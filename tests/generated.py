"""A database built from the project's own generator, for tests that need a corpus with
known variety (agencies across years and kinds, policies, projects) but no ../shared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ingest_files(files: list[Path], db: Path, workers: int = 1, hooks=None) -> Path:
    """Ingest `files` into the database `db` through the real pipeline (no search index
    unless `hooks` say so); every file must be read. Returns `db`."""
    from kg.pipeline import ingest
    from kg.store import open_store

    store = open_store(db)
    try:
        results = ingest(files, db, store, workers=workers, hooks=hooks)
    finally:
        store.close()
    failed = [r.error for r in results if r.status == "failed"]
    assert not failed, failed
    return db


def generated_db(out: Path, count: int, seed: int, workers: int = 1) -> Path:
    """Generate `count` text disclosures into `out` (txt/, truth/, cases) and ingest them
    into `out/db`, without a search index. Returns the database folder."""
    subprocess.run([sys.executable, str(ROOT / "data" / "generate.py"), "--out", str(out), "--count", str(count),
                    "--seed", str(seed), "--formats", "txt"], check=True, capture_output=True)
    return ingest_files(sorted((out / "txt").glob("*.txt")), out / "db", workers=workers)
