"""Publication sets: one disclosure printed in several files.

Some platforms publish a disclosure in two halves — the running text in one file, the
standard tables in another (no title page; the agency above each table, the year only in
the table titles). Neither half states the disclosure alone, so budgetkg reads them as one:

* Detection (kg.pipeline): two files are halves of one publication when they have the same
  identity — fiscal year, kind and scope equal, and agency names that denote one agency
  (`same_agency`: in their everyday forms, one name equal to or inside one of the other's) — and complementary
  content (kg.report: one holds the running text and no standard table, the other the
  tables and hardly any running text). A full disclosure never pairs, nor does a file with
  a partner of its kind already.
* Reading: the members are laid end to end into one Document (`combine`: the text first,
  then the tables, each member's pages after the previous member's), extracted once — so a
  figure printed in both halves is one fact, and the narrative is checked against the
  tables — and built into ONE graph.
* Keying: the disclosure IRI is minted from the identity (`set_key`), not from a file's
  sha256, so replacing either half keeps it; each member is a bkg:PublicationFile node
  with its own name, sha256, media type, content and reader versions, and the disclosure
  carries every member's bkg:sourceFile and bkg:sha256.
* Provenance: pages in the graph are the member's own (`Layout.locate`), and a node's
  bkg:fromFile names the member its pages are in, so search and pages cite each file.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass

from kg.document import Document, Table
from kg.report import CONTENT_FULL, CONTENT_TABLES, CONTENT_TEXT

# The order members are laid out in: the running text (with its title page) first.
_CONTENT_ORDER = {CONTENT_FULL: 0, CONTENT_TEXT: 1, CONTENT_TABLES: 2}


@dataclass(frozen=True)
class Member:
    """One file of a disclosure, and where its pages sit in the combined document."""

    source_file: str
    sha256: str
    media_type: str
    content: str  # kg.report's CONTENT_*
    model_version: int
    reader_version: int
    offset: int = 0  # its page p is page offset + p of the combined document
    last_page: int = 0  # its highest page number

    @classmethod
    def of(cls, doc: Document, content: str, offset: int = 0) -> Member:
        return cls(doc.source_file, doc.sha256, doc.media_type, content, doc.model_version, doc.reader_version,
                   offset, max((p.number for p in doc.pages), default=0))


@dataclass(frozen=True)
class Layout:
    """The members of one disclosure, in combined-document order."""

    members: tuple[Member, ...]

    @property
    def is_set(self) -> bool:
        return len(self.members) > 1

    def where(self, pages: list[int]) -> str:
        """Pages of the combined document as a reader finds them: "p.3,4", or in a set
        "tables.pdf p.3,4" per file."""
        if not self.is_set:
            return "p." + ",".join(map(str, pages))
        by_file: dict[str, list[int]] = {}
        for p in pages:
            m, local = self.locate(p)
            by_file.setdefault(m.source_file, []).append(local)
        return " ".join(f"{f} p.{','.join(map(str, ps))}" for f, ps in by_file.items())

    def locate(self, page: int) -> tuple[Member, int]:
        """The member a combined-document page belongs to, and its page there."""
        for m in reversed(self.members):
            if page > m.offset:
                return m, page - m.offset
        return self.members[0], page


def order(docs: list[tuple[Document, str]]) -> list[tuple[Document, str]]:
    """(document, content) pairs in layout order: text before tables, then by name and sha256,
    so the combined document does not depend on which file came first."""
    return sorted(docs, key=lambda dc: (_CONTENT_ORDER.get(dc[1], 3), dc[0].source_file, dc[0].sha256))


def combine(docs: list[tuple[Document, str]], key: str) -> tuple[Document, Layout]:
    """One Document of several members laid end to end (`order`), with `key` as its sha256
    (what per-disclosure IRIs are minted under), and the layout that maps its pages back."""
    docs = order(docs)
    pages, members, warnings, offset = [], [], [], 0
    for doc, content in docs:
        m = Member.of(doc, content, offset)
        members.append(m)
        for p in doc.pages:
            q = copy.deepcopy(p)
            q.number += offset
            for b in q.blocks:
                b.page += offset
                if isinstance(b, Table):
                    b.pages = [x + offset for x in b.pages]
                    b.row_pages = [x + offset for x in b.row_pages]
            pages.append(q)
        warnings += [f"{doc.source_file}: {w}" for w in doc.warnings]
        offset += m.last_page
    first = docs[0][0]
    combined = Document(first.source_file, key, pages, first.media_type, warnings,
                        min(d.model_version for d, _ in docs), min(d.reader_version for d, _ in docs))
    return combined, Layout(tuple(members))


def single(doc: Document, content: str) -> Layout:
    return Layout((Member.of(doc, content),))


def set_key(identity: tuple[str, ...]) -> str:
    """The sha256-shaped key a publication set's IRIs are minted under: its identity's hash,
    kept apart from any file's sha256 by a prefix no file content hash shares by chance."""
    return hashlib.sha256(("publication-set\x1f" + "\x1f".join(identity)).encode("utf-8")).hexdigest()


def complementary(a: str, b: str) -> bool:
    """Contents of two halves: the running text and the tables."""
    return {a, b} == {CONTENT_TEXT, CONTENT_TABLES}


def everyday(name: str) -> str:
    """A name with its formal parts in their everyday form (kg.vocab.NAME_FORMS: 中国共产党 → 中共,
    委员会 → 委 …), so the forms a disclosure and its other half print compare equal."""
    from kg import vocab as V
    from kg.extract.base import norm

    s = norm(name)
    for formal, short in V.NAME_FORMS:
        s = s.replace(formal, short)
    return s


# The shortest everyday name that may stand for a longer one it is inside of: a province or
# city and an office (江苏省委办 inside 中共江苏省委办); three characters (省委办) name many.
SHORTEST_NAME = 5


def same_agency(names_a: list[str], names_b: list[str]) -> bool:
    """Do two lists of names (label and altLabels) denote one agency: in their everyday forms,
    one equal to or inside the other (中国共产党江苏省委员会办公厅 and 江苏省委办公厅: 中共江苏省委办
    holds 江苏省委办). Only asked of two files of one year, kind and scope with complementary
    content, so a contained name is evidence enough."""
    for a in names_a:
        for b in names_b:
            short, long_ = sorted((everyday(a), everyday(b)), key=len)
            if short and (short == long_ or (len(short) >= SHORTEST_NAME and short in long_)):
                return True
    return False
