"""Uploaded disclosures are ingested in the background, one at a time, so the service keeps
answering: kg.pipeline.ingest (with search.hooks keeping the index in step) runs in a single worker thread against the store the service
already holds (no second writer can open it), then the search index is synced by the
pipeline and the service drops what it derived from the old state.

Every job's state is a JSON file under DB/jobs/, replaced atomically at each change, so a
crash of the service loses no job: when a writable service starts, a job still `queued` or
`running` is run again (ingest is idempotent: the same bytes change nothing, and the
index sync that follows catches up with a graph that landed before the crash), or marked
failed when its uploaded file is gone, after which the index is synced with the store.
The same worker runs the index sync after a SPARQL update, so one writer runs at a time.

Commands run beside the service (api.control) queue their work here too: `files` (a
`budgetkg ingest` of paths on this machine, each file's result handed to the waiting
command as it lands) and `index` (a `budgetkg index`). Their caller waits on the control
socket; when the service restarts it is gone, so an interrupted one is marked failed (the
index is synced after it) rather than run again for nobody."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

log = logging.getLogger("budgetkg.api")

ACTIVE = ("queued", "running")


@dataclass
class Job:
    id: str
    filename: str
    path: str
    status: str = "queued"  # queued | running | done | failed
    kind: str = "ingest"  # ingest (an upload) | sync (the search index after a SPARQL update or a recovery)
    #                       | files (a `budgetkg ingest` beside the service) | index (a `budgetkg index`)
    created: float = field(default_factory=time.time)
    finished: float | None = None
    results: list[dict] = field(default_factory=list)
    error: str | None = None
    attempts: int = 0  # runs started, a crash included: a job that keeps killing the service is not retried forever
    paths: list[str] = field(default_factory=list)  # a `files` job's paths

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("path")
        d.pop("paths")  # where files lie on the server is not the web's business
        d["href"] = f"/ingest/jobs/{self.id}"
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Job:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


CALLERS = ("files", "index")  # kinds a command on the control socket waits for


@dataclass
class Caller:
    """The command waiting for a `files` or `index` job (api.control): how it hears of each
    file and of the end, and whether it is still there. Not persisted."""

    on_result: Callable[[dict], None] | None = None
    on_done: Callable[[], None] | None = None
    workers: int | None = None
    ray_address: str | None = None
    rebuild: bool = False
    cancelled: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    stats: dict | None = None
    fatal: str | None = None  # why the job stopped short (not a file that failed: those are results)

    def finish(self) -> None:
        self.done.set()
        if self.on_done is not None:
            self.on_done()


class Cancelled(Exception):
    """The command that asked for a job went away."""


class Busy(Exception):
    """An upload for a disclosure whose ingest is still queued or running."""

    def __init__(self, job: Job):
        super().__init__(job.filename)
        self.job = job


class JobRunner:
    MAX_ATTEMPTS = 3

    def __init__(self, services, keep: int = 200):
        self.services = services
        self.keep = keep
        self.folder = Path(services.db) / "jobs"
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="budgetkg-ingest")
        self._jobs: dict[str, Job] = {}
        self._callers: dict[str, Caller] = {}
        self._lock = threading.RLock()
        self._closing = False
        self._load()
        self._abandon_callers_jobs()
        # Only a writable service may finish an upload; a read-only one leaves the files for it.
        if services.settings.write_token:
            self._recover()

    # --- persistence ------------------------------------------------------------------

    def _load(self) -> None:
        try:
            files = list(self.folder.glob("*.json"))
        except OSError:
            return
        jobs = []
        for p in files:
            try:
                jobs.append(Job.from_dict(json.loads(p.read_text(encoding="utf-8"))))
            except (OSError, ValueError, TypeError) as e:
                log.warning("ingest job %s unreadable, ignored: %s", p.name, e)
        for job in sorted(jobs, key=lambda j: j.created):
            self._jobs[job.id] = job
        self._prune()

    def _save(self, job: Job) -> None:
        """Write the job's state beside the others, atomically: a crash leaves the old state
        or the new one, never half a file."""
        from kg.atomic import atomic_write_bytes

        data = json.dumps(asdict(job), ensure_ascii=False).encode("utf-8")
        with self._lock:
            atomic_write_bytes(self.folder / f"{job.id}.json", data)

    def _prune(self) -> None:
        with self._lock:
            ended = [j for j in self._jobs.values() if j.status not in ACTIVE]
            for job in ended[: max(0, len(self._jobs) - self.keep)]:
                self._jobs.pop(job.id, None)
                (self.folder / f"{job.id}.json").unlink(missing_ok=True)

    def _abandon_callers_jobs(self) -> None:
        """A command's job cut short by a restart: its command got an error and is gone."""
        cut = [j for j in self._jobs.values() if j.kind in CALLERS and j.status in ACTIVE]
        for job in cut:
            self._end(job, "failed", "interrupted by a restart of the service: run the command again")
        if any(j.kind == "files" for j in cut):
            self.sync_index()  # whatever graphs it stored before the restart

    def _recover(self) -> None:
        interrupted = [j for j in self._jobs.values() if j.status in ACTIVE and j.kind not in CALLERS]
        if not interrupted:
            return
        for job in interrupted:
            if job.kind == "ingest" and not Path(job.path).is_file():
                self._end(job, "failed", f"interrupted by a restart of the service, and its uploaded file "
                                         f"{Path(job.path).name} is gone: upload it again")
            elif job.attempts >= self.MAX_ATTEMPTS:
                self._end(job, "failed", f"interrupted {job.attempts} times: not retried again")
            else:
                log.warning("ingest job %s (%s) was interrupted: running it again", job.id, job.filename or job.kind)
                job.status = "queued"
                self._save(job)
                self._pool.submit(self._run, job)
        # Whatever the interrupted jobs had written, search must end up agreeing with the store.
        self.sync_index()

    def _end(self, job: Job, status: str, error: str | None) -> None:
        job.status, job.error, job.finished = status, error, time.time()
        self._save(job)

    # --- submitting -------------------------------------------------------------------

    def active(self, filename: str) -> Job | None:
        """The queued or running ingest of this file name, if any."""
        with self._lock:
            for job in self._jobs.values():
                if job.kind == "ingest" and job.filename == filename and job.status in ACTIVE:
                    return job
        return None

    def submit_upload(self, tmp: str | os.PathLike, dest: str | os.PathLike, filename: str) -> Job:
        """Move a finished upload into place and queue its ingest, or raise Busy when this
        disclosure's ingest is still queued or running (its file is in use: not replaced)."""
        with self._lock:
            running = self.active(filename)
            if running is not None:
                raise Busy(running)
            os.replace(tmp, dest)
            return self._add(Job(uuid.uuid4().hex[:12], filename, str(dest)))

    def submit(self, path: str, filename: str) -> Job:
        with self._lock:
            return self._add(Job(uuid.uuid4().hex[:12], filename, str(path)))

    def sync_index(self) -> Job:
        """Queue a sync of the search index with the store (after a SPARQL update, which may
        have dropped or changed disclosures). A sync still waiting to start covers this
        request too, so a burst of updates costs one sync."""
        with self._lock:
            for job in reversed(self._jobs.values()):
                if job.kind == "sync" and job.status == "queued":
                    return job
            return self._add(Job(uuid.uuid4().hex[:12], "", "", kind="sync"))

    def submit_files(self, paths: list[str], workers: int | None = None, ray_address: str | None = None,
                     on_result: Callable[[dict], None] | None = None,
                     on_done: Callable[[], None] | None = None) -> tuple[Job, Caller]:
        """Queue a `budgetkg ingest` of files on this machine (absolute paths); `on_result`
        hears each FileResult (as a dict) as it lands, `on_done` the end."""
        names = [Path(p).name for p in paths]
        label = ", ".join(names[:3]) + (f" … (+{len(names) - 3})" if len(names) > 3 else "")
        caller = Caller(on_result, on_done, workers=workers, ray_address=ray_address)
        with self._lock:
            job = Job(uuid.uuid4().hex[:12], label, "", kind="files", paths=list(paths))
            self._callers[job.id] = caller
            return self._add(job), caller

    def submit_index(self, rebuild: bool = False, on_done: Callable[[], None] | None = None) -> tuple[Job, Caller]:
        """Queue a `budgetkg index` (`rebuild`: from scratch); its statistics end on the Caller."""
        caller = Caller(on_done=on_done, rebuild=rebuild)
        with self._lock:
            job = Job(uuid.uuid4().hex[:12], "", "", kind="index")
            self._callers[job.id] = caller
            return self._add(job), caller

    def _add(self, job: Job) -> Job:
        self._jobs[job.id] = job
        self._save(job)
        self._prune()
        self._pool.submit(self._run, job)
        return job

    # --- running ----------------------------------------------------------------------

    def _run(self, job: Job) -> None:
        with self._lock:
            caller = self._callers.get(job.id)
        try:
            self._run_job(job, caller)
        finally:
            if caller is not None:
                with self._lock:
                    self._callers.pop(job.id, None)
                caller.finish()

    def _run_job(self, job: Job, caller: Caller | None) -> None:
        job.status = "running"
        job.attempts += 1
        self._save(job)
        try:
            if caller is not None and caller.cancelled.is_set():
                raise Cancelled()
            with self.services.write_lock:
                if job.kind == "sync":
                    self._sync()
                    status, error = "done", None
                elif job.kind == "files":
                    status, error = self._ingest_files(job, caller)
                elif job.kind == "index":
                    status, error = self._index(caller)
                else:
                    status, error = self._ingest(job)
        except Cancelled:
            status, error = "failed", "cancelled: the command that asked for it went away"
            if caller is not None:
                caller.fatal = error
            self.sync_index()  # the batch's own sync did not run: the files stored so far need it
        except Exception as e:  # noqa: BLE001 - reported on the job, never a dead worker
            if caller is not None:
                caller.fatal = f"{type(e).__name__}: {e}" if not self._closing else "the service is stopping"
            if self._closing:
                # the store was closed under it: left `running` on disk, the next start runs it again
                log.warning("ingest job %s stopped by the shutdown: %s", job.id, e)
                return
            status, error = "failed", f"{type(e).__name__}: {e}"
        finally:
            self.services.changed()
        self._end(job, status, error)

    def _ingest(self, job: Job) -> tuple[str, str | None]:
        import kg.pipeline
        import search.hooks

        results = kg.pipeline.ingest([job.path], self.services.db, self.services.store, workers=1,
                                     hooks=search.hooks.index_hooks())
        job.results = [r.to_dict() for r in results]
        failed = [r.error for r in results if r.status == "failed"]
        return ("failed" if failed else "done"), ("; ".join(failed) or None)

    def _ingest_files(self, job: Job, caller: Caller | None) -> tuple[str, str | None]:
        import kg.pipeline
        import search.hooks

        def heard(r) -> None:
            if caller is not None:
                if caller.on_result is not None:
                    caller.on_result(r.to_dict())
                # between two files, never inside one: each file's graph is one transaction
                if caller.cancelled.is_set():
                    raise Cancelled()

        results = kg.pipeline.ingest(job.paths, self.services.db, self.services.store,
                                     workers=caller.workers if caller else None,
                                     ray_address=caller.ray_address if caller else None,
                                     on_result=heard, hooks=search.hooks.index_hooks())
        job.results = [r.to_dict() for r in results]
        failed = [r.error for r in results if r.status == "failed"]
        return ("failed" if failed else "done"), ("; ".join(failed) or None)

    def _index(self, caller: Caller | None) -> tuple[str, None]:
        from search.index import sync

        stats = sync(self.services.db, self.services.store, rebuild=bool(caller and caller.rebuild))
        if caller is not None:
            caller.stats = stats
        return "done", None

    def _sync(self) -> None:
        import search.hooks
        from search.index import read_config

        # Without an index there is nothing for search to get wrong; building the first one
        # is `budgetkg index`'s (or an ingest's) work, not an update's.
        if read_config(self.services.db) is None:
            return
        search.hooks.sync_index(self.services.db, self.services.store)

    # --- reading ----------------------------------------------------------------------

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def recent(self, n: int = 20) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())[-n:][::-1]

    def shutdown(self) -> None:
        # Jobs still queued stay `queued` on disk: the next start runs them (or, a command's,
        # marks them failed: its command is told now).
        self._closing = True
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            waiting = [(self._jobs.get(k), c) for k, c in self._callers.items()]
        for job, caller in waiting:
            if job is not None and job.status == "queued":
                caller.fatal = "the service is stopping"
                caller.finish()
