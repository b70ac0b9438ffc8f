"""/ingest — upload a disclosure (PDF, or a .txt/.md export) with the write token; the
ingest runs in the background and /ingest/jobs/{id} reports on it.

The multipart body is parsed here as it streams in, so that nothing of an unauthorized or
oversized upload is kept: the token (the Authorization header, or a `token` field that
must come before the file) is checked before the first byte of the file is read, the size
is counted while the file streams (chunked bodies have no Content-Length to check first),
and each upload is spooled to its own temporary file in DB/uploads."""

from __future__ import annotations

import hmac
import os
import re
import tempfile
from pathlib import Path as FilePath

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from api.errors import ApiError
from api.ingest_jobs import Busy
from api.negotiate import prefers_html
from api.render import UJSONResponse, respond

router = APIRouter(tags=["ingest"])

SUFFIXES = (".pdf", ".txt", ".md")
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")
NAME_MAX_CHARS = 150
# A file name is at most 255 bytes on the usual file systems, and CJK characters take three
# in UTF-8: 150 of them would not fit. Room is left for the temporary file's affixes.
NAME_MAX_BYTES = 200
FIELDS_MAX_BYTES = 64 * 1024  # every part but the file together: the token, a submit button's value…
MAX_PARTS = 10


def safe_name(name: str) -> str:
    """The base name only, with path separators and odd characters replaced, and shortened
    (to NAME_MAX_CHARS characters and NAME_MAX_BYTES bytes of UTF-8) in its stem, so that
    the suffix that says what the file is survives."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = _UNSAFE.sub("_", base).lstrip(".")
    if not base:
        return "upload"
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem or len(suffix) > 10:
        stem, suffix = base, ""
    else:
        suffix = "." + suffix
    room_chars = NAME_MAX_CHARS - len(suffix)
    room_bytes = NAME_MAX_BYTES - len(suffix.encode("utf-8"))
    stem = stem[:room_chars]
    while len(stem.encode("utf-8")) > room_bytes:
        stem = stem[:-1]
    return (stem + suffix) if stem else "upload" + suffix


def _token_ok(settings, sent: str | None) -> bool:
    return bool(settings.write_token and sent and hmac.compare_digest(sent.encode(), settings.write_token.encode()))


def _form_data(request: Request) -> dict:
    s = request.app.state.services
    return {"page": "ingest", "title": "上传公开文件", "writable": bool(s.settings.write_token),
            "max_mb": s.settings.upload_max_mb, "jobs": [j.to_dict() for j in s.jobs.recent()]}


@router.get("/ingest", summary="The upload form (HTML) and recent ingest jobs (JSON twin)")
def ingest_form(request: Request):
    return respond(request, "ingest.html", _form_data(request))


class _Events:
    """python-multipart's callbacks, recorded in order so that the request handler can act
    on each (and stop reading) between two chunks of the body."""

    def __init__(self):
        self.items: list[tuple] = []
        self._field = b""
        self._value = b""
        self._headers: dict[bytes, bytes] = {}

    def callbacks(self) -> dict:
        return {"on_part_begin": self._part_begin, "on_part_data": self._data, "on_part_end": self._part_end,
                "on_header_field": self._header_field, "on_header_value": self._header_value,
                "on_header_end": self._header_end, "on_headers_finished": self._headers_finished}

    def _part_begin(self):
        self._headers = {}

    def _header_field(self, data, start, end):
        self._field += data[start:end]

    def _header_value(self, data, start, end):
        self._value += data[start:end]

    def _header_end(self):
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def _headers_finished(self):
        self.items.append(("part", self._headers))

    def _data(self, data, start, end):
        self.items.append(("data", data[start:end]))

    def _part_end(self):
        self.items.append(("end",))


def _disposition(headers: dict[bytes, bytes]) -> tuple[str, str | None]:
    """The part's field name, and its file name when it is a file."""
    _, options = parse_options_header(headers.get(b"content-disposition", b"").decode("latin-1"))
    field = options.get(b"name", b"").decode("utf-8", "replace")
    filename = options.get(b"filename")
    return field, (filename.decode("utf-8", "replace") if filename is not None else None)


def _too_large(settings) -> ApiError:
    return ApiError(413, "too_large", f"the upload is larger than {settings.upload_max_mb} MB (BUDGETKG_UPLOAD_MAX_MB)")


def _finish(services, tmp: str, size: int, name: str, dest: FilePath):
    """Blocking end of an upload (in a worker thread): checks on the content, then the file
    is moved into place and its ingest queued in one step (JobRunner.submit_upload)."""
    if size == 0:
        raise ApiError(400, "empty_file", f"{name} is empty")
    if name.lower().endswith(".pdf"):
        with open(tmp, "rb") as f:
            if not f.read(1024).lstrip().startswith(b"%PDF-"):
                raise ApiError(415, "not_a_pdf", f"{name} does not start like a PDF (no %PDF- header)")
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    try:
        return services.jobs.submit_upload(tmp, dest, name)
    except Busy as e:
        raise _busy(e.job) from None


def _busy(job) -> ApiError:
    href = job.to_dict()["href"]
    return ApiError(409, "ingest_in_progress", f"{job.filename} is being ingested ({job.status}, job {href}): "
                                               "upload it again when that job has ended")


