"""Security headers on every response (a CSP with no inline script, nosniff, no framing,
a referrer policy), pages that need nothing the CSP refuses, /docs and /redoc rebuilt
without inline script, and clean 4xx answers for path parameters with control characters
or characters no IRI may hold (issue 15)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

HTML_PAGES = ["/", "/policies", "/agencies", "/disclosures", "/sparql", "/ingest", "/id/policy/shui-2029-7",
              "/id/agency/lake-bureau", "/id/disclosure/test-a", "/id/project/test-a-dike", "/docs", "/redoc"]
JSON_TWINS = ["/index.json", "/policies.json", "/agencies.json?page=1", "/disclosures?format=json",
              "/id/agency/lake-bureau.json", "/id/policy/shui-2029-7?format=json", "/openapi.json"]
RDF = ["/id/agency/lake-bureau.ttl", "/id/agency/lake-bureau?format=jsonld", "/id/agency/lake-bureau.nt"]
STATIC = {"/static/style.css": "text/css", "/static/app.js": "javascript", "/static/docs.js": "javascript",
          "/static/redoc-csp.js": "javascript", "/static-offline-docs/swagger-ui-bundle.js": "javascript",
          "/static-offline-docs/swagger-ui.css": "text/css", "/static-offline-docs/redoc.standalone.js": "javascript"}

CONTROL = ["\x00", "\x01", "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9f"]
NOT_IN_AN_IRI = [" ", "<", ">", '"', "{", "}", "|", "^", "`", "\\", "[", "\ufffd", "\ue000", "%zz", "%"]


def directives(csp: str) -> dict[str, list[str]]:
    out = {}
    for part in csp.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_secured(r, *, html: bool | None = None):
    h = r.headers
    csp = directives(h.get("content-security-policy", ""))
    assert csp.get("script-src") == ["'self'"], (r.url, h.get("content-security-policy"))
    assert csp.get("default-src") == ["'self'"] and csp.get("object-src") == ["'none'"]
    assert csp.get("frame-ancestors") == ["'none'"] and csp.get("base-uri") == ["'self'"]
    assert "'unsafe-inline'" not in str(csp) and "'unsafe-eval'" not in str(csp)
    assert h.get("x-content-type-options") == "nosniff"
    assert h.get("x-frame-options") == "DENY"
    assert h.get("referrer-policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    if html is not None:
        assert ("text/html" in h.get("content-type", "")) == html, (r.url, h.get("content-type"))
    return csp


class InlineFinder(HTMLParser):
    """What a CSP without 'unsafe-inline' refuses: <script> without src, <style>, style="",
    on…= handlers, javascript: URLs; and any resource fetched from another host."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self.nonces: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and not a.get("src"):
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style= on <{tag}>")
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name in ("href", "src", "action") and value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")
        for name in ("src", "href"):
            v = a.get(name) or ""
            fetched = tag in ("script", "img", "iframe") or (tag == "link" and a.get("rel") in ("stylesheet", "icon"))
            if fetched and re.match(r"(?i)^(https?:)?//", v):
                self.problems.append(f"<{tag} {name}={v}> from another host")
        if a.get("nonce"):
            self.nonces.append(a["nonce"])


def inline_problems(html: str) -> InlineFinder:
    f = InlineFinder()
    f.feed(html)
    return f


@pytest.mark.parametrize("path", HTML_PAGES)
def test_html_pages_carry_the_headers_and_nothing_the_csp_refuses(client, path):
    r = client.get(path, headers={"accept": "text/html"})
    assert r.status_code == 200, (path, r.text[:300])
    assert_secured(r, html=True)
    found = inline_problems(r.text)
    assert not found.problems, (path, found.problems)


@pytest.mark.parametrize("path", JSON_TWINS + RDF)
def test_json_twins_and_rdf_carry_the_headers(client, path):
    r = client.get(path)
    assert r.status_code == 200, (path, r.text[:300])
    assert_secured(r, html=False)


@pytest.mark.parametrize("path,ctype", sorted(STATIC.items()))
def test_static_files_carry_the_headers_and_their_real_type(client, path, ctype):
    r = client.get(path)
    assert r.status_code == 200, path
    assert_secured(r, html=False)
    assert ctype in r.headers["content-type"], (path, r.headers["content-type"])  # nosniff: the type must be right


@pytest.mark.parametrize("accept,html", [("application/json", False), ("text/html", True)])
def test_errors_carry_the_headers(client, accept, html):
    for path, status in [("/no/such/page", 404), ("/id/agency/nobody-knows", 404),
                         ("/id/agency/lake%20bureau", 400), ("/agencies?page=0", 422)]:
        r = client.get(path, headers={"accept": accept})
        assert r.status_code == status, (path, r.status_code)
        assert_secured(r, html=html)
        if not html:
            assert r.json()["error"]["status"] == status


