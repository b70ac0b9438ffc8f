"""Public SPARQL queries run here: a small pool of long-lived worker processes, never the
service process.

Why processes: pyoxigraph has no cancellation, and a query runs inside Rust where Python
cannot interrupt it; a parser fault or a runaway allocation would take the whole service
with it. A worker that runs late is SIGKILLed and replaced, so a timed-out query frees its
core at once; one that grows past its memory allowance is killed the same way.

Why long-lived and spawned: forking the ~800 MB service per request cost 100-450 ms at
10,000 disclosures, and forking a process that holds a read-write RocksDB is unsafe
(its background threads may hold mutexes at the instant of the fork). Workers are started
with the `spawn` method, import only what a query needs, and keep their store handle open
between requests.

What a worker reads: a snapshot, never the live store. pyoxigraph documents opening a
store read-only while another process writes it as undefined behaviour, so the service
makes a RocksDB checkpoint (`Store.backup`: hard links, milliseconds) under
`DB/snapshots/` when the pool starts and after every write through the service, and the
workers open that read-only. A remote store is queried over HTTP by the workers; a store
the service got from a caller (tests) is copied into a snapshot.

Isolation: each worker enters an empty network namespace where the kernel allows it (as
root, or through a user namespace), so even a query that got past the parser's SERVICE
refusal could not reach any host. Workers get SIGKILL when the service dies
(PR_SET_PDEATHSIG) and exit when their pipe closes.

Limits per request: wall-clock timeout (503), rows and bytes of the answer (truncated and
marked), the worker's memory growth (400), nesting and length of the text (400, checked by
api.sparql_check inside the worker).
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import logging
import multiprocessing
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from api.errors import ApiError

log = logging.getLogger("budgetkg.queries")

ROOT = str(Path(__file__).resolve().parents[1])  # where `-m api.query_workers` resolves
SNAPSHOTS = "snapshots"
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class StoreSpec:
    """How a worker opens its read-only view: an on-disk Oxigraph snapshot or a remote endpoint."""

    kind: str  # "oxigraph" | "sparql"
    path: str | None = None
    query_url: str | None = None
    timeout_s: float = 30.0


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 10.0
    max_rows: int = 10_000
    max_bytes: int = 16_000_000
    max_chars: int = 100_000
    max_depth: int = 64
    memory_mb: int = 384  # growth of a worker's resident memory during one request


# --- the worker process -------------------------------------------------------------------

def _die_with_parent() -> None:
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def _isolate_network() -> bool:
    """An empty network namespace: no interface but a down loopback, so no connect() can
    succeed. Needs CAP_SYS_ADMIN, or unprivileged user namespaces (tried second)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    if libc.unshare(clone_newnet) == 0:
        return True
    return libc.unshare(clone_newuser | clone_newnet) == 0


def _open(spec: StoreSpec):
    if spec.kind == "sparql":
        from kg.store.remote import SparqlStore

        return SparqlStore(spec.query_url, read_only=True, timeout_s=spec.timeout_s)
    from kg.store import OxigraphStore

    return OxigraphStore(spec.path, read_only=True)


def _answer(store, msg: dict):
    from api import sparql as sp
    from api.sparql_check import Limits as CheckLimits
    from api.sparql_check import Refused, check

    limits: Limits = msg["limits"]
    try:
        form = check(msg["text"], update=msg["op"] == "check_update",
                     limits=CheckLimits(max_chars=limits.max_chars, max_depth=limits.max_depth))
    except Refused as e:
        return "err", e.args_tuple()
    if msg["op"] == "check_update":
        return "ok", {"form": form}, None
    kind = "graph" if form in ("CONSTRUCT", "DESCRIBE") else "select"
    fmt = msg["formats"].get(kind)
    if fmt is None:
        return "badformat", {"form": form}, None
    try:
        result = sp.evaluate(store, msg["text"], limits.max_rows, limits.max_bytes)
    except ApiError as e:
        return "err", (e.status, e.code, e.message)
    meta = {"form": form, "kind": result.kind, "count": result.count, "truncated": result.truncated,
            "elapsed_s": result.elapsed_s}
    if fmt == "html":
        return "ok", meta, result
    return "ok", meta, sp.serialize(result, fmt)


