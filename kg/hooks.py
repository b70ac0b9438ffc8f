"""Ingest's hooks: who wants to know when a disclosure is stored or removed.

kg knows nothing of its listeners — the search index subscribes from above (search.hooks),
and the command line and the service decide which hooks an ingest gets — so data flows one
way: reader → document → extraction → store, and only then whatever is built on the store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class IngestHooks:
    """Callbacks, each list run in order: `stored(result)` after a disclosure's graph is
    written (added or replaced), `removed(graph)` after a graph is dropped, and
    `batch_done(db, store, changed)` once at the end of an ingest (`changed`: anything
    stored or removed)."""

    stored: list[Callable] = field(default_factory=list)
    removed: list[Callable] = field(default_factory=list)
    batch_done: list[Callable] = field(default_factory=list)

    def emit_stored(self, result) -> None:
        for fn in self.stored:
            fn(result)

    def emit_removed(self, graph: str) -> None:
        for fn in self.removed:
            fn(graph)

    def emit_batch_done(self, db, store, changed: bool) -> None:
        for fn in self.batch_done:
            fn(db, store, changed)
