"""The SPARQL an answer shows is the query behind it: run unchanged on the service's /sparql
endpoint (query workers, endpoint limits) it returns what the store returns, and its rows hold
the figures the answer states (both figures of a comparison or a share; the count; the top of a
ranking)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from apihelpers import make_client
from qa_analyst_graph import build_db

from api.qa.answerer import answer
from api.qa.context import Context

# (question, how many of the answer's 万元 figures the rows must hold)
GRAPH_QUESTIONS = [
    ("江东省人民检察院2019年部门预算支出总额是多少？", 1),
    ("省检察院2019年部门预算人员经费是多少？", 1),
    ("江东省人民检察院2019年部门预算比2018年增加了多少万元？", 2),
    ("江东省人民检察院2019年部门预算和单位预算的支出总额相差多少？", 2),
    ("江东省人民检察院2018年支出决算比预算多多少？", 2),
    ("江东省高级人民法院和江东省人民检察院2019年的项目支出相差多少？", 2),
    ("江东省人民检察院2019年人员经费占基本支出的比重是多少？", 2),
    ("江东省高级人民法院2019年项目支出是江东省人民检察院的几倍？", 2),
    ("2019年哪个单位的项目支出最少？", 1),
    ("江东省人民检察院、江东省高级人民法院和中共江东省委办公厅中2019年支出总额最高的是哪个？", 3),
    ("2019年所有单位的部门预算项目支出合计是多少？", 0),
    ("中共江东省委办公厅2019年机要通信保障经费的金额是多少？", 1),
    ("江东省人民检察院有几个内设机构？", 0),
    ("中共江东省委办公厅2019年有多少个项目？", 0),
    ("临水市人社局有几个下属单位？", 0),
    ("中共江东省委办公厅2019年有几个项目低于500万元？", 0),
    ("江东省人民检察院和江东省高级人民法院2019年的项目支出分别是多少？", 2),
    ("哪些项目以江财行〔2018〕12号为依据？", 1),
]


@pytest.fixture(scope="module")
def answered(tmp_path_factory):
    db = build_db(tmp_path_factory.mktemp("roundtrip"))
    ctx = Context.open(db)
    try:
        results = [(q, n, answer(q, ctx)) for q, n in GRAPH_QUESTIONS]
        direct = {r["sparql"]: ctx.store.select(r["sparql"]) for _, _, r in results if r.get("sparql")}
    finally:
        ctx.close()
    return db, results, direct


def _plain(v) -> str:
    s = str(v)
    try:
        return format(Decimal(s).normalize(), "f")
    except ArithmeticError:
        return s


def _cells(bindings: list[dict]) -> list[dict]:
    return [{k: _plain(v["value"]) for k, v in b.items()} for b in bindings]


def test_each_answer_sparql_runs_unchanged_on_the_endpoint(answered):
    db, results, direct = answered
    with make_client(db) as client:
        for q, inputs, r in results:
            assert r["source"] == "graph" and r["sparql"], (q, r)
            resp = client.post("/sparql", data={"query": r["sparql"]}, headers={"accept": "application/sparql-results+json"})
            assert resp.status_code == 200, (q, resp.text)
            rows = _cells(resp.json()["results"]["bindings"])
            want = [{k: _plain(v) for k, v in row.items() if v is not None} for row in direct[r["sparql"]]]
            key = lambda d: sorted(d.items())  # noqa: E731
            assert sorted(rows, key=key) == sorted(want, key=key), q
            _holds_the_answer(q, inputs, r, rows)


def _holds_the_answer(q: str, inputs: int, r: dict, rows: list[dict]) -> None:
    values = {Decimal(row["v"]) for row in rows if "v" in row}
    if r["unit"] == "个":  # a count: the COUNT, or one row per thing counted
        counts = {int(row["n"]) for row in rows if "n" in row}
        assert r["value"] in counts or len(rows) == r["value"], (q, rows)
        return
    if isinstance(r["value"], list) and r["intent"] == "policy":
        labels = {row.get("pl") for row in rows}
        assert set(r["value"]) <= labels, (q, rows)
    stated = {Decimal(x) * 10000 for x in re.findall(r"(\d+(?:\.\d+)?)万元", r["answer"])}
    assert len(stated & values) >= inputs, (q, sorted(stated), sorted(values))
    if r["intent"] == "sum":  # one figure per agency (a publication in two files counts once)
        per_agency = {row["a"]: Decimal(row["v"]) for row in rows}
        assert sum(per_agency.values()) == Decimal(r["value"]) * 10000, (q, rows)


def test_the_answer_card_and_api_show_reading_confidence_and_candidates(answered):
    db, _, _ = answered
    with make_client(db) as client:
        r = client.get("/api/ask", params={"q": "县疾控中心的基本支出是多少？"})
        assert r.status_code == 200
        body = r.json()
        assert body["value"] is None and body["confidence"] == 0
        assert {c["label"] for c in body["candidates"]} == {"青山县疾病预防控制中心", "白水县疾病预防控制中心"}
        assert [c["href"] for c in body["candidates"]] == ["/id/jk1", "/id/jk2"]  # their pages
        page = client.get("/", params={"q": "江东省人民检察院2019年部门预算比2018年增加了多少万元？"})
        assert page.status_code == 200
        html = page.text
        assert "理解为：江东省人民检察院 · 2019 · 部门预算 · 本年支出合计" in html
        assert "置信度" in html and "来源：图谱（SPARQL 查询）" in html
        assert "SELECT DISTINCT ?d ?v" in html  # the query itself, not only a link to it
        page = client.get("/", params={"q": "县疾控中心的基本支出是多少？"})
        assert "可能是指" in page.text and "白水县疾病预防控制中心" in page.text