def worker_main(conn, isolate: bool) -> None:
    """A worker's life: isolate, then answer one request after another until the pipe closes."""
    _die_with_parent()
    isolated = _isolate_network() if isolate else False
    import api.sparql  # noqa: F401 - import before the first request, not on its clock
    import api.sparql_check

    api.sparql_check._parser()
    store, opened = None, None
    conn.send(("ready", {"pid": os.getpid(), "network_isolated": isolated}))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            spec = msg.get("spec")
            if msg["op"] == "query" and spec != opened:
                if store is not None:
                    store.close()
                store, opened = None, None
                store, opened = _open(spec), spec
            reply = _answer(store, msg)
        except MemoryError:
            reply = ("err", (400, "query_memory_limit", "the query needed more memory than a query may use"))
        except BaseException as e:  # noqa: BLE001 - report, never die silently
            reply = ("err", (500, "internal_error", f"{type(e).__name__}: {e}"))
        try:
            conn.send(reply)
        except (OSError, ValueError) as e:  # an unpicklable or oversized answer
            conn.send(("err", (500, "internal_error", f"the answer could not be sent: {e}")))


# --- the parent side ---------------------------------------------------------------------

def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class _Worker:
    proc: subprocess.Popen
    conn: object
    info: dict = field(default_factory=dict)
    spec: StoreSpec | None = None  # the snapshot it has open (after its last query)
    sent: StoreSpec | None = None  # the snapshot of the request it is answering


class Snapshots:
    """Read-only copies of the service's embedded store for the workers (module docstring).
    `current()` is the spec new requests use; `refresh()` makes a new one after a write."""

    def __init__(self, store, db: Path):
        self.store = store
        self.root = Path(db).resolve() / SNAPSHOTS  # absolute: workers run from another directory
        self._seq = itertools.count()
        # pid, then a tag of this set: two snapshot sets in one process (a service and a
        # `budgetkg query` run in-process) never take or prune each other's copies
        self._prefix = f"{os.getpid()}-{uuid.uuid4().hex[:8]}-"
        self._lock = threading.Lock()
        self._current: StoreSpec | None = None

    def current(self) -> StoreSpec:
        with self._lock:
            if self._current is None:
                self._current = self._make()
            return self._current

    def refresh(self) -> None:
        with self._lock:
            if self._current is not None:  # nobody asked yet: the first query makes it
                self._current = self._make()

    def _make(self) -> StoreSpec:
        from kg.store import OxigraphStore

        inner = getattr(self.store, "inner", self.store)
        if not isinstance(inner, OxigraphStore) and hasattr(inner, "query_url"):
            return StoreSpec("sparql", query_url=inner.query_url, timeout_s=getattr(inner, "timeout_s", 30.0))
        self.root.mkdir(parents=True, exist_ok=True)
        target = self.root / f"{self._prefix}{next(self._seq)}"
        if target.exists():
            shutil.rmtree(target)
        if isinstance(inner, OxigraphStore) and inner.path is not None:
            inner.backup(target)
        else:  # an in-memory or caller-made store: copy its named graphs (the copy materializes the union)
            copy = OxigraphStore(target)
            try:
                copy.load_nquads(inner.dump("nq"))
                copy.materialize()
            finally:
                copy.close()
        return StoreSpec("oxigraph", path=str(target))

    def close(self) -> None:
        """Remove every snapshot this process made (the service is stopping)."""
        with self._lock:
            self._current = None
        self.prune(set())

    def prune(self, keep: set[str]) -> None:
        """Delete this process's snapshots that are neither current nor open in a busy worker."""
        if not self.root.exists():
            return
        with self._lock:
            keep = set(keep) | ({self._current.path} if self._current and self._current.path else set())
        for d in self.root.iterdir():
            mine = d.name.startswith(self._prefix)
            stale = not d.name.startswith(f"{os.getpid()}-") and not _pid_alive(d.name.split("-", 1)[0])
            if (mine and str(d) not in keep) or stale:
                shutil.rmtree(d, ignore_errors=True)


