"""The Context of question answering: what every question reads, built once per service
(or CLI run) and shared across questions."""

from __future__ import annotations

import re
import time
from pathlib import Path

from api.qa.linking import Lexicon
from api.qa.sources import Archive


class Context:
    """What answering needs: the store, the lexicon of names (loaded once, reloaded when
    the disclosures change), the document archive, and — opened lazily, since building it
    loads models — a text searcher. Build one per service and share it across requests."""

    # How often to look whether the set of disclosures changed (None: never — an owner that
    # knows when it writes, like the service, builds a new Context instead). The look lists
    # every disclosure: ~1 s at 10,000.
    RECHECK_S: float | None = 2.0

    def __init__(self, store, db: str | Path | None = None, searcher=None):
        self.store = store
        self.db = Path(db) if db else None
        self._searcher = searcher
        self._searcher_tried = searcher is not None
        self._lexicon: Lexicon | None = None
        self._signature: tuple = ()
        self._checked = 0.0
        self.archive = Archive(self.db, store)

    @classmethod
    def open(cls, db: str | Path) -> Context:
        from kg.store import open_store

        return cls(open_store(db, read_only=True), db)

    @property
    def lexicon(self) -> Lexicon:
        """The names of the graph, reloaded when the set of disclosures changed (an
        ingest or upload through the service) — checked at most every few seconds."""
        now = time.monotonic()
        if self._lexicon is None or (self.RECHECK_S is not None and now - self._checked > self.RECHECK_S):
            self._checked = now
            try:
                sig = tuple(sorted(d.sha256 for d in self.store.documents()))
            except Exception:  # noqa: BLE001 - a store without provenance triples: load once
                sig = ()
            if self._lexicon is None or sig != self._signature:
                self.archive = Archive(self.db, self.store)
                self._lexicon = Lexicon.load(self.store, name_for=self._name_from_title)
                self._signature = sig
        return self._lexicon

    def _name_from_title(self, source_file: str, need: bool = True) -> tuple[str | None, int | None]:
        """(agency name, year) a disclosure's title prints ("某某小学 2024 年单位预算公开说明"),
        for what the graph does not record. With `need` the archived document's first blocks
        are read, then the file name (a file named by its title); without, the file name only
        (cheap: how the publisher names the agency there is one of its everyday names)."""
        texts = []
        if need:
            doc = self.archive.get(source_file)
            if doc is not None:
                texts = [" ".join(getattr(b, "text", "").split()) for b in list(doc.blocks())[:8]]
        texts.append(Path(source_file).stem)
        for text in texts:
            name, year = _title_parts(text)
            if name or year:
                return name, year
        return None, None

    @property
    def searcher(self):
        if not self._searcher_tried:
            self._searcher_tried = True
            if self.db is not None:
                try:
                    from search.retrieve import Searcher

                    self._searcher = Searcher.open(self.db)
                except Exception:  # noqa: BLE001 - no index / no search package: archive scan instead
                    self._searcher = None
        return self._searcher

    def close(self) -> None:
        try:
            self.store.close()
        except Exception:  # noqa: BLE001
            pass


def _title_parts(text: str) -> tuple[str | None, int | None]:
    """(name before the year, year) of a title-like text, or (None, None)."""
    from kg.extract.header import TITLE_RE

    m = TITLE_RE.search(text or "")
    if not m:
        return None, None
    name = re.sub(r"[\s:：_\-]+", "", text[: m.start()])
    ok = 4 <= len(name) <= 40 and re.fullmatch(r"[\u4e00-\u9fff（）()]+", name) is not None
    return (name if ok else None), int(m.group("year"))
