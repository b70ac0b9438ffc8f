"""The ingest hook's sync trusts that documents it already has are unchanged (ingest replaces
a graph only with another file's); any other caller's sync re-reads the graphs' metadata."""

import search.hooks
import search.index


def test_the_ingest_hook_syncs_without_verifying_and_a_direct_sync_verifies(monkeypatch):
    calls = []
    monkeypatch.setattr(search.index, "sync", lambda db, store, **kw: calls.append(kw.get("verify")))
    monkeypatch.setattr(search.hooks, "index_is_current", lambda db, store: False)
    search.hooks._after_batch("db", None, True)
    search.hooks.sync_index("db", None)  # e.g. the service after a SPARQL update
    assert calls == [False, True]
