"""The document archive: each disclosure's document model, one JSON file per sha256 under
DB/documents — what the search index, the pages and the question answerer read instead of
re-parsing PDFs. Written atomically, before the disclosure's graph (unreferenced until then)."""

from __future__ import annotations

import os
from pathlib import Path

from kg.atomic import atomic_write_text
from kg.document import Document


class DocumentArchive:
    def __init__(self, db: str | os.PathLike):
        self.dir = Path(db) / "documents"

    def path(self, sha: str) -> Path:
        return self.dir / f"{sha}.json"

    def put(self, doc: Document) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path(doc.sha256), doc.to_json())

    def get(self, sha: str) -> Document:
        return Document.from_json(self.path(sha).read_text(encoding="utf-8"))

    def remove(self, sha: str) -> None:
        self.path(sha).unlink(missing_ok=True)

    def shas(self) -> set[str]:
        return {p.stem for p in self.dir.glob("*.json")} if self.dir.exists() else set()
