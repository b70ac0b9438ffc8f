"""The document archive: each disclosure's document model, one JSON file per sha256 under
DB/documents — what the search index, the pages and the question answerer read instead of
re-parsing PDFs. Written atomically, before the disclosure's graph (unreferenced until then).

Each entry carries the model and reader versions that produced it (kg.document.MODEL_VERSION,
READER_VERSION): an entry read by an older reader is re-read when its file is ingested again,
and a publication set (kg.pipeline) rebuilds its disclosure from its members' entries."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from kg.atomic import atomic_write_text
from kg.document import Document

_HEAD = re.compile(r'\{"model_version":\s*(\d+),\s*"reader_version":\s*(\d+)')


class DocumentArchive:
    def __init__(self, db: str | os.PathLike):
        self.dir = Path(db) / "documents"

    def path(self, sha: str) -> Path:
        return self.dir / f"{sha}.json"

    def put(self, doc: Document) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        # the versions first, so versions() finds them without reading the pages
        d = doc.to_dict()
        head = {k: d.pop(k) for k in ("model_version", "reader_version")}
        atomic_write_text(self.path(doc.sha256), json.dumps({**head, **d}, ensure_ascii=False))

    def get(self, sha: str) -> Document:
        return Document.from_json(self.path(sha).read_text(encoding="utf-8"))

    def versions(self, sha: str) -> tuple[int, int]:
        """(model_version, reader_version) of an entry, read from the head of its JSON without
        parsing the whole model; (0, 0) for an entry written before versions were recorded."""
        try:
            with open(self.path(sha), encoding="utf-8") as fh:
                head = fh.read(128)
        except OSError:
            return (0, 0)
        m = _HEAD.match(head)
        # an entry that does not open with them was written before versions were recorded
        return (int(m.group(1)), int(m.group(2))) if m else (0, 0)

    def remove(self, sha: str) -> None:
        self.path(sha).unlink(missing_ok=True)

    def shas(self) -> set[str]:
        return {p.stem for p in self.dir.glob("*.json")} if self.dir.exists() else set()
