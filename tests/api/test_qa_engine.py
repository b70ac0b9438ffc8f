"""The question-answering engine on a small hand-built graph (contract terms only) and a
matching archived document: intents, entity linking near misses, formatting, no-answer."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api.qa.answerer import answer
from api.qa.context import Context
from kg.archive import DocumentArchive
from kg.document import Document, Heading, Page, Paragraph, Table
from kg.store import OxigraphStore

ID = "https://w3id.org/budgetkg/id/"

TTL = """
@prefix bkg: <https://w3id.org/budgetkg/def#> .
@prefix id: <https://w3id.org/budgetkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

id:d1 a bkg:Disclosure ; bkg:sourceFile "qs_2025.txt" ; bkg:sha256 "aaa1" ; bkg:fiscalYear 2025 ;
  bkg:documentKind "budget" ; bkg:reportingAgency id:a1 ; dcterms:references id:pol1, id:pol2 ;
  bkg:totalIncome "8123456.70"^^xsd:decimal ; bkg:projectExpenditure "1200000"^^xsd:decimal ;
  bkg:threePublicExpenses "12000"^^xsd:decimal ;
  bkg:authorizedStaff 42 ; bkg:actualStaff 40 ; bkg:retiredStaff 11 .
id:d0 a bkg:Disclosure ; bkg:sourceFile "qs_2024.txt" ; bkg:sha256 "aaa0" ; bkg:fiscalYear 2024 ;
  bkg:documentKind "budget" ; bkg:reportingAgency id:a1 ;
  bkg:totalIncome "7000000"^^xsd:decimal ; bkg:projectExpenditure "1000000"^^xsd:decimal .
id:d2 a bkg:Disclosure ; bkg:sourceFile "ls_2025.txt" ; bkg:sha256 "bbb1" ; bkg:fiscalYear 2025 ;
  bkg:documentKind "budget" ; bkg:reportingAgency id:a2 ;
  bkg:totalIncome "133491208"^^xsd:decimal ; bkg:projectExpenditure "900000"^^xsd:decimal .

id:d5 a bkg:Disclosure ; bkg:sourceFile "bh_2025.txt" ; bkg:sha256 "eee5" ; bkg:fiscalYear 2025 ;
  bkg:documentKind "budget" ; bkg:totalIncome "2345600"^^xsd:decimal .

id:a1 a bkg:Agency ; rdfs:label "青山县城乡居民医疗保险服务中心"@zh ; skos:altLabel "医保中心"@zh ;
  org:subOrganizationOf id:a0 ; org:hasUnit id:u1, id:u2 .
id:a0 a bkg:Agency ; rdfs:label "青山县医疗保障局"@zh .
id:u1 a org:OrganizationalUnit ; rdfs:label "综合科"@zh .
id:u2 a org:OrganizationalUnit ; rdfs:label "稽核结算科"@zh .
id:a2 a bkg:Agency ; rdfs:label "绿水市就业创业服务中心"@zh .

id:p1 a bkg:Project ; rdfs:label "医保基金稽核专项经费"@zh ; bkg:amount "45000"^^xsd:decimal ;
  bkg:disclosure id:d1 ; bkg:implementingAgency id:a1 ; bkg:basedOnPolicy id:pol1 ; prov:wasDerivedFrom id:d1 .
id:p2 a bkg:Project ; rdfs:label "参保扩面宣传资金"@zh ; bkg:amount "1155000"^^xsd:decimal ;
  bkg:disclosure id:d1 ; bkg:implementingAgency id:a1 .
id:p3 a bkg:Project ; rdfs:label "创业担保贷款贴息"@zh ; bkg:amount "900000"^^xsd:decimal ;
  bkg:disclosure id:d2 ; bkg:implementingAgency id:a2 ; bkg:basedOnPolicy id:pol2 .
id:cit1 a bkg:PolicyCitation ; bkg:citingProject id:p1 ; bkg:citedPolicy id:pol1 ;
  bkg:quote "稽核经费依据青医保发〔2021〕7号安排" ; bkg:page 3 ; prov:wasDerivedFrom id:d1 .
