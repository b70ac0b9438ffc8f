"""The pages are computed for speed at scale (narrow scans, hash-joined subqueries, sorting
and paging in Python, details read for the shown rows only). These tests check that this
changes nothing a reader sees: each page is compared with the plain query it used to be
(kept here as the reference) on the generated sample corpus."""

from __future__ import annotations

import pytest
from apihelpers import make_client

from api import views

OLD_CITES = """
    SELECT ?c ?p (SAMPLE(?pl) AS ?project) (SAMPLE(?amt) AS ?amount) (SAMPLE(?ag) AS ?agency)
           (SAMPLE(?al) AS ?agencyLabel) (SAMPLE(?dd) AS ?d) (SAMPLE(?y) AS ?year) (SAMPLE(?f) AS ?file)
           (SAMPLE(?q) AS ?quote) (SAMPLE(?pg) AS ?page)
    WHERE {
      { ?c bkg:citedPolicy <IRI> ; bkg:citingProject ?p .
         OPTIONAL { ?c bkg:quote ?q } OPTIONAL { ?c bkg:page ?pg } OPTIONAL { ?c prov:wasDerivedFrom ?cd } }
      UNION
      { ?p bkg:basedOnPolicy <IRI> FILTER NOT EXISTS { ?c2 bkg:citedPolicy <IRI> ; bkg:citingProject ?p } }
      OPTIONAL { ?p rdfs:label ?pl } OPTIONAL { ?p bkg:amount ?amt }
      OPTIONAL { ?p bkg:disclosure ?pd }
      BIND(COALESCE(?cd, ?pd) AS ?dd)
      OPTIONAL { ?p bkg:implementingAgency ?ag0 }
      OPTIONAL { ?dd bkg:reportingAgency ?rag }
      BIND(COALESCE(?ag0, ?rag) AS ?ag)
      OPTIONAL { ?ag rdfs:label ?al }
      OPTIONAL { ?dd bkg:fiscalYear ?y } OPTIONAL { ?dd bkg:sourceFile ?f }
    } GROUP BY ?c ?p ORDER BY DESC(?year) ?project"""

OLD_POLICIES = """
    SELECT ?pol ?number ?title ?projects ?docs WHERE {
      { SELECT ?pol (SAMPLE(?n) AS ?number) (SAMPLE(?t) AS ?title) WHERE {
           ?pol a bkg:Policy . OPTIONAL { ?pol bkg:documentNumber ?n } OPTIONAL { ?pol dcterms:title ?t } }
         GROUP BY ?pol }
      OPTIONAL { SELECT ?pol (COUNT(DISTINCT ?p) AS ?projects) WHERE {
           { ?c bkg:citedPolicy ?pol ; bkg:citingProject ?p } UNION { ?p bkg:basedOnPolicy ?pol } } GROUP BY ?pol }
      OPTIONAL { SELECT ?pol (COUNT(DISTINCT ?d) AS ?docs) WHERE { ?d dcterms:references ?pol } GROUP BY ?pol }
    } ORDER BY DESC(?projects) ?number ?title ?pol"""

OLD_AGENCIES = """
    SELECT ?a ?label ?parent ?parentLabel ?docs ?projects WHERE {
      { SELECT ?a (SAMPLE(?l) AS ?label) (SAMPLE(?pa) AS ?parent) (SAMPLE(?pl) AS ?parentLabel) WHERE {
           ?a a bkg:Agency . OPTIONAL { ?a rdfs:label ?l }
           OPTIONAL { ?a org:subOrganizationOf ?pa OPTIONAL { ?pa rdfs:label ?pl } } } GROUP BY ?a }
      OPTIONAL { SELECT ?a (COUNT(DISTINCT ?d) AS ?docs) WHERE { ?d bkg:reportingAgency ?a } GROUP BY ?a }
      OPTIONAL { SELECT ?a (COUNT(DISTINCT ?p) AS ?projects) WHERE { ?p bkg:implementingAgency ?a } GROUP BY ?a }
    } ORDER BY ?label ?a"""

