"""A real `budgetkg serve` in a subprocess on a free loopback port, for tests that must see
what an HTTP client sees (a crash, a stuck core, memory growth) rather than what an
in-process TestClient sees; a loopback listener that records every connection made to it
(the proof that the service made no outbound request); and the service's process tree as
psutil sees it (the service and whatever query workers it runs)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[2]
TRIVIAL_ASK = "ASK {}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Listener:
    """A TCP listener on 127.0.0.1 that records each connection and the first bytes sent.
    It answers like an empty SPARQL endpoint, so a service that does call out gets a reply
    and finishes its request (the test then fails on the recorded hit, not on a hang)."""

    BODY = b'{"head": {"vars": []}, "results": {"bindings": []}}'
    REPLY = (b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nConnection: close\r\n"
             b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.hits: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="outbound-listener")
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(1.0)
                try:
                    first = conn.recv(2048)
                except OSError:
                    first = b""
                self.hits.append(first or b"(connected, sent nothing)")
                try:
                    conn.sendall(self.REPLY)
                except OSError:
                    pass

    def take(self, settle_s: float = 0.3) -> list[bytes]:
        """The hits so far (after a short wait for a late connection), and forget them."""
        time.sleep(settle_s)
        hits, self.hits = self.hits, []
        return hits

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


def budgetkg_command(root: Path = ROOT) -> list[str]:
    """The `budgetkg` console script of this tree, as pyproject.toml declares it (the script
    installed in the venv may point at a module an unreinstalled checkout has moved)."""
    import tomllib

    target = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["budgetkg"]
    module, func = target.split(":")
    return [sys.executable, "-c", f"import sys; from {module} import {func}; sys.exit({func}())"]


class LiveServer:
    """`budgetkg serve --db DB` on 127.0.0.1:<free port> with extra BUDGETKG_* settings in
    its environment. Use as a context manager; the log is kept for failure messages."""

    def __init__(self, db: Path, log: Path, env: dict[str, str] | None = None, start_timeout_s: float = 180):
        self.db, self.log_path, self.start_timeout_s = Path(db), Path(log), start_timeout_s
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # the service runs the code of the tree these tests belong to, whatever is installed
        path = os.pathsep.join(x for x in (str(ROOT), os.environ.get("PYTHONPATH")) if x)
        # only the settings the test names: a BUDGETKG_WRITE_TOKEN in the caller's environment
        # must not turn a read-only probe into a read-write one
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("BUDGETKG_")}
        self.env = {**inherited, "PYTHONUNBUFFERED": "1", "PYTHONPATH": path, **(env or {})}
        self.proc: subprocess.Popen | None = None
        self.client: httpx.Client | None = None

    def __enter__(self) -> LiveServer:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(budgetkg_command() + ["serve", "--db", str(self.db), "--host", "127.0.0.1",
                                                           "--port", str(self.port)],
                                     cwd=self.log_path.parent, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        self.client = httpx.Client(base_url=self.base, timeout=60, trust_env=False)
        deadline = time.monotonic() + self.start_timeout_s
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"budgetkg serve exited with {self.proc.returncode} while starting:\n{self.log_tail()}")
            try:
                if self.ask().status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError(f"budgetkg serve did not answer within {self.start_timeout_s:g} s:\n{self.log_tail()}")
            time.sleep(0.3)
        return self

    def __exit__(self, *exc):
        if self.client is not None:
            self.client.close()
        if self.proc is not None:
            survivors = self.tree() if self.proc.poll() is None else []
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
            # descendants of the service are ours to clean up; a test that cares asserts on them first
            for p in survivors:
                try:
                    if p.pid != self.proc.pid and p.is_running():
                        p.kill()
                except psutil.Error:
                    pass
        if getattr(self, "_log", None):
            self._log.close()

    def log_tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    # --- requests -------------------------------------------------------------------

    def ask(self, timeout: float = 30) -> httpx.Response:
        return self.client.get("/sparql", params={"query": TRIVIAL_ASK},
                               headers={"accept": "application/sparql-results+json"}, timeout=timeout)

    def alive(self) -> bool:
        """The process still runs and a trivial ASK answers 200 with `true`."""
        if self.proc.poll() is not None:
            return False
        try:
            r = self.ask()
        except httpx.TransportError:
            return False
        return r.status_code == 200 and r.json().get("boolean") is True

    # --- the process tree ---------------------------------------------------------------

    def tree(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.proc.pid)
            return [root, *root.children(recursive=True)]
        except psutil.Error:
            return []

    def memory(self) -> int:
        """Bytes of memory the tree holds: the sum of PSS (proportional set size), so pages
        a forked child still shares with its parent are counted once, not once per process
        as a sum of RSS would; RSS where PSS cannot be read."""
        total = 0
        for p in self.tree():
            try:
                total += p.memory_full_info().pss
            except (psutil.AccessDenied, AttributeError):
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            except psutil.Error:
                pass
        return total

    def cpu(self, window_s: float, only: set[int] | None = None) -> dict[int, float]:
        """Per-process CPU percent (100 = one core) over the next `window_s` seconds, for the
        processes of the tree (or only those pids that still exist)."""
        procs = [p for p in self.tree() if only is None or p.pid in only]
        for p in procs:
            try:
                p.cpu_percent(None)
            except psutil.Error:
                pass
        time.sleep(window_s)
        out = {}
        for p in procs:
            try:
                out[p.pid] = p.cpu_percent(None)
            except psutil.Error:
                pass
        return out

    def wait_idle(self, limit_s: float = 60, below: float = 20.0) -> float:
        """Wait (bounded) until the whole tree uses less than `below` percent of a core, e.g.
        after start-up warming; returns the last measurement."""
        deadline = time.monotonic() + limit_s
        total = 100.0
        while time.monotonic() < deadline:
            total = sum(self.cpu(0.5).values())
            if total < below:
                break
        return total
