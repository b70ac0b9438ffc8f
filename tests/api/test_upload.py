"""POST /ingest: token, size and type checks; the ingest runs in the background and the
service keeps answering meanwhile."""

from __future__ import annotations

import threading
import time

import pytest
from apihelpers import TOKEN, build_mini_db, make_client

import kg.pipeline


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
    import search.hooks

    monkeypatch.setattr(search.hooks, "sync_index", lambda db, store: None)
    monkeypatch.setattr(search.hooks, "index_is_current", lambda db, store: True)
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


# --- streaming: what the service reads of a body it refuses ---------------------------------

BOUNDARY = "budgetkgtestboundary"


def part(name: str, value: bytes, filename: str | None = None, end: bool = True) -> bytes:
    """One multipart part; `end=False` leaves the value open (the body goes on with it)."""
    disp = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disp}\r\n"
    if filename is not None:
        head += "Content-Type: application/octet-stream\r\n"
    return (head + "\r\n").encode("utf-8") + value + (b"\r\n" if end else b"")


def closing() -> bytes:
    return f"--{BOUNDARY}--\r\n".encode()


def stream_post(app, chunks, headers=None, path="/ingest"):
    """POST bodies to the ASGI app as a chunked upload would arrive (no Content-Length),
    one chunk per receive(). `chunks` is one list of chunks, or several lists sent at the
    same time, their chunks interleaved. Returns (status, JSON body, sizes of the chunks
    the app pulled), or a list of them for several bodies."""
    import asyncio
    import json

    bodies = chunks if chunks and isinstance(chunks[0], list) else [chunks]
    hdrs = [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
            (b"transfer-encoding", b"chunked")]
    hdrs += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]

    async def one(body):
        pulled: list[int] = []
        it = iter(body)
        sent: dict = {"body": b""}
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
                 "headers": hdrs, "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}

        async def receive():
            await asyncio.sleep(0.001)  # lets the other uploads take their turn
            chunk = next(it, None)
            if chunk is None:
                return {"type": "http.request", "body": b"", "more_body": False}
            pulled.append(len(chunk))
            return {"type": "http.request", "body": chunk, "more_body": True}

        async def send(msg):
            if msg["type"] == "http.response.start":
                sent["status"] = msg["status"]
            elif msg["type"] == "http.response.body":
                sent["body"] += msg.get("body", b"")

        await app(scope, receive, send)
        return sent["status"], json.loads(sent["body"] or b"{}"), pulled

    async def run():
        return await asyncio.gather(*(one(b) for b in bodies))

    answers = asyncio.run(run())
    return answers if bodies is chunks else answers[0]


def upload_leftovers(db) -> list[str]:
    folder = db / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def writable_db(tmp_path, monkeypatch):
    """A writable service whose ingest only records the bytes it was given."""

    seen: list[bytes] = []

    def fake_ingest(paths, db, store, workers=None, **kw):
        from pathlib import Path

        seen.append(Path(paths[0]).read_bytes())
        return []

    monkeypatch.setattr(kg.pipeline, "ingest", fake_ingest)
    db = build_mini_db(tmp_path / "db")
    with make_client(db, write_token=TOKEN, upload_max_mb=1) as c:
        yield c, db, seen


def test_a_refused_token_stops_the_upload_before_its_file_is_read(writable_db):
    c, db, seen = writable_db
    data = [b"0" * 65536] * 32  # 2 MB the service must never pull
    for fields in (b"", part("token", b"wrong")):
        status, body, pulled = stream_post(c.app, [fields + part("file", b"", "a.txt", end=False), *data])
        assert status == 403 and body["error"]["code"] == "forbidden", body
        assert len(pulled) == 1, f"read {sum(pulled)} bytes of a refused upload"
    assert upload_leftovers(db) == [] and seen == []