OLD_DISCLOSURES = """
    SELECT ?d (SAMPLE(?f) AS ?file) (SAMPLE(?y) AS ?year) (SAMPLE(?k) AS ?kind) (SAMPLE(?a) AS ?agency)
           (SAMPLE(?al) AS ?agencyLabel) (SAMPLE(?ti) AS ?totalIncome) (SAMPLE(?te) AS ?totalExpenditure)
    WHERE { ?d a bkg:Disclosure . OPTIONAL { ?d bkg:sourceFile ?f } OPTIONAL { ?d bkg:fiscalYear ?y }
             OPTIONAL { ?d bkg:documentKind ?k } OPTIONAL { ?d bkg:totalIncome ?ti }
             OPTIONAL { ?d bkg:totalExpenditure ?te }
             OPTIONAL { ?d bkg:reportingAgency ?a OPTIONAL { ?a rdfs:label ?al } } }
    GROUP BY ?d ORDER BY DESC(?year) ?file ?d"""

OLD_PROVENANCE = """
    SELECT ?g (SAMPLE(?f) AS ?file) (SAMPLE(?y) AS ?year) (SAMPLE(?k) AS ?kind)
           (GROUP_CONCAT(DISTINCT STR(?pg); separator=",") AS ?pages)
    WHERE { GRAPH ?g { <IRI> ?p ?o }
             OPTIONAL { ?g bkg:sourceFile ?f } OPTIONAL { ?g bkg:fiscalYear ?y } OPTIONAL { ?g bkg:documentKind ?k }
             OPTIONAL { GRAPH ?g { <IRI> bkg:page ?pg } } }
    GROUP BY ?g ORDER BY ?file ?g"""


@pytest.fixture(scope="module")
def store(sample_db):
    with make_client(sample_db) as c:
        yield c.app.state.services.store


def old(store, sparql: str, iri: str = "") -> list[dict]:
    return store.select(views.PROLOGUE + sparql.replace("IRI", iri))


def yuan(m):
    return m["yuan"] if m else None


def pages_of(fn, size: int, *args) -> list[dict]:
    """Every item of a paged view, page after page."""
    items, page = [], 1
    while True:
        d = fn(*args, page=page, size=size)
        items += d["items"] if "items" in d else d["citations"]
        if d["paging"]["next"] is None:
            return items
        assert d["paging"]["next"] == page + 1
        page += 1


def policy_iris(store) -> list[str]:
    return [r["pol"] for r in old(store, "SELECT ?pol WHERE { ?pol a bkg:Policy }")]


def test_the_corpus_has_what_these_tests_need(store):
    cited = old(store, """SELECT ?pol (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p bkg:basedOnPolicy ?pol } GROUP BY ?pol
                          HAVING (COUNT(DISTINCT ?p) > 1)""")
    assert cited, "no policy with several projects: the policy-page comparison would be vacuous"
    assert len(old(store, "SELECT ?d WHERE { ?d a bkg:Disclosure }")) >= 3


def test_policy_page_lists_every_citing_project_once_with_its_details(store):
    for pol in policy_iris(store):
        want = old(store, OLD_CITES, pol)
        page = views.policy(store, pol)
        got = page["citations"]
        assert page["citations_total"] == len(want) == len(got)
        assert len({(c["citation"], c["project"]["iri"]) for c in got}) == len(got)  # each (citation, project) once
        key = lambda r: (r["c"] and views.href(r["c"]), r["p"])  # noqa: E731
        by_key = {key(r): r for r in want}
        for c in got:
            r = by_key[(c["citation"], c["project"]["iri"])]
            assert c["project"]["label"] == (str(r["project"]) if r["project"] is not None else c["project"]["label"])
            assert yuan(c["amount"]) == (str(r["amount"]) if r["amount"] is not None else None)
            assert (c["agency"] or {}).get("iri") == r["agency"]
            assert (c["agency"] or {}).get("label") == (str(r["agencyLabel"]) if r["agencyLabel"] else
                                                         (c["agency"] or {}).get("label"))
            assert c["year"] == r["year"] and c["source_file"] == r["file"]
            assert (c["disclosure"] or {}).get("iri") == r["d"]
            assert c["quote"] == r["quote"] and c["page"] == r["page"]
        # newest year first, then by project name (as the old ORDER BY, ties aside)
        order = [(-(c["year"] or 0), c["project"]["label"] or "") for c in got]
        assert order == sorted(order)
        assert [(-(r["year"] or 0), str(r["project"] or "")) for r in want] == sorted(order)


