"""The web service: one app factory (datasette-style), tests build it in-process.

`create_app(settings, store)` opens the store once (read-only unless a write token is set)
and hands request handlers a shared `Services` object; `serve(args)` runs it under uvicorn
for `budgetkg serve`. `budgetkg serve` on an embedded store always owns it (opens it
read-write, token or not: the token only governs what HTTP clients may write) and listens
on DB/service.sock (api.control), through which commands run beside it ingest, sync the
index and get snapshots to read — no process ever opens the store read-only while another
writes it (kg.store.access).
"""

from __future__ import annotations

import copy
import logging
import sys
import threading
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import ApiError, code_for, error_response
from kg.settings import Settings, get_settings

HERE = Path(__file__).resolve().parent
log = logging.getLogger("budgetkg.api")


def make_ask_context(services: Services):
    from api.qa.engine import (
        Context,  # here, not at the top: loading the engine costs ~0.3 s `budgetkg --help` need not pay
    )

    class ServiceContext(Context):
        # Services.changed() (every upload and SPARQL update) starts a new generation and
        # with it a new context, so the lexicon never needs re-checking against the store.
        RECHECK_S = None

        @property
        def searcher(self):  # the service's one searcher, not a second copy of the models
            try:
                return services.searcher()
            except ApiError:
                return None

    return ServiceContext(services.store, services.db)


