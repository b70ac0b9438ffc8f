"""Store backends under test: the embedded Oxigraph and a real Oxigraph server (the
`oxigraph` CLI from PyPI) started once per session on a free loopback port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    return shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OxigraphServer:
    def __init__(self, base: str, proc: subprocess.Popen, log: Path):
        self.base = base
        self.proc = proc
        self.log = log
        self.query_url = f"{base}/query"
        self.update_url = f"{base}/update"
        self.graph_store_url = f"{base}/store"

    def clear(self) -> None:
        httpx.post(self.update_url, data={"update": "DROP ALL"}, timeout=30).raise_for_status()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory):
    """A server whose default graph is the union of the named graphs (--union-default-graph)."""
    yield from _serve(tmp_path_factory, ["--union-default-graph"])


@pytest.fixture(scope="session")
def oxigraph_server_plain(tmp_path_factory):
    """A server with a real default graph, for budgetkg's materialized-union layout."""
    yield from _serve(tmp_path_factory, [])


def _serve(tmp_path_factory, flags: list[str]):
    binary = _oxigraph_binary()
    if binary is None:
        msg = "the `oxigraph` server binary is missing (pip install oxigraph; it is in the dev extra)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    loc = tmp_path_factory.mktemp("oxigraph_server")
    log = loc.parent / f"{loc.name}.log"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log, "wb") as logf:
        proc = subprocess.Popen([binary, "serve", "--location", str(loc / "data"), "--bind", f"127.0.0.1:{port}",
                                 *flags], stdout=logf, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"oxigraph server exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{base}/query", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"oxigraph server did not answer on {base} within 30 s")
            time.sleep(0.1)
        yield OxigraphServer(base, proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


BACKENDS = ["oxigraph", "sparql", "sparql+gsp", "sparql+materialized"]


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def make_store(backend, request, tmp_path):
    """make_store(db=None, read_only=False) -> a fresh, empty store of the parametrized backend.
    Stores opened through it are closed at teardown."""
    from kg.store import open_store

    opened = []
    server = None
    if backend.startswith("sparql"):
        server = request.getfixturevalue("oxigraph_server_plain" if backend == "sparql+materialized"
                                         else "oxigraph_server")
        server.clear()

    def make(db: Path | None = None, read_only: bool = False):
        db = db or tmp_path / "db"
        if server is None:
            st = open_store(db, read_only=read_only, backend="oxigraph")
        else:
            st = open_store(db, read_only=read_only, backend="sparql", query_url=server.query_url,
                            update_url=server.update_url,
                            graph_store_url=server.graph_store_url if backend == "sparql+gsp" else None,
                            default_graph="materialized" if backend == "sparql+materialized" else "server")
        opened.append(st)
        return st

    yield make
    for st in opened:
        try:
            st.close()
        except Exception:  # noqa: BLE001 - already closed by the test
            pass
