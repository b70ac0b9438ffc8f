"""A database built from the project's own generator, for tests that need a corpus with
known variety (agencies across years and kinds, policies, projects) but no ../shared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def generated_db(out: Path, count: int, seed: int, workers: int = 1) -> Path:
    """Generate `count` text disclosures into `out` (txt/, truth/, cases) and ingest them
    into `out/db`, without a search index. Returns the database folder."""
    from kg.pipeline import ingest
    from kg.store import open_store

    subprocess.run([sys.executable, str(ROOT / "data" / "generate.py"), "--out", str(out), "--count", str(count),
                    "--seed", str(seed), "--formats", "txt"], check=True, capture_output=True)
    db = out / "db"
    store = open_store(db)
    try:
        results = ingest(sorted((out / "txt").glob("*.txt")), db, store, workers=workers)
    finally:
        store.close()
    assert not [r.error for r in results if r.status == "failed"]
    return db