def _pid_alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


class QueryPool:
    """At most `size` queries at once, each in a worker process (module docstring)."""

    # How often a running query's memory is looked at: not at all for the first FIRST_LOOK_S
    # (most queries are done by then, and each look wakes the service), then every POLL_S —
    # at a few hundred MB/s of allocation that bounds the overshoot of the cap to tens of MB.
    FIRST_LOOK_S = 0.05
    POLL_S = 0.02

    def __init__(self, snapshots: Snapshots, limits: Limits, size: int | None = None, isolate: bool = True):
        self.snapshots = snapshots
        self.limits = limits
        self.size = size or max(3, (os.cpu_count() or 2) + 1)
        self.isolate = isolate
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._busy: dict[int, _Worker] = {}
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self._alive = 0
        self._spawn_error: str | None = None
        self._forker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="budgetkg-query-forker")

    # --- life cycle ---------------------------------------------------------------------
    def start(self) -> None:
        """Start the workers (in parallel; returns when they are ready)."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
            missing = self.size - self._alive
            self._alive += missing
        threads = [threading.Thread(target=self._spawn_into_pool, daemon=True) for _ in range(missing)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def _spawn(self) -> _Worker:
        ours, theirs = multiprocessing.Pipe(duplex=True)
        isolate = self.isolate and self.snapshots.current().kind == "oxigraph"
        # a fresh interpreter running this module, not multiprocessing's spawn: that one
        # re-imports the parent's __main__, which a service embedded elsewhere may not have
        # PR_SET_PDEATHSIG fires when the parent *thread* ends: every worker is started from
        # the one long-lived forker thread, never from a short-lived request thread
        args = [sys.executable, "-m", "api.query_workers", str(theirs.fileno()), "1" if isolate else "0"]
        try:
            proc = self._forker.submit(subprocess.Popen, args, pass_fds=(theirs.fileno(),), cwd=ROOT,
                                       stdin=subprocess.DEVNULL).result()
        finally:
            theirs.close()
        try:
            if not ours.poll(60):
                raise RuntimeError("a query worker did not start within 60 s")
            _tag, info = ours.recv()
        except (EOFError, OSError, RuntimeError) as e:
            proc.kill()
            proc.wait(5)
            ours.close()
            raise RuntimeError(f"a query worker failed to start ({e or 'it exited'})") from None
        if isolate and not info.get("network_isolated"):
            log.warning("query worker %s could not enter its own network namespace; SERVICE is refused by the "
                        "parser only", info.get("pid"))
        return _Worker(proc, ours, info)

    def _spawn_into_pool(self) -> None:
        try:
            w = self._spawn()
        except Exception as e:  # noqa: BLE001 - the pool runs one short; the next request retries
            log.error("query worker failed to start: %s", e)
            with self._lock:
                self._alive -= 1
                self._spawn_error = str(e)
            return
        if self._closed:
            self._stop(w)
            return
        self._idle.put(w)

    def _replace(self, w: _Worker) -> None:
        self._stop(w)
        if not self._closed:
            threading.Thread(target=self._spawn_into_pool, daemon=True, name="budgetkg-query-respawn").start()

    @staticmethod
    def _stop(w: _Worker) -> None:
        with contextlib.suppress(Exception):
            w.proc.kill()
        with contextlib.suppress(Exception):
            w.conn.close()
        with contextlib.suppress(Exception):
            w.proc.wait(2)

    def close(self) -> None:
        self._closed = True
        self._forker.shutdown(wait=False)
        while True:
            try:
                self._stop(self._idle.get_nowait())
            except queue.Empty:
                break
        with self._lock:
            busy = list(self._busy.values())
        for w in busy:
            self._stop(w)

    def snapshots_in_use(self) -> set[str]:
        """Snapshots a running query may still read (they must outlive it)."""
        with self._lock:
            return {w.sent.path for w in self._busy.values() if w.sent is not None and w.sent.path}

    def worker_pids(self) -> list[int]:
        with self._lock:
            pids = [w.proc.pid for w in self._busy.values()]
        pids += [w.proc.pid for w in list(self._idle.queue)]
        return pids

    # --- one request ----------------------------------------------------------------------
    def _acquire(self, deadline: float) -> _Worker:
        with self._lock:  # a worker lost to a failed respawn is tried again now
            short = self.size - self._alive
            self._alive += max(0, short)
        for _ in range(max(0, short)):
            threading.Thread(target=self._spawn_into_pool, daemon=True).start()
        while True:
            try:
                w = self._idle.get(timeout=min(0.25, max(0.0, deadline - time.monotonic())))
                break
            except queue.Empty:
                with self._lock:
                    broken = self._alive <= 0 and self._spawn_error
                if broken:
                    raise ApiError(503, "query_workers_unavailable",
                                   f"no query worker could be started: {self._spawn_error}") from None
                if time.monotonic() >= deadline:
                    raise ApiError(503, "busy", "every query worker is taken; try again shortly") from None
        if w.proc.poll() is not None:
            self._replace(w)
            return self._acquire(deadline)
        return w

    def run(self, text: str, formats: dict[str, str | None] | None = None, op: str = "query"):
        """(meta, payload): payload is the serialized answer, or a QueryResult for 'html'.
        Raises ApiError for a refused, failed, late or oversized query."""
        self.start()  # the first request waits for the workers to start, not on its own clock
        deadline = time.monotonic() + self.limits.timeout_s
        w = self._acquire(deadline)
        spec = self.snapshots.current() if op == "query" else None
        msg = {"op": op, "text": text, "formats": formats or {}, "limits": self.limits, "spec": spec}
        w.sent = spec
        with self._lock:
            self._busy[w.proc.pid] = w
        keep_worker = False
        try:
            w.conn.send(msg)
            reply = self._wait(w, deadline)
            keep_worker = True
        finally:
            with self._lock:
                self._busy.pop(w.proc.pid, None)
            if keep_worker:
                if spec is not None:
                    w.spec = spec
                self._idle.put(w)
            else:
                self._replace(w)
        status = reply[0]
        if status == "err":
            raise ApiError(*reply[1])
        return reply[0], reply[1], reply[2]

    def _wait(self, w: _Worker, deadline: float):
        base = _rss(w.proc.pid)
        cap = self.limits.memory_mb * 1024 * 1024
        first = True
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ApiError(503, "query_timeout",
                               f"the query ran longer than the {self.limits.timeout_s:g} s limit and was stopped "
                               "(setting BUDGETKG_SPARQL_TIMEOUT_S)")
            try:
                ready = w.conn.poll(min(self.FIRST_LOOK_S if first else self.POLL_S, left))
                first = False
            except (OSError, EOFError):
                ready = True
            if ready:
                try:
                    return w.conn.recv()
                except (EOFError, OSError):
                    raise ApiError(400, "query_crashed",
                                   "the query stopped the engine evaluating it; the worker was replaced") from None
            if base and _rss(w.proc.pid) - base > cap:
                raise ApiError(400, "query_memory_limit",
                               f"the query needed more than {self.limits.memory_mb} MB of memory and was stopped "
                               "(setting BUDGETKG_SPARQL_WORKER_MEMORY_MB)")
            if w.proc.poll() is not None:
                raise ApiError(400, "query_crashed",
                               "the query stopped the engine evaluating it; the worker was replaced")


if __name__ == "__main__":  # a worker: python -m api.query_workers FD ISOLATE
    from multiprocessing.connection import Connection

    worker_main(Connection(int(sys.argv[1])), sys.argv[2] == "1")
