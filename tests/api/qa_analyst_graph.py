"""A small hand-built database for the analyst questions (tests/api/test_qa_analyst.py,
test_qa_sparql_roundtrip.py): invented agencies written the way publishers name them, with
namesakes in two places, two years, a budget and its final account, a department's and a
unit's disclosure of one year, a publication printed as two files, a parent with units under
it, projects with a policy, a quarterly plan, performance targets and a 立项依据 column.
Contract terms only; the archived documents carry what the graph has no term for."""

from __future__ import annotations

from pathlib import Path

from kg.document import Document, Heading, Page, Paragraph, Table

ID = "https://w3id.org/budgetkg/id/"
PREFIXES = """@prefix bkg: <https://w3id.org/budgetkg/def#> .
@prefix id: <https://w3id.org/budgetkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# Names, places and the nodes every disclosure shares (loaded with the first disclosure).
SHARED = """
id:jcy a bkg:Agency ; rdfs:label "江东省人民检察院"@zh ; org:hasUnit id:u1, id:u2, id:u3 .
id:u1 a org:OrganizationalUnit ; rdfs:label "办公室"@zh .
id:u2 a org:OrganizationalUnit ; rdfs:label "政治部"@zh .
id:u3 a org:OrganizationalUnit ; rdfs:label "计划财务装备处"@zh .
id:wb a bkg:Agency ; rdfs:label "中共江东省委办公厅"@zh .
id:fy a bkg:Agency ; rdfs:label "江东省高级人民法院"@zh ; org:hasUnit id:u4, id:u5 .
id:u4 a org:OrganizationalUnit ; rdfs:label "立案庭"@zh .
id:u5 a org:OrganizationalUnit ; rdfs:label "审判管理办公室"@zh .
id:rsj a bkg:Agency ; rdfs:label "临水市人力资源和社会保障局"@zh ; bkg:cityOrCounty "临水市" .
id:sbj a bkg:Agency ; rdfs:label "临水市社会保险事业管理局"@zh ; bkg:cityOrCounty "临水市" ; org:subOrganizationOf id:rsj .
id:xxz a bkg:Agency ; rdfs:label "临水市人力资源和社会保障信息中心"@zh ; bkg:cityOrCounty "临水市" ;
  org:subOrganizationOf id:rsj .
id:rsj2 a bkg:Agency ; rdfs:label "石门市人力资源和社会保障局"@zh ; bkg:cityOrCounty "石门市" .
id:jk1 a bkg:Agency ; rdfs:label "青山县疾病预防控制中心"@zh ; bkg:cityOrCounty "青山县" .
id:jk2 a bkg:Agency ; rdfs:label "白水县疾病预防控制中心"@zh ; bkg:cityOrCounty "白水县" .
id:pol1 a bkg:Policy ; bkg:documentNumber "江财行〔2018〕12号" ; bkg:issuerCode "江财行" ; bkg:issueYear 2018 ;
  bkg:serialNumber 12 .
