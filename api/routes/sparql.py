"""/sparql — the SPARQL 1.1 Protocol: query via GET or POST (form or
application/sparql-query), results by Accept header or ?format=; updates only with the
write token; an HTML editor for browsers."""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api import sparql as sp
from api.errors import ApiError
from api.examples import load_examples
from api.negotiate import choose, prefers_html
from api.render import UJSONResponse
from api.security import policy
from api.sparql_check import update_body
from kg.store import PREFIXES
from ontology.namespace import prologue

router = APIRouter(tags=["sparql"])

SELECT_OFFERS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                 "text/tab-separated-values", "application/json", "application/xml", "text/html"]
GRAPH_OFFERS = ["text/turtle", "application/n-triples", "application/ld+json", "text/html"]
DEFAULT_QUERY = ("SELECT ?agency ?name WHERE {\n  ?agency a bkg:Agency ; rdfs:label ?name .\n} LIMIT 20\n")

EXAMPLE_QUERIES = {
    "agencies": {"summary": "Agencies and their names",
                 "value": prologue("bkg", "rdfs") + "SELECT ?a ?name WHERE { ?a a bkg:Agency ; rdfs:label ?name } LIMIT 10"},
    "policy_projects": {"summary": "Projects citing a policy, with amounts",
                        "value": prologue("bkg", "rdfs") + "SELECT ?number ?project ?amount WHERE { ?c bkg:citedPolicy ?pol ; bkg:citingProject ?p .\n"
                                 "  ?pol bkg:documentNumber ?number . ?p rdfs:label ?project ; bkg:amount ?amount } LIMIT 20"},
    "ask": {"summary": "ASK", "value": prologue("bkg") + "ASK { ?d a bkg:Disclosure }"},
    "construct": {"summary": "CONSTRUCT (Turtle / N-Triples / JSON-LD)",
                  "value": prologue("bkg") + "CONSTRUCT { ?p ?x ?y } WHERE { ?p a bkg:Policy ; ?x ?y } LIMIT 50"},
}


def _formats(request: Request) -> dict[str, str | ApiError]:
    """The serialization for each kind of answer (rows for SELECT/ASK, a graph for
    CONSTRUCT/DESCRIBE): ?format= wins, then the Accept header; 'html' is the editor page.
    Both are decided here and the worker picks by the form its parser finds, so the text
    is parsed once, in the worker, never in the service."""
    fmt = (request.query_params.get("format") or "").lower()
    if fmt and fmt not in sp.FORMAT_ALIASES:
        raise ApiError(400, "bad_format", f"unknown format {fmt!r}; use one of json, xml, csv, tsv, ttl, nt, jsonld, html")
    accept = request.headers.get("accept")
    out: dict[str, str | ApiError] = {}
    for kind, allowed, offers, types in (("select", sp.SELECT_FORMATS, SELECT_OFFERS, sp.RESULT_TYPES),
                                         ("graph", sp.GRAPH_FORMATS, GRAPH_OFFERS, sp.GRAPH_TYPES)):
        if fmt:
            f = sp.FORMAT_ALIASES[fmt]
            if f == "html" or f in allowed:
                out[kind] = f
            else:
                what = "CONSTRUCT/DESCRIBE" if kind == "graph" else "SELECT/ASK"
                out[kind] = ApiError(400, "bad_format", f"format {f!r} does not fit a {what} query; use one of {', '.join(allowed)}")
            continue
        chosen = choose(accept, offers)
        if chosen is None:
            out[kind] = ApiError(406, "not_acceptable", f"cannot answer with {accept!r}; this query can be returned as {', '.join(offers)}")
        else:
            out[kind] = "html" if chosen == "text/html" else types[chosen]
    return out


def _download_links(query: str, kind: str) -> list[dict]:
    fmts = sp.GRAPH_FORMATS if kind == "graph" else sp.SELECT_FORMATS
    names = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV", "ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD"}
    return [{"format": f, "label": names[f], "href": "/sparql?" + urlencode({"query": query, "format": f})} for f in fmts]


