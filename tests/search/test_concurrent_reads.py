"""Searches running at once on the service's one Searcher: a slow row read in one does not
hold up the others (each takes its own read-only connection), and all get what they would
get alone."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from search.index import sync
from search.retrieve import Searcher

SLOW = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000) SELECT count(*) FROM c"


def test_a_slow_read_does_not_hold_up_another(small_db):
    db, store, _ = small_db
    sync(db, store)
    s = Searcher.open(db)
    try:
        seg = s._v.segments[0]
        started = threading.Event()

        def slow():
            started.set()
            return seg.sql(SLOW)

        with ThreadPoolExecutor(1) as pool:
            t0 = time.monotonic()
            fut = pool.submit(slow)
            started.wait()
            time.sleep(0.05)
            assert seg.sql("SELECT count(*) FROM chunks")[0][0] > 0
            quick = time.monotonic() - t0
            fut.result()
            whole = time.monotonic() - t0
        # the quick read came back while the slow one was still running
        assert quick < whole / 2, (quick, whole)
    finally:
        s.close()


def test_concurrent_searches_answer_as_alone(small_db):
    db, store, _ = small_db
    sync(db, store)
    s = Searcher.open(db)
    try:
        queries = ["养老保险待遇", "就业见习补贴", "异地就医结算", "财社〔2016〕101号"] * 6
        alone = [[h.chunk_id for h in s.search(q, k=3)] for q in queries]
        with ThreadPoolExecutor(8) as pool:
            together = list(pool.map(lambda q: [h.chunk_id for h in s.search(q, k=3)], queries))
        assert together == alone
    finally:
        s.close()
