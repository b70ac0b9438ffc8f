"""The service's control socket: how commands run beside `budgetkg serve` reach the store the
service owns (kg.store.access has the rule; docs/scale.md the design).

`budgetkg serve` on an embedded store listens on DB/service.sock, a Unix socket of mode 0600:
only processes of the service's user can connect, and that is the whole authentication (the
HTTP write token governs what HTTP clients may write, not this). The protocol is HTTP over
the socket, served by a second uvicorn server in a thread of the service:

    GET    /service          who is serving (pid, db) and how many snapshots are lent
    POST   /ingest           {"paths": [absolute paths], "workers", "ray_address"}: the
                             service's JobRunner ingests them (the one writer queue uploads
                             use) and streams one JSON line per file, {"result": FileResult},
                             then {"end": {"status", "fatal"}}
    POST   /index            {"rebuild": bool}: a sync of the search index on the same queue;
                             {"stats": …} as `budgetkg index` prints them
    POST   /snapshots        {"pid": caller}: a RocksDB checkpoint of the store for a reading
                             command, {"id", "path"}
    DELETE /snapshots/{id}   the caller is done with it: deleted

Errors have the one shape {"error": {"status", "code", "message"}}. A command that goes away
mid-ingest (Ctrl-C) cancels the rest of its files, as it would running alone.

`ServiceClient` / `find_service` are the command line's side."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import socket
import stat
import threading
import uuid
from pathlib import Path

from pydantic import BaseModel

from api.errors import ApiError
from kg.store import StoreError
from kg.store.access import socket_path

log = logging.getLogger("budgetkg.api")

LEASES = "leases"  # DB/leases/<service pid>-<id>: checkpoints lent to commands
PROBE_S = 10.0  # a service busy ingesting still answers its socket well within this
_SUN_PATH_MAX = 107  # bytes of a Unix socket address (108 with the NUL)


# --- addresses ----------------------------------------------------------------------------

@contextlib.contextmanager
def _address(path: Path):
    """An address for `path` that fits a Unix socket address: the path itself, or where it is
    too long the same file reached through an open descriptor of its folder."""
    if len(os.fsencode(str(path))) <= _SUN_PATH_MAX:
        yield str(path)
        return
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield f"/proc/self/fd/{fd}/{path.name}"
    finally:
        os.close(fd)


def _answers(address: str, timeout: float = 1.0) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect(address)
        except (ConnectionRefusedError, FileNotFoundError):
            return False
        except TimeoutError:
            return True  # something listens there, too busy to accept: not ours to remove
    return True


# --- snapshots lent to commands -------------------------------------------------------------

class SnapshotLeases:
    """Checkpoints of the service's store for reading commands, each deleted when its caller
    says it is done or is found dead (its pid is gone), and all of them when the service stops."""

    def __init__(self, services):
        self.services = services
        self.root = Path(services.db).resolve() / LEASES
        self._lock = threading.Lock()
        self._leases: dict[str, tuple[Path, int]] = {}
        self.lent = 0
        self._remove_strays()

    def take(self, pid: int) -> dict:
        from kg.store import OxigraphStore

        inner = getattr(self.services.store, "inner", self.services.store)
        if not isinstance(inner, OxigraphStore) or inner.path is None:
            raise ApiError(409, "no_snapshot", "this service's store is not an on-disk Oxigraph store: nothing to copy")
        self.drop_dead()
        lease = uuid.uuid4().hex[:12]
        target = self.root / f"{os.getpid()}-{lease}"
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            inner.backup(target)
        except Exception as e:  # noqa: BLE001 - a full disk, a closed store: the caller gets one line
            shutil.rmtree(target, ignore_errors=True)
            raise ApiError(503, "snapshot_failed", f"could not make a snapshot: {e}") from None
        with self._lock:
            self._leases[lease] = (target, pid)
            self.lent += 1
        return {"id": lease, "path": str(target)}

    def release(self, lease: str) -> bool:
        with self._lock:
            held = self._leases.pop(lease, None)
        if held is not None:
            shutil.rmtree(held[0], ignore_errors=True)
        return held is not None

    def out(self) -> int:
        with self._lock:
            return len(self._leases)

    def drop_dead(self) -> None:
        from api.query_workers import _pid_alive

        with self._lock:
            dead = [k for k, (_, pid) in self._leases.items() if not _pid_alive(str(pid))]
        for k in dead:
            self.release(k)

    def _remove_strays(self) -> None:
        """Leases of a service that is gone (killed before it could delete them)."""
        from api.query_workers import _pid_alive

        if not self.root.is_dir():
            return
        for d in self.root.iterdir():
            if not _pid_alive(d.name.split("-", 1)[0]):
                shutil.rmtree(d, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            leases = list(self._leases)
        for k in leases:
            self.release(k)


# --- the server -----------------------------------------------------------------------------

class IngestRequest(BaseModel):
    paths: list[str]
    workers: int | None = None
    ray_address: str | None = None


class IndexRequest(BaseModel):
    rebuild: bool = False


class SnapshotRequest(BaseModel):
    pid: int


def control_app(services):
    """The FastAPI app behind the socket (module docstring)."""
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse, StreamingResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from api.errors import code_for
    from kg import __version__

    app = FastAPI(title="budgetkg control", version=__version__, openapi_url=None, docs_url=None, redoc_url=None)

    def shaped(err: ApiError) -> JSONResponse:
        return JSONResponse(err.body(), status_code=err.status)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return shaped(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        return shaped(ApiError(exc.status_code, code_for(exc.status_code), str(exc.detail)))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        msg = "; ".join(f"{'.'.join(str(x) for x in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
                        for e in exc.errors())
        return shaped(ApiError(422, "invalid_parameter", msg or "invalid request"))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("control socket: unhandled error on %s", request.url.path)
        return shaped(ApiError(500, "internal_error", f"{type(exc).__name__}: {exc}"))

    @app.get("/service")
    def service_info():
        return {"pid": os.getpid(), "db": str(services.db), "snapshots_lent": services.leases.lent,
                "snapshots_out": services.leases.out()}

    @app.post("/ingest")
    async def ingest(body: IngestRequest):
        relative = [p for p in body.paths if not os.path.isabs(p)]
        if relative:
            raise ApiError(400, "relative_path", f"paths must be absolute (the service has its own working "
                                                 f"directory): {relative[0]}")
        loop = asyncio.get_running_loop()
        events: asyncio.Queue = asyncio.Queue()

        def tell(event):
            with contextlib.suppress(RuntimeError):  # the loop is gone: the service is stopping
                loop.call_soon_threadsafe(events.put_nowait, event)

        job, caller = services.jobs.submit_files(body.paths, body.workers, body.ray_address,
                                                 on_result=lambda d: tell(("result", d)),
                                                 on_done=lambda: tell(("end", None)))

        async def lines():
            ended = False
            try:
                while True:
                    kind, payload = await events.get()
                    if kind == "result":
                        yield json.dumps({"result": payload}, ensure_ascii=False) + "\n"
                    else:
                        ended = True
                        yield json.dumps({"end": {"job": job.id, "status": job.status, "fatal": caller.fatal}},
                                         ensure_ascii=False) + "\n"
                        return
            finally:
                if not ended:  # the command went away (Ctrl-C): stop after the file in hand
                    caller.cancelled.set()

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    @app.post("/index")
    async def index(body: IndexRequest):
        job, caller = services.jobs.submit_index(body.rebuild)
        while not caller.done.is_set():
            await asyncio.sleep(0.05)
        if caller.fatal:
            raise ApiError(500, "index_failed", caller.fatal)
        return {"job": job.id, "stats": caller.stats}

    @app.post("/snapshots")
    def take_snapshot(body: SnapshotRequest):
        return services.leases.take(body.pid)

    @app.delete("/snapshots/{lease}")
    def release_snapshot(lease: str):
        if not services.leases.release(lease):
            raise ApiError(404, "not_found", f"no snapshot {lease} is lent")
        return {"released": lease}

    return app


class ControlServer:
    """The control app on DB/service.sock, in a thread of the service."""

    def __init__(self, services, path: Path | None = None):
        self.services = services
        self.path = Path(path) if path is not None else socket_path(services.db)
        self._server = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    def start(self) -> None:
        import uvicorn

        self._sock = self._bind()
        # log_config/log_level None: the service's own uvicorn configures logging, once
        config = uvicorn.Config(control_app(self.services), lifespan="off", log_config=None, log_level=None,
                                access_log=False, timeout_graceful_shutdown=2)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True,
                                        name="budgetkg-control")
        self._thread.start()

    def _bind(self) -> socket.socket:
        with _address(self.path) as address:
            try:
                st = os.lstat(self.path)
            except FileNotFoundError:
                st = None
            if st is not None:
                if not stat.S_ISSOCK(st.st_mode):
                    raise StoreError(f"{self.path} is in the way of the service's control socket: not a socket")
                if _answers(address):
                    raise StoreError(f"another budgetkg service answers on {self.path}")
                os.unlink(self.path)  # a service killed before it could remove it
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.bind(address)
                # before listen(): until then nobody can connect, and after it only the owner
                os.chmod(address, 0o600)
                sock.listen(64)
            except OSError as e:
                sock.close()
                raise StoreError(f"cannot listen on {self.path}: {e}") from e
        return sock

    def close(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(5)
        if self._sock is not None:
            self._sock.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
        self._server = self._thread = self._sock = None


# --- the command line's side ---------------------------------------------------------------

class ServiceClient:
    """A live service's control socket, as `kg.store.access.LiveService`."""

    def __init__(self, db: str | os.PathLike, timeout_s: float = PROBE_S):
        import httpx

        self.db = Path(db)
        self.socket = socket_path(db)
        self._exit = contextlib.ExitStack()
        address = self._exit.enter_context(_address(self.socket))
        self._http = httpx.Client(transport=httpx.HTTPTransport(uds=address), base_url="http://budgetkg",
                                  timeout=httpx.Timeout(timeout_s, read=None), trust_env=False)

    def close(self) -> None:
        self._http.close()
        self._exit.close()

    def _fail(self, r) -> StoreError:
        try:
            msg = r.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            msg = f"HTTP {r.status_code}"
        return StoreError(f"the service on {self.socket}: {msg}")

    def info(self, timeout_s: float = PROBE_S) -> dict:
        r = self._http.get("/service", timeout=timeout_s)
        if r.status_code != 200:
            raise self._fail(r)
        return r.json()

    def ingest(self, paths, workers=None, ray_address=None, on_result=None) -> list:
        """Ingest through the service; each FileResult reads as if this process had ingested
        the paths as typed (relative paths stay relative, in paths and messages)."""
        from kg.pipeline import FileResult

        given = [(Path(p), Path(p) if Path(p).is_absolute() else Path.cwd() / p) for p in map(str, paths)]
        body = {"paths": [str(a) for _, a in given], "workers": workers, "ray_address": ray_address}
        results = []
        with self._http.stream("POST", "/ingest", json=body) as r:
            if r.status_code != 200:
                r.read()
                raise self._fail(r)
            for line in r.iter_lines():
                if not line.strip():
                    continue
                msg = json.loads(line)
                if "result" in msg:
                    res = FileResult(**_as_typed(msg["result"], given))
                    results.append(res)
                    if on_result is not None:
                        on_result(res)
                elif "end" in msg:
                    if msg["end"].get("fatal"):
                        raise StoreError(msg["end"]["fatal"])
                    return results
        raise StoreError(f"the service on {self.socket} stopped before the ingest ended")

    def index(self, rebuild: bool = False) -> dict:
        r = self._http.post("/index", json={"rebuild": bool(rebuild)})
        if r.status_code != 200:
            raise self._fail(r)
        return r.json()["stats"]

    @contextlib.contextmanager
    def snapshot(self):
        r = self._http.post("/snapshots", json={"pid": os.getpid()})
        if r.status_code != 200:
            raise self._fail(r)
        lease = r.json()
        try:
            yield Path(lease["path"])
        finally:
            with contextlib.suppress(Exception):  # the service deletes it anyway once this process is gone
                self._http.delete(f"/snapshots/{lease['id']}")


def _as_typed(result: dict, given: list[tuple[Path, Path]]) -> dict:
    """A result of the service's (absolute paths) with the path as this process's ingest
    would have written it: the argument it came from, as typed, joined with the rest."""
    path = Path(result["path"])
    best = None
    for typed, absolute in given:
        if (path == absolute or absolute in path.parents) and (best is None or len(absolute.parts) > len(best[1].parts)):
            best = (typed, absolute)
    if best is None:
        return result
    local = str(best[0] / path.relative_to(best[1]))
    out = dict(result)
    out["path"] = local
    for key in ("error", "note"):
        if out.get(key):
            out[key] = out[key].replace(result["path"], local)
    out["warnings"] = [w.replace(result["path"], local) for w in out.get("warnings") or []]
    return out


def find_service(db: str | os.PathLike) -> ServiceClient | None:
    """The client of the service answering on DB/service.sock, or None (no socket, or one a
    killed service left behind)."""
    import httpx

    path = socket_path(db)
    try:
        if not stat.S_ISSOCK(os.lstat(path).st_mode):
            return None
    except OSError:
        return None
    client = ServiceClient(db)
    try:
        client.info()
    except (httpx.TransportError, StoreError, ValueError):
        client.close()
        return None
    return client