def test_the_token_field_must_come_before_the_file(writable_db):
    c, db, seen = writable_db
    r = c.post("/ingest", content=part("file", b"some text", "a.txt") + part("token", TOKEN.encode()) + closing(),
               headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    err(r, 403, "forbidden")
    assert "before the file" in r.json()["error"]["message"]
    r = c.post("/ingest", content=part("token", TOKEN.encode()) + part("file", b"some text", "a.txt") + closing(),
               headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert r.status_code == 202, r.text


def test_the_form_sends_the_token_first(writable):
    html = writable.get("/ingest", headers={"accept": "text/html"}).text
    assert 0 < html.index('name="token"') < html.index('name="file"')


def test_a_chunked_upload_over_the_limit_stops_at_the_limit(writable_db):
    c, db, seen = writable_db
    chunk = b"0" * 65536
    for fields, headers in ((b"", {"authorization": f"Bearer {TOKEN}"}), (part("token", TOKEN.encode()), {})):
        body = [fields + part("file", b"", "big.txt", end=False), *[chunk] * 48, b"\r\n" + closing()]  # 3 MB > 1 MB
        status, resp, pulled = stream_post(c.app, body, headers)
        assert status == 413 and resp["error"]["code"] == "too_large", resp
        assert sum(pulled) <= 1024 * 1024 + 2 * len(chunk), f"read {sum(pulled)} bytes"
        assert upload_leftovers(db) == []
    assert seen == []


def test_concurrent_uploads_of_one_name_never_mix(tmp_path, monkeypatch):
    """Four clients upload different bytes under one name at once: none gets a 5xx, each
    ingest sees exactly one client's bytes, and no temporary file is left behind."""

    seen: list[bytes] = []

    def fake_ingest(paths, db, store, workers=None, **kw):
        from pathlib import Path

        seen.append(Path(paths[0]).read_bytes())
        return []

    monkeypatch.setattr(kg.pipeline, "ingest", fake_ingest)
    db = build_mini_db(tmp_path / "db")
    payloads = [bytes([65 + i]) * (2 * 1024 * 1024) for i in range(4)]  # over the 1 MB a form spools in memory
    bodies = [[part("file", b"", "same.txt", end=False),
               *[p[i:i + 65536] for i in range(0, len(p), 65536)], b"\r\n" + closing()] for p in payloads]
    with make_client(db, write_token=TOKEN, upload_max_mb=4) as c:
        answers = stream_post(c.app, bodies, {"authorization": f"Bearer {TOKEN}"})
        statuses = [a[0] for a in answers]
        assert set(statuses) <= {202, 409} and 202 in statuses, answers
        for status, body, _ in answers:
            if status == 409:
                assert body["error"]["code"] == "ingest_in_progress"
            else:
                assert wait_job(c, body["job"]["href"])["status"] == "done"
    assert len(seen) == statuses.count(202)
    assert all(s in payloads for s in seen), [len(s) for s in seen]
    assert upload_leftovers(db) == ["same.txt"]
    assert (db / "uploads" / "same.txt").read_bytes() in payloads


def test_one_ingest_at_a_time_per_disclosure(writable, monkeypatch):

    gate = threading.Event()
    started = threading.Event()

    def slow_ingest(paths, db, store, workers=None, **kw):
        started.set()
        assert gate.wait(30)
        return []

    monkeypatch.setattr(kg.pipeline, "ingest", slow_ingest)
    c = writable
    auth = {"authorization": f"Bearer {TOKEN}"}
    first = c.post("/ingest", files={"file": ("a.txt", b"one")}, headers=auth)
    assert first.status_code == 202 and started.wait(10)
    other = c.post("/ingest", files={"file": ("b.txt", b"other")}, headers=auth)  # queued behind it
    assert other.status_code == 202
    for name, job in (("a.txt", first), ("b.txt", other)):  # running, then queued
        e = err(c.post("/ingest", files={"file": (name, b"two")}, headers=auth), 409, "ingest_in_progress")
        assert job.json()["job"]["href"] in e["message"]
    assert c.app.state.services.db.joinpath("uploads", "a.txt").read_bytes() == b"one"
    gate.set()
    for job in (first, other):
        assert wait_job(c, job.json()["job"]["href"])["status"] == "done"
    again = c.post("/ingest", files={"file": ("a.txt", b"two")}, headers=auth)
    assert again.status_code == 202 and wait_job(c, again.json()["job"]["href"])["status"] == "done"


def test_long_names_keep_their_suffix():
    from api.routes.ingest import safe_name

    for name in ("报告" * 100 + ".pdf", "a" * 300 + ".txt", "部门预算" + "x" * 160 + ".md"):
        short = safe_name(name)
        assert short.endswith(name[name.rindex("."):]) and short[:2] == name[:2], short
        assert len(short) <= 150 and len(short.encode("utf-8")) <= 200
    assert safe_name("x" * 200) == "x" * 150  # no suffix to keep


def test_a_long_cjk_name_is_uploaded(writable_db):
    c, db, seen = writable_db
    name = "某某市财政局2024年部门预算公开" * 10 + ".txt"
    r = c.post("/ingest", files={"file": (name, b"some text")}, headers={"authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 202, r.text
    job = wait_job(c, r.json()["job"]["href"])
    assert job["status"] == "done" and job["filename"].endswith(".txt") and job["filename"].startswith("某某市财政局")
    assert seen == [b"some text"]


def test_jobs_outlive_the_service(tmp_path, monkeypatch):

    runs = []
    monkeypatch.setattr(kg.pipeline, "ingest", lambda paths, db, store, workers=None, **kw: runs.append(paths) or [])
    db = build_mini_db(tmp_path / "db")
    with make_client(db, write_token=TOKEN) as c:
        r = c.post("/ingest", files={"file": ("kept.txt", b"some text")}, headers={"authorization": f"Bearer {TOKEN}"})
        done = wait_job(c, r.json()["job"]["href"])
    with make_client(db, write_token=TOKEN) as again:
        assert wait_job(again, r.json()["job"]["href"]) == done
    assert len(runs) == 1  # a finished job is not run again
