"""Charts and comparison pages in a real browser (Debian's chromium, driven by Playwright)
against a live server on the sample corpus: an agency with two or more years shows its
charts (the SVG images load), the table of their figures and a link to its comparison
page, which shows the years side by side; a chart opened on its own renders under its own
policy; the several-agency form compares the agencies picked. Everything runs under the
service's Content-Security-Policy: every test fails on a CSP violation or an error in the
console, and on any request to another host. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
BKG = "https://w3id.org/budgetkg/def#"
ID = "https://w3id.org/budgetkg/id/"

pytestmark = pytest.mark.browser


def _require_browser():
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "the playwright package is missing (pip install -e '.[dev]')"
    if problem is None and not Path(CHROMIUM).exists():
        problem = f"{CHROMIUM} is missing (make sysdeps installs Debian's chromium)"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem)
        pytest.skip(problem)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(sample_db):
    _require_browser()
    import uvicorn

    from api.app import create_app
    from kg.settings import Settings

    port = _free_port()
    app = create_app(Settings(db=str(sample_db)))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    t0 = time.monotonic()
    while not srv.started:
        assert th.is_alive() and time.monotonic() - t0 < 30, "the server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    srv.should_exit = True
    th.join(10)


class Watch:
    """What the browser did that the pages must never make it do."""

    def __init__(self, base: str):
        self.base = base
        self.console: list[str] = []
        self.foreign: list[str] = []

    def on_console(self, msg) -> None:
        if msg.type == "error" or "Content Security Policy" in msg.text:
            self.console.append(f"{msg.type}: {msg.text}")

    def on_page_error(self, exc) -> None:
        self.console.append(f"uncaught: {exc}")

    def on_request(self, request) -> None:
        url = request.url
        # data: URLs never leave the page; a blob: URL made here carries this origin
        if not (url.startswith(self.base + "/") or url.startswith("data:") or url.startswith(f"blob:{self.base}/")):
            self.foreign.append(url)

    def clear(self) -> None:
        self.console.clear()
        self.foreign.clear()


@pytest.fixture(scope="module")
def browser_page(server):
    from playwright.sync_api import sync_playwright

    base, _ = server
    watch = Watch(base)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        pg.set_default_timeout(int(os.environ.get("BUDGETKG_BROWSER_TIMEOUT_MS", "120000")))
        pg.on("console", watch.on_console)
        pg.on("pageerror", watch.on_page_error)
        pg.on("request", watch.on_request)
        yield pg, watch
        browser.close()


@pytest.fixture
def page(browser_page):
    """The browser's one page; the test fails on anything the CSP refused, any console
    error, and any request to another host while it ran."""
    pg, watch = browser_page
    watch.clear()
    yield pg
    pg.wait_for_timeout(300)  # console messages and late requests of the last step arrive
    assert not watch.console, watch.console
    assert not watch.foreign, watch.foreign


def goto(page, url: str):
    """page.goto, checking the security headers came with the page."""
    r = page.goto(url)
    assert r is not None and r.ok, (url, r and r.status)
    csp = r.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, (url, csp)
    assert r.headers.get("x-content-type-options") == "nosniff" and r.headers.get("x-frame-options") == "DENY"
    assert r.headers.get("referrer-policy"), url
    return r


def _agency_with_years(app) -> tuple[str, int]:
    """An agency of the sample corpus with budgets of two or more years (read from the graph)."""
    rows = app.state.services.store.select(f"""PREFIX bkg: <{BKG}>
        SELECT ?a (COUNT(DISTINCT ?y) AS ?n) WHERE {{ ?d bkg:reportingAgency ?a ; bkg:fiscalYear ?y ;
        bkg:documentKind "budget" }} GROUP BY ?a HAVING (COUNT(DISTINCT ?y) >= 2) ORDER BY DESC(?n) ?a LIMIT 1""")
    assert rows, "the sample corpus has no agency with budgets for two years"
    return rows[0]["a"], int(rows[0]["n"])


def test_agency_chart_loads_and_links_to_the_comparison(server, page):
    base, app = server
    agency, years = _agency_with_years(app)
    goto(page, base + "/id/" + agency.removeprefix(ID))
    charts = page.locator("figure.chart img")
    assert charts.count() >= 1
    first = charts.first
    first.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first.element_handle())
    assert first.get_attribute("role") == "img" and first.get_attribute("aria-label")
    assert first.get_attribute("src").endswith("/chart/totals.svg")
    # the figures of the chart as a table beside it: one row per year
    table = page.locator(f"#{first.get_attribute('aria-describedby')}")
    assert table.locator("tbody tr").count() >= years and "万元" in table.inner_text()
    # the image came as SVG under its own policy (no script, inline style only)
    svg = page.request.get(base + first.get_attribute("src"))
    assert svg.ok and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.headers["content-security-policy"].startswith("default-src 'none'")
    page.screenshot(path=str(ARTIFACTS / "agency_chart.png"), full_page=True)

    page.click("a.compare-link")
    page.wait_for_selector("table.compare")
    assert page.url.endswith("/compare")
    header = page.locator("table.compare").first.locator("thead").inner_text()
    assert "增减率" in header and sum(str(y) in header for y in range(1990, 2100)) >= 2
    assert "%" in page.locator("table.compare").first.locator("tbody").inner_text()
    page.screenshot(path=str(ARTIFACTS / "agency_compare.png"), full_page=True)


def test_a_chart_opened_on_its_own_renders_under_its_policy(server, page):
    base, app = server
    agency, _ = _agency_with_years(app)
    r = page.goto(f"{base}/id/{agency.removeprefix(ID)}/chart/totals.svg")
    assert r.ok and r.headers["content-security-policy"].startswith("default-src 'none'")
    # the document is the SVG; its inline style applies (a refusal would be a console error)
    assert page.evaluate("() => document.documentElement.localName") == "svg"
    assert page.evaluate("() => document.querySelector('title').textContent").strip()
    assert page.evaluate("() => document.querySelectorAll('script').length") == 0
    fill = page.evaluate("() => getComputedStyle(document.querySelector('.plot .background')).fill")
    assert fill and fill != "rgb(0, 0, 0)", fill  # pygal's <style> reached the elements


def test_compare_several_agencies_with_the_form(server, page):
    base, app = server
    rows = app.state.services.store.select(f"""PREFIX bkg: <{BKG}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?y ?a ?name WHERE {{ ?d bkg:reportingAgency ?a ; bkg:fiscalYear ?y ; bkg:documentKind "budget" .
        ?a rdfs:label ?name }} ORDER BY ?y ?name""")
    by_year: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        by_year.setdefault(r["y"], []).append((r["a"].removeprefix(ID + "agency/"), r["name"]))
    year, agencies = next((y, a[:2]) for y, a in sorted(by_year.items()) if len(a) >= 2)
    goto(page, f"{base}/compare?year={year}")
    page.select_option("select[name=agency]", [key for key, _ in agencies])
    page.click("form.compare-form button[type=submit]")
    page.wait_for_selector("table.compare")
    assert page.url.count("agency=") == 2 and f"year={year}" in page.url
    head = page.locator("table.compare").first.locator("thead")
    assert head.locator("th").count() == 3 and all(name in head.inner_text() for _, name in agencies)
    body = page.locator("table.compare").first.locator("tbody").inner_text()
    assert "本年收入合计" in body and "万元" in body
    page.screenshot(path=str(ARTIFACTS / "compare_agencies.png"), full_page=True)
