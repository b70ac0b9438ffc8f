"""What pages derive from the store, kept for one store generation.

The service's store changes only through the service (uploads, SPARQL updates, commands on
its control socket), and each change starts a new generation (Services.changed). Until then
a page's data, an IRI's label or a file's disclosure is the same on every request, so the
work is done once: an entity page costs ~15 store queries (5–20 ms of the one core Python
gives the service), which under concurrent traffic is most of what the service does.

Entries of an older generation are never returned; they are dropped when the generation
moves. The number of entries is bounded (least recently used go first), so a crawl of every
page of a 100k-disclosure corpus cannot grow the process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable


class GenerationCache:
    """key → value for one generation, at most `size` entries (0 keeps nothing)."""

    def __init__(self, size: int):
        self.size = max(0, int(size))
        self._gen: int | None = None
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def _turn(self, gen: int) -> None:
        if gen != self._gen:
            self._data.clear()
            self._gen = gen

    def get(self, gen: int, key, compute: Callable[[], object]):
        """The value of `key` in generation `gen`, computed (outside the lock) when absent.
        Two threads missing the same key both compute it: cheaper than making one wait."""
        with self._lock:
            self._turn(gen)
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
            self.misses += 1
        value = compute()
        self._put(gen, {key: value})
        return value

    def get_many(self, gen: int, keys: Iterable, compute: Callable[[list], dict]) -> dict:
        """{key: value} for these keys; `compute(missing)` gives the absent ones (a key it
        leaves out is remembered as None, so an IRI without a label is asked for once)."""
        keys = list(dict.fromkeys(keys))
        out, missing = {}, []
        with self._lock:
            self._turn(gen)
            for k in keys:
                if k in self._data:
                    self._data.move_to_end(k)
                    out[k] = self._data[k]
                else:
                    missing.append(k)
            self.hits += len(keys) - len(missing)
            self.misses += len(missing)
        if missing:
            got = compute(missing)
            fresh = {k: got.get(k) for k in missing}
            self._put(gen, fresh)
            out.update(fresh)
        return out

    def _put(self, gen: int, items: dict) -> None:
        with self._lock:
            if gen != self._gen or not self.size:
                return  # computed from a generation that has since moved on: not kept
            for k, v in items.items():
                self._data[k] = v
                self._data.move_to_end(k)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)
