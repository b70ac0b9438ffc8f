"""SPARQL templates: each function builds the query for one intent from linked IRIs.

The queries read only the terms of ../shared/contract/ONTOLOGY.md (plus bkg:page where
the graph records it), so they run unchanged on any conforming store and are shown to the
user as the answer's `sparql`.
"""

from __future__ import annotations

import re

from api.qa.linking import PREFIX_BLOCK

_SAFE_IRI = re.compile(r"^[^<>\"{}|^`\\\s]+$")
_SAFE_PROP = re.compile(r"^[A-Za-z]+$")


def iri(s: str) -> str:
    if not _SAFE_IRI.match(s or ""):
        raise ValueError(f"not an IRI: {s!r}")
    return f"<{s}>"


def values(var: str, iris) -> str:
    items = " ".join(iri(x) for x in iris)
    return f"VALUES ?{var} {{ {items} }}"


def _prop(p: str) -> str:
    if not _SAFE_PROP.match(p):
        raise ValueError(f"not a property name: {p!r}")
    return f"bkg:{p}"


def _filters(year: int | None, kind: str | None, d: str = "d") -> str:
    out = ""
    if year is not None:
        out += f" ?{d} bkg:fiscalYear {int(year)} ."
    if kind in ("budget", "final_account"):
        out += f' ?{d} bkg:documentKind "{kind}" .'
    return out


def disclosure_total(prop: str, disclosures: list[str]) -> str:
    return PREFIX_BLOCK + f"""SELECT ?d ?v ?f ?y ?k ?a ?al WHERE {{
  {values("d", disclosures)}
  ?d {_prop(prop)} ?v .
  OPTIONAL {{ ?d bkg:sourceFile ?f }} OPTIONAL {{ ?d bkg:fiscalYear ?y }} OPTIONAL {{ ?d bkg:documentKind ?k }}
  OPTIONAL {{ ?d bkg:reportingAgency ?a . ?a rdfs:label ?al }}
}}"""


def total_ranking(prop: str, year: int | None, kind: str | None, direction: str = "max") -> str:
    order = "DESC(?v)" if direction == "max" else "ASC(?v)"
    return PREFIX_BLOCK + f"""SELECT ?d ?v ?f ?y ?k ?a ?al WHERE {{
  ?d a bkg:Disclosure ; {_prop(prop)} ?v ; bkg:reportingAgency ?a .{_filters(year, kind)}
  ?a rdfs:label ?al .
  OPTIONAL {{ ?d bkg:sourceFile ?f }} OPTIONAL {{ ?d bkg:fiscalYear ?y }} OPTIONAL {{ ?d bkg:documentKind ?k }}
}} ORDER BY {order} ?al"""


def project_amounts(projects: list[str]) -> str:
    return PREFIX_BLOCK + f"""SELECT ?p ?l ?v ?d ?f ?y ?k ?page ?al WHERE {{
  {values("p", projects)}
  ?p rdfs:label ?l .
  OPTIONAL {{ ?p bkg:amount ?v }} OPTIONAL {{ ?p bkg:page ?page }}
  OPTIONAL {{ ?p bkg:disclosure ?d . OPTIONAL {{ ?d bkg:sourceFile ?f }} OPTIONAL {{ ?d bkg:fiscalYear ?y }}
             OPTIONAL {{ ?d bkg:documentKind ?k }} OPTIONAL {{ ?d bkg:reportingAgency/rdfs:label ?al }} }}
}}"""


def line_amounts(concepts: list[str], disclosures: list[str] | None, column: str = "amount",
                 year: int | None = None, kind: str | None = None) -> str:
    scope = values("d", disclosures) if disclosures else ""
    return PREFIX_BLOCK + f"""SELECT ?l ?c ?code ?cl ?s ?v ?d ?f ?y ?k ?a ?al ?page WHERE {{
  {values("c", concepts)}
  {scope}
  ?l a bkg:BudgetLine ; bkg:classification ?c ; bkg:disclosure ?d ; {_prop(column)} ?v .{_filters(year, kind)}
  OPTIONAL {{ ?c skos:notation ?code }} OPTIONAL {{ ?c skos:prefLabel ?cl }} OPTIONAL {{ ?c skos:inScheme ?s }}
  OPTIONAL {{ ?l bkg:page ?page }}
  OPTIONAL {{ ?d bkg:sourceFile ?f }} OPTIONAL {{ ?d bkg:fiscalYear ?y }} OPTIONAL {{ ?d bkg:documentKind ?k }}
  OPTIONAL {{ ?d bkg:reportingAgency ?a . ?a rdfs:label ?al }}
}}"""


