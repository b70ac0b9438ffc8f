"""/id/… — every minted IRI https://w3id.org/budgetkg/id/… dereferences here: HTML for
people, Turtle / JSON-LD / N-Triples for machines (Accept header, ?format=, or a .ttl /
.jsonld / .nt / .json suffix), the page data as JSON."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pyoxigraph import NamedNode

from api import views
from api.errors import ApiError
from api.negotiate import choose
from api.render import UJSONResponse
from api.routes import compare
from api.sparql import graph_bytes
from kg.store import ID

router = APIRouter(tags=["entities"])
# the comparison pages and charts live under /id/ too: they go before the catch-all below
router.include_router(compare.router)

OFFERS = {"text/html": "html", "text/turtle": "ttl", "application/ld+json": "jsonld", "application/n-triples": "nt",
          "application/json": "json"}
SUFFIXES = {".json": "json", ".ttl": "ttl", ".jsonld": "jsonld", ".nt": "nt", ".html": "html"}
TEMPLATES = {"policy": "policy.html", "agency": "agency.html", "disclosure": "disclosure.html", "resource": "entity.html"}
MEDIA = {"ttl": "text/turtle; charset=utf-8", "jsonld": "application/ld+json", "nt": "application/n-triples"}


@router.get("/id/{path:path}", summary="A minted resource (content negotiation)",
            description="HTML page; `text/turtle`, `application/ld+json`, `application/n-triples` by Accept or "
                        "`?format=ttl|jsonld|nt`; the page data with `?format=json` or a `.json` suffix. Policies "
                        "and agencies get richer pages (citing projects; units, disclosures, projects, findings).",
            responses={200: {"content": {"text/html": {}, "text/turtle": {}, "application/ld+json": {},
                                         "application/n-triples": {}, "application/json": {}}}, 404: {"description": "unknown IRI"}})
def entity(request: Request,
           path: str = Path(..., description=f"the IRI's path after {ID}",
                            openapi_examples={"agency": {"value": "agency/6d62ef5f0805590b"},
                                              "policy_turtle": {"summary": "with a suffix", "value": "policy/b6fdc37efc27a8b8.ttl"}}),
           format: str | None = Query(None, description="html, ttl, jsonld, nt or json (overrides Accept)",
                                      openapi_examples={"turtle": {"value": "ttl"}, "jsonld": {"value": "jsonld"},
                                                        "json": {"value": "json"}}),
           page: int = Query(1, ge=1, le=100000, description="page of a policy's citing projects and disclosures (500 per page)")):
    services = request.app.state.services
    store = services.store
    iri = ID + path
    try:
        # the IRI goes into SPARQL text: one the parser would refuse (a space, `>`, U+FFFD
        # from bad UTF-8, a broken %-escape) is the client's error, not a failed query
        NamedNode(iri)
    except ValueError as e:
        raise ApiError(400, "bad_iri", f"not a valid IRI: {iri!r} ({e})") from None
    fmt = None
    def exists(i: str) -> bool:
        return services.page_data(("exists", i), lambda: views.exists(store, i))

    if not exists(iri):
        for suf, f in SUFFIXES.items():
            if path.endswith(suf) and exists(iri[: -len(suf)]):
                iri, fmt = iri[: -len(suf)], f
                break
        else:
            raise ApiError(404, "not_found", f"nothing is known about {iri}")
    if format:
        fmt = {"turtle": "ttl", "json-ld": "jsonld", "ntriples": "nt"}.get(format.lower(), format.lower())
        if fmt not in OFFERS.values():
            raise ApiError(400, "bad_format", f"unknown format {format!r}; use html, ttl, jsonld, nt or json")
    if fmt is None:
        accept = request.headers.get("accept")
        chosen = choose(accept, list(OFFERS))
        if chosen is None:
            raise ApiError(406, "not_acceptable", f"cannot answer with {accept!r}; offers: {', '.join(OFFERS)}")
        fmt = OFFERS[chosen]
    headers = {"Vary": "Accept", "Link": f'<{iri}>; rel="canonical"'}
    if fmt in MEDIA:
        return Response(graph_bytes(views.describe_ntriples(store, iri), fmt), media_type=MEDIA[fmt], headers=headers)
    # shared by the generation's requests (api.cache): added to, never changed
    data = {**services.page_data(("entity", iri, page), lambda: views.entity(store, iri, page)),
            "formats": {f: f"{views.href(iri)}?format={f}" for f in ("ttl", "jsonld", "nt", "json")}}
    if fmt == "json":
        return UJSONResponse(data, headers=headers)
    return request.app.state.templates.TemplateResponse(request, TEMPLATES[data["page"]], {"data": data, **data},
                                                        headers=headers)
