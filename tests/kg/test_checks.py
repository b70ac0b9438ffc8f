"""Consistency findings: computed at extraction, stored as bkg:Finding, read back by
kg.checks.findings_from_store."""

from decimal import Decimal

from test_extract_synthetic import P, T, budget_doc, make_doc

from kg.checks import findings_from_store
from kg.rdf.build import build_graph
from kg.store import OxigraphStore


def _store(*docs):
    s = OxigraphStore(None)
    for d in docs:
        iri, g = build_graph(d)
        s.replace_graph(iri, g.serialize(format="nt"))
    return s


def test_inconsistent_document_gives_findings_in_the_store():
    bad = make_doc(
        P("青禾市测试局 2024 年部门预算"),
        T("收支总表", [["项目", "预算数", "项目", "预算数"]],
          [["本年收入合计", "100.00", "本年支出合计", "100.50"]]),
        T("支出总表", [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]],
          [["", "合计", "100.50", "60.00", "40.00"], ["213", "农林水支出", "100.50", "60.00", "40.00"]]),
        name="bad.txt")
    good = budget_doc(name="good.txt")
    rows = findings_from_store(_store(bad, good))
    assert {r["source_file"] for r in rows} == {"bad.txt"}
    rules = {r["rule"]: r for r in rows}
    assert set(rules) >= {"income_equals_expenditure", "basic_plus_project"}
    inc = rules["income_equals_expenditure"]
    assert (inc["expected"], inc["found"]) == (Decimal("1000000"), Decimal("1005000"))
    assert inc["severity"] == "error" and inc["pages"] == [1] and "万元" in inc["comment"]
    for key in ("rule", "severity", "expected", "found", "pages", "disclosure", "source_file", "comment"):
        assert key in inc


def test_rounding_within_the_printed_precision_is_no_finding():
    """100.01 = 60.00 + 40.00 within the rounding of three figures printed to 0.01 万元
    (±0.015); 100.05 is beyond it, and its tolerance is reported."""
    def doc(total):
        return make_doc(
            P("青禾市测试局 2024 年部门预算"),
            T("支出总表", [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]],
              [["", "合计", total, "60.00", "40.00"], ["213", "农林水支出", total, "60.00", "40.00"]]))
    assert findings_from_store(_store(doc("100.01"))) == []
    rows = findings_from_store(_store(doc("100.05")))
    assert {r["rule"] for r in rows} >= {"row_splits_sum"}
    assert all(r["severity"] == "error" and r["tolerance"] == Decimal("150") for r in rows)


def test_projects_sum_against_project_expenditure():
    doc = make_doc(
        P("青禾市测试局 2024 年部门预算"),
        T("支出总表", [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]],
          [["", "合计", "100.00", "60.00", "40.00"]]),
        T("项目支出表", [["项目名称", "合计"]], [["甲项目经费", "30.00"], ["乙项目经费", "20.00"]]))
    rows = findings_from_store(_store(doc))
    assert [(r["rule"], r["severity"]) for r in rows] == [("projects_sum", "warning")]
    assert rows[0]["expected"] == Decimal("500000") and rows[0]["found"] == Decimal("400000")
