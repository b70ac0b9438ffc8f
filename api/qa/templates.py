"""SPARQL templates: each function builds the query for one intent from linked IRIs.

The queries read only the terms of ../shared/contract/ONTOLOGY.md (plus bkg:page where
the graph records it, and bkg:fromFile/bkg:fileName where a disclosure has several files —
all OPTIONAL), so they run unchanged on any conforming store and are shown to the user as
the answer's `sparql`.

The store's default graph holds the union of the disclosures' graphs with each triple
once (materialized by kg.store, de-duplicated by a server's union default graph), so the
patterns read it directly. Names of shared nodes (agency and concept labels, policy
numbers) are not joined here at all: the engine reads them from the lexicon it already
holds.

Shapes that stay fast at 10,000 disclosures (Oxigraph 0.5 plans joins from one VALUES
block but treats two as a cross product joined afterwards, and evaluates a pattern that
follows a UNION on its own, over the whole corpus): every template has at most one VALUES
block (several lists become one block of tuples), starts its pattern from the bound
variable, keeps required patterns inside each UNION branch and its OPTIONALs last. Scans
over every disclosure (rankings) read each property in its own subquery, which Oxigraph
hash-joins instead of seeking once per disclosure.
"""

from __future__ import annotations

import re

from kg.store import PREFIXES

_SAFE_IRI = re.compile(r"^[^<>\"{}|^`\\\s]+$")
_SAFE_PROP = re.compile(r"^[A-Za-z]+$")


def with_prefixes(body: str) -> str:
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


def values_product(a: tuple[str, list[str]], b: tuple[str, list[str]] | None) -> str:
    """One VALUES block over two lists (every pair), or one list when there is no second."""
    if not b or not b[1]:
        return values(*a)
    rows = " ".join(f"({iri(x)} {iri(y)})" for x in a[1] for y in b[1])
    return f"VALUES (?{a[0]} ?{b[0]}) {{ {rows} }}"


def bkg_prop(p: str) -> str:
    if not _SAFE_PROP.match(p):
        raise ValueError(f"not a property name: {p!r}")
    return f"bkg:{p}"


def year_kind_filters(year: int | None, kind: str | None, d: str = "d") -> str:
    out = ""
    if year is not None:
        out += f" ?{d} bkg:fiscalYear {int(year)} ."
    if kind in ("budget", "final_account"):
        out += f' ?{d} bkg:documentKind "{kind}" .'
    return out


_PROV = ("OPTIONAL {{ ?{n} bkg:page ?page }} OPTIONAL {{ ?{n} bkg:tableTitle ?table }} OPTIONAL {{ ?{n} bkg:rowNumber ?row }}"
         " OPTIONAL {{ ?{n} bkg:fromFile ?{n}File . ?{n}File bkg:fileName ?file }}")


def prov_of(node: str) -> str:
    """Where the graph says a fact was printed: page, table title, body row — and, for a
    disclosure printed in several files, the file whose page it is (bkg:fromFile)."""
    return _PROV.format(n=node).replace("{{", "{").replace("}}", "}")


def disclosure_total(prop: str, disclosures: list[str]) -> str:
    """A disclosure total, with the qualified figure node (prov:hadMember, labelled with
    the property's name) that records where it was printed."""
    return with_prefixes(f"""SELECT DISTINCT ?d ?v ?page ?file ?table ?row ?quote WHERE {{
  {values("d", disclosures)}
  ?d {bkg_prop(prop)} ?v .
  OPTIONAL {{ ?d prov:hadMember ?fig . ?fig rdfs:label "{prop}" .
             {prov_of("fig")} OPTIONAL {{ ?fig bkg:quote ?quote }} }}
}}""")


def _sub(var: str, pattern: str) -> str:
    return f"{{ SELECT {var} WHERE {{ {pattern} }} }}"


def total_ranking(prop: str, year: int | None, kind: str | None, direction: str = "max") -> str:
    order = "DESC(?v)" if direction == "max" else "ASC(?v)"
    parts = [_sub("?d", "?d a bkg:Disclosure"), _sub("?d ?v", f"?d {bkg_prop(prop)} ?v"),
             _sub("?d ?a", "?d bkg:reportingAgency ?a")]
    if year is not None:
        parts.append(_sub("?d", f"?d bkg:fiscalYear {int(year)}"))
    if kind in ("budget", "final_account"):
        parts.append(_sub("?d", f'?d bkg:documentKind "{kind}"'))
    body = "\n  ".join(parts)
    return with_prefixes(f"""SELECT DISTINCT ?d ?a ?v WHERE {{
  {body}
}} ORDER BY {order}""")


def project_amounts(projects: list[str]) -> str:
    return with_prefixes(f"""SELECT DISTINCT ?p ?l ?v ?d ?page ?file ?table ?row WHERE {{
  {values("p", projects)}
  ?p rdfs:label ?l .
  OPTIONAL {{ ?p bkg:amount ?v }} OPTIONAL {{ ?p bkg:disclosure ?d }} {prov_of("p")}
}}""")


def line_amounts(concepts: list[str], disclosures: list[str] | None, column: str = "amount",
                 year: int | None = None, kind: str | None = None) -> str:
    if disclosures:
        start = f"?l bkg:disclosure ?d ; bkg:classification ?c ; a bkg:BudgetLine ; {bkg_prop(column)} ?v ."
    else:
        start = f"?l bkg:classification ?c ; a bkg:BudgetLine ; bkg:disclosure ?d ; {bkg_prop(column)} ?v ."
    return with_prefixes(f"""SELECT DISTINCT ?l ?c ?v ?d ?ft ?page ?file ?table ?row WHERE {{
  {values_product(("c", concepts), ("d", disclosures) if disclosures else None)}
  {start}{year_kind_filters(year, kind)}
  OPTIONAL {{ ?l bkg:figureType ?ft }} {prov_of("l")}
}}""")


