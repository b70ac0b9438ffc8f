"""Which view the page of a minted IRI gets, by its types."""

from __future__ import annotations

from api.views.agencies import agency
from api.views.disclosures import disclosure
from api.views.entities import resource
from api.views.links import iri_ok
from api.views.policies import policy
from api.views.query import terms
from kg.store import BKG


def page_kind(type_iris: list[str]) -> str:
    if BKG + "Policy" in type_iris:
        return "policy"
    if BKG + "Agency" in type_iris:
        return "agency"
    if BKG + "Disclosure" in type_iris:
        return "disclosure"
    return "resource"


def entity(store, iri: str, page: int = 1) -> dict:
    """The page data of any minted IRI: policies and agencies get their richer views
    (`page` pages a policy's citing projects and disclosures, 500 each)."""
    kinds = {r["t"]["value"] for r in terms(store, f"SELECT DISTINCT ?t WHERE {{ <{iri_ok(iri)}> a ?t }}")}
    kind = page_kind(list(kinds))
    if kind == "policy":
        return policy(store, iri, page)
    if kind == "agency":
        return agency(store, iri)
    if kind == "disclosure":
        return disclosure(store, iri)
    return {**resource(store, iri), "page": "resource"}