id:pol1 a bkg:Policy ; bkg:documentNumber "青医保发〔2021〕7号" ; bkg:issuerCode "青医保发" ; bkg:issueYear 2021 ; bkg:serialNumber 7 .
id:pol2 a bkg:Policy ; bkg:documentNumber "财金〔2020〕21号" ; bkg:issuerCode "财金" ; bkg:issueYear 2020 ; bkg:serialNumber 21 .

id:c1 a skos:Concept ; skos:notation "2210201" ; skos:prefLabel "住房公积金"@zh ; skos:inScheme bkg:FunctionalClassification .
id:c2 a skos:Concept ; skos:notation "30113" ; skos:prefLabel "住房公积金"@zh ; skos:inScheme bkg:EconomicClassification .
id:c3 a skos:Concept ; skos:notation "30231" ; skos:prefLabel "公务用车运行维护费"@zh ; skos:inScheme bkg:EconomicClassification .
id:l1 a bkg:BudgetLine ; bkg:disclosure id:d1 ; bkg:classification id:c2 ; bkg:amount "300000"^^xsd:decimal ; bkg:page 5 .
id:l2 a bkg:BudgetLine ; bkg:disclosure id:d2 ; bkg:classification id:c2 ; bkg:amount "520000"^^xsd:decimal .
id:l3 a bkg:BudgetLine ; bkg:disclosure id:d1 ; bkg:classification id:c1 ; bkg:amount "310000"^^xsd:decimal ;
  bkg:basicExpenditure "300000"^^xsd:decimal .
