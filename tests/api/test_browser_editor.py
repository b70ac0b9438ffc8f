"""The SPARQL editor in a real browser (Debian's chromium, driven by Playwright) against a
live server on the hand-written mini graph: CodeMirror renders with highlighted tokens,
completes ontology terms (declaring their prefix), runs a typed query with Ctrl+Enter and
shows the rows, draws the chart of a two-column numeric result, loads an example in one
click, and the page still runs a query with JavaScript off. Everything runs under the
service's Content-Security-Policy: every test fails on a CSP violation or an error in the
console, and on any request to another host. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

import pytest
from browserhelpers import ARGS, ARTIFACTS, CHROMIUM, Watch, goto, live_server

PREFIXES = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(mini_db):
    with live_server(mini_db) as s:
        yield s


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _open(browser, server, javascript: bool = True):
    base, _ = server
    watch = Watch(base)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", java_script_enabled=javascript)
    pg = ctx.new_page()
    pg.set_default_timeout(int(os.environ.get("BUDGETKG_BROWSER_TIMEOUT_MS", "60000")))
    watch.attach(pg)
    return ctx, pg, watch


@pytest.fixture
def page(browser, server):
    """A fresh page; the test fails on anything the CSP refused, any console error, and any
    request to another host while it ran."""
    ctx, pg, watch = _open(browser, server)
    yield pg
    pg.wait_for_timeout(300)  # console messages and late requests of the last step arrive
    ctx.close()
    assert not watch.console, watch.console
    assert not watch.foreign, watch.foreign


def _editor(page):
    page.wait_for_selector(".cm-editor .cm-content")
    return page.locator(".cm-editor .cm-content")


def _replace_text(page, text: str):
    content = _editor(page)
    content.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def test_the_editor_highlights_sparql(server, page):
    base, _ = server
    goto(page, base + "/sparql")
    _editor(page)
    assert not page.locator("#query").is_visible()  # CodeMirror stands in for the textarea
    colors = page.evaluate("""() => {
        const spans = [...document.querySelectorAll('.cm-editor .cm-line span')];
        const color = (text) => { const s = spans.find(x => x.textContent === text);
                                   return s && getComputedStyle(s).color; };
        return {keyword: color('SELECT'), variable: color('?agency'), prefix: color('bkg:Agency'),
                plain: getComputedStyle(document.querySelector('.cm-content')).color};
    }""")
    # tokens are wrapped and coloured by the editor's theme (its styles came in by the nonce)
    assert colors["keyword"] and colors["variable"] and colors["prefix"], colors
    assert colors["keyword"] != colors["plain"] and colors["keyword"] != colors["prefix"], colors
    page.screenshot(path=str(ARTIFACTS / "sparql_codemirror.png"), full_page=True)


def test_completion_offers_ontology_terms_and_declares_their_prefix(server, page):
    base, _ = server
    goto(page, base + "/sparql")
    _replace_text(page, PREFIXES + "SELECT ?a ?name WHERE { ?a a bkg:Agen")
    option = page.locator(".cm-tooltip-autocomplete li", has_text="bkg:Agency").first
    option.wait_for()
    assert "预算单位" in option.inner_text()  # the term's label beside its name
    page.wait_for_timeout(150)  # CodeMirror takes no Enter in the first 75 ms of a popup (interactionDelay)
    page.keyboard.press("Enter")
    page.keyboard.type(" ; rdfs:label ?name }")
    page.keyboard.press("Escape")
    text = page.locator(".cm-content").inner_text()
    assert text.startswith("PREFIX bkg: <https://w3id.org/budgetkg/def#>"), text
    assert "?a a bkg:Agency ; rdfs:label ?name" in text
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    sent = parse_qs(urlsplit(page.url).query)["query"][0]
    assert "PREFIX bkg:" in sent and "bkg:Agency" in sent
    rows = page.locator(".results-table tbody tr")
    assert rows.count() == 2, page.content()[:2000]
    assert "湖滨县水务测试局" in page.locator(".results-table").inner_text()
    # the editor shows the query that ran, and the downloads fetch its rows
    assert "bkg:Agency" in _editor(page).inner_text()
    csv_href = page.locator(".results a.download-csv").get_attribute("href")
    body = page.request.get(base + csv_href).text()
    assert body.splitlines()[0] == "a,name" and len(body.splitlines()) == 3
    assert page.locator(".results a.download-json").count() == 1
    page.screenshot(path=str(ARTIFACTS / "sparql_typed_query.png"), full_page=True)


def test_a_chinese_label_completes_to_the_term(server, page):
    base, _ = server
    goto(page, base + "/sparql")
    _replace_text(page, "SELECT ?d WHERE { ?d a ")
    page.keyboard.insert_text("预算单位")
    page.keyboard.press("Control+Space")  # IME input: completion is opened explicitly
    option = page.locator(".cm-tooltip-autocomplete li", has_text="bkg:Agency").first
    option.wait_for()
    page.wait_for_timeout(150)  # CodeMirror takes no Enter in the first 75 ms of a popup (interactionDelay)
    page.keyboard.press("Enter")
    text = page.locator(".cm-content").inner_text()
    assert "?d a bkg:Agency" in text and "PREFIX bkg:" in text, text


def test_a_two_column_numeric_result_is_charted(server, page):
    base, _ = server
    goto(page, base + "/sparql")
    _replace_text(page, "PREFIX bkg: <https://w3id.org/budgetkg/def#> SELECT ?file ?income WHERE { ?d bkg:sourceFile ?file ; bkg:totalIncome ?income } ORDER BY ?file")
    page.keyboard.press("Escape")
    with page.expect_navigation():
        page.click("form.sparql button[type=submit]")
    chart = page.locator("figure.result-chart svg")
    assert chart.count() == 1, page.content()[:2000]
    assert chart.locator("g.bar rect").count() == page.locator(".results-table tbody tr").count() == 2
    assert chart.get_attribute("role") == "img" and chart.locator("title").first.text_content()
    widths = [float(r.get_attribute("width")) for r in chart.locator("g.bar rect").all()]
    assert widths[0] != widths[1] and min(widths) > 0
    fill = page.evaluate("getComputedStyle(document.querySelector('figure.result-chart rect')).fill")
    assert fill not in ("", "none", "rgb(0, 0, 0)"), fill  # styled from editor.css, not the SVG default
    page.screenshot(path=str(ARTIFACTS / "sparql_chart.png"), full_page=True)


def test_an_example_runs_in_one_click(server, page):
    base, _ = server
    goto(page, base + "/sparql")
    first = page.locator("a.example").first
    with page.expect_navigation():
        first.click()
    page.wait_for_selector(".results, .error-box")
    assert page.locator(".error-box").count() == 0, page.locator(".error-box").inner_text()
    assert "SELECT" in _editor(page).inner_text()


def test_without_javascript_the_form_still_runs_a_query(browser, server):
    base, _ = server
    ctx, pg, watch = _open(browser, server, javascript=False)
    try:
        goto(pg, base + "/sparql")
        assert pg.locator(".cm-editor").count() == 0 and pg.locator("#query").is_visible()
        pg.fill("#query", PREFIXES + "SELECT ?name WHERE { ?a rdfs:label ?name } ORDER BY ?name")
        with pg.expect_navigation():
            pg.click("form.sparql button[type=submit]")
        assert pg.locator(".results-table tbody tr").count() >= 2
        assert not watch.console and not watch.foreign, (watch.console, watch.foreign)
    finally:
        ctx.close()
