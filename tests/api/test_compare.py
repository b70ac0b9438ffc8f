"""The comparison pages: an agency across its years (/id/agency/{id}/compare and its JSON
twin) and several agencies in one year (/compare), their links from agency pages and from
answers. Figures are checked against hand-worked numbers on a small graph (tests/api/
trendgraph.py) and against the store on the generated sample corpus."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from decimal import Decimal as D
from fractions import Fraction

import pytest
from apihelpers import make_client
from trendgraph import HILL, HILL_NAME, LAKE, build_trend_db

LAKE_PAGE = "/id/agency/lake-bureau"


@pytest.fixture(scope="module")
def tclient(tmp_path_factory):
    with make_client(build_trend_db(tmp_path_factory.mktemp("trend_db"))) as c:
        yield c


def _series(data, kind):
    found = [s for s in data["series"] if s["kind"] == kind]
    assert len(found) == 1, data["series"]
    return found[0]


def _row(rows, key, value):
    found = [r for r in rows if r[key] == value]
    assert len(found) == 1, (value, [r[key] for r in rows])
    return found[0]


def test_agency_compare_json_has_the_year_over_year_figures(tclient):
    r = tclient.get(f"{LAKE_PAGE}/compare", params={"format": "json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert data["agency"]["iri"] == LAKE and data["years"] == [2030, 2031, 2032]
    budget = _series(data, "budget")
    assert [c["year"] for c in budget["columns"]] == [2031, 2032]
    # the 2032 budget was ingested twice: the first file by name is compared, the copy listed
    assert budget["columns"][1]["source_file"] == "test_c.pdf"
    assert [o["label"] for o in budget["columns"][1]["others"]] == ["test_c_copy.txt"]

    income = _row(budget["totals"], "term", "totalIncome")
    assert (income["label"], income["label_en"]) == ("本年收入合计", "total income")  # the ontology's labels
    first, second = income["values"]
    assert D(first["amount"]["yuan"]) == D("12345600") and first["change"] is None
    assert D(second["amount"]["yuan"]) == D("13580160") and second["amount"]["display"] == "1,358.016 万元"
    assert second["change"]["from_year"] == 2031
    assert D(second["change"]["amount"]["yuan"]) == D("1234560") and second["change"]["percent"] == "10.00"

    spent = _row(budget["totals"], "term", "totalExpenditure")["values"][1]["change"]
    # (12000000 - 12345600) / 12345600 = -2.7994…%
    assert D(spent["amount"]["yuan"]) == D("-345600") and spent["percent"] == "-2.80" and spent["direction"] == "down"
    basic = _row(budget["totals"], "term", "basicExpenditure")["values"]
    assert basic[0]["amount"] is None and basic[1]["change"] is None  # nothing to compare with

    line = _row(budget["functional"], "code", "2130101")
    # the budget figure only: the 2032 outturn line (1 yuan) is not a budget's figure
    assert [D(v["amount"]["yuan"]) for v in line["values"]] == [D("845600"), D("900000")]
    assert D(line["values"][1]["change"]["amount"]["yuan"]) == D("54400")
    assert line["values"][1]["change"]["percent"] == "6.43"  # 54400 / 845600 = 6.4333…%
    new = _row(budget["functional"], "code", "2130102")
    assert new["values"][0]["amount"] is None and new["values"][1]["change"] is None

    final = _series(data, "final_account")  # a final account is compared with final accounts only
    assert [c["year"] for c in final["columns"]] == [2030]
    assert D(_row(final["totals"], "term", "totalIncome")["values"][0]["amount"]["yuan"]) == D("9000000")


def test_agency_compare_json_twins_agree(tclient):
    a = tclient.get(f"{LAKE_PAGE}/compare", params={"format": "json"}).json()
    b = tclient.get(f"{LAKE_PAGE}/compare.json")
    c = tclient.get(f"{LAKE_PAGE}/compare", headers={"accept": "application/json"})
    assert b.status_code == c.status_code == 200
    assert a == b.json() == c.json()


def test_agency_compare_html(tclient):
    r = tclient.get(f"{LAKE_PAGE}/compare")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    html = r.text
    assert "湖滨县水务测试局" in html and "本年收入合计" in html and 'title="total income"' in html
    assert "+10.00%" in html and "-2.80%" in html and "+123.456 万元" in html
    assert "2130101 测试行政运行" in html
    assert 'href="/compare?agency=lake-bureau"' in html  # on to the several-agency page


def test_agency_page_links_to_its_comparison_only_with_two_years(tclient):
    lake = tclient.get(f"{LAKE_PAGE}.json").json()
    assert lake["years"] == [2030, 2031, 2032] and lake["compare_href"] == f"{LAKE_PAGE}/compare"
    assert f'class="compare-link" href="{LAKE_PAGE}/compare"' in tclient.get(LAKE_PAGE).text
    hill = tclient.get("/id/agency/hill-bureau.json").json()
    assert hill["years"] == [2031] and hill["compare_href"] is None and hill["charts"] == []
    assert 'class="compare-link"' not in tclient.get("/id/agency/hill-bureau").text


def test_compare_refuses_what_is_not_an_agency(tclient):
    for path in ("/id/agency/no-such-bureau/compare", "/id/policy/shui-2029-7/compare",
                 "/id/agency/no-such-bureau/compare.json"):
        r = tclient.get(path, headers={"accept": "application/json"})
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", (path, r.text)


def test_several_agencies_in_one_year(tclient):
    r = tclient.get("/compare.json", params=[("year", "2031"), ("agency", "lake-bureau"), ("agency", HILL)])
    assert r.status_code == 200
    data = r.json()
    assert data["year"] == 2031 and data["kind"] == "budget"
    assert [c["agency"]["iri"] for c in data["columns"]] == [LAKE, HILL]
    assert [c["source_file"] for c in data["columns"]] == ["test_a.pdf", "test_h.txt"]
    income = _row(data["totals"], "term", "totalIncome")
    assert [D(v["amount"]["yuan"]) for v in income["values"]] == [D("12345600"), D("5000000")]
    line = _row(data["functional"], "code", "2130101")
    assert [D(v["amount"]["yuan"]) for v in line["values"]] == [D("845600"), D("400000")]
    assert {a["key"] for a in data["choices"]["agencies"] if a["selected"]} == {"lake-bureau", "hill-bureau"}
    assert data == tclient.get("/compare", params=[("year", "2031"), ("agency", "lake-bureau"), ("agency", HILL),
                                                   ("format", "json")]).json()


def test_several_agencies_final_accounts_and_the_newest_year(tclient):
    data = tclient.get("/compare.json", params=[("kind", "final_account"), ("agency", "lake-bureau"),
                                                ("agency", "hill-bureau")]).json()
    assert data["year"] == 2030  # the newest year either has a final account for
    lake, hill = data["columns"]
    assert lake["source_file"] == "test_b.txt" and hill["disclosure"] is None
    assert [v["amount"] for v in _row(data["totals"], "term", "totalIncome")["values"]] == [
        {"yuan": "9000000", "wan": "900", "display": "900.00 万元"}, None]
    newest = tclient.get("/compare.json", params=[("agency", "lake-bureau")]).json()
    assert newest["year"] == 2032 and newest["columns"][0]["source_file"] == "test_c.pdf"


def test_several_agencies_form_and_html(tclient):
    r = tclient.get("/compare")
    assert r.status_code == 200 and "<form" in r.text and 'name="agency"' in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    page = tclient.get("/compare", params=[("year", "2031"), ("agency", "lake-bureau"), ("agency", "hill-bureau")])
    html = page.text
    assert "1,234.56 万元" in html and "500.00 万元" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html  # the name is text, escaped
    assert html.count(' selected>') >= 3  # the year and both agencies stay chosen


@pytest.mark.parametrize("params, status, code", [
    ([("agency", "no-such-bureau")], 404, "not_found"),
    ([("agency", "a b")], 400, "bad_iri"),
    ([("year", "20x4"), ("agency", "lake-bureau")], 422, "invalid_parameter"),
    ([("agency", f"a{i}") for i in range(21)], 422, "invalid_parameter"),
])
def test_several_agencies_errors(tclient, params, status, code):
    r = tclient.get("/compare.json", params=params)
    assert r.status_code == status, r.text
    assert set(r.json()) == {"error"} and r.json()["error"]["code"] == code


def test_answers_about_one_agency_with_several_years_link_its_comparison(tclient, monkeypatch):
    """The answer JSON gets compare_href when it names one agency (not a policy) that has
    two or more years; the engine is replaced by a stand-in that names what we choose."""
    import api.qa.engine

    services = tclient.app.state.services
    monkeypatch.setattr(services, "ask_context", lambda: None)
    cases = [([LAKE], f"{LAKE_PAGE}/compare"), ([HILL], None), ([LAKE, HILL], None),
             ([LAKE, "https://w3id.org/budgetkg/id/policy/shui-2029-7"], None)]
    for iris, expected in cases:
        monkeypatch.setattr(api.qa.engine, "answer", lambda q, ctx, iris=iris: {
            "answer": "测试", "evidence": [{"iri": i} for i in iris]})
        body = tclient.get("/api/ask", params={"q": "测试"}).json()
        assert body.get("compare_href") == expected, (iris, body)
    page = tclient.get("/", params={"q": "测试"})  # the answer card on the home page shows the link
    assert f'href="{LAKE_PAGE}/compare"' not in page.text  # the last stand-in named a policy
    monkeypatch.setattr(api.qa.engine, "answer", lambda q, ctx: {"answer": "测试", "evidence": [{"iri": LAKE}]})
    assert f'href="{LAKE_PAGE}/compare"' in tclient.get("/", params={"q": "测试"}).text


def test_labels_with_markup_stay_text_on_every_page(tclient):
    for path in ("/id/agency/hill-bureau", "/compare?agency=hill-bureau"):
        html = tclient.get(path).text
        assert HILL_NAME not in html and "山水测试局 &lt;script&gt;" in html, path


# --- the generated sample corpus: every figure against the store ---------------------------

def _round_half_up(x: Fraction) -> str:
    """A percentage worked out in exact fractions, rounded half up (away from zero) to hundredths."""
    sign = -1 if x < 0 else 1
    hundredths = (abs(x) * 100 + Fraction(1, 2)).__floor__()
    return str(Decimal(sign * hundredths).scaleb(-2).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_sample_corpus_comparison_matches_the_store(sample_db):
    from kg.store import BKG

    with make_client(sample_db) as c:
        store = c.app.state.services.store
        rows = store.select("""PREFIX bkg: <https://w3id.org/budgetkg/def#>
            SELECT ?a (COUNT(DISTINCT ?y) AS ?n) WHERE { ?d bkg:reportingAgency ?a ; bkg:fiscalYear ?y ;
                   bkg:documentKind "budget" } GROUP BY ?a HAVING (COUNT(DISTINCT ?y) >= 2)""")
        assert rows, "the sample corpus has no agency with budgets for two years"
        agency = rows[0]["a"]
        page = c.get(agency.replace("https://w3id.org/budgetkg", "") + "/compare", params={"format": "json"})
        assert page.status_code == 200
        budget = _series(page.json(), "budget")
        assert len(budget["columns"]) >= 2
        checked = 0
        for col in budget["columns"]:
            # the column's disclosure is the first by file name of the agency's budgets that year
            files = sorted(r["f"] for r in store.select(f"""PREFIX bkg: <{BKG}>
                SELECT ?f WHERE {{ ?d bkg:reportingAgency <{agency}> ; bkg:fiscalYear {col["year"]} ;
                   bkg:documentKind "budget" ; bkg:disclosureScope "{budget['scope']}" ; bkg:sourceFile ?f }}"""))
            assert col["source_file"] == files[0] and len(col["others"]) == len(files) - 1
        for row in budget["totals"]:
            previous = None
            for col, cell in zip(budget["columns"], row["values"], strict=True):
                got = store.select(f"SELECT ?v WHERE {{ <{col['disclosure']['iri']}> <{row['predicate']}> ?v }}")
                stored = Decimal(got[0]["v"]) if got else None
                assert (Decimal(cell["amount"]["yuan"]) if cell["amount"] else None) == stored, (row["term"], col)
                if previous is not None and stored is not None:
                    assert Decimal(cell["change"]["amount"]["yuan"]) == stored - previous
                    expected = _round_half_up(Fraction(stored - previous) * 100 / Fraction(previous)) if previous else None
                    assert cell["change"]["percent"] == expected, (row["term"], previous, stored)
                    checked += 1
                previous = stored
        assert checked >= 3
        for row in budget["functional"]:
            for col, cell in zip(budget["columns"], row["values"], strict=True):
                got = store.select(f"""PREFIX bkg: <{BKG}> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
                    SELECT ?v WHERE {{ ?l bkg:disclosure <{col['disclosure']['iri']}> ; bkg:figureType "budget" ;
                        bkg:amount ?v ; bkg:classification ?c . ?c skos:notation "{row['code']}" ;
                        skos:inScheme bkg:FunctionalClassification }}""")
                assert (Decimal(cell["amount"]["yuan"]) if cell["amount"] else None) == (
                    Decimal(got[0]["v"]) if got else None), (row["code"], col["year"])
