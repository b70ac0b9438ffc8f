"""One error shape for every route: {"error": {"status", "code", "message"}}.

Handlers raise ApiError; FastAPI's own errors (404 on an unknown path, 422 on a bad
parameter) are rewritten to the same shape, and a browser asking for HTML gets the same
fields rendered as a page."""

from __future__ import annotations

from api.negotiate import prefers_html


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = int(status)
        self.code = code
        self.message = message

    def body(self) -> dict:
        return {"error": {"status": self.status, "code": self.code, "message": self.message}}


STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                406: "not_acceptable", 413: "too_large", 415: "unsupported_media_type", 422: "invalid_parameter",
                500: "internal_error", 503: "unavailable"}


def code_for(status: int) -> str:
    return STATUS_CODES.get(status, "error")


def wants_html(request) -> bool:
    if request.query_params.get("format") or request.url.path.endswith(".json") or request.url.path.startswith("/api/"):
        return False
    return prefers_html(request.headers.get("accept"))


def error_response(request, err: ApiError):
    """The error as the client wants it: the HTML error page, or the JSON shape."""
    from fastapi.responses import JSONResponse  # here: query workers import this module and need no web stack

    if wants_html(request):
        templates = request.app.state.templates
        return templates.TemplateResponse(request, "error.html", {"error": err.body()["error"], "data": err.body()},
                                          status_code=err.status)
    return JSONResponse(err.body(), status_code=err.status, headers={"Cache-Control": "no-store"})
