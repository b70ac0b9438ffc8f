"""A publication printed in two files — the running text in one, the tables in the other
(kg.publication) — is one disclosure, yet every figure stays traceable to its file AND page:
each evidence item of an answer (api.qa, /api/ask), each search hit and each entity page's
provenance names the file that prints the quote, and the page is that file's own.

The controlled case is the generator's tables_only family (data/family_output.py): each pair
is asked the questions the generator writes from its truth (cases_qa.json), whose answers
come from the tables half (totals, 三公) and from the text half (policy citations, staff);
the quote is then looked up in the named file itself, read apart from budgetkg's readers."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

from tests.api.apihelpers import make_client
from tests.generated import ingest_files

FAMILY = "tables_only"


def _norm(s: str) -> str:
    """Text as compared here: NFKC, no whitespace, no thousands commas, no quote marks."""
    s = unicodedata.normalize("NFKC", s or "")
    return re.sub(r"[\s,\"'“”‘’]", "", s).replace("(", "（").replace(")", "）")


def _core(quote: str) -> str:
    """The longest stretch of a quote between the labels answers put around it ("表题：row",
    "列：值（row）"): what the file itself must print."""
    parts = [p for p in re.split(r"[:：（）]", _norm(quote)) if len(p) >= 4]
    return max(parts, key=len) if parts else _norm(quote)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    from data.family_output import generate_families

    out = tmp_path_factory.mktemp("pairs")
    generate_families(out, count=2, seed=7, formats={"txt"}, families=[FAMILY])
    return out


@pytest.fixture(scope="module")
def pair_db(corpus, tmp_path_factory) -> Path:
    files = sorted((corpus / FAMILY / "txt").glob("*.txt"))
    assert len(files) == 4 and {f.stem.rsplit("_", 1)[1] for f in files} == {"text", "tables"}
    return ingest_files(files, tmp_path_factory.mktemp("pairs_db") / "db")


@pytest.fixture(scope="module")
def questions(corpus) -> list[str]:
    qs = [c["q"] for c in json.loads((corpus / "cases_qa.json").read_text(encoding="utf-8"))]
    assert len(qs) >= 8
    return qs


def _txt_pages(corpus: Path) -> dict[str, list[str]]:
    """Each text rendering's pages (form feeds part them; none: one page), normalized."""
    return {f.name: [_norm(p) for p in f.read_text(encoding="utf-8").split("\f")]
            for f in (corpus / FAMILY / "txt").glob("*.txt")}


def _misplaced(evidence: list[dict], pages: dict[str, list[str]]) -> list[tuple]:
    """Evidence items whose file does not print the quote on the page given."""
    bad = []
    for ev in evidence:
        file_pages = pages.get(ev["source_file"])
        p = ev["page"]
        if file_pages is None or not 1 <= p <= len(file_pages) or _core(ev["quote"]) not in file_pages[p - 1]:
            bad.append((ev["source_file"], p, ev["quote"][:60]))
    return bad


def _check_answers(answers: list[dict], pages: dict[str, list[str]]) -> None:
    bad, cited = [], set()
    for a in answers:
        assert a["evidence"], (a["question"], a["answer"])
        bad += [(a["question"], *m) for m in _misplaced(a["evidence"], pages)]
        cited |= {ev["source_file"] for ev in a["evidence"]}
    assert not bad, bad
    # answers drawn from each half of a pair: both halves are cited
    assert {f.rsplit(".", 1)[0].rsplit("_", 1)[1] for f in cited} == {"text", "tables"}, cited


def test_qa_cites_the_half_that_prints_each_fact(pair_db, corpus, questions):
    from api.qa.answerer import answer
    from api.qa.context import Context

    ctx = Context.open(pair_db)
    try:
        answers = [answer(q, ctx) for q in questions]
    finally:
        ctx.close()
    _check_answers(answers, _txt_pages(corpus))


def test_api_ask_cites_the_half_that_prints_each_fact(pair_db, corpus, questions):
    with make_client(pair_db) as c:
        answers = []
        for q in questions:
            r = c.get("/api/ask", params={"q": q})
            assert r.status_code == 200, r.text
            answers.append(r.json())
    _check_answers(answers, _txt_pages(corpus))


def test_entity_provenance_names_the_file_of_its_pages(pair_db):
    """A node of a pair (a budget line, a figure, a finding) cites the file its pages are in."""
    from kg.store import BKG, open_store

    store = open_store(pair_db, read_only=True)
    try:
        rows = store.select(f"""SELECT DISTINCT ?n ?fn WHERE {{ ?n <{BKG}fromFile> ?ff ; <{BKG}page> ?pg .
                                ?ff <{BKG}fileName> ?fn }}""")
    finally:
        store.close()
    halves = {str(r["fn"]).rsplit(".", 1)[0].rsplit("_", 1)[1] for r in rows}
    assert halves == {"text", "tables"}, halves  # nodes in both halves, or the test proves nothing
    picked: dict[str, list] = {}
    for r in sorted(rows, key=lambda r: r["n"]):
        picked.setdefault(str(r["fn"]), []).append(r["n"])
    from api.views.links import href

    with make_client(pair_db) as c:
        for fn, nodes in picked.items():
            for n in nodes[:5]:
                body = c.get(href(n), params={"format": "json"}).json()
                (prov,) = body["provenance"]
                assert prov["source_file"] == fn and prov["pages"], (n, prov)
                assert prov["disclosure"]["label"] == fn


@pytest.mark.slow
def test_pdf_pair_evidence_and_search_hits_are_on_the_page_of_their_file(corpus, questions, tmp_path):
    """Rendered as PDFs, the halves have several pages each: the page cited is the page of the
    named file (not of the two laid end to end), for answers and for search hits."""
    from data.family_output import generate_families
    from kg.store import open_store
    from search.hooks import sync_index
    from search.retrieve import Searcher

    out = tmp_path / "pdf"
    generate_families(out, count=2, seed=7, formats={"pdf"}, families=[FAMILY])
    files = sorted((out / FAMILY / "pdf").glob("*.pdf"))
    db = ingest_files(files, tmp_path / "db")
    store = open_store(db)
    try:
        sync_index(db, store)
    finally:
        store.close()
    pages = _pdf_pages(files)
    assert any(len(p) > 1 for p in pages.values())

    from api.qa.answerer import answer
    from api.qa.context import Context

    ctx = Context.open(db)
    try:
        _check_answers([answer(q, ctx) for q in questions], pages)
    finally:
        ctx.close()
    s = Searcher.open(db)
    hits = [h for q in ("三公经费", "本年收入合计", "项目支出", "主要职能", "编制") for h in s.search(q, k=5)]
    assert {h.source_file.rsplit(".", 1)[0].rsplit("_", 1)[1] for h in hits} == {"text", "tables"}
    # A hit is a chunk (a passage may run over a page break, a row is linearized with its column
    # names): its file prints its figures and words, and its page is one of that file's pages.
    bad = []
    for h in hits:
        file_pages = pages.get(h.source_file) or []
        whole = "".join(file_pages)
        text = _norm(h.text)
        words = re.findall(r"\d+\.\d+", text) or [_core(re.split(r"(?<=[。；])", h.text)[-1] or h.text)]
        if not 1 <= h.page <= len(file_pages) or not all(w in whole for w in words):
            bad.append((h.source_file, h.page, h.text[:60]))
    assert not bad, bad


def _pdf_pages(files: list[Path]) -> dict[str, list[str]]:
    import pypdfium2 as pdfium

    out = {}
    for f in files:
        pdf = pdfium.PdfDocument(str(f))
        out[f.name] = [_norm(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    return out
