"""The search index's subscription to ingest (kg.hooks): after a batch that changed the
store, or whenever the index lags behind it, bring the index in line (only what changed)."""

from __future__ import annotations

from kg.hooks import IngestHooks


def index_is_current(db, store) -> bool:
    from search.index import is_current

    return is_current(db, store)


def sync_index(db, store) -> None:
    """Bring the search index in line with the store (adds/removes only what changed)."""
    from search.index import sync

    sync(db, store)


def _after_batch(db, store, changed: bool) -> None:
    # module globals looked up at call time, so a test can stand in for the sync
    if changed or not index_is_current(db, store):
        sync_index(db, store)


def subscribe(hooks: IngestHooks) -> IngestHooks:
    hooks.batch_done.append(_after_batch)
    return hooks


def index_hooks() -> IngestHooks:
    """Hooks for an ingest that keeps the search index in step (the CLI and the service)."""
    return subscribe(IngestHooks())
