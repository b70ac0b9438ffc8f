"""A publication printed in two files (kg.publication) is ONE disclosure wherever disclosures
are looked up or counted: the QA name index keeps one record for it that lists its files (the
running text first, the file with the title), and an entity page counts the disclosures that
assert a node, not their file names. Read on the generator's tables_only pairs (text
renderings: the pair database takes about a second)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.api.apihelpers import make_client

FAMILY = "tables_only"


def _half(name: str) -> str:
    return name.rsplit(".", 1)[0].rsplit("_", 1)[1]


@pytest.fixture(scope="module")
def two_file_db(tmp_path_factory) -> Path:
    from data.family_output import generate_families
    from tests.generated import ingest_files

    out = tmp_path_factory.mktemp("pairs")
    generate_families(out, count=2, seed=7, formats={"txt"}, families=[FAMILY])
    files = sorted((out / FAMILY / "txt").glob("*.txt"))
    assert len(files) == 4
    return ingest_files(files, tmp_path_factory.mktemp("pairs_db") / "db")


@pytest.fixture(scope="module")
def lexicon(two_file_db):
    from api.qa.context import Context

    ctx = Context.open(two_file_db)
    try:
        yield ctx.lexicon
    finally:
        ctx.close()


def test_name_index_keeps_one_record_per_disclosure_with_its_files(lexicon):
    ds = lexicon.disclosures
    assert len(ds) == 2
    assert not [iri for iri, n in Counter(d.iri for d in ds).items() if n > 1]
    for d in ds:
        assert [_half(f) for f in d.files] == ["text", "tables"], d.files
        assert d.source_file == d.files[0]  # the half with the title
        assert lexicon.disclosure(d.iri) is d
        assert all(lexicon.disclosure_of_file(f) is d for f in d.files)
        assert d.agency and d.year and d.kind
        assert lexicon.disclosures_of(d.agency, d.year, d.kind) == [d]


def test_answers_name_the_disclosure_once(two_file_db, lexicon):
    """A question about one pair is about one disclosure: no answer lists it twice."""
    from api.qa.answerer import answer
    from api.qa.context import Context

    d = lexicon.disclosures[0]
    ctx = Context.open(two_file_db)
    try:
        res = answer(f"{d.agency_label}{d.year}年一般公共预算拨款收入是多少？", ctx)
    finally:
        ctx.close()
    assert res["evidence"], res
    assert {_half(ev["source_file"]) for ev in res["evidence"]} == {"tables"}, res["evidence"]
    assert len({ev["iri"] for ev in res["evidence"]}) == 1


def test_entity_provenance_counts_disclosures_not_files(two_file_db):
    from api.views.links import href
    from kg.store import open_store

    store = open_store(two_file_db, read_only=True)
    try:
        rows = store.select("""SELECT ?x (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?x ?p ?o } }
                               GROUP BY ?x HAVING (COUNT(DISTINCT ?g) = 2) ORDER BY ?x""")
    finally:
        store.close()
    nodes = [r["x"] for r in rows if href(r["x"])][:3]
    assert nodes, "no node asserted by both disclosures"
    with make_client(two_file_db) as c:
        for x in nodes:
            body = c.get(href(x), params={"format": "json"}).json()
            assert body["provenance_total"] == 2, (x, body["provenance_total"])
            assert len({p["disclosure"]["iri"] for p in body["provenance"]}) == 2
