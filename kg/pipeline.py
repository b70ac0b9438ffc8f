"""Ingest orchestration: files -> document model -> graph -> store, then the hooks
(kg.hooks; the search index listens from above).

Reading and extraction are pure and CPU-bound, so they run in a process pool; the store
and the index are written only from this process, one disclosure per transaction, so a
crash leaves every disclosure either wholly old or wholly new. Re-ingesting an unchanged
file is detected by its sha256 and changes nothing — unless the archived model of it was read
by an older reader (kg.document.READER_VERSION, MODEL_VERSION): then it is read again.

Two files that are halves of one publication (kg.publication: the running text and the
tables, one identity) become one disclosure: when a half arrives and its other half is stored,
the pair is read together from the new half and the other's archived document, and written
as one graph in one transaction that also drops the other half's own graph. Replacing a half
rebuilds the pair under the same IRI; removing one (`remove_files`) leaves the other on its own.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.archive import DocumentArchive
from kg.document import Document, ReadError, current_versions
from kg.hooks import IngestHooks
from kg.publication import Layout, complementary, same_agency
from kg.report import CONTENT_TABLES, CONTENT_TEXT, ReadingReport
from kg.store import Store, StoredDocument

SUFFIXES = {".pdf", ".txt", ".md"}


@dataclass
class FileResult:
    path: str
    status: str  # "added" | "replaced" | "unchanged" | "skipped" | "failed"
    source_file: str = ""
    sha256: str = ""
    graph: str = ""
    triples: int = 0
    pages: int = 0
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    note: str = ""  # why a file found in a folder was skipped, or that an unchanged file was read again
    complete: bool | None = None  # the disclosure's reading report (kg.report): None for a template
    reading: str = ""  # the report in one line: complete, or what is missing / does not reconcile
    files: list[str] = field(default_factory=list)  # the disclosure's files, when it has several
    reread: bool = False  # unchanged bytes read again: the archived model was read by an older reader

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Prepared:
    """What a worker hands back: everything needed to write one disclosure."""

    path: str
    document: Document | None = None
    graph: str = ""
    ntriples: str = ""
    triples: int = 0
    error: str = ""
    archived: bool = False  # the worker already wrote the document archive entry
    identity: tuple[str, ...] = ()  # which disclosure this is (disclosure_identity)
    not_disclosure: str = ""  # read fine, but not a budget disclosure: why
    names: tuple[str, ...] = ()  # the agency's names as read (label, then aliases): publication sets
    content: str = ""  # kg.report's CONTENT_*: what the file holds
    report: ReadingReport | None = None


def expand_paths(paths: Iterable[str | os.PathLike]) -> tuple[list[Path], list[FileResult]]:
    """Files as given, folders walked (sorted, for a stable order). Unknown suffixes in a
    folder are skipped silently; a file named explicitly with a wrong suffix is an error."""
    files: list[Path] = []
    errors: list[FileResult] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES))
        elif p.is_file():
            if p.suffix.lower() in SUFFIXES:
                files.append(p)
            else:
                errors.append(FileResult(str(p), "failed", p.name,
                                         error=f"{p}: unsupported file type {p.suffix or '(none)'!r} (expected .pdf, .txt or .md)"))
        else:
            errors.append(FileResult(str(p), "failed", p.name, error=f"{p}: no such file or folder"))
    return files, errors


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# What makes two files the same disclosure, for replacing an older version of a file:
# the same reporting agency, fiscal year, kind and scope. The file name alone is not
# enough: a national crawl has many folders with a file called 部门预算.pdf.
IDENTITY = ("reportingAgency", "fiscalYear", "documentKind", "disclosureScope")


def disclosure_identity(graph, graph_iri: str) -> tuple[str, ...]:
    """(agency IRI, year, kind, scope) of the disclosure in an rdflib graph; "" if absent."""
    from rdflib import URIRef

    from ontology.namespace import BKG

    d = URIRef(graph_iri)
    return tuple(str(graph.value(d, BKG[p]) or "") for p in IDENTITY)


def stored_identities(store: Store, graphs: list[str]) -> dict[str, tuple[str, ...]]:
    """disclosure_identity of disclosures already in the store, read from their own graphs."""
    from ontology.namespace import BKG

    if not graphs:
        return {}
    values = " ".join(f"<{g}>" for g in graphs)
    cols = " ".join(f"?v{i}" for i in range(len(IDENTITY)))
    opts = " ".join(f"OPTIONAL {{ ?g <{BKG[p]}> ?v{i} }}" for i, p in enumerate(IDENTITY))
    rows = store.select(f"SELECT ?g {cols} WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?g a <{BKG.Disclosure}> {opts} }} }}")
    return {r["g"]: tuple("" if r[f"v{i}"] is None else str(r[f"v{i}"]) for i in range(len(IDENTITY))) for r in rows}


def prepare(path: str) -> Prepared:
    """Read and extract one file. Pure apart from reading the file; runs in workers."""
    from kg.rdf.build import build
    from kg.readers.dispatch import not_a_disclosure, read_document

    try:
        doc = read_document(path)
    except ReadError as e:
        return Prepared(path, error=str(e))
    except Exception as e:  # noqa: BLE001 - a reader bug must not stop the batch
        return Prepared(path, error=f"{path}: could not be read ({type(e).__name__}: {e})")
    why = not_a_disclosure(doc)
    if why:
        return Prepared(path, error=f"{path}: {why}", not_disclosure=why)
    try:
        built = build(doc)
        nt = built.graph.serialize(format="nt")
        identity = disclosure_identity(built.graph, built.iri)
    except Exception as e:  # noqa: BLE001
        return Prepared(path, document=doc, error=f"{path}: extraction failed ({type(e).__name__}: {e})")
    f = built.facts
    names = (f.agency, *f.agency_aliases) if f.agency and not f.template else ()
    return Prepared(path, doc, built.iri, nt, len(built.graph), identity=identity, names=names,
                    content=built.layout.members[0].content, report=built.report)


@dataclass(frozen=True)
class ShippedTask:
    """A file for a worker that cannot see our files (a Ray node): its bytes travel with it."""

    path: str  # where it is here, reported back in Prepared.path
    name: str  # its file name, which the reader and the graph take the source file from
    data: bytes


@dataclass(frozen=True)
class ArchivedTask:
    """A file for a worker that shares our disk and writes the document archive entry itself."""

    path: str
    db: str


def prepare_shipped(task: ShippedTask) -> Prepared:
    """prepare() on a copy of the shipped bytes."""
    from kg.parallel import run_on_bytes

    prep = run_on_bytes(prepare, task.name, task.data)
    prep.path = task.path
    return prep


def prepare_archived(task: ArchivedTask) -> Prepared:
    """prepare() plus the document archive write, in a worker that shares our disk: keeps
    the JSON encoding and the fsync off the single writer process."""
    prep = prepare(task.path)
    if not prep.error:
        DocumentArchive(task.db).put(prep.document)  # unreferenced until the graph lands
        prep.archived = True
    return prep


def _prepared_stream(files: list[Path], workers: int, ray_address: str | None = None,
                     db: str | os.PathLike | None = None) -> Iterator[Prepared]:
    """Prepared files in input order, from the executor kg.parallel picks (serial, a
    process pool, or Ray); a bounded window of files is in flight at a time."""
    from kg.parallel import SerialExecutor, make_executor

    if ray_address is None and (workers <= 1 or len(files) <= 1):
        executor = SerialExecutor()
    else:
        executor = make_executor(workers, ray_address)
    with executor:
        if executor.shares_files and db is not None and not isinstance(executor, SerialExecutor):
            yield from executor.map(prepare_archived, [ArchivedTask(str(f), str(db)) for f in files])
        elif executor.shares_files:
            yield from executor.map(prepare, [str(f) for f in files])
        else:
            yield from executor.map(prepare_shipped, (ShippedTask(str(f), f.name, f.read_bytes()) for f in files))


@dataclass
class StoredInfo:
    """What pairing needs of a stored disclosure: its identity, its agency's names and what
    each of its files holds (sha256 → content)."""

    graph: str
    identity: tuple[str, ...]
    names: tuple[str, ...]
    contents: dict[str, str]


def stored_info(store: Store, graphs: list[str]) -> dict[str, StoredInfo]:
    from ontology.namespace import BKG, RDFS, SKOS

    if not graphs:
        return {}
    ids = stored_identities(store, graphs)
    values = " ".join(f"<{g}>" for g in graphs)
    names: dict[str, list[str]] = {}
    for r in store.select(f"""SELECT ?g ?n WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{
            ?g <{BKG.reportingAgency}> ?a . {{ ?a <{RDFS.label}> ?n }} UNION {{ ?a <{SKOS.altLabel}> ?n }} }} }}"""):
        names.setdefault(r["g"], []).append(str(r["n"]))
    contents: dict[str, dict[str, str]] = {}
    for r in store.select(f"""SELECT ?g ?s ?c WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{
            ?g <{BKG.hasFile}> ?n . ?n <{BKG.fileSha256}> ?s OPTIONAL {{ ?n <{BKG.fileContent}> ?c }} }} }}"""):
        contents.setdefault(r["g"], {})[str(r["s"])] = str(r["c"] or "")
    return {g: StoredInfo(g, ids.get(g, ()), tuple(sorted(set(names.get(g, ())))), contents.get(g, {})) for g in graphs}


def _same_identity_loosely(a: tuple[str, ...], names_a, b: tuple[str, ...], names_b) -> bool:
    """One publication: year, kind and scope equal (and known), agencies one (kg.publication.same_agency)."""
    if len(a) < 4 or len(b) < 4 or not a[1] or a[1:] != b[1:]:
        return False
    return (a[0] and a[0] == b[0]) or same_agency(list(names_a), list(names_b))


def halves_like(store: Store, identity: tuple[str, ...], content: str) -> list[str]:
    """Stored disclosures of the same year, kind and scope holding one file of `content`: where
    a half's other half may be (asked for the other half's content: few files are halves)."""
    from ontology.namespace import BKG

    _, year, kind, scope = identity
    if not year or not year.isdigit():
        return []
    rows = store.select(f"""SELECT ?g WHERE {{ GRAPH ?g {{ ?g <{BKG.fiscalYear}> {int(year)} ;
        <{BKG.documentKind}> {json.dumps(kind)} ; <{BKG.disclosureScope}> {json.dumps(scope)} ;
        <{BKG.hasFile}> ?n . ?n <{BKG.fileContent}> {json.dumps(content)} }} }}""")
    return sorted({str(r["g"]) for r in rows})


class _Writer:
    """The single writer of one ingest: decides, for each prepared file, which disclosure it
    becomes (alone, or one half of a publication set) and writes that in one transaction."""

    def __init__(self, db, store: Store, hooks: IngestHooks | None):
        self.db, self.store, self.hooks = db, store, hooks
        self.archive = DocumentArchive(db)
        self.docs: list[StoredDocument] = list(store.documents())
        self.protect: set[str] = set()  # the sha256 being stored now: its archive entry stays

    def by_name(self, name: str) -> list[StoredDocument]:
        return [d for d in self.docs if d.source_file == name]

    def members(self, graph: str) -> list[StoredDocument]:
        return [d for d in self.docs if d.graph == graph]

    def _forget(self, graphs: set[str], shas_kept: set[str]) -> None:
        """Drop the bookkeeping of `graphs` and the archive entries no stored file still needs."""
        gone = [d for d in self.docs if d.graph in graphs]
        self.docs = [d for d in self.docs if d.graph not in graphs]
        still = {d.sha256 for d in self.docs} | shas_kept | self.protect
        for d in gone:
            if d.sha256 not in still:
                self.archive.remove(d.sha256)

    def _write(self, graph: str, ntriples: str, drop: set[str], files: list[tuple[str, str]]) -> None:
        self.store.replace_graph(graph, ntriples, drop=sorted(drop - {graph}))
        self._forget(drop | {graph}, {sha for _, sha in files})
        self.docs += [StoredDocument(graph, name, sha) for name, sha in files]
        if self.hooks:
            for g in sorted(drop - {graph}):
                self.hooks.emit_removed(g)

    # --- one prepared file ------------------------------------------------------------------
    def store_prepared(self, prep: Prepared) -> FileResult:
        doc = prep.document
        self.protect = {doc.sha256}
        if not prep.archived:
            self.archive.put(doc)  # harmless before the graph: unreferenced until the graph lands
        mine = self.by_name(doc.source_file)
        reread = {d.graph for d in mine if d.sha256 == doc.sha256}  # these very bytes, read again
        infos = stored_info(self.store, sorted({d.graph for d in mine}))

        def held_this_part(g: str, info: StoredInfo) -> bool:
            return prep.content in (info.contents.get(d.sha256) for d in self.members(g) if d.source_file == doc.source_file)

        # an older version of this file: a stored disclosure of the same name AND the same identity
        # (a same-named file of another agency/year/kind/scope is kept); in a publication set, the
        # member of that name when the set is this file's publication and it held the same part
        old_single = {g for g, i in infos.items() if len(self.members(g)) == 1 and (i.identity == prep.identity or g in reread)}
        old_member = {g: next(d for d in self.members(g) if d.source_file == doc.source_file)
                      for g, i in infos.items() if len(self.members(g)) > 1 and (g in reread or (
                          _same_identity_loosely(prep.identity, prep.names, i.identity, i.names) and held_this_part(g, i)))}
        partner, warnings = self._partner(prep, old_single, old_member)
        kept = [d for d in mine if d.graph not in old_single and d.graph not in old_member]
        if kept:
            warnings.append(f"{len(kept)} other disclosure(s) named {doc.source_file} kept: "
                            "a different agency, year, kind or scope")
        replaced = bool(old_single or old_member)
        if partner is None:
            # a set this file leaves: its other half stands alone first (then the set is gone and
            # this file not yet stored: a crash between the two leaves no half-made disclosure)
            for g, m in old_member.items():
                for other in [d for d in self.members(g) if d.sha256 != m.sha256]:
                    self._alone(other, g)
            r = self._single(prep, old_single | set(old_member), replaced)
        else:
            r = self._pair(prep, partner, old_single | set(old_member), replaced)
        r.warnings = list(doc.warnings) + warnings + r.warnings
        if reread:
            r.reread = True
            r.note = "read again: its archived model was read by an older reader"
        if self.hooks:
            self.hooks.emit_stored(r)
        self.protect = set()
        return r

    def _partner(self, prep: Prepared, old_single: set[str], old_member: dict[str, StoredDocument]):
        """The stored file this one pairs with (the other half of its publication), or None."""
        warnings: list[str] = []
        if prep.content not in (CONTENT_TEXT, CONTENT_TABLES) or not prep.identity or not prep.identity[1]:
            return None, warnings
        # the other member of the set this file is a member of
        for g, m in old_member.items():
            others = [d for d in self.members(g) if d.sha256 != m.sha256]
            info = stored_info(self.store, [g])[g]
            if len(others) == 1 and complementary(prep.content, info.contents.get(others[0].sha256, "")):
                return others[0], warnings
        cands = []
        other_part = CONTENT_TABLES if prep.content == CONTENT_TEXT else CONTENT_TEXT
        like = [g for g in halves_like(self.store, prep.identity, other_part) if g not in old_single and g not in old_member]
        for g, info in stored_info(self.store, like).items():
            members = self.members(g)
            if len(members) != 1 or members[0].source_file == prep.document.source_file:
                continue
            if complementary(prep.content, info.contents.get(members[0].sha256, "")) and \
                    _same_identity_loosely(prep.identity, prep.names, info.identity, info.names):
                cands.append(members[0])
        if len(cands) == 1:
            return cands[0], warnings
        if len(cands) > 1:
            warnings.append(f"{len(cands)} stored files could be the other half of this publication "
                            f"({', '.join(sorted(d.source_file for d in cands))}): read on its own")
        return None, warnings

    def _single(self, prep: Prepared, drop: set[str], replaced: bool) -> FileResult:
        doc = prep.document
        self._write(prep.graph, prep.ntriples, drop, [(doc.source_file, doc.sha256)])
        return FileResult(prep.path, "replaced" if replaced else "added", doc.source_file, doc.sha256, prep.graph,
                          prep.triples, len(doc.pages), **_reading(prep.report))

    def _pair(self, prep: Prepared, other: StoredDocument, drop: set[str], replaced: bool) -> FileResult:
        from kg.rdf.build import build_publication

        doc = prep.document
        info = stored_info(self.store, [other.graph])[other.graph]
        built = build_publication([(doc, prep.content), (self.archive.get(other.sha256), info.contents[other.sha256])],
                                  names=prep.names + info.names)
        nt = built.graph.serialize(format="nt")
        files = [(m.source_file, m.sha256) for m in built.layout.members]
        self._write(built.iri, nt, drop | {other.graph}, files)
        names = [name for name, _ in files]
        r = FileResult(prep.path, "replaced" if replaced else "added", doc.source_file, doc.sha256, built.iri,
                       len(built.graph), len(doc.pages), files=names, **_reading(built.report, built.layout))
        r.warnings = [f"one publication with {other.source_file}: read as one disclosure"]
        return r

    def _alone(self, member: StoredDocument, set_graph: str) -> None:
        """`member`, a file of the publication set `set_graph`, as a disclosure of its own (its
        other half was removed or is no longer one): rebuilt from its archived document, written
        in the transaction that drops the set."""
        from kg.rdf.build import build

        doc = self.archive.get(member.sha256)
        built = build(doc)
        self._write(built.iri, built.graph.serialize(format="nt"), {set_graph}, [(member.source_file, member.sha256)])
        if self.hooks:
            self.hooks.emit_stored(FileResult(member.source_file, "replaced", member.source_file, member.sha256,
                                              built.iri, len(built.graph), len(doc.pages), **_reading(built.report)))

    def remove(self, name: str) -> list[str]:
        """Remove the file `name` from the store: its disclosure goes, or, for one half of a
        publication set, the other half stays as a disclosure of its own (one transaction)."""
        removed = []
        for d in self.by_name(name):
            others = [m for m in self.members(d.graph) if m.sha256 != d.sha256]
            if others:
                for o in others:
                    self._alone(o, d.graph)
            else:
                self.store.drop_graphs([d.graph])
                self._forget({d.graph}, set())
                if self.hooks:
                    self.hooks.emit_removed(d.graph)
            removed.append(d.graph)
        return removed


def _reading(report: ReadingReport | None, layout: Layout | None = None) -> dict:
    if report is None:
        return {}
    return {"complete": report.complete, "reading": report.summary(layout.where if layout else None)}


def ingest(paths: Iterable[str | os.PathLike], db: str | os.PathLike, store: Store,
           workers: int | None = None, on_result: Callable[[FileResult], None] | None = None,
           hooks: IngestHooks | None = None, ray_address: str | None = None) -> list[FileResult]:
    """Ingest files/folders into the store at `db`. Returns one FileResult per file.
    `ray_address` (local | auto | ADDR) runs the readers on Ray instead of a process pool.
    `hooks` (kg.hooks) hear of every disclosure stored or removed and of the batch's end:
    that is how the search index (search.hooks) keeps in step without kg knowing of it.

    A file that reads but is not a budget disclosure (kg.readers.dispatch.not_a_disclosure) is skipped
    with a note when it was found in a folder (a README beside the PDFs), and fails when it
    was named: the caller asked for that file to become a disclosure.

    A stored file whose archived model was read by an older reader is read again (status
    "replaced", with a note); the two halves of a publication become one disclosure
    (kg.publication), whichever arrives first and whether or not in the same batch."""
    paths = list(paths)
    named = {str(Path(p)) for p in paths if Path(p).is_file()}
    files, results = expand_paths(paths)
    for r in results:
        if on_result:
            on_result(r)
    workers = workers or os.cpu_count() or 1
    writer = _Writer(db, store, hooks)
    todo: list[Path] = []
    for f in files:
        sha = file_sha256(f)
        same = [d for d in writer.by_name(f.name) if d.sha256 == sha]
        if same and writer.archive.versions(sha) >= current_versions():
            r = FileResult(str(f), "unchanged", f.name, sha, same[0].graph)
            results.append(r)
            if on_result:
                on_result(r)
        else:
            todo.append(f)
    changed = False
    for prep in _prepared_stream(todo, workers, ray_address, db):
        name = Path(prep.path).name
        if prep.not_disclosure and prep.path not in named:
            r = FileResult(prep.path, "skipped", name, note=prep.not_disclosure)
        elif prep.error:
            r = FileResult(prep.path, "failed", name, error=prep.error)
        else:
            r = writer.store_prepared(prep)
            changed = True
        results.append(r)
        if on_result:
            on_result(r)
    if hooks:
        hooks.emit_batch_done(db, store, changed)
    return results


def remove_files(names: Iterable[str], db: str | os.PathLike, store: Store,
                 hooks: IngestHooks | None = None) -> list[str]:
    """Remove the stored files named (base names) and their disclosures; a file that is one
    half of a publication leaves the other half as a disclosure of its own. Returns the
    graphs removed or rebuilt."""
    writer = _Writer(db, store, hooks)
    out = [g for n in names for g in writer.remove(n)]
    if hooks:
        hooks.emit_batch_done(db, store, bool(out))
    return out
