"""The SPARQL parser check and the query worker pool: hostile text is refused before any
engine sees it, queries run in worker processes that are killed on timeout or memory
growth and replaced, answers are capped in bytes as well as rows, and a write through the
service is visible to the next query (the workers read a fresh snapshot)."""

from __future__ import annotations

import os
import time

import pytest
from apihelpers import TOKEN, build_mini_db, make_client

from api.sparql_check import Limits, Refused, check, update_body

CROSS5 = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o }"
AUTH = {"authorization": f"Bearer {TOKEN}"}


def refused(text, update=False, limits=Limits()):
    with pytest.raises(Refused) as e:
        check(text, update=update, limits=limits)
    return e.value.status, e.value.code


# --- the parser check -----------------------------------------------------------------------

@pytest.mark.parametrize("q", [
    # an escaped '#' in a prefixed name is not a comment: the old text filter missed this one
    "PREFIX ex: <http://e/>\nSELECT * WHERE { ?x ex:a\\# ?y . SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }",
    "select * { sErViCe silent <x:y> { ?s ?p ?o } }",
    "SELECT * { ?s ?p ?o OPTIONAL { { SERVICE ?where { ?s ?p ?o } } } }",
    "ASK { SERVICE <x:y> {} }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <x:y> { ?s ?p ?o } }",
])
def test_service_in_any_spelling_is_refused(q):
    assert refused(q) == (403, "service_refused")


@pytest.mark.parametrize("u", [
    "LOAD <http://127.0.0.1:9/x.ttl>",
    "load silent <http://127.0.0.1:9/x.ttl> into graph <urn:g>",
    "INSERT DATA { <a:b> <a:c> 1 } ;\nLOAD <http://127.0.0.1:9/x.ttl>",
    "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
])
def test_load_and_service_in_updates_are_refused(u):
    assert refused(u, update=True)[0] == 403


def test_nesting_and_length_are_bounded_without_recursion():
    deep = "SELECT * WHERE " + "{" * 5000 + "?s ?p ?o" + "}" * 5000
    assert refused(deep) == (400, "query_too_complex")
    assert refused("SELECT * WHERE { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }") == (400, "query_too_complex")
    assert refused("SELECT * WHERE { ?s ?p ?o }" + " " * 200, limits=Limits(max_chars=100)) == (400, "query_too_large")
    ok = "SELECT * WHERE " + "{" * 10 + "?s ?p ?o" + "}" * 10
    assert check(ok) == "SELECT"


def test_forms_and_misrouted_requests():
    assert check("ASK {}") == "ASK"
    assert check("DESCRIBE <urn:x>") == "DESCRIBE"
    assert check("INSERT DATA { GRAPH <g:1> { <a:b> <a:c> 1 } } # done", update=True) == "UPDATE"
    assert refused("INSERT DATA { <a:b> <a:c> 1 }") == (400, "update_as_query")
    assert refused("SELECT * {}", update=True) == (400, "query_as_update")
    assert refused("SELECT * WHERE { ?s ?p ") == (400, "sparql_syntax")
    assert refused("   ") == (400, "missing_query")


def test_a_valid_query_the_grammar_does_not_know_goes_to_the_second_parser():
    # tree-sitter's grammar refuses a bare trailing ';' in an update; rdflib's accepts it
    assert check("INSERT DATA { GRAPH <g:1> { <a:b> <a:c> 1 } } ;", update=True) == "UPDATE"


@pytest.mark.parametrize("u", [
    'INSERT DATA { <a:b> <a:c> "d" }',
    "INSERT { ?s <a:p> ?o } WHERE { GRAPH ?g { ?s <a:q> ?o } }",
    "DELETE WHERE { ?s <a:p> ?o }",
    'INSERT DATA { <a:b> <a:c> "d" } ;',  # the second parser's path
])
def test_writes_to_the_default_graph_are_refused_not_silently_undone(u):
    # the default graph is the union of the disclosure graphs, rebuilt after every update
    assert refused(u, update=True) == (400, "default_graph_write")
    assert check("WITH <g:1> INSERT { ?s <a:p> ?o } WHERE { ?s <a:q> ?o }", update=True) == "UPDATE"
    assert check("DELETE WHERE { GRAPH ?g { ?s <a:p> ?o } }", update=True) == "UPDATE"


def test_update_body_drops_only_trailing_separators_and_comments():
    assert update_body('INSERT DATA { <a:b#c> <a:d> "e;#" } ; # note\n') == 'INSERT DATA { <a:b#c> <a:d> "e;#" }'
    assert update_body("DROP GRAPH <a:b> # why") == "DROP GRAPH <a:b>"
    body = 'INSERT DATA { <a:b> <a:c> "d" } ; DROP GRAPH <a:x>'
    assert update_body(body + " #c") == body


# --- the worker pool, through the service -----------------------------------------------------

