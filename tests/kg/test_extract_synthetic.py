"""Extractors on synthetic mini-documents built from the document model (no corpus).

Names, numbers and layouts here are invented; they exercise the shapes real disclosures
take (split 类|款|项 columns, 元 vs 万元, group rows, key-value project forms, templates).
Other graph tests import `budget_doc` / `make_doc` from here."""

import hashlib
from decimal import Decimal

import pytest

from kg.document import Document, Heading, Page, Paragraph, Table
from kg.extract import extract


def make_doc(*blocks, name: str = "mini.txt") -> Document:
    sha = hashlib.sha256(repr(blocks).encode() + name.encode()).hexdigest()
    return Document(name, sha, [Page(1, list(blocks))])


def P(text: str, page: int = 1) -> Paragraph:
    return Paragraph(text, page)


def H(text: str, level: int = 2) -> Heading:
    return Heading(level, text, 1)


def T(title: str, header: list[list[str]], rows: list[list[str]], unit: str | None = "万元") -> Table:
    return Table(header=header, rows=rows, page=1, title=title, unit=unit)


def budget_doc(unit: str = "万元", scale: int = 1, project_total: str | None = None, name: str = "mini.txt",
               agency: str = "青禾市农业技术推广站", year: int = 2025) -> Document:
    """A consistent 部门预算 of an invented agency; amounts × `scale` in `unit`."""
    def a(x: str) -> str:
        from decimal import Decimal
        return f"{Decimal(x) * scale:f}" if x else ""

    total, basic, project = "300.00", "120.00", "180.00"
    return make_doc(
        P(f"{agency} {year} 年部门预算公开"),
        H("第一部分 部门概况", 1),
        H("一、机构设置"),
        P(f"{agency}是青禾市农业农村局的二级单位，内设机构包括：综合科、推广科和财务室。"),
        H("二、人员构成"),
        P(f"{agency}编制人数 12 人。在职实有人数 11 人。离退休人员 3 人。"),
        H("第二部分 情况说明", 1),
        P(f"{year} 年机关运行经费预算总额 {a('20.00')} {unit}。"),
        P(f"{year} 年未安排政府采购预算。"),
        P("良种推广补助依据青农发【2021】12 号测算；病虫害监测经费根据《青禾市植保条例》执行。"),
        T("收支总表", [["收入", "", "支出", ""], ["项目", "预算数", "项目", "预算数"]],
          [["一、一般公共预算拨款收入", a(total), "一、农林水支出", a(total)],
           ["本年收入合计", a(total), "本年支出合计", a(total)],
           ["上年结转结余", "", "年终结转结余", ""]], unit),
        T("部门收入总表", [["部门(单位)代码", "部门(单位)名称", "合计"]],
          [["", "合计", a(total)], ["588", "青禾市农业农村局", a(total)], ["588004", agency, a(total)]], unit),
        T("一般公共预算支出表", [["科目编码", "", "", "科目名称", "合计", "基本支出", "", "", "项目支出"],
                            ["类", "款", "项", "", "", "小计", "人员经费", "公用经费", ""]],
          [["", "", "", "合计", a(total), a(basic), a("100.00"), a("20.00"), a(project)],
           ["213", "", "", "农林水支出", a(total), a(basic), a("100.00"), a("20.00"), a(project)],
           ["", "01", "", "农业农村", a(total), a(basic), a("100.00"), a("20.00"), a(project)],
           ["", "", "04", "事业运行", a(basic), a(basic), a("100.00"), a("20.00"), ""],
           ["", "", "99", "其他农业农村支出", a(project), "", "", "", a(project)]], unit),
        T("一般公共预算基本支出表", [["科目编码", "科目名称", "合计", "人员经费", "公用经费"]],
          [["", "合计", a(basic), a("100.00"), a("20.00")],
           ["301", "工资福利支出", a("100.00"), a("100.00"), ""],
           ["30101", "基本工资", a("100.00"), a("100.00"), ""],
           ["302", "商品和服务支出", a("20.00"), "", a("20.00")],
           ["30201", "办公费", a("20.00"), "", a("20.00")]], unit),
        T("一般公共预算“三公”经费支出表", [["“三公”经费合计", "因公出国(境)费", "公务用车购置及运行费", "", "", "公务接待费"],
                                     ["", "", "小计", "公务用车购置费", "公务用车运行费", ""]],
          [[a("3.00"), "", a("2.00"), "", a("2.00"), a("1.00")]], unit),
        T("项目支出表", [["项目分类", "项目名称", "合计"]],
          [["", "", a(project_total or project)], ["特定目标类", "良种推广补助", a("100.00")],
           ["特定目标类", "病虫害监测经费", a("50.00")], ["其他运转类", "设备维护", a("15.00")],
           ["其他运转类", "设备维护", a("15.00")]], unit),
        T("项目绩效目标表", [["项目名称", "良种推广补助资金", ""]],
          [["项目总预算", a("100.00"), ""]], unit),
        name=name,
    )


