"""The seven published PDFs (../shared/corpus/real/): every header fact of headers.json as the
graph states it, the blank template refused as a disclosure, one agency node across scopes,
member units as sub-organizations, and 决算 figures typed as outturns.

headers.json is read at test time (amounts there are 万元; the graph is yuan), so the test
follows the reviewed facts rather than copies of them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from kg.store import open_store

PREFIX = """PREFIX bkg: <https://w3id.org/budgetkg/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
"""
TOTALS = {"income_total": "totalIncome", "expenditure_total": "totalExpenditure",
          "three_public_total": "threePublicExpenses"}


@pytest.fixture(scope="module")
def headers(shared) -> list[dict]:
    return json.loads((shared / "corpus" / "real" / "headers.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def store(real_db):
    s = open_store(real_db, read_only=True)
    yield s
    s.close()


def _disclosure(store, name: str) -> dict:
    rows = store.select(PREFIX + f"""
        SELECT DISTINCT ?d ?agency ?label ?kind ?scope ?year ?tmpl WHERE {{
          ?d a bkg:Disclosure ; bkg:sourceFile {json.dumps(name, ensure_ascii=False)} .
          OPTIONAL {{ ?d bkg:reportingAgency ?agency . ?agency rdfs:label ?label }}
          OPTIONAL {{ ?d bkg:documentKind ?kind }} OPTIONAL {{ ?d bkg:disclosureScope ?scope }}
          OPTIONAL {{ ?d bkg:fiscalYear ?year }} OPTIONAL {{ ?d bkg:isTemplate ?tmpl }} }}""")
    assert len(rows) == 1, (name, rows)
    return rows[0]


def _value(store, d: str, term: str) -> list[Decimal]:
    return sorted({r["v"] for r in store.select(PREFIX + f"SELECT ?v WHERE {{ <{d}> bkg:{term} ?v }}")})


def _real(headers):
    return [h for h in headers if h["scope"] != "template"]


def test_every_header_field_matches(store, headers):
    """agency, kind, scope, fiscal year and the three totals of each of the six disclosures."""
    checked = mismatches = 0
    report = []
    for h in _real(headers):
        row = _disclosure(store, h["doc"])
        got = {"agency": row.get("label"), "kind": row.get("kind"), "scope": row.get("scope"),
               "fiscal_year": row.get("year")}
        for key, term in TOTALS.items():
            v = _value(store, row["d"], term)
            got[key] = v[0] if len(v) == 1 else v or None
        want = {k: h[k] for k in ("agency", "kind", "scope", "fiscal_year")}
        # 万元 in headers.json → yuan, exactly (Decimal from the printed string, never a float)
        want.update({k: Decimal(str(h[k])) * 10000 for k in TOTALS})
        for k, v in want.items():
            checked += 1
            if got[k] != v:
                mismatches += 1
                report.append(f"{h['doc']}: {k} = {got[k]!r}, headers.json says {v!r}")
    assert checked == 6 * 7
    assert not mismatches, "\n".join(report)


def test_template_is_not_a_disclosure(store, headers, real_db):
    from kg.archive import DocumentArchive
    from kg.rdf.build import build_graph

    templates = [h for h in headers if h["scope"] == "template"]
    assert templates
    for h in templates:
        row = _disclosure(store, h["doc"])
        assert row.get("scope") == "template" and row.get("tmpl") is True, row
        assert row.get("agency") is None, row
        for term in ("totalIncome", "totalExpenditure", "threePublicExpenses", "basicExpenditure"):
            assert not _value(store, row["d"], term), term
        n = store.select(PREFIX + f"""SELECT (COUNT(?x) AS ?n) WHERE {{
            {{ ?x bkg:disclosure <{row['d']}> }} UNION {{ <{row['d']}> bkg:reportingAgency ?x }} }}""")[0]["n"]
        assert n == 0, "a template must not yield lines, projects, findings or an agency"
        sha = store.select(PREFIX + f"SELECT ?s WHERE {{ <{row['d']}> bkg:sha256 ?s }}")[0]["s"]
        doc = DocumentArchive(real_db).get(sha)
        build_graph(doc)
        assert any("template" in w for w in doc.warnings), doc.warnings  # what `budgetkg ingest` prints
    # no placeholder agency anywhere in the store
    labels = [r["l"] for r in store.select(PREFIX + "SELECT DISTINCT ?l WHERE { ?a a bkg:Agency ; rdfs:label ?l }")]
    assert not [x for x in labels if "XX" in x.upper()], labels


def test_one_agency_node_across_scopes_and_years(store, headers):
    """Documents of one agency (部门预算 and 单位预算, budget and 决算) report through one IRI,
    and no two agency nodes share a label."""
    by_agency: dict[str, set[str]] = {}
    for h in _real(headers):
        by_agency.setdefault(h["agency"], set()).add(_disclosure(store, h["doc"])["agency"])
    assert any(len([h for h in _real(headers) if h["agency"] == a]) > 1 for a in by_agency)
    for a, iris in by_agency.items():
        assert len(iris) == 1, (a, iris)
    rows = store.select(PREFIX + """SELECT ?l (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a bkg:Agency ; rdfs:label ?l }
                                    GROUP BY ?l HAVING (COUNT(DISTINCT ?a) > 1)""")
    assert not rows, rows


def test_member_units_are_sub_organizations(store, headers):
    """A 部门 disclosure's listed units (本部 + centres) become agencies under the department:
    full names (the document's region prefix restored), never 本部/本级 themselves, and each
    one named in the reviewed notes for that document."""
    departments = [h for h in _real(headers) if h["scope"] == "department"]
    assert departments
    for h in departments:
        row = _disclosure(store, h["doc"])
        subs = store.select(PREFIX + f"""SELECT DISTINCT ?s ?l ?city WHERE {{
            ?s org:subOrganizationOf <{row['agency']}> ; rdfs:label ?l .
            OPTIONAL {{ <{row['agency']}> bkg:cityOrCounty ?city }} }}""")
        assert subs, f"{h['doc']}: no member unit as a sub-organization"
        for s in subs:
            label = s["l"]
            assert s["s"] != row["agency"] and not label.endswith(("本部", "本级")), label
            assert s.get("city") and label.startswith(s["city"]), (label, s.get("city"))
            assert any(label[k:] in h["notes"] for k in range(len(label) - 3)), f"{label} not in the notes"


def test_final_accounts_carry_outturns(store, headers):
    """决算 figures are typed outturn (the 年初预算数 never stands in for them); budgets are budget."""
    for h in _real(headers):
        d = _disclosure(store, h["doc"])["d"]
        types = {r["t"] for r in store.select(PREFIX + f"""SELECT DISTINCT ?t WHERE {{
            ?l a bkg:BudgetLine ; bkg:disclosure <{d}> ; bkg:figureType ?t }}""")}
        totals = {r["t"] for r in store.select(PREFIX + f"""SELECT DISTINCT ?t WHERE {{
            <{d}> <http://www.w3.org/ns/prov#hadMember> ?m . ?m bkg:figureType ?t }}""")}
        if h["kind"] == "final_account":
            assert "outturn" in types and totals == {"outturn"}, (h["doc"], types, totals)
        else:
            assert types == {"budget"} and totals == {"budget"}, (h["doc"], types, totals)
        assert types <= {"budget", "outturn"}


def test_carry_overs_have_their_own_terms(store, headers):
    """Where a 决算 prints 年初/年末结转和结余, they are separate from the year's own totals."""
    for h in _real(headers):
        if h["kind"] != "final_account":
            continue
        d = _disclosure(store, h["doc"])["d"]
        co, cf = _value(store, d, "carryOverIncome"), _value(store, d, "carryForward")
        inc, exp = _value(store, d, "totalIncome"), _value(store, d, "totalExpenditure")
        assert len(co) == len(cf) == 1, (h["doc"], co, cf)
        # 本年收入 + 年初结转 = 本年支出 + 年末结转 (the 总计 both sides print)
        assert abs(inc[0] + co[0] - exp[0] - cf[0]) <= 100, h["doc"]


def test_member_units_on_a_made_up_document():
    """The same rules on invented names: 本部/本级 and internal offices are not units of their
    own; a name printed without its city gets the department's region back."""
    from kg.document import Document, Page, Paragraph, Table
    from kg.extract.units import member_units

    listed = [Paragraph("本部门中，行政单位1家，事业单位1家，具体包括：1.甲市乙区某某局本部", 1, None),
              Paragraph("2.乙区某某服务中心，不单列预算。", 1, None), Paragraph("3.办公室", 1, None)]
    table = Table(header=[["序号", "单位名称", "备注"]], page=1, title=None, unit=None, pages=[1], row_pages=[1, 1, 1],
                  bbox=None, rows=[["1", "甲市乙区某某局（本级）", ""], ["2", "甲市乙区某某执法大队（下属参公事业单位）", ""],
                                   ["3", "甲市乙区某某事务中心（下属事业单位）", ""]])
    intro = Paragraph("二、部门决算单位构成", 1, None)
    for blocks, want in ((listed, ["甲市乙区某某服务中心"]),
                         ([intro, table], ["甲市乙区某某执法大队", "甲市乙区某某事务中心"])):
        doc = Document("x.txt", "0" * 64, [Page(1, blocks, 0, 0)], "text/plain", [])
        assert member_units(doc, "甲市乙区某某局", "甲市乙区") == want
