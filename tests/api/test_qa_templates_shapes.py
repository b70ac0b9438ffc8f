"""The QA templates are written for speed at 10,000 disclosures (one VALUES block, patterns
starting from the bound side, no GRAPH wrapper over the materialized union). These tests
check the shapes answer exactly what the plain versions they replaced answered: the old
templates are kept below as the reference, run on the generated sample corpus."""

from __future__ import annotations

import pytest
from apihelpers import make_client

from api.qa import templates as T
from api.qa.templates import bkg_prop, iri, prov_of, values, with_prefixes, year_kind_filters

# --- the reference: the templates as they were (every pattern inside GRAPH ?g) ----------


# year_kind_filters and prov_of did not change (prov_of gained the file of a page, ?file, selected
# here too): the reference uses the module's own.


def disclosure_total(prop: str, disclosures: list[str]) -> str:
    """A disclosure total, with the qualified figure node (prov:hadMember, labelled with
    the property's name) that records where it was printed."""
    return with_prefixes(f"""SELECT DISTINCT ?d ?v ?page ?file ?table ?row ?quote WHERE {{
  {values("d", disclosures)}
  GRAPH ?g {{ ?d {bkg_prop(prop)} ?v .
    OPTIONAL {{ ?d prov:hadMember ?fig . ?fig rdfs:label "{prop}" .
               {prov_of("fig")} OPTIONAL {{ ?fig bkg:quote ?quote }} }} }}
}}""")


def total_ranking(prop: str, year: int | None, kind: str | None, direction: str = "max") -> str:
    order = "DESC(?v)" if direction == "max" else "ASC(?v)"
    return with_prefixes(f"""SELECT DISTINCT ?d ?a ?v WHERE {{
  GRAPH ?g {{ ?d a bkg:Disclosure ; {bkg_prop(prop)} ?v ; bkg:reportingAgency ?a .{year_kind_filters(year, kind)} }}
}} ORDER BY {order}""")


def project_amounts(projects: list[str]) -> str:
    return with_prefixes(f"""SELECT DISTINCT ?p ?l ?v ?d ?page ?file ?table ?row WHERE {{
  {values("p", projects)}
  GRAPH ?g {{ ?p rdfs:label ?l .
    OPTIONAL {{ ?p bkg:amount ?v }} OPTIONAL {{ ?p bkg:disclosure ?d }} {prov_of("p")} }}
}}""")


def line_amounts(concepts: list[str], disclosures: list[str] | None, column: str = "amount",
                 year: int | None = None, kind: str | None = None) -> str:
    scope = values("d", disclosures) if disclosures else ""
    return with_prefixes(f"""SELECT DISTINCT ?l ?c ?v ?d ?ft ?page ?file ?table ?row WHERE {{
  {values("c", concepts)}
  {scope}
  GRAPH ?g {{ ?l a bkg:BudgetLine ; bkg:classification ?c ; bkg:disclosure ?d ; {bkg_prop(column)} ?v .
    OPTIONAL {{ ?l bkg:figureType ?ft }} {prov_of("l")}{year_kind_filters(year, kind)} }}
}}""")


def parent_of(agency: str) -> str:
    return with_prefixes(f"""SELECT DISTINCT ?parent ?pl WHERE {{
  GRAPH ?g {{ {iri(agency)} org:subOrganizationOf ?parent . ?parent rdfs:label ?pl }}
}}""")


def units_of(agency: str) -> str:
    return with_prefixes(f"""SELECT DISTINCT ?u ?ul WHERE {{
  GRAPH ?g {{ {iri(agency)} org:hasUnit ?u . ?u rdfs:label ?ul }}
}}""")


def agency_code(agency: str) -> str:
    return with_prefixes(f"""SELECT DISTINCT ?code WHERE {{ GRAPH ?g {{ {iri(agency)} bkg:unitCode ?code }} }}""")


def policy_links(policies: list[str] | None = None, projects: list[str] | None = None) -> str:
    """Project ↔ policy links (bkg:basedOnPolicy or a bkg:PolicyCitation) for the given
    policies or projects, with the citation's quote and page where recorded."""
    scope = values("pol", policies) if policies else values("p", projects or [])
    return with_prefixes(f"""SELECT DISTINCT ?pol ?p ?pl ?v ?d ?ia ?quote ?page ?file WHERE {{
  {scope}
  GRAPH ?g {{
    {{ ?p bkg:basedOnPolicy ?pol }} UNION {{ ?c bkg:citedPolicy ?pol ; bkg:citingProject ?p }}
    ?p rdfs:label ?pl .
    OPTIONAL {{ ?p bkg:amount ?v }} OPTIONAL {{ ?p bkg:disclosure ?d }} OPTIONAL {{ ?p bkg:implementingAgency ?ia }}
    OPTIONAL {{ ?cit bkg:citedPolicy ?pol ; bkg:citingProject ?p .
               OPTIONAL {{ ?cit bkg:quote ?quote }} OPTIONAL {{ ?cit bkg:page ?page }}
               OPTIONAL {{ ?cit bkg:fromFile ?citFile . ?citFile bkg:fileName ?file }} }}
  }}
}}""")


