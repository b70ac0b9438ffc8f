"""What the pages show, as plain data (the JSON twins are exactly these dicts; the HTML
templates render them). Everything is read through SPARQL on the store, one bounded query
per section, so a page costs the same however big the graph grows.

One module per resource (home, policies, agencies, disclosures, entities for any other
IRI, dispatch to pick among them, compare for the comparison pages) over shared pieces:
query (reading the store), lists (paging and sort keys), links (IRIs and their display
names), amounts, figures (charts as data). This package
re-exports what the routes, the service and their tests use."""

from __future__ import annotations

from api.views.agencies import agencies, agency
from api.views.amounts import money
from api.views.compare import agencies_compare, agency_compare, agency_compare_href, year_count
from api.views.disclosures import disclosure, disclosures, disclosures_for_files
from api.views.dispatch import chart, entity, kind_of
from api.views.entities import describe_ntriples, exists, labels_for, provenance, resource
from api.views.home import disclosure_count, facets, overview
from api.views.links import href, link, local_name
from api.views.policies import policies, policy
from api.views.query import PROLOGUE

__all__ = [
    "PROLOGUE", "agencies", "agencies_compare", "agency", "agency_compare", "agency_compare_href", "chart",
    "describe_ntriples", "disclosure", "disclosure_count", "disclosures", "disclosures_for_files", "entity", "exists",
    "facets", "href", "kind_of", "labels_for", "link", "local_name", "money", "overview", "policies", "policy",
    "provenance", "resource", "year_count",
]