def test_queries_run_in_isolated_workers_never_in_the_service(mini_db):
    with make_client(mini_db) as c:
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
        pool = c.app.state.services.queries
        pids = pool.worker_pids()
        assert len(pids) == pool.size >= 3 and os.getpid() not in pids
        if os.geteuid() == 0:  # where the kernel allows it, workers have no network at all
            infos = [w.info for w in list(pool._idle.queue)]
            assert infos and all(i["network_isolated"] for i in infos)


@pytest.mark.slow  # waits out a query timeout or starts processes
def test_a_timed_out_query_kills_its_worker_and_frees_the_core(tmp_path):
    import psutil

    with make_client(build_mini_db(tmp_path), write_token=TOKEN, sparql_timeout_s=1) as c:
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        before = set(c.app.state.services.queries.worker_pids())
        t0 = time.monotonic()
        r = c.get("/sparql", params={"query": CROSS5})
        assert r.status_code == 503 and r.json()["error"]["code"] == "query_timeout"
        assert time.monotonic() - t0 < 3
        time.sleep(0.5)
        gone = [p for p in before if not psutil.pid_exists(p) or psutil.Process(p).status() == psutil.STATUS_ZOMBIE]
        assert len(gone) == 1  # exactly the late worker was killed, so no core keeps running the query
        deadline = time.monotonic() + 20
        while len(c.app.state.services.queries.worker_pids()) < c.app.state.services.queries.size:
            assert time.monotonic() < deadline, "the killed worker was not replaced"
            time.sleep(0.1)
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200


@pytest.mark.slow  # waits out a query timeout or starts processes
def test_a_trivial_query_is_answered_while_heavy_ones_run(mini_db):
    import threading

    with make_client(mini_db, sparql_timeout_s=3, sparql_workers=3) as c:
        c.get("/sparql", params={"query": "ASK {}"})
        heavy = [threading.Thread(target=c.get, args=("/sparql",), kwargs={"params": {"query": CROSS5}}) for _ in range(2)]
        for t in heavy:
            t.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
        assert time.monotonic() - t0 < 1.5
        for t in heavy:
            t.join(10)


def test_answers_are_capped_in_bytes(mini_db):
    q = ("SELECT ?s (CONCAT(STR(?s), STR(?s), STR(?s), STR(?s), STR(?s), STR(?s), STR(?s), STR(?s)) AS ?long) "
         "WHERE { ?s ?p ?o }")
    with make_client(mini_db, sparql_max_bytes=4000) as c:
        r = c.get("/sparql", params={"query": q})
        assert r.status_code == 200 and r.headers["x-budgetkg-truncated"] == "true"
        assert r.headers["x-budgetkg-max-bytes"] == "4000"
        body = r.json()
        assert body["truncated"] is True and 0 < len(body["results"]["bindings"])
        assert len(r.content) < 4000 * 1.5
    with make_client(mini_db) as c:  # the default cap lets the same answer through whole
        r = c.get("/sparql", params={"query": q})
        assert "truncated" not in r.json()


@pytest.mark.slow  # waits out a query timeout or starts processes
def test_a_query_growing_past_its_memory_allowance_is_stopped(mini_db):
    # every literal concatenated, cross-joined: hundreds of MB inside the engine
    q = ("SELECT (GROUP_CONCAT(CONCAT(STR(?a), STR(?b), STR(?c), STR(?d))) AS ?x) "
         "WHERE { ?a ?p1 ?o1 . ?b ?p2 ?o2 . ?c ?p3 ?o3 . ?d ?p4 ?o4 }")
    with make_client(mini_db, sparql_worker_memory_mb=64, sparql_timeout_s=30) as c:
        r = c.get("/sparql", params={"query": q})
        assert r.status_code == 400 and r.json()["error"]["code"] == "query_memory_limit", r.text[:300]
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_writes_through_the_service_reach_the_workers_and_trailing_comments_are_fine(tmp_path):
    db = build_mini_db(tmp_path)
    with make_client(db, write_token=TOKEN) as c:
        ask = {"query": 'ASK { <urn:a> <urn:b> "c" }'}
        assert c.get("/sparql", params=ask).json()["boolean"] is False
        r = c.post("/sparql", data={"update": 'INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> "c" } } # added by hand'},
                   headers=AUTH)
        assert r.status_code == 204, r.text
        assert c.get("/sparql", params=ask).json()["boolean"] is True
        r = c.post("/sparql", data={"update": "DROP GRAPH <urn:g> ;\n# gone\n"}, headers=AUTH)
        assert r.status_code == 204, r.text
        assert c.get("/sparql", params=ask).json()["boolean"] is False
        snaps = list((db / "snapshots").iterdir())
        assert len(snaps) <= 2  # old snapshots are removed once no query reads them
    assert not (db / "snapshots").exists() or not list((db / "snapshots").iterdir())


def test_load_is_refused_even_with_the_token(tmp_path):
    with make_client(build_mini_db(tmp_path), write_token=TOKEN) as c:
        r = c.post("/sparql", data={"update": "LOAD <http://127.0.0.1:9/x.ttl>"}, headers=AUTH)
        assert r.status_code == 403 and r.json()["error"]["code"] == "load_refused"
