"""HTML or JSON from the same data: every page is a dict, rendered by a template or
returned as its JSON twin (?format=json, a .json suffix, or Accept: application/json)."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from api.errors import ApiError
from api.negotiate import choose
from kg.vocab import KIND_WORDS

KIND_LABELS = KIND_WORDS
SCOPE_LABELS = {"department": "部门", "unit": "单位"}


def _default(o):
    if isinstance(o, Decimal):
        return str(o)
    if isinstance(o, (set, tuple)):
        return list(o)
    raise TypeError(f"not JSON serializable: {type(o).__name__}")


def json_bytes(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=_default).encode("utf-8")


class UJSONResponse(JSONResponse):
    """JSON with Chinese left readable and Decimals as exact strings."""

    def render(self, content) -> bytes:
        return json_bytes(content)


def page_format(request: Request, json_suffix: bool = False) -> str:
    """'json' or 'html' for a page route."""
    fmt = (request.query_params.get("format") or "").lower()
    if fmt:
        if fmt not in ("json", "html"):
            raise ApiError(400, "bad_format", f"unknown format {fmt!r} for this page (use json or html)")
        return fmt
    if json_suffix:
        return "json"
    return "json" if choose(request.headers.get("accept"), ["text/html", "application/json"]) == "application/json" else "html"


def respond(request: Request, template: str, data: dict, json_suffix: bool = False, status: int = 200) -> Response:
    if page_format(request, json_suffix) == "json":
        return UJSONResponse(data, status_code=status)
    templates = request.app.state.templates
    return templates.TemplateResponse(request, template, {"data": data, **data}, status_code=status)


def install_filters(env) -> None:
    env.filters["kind_label"] = lambda k: KIND_LABELS.get(k, k or "")
    env.filters["scope_label"] = lambda k: SCOPE_LABELS.get(k, k or "")
    env.globals["urlencode"] = lambda d: urlencode({k: v for k, v in d.items() if v not in (None, "")})
