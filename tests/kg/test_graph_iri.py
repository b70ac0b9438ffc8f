"""IRIs are a function of content: the same document gives the same graph, ingest order
does not matter, shared entities meet on one node, and dropping a disclosure leaves what
the others assert."""

from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from test_extract_synthetic import P, T, budget_doc, make_doc

from kg.rdf.build import build_graph
from kg.rdf.iris import agency_iri, agency_key, policy_iri
from ontology.namespace import BKG, ORG, RDF, RDFS


def test_same_document_same_graph():
    a_iri, a = build_graph(budget_doc())
    b_iri, b = build_graph(budget_doc())
    assert a_iri == b_iri
    assert isomorphic(a, b) and set(a) == set(b)  # no blank nodes: identical triples


def _union(docs) -> Graph:
    ds = Dataset()
    for d in docs:
        iri, g = build_graph(d)
        ctx = ds.graph(URIRef(iri))
        for t in g:
            ctx.add(t)
    u = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        u.add((s, p, o))
    return u


def test_ingest_order_does_not_matter():
    a = budget_doc(name="a.txt", agency="青禾市农业技术推广站")
    b = budget_doc(name="b.txt", agency="青禾市植物保护站", year=2024)
    assert isomorphic(_union([a, b]), _union([b, a]))


def test_shared_entities_meet_and_survive_a_dropped_disclosure():
    a = budget_doc(name="a.txt", agency="青禾市农业技术推广站")
    b = budget_doc(name="b.txt", agency="青禾市植物保护站", year=2024)
    _, ga = build_graph(a)
    _, gb = build_graph(b)
    parent = agency_iri("青禾市农业农村局")
    pol = policy_iri("青农发〔2021〕12号")
    for g in (ga, gb):  # each graph describes the shared nodes itself
        assert (parent, RDFS.label, None) in g
        assert (pol, BKG.documentNumber, None) in g
    assert (agency_iri("青禾市植物保护站"), ORG.subOrganizationOf, parent) in gb
    assert len(set(gb.subjects(RDF.type, BKG.Agency))) == 2


def test_agency_names_resolve_across_spacing_width_and_benji():
    assert agency_key("青禾市 农业农村局") == agency_key("青禾市农业农村局（本级）") == agency_key("青禾市农业农村局")
    assert agency_iri("青禾市　农业农村局") == agency_iri("青禾市农业农村局本级")


def test_parent_short_form_resolves_to_the_full_name():
    doc = make_doc(
        P("青禾市植物保护站 2024 年部门预算"),
        P("青禾市植物保护站是青禾市农业农村局的二级单位。"),
        T("项目申报表", [["项目名称", "虫情测报经费", "", ""]], [["项目主管部门", "市农业局", "项目执行单位", "植保站"]]))
    _, g = build_graph(doc)
    parent = agency_iri("青禾市农业农村局")
    assert (agency_iri("青禾市植物保护站"), ORG.subOrganizationOf, parent) in g
    assert set(g.objects(parent, RDFS.label)) == {g.value(parent, RDFS.label)}
    assert str(g.value(parent, RDFS.label)) == "青禾市农业农村局"


def test_disclosure_iri_is_the_graph_iri_and_carries_file_and_sha():
    doc = budget_doc(name="x.txt")
    iri, g = build_graph(doc)
    d = URIRef(iri)
    assert (d, RDF.type, BKG.Disclosure) in g
    assert str(g.value(d, BKG.sourceFile)) == "x.txt" and str(g.value(d, BKG.sha256)) == doc.sha256


def test_template_graph_has_no_agency_and_no_figures():
    doc = make_doc(P("上海市 XX 局"), P("2024 年度部门决算"), P("XX局内设XX处、XX处，收入XXX万元。"),
                   P("XX中心、XX研究所"), P("XXX 万元"), P("XX%"), name="tpl.pdf")
    iri, g = build_graph(doc)
    assert not list(g.subjects(RDF.type, BKG.Agency))
    assert g.value(URIRef(iri), BKG.totalIncome) is None
    assert g.value(URIRef(iri), BKG.isTemplate) is not None
