"""Text exports laid out the ways real disclosures are: a table's title row carrying the tabs of
its grid right under the previous table, a table continued after a form feed with its header
repeated, an orphan 合计 row on a page of its own after a page the table filled, the carry-overs
of a summary by source, and a performance-target table under the project table."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from kg.extract import extract
from kg.readers.text import read_text

TITLE = "青禾市档案馆2031年部门预算"
HEAD = "科目编码\t科目名称\t合计\t基本支出\t项目支出"


def rows(codes):
    return "\n".join(f"{c}\t科目{c}\t{v}.00\t{v}.00\t0.00" for c, v in codes)


def doc(body: str):
    return read_text(f"{TITLE}\n\n{body}", "x.txt", "0" * 64)


def test_a_title_row_with_tabs_starts_the_next_table():
    text = ("项目支出表\t\t\t\n项目分类\t项目名称\t合计\t\n本级支出项目\t档案数字化\t7.30\t\n\n"
            "项目支出绩效目标表\t\t\t\t\n项目名称\t一级指标\t二级指标\t指标值\n档案数字化\t产出指标\t数量指标\t≥98%\n")
    d = doc(text)
    assert [t.title for t in d.tables()] == ["项目支出表", "项目支出绩效目标表"]
    f = extract(d)
    assert [p.name for p in f.projects] == ["档案数字化"]


def test_a_table_continued_after_a_form_feed_with_its_header_repeated():
    first = rows([("201", 5), ("20101", 5), ("2010101", 5)])
    more = rows([("208", 3), ("20805", 3), ("2080505", 3)])
    d = doc(f"支出总表\n{HEAD}\n\t合计\t8.00\t8.00\t0.00\n{first}\n\f{HEAD}\n{more}\n")
    assert len(d.tables()) == 1
    assert {ln.code for ln in extract(d).lines} >= {"2080505", "2010101"}


def test_an_orphan_total_row_after_a_page_the_table_filled():
    p1 = rows([("201", 5), ("20101", 5)])
    p2 = rows([("208", 3), ("20805", 3)])
    d = doc(f"支出总表\n{HEAD}\n{p1}\n\f{p2}\n\f\t合计\t8.00\t6.00\t2.00\n\n四、一般公共预算支出表\n")
    (t,) = d.tables()
    assert t.rows[-1][1] == "合计" and t.pages == [1, 2, 3]
    totals = extract(d).totals
    assert totals["project"].value == Decimal("20000")


def test_carry_overs_of_a_summary_by_source():
    text = ("收支预算总表\n收入\t\t支出\t\n项目名称\t金额\t项目名称\t金额\n一、财政拨款\t10.00\t一、基本支出\t8.00\n"
            "\t\t二、项目支出\t2.00\n当年收入小计\t10.00\t当年支出小计\t10.00\n上年结转资金\t\t结转下年资金\t1.50\n"
            "收入合计\t10.00\t支出合计\t11.50\n")
    totals = extract(doc(text)).totals
    assert totals["carry_over"].value == 0
    assert totals["carry_forward"].value == Decimal("15000")
    assert totals["income"].value == totals["expenditure"].value == Decimal("100000")


NAMES_ONLY = ("支出总表\t\t\t\n填报单位：青禾市档案馆\t\t\t单位：万元\n科目名称\t合计\t基本支出\t项目支出\n合计\t9.00\t6.00\t3.00\n"
              "文化旅游体育与传媒支出\t9.00\t6.00\t3.00\n\u3000\u3000文化和旅游\t9.00\t6.00\t3.00\n"
              "\u3000\u3000\u3000\u3000其他文化和旅游支出\t4.00\t1.00\t3.00\n\u3000\u3000\u3000\u3000行政运行\t5.00\t5.00\t\n")


def test_a_table_printed_by_names_only_gives_lines_with_the_national_codes():
    lines = extract(doc(NAMES_ONLY)).lines
    got = {(ln.scheme, ln.name, ln.amount, ln.splits.get("project")) for ln in lines}
    assert ("functional", "其他文化和旅游支出", Decimal("40000"), Decimal("30000")) in got
    # 行政运行 is the 01 项 of many 款: the one above it (文化和旅游, 20701) places it
    assert sorted(ln.code for ln in lines) == ["207", "20701", "2070101", "2070199"]


def test_names_only_lines_conform_to_the_shapes(tmp_path):
    import pyshacl
    import rdflib

    from kg.pipeline import prepare

    path = tmp_path / "names.txt"
    path.write_text(f"{TITLE}\n\n{NAMES_ONLY}", "utf-8")
    g = rdflib.Graph().parse(data=prepare(str(path)).ntriples, format="nt")
    onto = Path(__file__).resolve().parents[2] / "ontology"
    shapes = rdflib.Graph().parse(onto / "shapes.ttl")
    named = list(g.query("""SELECT ?c WHERE { ?l a <https://w3id.org/budgetkg/def#BudgetLine> ;
        <https://w3id.org/budgetkg/def#classification> ?c }"""))
    assert len(named) == 4
    conforms, _, text = pyshacl.validate(g, shacl_graph=shapes, inference="none")
    assert conforms, text[:2000]
    # a concept with neither a code nor a name is still refused
    bare = rdflib.Graph().parse(data="<https://w3id.org/budgetkg/id/c> a <http://www.w3.org/2004/02/skos/core#Concept> ; "
                                     "<http://www.w3.org/2004/02/skos/core#inScheme> "
                                     "<https://w3id.org/budgetkg/def#FunctionalClassification> .", format="turtle")
    assert not pyshacl.validate(bare, shacl_graph=shapes, inference="none")[0]


def test_government_classification_printed_before_the_departments():
    text = ("一般公共预算基本支出表\t\t\t\t\t\n政府预算支出经济分类科目\t\t部门预算支出经济分类科目\t\t本年一般公共预算基本支出\t\n"
            "科目编码\t科目名称\t科目编码\t科目名称\t合计\t人员经费\n\t合计\t\t\t5.00\t5.00\n"
            "501\t机关工资福利支出\t301\t工资福利支出\t5.00\t5.00\n50101\t工资奖金津补贴\t30101\t基本工资\t5.00\t5.00\n")
    lines = extract(doc(text)).lines
    assert {(ln.scheme, ln.code) for ln in lines} == {("economic", "301"), ("economic", "30101")}


def test_units_named_before_their_count():
    text = ("（二）机构设置情况\n\n本单位设有综合股、检测股和质量管理股共 3 个内设机构。\n")
    assert extract(doc(text)).internal_units == ["综合股", "检测股", "质量管理股"]


def test_a_count_of_units_is_not_a_unit():
    text = ("三、部门机构设置和所属单位情况\n\n本部门内设机构包括常委会下设办公厅、研究室和 3 个专门委员会、8 个工作委员会，"
            "现有 38 个处室，编制 339 名。\n")
    assert extract(doc(text)).internal_units == ["办公厅", "研究室"]


PROJECT_DETAILS = ("项目支出表\t\t\t\t\t\t\t\n项目分类\t项目名称\t立项依据\t合计\t用款计划\t\t\t\n"
                   "\t\t\t\t一季度\t二季度\t三季度\t四季度\n\t合计\t\t8.00\t2.00\t2.00\t2.00\t2.00\n"
                   "本级支出项目\t档案数字化经费\t青档发[2030]12号\t8.00\t2.00\t2.00\t2.00\t2.00\n\n"
                   "项目支出绩效目标表\t\t\t\t\n项目名称\t一级指标\t二级指标\t三级指标\t指标值\n"
                   "档案数字化经费\t产出指标\t数量指标\t档案数字化完成率\t≥98%\n\t满意度指标\t服务对象满意度指标\t服务对象满意度\t≥95%\n")


def test_a_projects_basis_quarterly_plan_and_targets_reach_the_graph(tmp_path):
    import pyshacl
    import rdflib

    from kg.pipeline import prepare
    from ontology.namespace import BKG

    (p,) = extract(doc(PROJECT_DETAILS)).projects
    assert p.basis == "青档发[2030]12号" and p.plan == {q: Decimal("20000") for q in (1, 2, 3, 4)}
    assert [(t.level1, t.indicator, t.value) for t in p.targets] == [
        ("产出指标", "档案数字化完成率", "≥98%"), ("满意度指标", "服务对象满意度", "≥95%")]
    path = tmp_path / "details.txt"
    path.write_text(f"{TITLE}\n\n{PROJECT_DETAILS}", "utf-8")
    g = rdflib.Graph().parse(data=prepare(str(path)).ntriples, format="nt")
    (node,) = g.subjects(rdflib.RDF.type, BKG.Project)
    assert str(g.value(node, BKG.projectBasis)) == "青档发[2030]12号"
    quarters = {int(g.value(i, BKG.quarter)): g.value(i, BKG.amount).toPython() for i in g.objects(node, BKG.plannedInstalment)}
    assert quarters == {q: Decimal("20000") for q in (1, 2, 3, 4)}
    values = {str(g.value(t, BKG.indicator)): str(g.value(t, BKG.targetValue)) for t in g.objects(node, BKG.performanceTarget)}
    assert values == {"档案数字化完成率": "≥98%", "服务对象满意度": "≥95%"}
    shapes = rdflib.Graph().parse(Path(__file__).resolve().parents[2] / "ontology" / "shapes.ttl")
    conforms, _, text = pyshacl.validate(g, shacl_graph=shapes, inference="none")
    assert conforms, text[:2000]


def test_a_list_of_offices_closed_by_its_count_and_one_more():
    text = "三、部门机构设置和所属单位情况\n\n某某办公厅内设机构：秘书处、宣传科教处、机关文印中心等 3 个处室和某某机要局。\n"
    assert extract(doc(text)).internal_units == ["秘书处", "宣传科教处", "机关文印中心", "某某机要局"]
