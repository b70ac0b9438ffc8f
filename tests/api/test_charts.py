"""Charts drawn on the server (api/charts.py over api/views/figures.py): each an SVG image
without script, with an accessible title and description, embedded by its page with <img>
beside a table of the same figures; SVG responses get their own CSP, pages keep theirs.
On the small graph of tests/api/trendgraph.py, where the figures are known."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal as D

import pytest
from apihelpers import make_client
from trendgraph import HILL_NAME, build_trend_db

from api.views.disclosures import functional_classes

SVG = "{http://www.w3.org/2000/svg}"
LAKE_CHART = "/id/agency/lake-bureau/chart/totals.svg"


@pytest.fixture(scope="module")
def tclient(tmp_path_factory):
    with make_client(build_trend_db(tmp_path_factory.mktemp("trend_db"))) as c:
        yield c


def svg_of(client, path: str) -> tuple[ET.Element, str]:
    r = client.get(path)
    assert r.status_code == 200, (path, r.text[:300])
    assert r.headers["content-type"].split(";")[0] == "image/svg+xml"
    # its own policy: inline style for the chart's <style>, nothing else at all
    csp = {d.split()[0]: d.split()[1:] for d in r.headers["content-security-policy"].split("; ")}
    assert csp == {"default-src": ["'none'"], "style-src": ["'unsafe-inline'"], "frame-ancestors": ["'none'"]}, csp
    assert r.headers["x-content-type-options"] == "nosniff"
    root = ET.fromstring(r.content)  # well-formed XML, or this raises
    assert root.tag == SVG + "svg"
    return root, r.text


def assert_safe_and_labelled(root: ET.Element, text: str) -> tuple[str, str]:
    assert root.find(SVG + "title") is not None and root.find(SVG + "desc") is not None
    assert root[0].tag == SVG + "title" and root[1].tag == SVG + "desc"  # first, as screen readers expect
    assert root.get("role") == "img" and root.get("aria-labelledby")
    for el in root.iter():
        assert el.tag.split("}")[-1] not in ("script", "foreignObject", "image", "use"), el.tag
        for name, value in el.attrib.items():
            local = name.split("}")[-1].lower()
            assert not local.startswith("on") and local != "style", (el.tag, name)
            assert not (local == "href" and not value.startswith("#")), (el.tag, value)
    assert "http://" not in text.replace("http://www.w3.org/", "") and "https://" not in text
    assert "WenQuanYi Zen Hei" in "".join(s.text or "" for s in root.iter(SVG + "style"))  # CJK font, by name
    return root.find(SVG + "title").text, root.find(SVG + "desc").text


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(SVG + "text") if t.text]


def test_agency_totals_chart(tclient):
    root, text = svg_of(tclient, LAKE_CHART)
    title, desc = assert_safe_and_labelled(root, text)
    assert title == "湖滨县水务测试局 收支总额与基本、项目支出"
    # every figure in words: both budgets and the final account, one column each
    assert "2031部门预算：本年收入合计 1,234.56 万元" in desc and "2032部门预算：本年收入合计 1,358.016 万元" in desc
    assert "2030部门决算：本年收入合计 900.00 万元" in desc
    assert {"本年收入合计", "本年支出合计", "基本支出", "项目支出", "2031部门预算"} <= set(texts(root))
    assert tclient.get(LAKE_CHART).content == tclient.get(LAKE_CHART).content  # no random ids or dates


def test_the_agency_page_embeds_its_charts_with_the_same_figures_as_a_table(tclient):
    data = tclient.get("/id/agency/lake-bureau.json").json()
    totals = {c["name"]: c for c in data["charts"]}
    assert set(totals) == {"totals", "three-public"}
    spec = totals["totals"]
    assert spec["src"] == LAKE_CHART and spec["x_labels"] == ["2031部门预算", "2032部门预算", "2030部门决算"]
    income = next(s for s in spec["series"] if s["label"] == "本年收入合计")
    assert [D(v["yuan"]) for v in income["values"]] == [D("12345600"), D("13580160"), D("9000000")]
    basic = next(s for s in spec["series"] if s["label"] == "基本支出")
    assert basic["values"][0] is None and D(basic["values"][1]["yuan"]) == D("7000000")
    assert [s["label"] for s in totals["three-public"]["series"]] == ["“三公”经费"]  # only what was stated

    r = tclient.get("/id/agency/lake-bureau")
    html = r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]  # the page keeps its strict policy
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    assert f'<img src="{LAKE_CHART}" role="img" aria-label="湖滨县水务测试局 收支总额与基本、项目支出"' in html
    assert 'aria-describedby="chart-totals-data"' in html and 'id="chart-totals-data"' in html
    table = html.split('id="chart-totals-data"', 1)[1].split("</table>", 1)[0]
    for shown in ("2031部门预算", "1,234.56 万元", "1,358.016 万元", "900.00 万元", "700.00 万元"):
        assert shown in table, shown


def test_disclosure_functional_chart(tclient):
    data = tclient.get("/id/disclosure/test-c.json").json()
    (spec,) = data["charts"]
    # class 213 prints no line of its own: the sum of its items (900000 + 100000, budget figures only)
    assert spec["x_labels"] == ["213"] and spec["series"][0]["label"] == "预算数"
    assert D(spec["series"][0]["values"][0]["yuan"]) == D("1000000")
    root, text = svg_of(tclient, spec["src"])
    title, desc = assert_safe_and_labelled(root, text)
    assert title == "湖滨县水务测试局 2032年预算 支出功能分类（类）" and desc == "213：预算数 100.00 万元。"
    assert 'id="chart-functional-data"' in tclient.get("/id/disclosure/test-c").text


def test_functional_classes_take_the_class_line_or_the_shallowest_level():
    lines = {"205": ("教育支出", D("10")), "20502": ("普通教育", D("10")), "2050202": ("小学教育", D("10")),
             "2080505": ("养老", D("3")), "2080506": ("年金", D("4")),
             "21011": ("医疗", D("5")), "2101102": ("事业单位医疗", D("5")), "2101103": ("补助", D("2"))}
    assert functional_classes(lines) == [("205", "教育支出", D("10")), ("208", None, D("7")), ("210", None, D("5"))]


def test_policy_funding_chart(tclient):
    data = tclient.get("/id/policy/shui-2029-7.json").json()
    (spec,) = data["charts"]
    assert spec["style"] == "stacked" and spec["x_labels"] == ["2030", "2031"]
    series = {s["label"]: s["values"] for s in spec["series"]}
    # a budget and a final account are separate series: adding them would count the money twice
    assert set(series) == {"湖滨县水务测试局（预算）", "湖滨县水务测试局（决算）"}
    assert series["湖滨县水务测试局（预算）"][0] is None
    assert D(series["湖滨县水务测试局（预算）"][1]["yuan"]) == D("1500000")
    assert D(series["湖滨县水务测试局（决算）"][0]["yuan"]) == D("230000.50")
    root, text = svg_of(tclient, spec["src"])
    title, desc = assert_safe_and_labelled(root, text)
    assert title.startswith("测水发〔2029〕7号") and "2030：湖滨县水务测试局（决算） 23.00005 万元" in desc
    assert 'id="chart-funding-data"' in tclient.get("/id/policy/shui-2029-7").text


def test_markup_in_a_label_is_text_in_the_svg(tclient):
    root, text = svg_of(tclient, "/id/agency/hill-bureau/chart/totals.svg")
    title, desc = assert_safe_and_labelled(root, text)  # no <script> element came of the name
    assert title == f"{HILL_NAME} 收支总额与基本、项目支出" and "<script>" not in text
    assert "&lt;script&gt;" in text


def test_unknown_charts_are_404(tclient):
    for path in ("/id/agency/lake-bureau/chart/nope.svg", "/id/agency/lake-bureau/chart/funding.svg",
                 "/id/policy/shui-2029-7/chart/totals.svg", "/id/agency/no-such/chart/totals.svg",
                 "/id/unit/lake-bureau-office/chart/totals.svg"):
        r = tclient.get(path)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", (path, r.text)
        assert "script-src 'self'" in r.headers["content-security-policy"]  # an error is no SVG


def test_a_chart_with_no_figures_says_so(tclient):
    root, text = svg_of(tclient, "/id/disclosure/test-c-copy/chart/functional.svg")
    title, desc = assert_safe_and_labelled(root, text)
    assert desc == "没有数据。" and "没有数据" in texts(root)
    assert tclient.get("/id/disclosure/test-c-copy.json").json()["charts"] == []  # the page shows none

