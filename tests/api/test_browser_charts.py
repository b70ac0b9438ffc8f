"""Charts and comparison pages in a real browser (Debian's chromium, driven by Playwright)
against a live server on the sample corpus: an agency with two or more years shows its
charts (the SVG images load), the table of their figures and a link to its comparison
page, which shows the years side by side; a chart opened on its own renders under its own
policy; the several-agency form compares the agencies picked. Everything runs under the
service's Content-Security-Policy: every test fails on a CSP violation or an error in the
console, and on any request to another host. Screenshots go to tests/artifacts/."""

# ruff: noqa: F811 - the tests take the imported fixtures as arguments
from __future__ import annotations

import pytest
from browserfixtures import browser_page, page, server  # noqa: F401 - the module's fixtures (pytest finds them here)
from browserhelpers import ARTIFACTS, goto

BKG = "https://w3id.org/budgetkg/def#"
ID = "https://w3id.org/budgetkg/id/"

pytestmark = pytest.mark.browser


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
