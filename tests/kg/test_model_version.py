"""The document model version (kg.document.MODEL_VERSION, READER_VERSION): stored in each
archived document and on its disclosure; an unchanged file read by an older reader is read
again by `budgetkg ingest`, and `budgetkg status` says how many disclosures an older reader read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kg.document
from kg.archive import DocumentArchive
from kg.document import Document, Page, Paragraph
from kg.pipeline import ingest
from kg.store import open_store
from ontology.namespace import BKG


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> list[Path]:
    from data.generate import generate

    out = tmp_path_factory.mktemp("gen")
    generate(out, count=2, seed=3, formats={"txt"}, inconsistency_rate=0.0)
    return sorted((out / "txt").glob("*.txt"))


def _ingest(db, files, hooks=None):
    store = open_store(db)
    try:
        return ingest(files, db, store, workers=1, hooks=hooks)
    finally:
        store.close()


def _status(db, capsys) -> dict:
    from api.cli import main

    capsys.readouterr()
    assert main(["status", "--db", str(db), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _graph_versions(db) -> set[tuple[int, int]]:
    store = open_store(db, read_only=True)
    try:
        rows = store.select(f"SELECT ?m ?r WHERE {{ ?d a <{BKG.Disclosure}> ; <{BKG.modelVersion}> ?m ; "
                            f"<{BKG.readerVersion}> ?r }}")
    finally:
        store.close()
    return {(r["m"], r["r"]) for r in rows}


def test_the_archive_keeps_the_versions(tmp_path):
    doc = Document("x.txt", "ab" * 32, [Page(1, [Paragraph("2031年部门预算", 1)])])
    archive = DocumentArchive(tmp_path)
    archive.put(doc)
    assert archive.versions(doc.sha256) == (kg.document.MODEL_VERSION, kg.document.READER_VERSION)
    back = archive.get(doc.sha256)
    assert (back.model_version, back.reader_version) == kg.document.current_versions() and back.read_by_current_reader
    # an entry archived before versions were recorded was read by version 0
    old = doc.to_dict()
    del old["model_version"], old["reader_version"]
    archive.path(doc.sha256).write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    assert archive.versions(doc.sha256) == (0, 0)
    assert not archive.get(doc.sha256).read_by_current_reader


def test_a_newer_reader_reads_unchanged_files_again(files, tmp_path, monkeypatch, capsys):
    db = tmp_path / "db"
    assert [r.status for r in _ingest(db, files)] == ["added", "added"]
    assert [r.status for r in _ingest(db, files)] == ["unchanged", "unchanged"]
    now = kg.document.current_versions()
    assert _graph_versions(db) == {now} and _status(db, capsys)["older_reader"] == 0

    monkeypatch.setattr(kg.document, "READER_VERSION", kg.document.READER_VERSION + 1)
    assert _status(db, capsys)["older_reader"] == len(files)
    results = _ingest(db, files)
    assert [(r.status, r.reread) for r in results] == [("replaced", True), ("replaced", True)]
    assert all("read again" in r.note for r in results)
    newer = kg.document.current_versions()
    assert _graph_versions(db) == {newer}
    assert {DocumentArchive(db).versions(r.sha256) for r in results} == {newer}
    assert _status(db, capsys)["older_reader"] == 0
    assert [r.status for r in _ingest(db, files)] == ["unchanged", "unchanged"]
    store = open_store(db, read_only=True)
    try:
        assert len(store.documents()) == len(files)  # replaced in place, not added beside
    finally:
        store.close()


def test_status_names_the_older_reader(files, tmp_path, monkeypatch, capsys):
    from api.cli import main

    db = tmp_path / "db"
    _ingest(db, files[:1])
    monkeypatch.setattr(kg.document, "MODEL_VERSION", kg.document.MODEL_VERSION + 1)
    capsys.readouterr()
    assert main(["status", "--db", str(db)]) == 0
    assert "1 disclosure(s) read by an older reader" in capsys.readouterr().out


@pytest.mark.slow
def test_the_search_index_chunks_a_document_read_again(files, tmp_path, monkeypatch):
    """Same sha256 and graph, a new reading: the index's ingest sync does not keep the old chunks."""
    from search.hooks import index_hooks
    from search.index.layout import read_config

    db = tmp_path / "db"
    _ingest(db, files[:1], hooks=index_hooks())
    sha = next(iter(read_config(db)["documents"]))
    key = read_config(db)["documents"][sha]["chunk_key"]
    monkeypatch.setattr(kg.document, "READER_VERSION", kg.document.READER_VERSION + 1)
    (r,) = _ingest(db, files[:1], hooks=index_hooks())
    assert r.reread and r.sha256 == sha
    assert read_config(db)["documents"][sha]["chunk_key"] != key
