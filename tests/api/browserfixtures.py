"""The fixtures of the Chromium tests over the sample database: a live service, one browser
page per module, and the per-test check of that page. A test module imports the three names
(pytest finds fixtures in a module's namespace), so each module gets its own service."""

from __future__ import annotations

import pytest
from browserhelpers import browser_page as open_page
from browserhelpers import live_server


@pytest.fixture(scope="module")
def server(sample_db):
    with live_server(sample_db) as s:
        yield s


@pytest.fixture(scope="module")
def browser_page(server):
    with open_page(server[0]) as bp:
        yield bp


@pytest.fixture
def page(browser_page):
    """The browser's one page; the test fails on anything the CSP refused, any console
    error, and any request to another host while it ran."""
    pg, watch = browser_page
    watch.clear()
    yield pg
    pg.wait_for_timeout(300)  # console messages and late requests of the last step arrive
    assert not watch.console, watch.console
    assert not watch.foreign, watch.foreign
