"""CSV downloads: every list page (?format=csv and the .csv twin: the whole list, not one
page; the same rows as the JSON twin, flattened) with a link on the page, and answers that
are lists (/api/ask?format=csv: the rows of the answer's query, else its items)."""

from __future__ import annotations

import csv
import io
import sys
import types

import pytest
from apihelpers import make_client

ID = "https://w3id.org/budgetkg/id/"
LISTS = ["policies", "agencies", "disclosures"]


def read_csv(r) -> list[dict]:
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.content.startswith("\ufeff".encode())  # spreadsheets read it as UTF-8
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("name", LISTS)
def test_every_list_downloads_as_csv_with_the_rows_of_its_json_twin(client, name):
    items = client.get(f"/{name}.json").json()["items"]
    for url in (f"/{name}?format=csv", f"/{name}.csv"):
        rows = read_csv(client.get(url))
        assert [r["iri"] for r in rows] == [it["iri"] for it in items]
        assert [r["label"] for r in rows] == [it["label"] for it in items]
        assert "href" not in rows[0]
    html = client.get(f"/{name}", headers={"accept": "text/html"}).text
    assert f'href="/{name}.csv" download' in html


def test_links_and_amounts_are_flattened(client):
    agencies = {r["iri"]: r for r in read_csv(client.get("/agencies.csv"))}
    bureau = agencies[ID + "agency/lake-bureau"]
    assert bureau["parent"] == "湖滨县测试政府" and bureau["parent_iri"] == ID + "agency/lake-county"
    assert agencies[ID + "agency/lake-county"]["parent_iri"] == ""  # no parent: blank, same columns
    docs = {r["iri"]: r for r in read_csv(client.get("/disclosures.csv"))}
    a = docs[ID + "disclosure/test-a"]
    assert a["total_income_yuan"] == "12345600" and a["total_income_wan"] == "1234.56"  # exact yuan, as the JSON twin
    assert a["agency"] == "湖滨县水务测试局" and a["year"] == "2031" and a["kind"] == "budget"
    policies = read_csv(client.get("/policies.csv"))
    assert policies[0]["number"] == "测水发〔2029〕7号" and policies[0]["projects"] == "2"


def test_the_csv_is_the_whole_list_not_one_page(tmp_path):
    from kg.store import open_store

    store = open_store(tmp_path, backend="oxigraph")
    n = 503  # past the 500 rows of a page
    try:
        store.replace_graph(ID + "disclosure/many", "".join(
            f"<{ID}policy/p{i}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/budgetkg/def#Policy> .\n"
            f"<{ID}policy/p{i}> <https://w3id.org/budgetkg/def#documentNumber> \"测{i:04d}号\" .\n" for i in range(n)))
    finally:
        store.close()
    with make_client(tmp_path) as c:
        page = c.get("/policies.json").json()
        assert len(page["items"]) == 500 and page["paging"]["next"] == 2
        rows = read_csv(c.get("/policies?format=csv&page=2"))
        assert len(rows) == n and len({r["iri"] for r in rows}) == n


def test_a_list_answer_downloads_the_rows_of_its_query(client):
    q = "哪些项目以测水发〔2029〕7号为依据？"
    a = client.get("/api/ask", params={"q": q}).json()
    assert isinstance(a["value"], list) and len(a["value"]) == 2, a
    assert a["csv_href"].startswith("/api/ask?") and "format=csv" in a["csv_href"]
    rows = read_csv(client.get(a["csv_href"]))
    # the query's rows: every project the answer names, with its amount and the citation
    assert sorted(r["pl"] for r in rows) == sorted(a["value"])
    dike = next(r for r in rows if r["p"] == ID + "project/test-a-dike")
    assert dike["v"] == "1500000" and dike["page"] == "7"
    html = client.get("/", params={"q": q}, headers={"accept": "text/html"}).text
    assert 'class="download-csv"' in html and "format=csv" in html


def test_an_answer_without_a_query_downloads_its_items_and_evidence(mini_db, monkeypatch):
    from api.qa.context import Context

    def answer(question, ctx):
        return {"question": question, "answer": "两个单位", "value": ["12.00", "34.50"], "unit": "万元",
                "evidence": [{"source_file": "a.pdf", "page": 3, "quote": "甲 12.00"},
                             {"source_file": "b.pdf", "page": 5, "quote": "乙 34.50"}], "sparql": None}

    monkeypatch.setitem(sys.modules, "api.qa.engine", types.SimpleNamespace(answer=answer, Context=Context))
    with make_client(mini_db) as c:
        rows = read_csv(c.get("/api/ask", params={"q": "各单位的某行是多少", "format": "csv"}))
        assert rows == [{"value": "12.00", "unit": "万元", "source_file": "a.pdf", "page": "3", "quote": "甲 12.00"},
                        {"value": "34.50", "unit": "万元", "source_file": "b.pdf", "page": "5", "quote": "乙 34.50"}]
        r = c.get("/api/ask", params={"q": "x", "format": "xml"})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_parameter"


def test_a_single_value_answer_has_no_download_link(client):
    a = client.get("/api/ask", params={"q": "湖滨县水务测试局2031年预算收入总额是多少？"}).json()
    assert not isinstance(a.get("value"), list) and "csv_href" not in a
