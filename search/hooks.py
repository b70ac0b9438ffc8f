"""The search index's subscription to ingest (kg.hooks): after a batch that changed the
store, or whenever the index lags behind it, bring the index in line (only what changed:
a delta segment and tombstones, see search.index)."""

from __future__ import annotations

from contextvars import ContextVar

from kg.hooks import IngestHooks

# Set while an ingest's own batch is being indexed: ingest replaces a graph only with the
# graph of another file (another sha256), so the sync may trust that a document it already
# has is unchanged. Anyone else (a SPARQL update may have edited any graph) gets a sync that
# reads every graph's metadata again.
_from_ingest: ContextVar[bool] = ContextVar("from_ingest", default=False)


def index_is_current(db, store) -> bool:
    from search.index import is_current

    return is_current(db, store)


def sync_index(db, store) -> None:
    """Bring the search index in line with the store (adds/removes only what changed)."""
    from search.index import sync

    sync(db, store, verify=not _from_ingest.get())


def _after_batch(db, store, changed: bool, trusted: bool = True) -> None:
    # module globals looked up at call time, so a test can stand in for the sync.
    # `trusted` is False after a batch that read unchanged files again (a newer reader,
    # kg.pipeline): their sha256 and graph are the same but their document is not, which only a
    # verifying sync notices (the reader version is part of each document's chunk key).
    token = _from_ingest.set(trusted)
    try:
        if changed or not index_is_current(db, store):
            sync_index(db, store)
    finally:
        _from_ingest.reset(token)


def subscribe(hooks: IngestHooks) -> IngestHooks:
    reread: list[str] = []

    def stored(result) -> None:
        if getattr(result, "reread", False):
            reread.append(result.sha256)

    hooks.stored.append(stored)
    hooks.batch_done.append(lambda db, store, changed: _after_batch(db, store, changed, trusted=not reread))
    return hooks


def index_hooks() -> IngestHooks:
    """Hooks for an ingest that keeps the search index in step (the CLI and the service)."""
    return subscribe(IngestHooks())
