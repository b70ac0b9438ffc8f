"""/ingest — upload a disclosure (PDF, or a .txt/.md export) with the write token; the
ingest runs in the background and /ingest/jobs/{id} reports on it."""

from __future__ import annotations

import hmac
import os
import re
from pathlib import Path as FilePath

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse

from api.errors import ApiError
from api.negotiate import prefers_html
from api.render import UJSONResponse, respond

router = APIRouter(tags=["ingest"])

SUFFIXES = (".pdf", ".txt", ".md")
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def safe_name(name: str) -> str:
    """The base name only, with path separators and odd characters replaced."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = _UNSAFE.sub("_", base).lstrip(".")
    return base[:150] or "upload"


def _token_ok(settings, sent: str | None) -> bool:
    return bool(settings.write_token and sent and hmac.compare_digest(sent.encode(), settings.write_token.encode()))


def _form_data(request: Request) -> dict:
    s = request.app.state.services
    return {"page": "ingest", "title": "上传公开文件", "writable": bool(s.settings.write_token),
            "max_mb": s.settings.upload_max_mb, "jobs": [j.to_dict() for j in s.jobs.recent()]}


@router.get("/ingest", summary="The upload form (HTML) and recent ingest jobs (JSON twin)")
def ingest_form(request: Request):
    return respond(request, "ingest.html", _form_data(request))


@router.post("/ingest", status_code=202, summary="Upload a PDF (or .txt/.md) and ingest it in the background",
             description="multipart/form-data with `file`; the write token as `Authorization: Bearer <token>` or a "
                         "`token` form field. Files over BUDGETKG_UPLOAD_MAX_MB get 413. Answers 202 with the job "
                         "(poll its `href`); a browser form post is redirected to the job page.",
             openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary"}, "token": {"type": "string"}}}}}}},
             responses={202: {"description": "accepted", "content": {"application/json": {"example": {
                 "job": {"id": "3f2a9c1d0b7e", "filename": "report.pdf", "status": "queued", "href": "/ingest/jobs/3f2a9c1d0b7e"}}}}},
                 403: {"description": "no or wrong write token"}, 413: {"description": "too large"}})
async def ingest_upload(request: Request):
    services = request.app.state.services
    settings = services.settings
    if not settings.write_token:
        raise ApiError(403, "read_only", "uploads are disabled: the server has no write token (BUDGETKG_WRITE_TOKEN)")
    limit = settings.upload_max_mb * 1024 * 1024
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit + 64 * 1024:
        raise ApiError(413, "too_large", f"the upload is larger than {settings.upload_max_mb} MB (BUDGETKG_UPLOAD_MAX_MB)")
    auth = request.headers.get("authorization", "")
    header_token = auth[7:].strip() if auth.startswith("Bearer ") else None
    if header_token is not None and not _token_ok(settings, header_token):
        raise ApiError(403, "forbidden", "wrong write token")
    ctype = (request.headers.get("content-type") or "").lower()
    if not ctype.startswith("multipart/form-data"):
        raise ApiError(415, "unsupported_media_type", "POST multipart/form-data with a `file` field")
    form = await request.form(max_files=1, max_fields=10)
    if header_token is None and not _token_ok(settings, form.get("token")):
        raise ApiError(403, "forbidden", "uploads need the write token (Authorization: Bearer <token> or a token field)")
    upload = form.get("file")
    if upload is None or not hasattr(upload, "read"):
        raise ApiError(400, "missing_file", "no file: send it as the `file` field")
    name = safe_name(upload.filename)
    if not name.lower().endswith(SUFFIXES):
        raise ApiError(415, "unsupported_media_type", f"{name}: only .pdf, .txt and .md disclosures can be ingested")
    folder = FilePath(services.db) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.{os.getpid()}.part"
    size = 0
    try:
        with open(tmp, "wb") as out:
            while chunk := await upload.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise ApiError(413, "too_large", f"the upload is larger than {settings.upload_max_mb} MB (BUDGETKG_UPLOAD_MAX_MB)")
                out.write(chunk)
        if size == 0:
            raise ApiError(400, "empty_file", f"{name} is empty")
        if name.lower().endswith(".pdf"):
            with open(tmp, "rb") as f:
                if not f.read(1024).lstrip().startswith(b"%PDF-"):
                    raise ApiError(415, "not_a_pdf", f"{name} does not start like a PDF (no %PDF- header)")
        dest = folder / name
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    job = services.jobs.submit(str(dest), name)
    if prefers_html(request.headers.get("accept")):
        return RedirectResponse(f"/ingest/jobs/{job.id}", status_code=303)
    return UJSONResponse({"job": job.to_dict()}, status_code=202)


@router.get("/ingest/jobs/{job_id}", summary="One ingest job: queued, running, done or failed, with per-file results")
def ingest_job(request: Request, job_id: str = Path(..., openapi_examples={"job": {"value": "3f2a9c1d0b7e"}})):
    job = request.app.state.services.jobs.get(job_id)
    if job is None:
        raise ApiError(404, "not_found", f"no ingest job {job_id}")
    return respond(request, "job.html", {"page": "job", "title": "导入任务", "job": job.to_dict()})
