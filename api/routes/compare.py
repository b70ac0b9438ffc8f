"""Comparison pages and charts: /id/agency/{id}/compare (an agency across its years),
/compare (several agencies in one year), each with its JSON twin (?format=json or .json),
and the charts of agency, disclosure and policy pages as SVG images. These paths lie under
/id/, so api/routes/entities.py includes this router before its catch-all route."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pyoxigraph import NamedNode

from api import charts, views
from api.errors import ApiError
from api.render import respond
from kg.store import ID

router = APIRouter(tags=["pages"])

KEY = Path(..., description="the local id after /id/agency/", openapi_examples={"agency": {"value": "6d62ef5f0805590b"}})


def _minted(store, kind: str, key: str) -> str:
    """The IRI of /id/{kind}/{key}, when the store has a page of that kind for it."""
    iri = f"{ID}{kind}/{key}"
    try:
        NamedNode(iri)  # it goes into SPARQL text: refuse what the parser would
    except ValueError as e:
        raise ApiError(400, "bad_iri", f"not a valid IRI: {iri!r} ({e})") from None
    if views.kind_of(store, iri) != kind:
        raise ApiError(404, "not_found", f"no {kind} is known as {iri}")
    return iri


def _agency_compare(request: Request, key: str, json_suffix: bool):
    store = request.app.state.services.store
    return respond(request, "compare.html", views.agency_compare(store, _minted(store, "agency", key)), json_suffix)


COMPARE_DOC = dict(summary="An agency's figures across its years",
                   description="Each total (本年收入合计, 本年支出合计, 基本支出, 项目支出, “三公”经费…) and each "
                               "functional classification line side by side, one column per year within each series of "
                               "the same kind and scope (预算, 决算), with the change from the year before: exact in yuan "
                               "and as a percentage rounded to hundredths. HTML, or the data with `?format=json` or "
                               "a `.json` suffix.")


@router.get("/id/agency/{key}/compare", **COMPARE_DOC)
def agency_compare(request: Request, key: str = KEY,
                   format: Literal["html", "json"] | None = Query(None, description="html or json (overrides Accept)")):
    return _agency_compare(request, key, False)


@router.get("/id/agency/{key}/compare.json", include_in_schema=False)
def agency_compare_json(request: Request, key: str = KEY):
    return _agency_compare(request, key, True)


def _year(year: str | None) -> int | None:
    """The form sends year= for 最新: blank means the newest year the agencies have."""
    if year is None or not year.strip():
        return None
    if not year.strip().isdigit() or not 1900 <= int(year) <= 2200:
        raise ApiError(422, "invalid_parameter", f"year: expected a fiscal year like 2024, got {year!r}")
    return int(year)


def _compare(request: Request, year: str | None, kind: str, agency: list[str], json_suffix: bool):
    services = request.app.state.services
    years = services.derived("facets", lambda: views.facets(services.store))["years"]
    data = views.agencies_compare(services.store, _year(year), kind, agency, years)
    return respond(request, "compare_agencies.html", data, json_suffix)


AGENCIES_DOC = dict(summary="Several agencies side by side in one year",
                    description="The totals and functional lines of each `agency` (repeat the parameter; its IRI, "
                                "`agency/<id>` or `<id>`, at most 20) in one fiscal `year` (default: the newest they "
                                "have) and `kind`, with a form to pick them. HTML, or the data with `?format=json` "
                                "or `/compare.json`.")


@router.get("/compare", **AGENCIES_DOC)
def agencies_compare(request: Request, year: str | None = Query(None, description="fiscal year (blank: the newest)"),
                     kind: Literal["budget", "final_account"] = Query("budget", description="budget (预算) or final_account (决算)"),
                     agency: list[str] = Query([], description="an agency to compare (repeat it)"),
                     format: Literal["html", "json"] | None = Query(None, description="html or json (overrides Accept)")):
    return _compare(request, year, kind, agency, False)


@router.get("/compare.json", include_in_schema=False)
def agencies_compare_json(request: Request, year: str | None = None,
                          kind: Literal["budget", "final_account"] = "budget", agency: list[str] = Query([])):
    return _compare(request, year, kind, agency, True)


@router.get("/id/{kind}/{key}/chart/{name}.svg", summary="A chart of an agency, disclosure or policy page (SVG)",
            description="agency: `totals`, `three-public` (across its years); disclosure: `functional` (spending by "
                        "functional class); policy: `funding` (amounts of the projects based on it, by agency and "
                        "year). A self-contained SVG image without script, with a <title> and a <desc> that states "
                        "every figure; the page shows the same figures as a table.",
            responses={200: {"content": {charts.MEDIA_TYPE: {}}}, 404: {"description": "no such chart"}})
def chart(request: Request, kind: str = Path(..., description="agency, disclosure or policy"), key: str = Path(...),
          name: str = Path(..., description="the chart's name (see above)")):
    store = request.app.state.services.store
    iri = _minted(store, kind, key)
    return Response(charts.render(views.chart(store, iri, name)), media_type=charts.MEDIA_TYPE)
