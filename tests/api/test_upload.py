"""POST /ingest: token, size and type checks; the ingest runs in the background and the
service keeps answering meanwhile."""

from __future__ import annotations

import threading
import time

import pytest
from apihelpers import TOKEN, build_mini_db, make_client


def err(r, status, code=None):
    assert r.status_code == status, r.text
    e = r.json()["error"]
    assert e["status"] == status and e["message"]
    if code:
        assert e["code"] == code, e
    return e


@pytest.fixture
def writable(tmp_path, monkeypatch):
    # The index sync trains an embedding model: not what these tests are about.
    import kg.pipeline

    monkeypatch.setattr(kg.pipeline, "sync_index", lambda db, store: None)
    monkeypatch.setattr(kg.pipeline, "index_is_current", lambda db, store: True)
    with make_client(build_mini_db(tmp_path / "db"), write_token=TOKEN, upload_max_mb=1) as c:
        yield c


def wait_job(c, href, timeout=120):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        job = c.get(href, params={"format": "json"}).json()["job"]
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {href} did not finish")


def test_read_only_service_refuses_uploads(client, mini_db):
    err(client.post("/ingest", files={"file": ("a.txt", b"x")}, data={"token": "anything"}), 403, "read_only")
    assert not (mini_db / "uploads").exists()
    assert client.get("/ingest", params={"format": "json"}).json()["writable"] is False


def test_token_checks(writable):
    c = writable
    err(c.post("/ingest", files={"file": ("a.txt", b"x")}), 403, "forbidden")
    err(c.post("/ingest", files={"file": ("a.txt", b"x")}, data={"token": "wrong"}), 403, "forbidden")
    err(c.post("/ingest", files={"file": ("a.txt", b"x")}, headers={"authorization": "Bearer wrong"}), 403, "forbidden")


def test_size_and_type_checks(writable):
    c = writable
    auth = {"authorization": f"Bearer {TOKEN}"}
    err(c.post("/ingest", files={"file": ("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10))}, headers=auth), 413, "too_large")
    err(c.post("/ingest", files={"file": ("x.docx", b"hello")}, headers=auth), 415)
    err(c.post("/ingest", files={"file": ("fake.pdf", b"hello, not a pdf")}, headers=auth), 415, "not_a_pdf")
    err(c.post("/ingest", files={"file": ("empty.txt", b"")}, headers=auth), 400, "empty_file")
    err(c.post("/ingest", data={"token": TOKEN}, files={"other": ("a.txt", b"x")}), 400, "missing_file")
    err(c.post("/ingest", content=b"x", headers={**auth, "content-type": "text/plain"}), 415)


def test_upload_ingests_in_the_background(writable, sample_corpus):
    c = writable
    src = sorted((sample_corpus / "txt").glob("*.txt"))[0]
    r = c.post("/ingest", files={"file": (src.name, src.read_bytes(), "text/plain")}, data={"token": TOKEN})
    assert r.status_code == 202, r.text
    job = wait_job(c, r.json()["job"]["href"])
    assert job["status"] == "done", job
    assert job["results"][0]["status"] == "added" and job["results"][0]["source_file"] == src.name
    files = [d["source_file"] for d in c.get("/disclosures.json").json()["items"]]
    assert src.name in files and "test_a.pdf" in files
    # the new disclosure has a page of its own
    d = next(d for d in c.get("/disclosures.json").json()["items"] if d["source_file"] == src.name)
    assert c.get(d["href"], params={"format": "json"}).status_code == 200
    # uploading the same bytes again changes nothing
    r = c.post("/ingest", files={"file": (src.name, src.read_bytes())}, headers={"authorization": f"Bearer {TOKEN}"})
    assert wait_job(c, r.json()["job"]["href"])["results"][0]["status"] == "unchanged"


def test_service_answers_while_an_ingest_runs(writable, monkeypatch):
    import kg.pipeline

    gate = threading.Event()
    started = threading.Event()

    def slow_ingest(paths, db, store, workers=None, **kw):
        started.set()
        assert gate.wait(30)
        return []

    monkeypatch.setattr(kg.pipeline, "ingest", slow_ingest)
    c = writable
    r = c.post("/ingest", files={"file": ("slow.txt", b"some text")}, headers={"authorization": f"Bearer {TOKEN}",
                                                                             "accept": "text/html"},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/ingest/jobs/")
    assert started.wait(10)
    t0 = time.monotonic()
    assert c.get("/policies.json").status_code == 200
    ask = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert ask.status_code == 200 and ask.json()["boolean"] is True, ask.text
    assert time.monotonic() - t0 < 5
    page = c.get(r.headers["location"], headers={"accept": "text/html"})
    assert page.status_code == 200 and "导入中" in page.text and 'http-equiv="refresh"' in page.text
    gate.set()
    assert wait_job(c, r.headers["location"])["status"] == "done"


def test_safe_name():
    from api.routes.ingest import safe_name

    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("C:\\x\\报告 2024.pdf") == "报告_2024.pdf"
    assert safe_name(".hidden.pdf") == "hidden.pdf"
    assert safe_name("") == "upload"
