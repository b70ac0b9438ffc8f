"""Which view the page of a minted IRI gets, by its types, and which charts it has."""

from __future__ import annotations

from api.errors import ApiError
from api.views.agencies import agency
from api.views.compare import AGENCY_CHARTS, agency_charts
from api.views.disclosures import disclosure, functional_chart
from api.views.entities import complete, labels_for, resource, subject_rows
from api.views.figures import chart as chart_spec
from api.views.links import RDF_TYPE, iri_ok
from api.views.policies import funding_chart, policy
from api.views.query import lookup, terms, val
from kg.store import BKG


def page_kind(type_iris: list[str]) -> str:
    if BKG + "Policy" in type_iris:
        return "policy"
    if BKG + "Agency" in type_iris:
        return "agency"
    if BKG + "Disclosure" in type_iris:
        return "disclosure"
    return "resource"


def kind_of(store, iri: str) -> str:
    """Which page the IRI gets: policy, agency, disclosure or resource."""
    return page_kind([r["t"]["value"] for r in terms(store, f"SELECT DISTINCT ?t WHERE {{ <{iri_ok(iri)}> a ?t }}")])


def entity(store, iri: str, page: int = 1) -> dict:
    """The page data of any minted IRI: policies and agencies get their richer views
    (`page` pages a policy's citing projects and disclosures, 500 each)."""
    subject = subject_rows(store, iri)
    kind = (page_kind([r["o"]["value"] for r in subject if r["p"]["value"] == RDF_TYPE]) if complete(subject)
            else kind_of(store, iri))
    if kind == "policy":
        return policy(store, iri, page, subject=subject)
    if kind == "agency":
        return agency(store, iri, subject=subject)
    if kind == "disclosure":
        return disclosure(store, iri, subject=subject)
    return {**resource(store, iri, subject=subject), "page": "resource"}


CHARTS = {"agency": tuple(AGENCY_CHARTS), "disclosure": ("functional",), "policy": ("funding",)}


def chart(store, iri: str, name: str) -> dict:
    """The chart `name` of a minted IRI (as its page shows it); 404 for a chart its kind
    does not have. A chart with no figures is still a chart: its SVG says so."""
    kind = kind_of(store, iri)
    if name not in CHARTS.get(kind, ()):
        raise ApiError(404, "not_found", f"no chart {name!r} for {iri}")
    if kind == "agency":
        spec = next((c for c in agency_charts(store, iri, min_columns=1) if c["name"] == name), None)
    elif kind == "disclosure":
        h = lookup(store, [iri], {"k": "bkg:documentKind", "y": "bkg:fiscalYear", "a": "bkg:reportingAgency"}).get(iri, {})
        a = val(h.get("a"))
        label = val(lookup(store, [a], {"l": "rdfs:label"}).get(a, {}).get("l")) if a else None
        spec = functional_chart(store, iri, val(h.get("k")), label, val(h.get("y")))
    else:
        number = lookup(store, [iri], {"n": "bkg:documentNumber", "t": "dcterms:title"}).get(iri, {})
        spec = funding_chart(store, iri, val(number.get("n")) or val(number.get("t")))
    return spec or chart_spec(name, iri, labels_for(store, [iri]).get(iri) or iri, [], [])
