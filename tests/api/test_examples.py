"""Every example query the SPARQL editor offers (ontology/queries/*.rq) runs through the
public endpoint on the sample corpus and returns at least one row."""

from __future__ import annotations

import pytest
from apihelpers import make_client

from api.examples import load_examples

EXAMPLES = load_examples()


def test_there_are_example_queries():
    assert EXAMPLES, "ontology/queries/*.rq: the SPARQL editor has no examples to offer"
    for e in EXAMPLES:
        assert e["title"] and e["title"] != e["name"], f"{e['name']}.rq has no comment header"


@pytest.fixture(scope="module")
def sample_client(sample_db):
    with make_client(sample_db, sparql_timeout_s=30) as c:
        yield c


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_example_returns_rows(sample_client, example):
    r = sample_client.post("/sparql", data={"query": example["query"]}, headers={"accept": "application/sparql-results+json"})
    if r.status_code == 406:  # CONSTRUCT/DESCRIBE
        r = sample_client.post("/sparql", data={"query": example["query"]}, headers={"accept": "application/n-triples"})
        assert r.status_code == 200, r.text
        assert r.text.strip(), f"{example['name']}: no triples"
        return
    assert r.status_code == 200, r.text
    body = r.json()
    if "boolean" in body:
        assert body["boolean"] is True, example["name"]
    else:
        assert body["results"]["bindings"], f"{example['name']} ({example['title']}): no rows on the sample corpus"
