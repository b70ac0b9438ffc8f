"""Keep fork() away from in-flight store calls.

The SPARQL endpoint forks a child per public query (api.sparql). A child inherits the
parent's memory as it is at that instant: had another thread been inside a RocksDB call
holding one of its mutexes, the child could block on that mutex forever and the query
would end as a false timeout. So every in-process store call (pages, QA, search metadata,
ingest writes) goes through `GuardedStore`, which holds a shared "reading" claim for the
whole call — results are materialized inside it, since pyoxigraph evaluates lazily while
they are iterated — and fork() takes the claim exclusively for the instant of the fork.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from kg.store import Store


class ForkGuard:
    def __init__(self):
        self._cond = threading.Condition()
        self._inside = 0
        self._forking = False

    @contextmanager
    def store_call(self):
        with self._cond:
            self._cond.wait_for(lambda: not self._forking)
            self._inside += 1
        try:
            yield
        finally:
            with self._cond:
                self._inside -= 1
                self._cond.notify_all()

    @contextmanager
    def fork(self, timeout: float):
        """Exclusive while the block runs; yields False when the store stayed busy for
        `timeout` seconds (the caller then does not fork)."""
        with self._cond:
            ok = self._cond.wait_for(lambda: self._inside == 0 and not self._forking, timeout)
            if ok:
                self._forking = True
        try:
            yield ok
        finally:
            if ok:
                with self._cond:
                    self._forking = False
                    self._cond.notify_all()


class Solutions(list):
    """A SELECT result read to the end, with the variables pyoxigraph's result carries."""

    def __init__(self, rows, variables):
        super().__init__(rows)
        self.variables = variables


class GuardedStore(Store):
    """The service's store as request handlers and background jobs see it."""

    def __init__(self, store: Store, guard: ForkGuard):
        self.inner = store
        self.guard = guard

    def query(self, sparql: str):
        with self.guard.store_call():
            res = self.inner.query(sparql)
            kind = type(res).__name__
            if kind == "QueryBoolean":
                return bool(res)
            if kind == "QuerySolutions":
                return Solutions(list(res), list(res.variables))
            return list(res)

    def replace_graph(self, graph: str, ntriples: str, drop=()) -> None:
        with self.guard.store_call():
            self.inner.replace_graph(graph, ntriples, drop)

    def drop_graphs(self, graphs) -> None:
        with self.guard.store_call():
            self.inner.drop_graphs(graphs)

    def update(self, sparql: str) -> None:
        run = getattr(self.inner, "update", None) or getattr(getattr(self.inner, "_store", None), "update", None)
        if run is None:
            raise NotImplementedError("this store backend does not take SPARQL updates")
        with self.guard.store_call():
            run(sparql)

    def dump(self, fmt: str) -> bytes:
        with self.guard.store_call():
            return self.inner.dump(fmt)

    def triple_count(self) -> int:
        with self.guard.store_call():
            return self.inner.triple_count()

    def close(self) -> None:
        with self.guard.store_call():
            self.inner.close()

    def __getattr__(self, name):  # anything else a backend offers (path, has_graph, …)
        return getattr(self.inner, name)
