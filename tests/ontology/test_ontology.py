"""The vocabulary: every term labelled in Chinese and English, the namespace module and
budget.ttl in step, the contract's terms all present, and the example queries parse and
answer on a generated sample corpus."""

import re
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import RDFS

from ontology.namespace import BKG, NS
from tests.generated import generated_db

ROOT = Path(__file__).resolve().parents[2]
QUERIES = sorted((ROOT / "ontology" / "queries").glob("*.rq"))


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "ontology" / "budget.ttl")


def test_namespace_and_ttl_define_the_same_terms(onto):
    in_ttl = {str(s) for s in onto.subjects() if str(s).startswith(NS)}
    in_py = {NS + n for n in BKG.__annotations__}
    assert in_ttl == in_py


def test_every_term_has_zh_and_en_label_and_comment(onto):
    for name in BKG.__annotations__:
        term = BKG[name]
        for prop in (RDFS.label, RDFS.comment):
            langs = {o.language for o in onto.objects(term, prop)}
            assert {"zh", "en"} <= langs, (name, prop)


def test_contract_terms_exist(shared):
    text = (shared / "contract" / "ONTOLOGY.md").read_text(encoding="utf-8")
    used = set(re.findall(r"bkg:([A-Za-z][A-Za-z0-9]*)", text))
    missing = [t for t in used if t not in BKG.__annotations__]
    assert not missing


def test_typo_is_an_error():
    with pytest.raises(AttributeError):
        BKG.totalIncom  # noqa: B018


def test_queries_have_headers_and_parse():
    from rdflib.plugins.sparql import prepareQuery

    assert len(QUERIES) >= 10
    for q in QUERIES:
        text = q.read_text(encoding="utf-8")
        for key in ("# title-zh:", "# title-en:", "# description:"):
            assert key in text, (q.name, key)
        prepareQuery(text)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    """A store from the generator's sample corpus (data/generate.py), built once."""
    return generated_db(tmp_path_factory.mktemp("sample"), count=12, seed=11)


@pytest.mark.parametrize("query", QUERIES, ids=[q.stem for q in QUERIES])
def test_query_returns_rows_on_the_sample_corpus(sample_db, query):
    from kg.store import open_store

    store = open_store(sample_db, read_only=True)
    try:
        rows = store.select(query.read_text(encoding="utf-8"))
    finally:
        store.close()
    assert rows, query.name
