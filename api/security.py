"""Browser-facing hardening: security headers on every response, a clean 400 for paths with
control characters, and the API docs pages (/docs, /redoc) rebuilt without inline script.

The Content-Security-Policy allows scripts, styles, images, fonts and fetches from this
origin only, and no inline script at all: an injected `<script>` or `onclick=` in a page
(a label read from an uploaded PDF, say) does not run. It is sent on every response, not
only HTML: a JSON or Turtle body opened in a browser tab is a document too.
"""

from __future__ import annotations

import re
import secrets

from fastapi import FastAPI, Request
from starlette.datastructures import MutableHeaders
from starlette.routing import Route

from api.errors import ApiError, error_response


def policy(style_nonce: str | None = None, worker_blobs: bool = False) -> str:
    """The Content-Security-Policy. Every page gets policy(); /redoc alone adds a style nonce
    and blob: workers (see _docs_routes)."""
    style = "'self'" + (f" 'nonce-{style_nonce}'" if style_nonce else "")
    workers = "'self'" + (" blob:" if worker_blobs else "")
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        f"style-src {style}",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        f"worker-src {workers}",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


CSP = policy()

# An SVG chart (api/charts.py) is its own document with its styles in a <style> element,
# which style-src 'self' would refuse when the chart is opened on its own. It gets a policy
# of its own that allows inline style and nothing else: no script, no fetch, no frame. That
# is safe because the pages embed charts with <img>, where an SVG runs no script and loads
# nothing whatever its policy; and the charts carry no script in the first place.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate CSP level 2
    "Referrer-Policy": "same-origin",
}

# C0 and C1 controls and DEL. No route has a use for them, and they break what a path
# feeds (an IRI in a SPARQL query, a file name, a log line).
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

DOCS_ROUTES = ("/docs", "/redoc", "/docs/oauth2-redirect")
DOCS_ASSETS = "/static-offline-docs"  # where fastapi-offline mounts its packaged Swagger UI and ReDoc files


class SecurityMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware): streamed SPARQL results pass through untouched."""

    def __init__(self, app, fastapi_app: FastAPI):
        self.app = app
        self.fastapi_app = fastapi_app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                svg = headers.get("content-type", "").split(";")[0].strip().lower() == "image/svg+xml"
                for name, value in HEADERS.items():
                    if name not in headers:  # a route may send its own policy (/redoc does)
                        headers[name] = SVG_CSP if svg and name == "Content-Security-Policy" else value
            await send(message)

        path = scope.get("path", "")
        if CONTROL.search(path):

            scope.setdefault("app", self.fastapi_app)
            err = ApiError(400, "bad_path", f"the path {ascii(path)} contains a control character")
            await error_response(Request(scope), err)(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


def _docs_routes(app: FastAPI) -> None:
    """Swagger UI and ReDoc from our templates: FastAPI's own pages start the viewer with an
    inline script (and ReDoc's page has an inline style), which the CSP refuses. The assets
    stay those packaged in fastapi-offline; no CDN."""
    app.router.routes[:] = [r for r in app.router.routes if not (isinstance(r, Route) and r.path in DOCS_ROUTES)]

    def context(request: Request, viewer: str) -> dict:
        root = request.scope.get("root_path", "")
        return {"title": f"{app.title} - {viewer}", "openapi_url": f"{root}{app.openapi_url}",
                "assets": f"{root}{DOCS_ASSETS}", "static": f"{root}/static"}

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request):
        return request.app.state.templates.TemplateResponse(request, "docs.html", context(request, "Swagger UI"))

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request):
        # ReDoc writes <style> elements at run time (static/redoc-csp.js gives them this
        # response's nonce) and runs its search index in a worker built from a blob: URL,
        # which only a script already running here can mint. Scripts stay 'self'.
        nonce = secrets.token_urlsafe(18)
        return request.app.state.templates.TemplateResponse(
            request, "redoc.html", {**context(request, "ReDoc"), "nonce": nonce},
            headers={"Content-Security-Policy": policy(style_nonce=nonce, worker_blobs=True)})


def install(app: FastAPI) -> None:
    _docs_routes(app)
    stack = app.build_middleware_stack

    # Outside every other layer, Starlette's ServerErrorMiddleware included: the 500 page
    # gets the headers too, and a bad path is refused before any route sees it.
    def build():
        return SecurityMiddleware(stack(), app)

    app.build_middleware_stack = build