def parent_of(agency: str) -> str:
    return PREFIX_BLOCK + f"""SELECT ?parent ?pl ?code WHERE {{
  {iri(agency)} org:subOrganizationOf ?parent .
  ?parent rdfs:label ?pl . OPTIONAL {{ ?parent bkg:unitCode ?code }}
}}"""


def units_of(agency: str) -> str:
    return PREFIX_BLOCK + f"""SELECT DISTINCT ?u ?ul WHERE {{
  {iri(agency)} org:hasUnit ?u . ?u rdfs:label ?ul .
}}"""


def agency_disclosures(agency: str) -> str:
    return PREFIX_BLOCK + f"""SELECT ?d ?f ?y ?k WHERE {{
  ?d bkg:reportingAgency {iri(agency)} . OPTIONAL {{ ?d bkg:sourceFile ?f }}
  OPTIONAL {{ ?d bkg:fiscalYear ?y }} OPTIONAL {{ ?d bkg:documentKind ?k }}
}} ORDER BY DESC(?y)"""


def policy_projects(policies: list[str]) -> str:
    """Projects that cite a policy, with the citation's quote/page where recorded."""
    return PREFIX_BLOCK + f"""SELECT DISTINCT ?pol ?num ?title ?p ?pl ?v ?d ?f ?y ?a ?al ?ia ?ial ?quote ?page WHERE {{
  {values("pol", policies)}
  {{ ?p bkg:basedOnPolicy ?pol }} UNION {{ ?c bkg:citedPolicy ?pol ; bkg:citingProject ?p }}
  ?p rdfs:label ?pl .
  OPTIONAL {{ ?pol bkg:documentNumber ?num }} OPTIONAL {{ ?pol dcterms:title ?title }}
  OPTIONAL {{ ?p bkg:amount ?v }}
  OPTIONAL {{ ?p bkg:implementingAgency ?ia . ?ia rdfs:label ?ial }}
  OPTIONAL {{ ?p bkg:disclosure ?d . OPTIONAL {{ ?d bkg:sourceFile ?f }} OPTIONAL {{ ?d bkg:fiscalYear ?y }}
             OPTIONAL {{ ?d bkg:reportingAgency ?a . ?a rdfs:label ?al }} }}
  OPTIONAL {{ ?cit bkg:citedPolicy ?pol ; bkg:citingProject ?p .
             OPTIONAL {{ ?cit bkg:quote ?quote }} OPTIONAL {{ ?cit bkg:page ?page }} }}
}}"""


def policy_disclosures(policies: list[str]) -> str:
    """Disclosures that cite a policy (dcterms:references), for policies no project cites."""
    return PREFIX_BLOCK + f"""SELECT DISTINCT ?pol ?num ?d ?f ?y ?a ?al WHERE {{
  {values("pol", policies)}
  ?d dcterms:references ?pol . OPTIONAL {{ ?pol bkg:documentNumber ?num }}
  OPTIONAL {{ ?d bkg:sourceFile ?f }} OPTIONAL {{ ?d bkg:fiscalYear ?y }}
  OPTIONAL {{ ?d bkg:reportingAgency ?a . ?a rdfs:label ?al }}
}}"""


def agency_code(agency: str) -> str:
    return PREFIX_BLOCK + f"""SELECT ?code WHERE {{ {iri(agency)} bkg:unitCode ?code }}"""


def projects_of(disclosures: list[str]) -> str:
    return PREFIX_BLOCK + f"""SELECT ?p ?l ?v ?cat ?d ?page WHERE {{
  {values("d", disclosures)}
  ?p a bkg:Project ; bkg:disclosure ?d ; rdfs:label ?l .
  OPTIONAL {{ ?p bkg:amount ?v }} OPTIONAL {{ ?p bkg:category ?cat }} OPTIONAL {{ ?p bkg:page ?page }}
}} ORDER BY DESC(?v) ?l"""


def project_policies(projects: list[str]) -> str:
    """Policies a project is based on, with the citation's quote/page where recorded."""
    return PREFIX_BLOCK + f"""SELECT DISTINCT ?p ?pl ?pol ?num ?title ?d ?quote ?page WHERE {{
  {values("p", projects)}
  {{ ?p bkg:basedOnPolicy ?pol }} UNION {{ ?c bkg:citingProject ?p ; bkg:citedPolicy ?pol }}
  ?p rdfs:label ?pl . OPTIONAL {{ ?p bkg:disclosure ?d }}
  OPTIONAL {{ ?pol bkg:documentNumber ?num }} OPTIONAL {{ ?pol dcterms:title ?title }}
  OPTIONAL {{ ?cit bkg:citingProject ?p ; bkg:citedPolicy ?pol .
             OPTIONAL {{ ?cit bkg:quote ?quote }} OPTIONAL {{ ?cit bkg:page ?page }} }}
}}"""
