"""Web pages and their JSON twins, linked-data pages with content negotiation, the error
shape on every route, /api/search and /api/ask wiring."""

from __future__ import annotations

import re
import sys

import pytest

ID = "https://w3id.org/budgetkg/id/"
POLICY = "/id/policy/shui-2029-7"
AGENCY = "/id/agency/lake-bureau"


def err(r, status):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body["error"]) == {"status", "code", "message"} and body["error"]["status"] == status
    return body["error"]


@pytest.mark.parametrize("path", ["/", "/policies", "/agencies", "/disclosures", "/sparql", "/ingest", POLICY, AGENCY,
                                  "/id/project/test-a-dike", "/id/citation/test-a-dike-1", "/id/concept/fn/2130101"])
def test_every_page_has_html_and_json_twin(client, path):
    html = client.get(path, headers={"accept": "text/html"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html"), html.text[:300]
    assert "/static/style.css" in html.text and "https://" not in html.text.split("<main>")[0]  # no CDN in the head
    twin = client.get(path, params={"format": "json"})
    assert twin.status_code == 200 and twin.headers["content-type"].startswith("application/json")
    assert isinstance(twin.json(), dict)
    if not path.startswith("/id/") and path not in ("/sparql", "/ingest"):
        suffix = "/index.json" if path == "/" else path + ".json"
        assert client.get(suffix).json()["page"] == twin.json()["page"]


def test_static_assets_are_local(client):
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/app.js").status_code == 200
    html = client.get("/", headers={"accept": "text/html"}).text
    assert "cdn" not in html.lower() and "googleapis" not in html


def test_lists(client):
    pol = client.get("/policies.json").json()
    assert pol["count"] == 1
    assert pol["items"][0]["number"] == "测水发〔2029〕7号" and pol["items"][0]["projects"] == 2
    ag = client.get("/agencies.json").json()
    bureau = next(i for i in ag["items"] if i["href"] == AGENCY)
    assert bureau["parent"]["label"] == "湖滨县测试政府" and bureau["disclosures"] == 2
    docs = client.get("/disclosures.json").json()
    assert [d["source_file"] for d in docs["items"]] == ["test_a.pdf", "test_b.txt"]  # newest year first
    assert docs["items"][0]["total_income"] == {"yuan": "12345600", "wan": "1234.56", "display": "1,234.56 万元"}
    html = client.get("/policies", headers={"accept": "text/html"}).text
    assert f'href="{POLICY}"' in html and "测水发〔2029〕7号" in html


def test_policy_page(client):
    d = client.get(POLICY, params={"format": "json"}).json()
    assert d["page"] == "policy"
    assert d["number"] == "测水发〔2029〕7号" and d["title"] == "关于测试堤防维修资金管理的通知"
    # the graph's spellings plus the ones the quotes printed (normalized by kg.policy to match)
    assert set(d["variants"]) == {"测水发〔2029〕7号", "测水发【2029】7号", "测水发(2029)7 号"}
    cites = {c["project"]["label"]: c for c in d["citations"]}
    assert set(cites) == {"堤防测试维修经费", "泵站测试运行补助"}
    dike = cites["堤防测试维修经费"]
    assert dike["amount"]["yuan"] == "1500000" and dike["amount"]["display"] == "150.00 万元"
    assert dike["agency"]["label"] == "湖滨县水务测试局" and dike["year"] == 2031
    assert dike["page"] == 7 and dike["source_file"] == "test_a.pdf" and "堤防测试维修经费" in dike["quote"]
    pump = cites["泵站测试运行补助"]
    assert pump["amount"]["display"] == "23.00005 万元" and pump["year"] == 2030
    assert pump["agency"]["label"] == "湖滨县水务测试局"  # from the disclosure's reporting agency
    html = client.get(POLICY, headers={"accept": "text/html"}).text
    assert "堤防测试维修经费" in html and "150.00 万元" in html and 'title="1500000 元"' in html
    assert "第 7 页" in html and 'href="/id/project/test-a-dike"' in html


def test_agency_page(client):
    d = client.get(AGENCY, params={"format": "json"}).json()
    assert d["page"] == "agency" and d["label"] == "湖滨县水务测试局"
    assert [p["label"] for p in d["parents"]] == ["湖滨县测试政府"]
    assert sorted(u["label"] for u in d["units"]) == ["工程测试股", "综合测试科"]
    assert [y["year"] for y in d["disclosures_by_year"]] == [2031, 2030]
    a = d["disclosures_by_year"][0]["disclosures"][0]
    assert a["kind"] == "budget" and a["totals"]["totalIncome"]["wan"] == "1234.56"
    assert sorted(p["label"] for p in d["projects"]) == ["堤防测试维修经费", "泵站测试运行补助"]
    assert [f["comment"] for f in d["findings"]] == ["测试：支出合计与明细之和不符。"]
    parent = client.get("/id/agency/lake-county", params={"format": "json"}).json()
    assert [c["label"] for c in parent["children"]] == ["湖滨县水务测试局"]
    html = client.get(AGENCY, headers={"accept": "text/html"}).text
    for text in ("湖滨县测试政府", "综合测试科", "2031", "1,234.56 万元", "测试：支出合计与明细之和不符。"):
        assert text in html


def test_disclosure_page(client):
    d = client.get("/id/disclosure/test-a", params={"format": "json"}).json()
    assert d["page"] == "disclosure" and d["source_file"] == "test_a.pdf" and d["year"] == 2031
    assert d["agency"]["href"] == AGENCY
    assert [t["predicate"].rsplit("#", 1)[1] for t in d["totals"]] == ["totalIncome", "totalExpenditure"]
    assert [p["label"] for p in d["projects"]] == ["堤防测试维修经费"] and d["projects"][0]["policies"] == "测水发〔2029〕7号"
    assert [(ln["notation"], ln["label"], ln["amount"]["display"]) for ln in d["lines"]] == [("2130101", "测试行政运行", "84.56 万元")]
    assert [p["href"] for p in d["policies"]] == [POLICY] and len(d["findings"]) == 1
    html = client.get("/id/disclosure/test-a", headers={"accept": "text/html"}).text
    assert "湖滨县水务测试局" in html and "1,234.56 万元" in html and "2130101" in html


def test_generic_resource_page(client):
    d = client.get("/id/project/test-a-dike", params={"format": "json"}).json()
    assert d["page"] == "resource" and d["label"] == "堤防测试维修经费"
    props = {p["label"]: p for p in d["properties"]}
    assert "金额" in props or any(p["predicate"].endswith("#amount") for p in d["properties"])
    amount = next(p for p in d["properties"] if p["predicate"].endswith("#amount"))
    assert amount["values"][0]["money"]["display"] == "150.00 万元"
    agency = next(p for p in d["properties"] if p["predicate"].endswith("#implementingAgency"))
    assert agency["values"][0]["href"] == AGENCY and agency["values"][0]["label"] == "湖滨县水务测试局"
    incoming = {(i["subject"]["href"], i["predicate"].rsplit("#", 1)[1]) for i in d["incoming"]}
    assert ("/id/citation/test-a-dike-1", "citingProject") in incoming
    assert [p["source_file"] for p in d["provenance"]] == ["test_a.pdf"]
    cit = client.get("/id/citation/test-a-dike-1", params={"format": "json"}).json()
    assert cit["provenance"][0]["pages"] == [7]
    assert d["types"][0]["label"] == "项目"  # the ontology's zh label


@pytest.mark.parametrize("accept,ctype", [("text/turtle", "text/turtle"), ("application/ld+json", "application/ld+json"),
                                          ("application/n-triples", "application/n-triples"),
                                          ("application/json", "application/json"),
                                          ("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
                                          ("*/*", "text/html")])
def test_conneg_on_id_pages(client, accept, ctype):
    r = client.get(POLICY, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(ctype)
    assert "Accept" in r.headers.get("vary", "")


@pytest.mark.parametrize("how", ["format", "suffix"])
@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "nt"])
def test_rdf_formats_by_parameter_and_suffix(client, how, fmt):
    import pyoxigraph as ox

    r = client.get(POLICY, params={"format": fmt}) if how == "format" else client.get(f"{POLICY}.{fmt}")
    assert r.status_code == 200
    rdf = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "nt": ox.RdfFormat.N_TRIPLES}[fmt]
    triples = list(ox.parse(r.content, format=rdf))
    me = ox.NamedNode(ID + "policy/shui-2029-7")
    assert any(t.subject == me and t.object == ox.Literal("测水发〔2029〕7号") for t in triples)
    assert any(t.object == me and t.predicate == ox.NamedNode("https://w3id.org/budgetkg/def#citedPolicy") for t in triples)


def test_json_suffix_on_id(client):
    assert client.get(f"{AGENCY}.json").json()["label"] == "湖滨县水务测试局"


def test_id_errors(client):
    err(client.get("/id/agency/no-such-thing"), 404)
    err(client.get(POLICY, params={"format": "yaml"}), 400)
    err(client.get(POLICY, headers={"accept": "image/png"}), 406)
    assert err(client.get("/id/agency/bad iri"), 400)["code"] == "bad_iri"
    html = client.get("/id/agency/no-such-thing", headers={"accept": "text/html"})
    assert html.status_code == 404 and "not_found" in html.text and html.headers["content-type"].startswith("text/html")


def test_error_shape_everywhere(client):
    err(client.get("/no/such/route"), 404)
    assert err(client.get("/api/search", params={"k": 3}), 422)["code"] == "invalid_parameter"
    assert "q" in err(client.get("/api/ask"), 422)["message"]
    err(client.get("/api/search", params={"q": "x", "k": 0}), 422)
    err(client.get("/api/search", params={"q": "x", "kind": "other"}), 422)
    err(client.get("/policies", params={"format": "xml"}), 400)
    err(client.get("/ingest/jobs/nope"), 404)


def test_search_without_index_is_a_clear_503(client):
    e = err(client.get("/api/search", params={"q": "堤防"}), 503)
    assert e["code"] == "search_unavailable"


def test_home_overview_builds_questions_from_the_graph(client):
    d = client.get("/", params={"format": "json"}).json()
    assert d["overview"]["counts"] == {"docs": 2, "agencies": 2, "policies": 1, "projects": 2}
    assert d["overview"]["suggestions"] == ["湖滨县水务测试局2031年预算收入总额是多少？", "哪些项目以测水发〔2029〕7号为依据？",
                                            "湖滨县水务测试局有哪些内设机构？"]
    html = client.get("/", headers={"accept": "text/html"}).text
    assert "哪些项目以测水发〔2029〕7号为依据？" in html and 'href="/agencies"' in html


def test_home_form_with_blank_filters(client):
    # what the browser sends when 全部 is left selected
    r = client.get("/?q=%E5%A0%A4%E9%98%B2&year=&agency=&kind=", headers={"accept": "text/html"})
    assert r.status_code == 200
    assert client.get("/", params={"q": "x", "year": "2031", "format": "json"}).json()["filters"]["year"] == 2031
    err(client.get("/", params={"q": "x", "year": "last", "format": "json"}), 422)


def test_home_page_degrades_when_engines_fail(client):
    d = client.get("/", params={"q": "堤防", "format": "json"}).json()
    assert d["q"] == "堤防" and d["search"] is None and d["search_error"]["code"] == "search_unavailable"
    assert d["facets"]["years"] == [2031, 2030] and "湖滨县水务测试局" in d["facets"]["agencies"]
    html = client.get("/", params={"q": "堤防"}, headers={"accept": "text/html"}).text
    assert "检索暂不可用" in html


def test_ask_without_engine_is_a_clear_503(client, monkeypatch):
    monkeypatch.setitem(sys.modules, "api.qa.engine", None)  # import fails as if the module were absent
    e = err(client.get("/api/ask", params={"q": "测水发〔2029〕7号支持哪些项目？"}), 503)
    assert e["code"] == "qa_unavailable"


class FakeHit:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class FakeSearcher:
    calls: list = []

    def search(self, q, k, year, agency, kind, doc):
        FakeSearcher.calls.append((q, k, year, agency, kind, doc))
        return [FakeHit(source_file="test_a.pdf", page=7, text="依据测水发文件安排堤防经费", score=0.5, section="项目",
                        entities=[ID + "project/test-a-dike"], agency="湖滨县水务测试局", year=2031, kind="budget")]


def test_search_and_ask_wiring(mini_db, monkeypatch):
    """The routes pass parameters through to the engines' agreed interfaces and add links."""
    import types

    from apihelpers import make_client

    seen = {}

    def answer(question, ctx):
        seen["ctx"] = ctx
        return {"question": question, "answer": "堤防测试维修经费", "value": "150.00", "unit": "万元",
                "evidence": [{"source_file": "test_a.pdf", "page": 7, "quote": "依据", "iri": ID + "project/test-a-dike"}],
                "sparql": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}

    from api.qa.context import Context

    # a stand-in engine: its own answer, the real Context the service builds on
    monkeypatch.setitem(sys.modules, "api.qa.engine", types.SimpleNamespace(answer=answer, Context=Context))
    with make_client(mini_db, search_k=4) as c:
        c.app.state.services._searcher = FakeSearcher()
        r = c.get("/api/search", params={"q": "堤防", "year": 2031, "kind": "budget", "agency": "水务"}).json()
        assert FakeSearcher.calls[-1] == ("堤防", 4, 2031, "水务", "budget", None)
        hit = r["hits"][0]
        assert hit["page"] == 7 and hit["disclosure_href"] == "/id/disclosure/test-a"
        assert hit["entity_links"] == [{"iri": ID + "project/test-a-dike", "label": "堤防测试维修经费",
                                        "href": "/id/project/test-a-dike"}]
        a = c.get("/api/ask", params={"q": "测水发〔2029〕7号支持哪些项目？"}).json()
        assert seen["ctx"].store is c.app.state.services.store
        assert a["evidence"][0]["disclosure_href"] == "/id/disclosure/test-a"
        assert a["evidence"][0]["iri_href"] == "/id/project/test-a-dike"
        assert {"/id/project/test-a-dike", POLICY} <= {e["href"] for e in a["entity_links"]}  # policy from the question
        assert a["sparql_href"].startswith("/sparql?query=")
        html = c.get("/", params={"q": "测水发【2029】7号支持哪些项目"}, headers={"accept": "text/html"}).text
        assert "堤防测试维修经费" in html and "第 7 页" in html and f'href="{POLICY}"' in html
        assert "依据测水发文件安排堤防经费" in html


def test_money_formatting():
    from api.views import money

    assert money("459280800") == {"yuan": "459280800", "wan": "45928.08", "display": "45,928.08 万元"}
    assert money("1000")["display"] == "0.10 万元"
    assert money("10000")["display"] == "1.00 万元"
    assert money("123.45")["display"] == "0.012345 万元"
    assert money("-25000")["display"] == "-2.50 万元"
    assert money(None) is None and money("x") is None


def test_openapi_has_examples_for_each_route(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for p in ("/sparql", "/api/search", "/api/ask", "/id/{path}", "/ingest", "/", "/policies", "/agencies"):
        assert p in paths, p
    text = str(paths)
    for p in ("/sparql", "/api/search", "/api/ask", "/id/{path}", "/ingest"):
        assert "example" in str(paths[p]), p
    assert "application/sparql-query" in text
    docs = client.get("/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()  # works offline
    for asset in re.findall(r'(?:src|href)="(/[^"]+\.(?:js|css|png))"', docs.text):
        assert client.get(asset).status_code == 200, asset


def test_list_paging(client):
    from api import views

    store = client.app.state.services.store
    first = views.agencies(store, page=1, size=1)
    second = views.agencies(store, page=2, size=1)
    assert first["paging"]["next"] == 2 and second["paging"]["next"] is None and second["paging"]["prev"] == 1
    assert [first["items"][0]["label"], second["items"][0]["label"]] == ["湖滨县水务测试局", "湖滨县测试政府"]
    assert views.disclosures(store, page=3, size=1)["items"] == []
    assert client.get("/agencies.json", params={"page": 2}).json()["paging"]["page"] == 2
    err(client.get("/agencies.json", params={"page": 0}), 422)
