"""What every browser test shares: Debian's chromium (never a downloaded browser), a live
server on a database, and a watch on what the pages make the browser do — a console error,
anything the Content-Security-Policy refused, any request to another host."""

from __future__ import annotations

import os
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def require_browser() -> None:
    """Playwright and chromium are there, or the test fails (CI=true) / skips (elsewhere)."""
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "the playwright package is missing (pip install -e '.[dev]')"
    if problem is None and not Path(CHROMIUM).exists():
        problem = f"{CHROMIUM} is missing (make sysdeps installs Debian's chromium)"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(problem)
        pytest.skip(problem)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(db):
    """(base URL, app) of the service on `db`, served by uvicorn in a thread."""
    require_browser()
    import uvicorn

    from api.app import create_app
    from kg.settings import Settings

    port = free_port()
    app = create_app(Settings(db=str(db)))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    t0 = time.monotonic()
    while not srv.started:
        assert th.is_alive() and time.monotonic() - t0 < 30, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        srv.should_exit = True
        th.join(10)


class Watch:
    """What the browser did that the pages must never make it do."""

    def __init__(self, base: str):
        self.base = base
        self.console: list[str] = []
        self.foreign: list[str] = []

    def on_console(self, msg) -> None:
        if msg.type == "error" or "Content Security Policy" in msg.text:
            self.console.append(f"{msg.type}: {msg.text}")

    def on_page_error(self, exc) -> None:
        self.console.append(f"uncaught: {exc}")

    def on_request(self, request) -> None:
        url = request.url
        # data: URLs never leave the page; a blob: URL made here carries this origin
        if not (url.startswith(self.base + "/") or url.startswith("data:") or url.startswith(f"blob:{self.base}/")):
            self.foreign.append(url)

    def clear(self) -> None:
        self.console.clear()
        self.foreign.clear()

    def attach(self, page) -> None:
        page.on("console", self.on_console)
        page.on("pageerror", self.on_page_error)
        page.on("request", self.on_request)


@contextmanager
def browser_page(base: str):
    """One chromium page with a Watch attached: (page, watch)."""
    from playwright.sync_api import sync_playwright

    watch = Watch(base)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        # the first answer loads the QA engine's names
        pg.set_default_timeout(int(os.environ.get("BUDGETKG_BROWSER_TIMEOUT_MS", "120000")))
        watch.attach(pg)
        try:
            yield pg, watch
        finally:
            browser.close()


def goto(page, url: str):
    """page.goto, checking the security headers came with the page."""
    r = page.goto(url)
    assert r is not None and r.ok, (url, r and r.status)
    csp = r.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, (url, csp)
    assert r.headers.get("x-content-type-options") == "nosniff" and r.headers.get("x-frame-options") == "DENY"
    assert r.headers.get("referrer-policy"), url
    return r