def test_a_crash_page_carries_the_headers(mini_db):
    """The 500 page comes from the outermost error layer: the headers are added outside it."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from kg.settings import Settings

    def boom():
        raise RuntimeError("kaboom")

    app = create_app(Settings(db=str(mini_db)))
    app.add_api_route("/boom-for-test", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        for accept, html in (("application/json", False), ("text/html", True)):
            r = c.get("/boom-for-test", headers={"accept": accept})
            assert r.status_code == 500
            assert_secured(r, html=html)


def test_docs_pages_use_packaged_assets_and_no_inline_script(client):
    docs = client.get("/docs")
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.text)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets) and "/static/docs.js" in assets
    for a in assets:
        assert a.startswith("/"), a  # this host, no CDN
        assert client.get(a).status_code == 200, a
    assert 'data-openapi-url="/openapi.json"' in docs.text
    assert client.get("/docs/oauth2-redirect").status_code == 404  # an inline-script page for OAuth, which this API has not


def test_redoc_allows_styles_by_a_fresh_nonce_only(client):
    seen = set()
    for _ in range(2):
        r = client.get("/redoc")
        csp = assert_secured(r, html=True)
        found = inline_problems(r.text)
        assert not found.problems, found.problems
        [nonce] = found.nonces
        assert csp["style-src"] == ["'self'", f"'nonce-{nonce}'"]
        assert csp["worker-src"] == ["'self'", "blob:"]  # ReDoc's search index runs in a worker it builds
        assert len(nonce) >= 16
        seen.add(nonce)
        for a in re.findall(r'src="([^"]+)"', r.text):
            assert a.startswith("/") and client.get(a).status_code == 200, a
    assert len(seen) == 2
    # every other page keeps styles to this origin
    assert directives(client.get("/").headers["content-security-policy"])["style-src"] == ["'self'"]


# --- path parameters with characters no route can use ------------------------------------

def path_param_routes(app) -> list[str]:
    """A request path for every route and mount that takes a path parameter, with `{}` where
    the parameter's value goes (read from the app, so a new route is covered as it comes)."""
    from starlette.routing import Mount

    found = {p for p, ops in app.openapi()["paths"].items() if "{" in p and "get" in ops}

    def walk(routes):  # routes left out of the schema too; included routers nest theirs
        for r in routes:
            if isinstance(r, Mount):
                found.add(r.path + "/{}")
            elif "{" in (getattr(r, "path", None) or "") and "GET" in (getattr(r, "methods", None) or ()):
                found.add(r.path)
            inner = getattr(r, "original_router", None)
            if inner is not None:
                walk(inner.routes)

    walk(app.routes)
    return sorted({re.sub(r"\{[^}]+\}", "{}", p) for p in found})


def _error_shape(r, status):
    body = r.json()
    assert set(body) == {"error"} and body["error"]["status"] == status and body["error"]["code"], body
    return body["error"]


@pytest.mark.parametrize("ch", CONTROL, ids=[f"U+{ord(c):04X}" for c in CONTROL])
def test_control_characters_in_any_path_parameter_are_a_400(client, ch):
    routes = path_param_routes(client.app)
    for expected in ("/id/{}", "/ingest/jobs/{}", "/static/{}", "/static-offline-docs/{}"):
        assert expected in routes, routes
    for route in routes:
        for value in (f"a{ch}b", f"agency/x{ch}", f"{ch}"):
            path = route.replace("{}", quote(value, safe="/"))
            r = client.get(path, headers={"accept": "application/json"})
            assert r.status_code == 400, (path, r.status_code, r.text[:200])
            err = _error_shape(r, 400)
            assert err["code"] == "bad_path" and ch not in err["message"], err  # the message shows it escaped
            assert_secured(r, html=False)
            page = client.get(path, headers={"accept": "text/html"})
            html = not path.endswith(".json")  # a .json twin answers JSON whatever Accept says (errors.wants_html)
            assert page.status_code == 400 and ("text/html" in page.headers["content-type"]) == html, path
            assert_secured(page, html=html)


def test_characters_no_iri_may_hold_are_a_400_and_valid_iris_still_resolve(client):
    """The IRI grammar decides (the parser the query would meet): what it refuses is the
    client's error, on /id/ and with a format suffix; other routes answer 400 or 404."""
    routes = path_param_routes(client.app)
    for bad in NOT_IN_AN_IRI:
        value = quote(f"agency/lake{bad}bureau", safe="/%" if bad.startswith("%") else "/")
        for suffix in ("", ".ttl", ".json"):
            r = client.get(f"/id/{value}{suffix}", headers={"accept": "application/json"})
            assert r.status_code == 400, (value, suffix, r.status_code, r.text[:200])
            assert _error_shape(r, 400)["code"] == "bad_iri"
        for route in routes:
            r = client.get(route.replace("{}", value), headers={"accept": "application/json"})
            assert r.status_code in (400, 404), (route, value, r.status_code, r.text[:200])
            _error_shape(r, r.status_code)
    # not whatever is unusual: a Chinese path or an escaped `#` is a well-formed IRI that
    # names nothing here
    for value in ("agency/湖滨县", "agency/a%23b", "agency/a%2541", "policy/x\u2028y"):
        r = client.get("/id/" + quote(value, safe="/%"), headers={"accept": "application/json"})
        assert r.status_code == 404, (value, r.status_code, r.text[:200])
        assert _error_shape(r, 404)["code"] == "not_found"
    assert client.get("/id/agency/lake-bureau", params={"format": "json"}).status_code == 200
