"""A publication printed in two files (the running text, the tables) is one disclosure
(kg.publication, kg.pipeline): both files its sources, each fact with its own file and page,
nothing counted twice; order and batches do not matter; re-ingesting changes nothing;
replacing a half keeps the disclosure, removing one leaves the other on its own.

The shared Jiangsu pair is the real case; the generator's tables_only family the controlled one."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.pipeline import ingest, remove_files
from kg.rdf.iris import disclosure_iri
from kg.store import open_store
from ontology.namespace import BKG, PROV, RDF, RDFS

pytestmark = pytest.mark.slow

TEXT_HALF = "江苏省委办公厅2017年部门预算.pdf"
TABLES_HALF = "江苏省委办公厅2017年预算公开表格.pdf"


@pytest.fixture(scope="module")
def halves(shared) -> tuple[Path, Path]:
    folder = shared / "corpus" / "jiangsu"
    return folder / TEXT_HALF, folder / TABLES_HALF


def _ingest(db: Path, files, hooks=None):
    store = open_store(db)
    try:
        return ingest(files, db, store, workers=1, hooks=hooks)
    finally:
        store.close()


def _read(db: Path):
    """(documents, every named graph as an rdflib Graph) of a database."""
    from rdflib import Dataset

    store = open_store(db, read_only=True)
    try:
        docs = store.documents()
        ds = Dataset()
        ds.parse(data=store.dump("nq").decode(), format="nquads")
    finally:
        store.close()
    graphs = {}
    for d in sorted({d.graph for d in docs}):
        g = Graph()
        for t in ds.graph(URIRef(d)):
            g.add(t)
        graphs[d] = g
    return docs, graphs


@pytest.fixture(scope="module")
def pair_db(halves, tmp_path_factory) -> Path:
    """Both halves in one batch, with the search index."""
    from search.hooks import index_hooks

    db = tmp_path_factory.mktemp("pair")
    results = _ingest(db, list(halves), hooks=index_hooks())
    assert [r.status for r in results] == ["added", "added"], [r.error for r in results]
    return db


def test_the_halves_are_one_disclosure(pair_db, halves):
    docs, graphs = _read(pair_db)
    assert len(graphs) == 1 and sorted(d.source_file for d in docs) == sorted(p.name for p in halves)
    (iri, g), = graphs.items()
    d = URIRef(iri)
    from kg.pipeline import file_sha256

    # each file a source of the disclosure, its name paired with its own sha256
    assert {str(x) for x in g.objects(d, BKG.sourceFile)} == {p.name for p in halves}
    files = {str(g.value(n, BKG.fileName)): str(g.value(n, BKG.fileSha256)) for n in g.objects(d, BKG.hasFile)}
    assert files == {p.name: file_sha256(p) for p in halves}
    assert {d.source_file: d.sha256 for d in docs} == files
    contents = {str(g.value(n, BKG.fileName)): str(g.value(n, BKG.fileContent)) for n in g.objects(d, BKG.hasFile)}
    assert contents == {TEXT_HALF: "text", TABLES_HALF: "tables"}
    # the IRI is the identity's, not a file's
    assert iri not in {str(disclosure_iri(s)) for s in files.values()}


def test_the_agency_keeps_the_name_each_half_prints(pair_db, halves, shared):
    """Each half names the agency its own way (a short title, the full name above the tables);
    the disclosure's agency carries both, so either file's name finds it."""
    import json
    import unicodedata

    from ontology.namespace import RDFS, SKOS

    def norm(s):
        return "".join(unicodedata.normalize("NFKC", str(s)).split())

    _, graphs = _read(pair_db)
    (iri, g), = graphs.items()
    agency = g.value(URIRef(iri), BKG.reportingAgency)
    names = {norm(n) for p in (RDFS.label, SKOS.altLabel) for n in g.objects(agency, p)}
    heads = {h["doc"]: h for h in json.loads((shared / "corpus" / "jiangsu" / "headers.json").read_text("utf-8"))}
    for p in halves:
        assert norm(heads[p.name]["agency"]) in names, (p.name, names)


def test_each_fact_keeps_its_file_and_page(pair_db, halves):
    _, graphs = _read(pair_db)
    (iri, g), = graphs.items()
    pages = {p.name: _page_count(p) for p in halves}
    by_node = {n: str(g.value(n, BKG.fileName)) for n in g.objects(URIRef(iri), BKG.hasFile)}
    cited = Counter()
    for node, _, page in g.triples((None, BKG.page, None)):
        files = [by_node[f] for f in g.objects(node, BKG.fromFile)]
        assert files, f"{node} has a page but no file"
        assert all(1 <= int(page) <= pages[f] for f in files), (node, page, files)
        cited.update(files)
    # lines come from the tables, the narrative's quoted figures from the text
    line_files = {by_node[f] for ln in g.subjects(RDF.type, BKG.BudgetLine) for f in g.objects(ln, BKG.fromFile)}
    assert line_files == {TABLES_HALF}
    assert cited[TEXT_HALF] and cited[TABLES_HALF], cited


def _page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def test_nothing_is_counted_twice(pair_db):
    """A total printed in both halves is one value; a line, a project or a figure one node."""
    _, graphs = _read(pair_db)
    (iri, g), = graphs.items()
    d = URIRef(iri)
    money = Counter(p for p, o in g.predicate_objects(d) if isinstance(o, Literal) and str(o.datatype).endswith("decimal"))
    assert money and max(money.values()) == 1, money
    figures = Counter(str(g.value(f, BKG.amount)) for f in g.objects(d, PROV.hadMember))
    assert len(list(g.objects(d, PROV.hadMember))) == len(money)
    lines = Counter((str(g.value(ln, BKG.classification)), str(g.value(ln, BKG.figureType)))
                    for ln in g.subjects(RDF.type, BKG.BudgetLine))
    assert lines and max(lines.values()) == 1
    assert figures


def test_search_and_the_page_cite_each_file(pair_db, halves):
    import sys

    from search.retrieve import Searcher

    hits = Searcher.open(pair_db).search("一般公共服务支出", k=30) + Searcher.open(pair_db).search("主要职能", k=30)
    assert {h.source_file for h in hits} == {p.name for p in halves}
    pages = {p.name: _page_count(p) for p in halves}
    assert all(1 <= h.page <= pages[h.source_file] for h in hits)

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
    from apihelpers import make_client

    with make_client(pair_db) as c:
        (item,) = c.get("/disclosures.json").json()["items"]
        page = c.get(item["href"], params={"format": "json"}).json()
        assert sorted(f["name"] for f in page["files"]) == sorted(p.name for p in halves)
        assert page["reading"] and all(t["files"] == [TABLES_HALF] for t in page["reading"]["tables"])
        html = c.get(item["href"], headers={"accept": "text/html"}).text
        assert TEXT_HALF in html and TABLES_HALF in html and "读取报告" in html


def test_reingest_changes_nothing_and_order_does_not_matter(pair_db, halves, tmp_path):
    """The same files again: unchanged. The halves one at a time, tables first: the same graph."""
    before = _read(pair_db)[1]
    results = _ingest(pair_db, list(halves))
    assert [r.status for r in results] == ["unchanged", "unchanged"]
    assert _read(pair_db)[1].keys() == before.keys()

    db = tmp_path / "apart"
    first = _ingest(db, [halves[1]])
    assert first[0].status == "added" and not first[0].files
    second = _ingest(db, [halves[0]])
    assert second[0].status == "added" and sorted(second[0].files) == sorted(p.name for p in halves)
    after = _read(db)[1]
    assert after.keys() == before.keys()
    (iri,) = after
    assert set(after[iri]) == set(before[iri])


@pytest.fixture
def pair_copy(pair_db, tmp_path) -> Path:
    db = tmp_path / "copy"
    shutil.copytree(pair_db, db, ignore=shutil.ignore_patterns("LOCK", "service.sock"))
    return db


def test_replacing_a_half_keeps_the_disclosure(pair_copy, halves, tmp_path):
    """A new version of the tables file (same name, other bytes) replaces that half: the same
    disclosure, the new sha256, the old version's archive entry gone."""
    from kg.archive import DocumentArchive
    from kg.pipeline import file_sha256

    before, graphs = _read(pair_copy)
    newer = tmp_path / "v2" / TABLES_HALF
    newer.parent.mkdir()
    newer.write_bytes(halves[1].read_bytes() + b"\n%% a later version of the same tables\n")
    (r,) = _ingest(pair_copy, [newer])
    assert r.status == "replaced" and sorted(r.files) == sorted(p.name for p in halves)
    after, graphs_after = _read(pair_copy)
    assert graphs_after.keys() == graphs.keys()
    assert {d.source_file: d.sha256 for d in after}[TABLES_HALF] == file_sha256(newer)
    archive = DocumentArchive(pair_copy)
    assert file_sha256(halves[1]) not in archive.shas() and file_sha256(newer) in archive.shas()