def _editor(request: Request, query: str | None, result: sp.QueryResult | None = None, error: ApiError | None = None,
            as_json: bool = False):
    from api.sparql_chart import bar_chart
    from api.sparql_vocab import vocabulary

    examples = load_examples()
    text = query if query is not None else prologue() + "\n" + DEFAULT_QUERY
    settings = request.app.state.settings
    table = sp.table(result) if result else None
    data = {"page": "sparql", "title": "SPARQL 查询", "query": text, "prefixes": PREFIXES, "examples": examples,
            "result": table, "chart": bar_chart(table),
            "error": error.body()["error"] if error else None,
            "downloads": _download_links(query, result.kind) if query and result else [],
            "timeout_s": settings.sparql_timeout_s, "max_rows": settings.sparql_max_rows,
            "max_bytes": settings.sparql_max_bytes, "vocabulary": vocabulary()}
    if as_json:
        return UJSONResponse(data, status_code=error.status if error else 200)
    from api.views import href

    spaces = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
    for row in (data["result"] or {}).get("rows", []):
        for t in row:
            if t and t["type"] == "uri":
                t["href"] = href(t["value"])
                t["display"] = next((f"{p}:{t['value'][len(ns):]}" for p, ns in spaces if t["value"].startswith(ns)), None)
    # CodeMirror writes its styles as <style> elements at run time: this response's policy
    # admits those that carry its nonce (static/editor.js hands it to the editor); scripts
    # stay 'self' and an injected <style> or style="" is still refused
    nonce = secrets.token_urlsafe(18)
    return request.app.state.templates.TemplateResponse(
        request, "sparql.html", {"data": data, **data, "nonce": nonce}, status_code=error.status if error else 200,
        headers={"Content-Security-Policy": policy(style_nonce=nonce)})


def _respond(request: Request, meta: dict, body: bytes, fmt: str) -> Response:
    headers = {"Cache-Control": "no-store", "Vary": "Accept"}
    if meta.get("truncated"):
        settings = request.app.state.settings
        headers["X-BudgetKG-Truncated"] = "true"
        headers["X-BudgetKG-Max-Rows"] = str(settings.sparql_max_rows)
        headers["X-BudgetKG-Max-Bytes"] = str(settings.sparql_max_bytes)
    return Response(body, media_type=sp.CONTENT_TYPES[fmt], headers=headers)


def _authorized(request: Request) -> None:
    token = request.app.state.settings.write_token
    if not token:
        raise ApiError(403, "read_only", "this endpoint is read-only: updates need a write token (BUDGETKG_WRITE_TOKEN) on the server")
    sent = request.headers.get("authorization", "")
    if not (sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip().encode(), token.encode())):
        raise ApiError(403, "forbidden", "updates need the write token: send 'Authorization: Bearer <token>'")


def _update(request: Request, update: str) -> Response:
    _authorized(request)
    services = request.app.state.services
    # vetted by a worker's parser (SERVICE/LOAD refused, nesting bounded) before the
    # store's own parser ever sees it
    services.queries.run(update, op="check_update")
    body = update_body(update)
    with services.write_lock:
        try:
            services.store.update(body)
        except NotImplementedError as e:
            raise ApiError(501, "not_supported", str(e)) from None
        except SyntaxError as e:
            raise ApiError(400, "sparql_syntax", f"SPARQL syntax error: {e}") from None
        except OSError as e:
            raise ApiError(400, "sparql_error", f"the update failed: {e}") from None
        services.changed()
    services.jobs.sync_index()  # search must not keep passages of a disclosure the update dropped
    return Response(status_code=204)