def policy_disclosures(policies: list[str]) -> str:
    """Disclosures that cite a policy (dcterms:references), for policies no project cites."""
    return with_prefixes(f"""SELECT DISTINCT ?pol ?d WHERE {{
  {values("pol", policies)}
  GRAPH ?g {{ ?d dcterms:references ?pol }}
}}""")


def projects_of(disclosures: list[str]) -> str:
    return with_prefixes(f"""SELECT DISTINCT ?p ?l ?v ?d ?page ?file ?table ?row WHERE {{
  {values("d", disclosures)}
  GRAPH ?g {{ ?p a bkg:Project ; bkg:disclosure ?d ; rdfs:label ?l .
    OPTIONAL {{ ?p bkg:amount ?v }} {prov_of("p")} }}
}} ORDER BY DESC(?v) ?l""")


def disclosure_policies(disclosures: list[str]) -> str:
    """Every policy a disclosure cites (dcterms:references)."""
    return with_prefixes(f"""SELECT DISTINCT ?d ?pol WHERE {{
  {values("d", disclosures)}
  GRAPH ?g {{ ?d dcterms:references ?pol }}
}}""")


OLD = {name: globals()[name] for name in ("disclosure_total", "total_ranking", "project_amounts", "line_amounts", "parent_of",
                                          "units_of", "agency_code", "policy_links", "policy_disclosures", "projects_of",
                                          "disclosure_policies")}


@pytest.fixture(scope="module")
def store(sample_db):
    with make_client(sample_db) as c:
        yield c.app.state.services.store


P = """PREFIX bkg: <https://w3id.org/budgetkg/def#>
PREFIX org: <http://www.w3.org/ns/org#>
"""


def cases(store) -> list[tuple[str, tuple]]:
    one = lambda q: store.select(P + q)  # noqa: E731
    a = one("SELECT ?a (COUNT(?d) AS ?n) WHERE { ?d bkg:reportingAgency ?a } GROUP BY ?a ORDER BY DESC(?n) ?a LIMIT 1")[0]["a"]
    ds = [r["d"] for r in one(f"SELECT ?d WHERE {{ ?d bkg:reportingAgency <{a}> }}")]
    alld = [r["d"] for r in one("SELECT ?d WHERE { ?d a bkg:Disclosure }")]
    year = one(f"SELECT ?y WHERE {{ <{ds[0]}> bkg:fiscalYear ?y }}")[0]["y"]
    cs = [r["c"] for r in one(f"SELECT DISTINCT ?c WHERE {{ ?l bkg:disclosure <{ds[0]}> ; bkg:classification ?c }} "
                              "ORDER BY ?c LIMIT 3")]
    pols = [r["pol"] for r in one("SELECT DISTINCT ?pol WHERE { ?p bkg:basedOnPolicy ?pol } ORDER BY ?pol")]
    projs = [r["p"] for r in one("SELECT DISTINCT ?p WHERE { ?p a bkg:Project } ORDER BY ?p")]
    agencies = [r["a"] for r in one("SELECT DISTINCT ?a WHERE { ?a a bkg:Agency } ORDER BY ?a")]
    out = [("disclosure_total", (prop, alld)) for prop in ("totalIncome", "projectExpenditure", "authorizedStaff")]
    out += [("total_ranking", (prop, y, k, dr)) for prop in ("totalIncome", "threePublicExpenses")
            for y in (None, year) for k in (None, "budget", "final_account") for dr in ("max", "min")]
    out += [("project_amounts", (projs,)), ("projects_of", (alld,)), ("projects_of", (ds[:1],)),
            ("line_amounts", (cs, ds)), ("line_amounts", (cs, alld, "basicExpenditure")),
            ("line_amounts", (cs[:1], None, "amount", year, "budget")), ("line_amounts", (cs, None)),
            ("policy_links", (pols,)), ("policy_links", (pols[:1],)), ("policy_links", (None, projs)),
            ("policy_disclosures", (pols,)), ("disclosure_policies", (alld,))]
    out += [(name, (ag,)) for ag in agencies for name in ("parent_of", "units_of", "agency_code")]
    return out


def test_templates_answer_what_the_plain_versions_answered(store):
    seen = set()
    for name, args in cases(store):
        new, old = store.select(getattr(T, name)(*args)), store.select(OLD[name](*args))
        assert sorted(map(repr, map(sorted, (r.items() for r in new)))) == \
            sorted(map(repr, map(sorted, (r.items() for r in old)))), (name, args)
        if new:
            seen.add(name)
    assert seen >= {"disclosure_total", "total_ranking", "project_amounts", "projects_of", "line_amounts", "policy_links",
                    "policy_disclosures", "disclosure_policies", "parent_of", "units_of"}


def test_at_most_one_values_block():
    """Two VALUES blocks make Oxigraph join their cross product with the whole pattern."""
    q = T.line_amounts(["https://w3id.org/budgetkg/id/concept/x/1", "https://w3id.org/budgetkg/id/concept/x/2"],
                       ["https://w3id.org/budgetkg/id/disclosure/a", "https://w3id.org/budgetkg/id/disclosure/b"])
    assert q.count("VALUES") == 1 and q.count("(<") == 4
