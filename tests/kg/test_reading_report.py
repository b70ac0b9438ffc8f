"""The reading report (kg.report): which standard tables a disclosure was read with, which it
lacks, and whether each reconciles — in the graph, on `budgetkg ingest` and `budgetkg status`.

A disclosure from which a standard table is missing, or whose table does not add up, must be
flagged; the generated documents are the controlled case (delete a table, change a figure),
the shared published PDFs the real one."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph

from kg import vocab as V
from kg.document import Table
from kg.extract import extract
from kg.extract.tables import classify_document, expected_tables
from kg.readers.dispatch import read_document
from kg.report import reading_report
from ontology.namespace import BKG, RDF

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[Path]:
    """Budgets and final accounts from the generator, as text (read in milliseconds)."""
    from data.generate import generate

    out = tmp_path_factory.mktemp("gen")
    generate(out, count=4, seed=11, formats={"txt"}, inconsistency_rate=0.0)
    files = sorted((out / "txt").glob("*.txt"))
    assert {extract(read_document(str(p))).kind for p in files} == {V.BUDGET.code, V.FINAL_ACCOUNT.code}
    return files


def without(doc, table: Table):
    """`doc` with one table (and every part of it over page breaks) taken out."""
    doc = copy.deepcopy(doc)
    for p in doc.pages:
        p.blocks = [b for b in p.blocks if not (isinstance(b, Table) and b.rows == table.rows and b.title == table.title)]
    return doc


def report_of(doc):
    return reading_report(doc, extract(doc))


def test_a_deleted_standard_table_is_flagged(generated):
    """Take out each expected table a generated disclosure prints, one at a time: the report
    names it missing and the disclosure is not complete."""
    checked = 0
    for path in generated:
        doc = read_document(str(path))
        f = extract(doc)
        before = reading_report(doc, f)
        expected = {k.key for k in expected_tables(f.kind, f.scope)}
        for table, kind in classify_document(doc, f.kind):
            if kind is None or kind.key not in expected or kind.key in before.missing:
                continue
            after = report_of(without(doc, table))
            assert kind.key in after.missing, (path.name, kind.key, after.summary())
            assert not after.complete and kind.name(f.kind) in after.summary()
            checked += 1
    assert checked >= 12  # several tables of each of several documents


def test_every_table_of_a_clean_document_reconciles(generated):
    for path in generated:
        r = report_of(read_document(str(path)))
        assert r.tables and not r.unreconciled, (path.name, [(t.kind, t.problems) for t in r.unreconciled])
        # a table with lines is checked, not passed over
        assert any(t.reconciles for t in r.tables if t.kind in (V.TK_GPB_EXPENDITURE.key, V.TK_GPB_BASIC.key))


def test_a_clean_generated_document_reads_complete(generated):
    """The generator prints every standard table its kind must publish (the 财政拨款收支总表
    too, balanced against the 收支总表 and the 一般公共预算支出表), so a document without a
    planted inconsistency reads complete, the fiscal summary reconciled, not just passed over."""
    for path in generated:
        r = report_of(read_document(str(path)))
        assert not r.missing and r.complete, (path.name, r.summary())
        fiscal = next(t for t in r.tables if t.kind == V.TK_FISCAL_SUMMARY.key)
        assert fiscal.reconciles is True, (path.name, fiscal.problems)


def _functional_table(doc):
    return next(t for t, k in classify_document(doc) if k is V.TK_GPB_EXPENDITURE)


def test_a_line_that_does_not_add_up_is_flagged(generated):
    """Raise one 项 of the 一般公共预算支出表 by 1 万元: its 款 no longer equals its items, and the
    report says which line, the printed figure and the sum."""
    doc = read_document(str(generated[0]))
    table = _functional_table(doc)
    row = next(r for r in table.rows if r[0].strip().isdigit() and len(r[0].strip()) == 7)
    col = next(i for i, c in enumerate(row) if i > 1 and c.strip())
    row[col] = f"{Decimal(row[col].replace(',', '')) + 1:.2f}"
    r = report_of(doc)
    bad = [t for t in r.unreconciled if t.kind == V.TK_GPB_EXPENDITURE.key]
    assert bad and any(row[0].strip()[:5] in p for p in bad[0].problems), r.summary()
    assert not r.complete and "not reconciled" in r.summary()


def test_a_table_total_that_disagrees_with_the_disclosure_total_is_flagged(generated):
    """The 支出总表's 合计 row changed: its lines no longer sum to it, nor is it the year's expenditure."""
    doc = read_document(str(generated[0]))
    table = next(t for t, k in classify_document(doc) if k is V.TK_EXPENDITURE)
    total = next(r for r in table.rows if any(c.strip() in V.SUM_WORDS for c in r))
    col = next(i for i, c in enumerate(total) if c.strip() and c.strip()[0].isdigit())
    total[col] = f"{Decimal(total[col].replace(',', '')) + 50:.2f}"
    r = report_of(doc)
    bad = next(t for t in r.tables if t.kind == V.TK_EXPENDITURE.key)
    assert bad.reconciles is False and any(V.EXPENDITURE.label in p for p in bad.problems), bad.problems


def test_report_in_the_graph_and_on_ingest(generated, tmp_path, capsys):
    """The report is stored (bkg:ReadingReport with its tables, pages and missing kinds; SHACL
    valid) and `budgetkg ingest` prints one line per disclosure saying complete or what is missing."""
    from pyshacl import validate

    from api.cli import main
    from kg.rdf.build import build

    doc = read_document(str(generated[0]))
    table = _functional_table(doc)
    built = build(without(doc, table))
    g = built.graph
    (report,) = g.objects(None, BKG.readingReport)
    assert g.value(report, BKG.complete).toPython() is False
    assert {str(x) for x in g.objects(report, BKG.missingTable)} >= {V.TK_GPB_EXPENDITURE.key}
    readings = list(g.objects(report, BKG.tableReading))
    assert readings and all((t, RDF.type, BKG.TableReading) in g and g.value(t, BKG.page) is not None for t in readings)
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    ok, _, text = validate(g, shacl_graph=shapes, ont_graph=Graph().parse(ROOT / "ontology" / "budget.ttl"))
    assert ok, text

    rc = main(["ingest", "--db", str(tmp_path / "db"), "--workers", "1", str(generated[0]), str(generated[1])])
    out = capsys.readouterr()
    assert rc == 0
    lines = out.out.splitlines()
    for name in (generated[0].name, generated[1].name):
        i = next(i for i, x in enumerate(lines) if name in x)
        assert lines[i + 1].strip().startswith(("complete", "incomplete")), lines
    assert "read completely" in out.err.splitlines()[-1]


def test_status_gives_the_share_and_lists_the_incomplete(generated, tmp_path, capsys):
    from api.cli import main

    db = tmp_path / "db"
    assert main(["ingest", "--db", str(db), "--workers", "1", *map(str, generated)]) == 0
    capsys.readouterr()
    assert main(["status", "--db", str(db), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    n = len(generated)
    assert info["disclosures"] == n
    reports = [report_of(read_document(str(p))) for p in generated]
    assert info["reading"]["complete"] == sum(r.complete for r in reports)
    assert len(info["reading"]["incomplete"]) == n - info["reading"]["complete"]
    for item, r in zip(sorted(info["reading"]["incomplete"], key=lambda x: x["files"]),
                       [r for _, r in sorted(zip(generated, reports, strict=True)) if not r.complete], strict=True):
        assert item["reading"] == r.summary()
    assert main(["status", "--db", str(db)]) == 0
    text = capsys.readouterr().out
    assert f"of {n} disclosures read completely" in text


# --- the shared published PDFs --------------------------------------------------------------------

@pytest.fixture(scope="module")
def published_db(shared, tmp_path_factory) -> Path:
    """../shared/corpus/real and ../shared/corpus/jiangsu in one database (no search index)."""
    from kg.pipeline import ingest
    from kg.store import open_store

    db = tmp_path_factory.mktemp("published")
    store = open_store(db)
    try:
        results = ingest([shared / "corpus" / "real", shared / "corpus" / "jiangsu"], db, store, workers=2)
    finally:
        store.close()
    assert not [r.error for r in results if r.status == "failed"]
    return db


def _readings(db):
    from kg.report import stored_readings
    from kg.store import open_store

    store = open_store(db, read_only=True)
    try:
        return stored_readings(store)
    finally:
        store.close()


@pytest.mark.slow
def test_published_pdfs_read_completely(published_db):
    """Acceptance: at least 95% of the shared published disclosures read completely (the blank
    决算 template is no disclosure; the Jiangsu publication in two files is one)."""
    readings = _readings(published_db)
    assert len(readings) == 10, [x.files for x in readings]
    share = sum(bool(x.complete) for x in readings) / len(readings)
    assert share >= 0.95, [(x.files, x.reading) for x in readings if not x.complete]


@pytest.mark.slow
def test_a_table_missing_from_a_published_pdf_is_flagged(published_db):
    """Every published disclosure, each expected table it was read with taken out in turn: flagged."""
    from kg.archive import DocumentArchive

    archive = DocumentArchive(published_db)
    checked = 0
    for sha in sorted(archive.shas()):
        doc = archive.get(sha)
        f = extract(doc)
        if f.template:
            continue
        before = reading_report(doc, f)
        seen = set()
        for _, kind in classify_document(doc, f.kind):
            if kind is None or kind.key not in before.expected or kind.key in seen:
                continue
            seen.add(kind.key)
            gone = doc
            for t, k in classify_document(doc, f.kind):
                if k is kind:
                    gone = without(gone, t)
            after = report_of(gone)
            assert kind.key in after.missing and not after.complete, (doc.source_file, kind.key)
            checked += 1
    assert checked >= 40


def test_a_file_without_a_table_is_flagged_on_ingest_status_and_its_page(generated, tmp_path, capsys):
    """End to end: a generated file with its 一般公共预算支出表 cut out of the text."""
    import sys

    from api.cli import main

    source = generated[0]
    name = V.TK_GPB_EXPENDITURE.name(extract(read_document(str(source))).kind)
    lines = source.read_text("utf-8").splitlines()
    start = next(i for i, x in enumerate(lines) if x.split("\t")[0].strip() == name and "\t" in x)
    end = next(i for i in range(start, len(lines)) if not lines[i].strip())
    cut = tmp_path / source.name
    cut.write_text("\n".join(lines[:start] + lines[end:]) + "\n", "utf-8")
    assert V.TK_GPB_EXPENDITURE.key not in report_of(read_document(str(source))).missing

    db = tmp_path / "db"
    assert main(["ingest", "--db", str(db), "--workers", "1", str(cut)]) == 0
    out = capsys.readouterr().out
    assert "missing " in out and name in out.split("missing ", 1)[1], out
    assert main(["status", "--db", str(db), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["reading"]["complete"] == 0 and name in status["reading"]["incomplete"][0]["reading"]

    sys.path.insert(0, str(ROOT / "tests" / "api"))
    from apihelpers import make_client

    with make_client(db) as c:
        (item,) = c.get("/disclosures.json").json()["items"]
        page = c.get(item["href"], params={"format": "json"}).json()
        assert page["reading"]["complete"] is False and name in page["reading"]["missing"]
        html = c.get(item["href"], headers={"accept": "text/html"}).text
        assert "读取不完整" in html and name in html.split("读取报告", 1)[1]
