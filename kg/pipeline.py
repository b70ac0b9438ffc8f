"""Ingest orchestration: files -> document model -> graph -> store, then the hooks
(kg.hooks; the search index listens from above).

Reading and extraction are pure and CPU-bound, so they run in a process pool; the store
and the index are written only from this process, one disclosure per transaction, so a
crash leaves every disclosure either wholly old or wholly new. Re-ingesting an unchanged
file is detected by its sha256 and changes nothing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.archive import DocumentArchive
from kg.document import Document, ReadError
from kg.hooks import IngestHooks
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
    note: str = ""  # why a file found in a folder was skipped

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
    from kg.rdf.build import build_graph
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
        graph_iri, g = build_graph(doc)
        nt = g.serialize(format="nt")
        identity = disclosure_identity(g, graph_iri)
    except Exception as e:  # noqa: BLE001
        return Prepared(path, document=doc, error=f"{path}: extraction failed ({type(e).__name__}: {e})")
    return Prepared(path, doc, graph_iri, nt, len(g), identity=identity)


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


def ingest(paths: Iterable[str | os.PathLike], db: str | os.PathLike, store: Store,
           workers: int | None = None, on_result: Callable[[FileResult], None] | None = None,
           hooks: IngestHooks | None = None, ray_address: str | None = None) -> list[FileResult]:
    """Ingest files/folders into the store at `db`. Returns one FileResult per file.
    `ray_address` (local | auto | ADDR) runs the readers on Ray instead of a process pool.
    `hooks` (kg.hooks) hear of every disclosure stored or removed and of the batch's end:
    that is how the search index (search.hooks) keeps in step without kg knowing of it.

    A file that reads but is not a budget disclosure (kg.readers.dispatch.not_a_disclosure) is skipped
    with a note when it was found in a folder (a README beside the PDFs), and fails when it
    was named: the caller asked for that file to become a disclosure."""
    paths = list(paths)
    named = {str(Path(p)) for p in paths if Path(p).is_file()}
    files, results = expand_paths(paths)
    for r in results:
        if on_result:
            on_result(r)
    workers = workers or os.cpu_count() or 1
    archive = DocumentArchive(db)
    known: dict[str, list[StoredDocument]] = {}
    for d in store.documents():
        known.setdefault(d.source_file, []).append(d)
    todo: list[Path] = []
    for f in files:
        sha = file_sha256(f)
        same = [d for d in known.get(f.name, []) if d.sha256 == sha]
        if same:
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
            doc = prep.document
            # an older version of this file is a stored disclosure of the same name AND the
            # same identity; a same-named file of another agency/year/kind/scope is kept
            others = [d for d in known.get(doc.source_file, []) if d.graph != prep.graph]
            ids = stored_identities(store, [d.graph for d in others])
            drop = [d for d in others if ids.get(d.graph, ()) == prep.identity]
            kept = [d for d in others if d not in drop]
            if not prep.archived:
                archive.put(doc)  # harmless before the graph: unreferenced until the graph lands
            store.replace_graph(prep.graph, prep.ntriples, drop=[d.graph for d in drop])
            for d in drop:
                if d.sha256 != doc.sha256:
                    archive.remove(d.sha256)
                if hooks and d.graph != prep.graph:
                    hooks.emit_removed(d.graph)
            known[doc.source_file] = [*kept, StoredDocument(prep.graph, doc.source_file, doc.sha256)]
            warnings = list(doc.warnings)
            if kept:
                warnings.append(f"{len(kept)} other disclosure(s) named {doc.source_file} kept: "
                                "a different agency, year, kind or scope")
            r = FileResult(prep.path, "replaced" if drop else "added", doc.source_file,
                           doc.sha256, prep.graph, prep.triples, len(doc.pages), warnings=warnings)
            changed = True
            if hooks:
                hooks.emit_stored(r)
        results.append(r)
        if on_result:
            on_result(r)
    if hooks:
        hooks.emit_batch_done(db, store, changed)
    return results