def _query(request: Request, query: str) -> Response:
    formats = _formats(request)
    services = request.app.state.services
    plain = {k: (v if isinstance(v, str) else None) for k, v in formats.items()}
    html = "html" in plain.values()
    try:
        status, meta, payload = services.queries.run(query, plain)
    except ApiError as e:
        if html:
            return _editor(request, query, error=e)
        raise
    kind = "graph" if meta["form"] in ("CONSTRUCT", "DESCRIBE") else "select"
    if status == "badformat":
        raise formats[kind]
    if plain[kind] == "html":
        return _editor(request, query, payload)
    return _respond(request, meta, payload, plain[kind])


@router.get("/sparql", summary="SPARQL query (GET) — or the HTML editor without a query",
            response_description="SELECT/ASK: sparql-results JSON/XML, CSV, TSV; CONSTRUCT/DESCRIBE: Turtle, N-Triples, JSON-LD",
            responses={200: {"content": {"application/sparql-results+json": {}, "application/sparql-results+xml": {},
                                         "text/csv": {}, "text/tab-separated-values": {}, "text/turtle": {},
                                         "application/n-triples": {}, "application/ld+json": {}, "text/html": {}}}})
def sparql_get(request: Request,
               query: str | None = Query(None, description="The SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE).",
                                         openapi_examples=EXAMPLE_QUERIES),
               format: str | None = Query(None, description="json, xml, csv, tsv (SELECT/ASK); ttl, nt, jsonld (CONSTRUCT/DESCRIBE); "
                                                            "html. Overrides the Accept header.",
                                          openapi_examples={"csv": {"value": "csv"}, "turtle": {"value": "ttl"}}),
               update: str | None = Query(None, include_in_schema=False)):
    if update:
        raise ApiError(405, "method_not_allowed", "updates must be POSTed (update= form field or application/sparql-update)")
    if not query:
        fmt = (request.query_params.get("format") or "").lower()
        accept = request.headers.get("accept") or ""
        if fmt == "html" or (not fmt and prefers_html(accept)):
            return _editor(request, None)
        if fmt == "json" or (not fmt and "application/json" in accept):
            return _editor(request, None, as_json=True)
        raise ApiError(400, "missing_query", "no SPARQL given: pass query= (GET) or POST it")
    return _query(request, query)


@router.post("/sparql", summary="SPARQL query or update (POST)",
             description="Body: `application/x-www-form-urlencoded` with `query=` or `update=`, or a raw "
                         "`application/sparql-query` / `application/sparql-update` body. Updates need "
                         "`Authorization: Bearer <write token>` and are refused with 403 otherwise.",
             openapi_extra={"requestBody": {"content": {
                 "application/sparql-query": {"schema": {"type": "string"},
                                              "examples": {k: {"summary": v["summary"], "value": v["value"]} for k, v in EXAMPLE_QUERIES.items()}},
                 "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                     "query": {"type": "string"}, "update": {"type": "string"}}},
                     "examples": {"form": {"value": {"query": EXAMPLE_QUERIES["agencies"]["value"]}}}},
                 "application/sparql-update": {"schema": {"type": "string"},
                                               "examples": {"insert": {"value": "INSERT DATA { <urn:x> <urn:y> \"z\" }"}}}}}},
             responses={204: {"description": "update applied"}, 403: {"description": "read-only / wrong token"}})
async def sparql_post(request: Request):
    ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype == "application/x-www-form-urlencoded" or ctype == "multipart/form-data":
        form = await request.form()
        query, update = form.get("query"), form.get("update")
    elif ctype == "application/sparql-query":
        query, update = (await request.body()).decode("utf-8", "replace"), None
    elif ctype == "application/sparql-update":
        query, update = None, (await request.body()).decode("utf-8", "replace")
    else:
        raise ApiError(415, "unsupported_media_type",
                       f"POST a form (query= or update=), application/sparql-query or application/sparql-update, not {ctype or 'nothing'}")
    from starlette.concurrency import run_in_threadpool

    if update:
        return await run_in_threadpool(_update, request, str(update))
    if not query:
        raise ApiError(400, "missing_query", "no SPARQL given: send query= or update=")
    return await run_in_threadpool(_query, request, str(query))
