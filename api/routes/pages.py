"""The web UI pages: home (search + answer), lists of policies, agencies and disclosures.
Each is a dict rendered by a template, with its JSON twin (?format=json or .json)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request

from api import views
from api.errors import ApiError
from api.render import respond
from api.routes.ask import run_ask, run_search

router = APIRouter(tags=["pages"])


def _year(year: str | None) -> int | None:
    """The form sends year= when 全部 is chosen: blank means no filter."""
    if year is None or not year.strip():
        return None
    if not year.strip().isdigit() or not 1900 <= int(year) <= 2200:
        raise ApiError(422, "invalid_parameter", f"year: expected a fiscal year like 2024, got {year!r}")
    return int(year)


def _home(request: Request, q, year, agency, kind, k, json_suffix=False):
    services = request.app.state.services
    year = _year(year)
    data = {"page": "home", "title": "预决算公开知识图谱", "q": q or "",
            "filters": {"year": year, "agency": agency or "", "kind": kind or ""},
            "facets": services.derived("facets", lambda: views.facets(services.store)),
            "answer": None, "answer_error": None,
            "search": None, "search_error": None,
            "stats": {"documents": views.disclosure_count(services.store)},
            "overview": None if (q and q.strip()) else services.derived("overview", lambda: views.overview(services.store))}
    if q and q.strip():
        try:
            data["answer"] = run_ask(request, q)
        except ApiError as e:
            data["answer_error"] = e.body()["error"]
        try:
            data["search"] = run_search(request, q, k, year, agency or None, kind or None)
        except ApiError as e:
            data["search_error"] = e.body()["error"]
    return respond(request, "home.html", data, json_suffix)


HOME_DOC = dict(summary="Home: search box, answer card and ranked passages",
                description="With `q`, the answer (from /api/ask) and the passages (from /api/search) for it; "
                            "the filters narrow the passages.")


@router.get("/", **HOME_DOC)
def home(request: Request,
         q: str | None = Query(None, description="question or search words", openapi_examples={"q": {"value": "三公经费预算是多少"}}),
         year: str | None = Query(None, description="fiscal year (blank: all)"), agency: str | None = None,
         kind: Literal["budget", "final_account", ""] | None = None, k: int | None = Query(None, ge=1, le=100)):
    return _home(request, q, year, agency, kind, k)


@router.get("/index.json", include_in_schema=False)
def home_json(request: Request, q: str | None = None, year: str | None = None,
              agency: str | None = None, kind: Literal["budget", "final_account", ""] | None = None,
              k: int | None = Query(None, ge=1, le=100)):
    return _home(request, q, year, agency, kind, k, json_suffix=True)


def _list_csv(name: str, fn, request: Request):
    """The whole list, every page of it: a download is for the full table."""
    from api.downloads import csv_response, items_csv

    services = request.app.state.services
    data = fn(services.store, 1, size=10**9, cache=services.ranking_cache)
    return csv_response(items_csv(data["items"]), f"{name}.csv")


def _list(name: str, fn, doc: str):
    def page(request: Request, page: int = Query(1, ge=1, le=100000, description="page number (500 per page)"),
             format: str | None = Query(None, description="json, csv (the whole list, every page) or html",
                                        openapi_examples={"json": {"value": "json"}, "csv": {"value": "csv"}})):
        services = request.app.state.services
        if (format or "").lower() == "csv":
            return _list_csv(name, fn, request)
        return respond(request, "list.html", fn(services.store, page, cache=services.ranking_cache))

    def page_json(request: Request, page: int = Query(1, ge=1, le=100000)):
        services = request.app.state.services
        return respond(request, "list.html", fn(services.store, page, cache=services.ranking_cache), json_suffix=True)

    def page_csv(request: Request):
        return _list_csv(name, fn, request)

    router.add_api_route(f"/{name}", page, methods=["GET"], summary=doc,
                         responses={200: {"content": {"text/html": {}, "application/json": {}, "text/csv": {}}}})
    router.add_api_route(f"/{name}.json", page_json, methods=["GET"], include_in_schema=False)
    router.add_api_route(f"/{name}.csv", page_csv, methods=["GET"], include_in_schema=False)


_list("policies", views.policies, "All policies with how many projects cite them")
_list("agencies", views.agencies, "All agencies with parent and counts")
_list("disclosures", views.disclosures, "All ingested disclosures")
