"""SPARQL templates: each function builds the query for one intent from linked IRIs.

The queries read only the terms of ../shared/contract/ONTOLOGY.md (plus bkg:page where
the graph records it), so they run unchanged on any conforming store and are shown to the
user as the answer's `sparql`.

Every pattern sits inside `GRAPH ?g { … }`: the store's default graph is the union of the
disclosures' graphs, where a node asserted by N disclosures (an agency, a concept) yields
each triple N times — joins across such triples multiply. Inside one named graph each
triple is there once, so rows grow with the number of disclosures, not with its powers.
Names of shared nodes (agency and concept labels, policy numbers) are not joined here at
all: the engine reads them from the lexicon it already holds.
"""

from __future__ import annotations

import re

from kg.store import PREFIXES

_SAFE_IRI = re.compile(r"^[^<>\"{}|^`\\\s]+$")
_SAFE_PROP = re.compile(r"^[A-Za-z]+$")


def _q(body: str) -> str:
    """The query with the PREFIX lines it uses (and no others), so it reads cleanly."""
    used = [f"PREFIX {k}: <{v}>\n" for k, v in PREFIXES.items() if re.search(rf"(?<![\w]){k}:", body)]
    return "".join(used) + body


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


_PROV = "OPTIONAL {{ ?{n} bkg:page ?page }} OPTIONAL {{ ?{n} bkg:tableTitle ?table }} OPTIONAL {{ ?{n} bkg:rowNumber ?row }}"


def _prov_of(node: str) -> str:
    """Where the graph says a fact was printed: page, table title, body row."""
    return _PROV.format(n=node).replace("{{", "{").replace("}}", "}")


def disclosure_total(prop: str, disclosures: list[str]) -> str:
    """A disclosure total, with the qualified figure node (prov:hadMember, labelled with
    the property's name) that records where it was printed."""
    return _q(f"""SELECT DISTINCT ?d ?v ?page ?table ?row ?quote WHERE {{
  {values("d", disclosures)}
  GRAPH ?g {{ ?d {_prop(prop)} ?v .
    OPTIONAL {{ ?d prov:hadMember ?fig . ?fig rdfs:label "{prop}" .
               {_prov_of("fig")} OPTIONAL {{ ?fig bkg:quote ?quote }} }} }}
}}""")


def total_ranking(prop: str, year: int | None, kind: str | None, direction: str = "max") -> str:
    order = "DESC(?v)" if direction == "max" else "ASC(?v)"
    return _q(f"""SELECT DISTINCT ?d ?a ?v WHERE {{
  GRAPH ?g {{ ?d a bkg:Disclosure ; {_prop(prop)} ?v ; bkg:reportingAgency ?a .{_filters(year, kind)} }}
}} ORDER BY {order}""")


def project_amounts(projects: list[str]) -> str:
    return _q(f"""SELECT DISTINCT ?p ?l ?v ?d ?page ?table ?row WHERE {{
  {values("p", projects)}
  GRAPH ?g {{ ?p rdfs:label ?l .
    OPTIONAL {{ ?p bkg:amount ?v }} OPTIONAL {{ ?p bkg:disclosure ?d }} {_prov_of("p")} }}
}}""")


def line_amounts(concepts: list[str], disclosures: list[str] | None, column: str = "amount",
                 year: int | None = None, kind: str | None = None) -> str:
    scope = values("d", disclosures) if disclosures else ""
    return _q(f"""SELECT DISTINCT ?l ?c ?v ?d ?ft ?page ?table ?row WHERE {{
  {values("c", concepts)}
  {scope}
  GRAPH ?g {{ ?l a bkg:BudgetLine ; bkg:classification ?c ; bkg:disclosure ?d ; {_prop(column)} ?v .
    OPTIONAL {{ ?l bkg:figureType ?ft }} {_prov_of("l")}{_filters(year, kind)} }}
}}""")


def parent_of(agency: str) -> str:
    return _q(f"""SELECT DISTINCT ?parent ?pl WHERE {{
  GRAPH ?g {{ {iri(agency)} org:subOrganizationOf ?parent . ?parent rdfs:label ?pl }}
}}""")


def units_of(agency: str) -> str:
    return _q(f"""SELECT DISTINCT ?u ?ul WHERE {{
  GRAPH ?g {{ {iri(agency)} org:hasUnit ?u . ?u rdfs:label ?ul }}
}}""")


def agency_code(agency: str) -> str:
    return _q(f"""SELECT DISTINCT ?code WHERE {{ GRAPH ?g {{ {iri(agency)} bkg:unitCode ?code }} }}""")


def policy_links(policies: list[str] | None = None, projects: list[str] | None = None) -> str:
    """Project ↔ policy links (bkg:basedOnPolicy or a bkg:PolicyCitation) for the given
    policies or projects, with the citation's quote and page where recorded."""
    scope = values("pol", policies) if policies else values("p", projects or [])
    return _q(f"""SELECT DISTINCT ?pol ?p ?pl ?v ?d ?ia ?quote ?page WHERE {{
  {scope}
  GRAPH ?g {{
    {{ ?p bkg:basedOnPolicy ?pol }} UNION {{ ?c bkg:citedPolicy ?pol ; bkg:citingProject ?p }}
    ?p rdfs:label ?pl .
    OPTIONAL {{ ?p bkg:amount ?v }} OPTIONAL {{ ?p bkg:disclosure ?d }} OPTIONAL {{ ?p bkg:implementingAgency ?ia }}
    OPTIONAL {{ ?cit bkg:citedPolicy ?pol ; bkg:citingProject ?p .
               OPTIONAL {{ ?cit bkg:quote ?quote }} OPTIONAL {{ ?cit bkg:page ?page }} }}
  }}
}}""")


def policy_disclosures(policies: list[str]) -> str:
    """Disclosures that cite a policy (dcterms:references), for policies no project cites."""
    return _q(f"""SELECT DISTINCT ?pol ?d WHERE {{
  {values("pol", policies)}
  GRAPH ?g {{ ?d dcterms:references ?pol }}
}}""")


def projects_of(disclosures: list[str]) -> str:
    return _q(f"""SELECT DISTINCT ?p ?l ?v ?d ?page ?table ?row WHERE {{
  {values("d", disclosures)}
  GRAPH ?g {{ ?p a bkg:Project ; bkg:disclosure ?d ; rdfs:label ?l .
    OPTIONAL {{ ?p bkg:amount ?v }} {_prov_of("p")} }}
}} ORDER BY DESC(?v) ?l""")


def disclosure_policies(disclosures: list[str]) -> str:
    """Every policy a disclosure cites (dcterms:references)."""
    return _q(f"""SELECT DISTINCT ?d ?pol WHERE {{
  {values("d", disclosures)}
  GRAPH ?g {{ ?d dcterms:references ?pol }}
}}""")
