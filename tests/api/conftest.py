"""API test fixtures: a small hand-written graph (tests/api/mini_graph*.ttl, invented
names) in an on-disk store, and a read-only client over it."""

from __future__ import annotations

from pathlib import Path

import pytest
from apihelpers import build_mini_db, make_client


@pytest.fixture(scope="session")
def mini_db(tmp_path_factory) -> Path:
    return build_mini_db(tmp_path_factory.mktemp("mini_db"))


@pytest.fixture(scope="session")
def client(mini_db):
    """Read-only service over the mini graph."""
    with make_client(mini_db) as c:
        yield c
