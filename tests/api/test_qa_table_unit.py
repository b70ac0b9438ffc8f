"""A figure read from a table by question answering is scaled as extraction scaled it.

A table that declares no unit takes the document's: the unit most printed figures are in
(kg.money.doc_unit). Question answering used to count tables instead, so a document with one
large 元 statement and a few small 万元 forms read an unlabelled 元 table as 万元 — an answer
10,000 times the graph's figure.
"""

from __future__ import annotations

from decimal import Decimal

from api.qa.sources import row_lookup
from kg.document import Document, Page, Table
from kg.money import doc_unit, table_factor


def _doc() -> Document:
    statement = Table(header=[["项目", "金额"]], page=1, title="收支总表", unit="元",
                      rows=[[f"收入{i}", f"{1000 + i}.00"] for i in range(8)])
    forms = [Table(header=[["项目", "金额"]], page=2, title=f"表{i}", unit="万元", rows=[[f"事项{i}", "1.50"]])
             for i in range(3)]
    unlabelled = Table(header=[], page=3, rows=[["结转下年资金", "1200.00"]])
    return Document("x.txt", "0" * 64, [Page(1, [statement]), Page(2, forms), Page(3, [unlabelled])])


def test_an_unlabelled_table_is_read_in_the_unit_extraction_gives_it():
    doc = _doc()
    unlabelled = doc.tables()[-1]
    assert doc_unit(doc) == "元"  # 8 figures in 元 against 3 in 万元
    hits = row_lookup(doc, "结转下年资金")
    assert hits and hits[0].exact
    assert hits[0].value_yuan == Decimal("1200.00") * table_factor(unlabelled, doc_unit(doc)) == Decimal(1200)


def test_a_table_with_its_own_unit_keeps_it():
    doc = _doc()
    hits = row_lookup(doc, "事项1")
    assert hits[0].value_yuan == Decimal(15000)
