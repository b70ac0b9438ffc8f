"""A rebuild or sync beside an open Searcher (the service's): the Searcher keeps answering
from the generation it has open, whose files (and model) stay on disk while it holds them,
then moves to the new generation by itself; what nobody reads any more is removed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from search.index import index_dir, read_config, sync
from search.retrieve import Searcher

EXTRA = ("f_budget.txt", "残疾人就业保障金征收", 2024, "budget", "己市残疾人联合会", [], [], [])


def _gens(db) -> list[str]:
    return sorted(p.name for p in index_dir(db).glob("gen-*"))


def _models(db) -> list[str]:
    return sorted(p.name for p in (index_dir(db) / "model").iterdir())


def test_an_open_searcher_answers_through_a_rebuild_then_follows_it(small_db, add_disclosure):
    db, store, _ = small_db
    sync(db, store)
    old = read_config(db)
    s = Searcher.open(db)
    s.refresh_s = 3600  # it does not look at config.json until told to
    want = {m: [h.chunk_id for h in s.search("养老保险待遇", k=3, mode=m)] for m in ("bm25", "hybrid")}
    s.close()
    s = Searcher.open(db)  # opened, not yet searched: its model is loaded on the first dense query
    s.refresh_s = 3600

    add_disclosure(db, store, EXTRA)
    stats = sync(db, store, rebuild=True)
    new = read_config(db)
    assert stats["trained"] and new["generation"] != old["generation"] and new["model"]["id"] != old["model"]["id"]
    # the old generation and model are still there: the open Searcher holds them
    assert old["generation"] in _gens(db) and old["model"]["id"] in _models(db)

    for mode in ("dense", "hybrid", "bm25"):
        hits = s.search("养老保险待遇", k=3, mode=mode)
        assert hits and all(h.source_file != "f_budget.txt" for h in hits), mode
    assert [h.chunk_id for h in s.search("养老保险待遇", k=3, mode="hybrid")] == want["hybrid"]
    assert s.cfg["generation"] == old["generation"]

    fresh = Searcher.open(db)
    assert fresh.cfg["generation"] == new["generation"]
    assert fresh.search("残疾人就业保障金", k=1)[0].source_file == "f_budget.txt"
    fresh.close()

    # the long-lived Searcher notices the new generation and lets go of the old one, which
    # is then removed (it was the last reader)
    s.refresh_s = 0
    assert s.search("残疾人就业保障金", k=1, mode="dense")[0].source_file == "f_budget.txt"
    assert s.cfg["generation"] == new["generation"]
    assert _gens(db) == [new["generation"]] and _models(db) == [new["model"]["id"]]
    s.close()


def test_a_sync_keeps_what_an_open_searcher_holds_and_the_next_one_removes_it(small_db, add_disclosure):
    db, store, _ = small_db
    sync(db, store)
    first = read_config(db)["generation"]
    s = Searcher.open(db)
    s.refresh_s = 3600
    add_disclosure(db, store, EXTRA)
    sync(db, store)
    second = read_config(db)["generation"]
    assert _gens(db) == sorted([first, second])
    s.close()  # a Searcher's close removes what it held when the index can be written
    assert _gens(db) == [second]

    s = Searcher.open(db)
    s.refresh_s = 3600
    add_disclosure(db, store, ("g_budget.txt", "农村公路养护", 2024, "budget", "庚县交通运输局", [], [], []))
    sync(db, store)
    third = read_config(db)["generation"]
    assert _gens(db) == sorted([second, third])
    del s  # dropped without close: its locks go with it
    import gc

    gc.collect()
    add_disclosure(db, store, ("h_budget.txt", "城市燃气安全检查", 2024, "budget", "辛市城管局", [], [], []))
    sync(db, store)
    assert _gens(db) == [read_config(db)["generation"]]


def test_a_rebuild_in_another_process_beside_a_searcher(small_db, add_disclosure):
    """The service's case: `budgetkg index --rebuild` is another process; flock holds across."""
    db, store, _ = small_db
    sync(db, store)
    old = read_config(db)
    add_disclosure(db, store, EXTRA)
    store.close()  # the embedded store admits one process at a time
    s = Searcher.open(db)
    s.refresh_s = 3600
    code = textwrap.dedent(f"""
        from kg.store import open_store
        from search.index import sync
        store = open_store({str(db)!r})
        sync({str(db)!r}, store, rebuild=True)
        store.close()
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=300, cwd=Path(__file__).resolve().parents[2])
    new = read_config(db)
    assert new["model"]["id"] != old["model"]["id"]
    assert s.search("养老保险待遇", k=3, mode="dense")  # the old model, still on disk
    s.refresh_s = 0
    assert s.search("残疾人就业保障金", k=1)[0].source_file == "f_budget.txt"
    assert s.cfg["generation"] == new["generation"]
    s.close()
    assert _gens(db) == [new["generation"]] and _models(db) == [new["model"]["id"]]
