"""The executors behind `budgetkg ingest --workers N`: results in input order, a bounded
number in flight, and a process-pool ingest that builds the same graph as a serial one."""

from __future__ import annotations

import os
import time

import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.parallel import ProcessExecutor, SerialExecutor, make_executor, run_on_bytes


def slow_square(x: int) -> tuple[int, int]:
    # later items finish first, so an executor that yields in completion order fails
    time.sleep(0.02 * (5 - x % 5))
    return x, x * x


def test_process_pool_keeps_input_order():
    items = list(range(12))
    with ProcessExecutor(2) as ex:
        assert list(ex.map(slow_square, items)) == [(x, x * x) for x in items]
    assert list(SerialExecutor().map(slow_square, items[:3])) == [(0, 0), (1, 1), (2, 4)]


def test_process_pool_bounds_the_work_in_flight():
    consumed = []

    def items():
        for i in range(40):
            consumed.append(i)
            yield i

    with ProcessExecutor(2, window=3) as ex:
        it = ex.map(slow_square, items())
        next(it)
        # one result taken: the window (3) was submitted, then one more refilled
        assert len(consumed) <= 4
        rest = list(it)
    assert len(rest) == 39 and len(consumed) == 40


def test_make_executor_picks_the_backend():
    assert isinstance(make_executor(1), SerialExecutor)
    ex = make_executor(2)
    assert isinstance(ex, ProcessExecutor) and ex.workers == 2
    ex.close()


def test_run_on_bytes_keeps_the_file_name(tmp_path):
    assert run_on_bytes(os.path.basename, "报告 2024.txt", b"x") == "报告 2024.txt"
    assert run_on_bytes(lambda p: open(p, "rb").read(), "a.txt", b"abc") == b"abc"


def _nt(store) -> rdflib.Graph:
    return rdflib.Graph().parse(data=store.dump("nt").decode(), format="nt")


@pytest.mark.slow
def test_process_pool_ingest_equals_serial(corpus_txt, txt_db, tmp_path):
    """The same graph, the same archived documents and the same search results with 1 worker
    as the session database built with 2 (tests/conftest.py: txt_db, workers=2)."""
    from kg.pipeline import ingest
    from kg.store import open_store
    from search.hooks import index_hooks
    from search.retrieve import Searcher

    serial = tmp_path / "serial"
    st = open_store(serial, backend="oxigraph")
    try:
        res = ingest(corpus_txt, serial, st, workers=1, hooks=index_hooks())
        assert [r.status for r in res] == ["added"] * len(corpus_txt), [r.error for r in res]
        g1 = _nt(st)
    finally:
        st.close()
    st = open_store(txt_db, read_only=True, backend="oxigraph")
    try:
        g2 = _nt(st)
    finally:
        st.close()
    assert len(g1) > 0
    assert isomorphic(g1, g2)
    assert sorted(p.name for p in (serial / "documents").glob("*.json")) == \
        sorted(p.name for p in (txt_db / "documents").glob("*.json"))
    hits = []
    for db in (serial, txt_db):
        s = Searcher.open(db)
        try:
            hits.append([[(h.source_file, h.page, h.chunk_id) for h in s.search(q, k=5)]
                         for q in ("一般公共预算财政拨款支出", "政府采购", "机关运行经费")])
        finally:
            s.close()
    assert any(hits[0]) and hits[0] == hits[1]
