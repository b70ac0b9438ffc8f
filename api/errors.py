"""One error shape for every route: {"error": {"status", "code", "message"}}.

Handlers raise ApiError; FastAPI's own errors (404 on an unknown path, 422 on a bad
parameter) are rewritten to the same shape, and a browser asking for HTML gets the same
fields rendered as a page."""

from __future__ import annotations


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
