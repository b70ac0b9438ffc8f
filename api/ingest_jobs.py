"""Uploaded disclosures are ingested in the background, one at a time, so the service keeps
answering: kg.pipeline.ingest runs in a single worker thread against the store the service
already holds (no second writer can open it), then the search index is synced by the
pipeline and the service drops what it derived from the old state."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field


@dataclass
class Job:
    id: str
    filename: str
    path: str
    status: str = "queued"  # queued | running | done | failed
    created: float = field(default_factory=time.time)
    finished: float | None = None
    results: list[dict] = field(default_factory=list)
    error: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("path")
        d["href"] = f"/ingest/jobs/{self.id}"
        return d


class JobRunner:
    def __init__(self, services, keep: int = 200):
        self.services = services
        self.keep = keep
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="budgetkg-ingest")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(self, path: str, filename: str) -> Job:
        job = Job(uuid.uuid4().hex[:12], filename, path)
        with self._lock:
            self._jobs[job.id] = job
            for old in list(self._jobs)[: max(0, len(self._jobs) - self.keep)]:
                self._jobs.pop(old, None)
        self._pool.submit(self._run, job)
        return job

    def _run(self, job: Job) -> None:
        from kg.pipeline import ingest

        job.status = "running"
        try:
            with self.services.write_lock:
                results = ingest([job.path], self.services.db, self.services.store, workers=1)
            job.results = [r.to_dict() for r in results]
            failed = [r.error for r in results if r.status == "failed"]
            job.status = "failed" if failed else "done"
            job.error = "; ".join(failed) or None
        except Exception as e:  # noqa: BLE001 - reported on the job, never a dead worker
            job.status, job.error = "failed", f"{type(e).__name__}: {e}"
        finally:
            job.finished = time.time()
            self.services.changed()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def recent(self, n: int = 20) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())[-n:][::-1]

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
