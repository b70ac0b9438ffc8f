"""Findings on the disclosure and agency pages: each with its severity, what was expected and
printed, and the pages to look at; a finding across two disclosures (two versions of one
disclosure) on both, naming the other file. Invented documents, built into a store here."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from apihelpers import make_client

from kg.document import Document, Heading, Page, Paragraph, Table
from kg.rdf.build import build_graph
from kg.rdf.iris import agency_iri, disclosure_iri


def _doc(name: str, total: str, text: str) -> Document:
    blocks = [Paragraph("青禾市测试局 2024 年部门预算", 1), Heading(1, "第二部分 情况说明", 2), Paragraph(text, 2),
              Table(header=[["项目", "预算数", "项目", "预算数"]], rows=[["本年收入合计", total, "本年支出合计", total]],
                    page=3, title="收支总表", unit="万元")]
    pages = [Page(n, [b for b in blocks if b.page == n]) for n in (1, 2, 3)]
    return Document(name, hashlib.sha256(name.encode() + total.encode()).hexdigest(), pages)


A = _doc("a.txt", "100.00", "单位预留机动经费预算数为 1685.72 万元。与上年相比增加1557.29万元，增长1312.56 %。")
B = _doc("b.txt", "100.50", "说明。")


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    from kg.store import open_store

    path = tmp_path_factory.mktemp("findings_db")
    store = open_store(path, backend="oxigraph")
    try:
        for d in (A, B):
            iri, g = build_graph(d)
            store.replace_graph(iri, g.serialize(format="nt"))
    finally:
        store.close()
    return path


@pytest.fixture(scope="module")
def client(db):
    with make_client(db) as c:
        yield c


def _path(iri) -> str:
    return "/id/" + str(iri).split("/id/", 1)[1]


def test_disclosure_page_lists_findings_with_pages_and_figures(client):
    d = client.get(_path(disclosure_iri(A.sha256)), params={"format": "json"}).json()
    by_rule = {f["rule"]: f for f in d["findings"]}
    pct = by_rule["change_percent"]
    assert pct["severity"] == "error" and pct["pages"] == [2]
    assert (pct["expected_text"], pct["found_text"]) == ("1212.56%", "1312.56%")
    version = by_rule["conflicting_versions"]  # b.txt's finding, seen from a.txt
    assert version["source_file"] == "a.txt" and version["other"]["source_file"] == "b.txt" and version["pages"] == [3]
    html = client.get(_path(disclosure_iri(A.sha256)), headers={"accept": "text/html"}).text
    assert "1312.56%" in html and "应为 1212.56%" in html and "第 2 页" in html and "b.txt" in html


def test_agency_page_lists_every_disclosures_findings_once(client):
    d = client.get(_path(agency_iri("青禾市测试局")), params={"format": "json"}).json()
    rules = sorted(f["rule"] for f in d["findings"])
    assert rules == ["change_percent", "conflicting_versions", "conflicting_versions"]  # income and expenditure
    assert all(f["pages"] and f["source_file"] for f in d["findings"])
    html = client.get(_path(agency_iri("青禾市测试局")), headers={"accept": "text/html"}).text
    assert "a.txt" in html and "b.txt" in html and "错误" in html
