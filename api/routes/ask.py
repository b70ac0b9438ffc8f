"""/api/search (ranked passages) and /api/ask (an answer with evidence), JSON over GET.

Both call their engines through the agreed interfaces only:
search.retrieve.Searcher.open(db).search(q, k, year, agency, kind, doc) and
api.qa.engine.answer(question, ctx). A missing engine is a 503 with one clear line."""

from __future__ import annotations

import dataclasses
from typing import Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request

from api import views
from api.errors import ApiError
from api.render import UJSONResponse
from kg.store import ID
from ontology.namespace import BKG

router = APIRouter(tags=["search"])

HIT_FIELDS = ("source_file", "page", "text", "score", "section", "entities", "agency", "year", "kind")


def _hit_dict(h) -> dict:
    if dataclasses.is_dataclass(h):
        d = dataclasses.asdict(h)
    elif isinstance(h, dict):
        d = dict(h)
    else:
        d = {f: getattr(h, f, None) for f in HIT_FIELDS}
    if isinstance(d.get("score"), float):
        d["score"] = round(d["score"], 6)
    return d


def minted_iris(obj, found: list | None = None) -> list[str]:
    """Every minted IRI (https://w3id.org/budgetkg/id/…) anywhere in a JSON-like value."""
    found = [] if found is None else found
    if isinstance(obj, str):
        if obj.startswith(ID) and obj not in found:
            found.append(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            minted_iris(v, found)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            minted_iris(v, found)
    return found


def _policy_iris(store, text: str) -> list[str]:
    """Policies whose document number appears in the text (question or answer)."""
    try:
        from kg.policy import find_numbers
    except ImportError:
        return []
    numbers = sorted({n.number for n in find_numbers(text or "")})
    if not numbers:
        return []
    vals = " ".join('"' + n.replace("\\", "\\\\").replace('"', '\\"') + '"' for n in numbers)
    rows = store.query(f"SELECT DISTINCT ?p WHERE {{ VALUES ?n {{ {vals} }} ?p <{BKG.documentNumber}> ?n }}")
    return [r["p"].value for r in rows]


def run_search(request: Request, q: str, k: int | None = None, year: int | None = None, agency: str | None = None,
               kind: str | None = None, doc: str | None = None) -> dict:
    services = request.app.state.services
    if not q or not q.strip():
        raise ApiError(400, "missing_query", "give the search words as q=")
    k = k or services.settings.search_k
    hits = [_hit_dict(h) for h in services.searcher().search(q, k, year, agency, kind, doc)]
    doc_iris = services.file_disclosures(h.get("source_file") for h in hits)
    ent = [i for h in hits for i in minted_iris(h.get("entities") or [])]
    labels = services.labels(ent)
    for h in hits:
        d = doc_iris.get(h.get("source_file"))
        h["disclosure_href"] = views.href(d) if d else None
        h["entity_links"] = [views.link(i, labels.get(i)) for i in minted_iris(h.get("entities") or [])]
    return {"query": q, "k": k, "filters": {"year": year, "agency": agency, "kind": kind, "doc": doc},
            "count": len(hits), "hits": hits}


def run_ask(request: Request, q: str) -> dict:
    services = request.app.state.services
    if not q or not q.strip():
        raise ApiError(400, "missing_query", "give the question as q=")
    try:
        from api.qa.engine import answer
    except ImportError as e:
        raise ApiError(503, "qa_unavailable", f"the question-answering engine is not installed yet ({e})") from None
    try:
        result = answer(q, services.ask_context())
    except ApiError:
        raise
    except Exception as e:  # noqa: BLE001 - one line, not a traceback
        raise ApiError(500, "qa_error", f"the question could not be answered: {type(e).__name__}: {e}") from None
    result = dict(result or {})
    store = services.store
    evidence = [ev for ev in result.get("evidence") or [] if isinstance(ev, dict)]
    doc_iris = services.file_disclosures(ev.get("source_file") for ev in evidence)
    for ev in evidence:
        if ev.get("source_file"):
            d = doc_iris.get(ev["source_file"])
            ev.setdefault("disclosure_href", views.href(d) if d else None)
    iris = minted_iris(result)
    for p in _policy_iris(store, f"{q}\n{result.get('answer') or ''}"):
        if p not in iris:
            iris.append(p)
    labels = services.labels(iris)
    for ev in result.get("evidence") or []:
        if isinstance(ev, dict) and isinstance(ev.get("iri"), str) and views.href(ev["iri"]):
            ev.setdefault("iri_href", views.href(ev["iri"]))
            ev.setdefault("iri_label", labels.get(ev["iri"]))
    # policies and agencies first: they are the pages a reader most often wants next
    order = {"policy": 0, "agency": 1}
    iris.sort(key=lambda i: order.get(i[len(ID):].split("/", 1)[0], 2))
    result["entity_links"] = [views.link(i, labels.get(i)) for i in iris[:30]]
    # an answer about one agency (not about a policy that names it) that has several years
    # links to the agency's year-by-year comparison
    kinds = [i[len(ID):].split("/", 1)[0] for i in iris]
    agencies = [i for i, k in zip(iris, kinds, strict=True) if k == "agency"]
    if len(agencies) == 1 and "policy" not in kinds and views.year_count(store, agencies[0]) >= 2:
        result["compare_href"] = views.agency_compare_href(agencies[0])
    for c in result.get("candidates") or []:  # what the question may have meant: linked to its page
        if isinstance(c, dict) and isinstance(c.get("iri"), str) and views.href(c["iri"]):
            c.setdefault("href", views.href(c["iri"]))
    if result.get("sparql"):
        result["sparql_href"] = "/sparql?" + urlencode({"query": result["sparql"]})
    if isinstance(result.get("value"), (list, tuple)):  # a list answer: downloadable as a table
        result["csv_href"] = "/api/ask?" + urlencode({"q": q, "format": "csv"})
    return result


def answer_csv(request: Request, q: str):
    """The table behind an answer: the rows of its SPARQL query (run by the query workers,
    under the public endpoint's limits), else its items with their evidence."""
    from api.downloads import BOM, answer_table, csv_response, table_csv

    result = run_ask(request, q)
    if result.get("sparql"):
        status, _meta, body = request.app.state.services.queries.run(result["sparql"], {"select": "csv"})
        if status == "ok":
            return csv_response(BOM.encode("utf-8") + body, "answer.csv")
    return csv_response(table_csv(*answer_table(result)), "answer.csv")


@router.get("/api/search", summary="Semantic search: ranked passages with file and page",
            response_description='{"query", "k", "filters", "count", "hits": [{source_file, page, text, score, section, '
                                 'entities, agency, year, kind, disclosure_href, entity_links}]}')
def api_search(request: Request,
               q: str = Query(..., min_length=1, description="Search words or a question (Chinese).",
                              openapi_examples={"zh": {"summary": "三公经费", "value": "三公经费预算"},
                                                "policy": {"summary": "a policy number", "value": "养老保险 财政补助 政策依据"}}),
               k: int | None = Query(None, ge=1, le=100, description="Hits to return (default BUDGETKG_SEARCH_K).",
                                     openapi_examples={"five": {"value": 5}}),
               year: int | None = Query(None, ge=1900, le=2200, description="Only this fiscal year.",
                                        openapi_examples={"2024": {"value": 2024}}),
               agency: str | None = Query(None, description="Only this agency (name or part of it).",
                                          openapi_examples={"part": {"value": "社会保险"}}),
               kind: Literal["budget", "final_account"] | None = Query(None, description="budget (预算) or final_account (决算).",
                                                                       openapi_examples={"budget": {"value": "budget"}}),
               doc: str | None = Query(None, description="Only this source file.")):
    return UJSONResponse(run_search(request, q, k, year, agency, kind, doc))


@router.get("/api/ask", summary="Answer a Chinese question from the graph, with evidence (file + page)",
            response_description='{"question", "answer", "value", "unit", "evidence": [{source_file, page, quote, '
                                 'disclosure_href}], "sparql", "sparql_href", "entity_links", "confidence" (0–1; 0.6 and above: '
                                 'stated as the answer), "interpretation" (agency · year · kind · measure read), "source" '
                                 '(graph | table | text), "candidates" (what an unresolved name may mean), "compare_href" (an '
                                 'answer about one agency with several years: its comparison page), "csv_href" (a list answer: '
                                 'its table as CSV)}',
            responses={200: {"content": {"application/json": {}, "text/csv": {}}}})
def api_ask(request: Request,
            q: str = Query(..., min_length=1, description="The question, in Chinese.",
                           openapi_examples={"total": {"summary": "a total", "value": "某单位2024年预算收入总额是多少？"},
                                             "policy": {"summary": "projects of a policy", "value": "哪些项目以财社〔2020〕8号为依据？"}}),
            format: Literal["json", "csv"] | None = Query(None, description="json (default) or csv: the table behind "
                                                          "the answer (the rows of its SPARQL query, else its items)")):
    if format == "csv":
        return answer_csv(request, q)
    return UJSONResponse(run_ask(request, q))
