"""Where the pure, CPU-bound part of ingest (read + extract one file) runs: in this
process, in a local process pool, or on a Ray cluster — one small interface, three backends.

Every executor's `map` yields results in input order, with a bounded number of tasks in
flight: the main process writes each result to the store as it arrives, and a window keeps
a slow writer from letting thousands of finished documents pile up in memory (which an
unbounded `ProcessPoolExecutor.map` does).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any


class Executor(ABC):
    """Runs `fn` over items; `workers` is how many run at once."""

    workers: int = 1
    # Whether workers see this machine's files by path (False: ship the bytes).
    shares_files: bool = True

    @abstractmethod
    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Results of fn(item) in the order of `items`."""

    def close(self) -> None:  # noqa: B027 - most executors hold nothing to release
        """Release workers (no-op when there are none)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SerialExecutor(Executor):
    def map(self, fn, items):
        for x in items:
            yield fn(x)


class ProcessExecutor(Executor):
    """A local process pool (spawned lazily, so an all-unchanged ingest forks nothing)."""

    def __init__(self, workers: int, window: int | None = None):
        self.workers = max(1, workers)
        self.window = window or self.workers * 4
        self._pool = None

    def map(self, fn, items):
        from concurrent.futures import ProcessPoolExecutor

        it = iter(items)
        pending = deque()
        for x in islice(it, self.window):
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=die_with_parent,
                                                 initargs=(os.getpid(),))
            pending.append(self._pool.submit(fn, x))
        while pending:
            res = pending.popleft().result()
            for x in islice(it, 1):
                pending.append(self._pool.submit(fn, x))
            yield res

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """Pool initializer: the worker ends when the process that started the pool does,
    however it ends. An orphaned worker would otherwise wait on the task queue forever (its
    own copy of the queue's write end keeps it open), holding memory and open files.

    Linux: the kernel sends SIGKILL at the parent's death (PR_SET_PDEATHSIG; the parent
    here is the thread that forked the worker, the thread that calls `map`). Elsewhere, or
    when prctl is refused: a daemon thread exits the process once it has been re-parented."""
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    ppid = os.getppid()
    if ppid != parent and not _alive(parent):
        os._exit(1)  # the parent died before the signal was armed
    if not armed:
        threading.Thread(target=_watch_parent, args=(ppid,), name="die-with-parent", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch_parent(ppid: int, every_s: float = 0.5) -> None:
    while True:
        time.sleep(every_s)
        if os.getppid() != ppid:
            os._exit(1)


class RayExecutor(Executor):
    """Tasks on a Ray cluster. `address`: "local" starts a private Ray runtime on this
    machine with `workers` CPUs; "auto" joins the cluster this machine belongs to; anything
    else is a cluster address (ray://host:10001 or host:6379). Every node needs budgetkg
    installed; files are shipped as bytes, so nodes need no shared file system."""

    shares_files = False

    def __init__(self, address: str, workers: int | None = None):
        try:
            import ray
        except ImportError as e:
            raise RuntimeError("--ray-address needs Ray: pip install 'budgetkg[ray]'") from e
        self._ray = ray
        self._owns = False
        if not ray.is_initialized():
            if address == "local":
                ray.init(num_cpus=workers or os.cpu_count() or 1, include_dashboard=False,
                         log_to_driver=False, configure_logging=False)
            else:
                ray.init(address=address, log_to_driver=False, configure_logging=False)
            self._owns = True
        self.workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.window = self.workers * 4
        self._task = ray.remote(num_cpus=1, max_retries=1)(_call)

    def map(self, fn, items):
        ray = self._ray
        # fn travels by reference (module + name), so it must be importable on the nodes
        fn_ref = ray.put(fn)
        it = iter(items)
        pending = deque(self._task.remote(fn_ref, x) for x in islice(it, self.window))
        while pending:
            res = ray.get(pending.popleft())
            for x in islice(it, 1):
                pending.append(self._task.remote(fn_ref, x))
            yield res

    def close(self) -> None:
        if self._owns and self._ray.is_initialized():
            self._ray.shutdown()
        self._owns = False


def _call(fn: Callable[[Any], Any], x: Any) -> Any:
    return fn(x)


def make_executor(workers: int | None = None, ray_address: str | None = None) -> Executor:
    """The executor for `budgetkg ingest --workers N [--ray-address ADDR]`."""
    if ray_address:
        return RayExecutor(ray_address, workers)
    workers = workers or os.cpu_count() or 1
    return SerialExecutor() if workers <= 1 else ProcessExecutor(workers)


def run_on_bytes(fn: Callable[[str], Any], name: str, data: bytes) -> Any:
    """Call fn(path) on a private copy of a file that was shipped to this worker as bytes;
    the copy keeps the file's name (readers and the graph take the source file name from it)."""
    with tempfile.TemporaryDirectory(prefix="budgetkg-") as d:
        p = Path(d) / name
        p.write_bytes(data)
        return fn(str(p))
