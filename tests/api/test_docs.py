"""The curl examples in docs/api.md run against the service (so the docs cannot rot), and
the real search index answers /api/search through the service. Uses the shared corpus
database (tests/conftest.py txt_db: graph + search index)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from apihelpers import make_client

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"

pytestmark = pytest.mark.shared


def curl_examples() -> list[tuple[str, int | None]]:
    """(command, expected status) for every curl line in a ```sh block; `# 403` states a status."""
    out, inside = [], False
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = line.strip() == "```sh"
            continue
        if inside and line.startswith("curl "):
            cmd, _, comment = line.partition("   # ")
            m = re.match(r"\s*(\d{3})", comment)
            out.append((cmd.strip(), int(m.group(1)) if m else None))
    return out


def replay(c, cmd: str, subst: dict[str, str]):
    for k, v in subst.items():
        cmd = cmd.replace(k, v)
    args = shlex.split(cmd)[1:]
    method, headers, form, body, url, get = None, {}, [], None, None, False
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-s":
            pass
        elif a == "-G":
            get = True
        elif a == "-H":
            i += 1
            k, _, v = args[i].partition(":")
            headers[k.strip().lower()] = v.strip()
        elif a == "--data-urlencode":
            i += 1
            k, _, v = args[i].partition("=")
            form.append((k, v))
        elif a == "--data-binary":
            i += 1
            body = args[i].encode()
        elif a == "-F":
            return None  # uploads are covered by test_upload.py
        elif a.startswith("http"):
            url = a
        else:
            raise AssertionError(f"docs example uses an option this test does not replay: {a}")
        i += 1
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if body is not None:
        return c.post(path, content=body, headers=headers)
    if form and not get:
        return c.post(path, data=dict(form), headers=headers)
    return c.request(method or "GET", path, params=form or None, headers=headers)


@pytest.fixture(scope="module")
def shared_client(txt_db):
    with make_client(txt_db) as c:
        yield c


def test_docs_examples_run(shared_client):
    c = shared_client
    examples = curl_examples()
    assert len(examples) >= 10
    subst = {"{first-policy}": c.get("/policies.json").json()["items"][0]["href"].removeprefix("/id/"),
             "{first-agency}": c.get("/agencies.json").json()["items"][0]["href"].removeprefix("/id/")}
    ran = 0
    for cmd, status in examples:
        r = replay(c, cmd, subst)
        if r is None:
            continue
        ran += 1
        if status:
            assert r.status_code == status, (cmd, r.text[:300])
            assert r.json()["error"]["status"] == status
        else:
            assert r.status_code == 200, (cmd, r.text[:300])
            assert r.content.strip(), cmd
    assert ran >= 10


def test_search_through_the_service(shared_client):
    c = shared_client
    r = c.get("/api/search", params={"q": "一般公共预算拨款收入", "k": 5})
    assert r.status_code == 200, r.text
    body = r.json()
    assert 1 <= body["count"] <= 5
    for h in body["hits"]:
        assert h["source_file"] and isinstance(h["page"], int) and h["text"]
        assert h["disclosure_href"] and h["disclosure_href"].startswith("/id/")
    year = body["hits"][0]["year"]
    if year:
        filtered = c.get("/api/search", params={"q": "一般公共预算拨款收入", "year": year}).json()
        assert filtered["hits"] and all(h["year"] == year for h in filtered["hits"])
    html = c.get("/", params={"q": "一般公共预算拨款收入"}, headers={"accept": "text/html"}).text
    assert 'class="hit"' in html and "第 " in html