def test_policy_page_pages_through_projects_and_disclosures(store):
    pol = max(policy_iris(store), key=lambda p: views.policy(store, p)["citations_total"])
    full = views.policy(store, pol)
    assert full["paging"]["next"] is None
    assert pages_of(lambda page, size: views.policy(store, pol, page, size), 1) == full["citations"]
    docs = [d for page in range(1, full["disclosures_total"] + 1) for d in views.policy(store, pol, page, 1)["disclosures"]]
    assert docs == full["disclosures"]
    want = old(store, f"""SELECT ?d (SAMPLE(?f) AS ?file) WHERE {{ ?d dcterms:references <{pol}>
                          OPTIONAL {{ ?d bkg:sourceFile ?f }} }} GROUP BY ?d ORDER BY ?file ?d""")
    assert [d["iri"] for d in full["disclosures"]] == [r["d"] for r in want]


def test_policies_list_is_the_old_listing(store):
    want = old(store, OLD_POLICIES)
    got = pages_of(lambda page, size: views.policies(store, page, size), 2)
    assert [(i["iri"], i["number"], i["title"], i["projects"], i["disclosures"]) for i in got] == \
        [(r["pol"], r["number"], r["title"], r["projects"] or 0, r["docs"] or 0) for r in want]
    assert views.policies(store, 1, 2)["paging"]["total"] == len(want)


def test_agencies_list_is_the_old_listing(store):
    want = old(store, OLD_AGENCIES)
    got = pages_of(lambda page, size: views.agencies(store, page, size), 3)
    assert [(i["iri"], i["label"], (i["parent"] or {}).get("iri"), (i["parent"] or {}).get("label"), i["disclosures"],
             i["projects"]) for i in got] == \
        [(r["a"], r["label"] or views.local_name(r["a"]), r["parent"],
          (r["parentLabel"] or views.local_name(r["parent"])) if r["parent"] else None, r["docs"] or 0, r["projects"] or 0)
         for r in want]


def test_disclosures_list_is_the_old_listing(store):
    want = old(store, OLD_DISCLOSURES)
    got = pages_of(lambda page, size: views.disclosures(store, page, size), 3)
    assert [(i["iri"], i["source_file"], i["year"], i["kind"], (i["agency"] or {}).get("iri"),
             yuan(i["total_income"]), yuan(i["total_expenditure"])) for i in got] == \
        [(r["d"], r["file"], r["year"], r["kind"], r["agency"],
          str(r["totalIncome"]) if r["totalIncome"] is not None else None,
          str(r["totalExpenditure"]) if r["totalExpenditure"] is not None else None) for r in want]
    assert views.disclosures(store, 1, 3)["paging"]["total"] == len(want)


def test_provenance_is_the_old_listing(store):
    shared = old(store, """SELECT ?x (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?x a ?t } } GROUP BY ?x
                           ORDER BY DESC(?n) ?x LIMIT 3""")
    one_graph = old(store, "SELECT ?x WHERE { ?x a bkg:Project } LIMIT 2")
    for iri in [r["x"] for r in shared + one_graph] + policy_iris(store)[:3]:
        want = old(store, OLD_PROVENANCE, iri)
        got, total = views.provenance(store, iri)
        assert total == len(want)
        assert [(p["disclosure"]["iri"], p["source_file"], p["year"], p["kind"], p["pages"]) for p in got] == \
            [(r["g"], r["file"], r["year"], r["kind"], sorted(int(x) for x in (r["pages"] or "").split(",") if x))
             for r in want[:100]]
        assert [p["disclosure"]["iri"] for p in views.provenance(store, iri, limit=1)[0]] == [r["g"] for r in want[:1]]


