"""/sparql: protocol forms, result formats, errors, read-only refusal, token updates,
SERVICE refusal, the time limit and the row cap."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import xml.etree.ElementTree as ET

import pytest
from apihelpers import TOKEN, build_mini_db, make_client

from api import sparql as sp

P = "PREFIX bkg: <https://w3id.org/budgetkg/def#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
AGENCIES = P + "SELECT ?a ?name WHERE { ?a a bkg:Agency ; rdfs:label ?name } ORDER BY ?name"
CROSS5 = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"


def assert_error(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}, body
    assert body["error"]["status"] == status and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]


def names(r) -> list[str]:
    return [b["name"]["value"] for b in r.json()["results"]["bindings"]]


def test_get_json_default(client):
    r = client.get("/sparql", params={"query": AGENCIES})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert r.json()["head"]["vars"] == ["a", "name"]
    assert names(r) == ["湖滨县水务测试局", "湖滨县测试政府"]


def test_post_form_and_raw_body_agree(client):
    a = client.post("/sparql", data={"query": AGENCIES})
    b = client.post("/sparql", content=AGENCIES.encode(), headers={"content-type": "application/sparql-query"})
    assert a.status_code == b.status_code == 200
    assert names(a) == names(b) == names(client.get("/sparql", params={"query": AGENCIES}))


def test_post_other_media_type_is_415(client):
    assert_error(client.post("/sparql", content=b"{}", headers={"content-type": "application/json"}), 415)


@pytest.mark.parametrize("accept,ctype", [
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/sparql-results+json", "application/sparql-results+json"),
])
def test_select_formats_by_accept(client, accept, ctype):
    r = client.get("/sparql", params={"query": AGENCIES}, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(ctype)
    if "xml" in ctype:
        ns = {"s": "http://www.w3.org/2005/sparql-results#"}
        root = ET.fromstring(r.content)
        assert [v.get("name") for v in root.findall("s:head/s:variable", ns)] == ["a", "name"]
        lits = root.findall("s:results/s:result/s:binding[@name='name']/s:literal", ns)
        assert [x.text for x in lits] == ["湖滨县水务测试局", "湖滨县测试政府"]
        assert lits[0].get("{http://www.w3.org/XML/1998/namespace}lang") == "zh"
    elif "csv" in ctype:
        rows = list(csv.reader(io.StringIO(r.text)))
        assert rows[0] == ["a", "name"] and rows[1][1] == "湖滨县水务测试局"
        assert rows[1][0] == "https://w3id.org/budgetkg/id/agency/lake-bureau"
    elif "tab" in ctype:
        lines = r.text.splitlines()
        assert lines[0] == "?a\t?name"
        assert lines[1] == '<https://w3id.org/budgetkg/id/agency/lake-bureau>\t"湖滨县水务测试局"@zh'


@pytest.mark.parametrize("fmt,ctype", [("csv", "text/csv"), ("tsv", "text/tab-separated-values"),
                                       ("xml", "application/sparql-results+xml"), ("json", "application/sparql-results+json")])
def test_format_parameter_overrides_accept(client, fmt, ctype):
    r = client.get("/sparql", params={"query": AGENCIES, "format": fmt}, headers={"accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith(ctype)


def test_decimal_and_integer_literals_keep_their_datatypes(client):
    q = P + "SELECT ?t ?n WHERE { ?d bkg:totalIncome ?t ; bkg:authorizedStaff ?n }"
    b = client.get("/sparql", params={"query": q}).json()["results"]["bindings"][0]
    assert b["t"] == {"type": "literal", "value": "12345600", "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}
    assert b["n"]["datatype"] == "http://www.w3.org/2001/XMLSchema#integer"


def test_ask(client):
    r = client.get("/sparql", params={"query": P + "ASK { ?p a bkg:Policy }"})
    assert r.json() == {"head": {}, "boolean": True}
    r = client.get("/sparql", params={"query": P + "ASK { ?p a bkg:Nothing }", "format": "xml"})
    assert b"<boolean>false</boolean>" in r.content


@pytest.mark.parametrize("accept,ctype", [("text/turtle", "text/turtle"), ("application/n-triples", "application/n-triples"),
                                          ("application/ld+json", "application/ld+json")])
def test_construct_formats(client, accept, ctype):
    import pyoxigraph as ox

    q = P + "CONSTRUCT { ?p ?x ?y } WHERE { ?p a bkg:Policy ; ?x ?y }"
    r = client.get("/sparql", params={"query": q}, headers={"accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(ctype)
    fmt = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
           "application/ld+json": ox.RdfFormat.JSON_LD}[ctype]
    triples = list(ox.parse(r.content, format=fmt))
    assert any(t.object == ox.Literal("测水发〔2029〕7号") for t in triples)
    assert len(triples) == 7  # type, number, variant, issuer, year, serial, title


def test_describe_defaults_to_turtle(client):
    r = client.get("/sparql", params={"query": "DESCRIBE <https://w3id.org/budgetkg/id/agency/lake-county>"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    assert "湖滨县测试政府" in r.text


def test_wrong_format_for_form_and_unacceptable_accept(client):
    assert_error(client.get("/sparql", params={"query": AGENCIES, "format": "ttl"}), 400, "bad_format")
    assert_error(client.get("/sparql", params={"query": AGENCIES, "format": "yaml"}), 400, "bad_format")
    assert_error(client.get("/sparql", params={"query": AGENCIES}, headers={"accept": "image/png"}), 406, "not_acceptable")


def test_syntax_error_carries_parser_message(client):
    e = assert_error(client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"}), 400, "sparql_syntax")
    assert "line 1, column" in e["message"]  # the parser's own position
    assert_error(client.get("/sparql"), 400, "missing_query")
    assert_error(client.post("/sparql", data={"query": ""}), 400, "missing_query")


def test_updates_are_refused_on_a_read_only_service(client):
    upd = 'INSERT DATA { <urn:a> <urn:b> "c" }'
    assert_error(client.post("/sparql", data={"update": upd}), 403, "read_only")
    assert_error(client.post("/sparql", content=upd, headers={"content-type": "application/sparql-update",
                                                             "authorization": "Bearer anything"}), 403, "read_only")
    assert_error(client.get("/sparql", params={"query": upd}), 400, "update_as_query")
    assert_error(client.get("/sparql", params={"update": upd}), 405)
    assert not client.get("/sparql", params={"query": "ASK { <urn:a> ?p ?o }"}).json()["boolean"]


def test_update_with_the_token(tmp_path):
    with make_client(build_mini_db(tmp_path), write_token=TOKEN) as c:
        upd = 'INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> "c" } }'
        assert_error(c.post("/sparql", data={"update": upd}), 403, "forbidden")
        assert_error(c.post("/sparql", data={"update": upd}, headers={"authorization": "Bearer wrong"}), 403, "forbidden")
        r = c.post("/sparql", content=upd, headers={"content-type": "application/sparql-update",
                                                   "authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 204, r.text
        assert c.get("/sparql", params={"query": 'ASK { <urn:a> <urn:b> "c" }'}).json()["boolean"]
        r = c.post("/sparql", data={"update": "DELETE DATA { GRAPH <urn:g> { <urn:a> <urn:b> \"c\" } }"},
                   headers={"authorization": f"Bearer {TOKEN}"})
        assert r.status_code == 204
        assert not c.get("/sparql", params={"query": 'ASK { <urn:a> <urn:b> "c" }'}).json()["boolean"]
        svc = 'INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }'
        assert_error(c.post("/sparql", data={"update": svc}, headers={"authorization": f"Bearer {TOKEN}"}), 403,
                     "service_refused")
        assert_error(c.post("/sparql", data={"update": "INSERT DATA {"}, headers={"authorization": f"Bearer {TOKEN}"}),
                     400, "sparql_syntax")


@pytest.mark.parametrize("q", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * { service silent <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE {\n  ?s ?p ?o .\n  SeRvIcE\n<http://example.org/x> {}\n}",
    "PREFIX ex: <http://example.org/>\nSELECT * { SERVICE ex:endpoint { ?s ?p ?o } }",
    "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
])
def test_service_is_refused(client, q):
    assert_error(client.get("/sparql", params={"query": q}), 403, "service_refused")


@pytest.mark.parametrize("q", [
    'SELECT ?service WHERE { ?service <http://example.org/SERVICE> "SERVICE" } # SERVICE <x> {}',
    "PREFIX service: <http://example.org/>\nSELECT * { ?s service:p ?o }",
    "SELECT * { ?s <http://example.org/p> '''a SERVICE <x> { } string''' }",
])
def test_the_word_service_elsewhere_is_fine(client, q):
    from api.sparql_check import check

    assert check(q) == "SELECT"
    assert client.get("/sparql", params={"query": q}).status_code == 200


def test_query_form_skips_prologue_comments_and_strings():
    from api.sparql_check import check

    assert check("# INSERT this\nPREFIX ask: <urn:x>\nCONSTRUCT WHERE { ?s ask:p 'SELECT' }") == "CONSTRUCT"
    assert check("BASE <urn:x> DELETE WHERE { GRAPH ?g { ?s ?p ?o } }", update=True) == "UPDATE"


def test_row_cap_is_reported(mini_db):
    with make_client(mini_db, sparql_max_rows=3) as c:
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert r.status_code == 200
        body = r.json()
        assert len(body["results"]["bindings"]) == 3
        assert body["truncated"] is True and body["max_rows"] == 3
        assert r.headers["x-budgetkg-truncated"] == "true"
        r = c.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", "format": "csv"})
        assert len(r.text.strip().splitlines()) == 4 and r.headers["x-budgetkg-truncated"] == "true"
        r = c.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
        assert len(r.text.strip().splitlines()) == 3 and r.headers["x-budgetkg-truncated"] == "true"
        r = c.get("/sparql", params={"query": P + "SELECT ?p WHERE { ?p a bkg:Policy }"})
        assert "truncated" not in r.json() and "x-budgetkg-truncated" not in r.headers


@pytest.mark.slow  # waits out a query timeout or starts processes
def test_pathological_query_times_out_while_others_are_answered(mini_db):
    with make_client(mini_db, sparql_timeout_s=1.5) as c:
        box = {}

        def slow():
            t0 = time.monotonic()
            box["r"] = c.get("/sparql", params={"query": CROSS5})
            box["t"] = time.monotonic() - t0

        th = threading.Thread(target=slow)
        th.start()
        time.sleep(0.3)
        quick = c.get("/sparql", params={"query": AGENCIES})
        answered_during_slow = th.is_alive()
        page = c.get("/policies.json")
        th.join(30)
        assert quick.status_code == 200 and page.status_code == 200
        assert answered_during_slow  # answered while the slow one was still running
        assert_error(box["r"], 503, "query_timeout")
        assert 1.4 <= box["t"] < 6, box["t"]
        # the killed query left no process behind and the endpoint still works
        assert c.get("/sparql", params={"query": AGENCIES}).status_code == 200


def test_serializers_escape_and_bnodes():
    r = sp.QueryResult("select", ["x", "y"], [[{"type": "literal", "value": 'a "b"\n<c>&', "xml:lang": "zh"},
                                              {"type": "bnode", "value": "b0"}], [None, {"type": "uri", "value": "urn:x"}]],
                       count=2)
    assert ET.fromstring(sp.to_xml(r)) is not None
    assert sp.to_tsv(r).decode().splitlines()[1] == '"a \\"b\\"\\n<c>&"@zh\t_:b0'
    rows = list(csv.reader(io.StringIO(sp.to_csv(r).decode())))
    assert rows[1] == ['a "b"\n<c>&', "_:b0"] and rows[2] == ["", "urn:x"]
    assert json.loads(sp.to_json(r))["results"]["bindings"][1] == {"y": {"type": "uri", "value": "urn:x"}}


def test_editor_page_lists_examples_and_renders_results(client, monkeypatch):
    r = client.get("/sparql", headers={"accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "PREFIX bkg: &lt;https://w3id.org/budgetkg/def#&gt;" in r.text
    from api.examples import load_examples

    for e in load_examples():
        assert e["title"] in r.text
    twin = client.get("/sparql", params={"format": "json"}).json()
    assert twin["page"] == "sparql" and "bkg" in twin["prefixes"]
    assert [e["name"] for e in twin["examples"]] == [e["name"] for e in load_examples()]
    r = client.get("/sparql", params={"query": AGENCIES}, headers={"accept": "text/html,*/*;q=0.8"})
    assert r.status_code == 200 and "湖滨县水务测试局" in r.text and 'href="/id/agency/lake-bureau"' in r.text
    assert ">id:agency/lake-bureau<" in r.text  # IRIs shown with their prefix
    assert "format=csv" in r.text and "format=tsv" in r.text
    r = client.get("/sparql", params={"query": "SELECT ?x {"}, headers={"accept": "text/html"})
    assert r.status_code == 400 and "sparql_syntax" in r.text


def test_examples_are_read_generically(tmp_path):
    from api.examples import load_examples

    (tmp_path / "b.rq").write_text("# Title: Second\n# what it does\nSELECT * {}\n", encoding="utf-8")
    (tmp_path / "a.rq").write_text("# 第一个示例\n# 说明一\n# 说明二\n\nSELECT ?x {}\n", encoding="utf-8")
    (tmp_path / "c.rq").write_text("ASK {}\n", encoding="utf-8")
    (tmp_path / "d.rq").write_text("# title-en: Fourth\n# title-zh: 第四\n# description: counts things\nPREFIX x: <urn:x>\n"
                                   "SELECT * {}\n", encoding="utf-8")
    ex = load_examples(tmp_path)
    assert [(e["name"], e["title"], e["description"]) for e in ex] == [
        ("a", "第一个示例", "说明一 说明二"), ("b", "Second", "what it does"), ("c", "c", ""), ("d", "第四", "counts things")]
    assert ex[2]["query"] == "ASK {}\n"


def test_concurrent_queries_all_answered(client):
    from concurrent.futures import ThreadPoolExecutor

    def one(i):
        if i % 2:
            return names(client.get("/sparql", params={"query": AGENCIES}))
        return [i["label"] for i in client.get("/agencies.json").json()["items"]]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(24)))
    assert all(r == ["湖滨县水务测试局", "湖滨县测试政府"] for r in results)