class Services:
    """The long-lived objects request handlers share."""

    def __init__(self, settings: Settings, store, owns_store: bool):
        from api.query_workers import Limits, QueryPool, Snapshots

        self.settings = settings
        self.store = store  # pages, QA, search metadata and ingest; never a user's SPARQL query
        self.owns_store = owns_store
        self.db = Path(settings.db)
        self.snapshots = Snapshots(store, self.db)
        self.queries = QueryPool(self.snapshots, Limits(
            timeout_s=settings.sparql_timeout_s, max_rows=settings.sparql_max_rows,
            max_bytes=settings.sparql_max_bytes, max_chars=settings.sparql_max_chars,
            max_depth=settings.sparql_max_depth, memory_mb=settings.sparql_worker_memory_mb),
            size=settings.sparql_workers or None)
        self.generation = 0
        # A remote store can be written by other processes (a `budgetkg ingest` against the
        # same server): its set of disclosures is compared now and then, and a change there
        # starts a new generation like a write through the service. An embedded store is
        # either this service's own (no other writer can open it) or read-only (RocksDB
        # shows the snapshot it opened), so it is never probed.
        from kg.store import OxigraphStore

        self._probe_external = not isinstance(store, OxigraphStore)
        self._probed = time.monotonic()
        self._signature: int | None = None
        self._derived: dict[str, tuple[int, object]] = {}
        from api.cache import GenerationCache

        # entity pages, IRI labels and files' disclosures, per store generation (api.cache)
        self._pages = GenerationCache(settings.page_cache_entries)
        self._labels = GenerationCache(settings.page_cache_entries * 50)
        self._files = GenerationCache(settings.page_cache_entries * 50)
        self._lock = threading.RLock()  # re-entrant: a QA context may open the searcher while being built
        self._searcher = None
        self._ctx = None
        self.write_lock = threading.Lock()  # one writer at a time (uploads, SPARQL updates)
        from api.control import SnapshotLeases
        from api.ingest_jobs import JobRunner

        self.leases = SnapshotLeases(self)  # checkpoints lent to commands on the control socket
        self.control = None  # api.control.ControlServer, when `budgetkg serve` listens on DB/service.sock
        self.jobs = JobRunner(self)

    def searcher(self):
        """search.retrieve.Searcher, opened on first use and reused; ApiError 503 when the
        search package or the index is not there."""
        with self._lock:
            if self._searcher is None:
                try:
                    from search.retrieve import Searcher
                except ImportError as e:
                    raise ApiError(503, "search_unavailable", f"semantic search is not installed ({e})") from None
                try:
                    self._searcher = Searcher.open(self.db)
                except Exception as e:  # noqa: BLE001 - no index yet, corrupt index…: one clear line
                    raise ApiError(503, "search_unavailable", f"the search index could not be opened: {e}") from None
            return self._searcher

    EXTERNAL_CHECK_S = 30.0

    def check_external_writes(self) -> None:
        """Start a new generation when another process changed a remote store's disclosures
        (looked at most every EXTERNAL_CHECK_S; listing them costs ~0.2 s at 10,000)."""
        if not self._probe_external:
            return
        now = time.monotonic()
        with self._lock:
            if self._signature is not None and now - self._probed < self.EXTERNAL_CHECK_S:
                return
            self._probed = now
        try:
            sig = hash(tuple(sorted(d.sha256 for d in self.store.documents())))
        except Exception:  # noqa: BLE001 - an unreachable store: the request itself will say so
            return
        with self._lock:
            if self._signature is not None and sig != self._signature:
                self.changed()
            self._signature = sig

    def ask_context(self):
        """The context for api.qa.engine.answer: the engine's own Context, sharing this
        service's store and searcher. One per store generation, so what the engine caches
        on it is dropped after an ingest."""
        self.check_external_writes()
        with self._lock:
            if self._ctx is None or self._ctx.generation != self.generation:
                self._ctx = make_ask_context(self)
                self._ctx.generation = self.generation
            return self._ctx

    def derived(self, key: str, compute, copy_out: bool = True):
        """A corpus-wide summary (the home page's counts, suggestions and filter choices,
        the order of the list pages), computed once per store generation: every write
        through the service starts a new one. At 10,000 disclosures each scans whole
        properties (0.2–0.5 s). `copy_out=False` for values the caller never changes."""
        self.check_external_writes()
        gen = self.generation
        with self._lock:
            hit = self._derived.get(key)
        if hit is None or hit[0] != gen:
            hit = (gen, compute())
            with self._lock:
                self._derived[key] = hit
        return copy.deepcopy(hit[1]) if copy_out else hit[1]

    def page_data(self, key, compute):
        """An entity page's data (what `compute()` gives), once per store generation. The
        caller must not change it: it is shared by every request of the generation."""
        self.check_external_writes()
        return self._pages.get(self.generation, key, compute)

    def labels(self, iris) -> dict[str, str]:
        """views.labels_for, remembered per store generation (IRIs without a label too)."""
        from api import views

        self.check_external_writes()
        got = self._labels.get_many(self.generation, (i for i in iris if i),
                                    lambda missing: views.labels_for(self.store, missing))
        return {k: v for k, v in got.items() if v is not None}

    def file_disclosures(self, files) -> dict[str, str]:
        """views.disclosures_for_files, remembered per store generation."""
        from api import views

        self.check_external_writes()
        got = self._files.get_many(self.generation, (f for f in files if f),
                                   lambda missing: views.disclosures_for_files(self.store, missing))
        return {k: v for k, v in got.items() if v is not None}

    def ranking_cache(self, key: str, compute):
        """The `cache` argument of the list views (their rankings are tuples)."""
        return self.derived(key, compute, copy_out=False)

    def changed(self) -> None:
        """The store or index was written: drop what was derived from the old state, and
        give the query workers a snapshot of the new one."""
        with self._lock:
            self.generation += 1
            self._searcher = None
            self._signature = None  # the next look takes the new state as its baseline
        try:
            self.snapshots.refresh()
        except Exception as e:  # noqa: BLE001 - queries keep the previous snapshot; say why
            log.error("query snapshot after a write: %s", e)
        self.snapshots.prune(self.queries.snapshots_in_use())

    def warm(self) -> None:
        """Open the searcher and let the QA engine load its names now, in the background,
        so the first visitor does not wait for models and lexicons to load."""
        from api import views

        try:
            self.queries.start()
        except Exception as e:  # noqa: BLE001 - each query retries starting its worker and reports why
            log.error("query workers: %s", e)
        try:
            self.derived("overview", lambda: views.overview(self.store))
            self.derived("facets", lambda: views.facets(self.store))
            for lst in (views.policies, views.agencies, views.disclosures):
                lst(self.store, 1, cache=self.ranking_cache)
        except Exception as e:  # noqa: BLE001 - best effort; the home page computes them itself
            log.warning("home page warm-up: %s", e)
        try:
            self.searcher()
        except ApiError as e:
            log.warning("search: %s", e.message)
        try:
            ctx = self.ask_context()
            getattr(ctx, "lexicon", None)
            # the archive's file index lists every disclosure (seconds at 10,000): not on a question's time
            files = getattr(getattr(ctx, "archive", None), "files", None)
            if callable(files):
                files()
        except Exception as e:  # noqa: BLE001 - warming is best effort; /api/ask reports errors itself
            log.warning("qa warm-up: %s", e)

    def close(self) -> None:
        if self.control is not None:  # first: no command may start work on a closing store
            self.control.close()
            self.control = None
        self.jobs.shutdown()
        self.queries.close()
        self.snapshots.close()
        self.leases.close()
        if self.owns_store:
            self.store.close()


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return error_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        msg = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and msg == "Not Found":
            msg = f"no such page: {request.url.path}"
        return error_response(request, ApiError(exc.status_code, code_for(exc.status_code), msg))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        parts = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", ())[1:]) or "request"
            parts.append(f"{where}: {e.get('msg')}")
        return error_response(request, ApiError(422, "invalid_parameter", "; ".join(parts) or "invalid request"))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return error_response(request, ApiError(500, "internal_error", f"{type(exc).__name__}: {exc}"))