W = Decimal(10000)


def test_header_agency_parent_code_year():
    f = extract(budget_doc())
    assert (f.fiscal_year, f.kind, f.scope) == (2025, "budget", "department")
    assert f.agency == "青禾市农业技术推广站"
    assert f.unit_code == "588004" and f.parent == "青禾市农业农村局" and f.parent_code == "588"
    assert f.city == "青禾市"


def test_units_and_staff():
    f = extract(budget_doc())
    assert f.internal_units == ["综合科", "推广科", "财务室"]
    assert f.staff == {"authorized": 12, "actual": 11, "retired": 3}


def test_totals_in_wan_and_yuan_documents_agree():
    f_wan = extract(budget_doc())
    f_yuan = extract(budget_doc(unit="元", scale=10000))
    for f in (f_wan, f_yuan):
        t = {k: v.value for k, v in f.totals.items()}
        assert t["income"] == t["expenditure"] == 300 * W
        assert (t["basic"], t["project"], t["personnel"], t["public"]) == (120 * W, 180 * W, 100 * W, 20 * W)
        assert (t["three_public"], t["reception"], t["vehicles"]) == (3 * W, 1 * W, 2 * W)
        assert t["operating"] == 20 * W and t["procurement"] == 0
        assert t["carry_over"] == 0


def test_split_code_columns_become_full_codes():
    f = extract(budget_doc())
    func = {ln.code: ln for ln in f.lines if ln.scheme == "functional"}
    assert set(func) == {"213", "21301", "2130104", "2130199"}
    assert func["2130199"].amount == 180 * W and func["2130199"].splits["basic"] == 0
    assert func["2130104"].splits == {"basic": 120 * W, "project": 0, "personnel": 100 * W, "public": 20 * W}
    econ = {ln.code: ln.amount for ln in f.lines if ln.scheme == "economic"}
    assert econ == {"301": 100 * W, "30101": 100 * W, "302": 20 * W, "30201": 20 * W}


def test_projects_same_name_twice_stay_two_and_variants_attach():
    f = extract(budget_doc())
    names = [p.name for p in f.projects]
    assert names == ["良种推广补助", "病虫害监测经费", "设备维护", "设备维护"]
    assert len({p.key for p in f.projects}) == 4
    seed = f.projects[0]
    assert seed.amount == 100 * W and seed.category == "特定目标类"
    assert seed.alt_names == ["良种推广补助资金"]


def test_policy_link_from_the_same_clause_and_law_without_number():
    f = extract(budget_doc())
    pols = {p.number or p.title: p for p in f.policies}
    assert "青农发〔2021〕12号" in pols and "青禾市植保条例" in pols
    assert pols["青禾市植保条例"].number is None
    names = {p.key: p.name for p in f.projects}
    links = {(names[ln.project_key], ln.policy) for ln in f.links}
    assert links == {("良种推广补助", "青农发〔2021〕12号")}


def test_consistent_document_has_no_findings_but_a_wrong_total_is_found():
    assert extract(budget_doc()).findings == []
    f = extract(budget_doc(project_total="190.00"))
    # the project table's own total row is not a project; the sum of projects differs from 项目支出
    rules = {x.rule for x in f.findings}
    assert rules == set() or "projects_sum" not in rules  # project rows (180) still match 项目支出 (180)


def test_inconsistent_functional_table_gives_a_finding():
    doc = make_doc(
        P("青禾市测试局 2024 年部门预算"),
        T("支出总表", [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]],
          [["", "合计", "100.00", "60.00", "40.00"],
           ["213", "农林水支出", "100.00", "60.00", "40.00"],
           ["21301", "农业农村", "70.00", "40.00", "30.00"],
           ["21302", "林业和草原", "20.00", "20.00", ""]]))
    f = extract(doc)
    bad = [x for x in f.findings if x.rule == "functional_children_sum"]
    assert bad, f.findings
    amount = [x for x in bad if x.where == "functional:213:amount"][0]
    assert (amount.expected, amount.found) == (90 * W, 100 * W)
    assert "213" in amount.comment and "万元" in amount.comment


def test_three_public_parts_finding():
    doc = make_doc(
        P("青禾市测试局 2024 年部门预算"),
        T("“三公”经费支出表", [["“三公”经费合计", "因公出国(境)费", "公务用车购置及运行费", "公务接待费"]],
          [["5.00", "1.00", "2.00", "1.00"]]))
    f = extract(doc)
    assert [x.rule for x in f.findings] == ["three_public_parts"]


