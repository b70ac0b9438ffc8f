"""Issue 17: a live corpus. With a real `budgetkg serve` on an embedded database (read-only,
and with a write token), commands run beside it go through the service's control socket:
a CLI ingest lands and the service answers from it (search, SPARQL, the disclosure's page)
within 30 s; `budgetkg index --rebuild` leaves search answering throughout; `status`,
`export` and `check` read snapshots the service lends; `ingest` prints the same with and
without a service. A service killed with SIGKILL leaves a socket the next start replaces,
and a store held by a writer with no service is one line and exit 2.

The corpus is the project's generator (no ../shared). Every request loop is bounded and
talks to 127.0.0.1 or the database's Unix socket only."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from apihelpers import TOKEN
from liveserver import ROOT, LiveServer, budgetkg_command, free_port

pytestmark = pytest.mark.slow

SEED_DOCS = 6  # in the database before any service starts; the rest are the "new" disclosures
NEW = {"read-only": 6, "token": 7}  # the disclosure each mode's service is sent
SAME = {"read-only": 8, "token": 9}  # the one the with/without-a-service comparison ingests
ANSWER_S = 30
COUNT = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <https://w3id.org/budgetkg/def#Disclosure> }"


def budgetkg(*args, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """The command line of this tree in a subprocess, with no BUDGETKG_* setting of the caller's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETKG_")}
    env["PYTHONPATH"] = os.pathsep.join(x for x in (str(ROOT), os.environ.get("PYTHONPATH")) if x)
    return subprocess.run(budgetkg_command() + [str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[Path]:
    out = tmp_path_factory.mktemp("live_corpus")
    subprocess.run([sys.executable, str(ROOT / "data" / "generate.py"), "--out", str(out), "--count", "10",
                    "--seed", "1717", "--formats", "txt"], check=True, capture_output=True, timeout=300)
    files = sorted((out / "txt").glob("*.txt"))
    assert len(files) == 10
    return files


@pytest.fixture(scope="module")
def live_db(corpus, tmp_path_factory) -> Path:
    """The first SEED_DOCS disclosures with their search index."""
    from kg.pipeline import ingest
    from kg.store import open_store
    from search.hooks import index_hooks

    db = tmp_path_factory.mktemp("live_db") / "db"
    store = open_store(db, backend="oxigraph")
    try:
        results = ingest(corpus[:SEED_DOCS], db, store, workers=1, hooks=index_hooks())
    finally:
        store.close()
    assert not [r.error for r in results if r.status == "failed"]
    return db


@pytest.fixture(scope="module")
def twin(live_db, tmp_path_factory) -> Path:
    """A copy of the database as it was before any service ran on it: the "without a
    service" side of the comparisons."""
    return Path(shutil.copytree(live_db, tmp_path_factory.mktemp("twin") / "db"))


@pytest.fixture(scope="module", params=["read-only", "token"])
def mode(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def service(mode, live_db, twin, tmp_path_factory):
    env = {"BUDGETKG_WRITE_TOKEN": TOKEN} if mode == "token" else {}
    log = tmp_path_factory.mktemp("live_logs") / f"serve-{mode}.log"
    with LiveServer(live_db, log, env) as srv:
        yield srv


def disclosures(srv: LiveServer) -> int:
    r = srv.client.get("/sparql", params={"query": COUNT}, headers={"accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def search(srv: LiveServer, doc: str | None = None):
    params = {"q": "预算", "k": 3, **({"doc": doc} if doc else {})}
    return srv.client.get("/api/search", params=params, timeout=30)


def jobs(srv: LiveServer) -> list[dict]:
    r = srv.client.get("/ingest", params={"format": "json"})
    assert r.status_code == 200, r.text
    return r.json()["jobs"]


def control(db: Path) -> dict:
    from api.control import ServiceClient

    client = ServiceClient(db)
    try:
        return client.info()
    finally:
        client.close()


# --- with a running service ----------------------------------------------------------------

def test_a_cli_ingest_is_answered_by_the_running_service(service, mode, corpus, live_db):
    new = corpus[NEW[mode]]
    before = disclosures(service)
    assert search(service, new.name).json()["count"] == 0
    t0 = time.monotonic()
    r = budgetkg("ingest", "--db", live_db, new, "--json")
    assert r.returncode == 0, f"{r.stdout}\n{r.stderr}\n{service.log_tail()}"
    (result,) = [json.loads(line) for line in r.stdout.splitlines()]
    assert result["status"] == "added" and result["source_file"] == new.name, result
    page = "/id/" + result["graph"].split("/id/", 1)[1]  # https://w3id.org/budgetkg/id/… is served at /id/…

    seen = {}
    deadline = t0 + ANSWER_S
    while time.monotonic() < deadline:
        if "search" not in seen and search(service, new.name).json()["count"] > 0:
            seen["search"] = time.monotonic() - t0
        if "sparql" not in seen and disclosures(service) == before + 1:
            seen["sparql"] = time.monotonic() - t0
        if "page" not in seen and service.client.get(page, params={"format": "json"}).status_code == 200:
            seen["page"] = time.monotonic() - t0
        if len(seen) == 3:
            break
        time.sleep(0.5)
    assert set(seen) == {"search", "sparql", "page"}, (f"within {ANSWER_S} s the service answered from the new "
                                                       f"disclosure only in {sorted(seen)}\n{service.log_tail()}")
    print(f"{mode}: ingest command + answers {seen}")


def test_index_rebuild_beside_the_service_keeps_search_answering(service, live_db):
    statuses: list[int] = []
    empty: list[int] = []
    stop = threading.Event()

    def poll():
        while not stop.is_set() and len(statuses) < 5000:
            resp = search(service)
            statuses.append(resp.status_code)
            if resp.status_code == 200 and resp.json()["count"] == 0:
                empty.append(len(statuses))
            time.sleep(0.05)

    before = {j["id"] for j in jobs(service)}
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    try:
        r = budgetkg("index", "--db", live_db, "--rebuild")
    finally:
        stop.set()
        poller.join(60)
    assert r.returncode == 0, f"{r.stdout}\n{r.stderr}\n{service.log_tail()}"
    stats = json.loads(r.stdout)
    assert stats["documents"] >= SEED_DOCS, stats
    assert len(statuses) >= 3, "too few searches during the rebuild to say anything"
    assert set(statuses) == {200}, f"search answered {sorted(set(statuses))} during the rebuild"
    assert not empty, f"searches {empty[:5]} found nothing during the rebuild"
    assert search(service).status_code == 200
    new = [j for j in jobs(service) if j["id"] not in before]
    assert [(j["kind"], j["status"]) for j in new] == [("index", "done")], new


def test_reading_commands_use_a_snapshot_the_service_lends(service, live_db, tmp_path):
    """status, export, check and query: each borrows one snapshot and gives it back."""
    lent = control(live_db)["snapshots_lent"]
    r = budgetkg("status", "--db", live_db, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["documents"] == disclosures(service)
    out = tmp_path / "graph.nt"
    r = budgetkg("export", "--db", live_db, "--format", "nt", "-o", out)
    assert r.returncode == 0, r.stderr
    typed = [ln for ln in out.read_text(encoding="utf-8").splitlines()
             if ln.endswith("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/budgetkg/def#Disclosure> .")]
    assert len(typed) == disclosures(service)
    r = budgetkg("check", "--db", live_db, "--json")
    assert r.returncode == 0, r.stderr
    r = budgetkg("query", "--db", live_db, "--format", "csv", COUNT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["n", str(disclosures(service))]
    info = control(live_db)
    assert info["snapshots_lent"] == lent + 4 and info["snapshots_out"] == 0, info
    assert not any((live_db / "leases").iterdir()), "a lent snapshot was not deleted"


def test_ingest_prints_the_same_with_and_without_a_service(service, mode, corpus, live_db, twin, tmp_path):
    """Relative paths, a folder with a README beside the disclosure (skipped), an empty file
    and a missing one (failed), a stored one (unchanged): the same lines, objects and exit
    code from the service as from a command alone. --json in one mode, the text in the other."""
    work = tmp_path / "work"
    (work / "folder").mkdir(parents=True)
    shutil.copy(corpus[SAME[mode]], work / "folder")
    (work / "folder" / "README.txt").write_text("这是说明文件，不是预算。\n", encoding="utf-8")
    (work / "empty.txt").write_bytes(b"")
    shutil.copy(corpus[0], work)
    args = ["folder", "./empty.txt", corpus[0].name, "missing.txt"] + (["--json"] if mode == "read-only" else [])
    before = {j["id"] for j in jobs(service)}
    served = budgetkg("ingest", "--db", live_db, *args, cwd=work)
    alone = budgetkg("ingest", "--db", twin, *args, cwd=work)
    assert served.returncode == alone.returncode == 1, (served.stderr, alone.stderr)
    assert served.stdout == alone.stdout
    assert served.stderr == alone.stderr
    if mode == "read-only":
        rows = [json.loads(line) for line in served.stdout.splitlines()]
        assert sorted(r["status"] for r in rows) == ["added", "failed", "failed", "skipped", "unchanged"], rows
        assert {r["path"] for r in rows} == {"folder/" + corpus[SAME[mode]].name, "folder/README.txt", "empty.txt",
                                             corpus[0].name, "missing.txt"}
    new = [j for j in jobs(service) if j["id"] not in before]
    assert [j["kind"] for j in new] == ["files"], "the ingest did not go through the service"


# --- without one ---------------------------------------------------------------------------

def test_a_killed_service_leaves_a_socket_the_next_start_replaces(twin, tmp_path):
    db = Path(shutil.copytree(twin, tmp_path / "db"))
    sock = db / "service.sock"
    with LiveServer(db, tmp_path / "first.log") as first:
        assert control(db)["pid"] == first.proc.pid
        os.kill(first.proc.pid, signal.SIGKILL)
        first.proc.wait(30)
    assert sock.exists(), "SIGKILL left no socket behind: nothing tested"
    r = budgetkg("status", "--db", db, "--json")  # connection refused: no service, the store is free
    assert r.returncode == 0, r.stderr
    with LiveServer(db, tmp_path / "second.log") as second:
        assert control(db)["pid"] == second.proc.pid
        third = budgetkg("serve", "--db", db, "--host", "127.0.0.1", "--port", free_port(), timeout=120)
        assert third.returncode == 2, third.stderr
        assert third.stderr.strip().splitlines() == [f"budgetkg: a budgetkg service (process {second.proc.pid}) "
                                                     f"already serves {db}"]
        assert control(db)["pid"] == second.proc.pid  # the refused start left the socket alone
    assert not sock.exists(), "a stopped service left its socket"


def test_a_store_held_by_a_writer_without_a_service_is_one_line(twin, tmp_path):
    db = Path(shutil.copytree(twin, tmp_path / "db"))
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time, pyoxigraph; s = pyoxigraph.Store(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(120)", str(db / "graph")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        for args in (["status"], ["export", "--format", "nt"], ["check"], ["ingest", str(tmp_path)], ["index"]):
            r = budgetkg(*args, "--db", db)
            lines = r.stderr.strip().splitlines()
            assert r.returncode == 2 and len(lines) == 1, (args, r.returncode, r.stderr)
            assert "in use by process" in lines[0] and str(holder.pid) in lines[0], lines
            assert r.stdout == ""
    finally:
        holder.kill()
        holder.wait(10)
    r = budgetkg("status", "--db", db, "--json")
    assert r.returncode == 0, r.stderr
