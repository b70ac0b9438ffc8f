"""Ingest jobs survive the service: a job the service was running when it died is run again
(or failed, when its upload is gone) at the next start, and search ends up agreeing with
the store — after a restart as after a SPARQL update that dropped a disclosure."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from apihelpers import TOKEN, build_mini_db, make_client

AUTH = {"authorization": f"Bearer {TOKEN}"}


def wait_job(c, href, timeout=180):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        job = c.get(href, params={"format": "json"}).json()["job"]
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {href} did not finish")


def settle(c, timeout=180) -> list[dict]:
    """Wait until no job is queued or running; the jobs listed."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        jobs = c.get("/ingest", params={"format": "json"}).json()["jobs"]
        if all(j["status"] in ("done", "failed") for j in jobs):
            return jobs
        time.sleep(0.2)
    raise AssertionError("jobs did not end")


def sync_jobs(c) -> list[dict]:
    return [j for j in c.get("/ingest", params={"format": "json"}).json()["jobs"] if j["kind"] == "sync"]


def interrupted(db: Path, job_id: str, filename: str, status: str = "running", **extra) -> None:
    """What a service killed in the middle of a job leaves in DB/jobs/."""
    (db / "jobs").mkdir(exist_ok=True)
    job = {"id": job_id, "filename": filename, "path": str(db / "uploads" / filename), "status": status,
           "kind": "ingest", "created": time.time() - 60, "finished": None, "results": [], "error": None,
           "attempts": 1, **extra}
    (db / "jobs" / f"{job_id}.json").write_text(json.dumps(job), encoding="utf-8")


@pytest.fixture
def no_index_sync(monkeypatch):
    # The sync trains an embedding model: these tests are about the jobs around it.
    import search.hooks

    calls = []
    monkeypatch.setattr(search.hooks, "sync_index", lambda db, store: calls.append(db))
    monkeypatch.setattr(search.hooks, "index_is_current", lambda db, store: True)
    return calls


def test_a_job_interrupted_while_running_is_run_again(tmp_path, sample_corpus, no_index_sync):
    db = build_mini_db(tmp_path / "db")
    src, second = sorted((sample_corpus / "txt").glob("*.txt"))[:2]
    (db / "uploads").mkdir()
    for f in (src, second):
        shutil.copy(f, db / "uploads" / f.name)
    interrupted(db, "aaaaaaaaaaaa", src.name, "running")
    interrupted(db, "bbbbbbbbbbbb", second.name, "queued", created=time.time())
    with make_client(db, write_token=TOKEN) as c:
        job = wait_job(c, "/ingest/jobs/aaaaaaaaaaaa")
        assert job["status"] == "done", job
        assert [r["status"] for r in job["results"]] == ["added"] and job["attempts"] == 2
        queued = wait_job(c, "/ingest/jobs/bbbbbbbbbbbb")
        assert queued["status"] == "done", queued
        files = {d["source_file"] for d in c.get("/disclosures.json").json()["items"]}
        assert {src.name, second.name} <= files
    # the state on disk says so too: the next start runs nothing again
    assert json.loads((db / "jobs" / "aaaaaaaaaaaa.json").read_text())["status"] == "done"


def test_a_job_whose_upload_is_gone_fails_with_the_reason(tmp_path, no_index_sync):
    db = build_mini_db(tmp_path / "db")
    interrupted(db, "cccccccccccc", "lost.pdf")
    interrupted(db, "dddddddddddd", "crashy.pdf", attempts=3)
    (db / "uploads").mkdir()
    (db / "uploads" / "crashy.pdf").write_bytes(b"%PDF-1.4\n")
    with make_client(db, write_token=TOKEN) as c:
        job = wait_job(c, "/ingest/jobs/cccccccccccc")
        assert job["status"] == "failed" and "lost.pdf" in job["error"] and "gone" in job["error"]
        crashy = wait_job(c, "/ingest/jobs/dddddddddddd")
        assert crashy["status"] == "failed" and "3 times" in crashy["error"]
        # the index is brought in line with whatever the interrupted jobs left in the store
        assert [wait_job(c, j["href"])["status"] for j in sync_jobs(c)] == ["done"]


def test_a_read_only_service_leaves_interrupted_jobs_alone(tmp_path, no_index_sync):
    db = build_mini_db(tmp_path / "db")
    interrupted(db, "eeeeeeeeeeee", "later.txt")
    with make_client(db) as c:
        assert c.get("/ingest/jobs/eeeeeeeeeeee", params={"format": "json"}).json()["job"]["status"] == "running"
        assert sync_jobs(c) == []


def _copy_db(sample_db: Path, dest: Path) -> Path:
    shutil.copytree(sample_db, dest, ignore=shutil.ignore_patterns("LOCK"))
    return dest


def _victim(db: Path):
    """A disclosure of the sample database: (graph IRI, source file, sha256)."""
    from kg.store import open_store

    store = open_store(db, read_only=True, backend="oxigraph")
    try:
        d = sorted(store.documents(), key=lambda d: d.source_file)[0]
    finally:
        store.close()
    return d.graph, d.source_file, d.sha256


def _search(c, source_file: str) -> int:
    r = c.get("/api/search", params={"q": "预算", "doc": source_file, "k": 5})
    assert r.status_code == 200, r.text
    return r.json()["count"]


def test_restart_after_a_crash_mid_ingest_repairs_the_index(tmp_path, sample_db):
    """The store lost a disclosure (the interrupted job had replaced it) but the index still
    holds it, and the job's upload is gone: the job fails and search stops finding it."""
    from kg.store import open_store
    from search.index import is_current, read_config

    db = _copy_db(sample_db, tmp_path / "db")
    graph, source_file, sha = _victim(db)
    store = open_store(db, backend="oxigraph")
    try:
        store.drop_graphs([graph])
    finally:
        store.close()
    assert sha in read_config(db)["documents"]  # store and search disagree, as after the crash
    interrupted(db, "ffffffffffff", source_file)
    with make_client(db, write_token=TOKEN) as c:
        settle(c)
        assert _search(c, source_file) == 0
        assert c.get("/ingest/jobs/ffffffffffff", params={"format": "json"}).json()["job"]["status"] == "failed"
        assert [j["status"] for j in sync_jobs(c)] == ["done"]
        assert sha not in read_config(db)["documents"]
        assert is_current(db, c.app.state.services.store)


def test_search_forgets_a_disclosure_dropped_by_a_sparql_update(tmp_path, sample_db):
    db = _copy_db(sample_db, tmp_path / "db")
    graph, source_file, _ = _victim(db)
    with make_client(db, write_token=TOKEN) as c:
        assert _search(c, source_file) > 0
        r = c.post("/sparql", content=f"DROP GRAPH <{graph}>",
                   headers={**AUTH, "content-type": "application/sparql-update"})
        assert r.status_code == 204, r.text
        settle(c)
        assert _search(c, source_file) == 0
        assert [j["status"] for j in sync_jobs(c)] == ["done"]
        # other disclosures are still found
        others = [d["source_file"] for d in c.get("/disclosures.json").json()["items"]]
        assert others and source_file not in others and _search(c, others[0]) > 0