id:l4 a bkg:BudgetLine ; bkg:disclosure id:d1 ; bkg:classification id:c3 ; bkg:amount "60000"^^xsd:decimal .
"""


def _docs() -> list[Document]:
    d1 = Document("qs_2025.txt", "aaa1", [
        Page(1, [Paragraph("本单位编制人数42人，实有人数40人，离退休人员11人。", 1)]),
        Page(2, [Heading(2, "二、部门职责", 2), Paragraph("本中心负责全县城乡居民医疗保险的参保登记和待遇审核工作。", 2),
                 Paragraph("综合科负责机关日常运转。", 2)]),
        Page(3, [Table(header=[["项目", "金额"]], rows=[["一、一般公共预算拨款收入", "812.35"], ["二、事业收入", "0.00"]],
                       page=3, title="收支总表", unit="万元")]),
    ])
    d0 = Document("qs_2024.txt", "aaa0", [Page(1, [Paragraph("2024年预算。", 1)])])
    d2 = Document("ls_2025.txt", "bbb1", [
        Page(1, [Paragraph("本中心承担全市创业担保贷款的审核发放工作。", 1),
                 Paragraph("就业见习补贴依据《关于就业见习的通知》（绿人社发", 1), Paragraph("（2019）12号）安排。", 1)]),
        Page(2, [Table(header=[["项目", "金额"]], rows=[["1、一般公共预算拨款", "133491208.00"]],
                       page=2, title="财政拨款收支总表", unit="元")]),
    ])
    d5 = Document("bh_2025.txt", "eee5", [Page(1, [Heading(1, "白桦镇中心小学 2025 年单位预算公开说明", 1),
                                                  Paragraph("白桦镇中心小学是白桦镇人民政府所属公益一类事业单位。", 1)])])
    return [d1, d0, d2, d5]


def build(tmp_path) -> Context:
    store = OxigraphStore(None)
    # One named graph per disclosure, as the pipeline stores them.
    import pyoxigraph as ox

    quads = list(ox.parse(TTL.encode(), ox.RdfFormat.TURTLE))
    by_doc = {"aaa1": "d1", "aaa0": "d0", "bbb1": "d2", "eee5": "d5"}
    nt = "\n".join(str(q) + " ." for q in quads)
    for _sha, name in by_doc.items():
        store.replace_graph(ID + name, nt if name == "d1" else
                            "\n".join(str(q) + " ." for q in quads if str(q.subject) == f"<{ID}{name}>"))
    arch = DocumentArchive(tmp_path)
    for d in _docs():
        arch.put(d)
    return Context(store, tmp_path)


@pytest.fixture()
def ctx(tmp_path):
    return build(tmp_path)


def ask(ctx, q):
    return answer(q, ctx)


def test_total_with_year_and_formatting(ctx):
    r = ask(ctx, "青山县城乡居民医疗保险服务中心2025年预算收入总额是多少？")
    assert r["intent"] == "total"
    assert "812.345670万元" not in r["answer"] and "812.34567万元" in r["answer"]
    assert r["value"] == "812.34567" and r["unit"] == "万元"
    assert r["evidence"] and r["evidence"][0]["source_file"] == "qs_2025.txt" and r["evidence"][0]["page"]
    assert "totalIncome" in r["sparql"]


def test_year_selects_disclosure(ctx):
    assert "100.00万元" in ask(ctx, "青山县城乡居民医疗保险服务中心2024年项目支出预算是多少？")["answer"]
    assert "120.00万元" in ask(ctx, "青山县城乡居民医疗保险服务中心的项目支出是多少？")["answer"]


def test_yuan_figures_keep_all_digits(ctx):
    assert "13349.1208万元" in ask(ctx, "绿水市就业创业服务中心的收入总额是多少？")["answer"]


def test_shortened_agency_name_links(ctx):
    r = ask(ctx, "青山县医疗保险服务中心2025年“三公”经费预算是多少？")
    assert "1.20万元" in r["answer"], r
    r = ask(ctx, "医保中心的编制人数是多少？")
    assert "42人" in r["answer"] and r["value"] == 42


def test_staff_counts(ctx):
    assert ask(ctx, "青山县城乡居民医疗保险服务中心实有人数是多少？")["value"] == 40
    assert ask(ctx, "青山县城乡居民医疗保险服务中心离退休人员有多少人？")["value"] == 11


def test_project_near_miss(ctx):
    r = ask(ctx, "青山县城乡居民医疗保险服务中心的医保基金稽核经费是多少？")
    assert "4.50万元" in r["answer"] and r["intent"] == "project"
    r = ask(ctx, "参保扩面宣传专项资金有多少？")
    assert "115.50万元" in r["answer"]


def test_parent_and_units(ctx):
    r = ask(ctx, "青山县城乡居民医疗保险服务中心的主管部门是哪个单位？")
    assert "青山县医疗保障局" in r["answer"] and r["evidence"]
    r = ask(ctx, "青山县城乡居民医疗保险服务中心有哪些内设机构？")
    assert "综合科" in r["answer"] and "稽核结算科" in r["answer"]


@pytest.mark.parametrize("num", ["青医保发【2021】7号", "青医保发[2021]7号", "青医保发（２０２１）７号", "青医保发〔2021〕7号"])
def test_policy_number_forms(ctx, num):
    r = ask(ctx, f"哪些项目以{num}为依据？")
    assert "医保基金稽核专项经费" in r["answer"] and r["intent"] == "policy"
    assert r["evidence"][0]["page"] == 3 and "青医保发" in r["evidence"][0]["quote"]


def test_policy_supports_agency(ctx):
    r = ask(ctx, "财金〔2020〕21号文件支持的是哪个单位？")
    assert "绿水市就业创业服务中心" in r["answer"]


def test_unknown_policy_says_not_found(ctx):
    r = ask(ctx, "哪些项目以财金〔2020〕99号为依据？")
    assert r["answer"].startswith("未找到") and r["value"] is None


def test_line_by_name_and_code(ctx):
    r = ask(ctx, "青山县城乡居民医疗保险服务中心的公务用车运行费是多少？")
    assert "6.00万元" in r["answer"]
    r = ask(ctx, "青山县城乡居民医疗保险服务中心在住房公积金（2210201）科目上的预算是多少？")
    assert "31.00万元" in r["answer"]
    r = ask(ctx, "青山县城乡居民医疗保险服务中心住房公积金（2210201）科目的基本支出是多少？")
    assert "30.00万元" in r["answer"]


def test_superlative(ctx):
    r = ask(ctx, "2025年哪个单位的住房公积金预算最高？")
    assert "绿水市就业创业服务中心" in r["answer"] and r["intent"] == "superlative"
    r = ask(ctx, "2025年哪个单位的项目支出最低？")
    assert "绿水市就业创业服务中心" in r["answer"]


def test_compare_years_and_agencies(ctx):
    r = ask(ctx, "青山县城乡居民医疗保险服务中心2025年和2024年的项目支出相比增加了多少？")
    assert "增加20.00万元" in r["answer"]
    r = ask(ctx, "2025年青山县城乡居民医疗保险服务中心和绿水市就业创业服务中心的项目支出相差多少？")
    assert "青山县城乡居民医疗保险服务中心比绿水市就业创业服务中心多30.00万元" in r["answer"]
    r = ask(ctx, "2025年青山县城乡居民医疗保险服务中心和绿水市就业创业服务中心的项目支出哪个高？")
    assert r["intent"] == "compare" and "多30.00万元" in r["answer"]


def test_table_row_fallback(ctx):
    r = ask(ctx, "绿水市就业创业服务中心2025年一般公共预算拨款收入是多少？")
    assert "13349.1208万元" in r["answer"] and r["evidence"][0]["page"] == 2


def test_text_fallback_names_the_agency(ctx):
    r = ask(ctx, "创业担保贷款的审核发放由哪个单位负责？")
    assert "绿水市就业创业服务中心" in r["answer"] and r["evidence"][0]["source_file"] == "ls_2025.txt"


def test_no_answer(ctx):
    r = ask(ctx, "青山县城乡居民医疗保险服务中心2019年项目支出是多少？")
    assert r["answer"].startswith("未找到") and r["value"] is None
    r = ask(ctx, "火星探测器的发射窗口在什么时候？")
    assert r["answer"].startswith("未找到")
    assert ask(ctx, "")["answer"]


def test_value_types(ctx):
    r = ask(ctx, "青山县城乡居民医疗保险服务中心的编制人数是多少？")
    assert isinstance(r["value"], int)
    r = ask(ctx, "青山县城乡居民医疗保险服务中心2025年预算收入总额是多少？")
    assert Decimal(r["value"]) == Decimal("812.34567")


def test_lexicon_follows_new_disclosures(ctx):
    assert ask(ctx, "红枫镇文化站的收入总额是多少？")["value"] is None
    B = "https://w3id.org/budgetkg/def#"
    dec = "^^<http://www.w3.org/2001/XMLSchema#decimal>"
    ctx.store.replace_graph(ID + "d9", "\n".join(f"<{s}> <{p}> {o} ." for s, p, o in [
        (ID + "d9", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"<{B}Disclosure>"),
        (ID + "d9", B + "sourceFile", '"hf.txt"'), (ID + "d9", B + "sha256", '"ccc9"'),
        (ID + "d9", B + "reportingAgency", f"<{ID}a9>"), (ID + "d9", B + "totalIncome", '"50000"' + dec),
        (ID + "a9", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"<{B}Agency>"),
        (ID + "a9", "http://www.w3.org/2000/01/rdf-schema#label", '"红枫镇文化站"'),
    ]))
    ctx._checked = 0.0  # as if RECHECK_S had passed
    r = ask(ctx, "红枫镇文化站的收入总额是多少？")
    assert "5.00万元" in r["answer"]
    assert r["evidence"][0]["source_file"] == "hf.txt" and r["evidence"][0]["page"] == 1


def test_header_named_figures_in_small_tables(tmp_path):
    from api.qa.sources import row_lookup

    t = Table(header=[["“三公”经费合计", "因公出国（境）费", "公务用车购置及运行费", "公务用车购置及运行费", "公务接待费"],
                      ["“三公”经费合计", "因公出国（境）费", "小计", "公务用车运行费", "公务接待费"]],
              rows=[["3.5", "", "2.5", "2.5", "1"]], page=4, title="“三公”经费支出表", unit="万元")
    doc = Document("x.txt", "x", [Page(4, [t])])
    (hit,) = row_lookup(doc, "公务用车运行费")[:1]
    assert hit.value_yuan == Decimal("25000") and hit.page == 4
    assert row_lookup(doc, "因公出国（境）费")[0].value_yuan == 0
    assert row_lookup(doc, "会议费") == []


@pytest.mark.parametrize("q", ["北岸市财政局的医保基金稽核专项经费是多少？", "北岸市财政局2025年项目支出是多少？",
                               "北岸市文化馆的住房公积金是多少？"])
def test_unknown_agency_is_not_answered_with_another(ctx, q):
    r = ask(ctx, q)
    assert r["answer"].startswith("未找到") and r["value"] is None, r["answer"]


def test_section_answers_what_a_heading_names(ctx):
    r = ask(ctx, "青山县城乡居民医疗保险服务中心的主要职责是什么？")
    assert "参保登记和待遇审核" in r["answer"] and r["evidence"][0]["page"] == 2


def test_lists_and_counts(ctx):
    r = ask(ctx, "青山县城乡居民医疗保险服务中心2025年有多少个项目？")
    # A count is answered with the number (and the list after it), not the list alone.
    assert r["intent"] == "count" and r["value"] == 2 and r["unit"] == "个"
    assert "2个项目" in r["answer"] and "医保基金稽核专项经费" in r["answer"]
    r = ask(ctx, "青山县城乡居民医疗保险服务中心引用了哪些政策文件？")
    assert "青医保发〔2021〕7号" in r["answer"] and "财金〔2020〕21号" in r["answer"]
    r = ask(ctx, "医保基金稽核专项经费的依据是什么文件？")
    assert r["intent"] == "basis" and "青医保发〔2021〕7号" in r["answer"]
    r = ask(ctx, "2025年哪个项目的金额最大？")
    assert "参保扩面宣传资金" in r["answer"]


@pytest.mark.parametrize("q", ["？？？", "1234", "甲" * 5000, "SELECT * WHERE { ?s ?p ?o }", "<script>alert(1)</script>",
                               "多少", "2024年", "哪个单位最高？", "青山县城乡居民医疗保险服务中心", "\n\t  \n", "〔2020〕号"])
def test_odd_input_gets_an_answer_not_a_crash(ctx, q):
    r = ask(ctx, q)
    assert isinstance(r["answer"], str) and r["answer"]
    assert set(r) >= {"question", "answer", "value", "unit", "evidence", "sparql", "intent", "entities"}


def test_policy_missing_from_graph_is_found_in_text(ctx):
    r = ask(ctx, "哪些项目以绿人社发〔2019〕12号为依据？")
    assert "就业见习补贴" in r["answer"] and r["evidence"][0]["source_file"] == "ls_2025.txt"


def test_agency_the_graph_missed_is_read_from_the_title(ctx):
    # d5 has no bkg:reportingAgency (an extraction gap): its title still names the agency.
    r = ask(ctx, "白桦镇中心小学2025年收入总额是多少？")
    assert "234.56万元" in r["answer"] and r["evidence"][0]["source_file"] == "bh_2025.txt"
    r = ask(ctx, "白桦镇中心小学的主管部门是哪个单位？")
    assert "白桦镇人民政府" in r["answer"]


def test_total_without_agency_reads_in_batches_and_answers_the_same(ctx, monkeypatch):
    """Without an agency the candidate disclosures are all of them; they are read in
    batches only as far as the answer needs. Batches of one give the same answer."""
    from api.qa.handlers import totals

    q = "预算收入总额是多少？"
    whole = ask(ctx, q)
    assert "未指明单位" in whole["answer"], whole["answer"]
    original = totals.first_totals
    monkeypatch.setattr(totals, "first_totals", lambda qn, prop, ds, batch=200: original(qn, prop, ds, 1))
    assert ask(ctx, q) == whole
