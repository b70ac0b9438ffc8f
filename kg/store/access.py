"""Which process may open an embedded store, and how — the rule for several processes on one
database (docs/scale.md, "Several processes, one database").

pyoxigraph calls opening a store read-only while another process writes it undefined
behaviour, so no budgetkg process does that:

* a running `budgetkg serve` owns the store (opens it read-write, whatever the write token)
  and listens on DB/service.sock; a command run beside it sends its writes there and reads
  a checkpoint the service makes for it (`Access.reading`);
* with no service, a reading command holds a shared lock on the store's LOCK file for as
  long as its read-only handle is open. RocksDB takes that file's POSIX write lock when it
  opens for writing, so a writer cannot start under a reader, and a reader is refused
  (one line, `StoreInUse`) while a writer holds it. The reader's lock is an open file
  description lock (F_OFD_SETLK): a classic POSIX lock would be dropped the moment RocksDB
  closed any of its own descriptors of the file, and it would not see the writer when the
  writer is this same process.

kg knows nothing of the service itself: api provides `service(db)`, the client of a live
service (or None), when it builds the command line.
"""

from __future__ import annotations

import fcntl
import os
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from kg.store.base import Store, StoreError

SERVICE_SOCKET = "service.sock"
_FLOCK = "hhqqi4x"  # struct flock on Linux (64-bit off_t): type, whence, start, len, pid


class StoreInUse(StoreError):
    """Another process holds the store's writer lock and no service answers for it."""


class LiveService(Protocol):
    """What a command needs from a running service (api.control.ServiceClient)."""

    socket: Path

    def ingest(self, paths, workers, ray_address, on_result) -> list: ...

    def index(self, rebuild: bool) -> dict: ...

    def snapshot(self): ...  # a context manager giving the path of a checkpoint to read

    def close(self) -> None: ...


def lock_file(db: str | os.PathLike) -> Path:
    return Path(db) / "graph" / "LOCK"


def socket_path(db: str | os.PathLike) -> Path:
    return Path(db) / SERVICE_SOCKET


def _flock(kind: int) -> bytes:
    return struct.pack(_FLOCK, kind, os.SEEK_SET, 0, 0, 0)


def lock_holder(db: str | os.PathLike) -> int | None:
    """The pid of the process holding the store's writer lock (-1 when the holder cannot be
    named), or None when nobody holds it. A lock held by this very process counts."""
    try:
        fd = os.open(lock_file(db), os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        kind, _, _, _, pid = struct.unpack(_FLOCK, fcntl.fcntl(fd, fcntl.F_OFD_GETLK, _flock(fcntl.F_RDLCK)))
    finally:
        os.close(fd)
    return None if kind == fcntl.F_UNLCK else pid


def in_use_error(db: str | os.PathLike, pid: int | None) -> StoreInUse:
    who = f"process {pid}" if pid and pid > 0 else "another process"
    return StoreInUse(f"the store at {db} is in use by {who} and no budgetkg service answers on "
                      f"{socket_path(db)}: wait until that process ends, then run this again")


@contextmanager
def read_guard(db: str | os.PathLike) -> Iterator[None]:
    """Hold a shared lock on the store's LOCK file: no writer can open the store meanwhile.
    Raises StoreInUse when a writer holds it now. Nothing to lock where there is no store
    yet (opening it read-only then fails with its own message)."""
    path = lock_file(db)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        yield
        return
    try:
        try:
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, _flock(fcntl.F_RDLCK))
        except BlockingIOError:
            raise in_use_error(db, lock_holder(db)) from None
        yield
    finally:
        os.close(fd)  # the last descriptor of the description: the lock goes with it


def embedded(backend: str | None = None) -> bool:
    if backend is None:
        from kg.settings import get_settings

        backend = get_settings().store_backend
    return backend == "oxigraph"


class Access:
    """How a command reaches the store of `--db`: through a live service when one answers
    on DB/service.sock, else directly under the rule above. `service(db)` returns a
    LiveService or None; without it (kg used on its own) there is never a service."""

    def __init__(self, service: Callable[[Path], LiveService | None] | None = None):
        self._service = service

    def service(self, db: str | os.PathLike) -> LiveService | None:
        if self._service is None or not embedded():
            return None
        return self._service(Path(db))

    @contextmanager
    def reading(self, db: str | os.PathLike) -> Iterator[Store]:
        """A read-only store for a command: a checkpoint the live service made for it, or
        the store itself under the shared lock; closed (and the checkpoint given back) on exit."""
        from kg.store import OxigraphStore, open_store

        svc = self.service(db)
        if svc is not None:
            try:
                with svc.snapshot() as path:
                    store = OxigraphStore(path, read_only=True)
                    try:
                        yield store
                    finally:
                        store.close()
            finally:
                svc.close()
            return
        if not embedded():
            store = open_store(db, read_only=True)
            try:
                yield store
            finally:
                store.close()
            return
        with read_guard(db):
            store = open_store(db, read_only=True, backend="oxigraph")
            try:
                yield store
            finally:
                store.close()

    def writable(self, db: str | os.PathLike) -> Store:
        """The store opened for writing by this process (no service answers): a writer lock
        held elsewhere is said in one line, not RocksDB's."""
        from kg.store import open_store

        if embedded():
            holder = lock_holder(db)
            if holder is not None:
                raise in_use_error(db, holder)
        return open_store(db)