def test_template_with_placeholders_records_no_agency_or_figures():
    doc = make_doc(
        P("上海市 XX 局"), P("2024 年度部门决算"),
        H("第一部分 部门概况", 1),
        P("XX局内设机构XX个，包括XX处、XX处。"),
        P("本年收入合计XXX万元，支出XX%。"),
        T("收入支出决算总表", [["项目", "决算数"]], [["本年收入合计", ""], ["本年支出合计", ""]]))
    f = extract(doc)
    assert f.template and f.agency is None and not f.totals and not f.projects
    assert any("template" in w for w in f.warnings)


def test_final_account_prefers_outturn_columns():
    doc = make_doc(
        P("青禾市测试局 2024 年度部门决算"),
        T("财政拨款“三公”经费支出决算表",
          [["合计", "合计", "因公出国(境)费", "因公出国(境)费", "公务接待费", "公务接待费"],
           ["预算数", "决算数", "预算数", "决算数", "预算数", "决算数"]],
          [["2.85", "0.39", "0.00", "0.00", "2.85", "0.39"]]))
    f = extract(doc)
    assert f.kind == "final_account"
    assert f.totals["three_public"].value == Decimal("3900")
    assert f.totals["three_public"].figure_type == "outturn"


def test_side_by_side_economic_table():
    doc = make_doc(
        P("青禾市测试局 2024 年度部门决算"),
        T("一般公共预算财政拨款基本支出决算表", [["经济分类科目编码", "科目名称", "决算数", "经济分类科目编码", "科目名称", "决算数"]],
          [["301", "工资福利支出", "10.00", "302", "商品和服务支出", "4.00"],
           ["30101", "基本工资", "10.00", "30201", "办公费", "4.00"]]))
    econ = {ln.code: ln.amount for ln in extract(doc).lines if ln.scheme == "economic"}
    assert econ == {"301": 10 * W, "30101": 10 * W, "302": 4 * W, "30201": 4 * W}


def test_title_split_over_lines_and_unit_scope():
    doc = make_doc(P("青禾市规划和自然"), P("资源局"), P("2024 年单位预算"), H("目录", 1))
    f = extract(doc)
    assert f.agency == "青禾市规划和自然资源局" and f.scope == "unit" and f.fiscal_year == 2024


def test_final_account_lines_carry_budget_and_outturn():
    doc = make_doc(
        P("青禾市测试局 2024 年度部门决算"),
        T("一般公共预算财政拨款支出决算表",
          [["科目编码", "科目名称", "年初预算数", "", "", "决算数", "", ""],
           ["", "", "合计", "基本支出", "项目支出", "合计", "基本支出", "项目支出"]],
          [["", "合计", "50.00", "30.00", "20.00", "45.00", "29.00", "16.00"],
           ["213", "农林水支出", "50.00", "30.00", "20.00", "45.00", "29.00", "16.00"]]))
    f = extract(doc)
    lines = {(ln.code, ln.figure_type): ln for ln in f.lines}
    assert lines[("213", "budget")].amount == 50 * W and lines[("213", "outturn")].amount == 45 * W
    assert lines[("213", "outturn")].splits == {"basic": 29 * W, "project": 16 * W}
    assert f.totals["basic"].value == 29 * W and f.totals["project"].value == 16 * W


def test_same_project_in_two_project_tables_is_one_node():
    doc = make_doc(
        P("青禾市测试局 2024 年部门预算"),
        T("项目支出表", [["项目名称", "合计"]], [["甲项目经费", "30.00"], ["乙项目经费", "20.00"]]),
        T("部门管理专项资金预算表", [["项目名称", "总计"]], [["甲项目经费", "30.00"]]))
    assert [p.name for p in extract(doc).projects] == ["甲项目经费", "乙项目经费"]


def test_a_cited_title_is_not_taken_for_the_project():
    doc = make_doc(
        P("青禾市测试局 2024 年部门预算"),
        T("项目支出表", [["项目名称", "合计"]], [["应急处置经费", "30.00"], ["检验能力建设经费", "20.00"]]),
        P("按照《关于完善应急处置经费保障的意见》（青卫发[2020]3号）的要求，检验能力建设经费安排预算 20 万元。"))
    f = extract(doc)
    names = {p.key: p.name for p in f.projects}
    assert [(names[ln.project_key], ln.policy) for ln in f.links] == [("检验能力建设经费", "青卫发〔2020〕3号")]





