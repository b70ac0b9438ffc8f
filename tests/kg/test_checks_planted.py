"""The checks on a generated corpus with planted errors (data/generate.py --plant): at least
90% of the planted errors found, every class found, and the clean versions of the same
documents (same seed, no plant, no other inconsistency) with findings in at most 5% of them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.checks import findings_from_store
from kg.checks.planted import EXPECTED, score
from kg.checks.versions import archive_documents
from kg.store import open_store

ROOT = Path(__file__).resolve().parents[2]
COUNT, SEED = 48, 20240505


def _corpus(out: Path, plant: bool) -> tuple[list[dict], list[dict]]:
    from kg.pipeline import ingest

    args = [sys.executable, str(ROOT / "data" / "generate.py"), "--out", str(out), "--count", str(COUNT), "--seed", str(SEED),
            "--formats", "txt", "--inconsistency-rate", "0"] + (["--plant"] if plant else [])
    subprocess.run(args, check=True, capture_output=True)
    db = out / "db"
    store = open_store(db)
    try:
        results = ingest(sorted((out / "txt").glob("*.txt")), db, store, workers=2)
        assert not [r.error for r in results if r.status == "failed"]
        findings = findings_from_store(store, archive_documents(db))
    finally:
        store.close()
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((out / "truth").glob("*.json"))]
    return truths, findings


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    return _corpus(tmp_path_factory.mktemp("planted"), True)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    return _corpus(tmp_path_factory.mktemp("clean"), False)


def test_every_document_carries_one_planted_error_of_a_known_class(planted):
    truths, _ = planted
    classes = [p["class"] for t in truths for p in t["planted"]]
    assert len(classes) >= 0.95 * len(truths) and set(classes) <= set(EXPECTED)
    assert len(set(classes)) >= 14, sorted(set(classes))


def test_at_least_90_percent_of_planted_errors_are_found(planted):
    s = score(*planted)
    assert s.recall >= 0.9, (s.by_class(), s.missed)
    assert all(s.found[c] for c in s.planted), s.by_class()


def test_few_findings_beyond_the_planted_errors(planted):
    s = score(*planted)
    assert len(s.unexpected) <= 0.05 * s.documents, [(f["source_file"], f["rule"], f["key"]) for f in s.unexpected]


def test_clean_versions_have_findings_in_at_most_5_percent_of_documents(clean):
    truths, findings = clean
    assert not [p for t in truths for p in t.get("planted", [])]
    docs = {f["source_file"] for f in findings}
    assert len(docs) <= 0.05 * len(truths), [(f["source_file"], f["rule"], f["comment"]) for f in findings]