def parent_of(agency: str) -> str:
    return with_prefixes(f"""SELECT DISTINCT ?parent ?pl WHERE {{
  {iri(agency)} org:subOrganizationOf ?parent . ?parent rdfs:label ?pl
}}""")


def units_of(agency: str) -> str:
    return with_prefixes(f"""SELECT DISTINCT ?u ?ul WHERE {{
  {iri(agency)} org:hasUnit ?u . ?u rdfs:label ?ul
}}""")


def agency_code(agency: str) -> str:
    return with_prefixes(f"""SELECT DISTINCT ?code WHERE {{ {iri(agency)} bkg:unitCode ?code }}""")


def policy_links(policies: list[str] | None = None, projects: list[str] | None = None) -> str:
    """Project ↔ policy links (bkg:basedOnPolicy or a bkg:PolicyCitation) for the given
    policies or projects, with the citation's quote and page where recorded. Oxigraph
    takes the patterns of a group in the order written, so each starts from the bound side."""
    if policies:
        scope, cited = values("pol", policies), "?c bkg:citedPolicy ?pol ; bkg:citingProject ?p"
    else:
        scope, cited = values("p", projects or []), "?c bkg:citingProject ?p ; bkg:citedPolicy ?pol"
    return with_prefixes(f"""SELECT DISTINCT ?pol ?p ?pl ?v ?d ?ia ?quote ?page ?file WHERE {{
  {{ SELECT DISTINCT ?pol ?p WHERE {{ {scope} {{ ?p bkg:basedOnPolicy ?pol }} UNION {{ {cited} }} }} }}
  ?p rdfs:label ?pl .
  OPTIONAL {{ ?p bkg:amount ?v }} OPTIONAL {{ ?p bkg:disclosure ?d }} OPTIONAL {{ ?p bkg:implementingAgency ?ia }}
  OPTIONAL {{ ?cit bkg:citingProject ?p ; bkg:citedPolicy ?pol .
             OPTIONAL {{ ?cit bkg:quote ?quote }} OPTIONAL {{ ?cit bkg:page ?page }}
             OPTIONAL {{ ?cit bkg:fromFile ?citFile . ?citFile bkg:fileName ?file }} }}
}}""")


def policy_disclosures(policies: list[str]) -> str:
    """Disclosures that cite a policy (dcterms:references), for policies no project cites."""
    return with_prefixes(f"""SELECT DISTINCT ?pol ?d WHERE {{
  {values("pol", policies)}
  ?d dcterms:references ?pol
}}""")


def projects_of(disclosures: list[str], bound=None) -> str:
    amount = _bound(bound) if bound else " OPTIONAL { ?p bkg:amount ?v }"
    return with_prefixes(f"""SELECT DISTINCT ?p ?l ?v ?d ?page ?file ?table ?row WHERE {{
  {values("d", disclosures)}
  ?p bkg:disclosure ?d ; a bkg:Project ; rdfs:label ?l .
 {amount} {prov_of("p")}
}} ORDER BY DESC(?v) ?l""")


def disclosure_policies(disclosures: list[str]) -> str:
    """Every policy a disclosure cites (dcterms:references)."""
    return with_prefixes(f"""SELECT DISTINCT ?d ?pol WHERE {{
  {values("d", disclosures)}
  ?d dcterms:references ?pol
}}""")


def _bound(bound) -> str:
    """A FILTER on a project's amount ?v: (">" or "<", yuan), or nothing."""
    if not bound:
        return ""
    op, yuan = bound
    if op not in (">", "<"):
        raise ValueError(f"not a comparison: {op!r}")
    return f" ?p bkg:amount ?v . FILTER(?v {op} {format(yuan, 'f')})"


def count_projects(disclosures: list[str], bound=None) -> str:
    """How many projects a disclosure lists (with an amount above or below `bound`)."""
    return with_prefixes(f"""SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{
  {values("d", disclosures)}
  ?p bkg:disclosure ?d ; a bkg:Project .{_bound(bound)}
}}""")


def count_units(agency: str) -> str:
    """How many internal units (内设机构) an agency has."""
    return with_prefixes(f"""SELECT (COUNT(DISTINCT ?u) AS ?n) WHERE {{
  {iri(agency)} org:hasUnit ?u .
}}""")


def subordinates_of(agency: str) -> str:
    """The agencies under one (org:subOrganizationOf), with their labels."""
    return with_prefixes(f"""SELECT DISTINCT ?sub ?sl WHERE {{
  ?sub org:subOrganizationOf {iri(agency)} ; rdfs:label ?sl .
}} ORDER BY ?sl""")


def totals_of(props: list[str], disclosures: list[str]) -> str:
    """Several totals of several disclosures, one row per (disclosure, property): the
    figures a ratio or a comparison divides or subtracts, in one query."""
    alts = " UNION ".join(f'{{ ?d {bkg_prop(p)} ?v . BIND("{p}" AS ?m) }}' for p in props)
    return with_prefixes(f"""SELECT DISTINCT ?d ?m ?v WHERE {{
  {values("d", disclosures)}
  {alts}
}}""")
