"""A real browser (Debian's chromium, driven by Playwright) against a live server on the
sample corpus: ask a question on the home page, read the answer and its page citation,
click through to the policy page; run a query in the SPARQL editor and in Swagger UI.
Everything runs under the service's Content-Security-Policy: every test fails on a CSP
violation or an error in the console, and on any request to another host. Screenshots go
to tests/artifacts/ (gitignored)."""

# ruff: noqa: F811 - the tests take the imported fixtures as arguments
from __future__ import annotations

import pytest
from browserfixtures import browser_page, page, server  # noqa: F401 - the module's fixtures (pytest finds them here)
from browserhelpers import ARTIFACTS, goto

pytestmark = pytest.mark.browser


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
    goto(page, base + "/")
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
    goto(page, base + "/sparql")
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


def test_list_filter_script_runs_under_the_csp(server, page):
    """app.js (a file, not inline script) filters the rows as one types."""
    base, _ = server
    goto(page, base + "/agencies")
    rows = page.locator("#list tbody tr")
    total = rows.count()
    assert total >= 2
    first = rows.first.locator("td").first.inner_text().strip()
    page.fill("input.filter", first)
    page.wait_for_function("() => [...document.querySelectorAll('#list tbody tr')].some(r => r.style.display === 'none')")
    shown = [r for r in rows.all() if r.is_visible()]
    assert 1 <= len(shown) < total and first in shown[0].inner_text()


def test_swagger_ui_renders_and_runs_a_request_under_the_csp(server, page):
    base, _ = server
    goto(page, base + "/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 8
    op = page.locator(".opblock-get", has=page.locator(".opblock-summary-path", has_text="/api/search")).first
    op.locator(".opblock-summary").click()
    op.locator("button.try-out__btn").click()
    op.locator("tr[data-param-name='q'] input").fill("项目支出")
    op.locator("button.execute").click()
    status = op.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip().startswith("200"), status.inner_text()
    page.screenshot(path=str(ARTIFACTS / "swagger_ui.png"), full_page=False)


def test_redoc_renders_under_the_csp(server, page):
    base, _ = server
    goto(page, base + "/redoc")
    page.wait_for_selector("li[data-item-id]")
    assert page.locator("li[data-item-id]").count() >= 5
    assert page.locator("h1").first.inner_text().startswith("budgetkg")
    # ReDoc's own styles came in (by the page's nonce): its menu is laid out, not raw markup
    assert page.evaluate("getComputedStyle(document.querySelector('.menu-content')).position") in ("sticky", "fixed")
    page.screenshot(path=str(ARTIFACTS / "redoc.png"), full_page=False)