"""


def _money(v: str) -> str:
    return f'"{v}"^^xsd:decimal'


# name → (sha, source file, year, kind, scope, agency, totals {prop: yuan}, extra triples)
DISCLOSURES = {
    "j19d": ("a019", "江东省人民检察院2019年部门预算.txt", 2019, "budget", "department", "jcy",
             {"totalIncome": "250000000", "totalExpenditure": "250000000", "basicExpenditure": "180000000",
              "projectExpenditure": "70000000", "personnelExpenditure": "150000000", "publicExpenditure": "30000000",
              "operatingExpenses": "30000000", "threePublicExpenses": "2000000"},
             """id:pj3 a bkg:Project ; rdfs:label "工会经费"@zh ; bkg:amount "200000"^^xsd:decimal ;
                  bkg:disclosure id:j19d ; bkg:implementingAgency id:jcy ."""),
    "j19u": ("a119", "江东省人民检察院本级2019年单位预算.txt", 2019, "budget", "unit", "jcy",
             {"totalExpenditure": "90000000", "basicExpenditure": "60000000"}, ""),
    "j18d": ("a018", "江东省人民检察院2018年部门预算.txt", 2018, "budget", "department", "jcy",
             {"totalIncome": "200000000", "totalExpenditure": "200000000", "basicExpenditure": "170000000",
              "projectExpenditure": "30000000"}, ""),
    "j18f": ("f018", "江东省人民检察院2018年部门决算.txt", 2018, "final_account", "department", "jcy",
             {"totalExpenditure": "212345600", "basicExpenditure": "171000000"}, ""),
    "wb19": ("b019", "中共江东省委办公厅2019年部门预算说明.txt", 2019, "budget", "department", "wb",
             {"totalExpenditure": "120000000", "projectExpenditure": "40000000"},
             """id:pj1 a bkg:Project ; rdfs:label "机要通信保障经费"@zh ; bkg:amount "8000000"^^xsd:decimal ;
                  bkg:disclosure id:wb19 ; bkg:implementingAgency id:wb ; bkg:basedOnPolicy id:pol1 .
                id:pj2 a bkg:Project ; rdfs:label "档案数字化专项经费"@zh ; bkg:amount "3000000"^^xsd:decimal ;
                  bkg:disclosure id:wb19 ; bkg:implementingAgency id:wb ."""),
    # The same publication's tables, printed as a second file: one agency-year, not two.
    "wb19t": ("b119", "中共江东省委办公厅2019年部门预算表格.txt", 2019, "budget", "department", "wb",
              {"totalExpenditure": "120000000", "projectExpenditure": "40000000"}, ""),
    # Its 三公 total is not the sum of the three parts it prints (a 合计 that took in 会议费).
    "fy19": ("c019", "江东省高级人民法院2019年部门预算.txt", 2019, "budget", "department", "fy",
             {"totalExpenditure": "300000000", "projectExpenditure": "90000000", "threePublicExpenses": "3000000",
              "threePublicAbroad": "500000", "threePublicVehicles": "1000000", "threePublicReception": "500000"},
             """id:pj4 a bkg:Project ; rdfs:label "工会经费"@zh ; bkg:amount "300000"^^xsd:decimal ;
                  bkg:disclosure id:fy19 ; bkg:implementingAgency id:fy ."""),
    "sb24": ("d024", "临水市社会保险事业管理局2024年部门预算.txt", 2024, "budget", "department", "sbj",
             {"totalExpenditure": "45000000", "basicExpenditure": "6000000"}, ""),
    "xx24": ("e024", "临水市人力资源和社会保障信息中心2024年部门预算.txt", 2024, "budget", "department", "xxz",
             {"totalExpenditure": "900000", "basicExpenditure": "700000"}, ""),
    "q24": ("g024", "青山县疾病预防控制中心2024年部门预算.txt", 2024, "budget", "department", "jk1",
            {"totalExpenditure": "12000000", "basicExpenditure": "5000000"}, ""),
    "b23": ("h023", "白水县疾病预防控制中心2023年部门预算.txt", 2023, "budget", "department", "jk2",
            {"totalExpenditure": "11000000", "basicExpenditure": "4000000"}, ""),
}


def ttl_of(name: str) -> str:
    sha, src, year, kind, scope, agency, totals, extra = DISCLOSURES[name]
    props = " ;\n  ".join(f"bkg:{p} {_money(v)}" for p, v in totals.items())
    return f"""id:{name} a bkg:Disclosure ; bkg:sourceFile "{src}" ; bkg:sha256 "{sha}" ; bkg:fiscalYear {year} ;
  bkg:documentKind "{kind}" ; bkg:disclosureScope "{scope}" ; bkg:reportingAgency id:{agency} ;
  {props} .
{extra}
"""


def documents() -> list[Document]:
    plan = Table(header=[["项目名称", "全年", "一季度", "二季度", "三季度", "四季度"]],
                 rows=[["机要通信保障经费", "800.00", "200.00", "200.00", "250.00", "150.00"]],
                 page=4, title="项目支出分季度用款计划表", unit="万元")
    targets = Table(header=[["项目名称", "绩效目标", "产出指标"]],
                    rows=[["档案数字化专项经费", "完成馆藏档案数字化", "数字化档案不少于10万卷"]],
                    page=5, title="项目支出绩效目标表", unit="万元")
    basis = Table(header=[["项目名称", "金额", "立项依据"]],
                  rows=[["档案数字化专项经费", "300.00", "《江东省档案条例》"]], page=3, title="项目支出表", unit="万元")
    out = []
    for name, (sha, src, *_rest) in DISCLOSURES.items():
        blocks = [Paragraph(f"{src[:-4]}。", 1)]
        pages = [Page(1, blocks)]
        if name == "wb19":
            pages += [Page(3, [basis]), Page(4, [plan]), Page(5, [targets])]
        if name == "fy19":  # says five; the graph lists two (a list the reading cut short)
            pages.append(Page(2, [Paragraph("本院设立案庭、审判管理办公室等，共 5 个内设机构。", 2)]))
        if name == "j19d":
            pages.append(Page(2, [Heading(2, "一、部门职责", 2),
                                  Paragraph("本院内设机构 3 个。", 2),
                                  Paragraph("本院依法履行法律监督职能，负责全省检察业务的组织和指导。", 2),
                                  Paragraph("2019年支出预算比上年增加5000万元，主要是信息化建设项目增加。", 2)]))
        out.append(Document(src, sha, pages))
    return out


def build_db(db: Path) -> Path:
    """The graphs (one per disclosure, the shared nodes with the first) and the archive."""
    import pyoxigraph as ox

    from kg.archive import DocumentArchive
    from kg.store import open_store

    store = open_store(db, backend="oxigraph")
    try:
        for i, name in enumerate(DISCLOSURES):
            ttl = PREFIXES + ttl_of(name) + (SHARED if i == 0 else "")
            nt = "".join(f"{t} .\n" for t in ox.parse(ttl.encode(), format=ox.RdfFormat.TURTLE))
            store.replace_graph(ID + name, nt)
    finally:
        store.close()
    arch = DocumentArchive(db)
    for d in documents():
        arch.put(d)
    return db