@router.post("/ingest", status_code=202, summary="Upload a PDF (or .txt/.md) and ingest it in the background",
             description="multipart/form-data with `file`; the write token as `Authorization: Bearer <token>` or a "
                         "`token` form field sent before the file. Files over BUDGETKG_UPLOAD_MAX_MB get 413 (also "
                         "for chunked bodies, as soon as the limit is passed). An upload for a file name whose "
                         "ingest is still queued or running gets 409. Answers 202 with the job (poll its `href`); "
                         "a browser form post is redirected to the job page.",
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["file"],
                 "properties": {"token": {"type": "string"}, "file": {"type": "string", "format": "binary"}}}}}}},
             responses={202: {"description": "accepted", "content": {"application/json": {"example": {
                 "job": {"id": "3f2a9c1d0b7e", "filename": "report.pdf", "status": "queued", "href": "/ingest/jobs/3f2a9c1d0b7e"}}}}},
                 403: {"description": "no or wrong write token"}, 409: {"description": "that file's ingest is running"},
                 413: {"description": "too large"}})
async def ingest_upload(request: Request):
    services = request.app.state.services
    settings = services.settings
    if not settings.write_token:
        raise ApiError(403, "read_only", "uploads are disabled: the server has no write token (BUDGETKG_WRITE_TOKEN)")
    auth = request.headers.get("authorization", "")
    header_token = auth[7:].strip() if auth.startswith("Bearer ") else None
    if header_token is not None and not _token_ok(settings, header_token):
        raise ApiError(403, "forbidden", "wrong write token")
    limit = settings.upload_max_mb * 1024 * 1024
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit + FIELDS_MAX_BYTES:
        raise _too_large(settings)
    ctype, options = parse_options_header(request.headers.get("content-type") or "")
    boundary = options.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise ApiError(415, "unsupported_media_type", "POST multipart/form-data with a `file` field")

    folder = FilePath(services.db) / "uploads"
    events = _Events()
    parser = MultipartParser(boundary, events.callbacks())
    authorized = header_token is not None
    token = b""
    fields_size = 0
    parts = 0
    part = None  # "token" | "file" | "other" while inside a part
    name = None
    out = tmp = None
    size = 0
    file_done = False
    try:
        try:
            async for chunk in request.stream():
                parser.write(chunk)
                for ev in events.items:
                    if ev[0] == "part":
                        parts += 1
                        if parts > MAX_PARTS:
                            raise ApiError(400, "too_many_fields", f"more than {MAX_PARTS} form fields")
                        field, filename = _disposition(ev[1])
                        if field == "file" and filename is not None:
                            if name is not None:
                                raise ApiError(400, "too_many_files", "one file per upload")
                            if not authorized and not _token_ok(settings, token.decode("utf-8", "replace")):
                                raise ApiError(403, "forbidden", "uploads need the write token: Authorization: "
                                                                 "Bearer <token>, or a token field before the file")
                            authorized = True
                            name = safe_name(filename)
                            if not name.lower().endswith(SUFFIXES):
                                raise ApiError(415, "unsupported_media_type",
                                               f"{name}: only .pdf, .txt and .md disclosures can be ingested")
                            if (running := services.jobs.active(name)) is not None:
                                raise _busy(running)
                            folder.mkdir(parents=True, exist_ok=True)
                            fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=folder)
                            out = os.fdopen(fd, "wb")
                            part = "file"
                        else:
                            part = "token" if field == "token" else "other"
                    elif ev[0] == "data":
                        if part == "file":
                            size += len(ev[1])
                            if size > limit:
                                raise _too_large(settings)
                            out.write(ev[1])
                        else:
                            fields_size += len(ev[1])
                            if fields_size > FIELDS_MAX_BYTES:
                                raise ApiError(413, "too_large", "the form fields beside the file are over 64 KB")
                            if part == "token":
                                token += ev[1]
                    else:
                        file_done = file_done or part == "file"
                        part = None
                events.items.clear()
            parser.finalize()
        except MultipartParseError as e:
            raise ApiError(400, "bad_multipart", f"the multipart body could not be read: {e}") from None
        except ClientDisconnect:
            raise ApiError(400, "incomplete_upload", "the client went away before the upload ended") from None
        if name is None:
            if not authorized and not _token_ok(settings, token.decode("utf-8", "replace")):
                raise ApiError(403, "forbidden", "uploads need the write token (Authorization: Bearer <token> or a token field)")
            raise ApiError(400, "missing_file", "no file: send it as the `file` field")
        if not file_done:
            raise ApiError(400, "incomplete_upload", f"{name}: the body ended inside the file")
        out.close()
        job = await run_in_threadpool(_finish, services, tmp, size, name, folder / name)
        tmp = None  # moved into place
    finally:
        if out is not None:
            out.close()
        if tmp is not None:
            FilePath(tmp).unlink(missing_ok=True)
    if prefers_html(request.headers.get("accept")):
        return RedirectResponse(f"/ingest/jobs/{job.id}", status_code=303)
    return UJSONResponse({"job": job.to_dict()}, status_code=202)


@router.get("/ingest/jobs/{job_id}", summary="One ingest job: queued, running, done or failed, with per-file results")
def ingest_job(request: Request, job_id: str = Path(..., openapi_examples={"job": {"value": "3f2a9c1d0b7e"}})):
    job = request.app.state.services.jobs.get(job_id)
    if job is None:
        raise ApiError(404, "not_found", f"no ingest job {job_id}")
    return respond(request, "job.html", {"page": "job", "title": "导入任务", "job": job.to_dict()})