def test_home_suggestions_are_the_old_top_ones(store):
    o = views.overview(store)
    counts = old(store, """SELECT (COUNT(DISTINCT ?d) AS ?docs) (COUNT(DISTINCT ?a) AS ?agencies)
        (COUNT(DISTINCT ?pol) AS ?policies) (COUNT(DISTINCT ?p) AS ?projects) WHERE {
        { ?d a bkg:Disclosure } UNION { ?a a bkg:Agency } UNION { ?pol a bkg:Policy } UNION { ?p a bkg:Project } }""")[0]
    assert o["counts"] == counts
    newest = old(store, """SELECT ?name ?year ?kind WHERE { ?d bkg:reportingAgency ?a ; bkg:fiscalYear ?year ;
        bkg:documentKind ?kind ; bkg:totalIncome ?t . ?a rdfs:label ?name } ORDER BY DESC(?year) ?name""")
    top = [r for r in newest if (r["year"], r["name"]) == (newest[0]["year"], newest[0]["name"])]
    assert o["suggestions"][0] in {f"{r['name']}{r['year']}年{'决算' if r['kind'] == 'final_account' else '预算'}收入总额是多少？"
                                   for r in top}
    pol = old(store, """SELECT ?n (COUNT(DISTINCT ?p) AS ?k) WHERE { ?c bkg:citedPolicy ?x ; bkg:citingProject ?p .
        ?x bkg:documentNumber ?n } GROUP BY ?n ORDER BY DESC(?k) ?n LIMIT 1""")
    assert f"哪些项目以{pol[0]['n']}为依据？" in o["suggestions"]
    units = old(store, """SELECT ?name WHERE { ?a org:hasUnit ?u ; rdfs:label ?name } GROUP BY ?name
        ORDER BY DESC(COUNT(?u)) ?name LIMIT 1""")
    if units:
        assert f"{units[0]['name']}有哪些内设机构？" in o["suggestions"]
    labels = [str(r["l"]) for r in old(store, """SELECT ?a (SAMPLE(?x) AS ?l) WHERE { ?d bkg:reportingAgency ?a .
                                                     ?a rdfs:label ?x } GROUP BY ?a""")]
    assert views.facets(store)["agencies"] == sorted(labels)[:500]


def test_home_summaries_follow_writes(tmp_path):
    """The home page's counts and the lists' order are computed once per store generation:
    a write through the service (here a SPARQL update) shows on the next visit."""
    from apihelpers import TOKEN, build_mini_db

    with make_client(build_mini_db(tmp_path / "db"), write_token=TOKEN) as c:
        before = c.get("/index.json").json()["overview"]["counts"]
        agencies = c.get("/agencies.json").json()["paging"]["total"]
        assert c.get("/index.json").json()["overview"]["counts"] == before
        upd = ("PREFIX bkg: <https://w3id.org/budgetkg/def#> INSERT DATA { GRAPH <https://w3id.org/budgetkg/id/disclosure/x> "
               "{ <https://w3id.org/budgetkg/id/agency/new> a bkg:Agency } }")
        r = c.post("/sparql", content=upd, headers={"content-type": "application/sparql-update",
                                                     "authorization": f"Bearer {TOKEN}"})
        assert r.status_code in (200, 204), r.text
        assert c.get("/index.json").json()["overview"]["counts"] == {**before, "agencies": before["agencies"] + 1}
        assert c.get("/agencies.json").json()["paging"]["total"] == agencies + 1


def test_provenance_with_graphs_without_a_file_name(tmp_path):
    """Graphs with no bkg:sourceFile sort first (SPARQL's unbound-first order), as before."""
    from kg.store import open_store

    b, i = "https://w3id.org/budgetkg/def#", "https://w3id.org/budgetkg/id/"
    st = open_store(tmp_path / "db", backend="oxigraph")
    try:
        for g, f in (("d1", "b.txt"), ("d2", None), ("d3", "a.txt"), ("d4", "a.txt")):
            nt = f"<{i}concept/x> <{b}page> \"3\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
            nt += f"<{i}disclosure/{g}> <{b}sourceFile> \"{f}\" .\n" if f else ""
            st.replace_graph(f"{i}disclosure/{g}", nt)
        want = old(st, OLD_PROVENANCE, f"{i}concept/x")
        for limit in (1, 2, 3, 100):
            got, total = views.provenance(st, f"{i}concept/x", limit=limit)
            assert total == 4
            assert [(p["disclosure"]["iri"], p["source_file"], p["pages"]) for p in got] == \
                [(r["g"], r["file"], [3]) for r in want[:limit]]
    finally:
        st.close()
