"""The reading report (kg.report) checks a table printed by names alone (no 科目编码 column) as it
checks a coded one: the national list gives each named row its code under the rows above it
(kg.classification, as extraction reads such tables), so a 款 that is not the sum of its 项 is
flagged. A row the list cannot place leaves the lines unsummed rather than flagged: its parent
would lack a child through no fault of the table's."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from data.family_output import generate_families
from kg import vocab as V
from kg.extract import extract
from kg.extract.lines import read_table_lines
from kg.extract.tables import classify_document
from kg.readers.dispatch import read_document
from kg.report import reading_report


@pytest.fixture(scope="module")
def names_only_docs(tmp_path_factory) -> list[Path]:
    """Clean disclosures printed by names alone, as text (read in milliseconds)."""
    out = tmp_path_factory.mktemp("names_only")
    generate_families(out, 4, 11, {"txt"}, ["names_only"], inconsistency_rate=0.0)
    files = sorted((out / "names_only" / "txt").glob("*.txt"))
    assert files
    return files


def _expenditure(doc, kind: str):
    """The 支出表 (lines by function, names only) and one 项 row of it under a 款 with several 项
    (found by the codes extraction gives the names, never by the names themselves)."""
    table = next(t for t, k in classify_document(doc, kind) if k is V.TK_EXPENDITURE)
    assert not read_table_lines(table, V.DEFAULT_UNIT, kind)  # printed without codes
    lines = [ln for ln in read_table_lines(table, V.DEFAULT_UNIT, kind, by_name="functional") if ln.code]
    items = [ln for ln in lines if len(ln.code) == 7]
    for ln in items:
        if sum(1 for x in items if x.code[:5] == ln.code[:5]) >= 2 and any(x.code == ln.code[:5] for x in lines):
            return table, table.rows[ln.prov.row - 1]
    pytest.fail("no 款 with two 项 under it")


def _raise(row: list[str], by: Decimal) -> None:
    col = next(i for i, c in enumerate(row) if i > 0 and c.strip())
    row[col] = f"{Decimal(row[col].replace(',', '')) + by:.2f}"


def test_a_names_only_table_reconciles_when_clean(names_only_docs):
    checked = 0
    for path in names_only_docs:
        doc = read_document(str(path))
        r = reading_report(doc, extract(doc))
        assert r.complete, (path.name, r.summary())
        checked += sum(1 for t in r.tables if t.kind == V.TK_EXPENDITURE.key and t.reconciles is True)
    assert checked == len(names_only_docs)  # checked, not passed over


def test_a_named_item_that_does_not_add_up_is_flagged(names_only_docs):
    for path in names_only_docs:
        doc = read_document(str(path))
        f = extract(doc)
        table, row = _expenditure(doc, f.kind)
        _raise(row, Decimal(3))
        r = reading_report(doc, f)
        bad = [t for t in r.unreconciled if t.kind == V.TK_EXPENDITURE.key]
        assert bad and not r.complete, (path.name, r.summary())
        assert any("≠ Σ" in p for p in bad[0].problems), bad[0].problems


def test_a_name_the_list_cannot_place_leaves_its_lines_unsummed(names_only_docs):
    """The same misprint under a row renamed to a name no list holds: its lines are not summed
    (the 款 above it would lack a child whatever the figures), so the table is not flagged."""
    doc = read_document(str(names_only_docs[0]))
    f = extract(doc)
    table, row = _expenditure(doc, f.kind)
    _raise(row, Decimal(3))
    row[0] = "某某专项补助"
    r = reading_report(doc, f)
    t = next(t for t in r.tables if t.kind == V.TK_EXPENDITURE.key)
    assert t.reconciles is not False and not any("≠ Σ" in p for p in t.problems), t.problems