def test_removing_a_half_leaves_the_other_alone(pair_copy, halves):
    from kg.archive import DocumentArchive
    from kg.pipeline import file_sha256

    store = open_store(pair_copy)
    try:
        remove_files([TABLES_HALF], pair_copy, store)
        docs = store.documents()
    finally:
        store.close()
    sha = file_sha256(halves[0])
    assert [(d.source_file, d.sha256, d.graph) for d in docs] == [(TEXT_HALF, sha, str(disclosure_iri(sha)))]
    assert DocumentArchive(pair_copy).shas() == {sha}


def test_a_half_read_by_an_older_reader_is_read_again_with_its_pair(pair_copy, halves, monkeypatch):
    """A reader version bump: ingesting one half again re-reads it and rebuilds the pair; the
    disclosure counts as read by an older reader until the other half is read again too."""
    import kg.document
    from kg.report import stored_readings

    def older(db):
        store = open_store(db, read_only=True)
        try:
            return [x.older_reader for x in stored_readings(store)]
        finally:
            store.close()

    monkeypatch.setattr(kg.document, "READER_VERSION", kg.document.READER_VERSION + 1)
    assert older(pair_copy) == [True]
    (r,) = _ingest(pair_copy, [halves[0]])
    assert r.status == "replaced" and r.reread and sorted(r.files) == sorted(p.name for p in halves)
    assert older(pair_copy) == [True]  # the tables half still read by the old reader
    (r,) = _ingest(pair_copy, [halves[1]])
    assert r.reread and older(pair_copy) == [False]
    assert [x.status for x in _ingest(pair_copy, list(halves))] == ["unchanged", "unchanged"]