@pytest.mark.parametrize("lines, name, year, kind, scope", [
    (["2024年青禾市农业局部门预算"], "青禾市农业局", 2024, "budget", "department"),
    (["青禾市农业局2024年度部门决算报告"], "青禾市农业局", 2024, "final_account", "department"),
    (["青禾市农业局", "2024年部门预算"], "青禾市农业局", 2024, "budget", "department"),
    (["2024年度", "青禾市农业局", "部门决算"], "青禾市农业局", 2024, "final_account", "department"),
    (["青禾市农业局（本级）2024年单位预算"], "青禾市农业局", 2024, "budget", "unit"),
    (["2023 年部门预算公开报告", "青禾市社会保险事业服务中心", "(青禾市劳动保障监察支队)"],
     "青禾市社会保险事业服务中心", 2023, "budget", "department"),
    (["青禾市2026年区级单位预算", "预算单位：青禾市司法局"], "青禾市司法局", 2026, "budget", "unit"),
])
def test_title_layouts(lines, name, year, kind, scope):
    f = extract(make_doc(*[P(x) for x in lines], H("目录", 1)))
    assert (f.agency, f.fiscal_year, f.kind, f.scope) == (name, year, kind, scope)


def test_three_public_total_beside_meeting_and_training_is_the_column_holding_the_parts_sum():
    """Printed without rules, "“三公”经费" lands over one sub-column (here the vehicles' 小计):
    the total is the column left of the parts that holds their sum, not the 合计 that also
    counts 会议费 and 培训费; a total that disagrees with its parts, with no column holding
    their sum, is kept as printed (so the check still reports it)."""
    header = [["", "", "", "“三公”经费", "", "", "", "", ""],
              ["合计", "小计", "因公出国（境）费", "小计", "公务用车购置费", "公务用车运行费", "公务接待费",
               "会议费", "培训费"]]
    doc = make_doc(P("青禾市测试局 2024 年部门预算"),
                   T("“三公”经费、会议费、培训费支出预算表", header,
                     [["25.00", "8.00", "2.00", "3.00", "", "3.00", "3.00", "10.00", "7.00"]]))
    f = extract(doc)
    assert f.totals["three_public"].value == 8 * W
    assert (f.totals["abroad"].value, f.totals["reception"].value) == (2 * W, 3 * W)
    doc = make_doc(P("青禾市测试局 2024 年部门预算"),
                   T("“三公”经费、会议费、培训费支出预算表",
                     [["合计", "“三公”经费合计", "因公出国（境）费", "公务用车购置及运行费", "公务接待费", "会议费", "培训费"]],
                     [["26.00", "9.00", "2.00", "3.00", "3.00", "10.00", "7.00"]]))
    f = extract(doc)
    assert f.totals["three_public"].value == 9 * W
    assert "three_public_parts" in [x.rule for x in f.findings]


def test_a_sentence_on_growth_is_not_the_total_it_grew_by():
    """"增加基本支出 84.15 万元" says by how much basic expenditure grew; the level is stated
    later ("基本支出预算数为 766.68 万元")."""
    doc = make_doc(P("青禾市测试局 2024 年部门预算"),
                   P("主要原因是政策性增资等原因，增加基本支出84.15万元。"),
                   P("基本支出预算数为766.68万元，与上年相比增加84.15万元。"))
    f = extract(doc)
    assert f.totals["basic"].value == Decimal("766.68") * W


def test_a_form_label_set_into_the_bureau_cell_is_not_part_of_its_name():
    """A project form printed without rules can set the label of the row above ("项目(政策)名称")
    into the 主管部门 value cell: the parent is the name after it."""
    doc = make_doc(P("青禾市农业技术推广站 2024 年部门预算"),
                   T("部门预算项目（政策）绩效目标表", [["主管部门", "项目(政策)名称青禾市农业农村局", "良种推广补助"]],
                     [["预算资金总额", "", "5.50"]]))
    f = extract(doc)
    assert f.parent == "青禾市农业农村局"


def test_a_three_public_table_printed_as_rows_gives_its_parts():
    """"项目 | 预算数" with a row per part (1、因公出国（境）费, 2、公务用车购置及运行费, 其中：…,
    3、公务接待费): the total and each part by its row's name, blank parts zero."""
    doc = make_doc(P("青禾市测试局 2024 年部门预算"),
                   T("一般公共预算“三公”经费支出表", [["项目", "预算数"]],
                     [["合计", "2.84"], ["1、因公出国（境）费", ""], ["2、公务用车购置及运行费", "2.34"],
                      ["其中：公务用车购置费", ""], ["公务用车运行费", "2.34"], ["3、公务接待费", "0.50"]]))
    f = extract(doc)
    got = {k: f.totals[k].value for k in ("three_public", "abroad", "vehicles", "vehicle_purchase",
                                          "vehicle_operation", "reception")}
    assert got == {"three_public": Decimal("2.84") * W, "abroad": 0, "vehicles": Decimal("2.34") * W,
                   "vehicle_purchase": 0, "vehicle_operation": Decimal("2.34") * W, "reception": Decimal("0.50") * W}
    assert f.totals["three_public"].prov.row == 1
