"""A small store for the chart and comparison tests: the mini graphs (tests/api/mini_graph*.ttl:
湖滨县水务测试局, a 2031 budget and a 2030 final account) plus, in the same invented terms,
its 2032 budget (twice: a second copy of the file sorts after the first), and a second
agency with a 2031 budget whose name holds markup characters. The figures are chosen so
the expected changes can be worked out by hand (see the tests)."""

from __future__ import annotations

from pathlib import Path

ID = "https://w3id.org/budgetkg/id/"
LAKE = ID + "agency/lake-bureau"
HILL = ID + "agency/hill-bureau"
HILL_NAME = "山水测试局 <script>alert(1)</script> & 其他"

PREFIXES = """@prefix bkg: <https://w3id.org/budgetkg/def#> .
@base <https://w3id.org/budgetkg/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

GRAPHS = {
    # 2032: income +10 %, expenditure down, a second functional item in class 213, and an
    # outturn line the budget comparison must leave out
    "disclosure/test-c": PREFIXES + """
<disclosure/test-c> a bkg:Disclosure ; bkg:sourceFile "test_c.pdf" ; bkg:sha256 "cccc" ; bkg:fiscalYear 2032 ;
    bkg:documentKind "budget" ; bkg:disclosureScope "department" ; bkg:reportingAgency <agency/lake-bureau> ;
    bkg:totalIncome "13580160.00"^^xsd:decimal ; bkg:totalExpenditure "12000000"^^xsd:decimal ;
    bkg:basicExpenditure "7000000"^^xsd:decimal ; bkg:projectExpenditure "5000000"^^xsd:decimal ;
    bkg:threePublicExpenses "35600"^^xsd:decimal .
<agency/lake-bureau> a bkg:Agency ; rdfs:label "湖滨县水务测试局"@zh .
<concept/fn/2130101> a skos:Concept ; skos:notation "2130101" ; skos:prefLabel "测试行政运行"@zh ;
    skos:inScheme bkg:FunctionalClassification .
<concept/fn/2130102> a skos:Concept ; skos:notation "2130102" ; skos:prefLabel "测试一般行政管理事务"@zh ;
    skos:inScheme bkg:FunctionalClassification .
<line/test-c-1> a bkg:BudgetLine ; bkg:disclosure <disclosure/test-c> ; bkg:classification <concept/fn/2130101> ;
    bkg:figureType "budget" ; bkg:amount "900000"^^xsd:decimal .
<line/test-c-2> a bkg:BudgetLine ; bkg:disclosure <disclosure/test-c> ; bkg:classification <concept/fn/2130102> ;
    bkg:figureType "budget" ; bkg:amount "100000"^^xsd:decimal .
<line/test-c-3> a bkg:BudgetLine ; bkg:disclosure <disclosure/test-c> ; bkg:classification <concept/fn/2130101> ;
    bkg:figureType "outturn" ; bkg:amount "1"^^xsd:decimal .
""",
    # the same year, kind and scope again under a later file name: listed, not compared
    "disclosure/test-c-copy": PREFIXES + """
<disclosure/test-c-copy> a bkg:Disclosure ; bkg:sourceFile "test_c_copy.txt" ; bkg:sha256 "cccd" ;
    bkg:fiscalYear 2032 ; bkg:documentKind "budget" ; bkg:disclosureScope "department" ;
    bkg:reportingAgency <agency/lake-bureau> ; bkg:totalIncome "1"^^xsd:decimal .
""",
    "disclosure/test-h": PREFIXES + f"""
<disclosure/test-h> a bkg:Disclosure ; bkg:sourceFile "test_h.txt" ; bkg:sha256 "hhhh" ; bkg:fiscalYear 2031 ;
    bkg:documentKind "budget" ; bkg:disclosureScope "department" ; bkg:reportingAgency <agency/hill-bureau> ;
    bkg:totalIncome "5000000"^^xsd:decimal ; bkg:totalExpenditure "4800000.50"^^xsd:decimal .
<agency/hill-bureau> a bkg:Agency ; rdfs:label "{HILL_NAME}"@zh .
<line/test-h-1> a bkg:BudgetLine ; bkg:disclosure <disclosure/test-h> ; bkg:classification <concept/fn/2130101> ;
    bkg:amount "400000"^^xsd:decimal .
""",
}


def build_trend_db(db: Path) -> Path:
    import pyoxigraph as ox
    from apihelpers import load_mini

    from kg.store import open_store

    store = open_store(db, backend="oxigraph")
    try:
        load_mini(store)
        for graph, text in GRAPHS.items():
            triples = ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
            store.replace_graph(ID + graph, "".join(f"{t} .\n" for t in triples))
    finally:
        store.close()
    return db