# --- the generator's publication in two files --------------------------------------------------

@pytest.fixture(scope="module")
def family(tmp_path_factory) -> Path:
    from data.family_output import generate_families

    out = tmp_path_factory.mktemp("family")
    generate_families(out, count=2, seed=5, formats={"txt"}, families=["standard", "tables_only"])
    return out


def _facts(g: Graph) -> dict[str, set]:
    """What a disclosure states, without IRIs or pages: its totals, lines and projects."""
    (d,) = g.subjects(RDF.type, BKG.Disclosure)
    return {
        "totals": {(str(p), str(o)) for p, o in g.predicate_objects(d)
                   if isinstance(o, Literal) and str(o.datatype).endswith("decimal")},
        "lines": {(str(g.value(ln, BKG.classification)), str(g.value(ln, BKG.figureType)), str(g.value(ln, BKG.amount)))
                  for ln in g.subjects(RDF.type, BKG.BudgetLine)},
        "projects": Counter((str(g.value(p, RDFS.label)), str(g.value(p, BKG.amount)))
                            for p in g.subjects(RDF.type, BKG.Project)),
    }


def test_generated_halves_read_as_the_whole_document(family, tmp_path):
    """Each tables_only pair becomes one disclosure whose totals, lines and projects are those
    of the same document printed whole (family a): both halves' facts, none twice."""
    whole = tmp_path / "whole"
    halves = tmp_path / "halves"
    _ingest(whole, sorted((family / "standard" / "txt").glob("*.txt")))
    _ingest(halves, sorted((family / "tables_only" / "txt").glob("*.txt")))
    (wdocs, wgraphs), (hdocs, hgraphs) = _read(whole), _read(halves)
    assert len(hdocs) == 4 and len(hgraphs) == len(wgraphs) == 2, [(d.source_file, d.graph) for d in hdocs]
    for w_doc in wdocs:
        stem = w_doc.source_file.rsplit(".", 1)[0]
        (h_graph,) = {d.graph for d in hdocs if d.source_file.startswith(stem)}
        assert _facts(hgraphs[h_graph]) == _facts(wgraphs[w_doc.graph]), stem
