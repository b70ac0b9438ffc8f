"""A real browser (Debian's chromium, driven by Playwright) against a live server on the
sample corpus: ask a question on the home page, read the answer and its page citation,
click through to the policy page. Screenshots go to tests/artifacts/ (gitignored)."""

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


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        pg.set_default_timeout(int(os.environ.get("BUDGETKG_BROWSER_TIMEOUT_MS", "120000")))  # the first answer loads the QA engine's names
        yield pg
        browser.close()


def _cited_policy(app) -> str:
    """A policy number that some project of the sample corpus cites (read from the graph)."""
    rows = app.state.services.store.select("""PREFIX bkg: <https://w3id.org/budgetkg/def#>
        SELECT ?n (COUNT(DISTINCT ?p) AS ?k) WHERE { ?c bkg:citedPolicy ?pol ; bkg:citingProject ?p .
        ?pol bkg:documentNumber ?n } GROUP BY ?n ORDER BY DESC(?k) ?n LIMIT 1""")
    assert rows, "the sample corpus has no policy citations"
    return rows[0]["n"]


def test_ask_then_open_the_policy_page(server, page):
    base, app = server
    ARTIFACTS.mkdir(exist_ok=True)
    number = _cited_policy(app)
    page.goto(base + "/")
    assert page.title().endswith("budgetkg")
    page.fill("input[name=q]", f"哪些项目以{number}为依据？")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("#answer")
    card = page.locator("#answer")
    assert card.locator(".answer-text").inner_text().strip()
    cites = card.locator(".evidence .cite")
    assert cites.count() >= 1
    first = cites.first.inner_text()
    assert "第" in first and "页" in first, first  # file + page
    page.screenshot(path=str(ARTIFACTS / "home_answer.png"), full_page=True)

    link = card.locator(".entities a[href^='/id/policy/']").first
    assert link.count() == 1
    link.click()
    page.wait_for_selector("h1")
    assert number in page.locator("h1").inner_text()
    assert page.locator("table.list tbody tr").count() >= 1  # the citing projects
    assert "万元" in page.locator("table.list").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "policy_page.png"), full_page=True)


def test_sparql_editor_runs_an_example(server, page):
    base, _ = server
    page.goto(base + "/sparql")
    examples = page.locator("a.example")
    if examples.count():
        examples.first.click()  # loads the query into the editor (JS)
        assert page.locator("#query").input_value().strip()
    else:
        page.fill("#query", "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5")
    page.click("form.sparql button[type=submit]")
    page.wait_for_selector(".results, .error-box")
    assert page.locator(".error-box").count() == 0, page.locator(".error-box").inner_text()
    assert page.locator(".results a[download]").count() >= 3
    page.screenshot(path=str(ARTIFACTS / "sparql_editor.png"), full_page=True)