def open_configured_store(settings: Settings, owner: bool = False):
    """The store of the settings; `owner`: this process is the service and owns an embedded
    store, writing it whatever the token (a `--db` that does not exist is still an error
    without a token: a typo must not leave an empty database behind)."""
    from kg.store import StoreError, open_store

    read_only = not settings.write_token
    if settings.store_backend == "sparql":
        return open_store(settings.db, read_only=read_only, backend="sparql", query_url=settings.sparql_query_url,
                          update_url=settings.sparql_update_url, graph_store_url=settings.sparql_graph_store_url,
                          default_graph=settings.sparql_default_graph)
    if owner:
        if read_only and not (Path(settings.db) / "graph").exists():
            raise StoreError(f"no database at {settings.db} (run `budgetkg ingest --db {settings.db} FILES` first)")
        from kg.store.access import in_use_error, lock_holder

        holder = lock_holder(settings.db)
        if holder is not None:
            from api.control import find_service

            other = find_service(settings.db)
            if other is not None:
                other.close()
                raise StoreError(f"a budgetkg service (process {holder}) already serves {settings.db}")
            raise in_use_error(settings.db, holder)
        read_only = False
    return open_store(settings.db, read_only=read_only, backend=settings.store_backend)


def create_app(settings: Settings | None = None, store=None, owns: bool | None = None) -> FastAPI:
    """The FastAPI app. `store` (any kg.store.Store) is used as given and not closed (unless
    `owns`); without it the store at settings.db is opened here and closed on shutdown."""
    settings = settings or get_settings()
    if owns is None:
        owns = store is None
    if store is None:
        store = open_configured_store(settings)
    services = Services(settings, store, owns)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        services.close()

    # FastAPIOffline: /docs and /redoc served from packaged Swagger UI / ReDoc files, not a CDN
    from fastapi_offline import FastAPIOffline

    from kg import __version__

    app = FastAPIOffline(
        title="budgetkg",
        version=__version__,
        summary="预决算公开知识图谱：SPARQL 端点、语义检索、问答与实体页面",
        description=(
            "Knowledge graph and semantic search over Chinese government budget disclosures.\n\n"
            "Every error has one shape: `{\"error\": {\"status\", \"code\", \"message\"}}`. Every HTML page has a "
            "JSON twin (`?format=json` or a `.json` suffix). Amounts in JSON are exact yuan strings with the "
            "万元 figure beside them."),
        lifespan=lifespan,
        openapi_tags=[
            {"name": "sparql", "description": "SPARQL 1.1 Protocol endpoint (read-only unless a write token is set)."},
            {"name": "search", "description": "Semantic search over passages and natural-language questions."},
            {"name": "entities", "description": "Linked-data pages for every minted IRI (HTML, Turtle, JSON-LD)."},
            {"name": "pages", "description": "Web UI pages; each has a JSON twin."},
            {"name": "ingest", "description": "Upload a disclosure (needs the write token)."},
        ],
    )
    app.state.services = services
    app.state.settings = settings
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    from api import render

    render.install_filters(templates.env)
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _install_errors(app)
    from api import security
    security.install(app)

    from api.routes import ask, entities, ingest, pages, sparql

    for mod in (pages, sparql, ask, entities, ingest):
        app.include_router(mod.router)
    return app


def serve(args) -> int:
    """`budgetkg serve --db DIR --host H --port P`."""
    import uvicorn

    from kg.store import StoreError

    settings = get_settings(db=getattr(args, "db", None), host=getattr(args, "host", None), port=getattr(args, "port", None))
    embedded = settings.store_backend != "sparql"
    app = None
    try:
        app = create_app(settings, store=open_configured_store(settings, owner=True), owns=True)
        if embedded:
            from api.control import ControlServer

            control = ControlServer(app.state.services)
            control.start()
            app.state.services.control = control
    except (StoreError, OSError) as e:
        if app is not None:
            app.state.services.close()
        print(f"budgetkg: {e}", file=sys.stderr)
        return 2
    services = app.state.services
    threading.Thread(target=services.warm, daemon=True, name="budgetkg-warm").start()
    mode = "read-write (write token set)" if settings.write_token else "read-only"
    local = f"; commands beside it go through {services.control.path}" if services.control else ""
    print(f"budgetkg: serving {settings.db} ({mode}{local}) on http://{settings.host}:{settings.port}/", file=sys.stderr)
    try:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    finally:
        # after a normal stop the lifespan has done this; after a failed start (port taken) it has not
        if services.control is not None:
            services.control.close()
            services.control = None
    return 0
